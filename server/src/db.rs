//! The connection pools and the schema.

use std::{str::FromStr, time::Duration};

use anyhow::Context;
use app::db::Db;
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    ConnectOptions,
};

use tokio::task::JoinHandle;

use crate::config::DatabaseSettings;

/// How often the write-ahead log is folded back into the database file.
const CHECKPOINT_INTERVAL: Duration = Duration::from_secs(1);

/// Opens the pools, creating the SQLite file if it does not exist yet.
///
/// WAL lets page views read while a catalog load or a session write is in
/// progress. `synchronous = NORMAL` is WAL's usual pairing: a commit is not
/// flushed to disk on its own, so an application crash loses nothing, while
/// a power cut may lose the last moments of visit counts; catalog loads are
/// replayed from their file. `busy_timeout` makes a writer wait its turn
/// when another process (a catalog load, a second server) holds the write
/// lock, but not for ever: past it the request fails with a 503.
///
/// Writes share one connection: within this process they queue for it, in
/// order, rather than contending for the file lock (see [`Db`]).
pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<Db> {
    let options = SqliteConnectOptions::from_str(&settings.url)
        .with_context(|| format!("invalid database URL {:?}", settings.url))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_millis(settings.busy_timeout_ms));
    let wait = Duration::from_secs(settings.acquire_timeout_secs);
    // The writer first: it creates the file and switches it to WAL.
    let writer = options
        .connect()
        .await
        .with_context(|| format!("cannot open the database {}", settings.url))?;
    let reader = SqlitePoolOptions::new()
        .max_connections(settings.max_connections.max(1))
        .acquire_timeout(wait)
        // A connection to a local file does not go stale; testing it would
        // cost a round trip to its thread on every query.
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open the database {}", settings.url))?;
    Ok(Db::new(reader, writer, wait))
}

/// Brings the schema up to date; a no-op when it already is.
pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    sqlx::migrate!("../migrations/sqlite")
        .run(&mut *db.writer().await?)
        .await
        .context("cannot apply database migrations")
}

/// Copies the write-ahead log into the database file and empties it, once
/// every reader has moved past it; returns how many log frames it copied.
///
/// SQLite does the copying by itself after commits, but it can only start
/// the log over when no reader is using it, and under steady load some
/// reader always is: the log then grows without end (about 36 MB every five
/// seconds of home views, measured here), and every read searches a longer
/// log. This
/// waits, within the busy timeout, for the readers of the moment to finish.
pub async fn checkpoint(db: &Db) -> Result<i64, sqlx::Error> {
    let (_busy, _log, copied): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(&mut *db.writer().await?)
        .await?;
    Ok(copied)
}

/// Checkpoints every [`CHECKPOINT_INTERVAL`] for as long as the server runs.
pub fn spawn_checkpoint_task(db: Db) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(CHECKPOINT_INTERVAL);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if let Err(err) = checkpoint(&db).await {
                tracing::warn!(error = %err, "checkpoint failed; will retry");
            }
        }
    })
}
