//! Opening the database (SQLite or PostgreSQL, by the URL's scheme), its
//! schema, and SQLite's log upkeep.

use std::{
    path::{Path, PathBuf},
    str::FromStr,
    time::{Duration, Instant},
};

use anyhow::Context;
use app::{
    db::{Db, PostgresDb, SqliteDb},
    on_reader,
};
use sqlx::{
    migrate::Migrator,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
    ConnectOptions, Connection, SqliteConnection,
};

use tokio::task::JoinHandle;

use crate::config::DatabaseSettings;

mod write_turns;
pub use write_turns::give_way;

/// How many times a checkpoint tries to empty the log while readers are in
/// it, and how long it lets writes go on between two tries.
const CHECKPOINT_ATTEMPTS: u32 = 5;
const CHECKPOINT_RETRY: Duration = Duration::from_millis(5);

/// Copying outside the writers' turn goes on while a pass still found more
/// than this many frames (4 KiB pages) to copy, for at most so many passes.
const SMALL_COPY_FRAMES: i64 = 256;
const MAX_OUTSIDE_PASSES: u32 = 4;

/// While writes go on, the log is started over only once it holds this
/// many frames (64 MiB of 4 KiB pages). Starting over takes the writers'
/// turn, and with it every write waits for what the copying cannot do
/// outside it: the last frames copied and two flushes to disk, then the
/// new log's header flushed (about 1 to 30 ms each here, measured). Taken
/// every second under a load of new sessions (about 38 MB of log a
/// second), it made those waits the slowest hundredth of the views. A
/// log that the copying found whole (no write since) is started over at
/// once, which costs the turn little; but not the one frame that starting
/// over writes itself (an idle server would start over forever).
const RESTART_AT_FRAMES: i64 = 16_384;

/// The longest pause between two attempts to reach the database at start-up.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(5);

/// Which database a URL names.
#[derive(Clone)]
enum Target {
    Sqlite(SqliteConnectOptions),
    Postgres(PgConnectOptions),
}

impl Target {
    /// Reads the URL; a mistake in it is final, not worth retrying.
    fn parse(settings: &DatabaseSettings) -> anyhow::Result<Target> {
        let url = &settings.url;
        let invalid = || format!("invalid database URL {url:?}");
        if url.starts_with("sqlite:") {
            Ok(Target::Sqlite(
                SqliteConnectOptions::from_str(url).with_context(invalid)?,
            ))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Target::Postgres(
                PgConnectOptions::from_str(url).with_context(invalid)?,
            ))
        } else {
            anyhow::bail!(
                "unsupported database URL {url:?}: expected sqlite://FILE or postgres://HOST/NAME"
            )
        }
    }
}

/// Opens the database, trying again for up to `startup-retry-secs` while it
/// cannot be reached (a database server still starting, a volume not yet
/// mounted), and saying each time why.
pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<Db> {
    let target = Target::parse(settings)?;
    let give_up_at = Instant::now() + Duration::from_secs(settings.startup_retry_secs);
    let mut delay = Duration::from_millis(250);
    loop {
        match open(target.clone(), settings).await {
            Ok(db) => return Ok(db),
            Err(err) if Instant::now() + delay < give_up_at => {
                tracing::warn!("{err:#}; trying again in {:.1} s", delay.as_secs_f64());
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(MAX_RETRY_DELAY);
            }
            Err(err) if settings.startup_retry_secs > 0 => {
                return Err(err.context(format!(
                    "gave up after trying for {} s (database.startup-retry-secs)",
                    settings.startup_retry_secs
                )))
            }
            Err(err) => return Err(err),
        }
    }
}

async fn open(target: Target, settings: &DatabaseSettings) -> anyhow::Result<Db> {
    let url = redacted(&settings.url);
    let cannot = || format!("cannot open the database {url}");
    let wait = Duration::from_secs(settings.acquire_timeout_secs);
    match target {
        Target::Sqlite(options) => {
            let options = sqlite_options(options, settings);
            let busy = Duration::from_millis(settings.busy_timeout_ms);
            let connect = |options: SqliteConnectOptions| async move {
                let mut connection = options.connect().await?;
                write_turns::wait_in_turn(&mut connection, busy).await?;
                Ok::<_, sqlx::Error>(connection)
            };
            // The writer first: it creates the file and switches it to WAL.
            // It copies no log into the file after its commits: that would
            // hold up the page views queued behind them. The checkpoint task
            // does it on a connection of its own ([`checkpoint`]).
            let writer = connect(options.clone().pragma("wal_autocheckpoint", "0"))
                .await
                .with_context(cannot)?;
            let mut readers = Vec::new();
            for _ in 0..settings.max_connections.max(1) {
                readers.push(connect(options.clone()).await.with_context(cannot)?);
            }
            let checkpointer = options
                .busy_timeout(Duration::ZERO)
                .connect()
                .await
                .with_context(cannot)?;
            Ok(Db::Sqlite(SqliteDb::new(
                readers,
                writer,
                checkpointer,
                wait,
            )))
        }
        Target::Postgres(options) => {
            // A write waits this long for a row another server holds locked,
            // as a SQLite write waits for the file lock.
            let options =
                options.options([("lock_timeout", format!("{}ms", settings.busy_timeout_ms))]);
            // One connection first, for its error: the pool would retry
            // until its timeout and report only that it timed out.
            options
                .connect()
                .await
                .with_context(cannot)?
                .close()
                .await?;
            let pool = PgPoolOptions::new()
                .max_connections(settings.max_connections.max(1))
                .acquire_timeout(wait)
                .idle_timeout(Duration::from_secs(settings.idle_timeout_secs))
                // Connections left from before a database restart are found
                // broken and replaced here, not handed to a request.
                .test_before_acquire(true)
                .connect_with(options)
                .await
                .with_context(cannot)?;
            Ok(Db::Postgres(PostgresDb::new(pool)))
        }
    }
}

/// WAL lets page views read while a catalog load or a session write is in
/// progress. `synchronous = NORMAL` is WAL's usual pairing: a commit is not
/// flushed to disk on its own, so an application crash loses nothing, while
/// a power cut may lose the last moments of visit counts; catalog loads are
/// replayed from their file. A writer waits its turn when another process
/// (a catalog load, a second server) holds the write lock, but not for
/// ever: past `busy_timeout` the request fails with a 503 (the waiting
/// itself is [`write_turns`]'s).
fn sqlite_options(
    options: SqliteConnectOptions,
    settings: &DatabaseSettings,
) -> SqliteConnectOptions {
    options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_millis(settings.busy_timeout_ms))
}

/// The URL without its password, for messages.
fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

/// Where the site's database is, for a backup to copy and a restore to
/// write.
pub enum Location {
    SqliteFile(PathBuf),
    /// The URL, password and all: for PostgreSQL's own tools.
    Postgres(String),
}

/// Where `settings` put the database; a mistake in the URL is an error.
pub fn location(settings: &DatabaseSettings) -> anyhow::Result<Location> {
    Ok(match Target::parse(settings)? {
        Target::Sqlite(options) => Location::SqliteFile(options.get_filename().to_path_buf()),
        Target::Postgres(_) => Location::Postgres(settings.url.clone()),
    })
}

/// Opens the SQLite file `file`, which nothing else writes (a backup), to
/// read it as it is: no lock, no log, no change of schema.
pub async fn open_sqlite_file(file: &Path) -> anyhow::Result<SqliteConnection> {
    if !file.is_file() {
        anyhow::bail!("{} is not a file", file.display());
    }
    SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .immutable(true)
        .connect()
        .await
        .with_context(|| format!("cannot open {} as a SQLite database", file.display()))
}

/// One more connection to the site's SQLite database `file`, which must
/// exist, beside the servers' (waiting its turn as theirs do).
pub async fn open_sqlite_site(file: &Path) -> anyhow::Result<SqliteConnection> {
    if !file.is_file() {
        anyhow::bail!("there is no database at {}", file.display());
    }
    SqliteConnectOptions::new()
        .filename(file)
        .busy_timeout(Duration::from_secs(5))
        .connect()
        .await
        .with_context(|| format!("cannot open the database {}", file.display()))
}

/// The newest schema this build knows, on SQLite or PostgreSQL: a database
/// with a newer one was made by a newer LocalLibrary.
pub fn newest_migration(location: &Location) -> i64 {
    newest_of(match location {
        Location::SqliteFile(_) => &SQLITE_MIGRATIONS,
        Location::Postgres(_) => &POSTGRES_MIGRATIONS,
    })
}

fn newest_of(migrator: &Migrator) -> i64 {
    migrator
        .iter()
        .map(|migration| migration.version)
        .max()
        .unwrap_or(0)
}

/// Where a database's schema stands against this build's migrations.
#[derive(Debug, PartialEq, Eq)]
pub enum Schema {
    Current,
    /// Migrations of this build not yet applied: the newest applied.
    Behind(i64),
    /// A newer build's migrations applied: the newest.
    Ahead(i64),
    /// A migration that failed part way (PostgreSQL keeps none such).
    Failed(i64),
}

impl std::fmt::Display for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Schema::Current => write!(f, "the schema is this build's"),
            Schema::Behind(version) => write!(
                f,
                "the schema is at migration {version}, older than this build's: not migrated"
            ),
            Schema::Ahead(version) => write!(
                f,
                "the schema is at migration {version}, newer than this build's: a newer \
                 build migrated it"
            ),
            Schema::Failed(version) => write!(f, "migration {version} failed part way"),
        }
    }
}

/// Where `db`'s schema stands against this build's migrations.
pub async fn schema(db: &Db) -> Result<Schema, sqlx::Error> {
    const APPLIED: &str = "SELECT COALESCE(MAX(CASE WHEN success THEN version END), 0),
                COALESCE(MAX(CASE WHEN success THEN NULL ELSE version END), 0)
         FROM _sqlx_migrations";
    let (newest, failed): (i64, i64) =
        on_reader!(db, |conn| sqlx::query_as(APPLIED).fetch_one(conn).await)?;
    let expected = newest_of(match db {
        Db::Sqlite(_) => &SQLITE_MIGRATIONS,
        Db::Postgres(_) => &POSTGRES_MIGRATIONS,
    });
    Ok(if failed > 0 {
        Schema::Failed(failed)
    } else if newest < expected {
        Schema::Behind(newest)
    } else if newest > expected {
        Schema::Ahead(newest)
    } else {
        Schema::Current
    })
}

/// Each database's migrations, describing the same schema (embedded once
/// each: [`migrate`] runs them, [`newest_migration`] reads them).
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// Brings the schema up to date; a no-op when it already is.
pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    match db {
        Db::Sqlite(sqlite) => SQLITE_MIGRATIONS.run(&mut *sqlite.writer().await?).await,
        Db::Postgres(postgres) => POSTGRES_MIGRATIONS.run(postgres.pool()).await,
    }
    .context("cannot apply database migrations")?;
    // What SQL cannot compute: usernames' keys (migrations sqlite 0019,
    // postgres 0013), for users made before them or in plain SQL.
    let alike = app::accounts::fill_username_keys(db)
        .await
        .map_err(|error| anyhow::anyhow!("cannot give usernames their keys: {error}"))?;
    if !alike.is_empty() {
        tracing::warn!(
            users = ?alike,
            "these usernames cannot be told apart from another user's, and have no key: \
             rename one of each pair (a new user cannot take either name meanwhile)"
        );
    }
    Ok(())
}

/// SQLite: copies the write-ahead log into the database file and, once it
/// is all copied or has grown long ([`RESTART_AT_FRAMES`]), starts it over;
/// returns how many log frames it copied (0 on PostgreSQL, which keeps its
/// own log).
///
/// SQLite does the copying by itself after commits, but it can only start
/// the log over when no reader is using it, and under steady load some
/// reader always is: the log then grows without end (about 36 MB every five
/// seconds of home views, measured here), and every read searches a longer
/// log. Starting over needs the whole log copied, with no write adding to
/// it, and no reader in it. Waiting for readers inside SQLite (its busy
/// handler, which sleeps 1, 2, 5, 10 … ms) would hold every write back for
/// as long, so the checkpoint runs on a connection that never waits
/// ([`SqliteDb::checkpointer`]): when readers are in the way it still
/// copies what it can, and tries again a few milliseconds later, letting
/// the writes queued meanwhile go first.
///
/// A log started over is written from the beginning of its file, which
/// keeps its length (as long as the most written between two checkpoints):
/// truncating the file, a wait on the disk, would hold the writes back too.
pub async fn checkpoint(db: &Db) -> Result<i64, sqlx::Error> {
    let Db::Sqlite(sqlite) = db else {
        return Ok(0);
    };
    // First the bulk of the copying, and the flushes to disk, while writes
    // go on: a passive checkpoint neither waits nor holds anyone up. Each
    // pass copies what was written during the one before; under a load of
    // new sessions a pass can take long enough for the next to have much
    // to copy, and what is left when the turn is taken is copied while
    // every write waits.
    let mut copied_before = 0;
    let mut whole = false;
    let mut frames = 0;
    for _ in 0..MAX_OUTSIDE_PASSES {
        let pass = passive_checkpoint(&mut *sqlite.checkpointer().await).await?;
        let fresh = pass.copied - copied_before;
        (whole, frames, copied_before) = (pass.complete, pass.log, pass.copied);
        if fresh <= SMALL_COPY_FRAMES {
            break;
        }
    }
    if frames < RESTART_AT_FRAMES && !(whole && frames > 1) {
        return Ok(copied_before);
    }
    // Each try reports the frames copied from the log as it stands, those
    // of earlier tries included: the last (largest) figure is the answer.
    let mut copied_frames = 0;
    for attempt in 1..=CHECKPOINT_ATTEMPTS {
        let complete = {
            // The writer's turn: writes queue behind the checkpoint in
            // order, rather than in SQLite's busy handler, and while it
            // lasts the log does not grow: what is left to copy is what was
            // written since the copying above.
            let _writes = sqlite.writer().await?;
            let mut checkpointer = sqlite.checkpointer().await;
            let pass = passive_checkpoint(&mut checkpointer).await?;
            copied_frames = copied_frames.max(pass.copied);
            // Looked at again in the turn: another checkpoint (the site's
            // own task, or `checkpoint` called besides it) may have started
            // the log over meanwhile, leaving only its one frame.
            if pass.complete && pass.log > 1 {
                start_log(&mut checkpointer).await;
            }
            pass.complete
        };
        if complete || attempt == CHECKPOINT_ATTEMPTS {
            break;
        }
        tokio::time::sleep(CHECKPOINT_RETRY).await;
    }
    Ok(copied_frames)
}

/// What a pass of copying found.
struct Pass {
    /// The whole log is in the database file.
    complete: bool,
    /// Frames in the log.
    log: i64,
    /// Frames of it copied so far.
    copied: i64,
}

/// Copies what it can of the log into the database file.
async fn passive_checkpoint(checkpointer: &mut SqliteConnection) -> Result<Pass, sqlx::Error> {
    let (busy, log, copied): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(checkpointer)
        .await?;
    Ok(Pass {
        complete: busy == 0 && copied == log,
        log,
        copied,
    })
}

/// Starts the log over, here rather than in the next page view: the first
/// write after a complete checkpoint writes from the log's beginning, and
/// also flushes the log's header to disk (with `synchronous = NORMAL`, the
/// one flush a commit can make). The page view's statement runs on a
/// runtime thread, where a flush holds up every request the thread serves,
/// for milliseconds under load. The write rewrites a header field with its
/// own value: it changes nothing.
async fn start_log(checkpointer: &mut SqliteConnection) {
    let rewritten = async {
        let version: i64 = sqlx::query_scalar("PRAGMA user_version")
            .fetch_one(&mut *checkpointer)
            .await?;
        sqlx::query(&format!("PRAGMA user_version = {version}"))
            .execute(&mut *checkpointer)
            .await
    };
    // Another process writing now has started the log itself.
    if let Err(err) = rewritten.await {
        tracing::debug!(error = %err, "could not start the log over");
    }
}

/// Checkpoints every `interval` for as long as the server runs (SQLite
/// only, and not for an interval of zero: `None`). Often, so that each time
/// has little to copy (`[database] checkpoint-interval-ms`, 100 by
/// default): the copying takes a core away from the views while it lasts,
/// and once a second, under a load of new sessions, it made the slowest
/// hundredth of them (measured, ad hoc: p99 of cookieless views at 64
/// connections about 20 ms, against 10 ms ten times a second and 7 ms with
/// no checkpoint at all).
pub fn spawn_checkpoint_task(db: Db, interval: Duration) -> Option<JoinHandle<()>> {
    if !matches!(db, Db::Sqlite(_)) || interval.is_zero() {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut interval = tokio::time::interval(interval);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if let Err(err) = checkpoint(&db).await {
                tracing::warn!(error = %err, "checkpoint failed; will retry");
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            redacted("postgres://library:secret@db.internal:5432/locallibrary"),
            "postgres://library:***@db.internal:5432/locallibrary"
        );
        assert_eq!(
            redacted("postgres://db.internal/locallibrary"),
            "postgres://db.internal/locallibrary"
        );
        assert_eq!(
            redacted("sqlite://library.sqlite3"),
            "sqlite://library.sqlite3"
        );
    }
}
