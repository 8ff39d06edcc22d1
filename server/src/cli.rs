//! The `locallibrary` command line, in the manner of Django's manage.py.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use app::{
    accounts::{self, NewAccount},
    dates,
    history::Actor,
    loans,
};

use crate::{
    backups,
    catalog_files::{self, Clashes, CopiesOnLoan, Loans, Mode, Source},
    config::Settings,
    database, session_layer,
    startup::Application,
    telemetry,
};

#[derive(Debug, Parser)]
#[command(
    name = "locallibrary",
    version,
    about = "The LocalLibrary catalog website"
)]
pub struct Cli {
    /// Configuration file [default: Leptos.toml in the working directory].
    #[arg(long, global = true, env = "LOCALLIBRARY_CONFIG")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the site (the default).
    Serve,
    /// Create or update the database schema.
    Migrate,
    /// Merge a JSON catalog file into the catalog by id: records new to
    /// the catalog added, changed ones updated, the others kept; a copy lent
    /// to a member keeps its loan whatever the file says of it.
    LoadCatalog {
        /// A catalog in the format of catalog-small.json.
        file: PathBuf,
        /// Say what the load would add and change, and change nothing.
        #[arg(long, conflicts_with = "replace")]
        dry_run: bool,
        /// Replace the whole catalog with the file's instead, every copy
        /// with it; refused while copies are lent to members.
        #[arg(long)]
        replace: bool,
        /// Replace even while copies are lent to members, losing their
        /// loans; a backup of the database is written first, and named.
        #[arg(long, requires = "replace")]
        force: bool,
    },
    /// Write the catalog to a new file in the format load-catalog reads, as
    /// it stands at one moment, while the site runs.
    ExportCatalog {
        /// Where to write it; must not exist.
        file: PathBuf,
    },
    /// Copy the whole database (catalog, users, loans, sessions) into a new
    /// file, while the site runs: SQLite's VACUUM INTO, or PostgreSQL's
    /// pg_dump.
    Backup {
        /// Where to write the copy; must not exist.
        file: PathBuf,
    },
    /// Put a backup into a new database (SQLite: no file yet; PostgreSQL:
    /// created and empty), then bring its schema up to date.
    Restore {
        /// A file `locallibrary backup` wrote.
        file: PathBuf,
    },
    /// Delete expired sessions (the server also does this on an interval).
    Clearsessions,
    /// Add a user. The password is asked for twice at a terminal; otherwise
    /// it is the first line of standard input.
    Adduser {
        username: String,
        #[arg(long)]
        email: String,
        /// A librarian: lends, renews and marks copies returned, edits authors.
        #[arg(long)]
        librarian: bool,
    },
    /// Give a user a new password (asked for, or read, as for adduser).
    Passwd { username: String },
    /// Lend an available copy to a user.
    Lend {
        copy_id: String,
        username: String,
        /// The day it is due back (YYYY-MM-DD) [default: in 3 weeks].
        #[arg(long, value_parser = due_date)]
        due: Option<time::Date>,
    },
    /// Take back a copy on loan: available again.
    Return { copy_id: String },
}

fn due_date(text: &str) -> Result<time::Date, String> {
    dates::parse_date(text).ok_or_else(|| format!("{text:?} is not a date written YYYY-MM-DD"))
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref())?;
    telemetry::init(settings.log.format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Migrate => {
            let db = database::connect(&settings.database).await?;
            database::migrate(&db).await?;
            println!("The database schema is up to date.");
            finish(db).await
        }
        Command::LoadCatalog {
            file,
            dry_run,
            replace,
            force,
        } => {
            let how = match (dry_run, replace, force) {
                (true, _, _) => Load::Merge(Mode::DryRun),
                (_, true, false) => Load::Replace(Loans::Refuse),
                (_, true, true) => Load::Replace(Loans::Discard),
                (false, false, _) => Load::Merge(Mode::Write),
            };
            load_catalog(settings, &file, how).await
        }
        Command::ExportCatalog { file } => {
            let db = database::connect(&settings.database).await?;
            database::migrate(&db).await?;
            let progress = ProgressBar::new(0).with_style(
                ProgressStyle::with_template("{spinner} exporting {bar:40} {pos}/{len} records")
                    .expect("a valid progress template"),
            );
            let counts = catalog_files::export_catalog(&db, &file, &progress)
                .await
                .with_context(|| format!("{} was not written", file.display()))?;
            println!("Exported {counts} to {}.", file.display());
            finish(db).await
        }
        Command::Backup { file } => {
            let started = std::time::Instant::now();
            let holds = backups::backup(&settings.database, &file)
                .await
                .with_context(|| format!("no backup was written to {}", file.display()))?;
            println!(
                "Backed up the database to {} in {:.1} s: {holds}.",
                file.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Restore { file } => {
            let holds = backups::restore(&settings.database, &file)
                .await
                .with_context(|| format!("{} was not restored", file.display()))?;
            println!("Restored {}: {holds}.", file.display());
            Ok(())
        }
        Command::Clearsessions => {
            let db = database::connect(&settings.database).await?;
            database::migrate(&db).await?;
            // Drawn only when stderr is a terminal.
            let progress = ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{spinner} removed {pos} sessions")
                    .expect("a valid progress template"),
            );
            let removed = session_layer::purge(&db, &settings.session, |removed| {
                progress.set_position(removed)
            })
            .await
            .context("cannot delete expired sessions")?;
            progress.finish_and_clear();
            println!("Removed {removed} expired session(s).");
            finish(db).await
        }
        Command::Adduser {
            username,
            email,
            librarian,
        } => {
            let password = read_password()?;
            let db = database::connect(&settings.database).await?;
            database::migrate(&db).await?;
            let new = NewAccount {
                username: &username,
                email: &email,
                librarian,
            };
            accounts::create(&db, new, &password).await?;
            let role = if librarian { "librarian" } else { "member" };
            let username = accounts::normalized_username(&username);
            println!("Added {username} ({role}).");
            finish(db).await
        }
        Command::Passwd { username } => {
            let password = read_password()?;
            let db = database::connect(&settings.database).await?;
            database::migrate(&db).await?;
            accounts::set_password(&db, &username, &password, None).await?;
            println!("Changed the password of {username}.");
            finish(db).await
        }
        Command::Lend {
            copy_id,
            username,
            due,
        } => {
            let db = database::connect(&settings.database).await?;
            database::migrate(&db).await?;
            let actor = Actor::Command("locallibrary lend");
            let (due, title) = loans::lend(&db, &actor, &copy_id, &username, due).await?;
            println!(
                "Lent copy {copy_id} of {title} to {username}, due back {}.",
                dates::iso_date(due)
            );
            finish(db).await
        }
        Command::Return { copy_id } => {
            let db = database::connect(&settings.database).await?;
            database::migrate(&db).await?;
            let actor = Actor::Command("locallibrary return");
            let (title, _) = loans::take_back(&db, &actor, &copy_id).await?;
            println!("Copy {copy_id} of {title} is back: available.");
            finish(db).await
        }
    }
}

/// A new password: typed twice at a terminal (without echo), else the
/// first line of standard input (for scripts: `echo … | locallibrary …`).
fn read_password() -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password (again): ")?;
        anyhow::ensure!(first == again, "the two passwords didn't match");
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    Ok(password.strip_suffix('\r').unwrap_or(password).to_string())
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let application = Application::build(settings).await?;
    // Before the line that says the server is up, which whoever waits for
    // it reads as "all said".
    if let Some(addr) = application.metrics_addr() {
        tracing::info!("metrics at http://{addr}/metrics");
    }
    tracing::info!(
        "LocalLibrary listening on http://{}",
        application.local_addr()
    );
    application.run_until(shutdown_signal()).await
}

/// How `load-catalog` puts a file in the catalog.
#[derive(Clone, Copy, Debug)]
enum Load {
    Merge(Mode),
    Replace(Loans),
}

/// Checks the whole file first, so a bad file changes nothing; then loads
/// it. Both read the file as a stream: memory holds a batch of records and
/// what the checks need (ids, names), never the whole catalog.
async fn load_catalog(settings: Settings, file: &Path, how: Load) -> anyhow::Result<()> {
    std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let source = Source::File(file.to_path_buf());
    // Drawn only when stderr is a terminal.
    let checking = ProgressBar::new(source.size()).with_style(
        ProgressStyle::with_template("{spinner} checking {bar:40} {bytes}/{total_bytes}")
            .expect("a valid progress template"),
    );
    let counts = {
        let checking = checking.clone();
        let source = source.clone();
        tokio::task::spawn_blocking(move || source.check(&|read| checking.inc(read))).await?
    }
    .with_context(|| format!("{} was not loaded", file.display()))?;
    checking.finish_and_clear();

    let db = database::connect(&settings.database).await?;
    database::migrate(&db).await?;
    let progress = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{spinner} loading {bar:40} {pos}/{len} records")
            .expect("a valid progress template"),
    );
    let not_loaded = || {
        format!(
            "{} was not loaded; the catalog is unchanged",
            file.display()
        )
    };
    let loans = match how {
        Load::Merge(mode) => {
            let report = match catalog_files::merge_catalog(&db, &source, counts, &progress, mode)
                .await
            {
                Ok(report) => report,
                Err(error) if error.is::<Clashes>() => return Err(error).with_context(not_loaded),
                Err(error) => {
                    return Err(error).with_context(|| {
                        format!(
                            "{} was loaded in part: what was written stays, and loading \
                             the file again finishes the load",
                            file.display()
                        )
                    })
                }
            };
            match mode {
                Mode::DryRun => println!(
                    "Loading {} would change the catalog so (nothing was changed):\n{report}",
                    file.display()
                ),
                Mode::Write => println!(
                    "Merged {} into the catalog; records it does not have were kept:\n{report}",
                    file.display()
                ),
            }
            return finish(db).await;
        }
        Load::Replace(Loans::Discard) => {
            let backup = backup_before_load(&settings, file).await?;
            println!("Backed up the database to {} first.", backup.display());
            Loans::Discard
        }
        Load::Replace(Loans::Refuse) => Loans::Refuse,
    };
    let summary = match catalog_files::replace_catalog(&db, &source, counts, &progress, loans).await
    {
        Ok(summary) => summary,
        Err(error) if error.is::<CopiesOnLoan>() => anyhow::bail!(
            "{}: {error}. Return them first, load without --replace (a merge keeps every \
             loan), or add --force, which writes a backup of the database before it \
             replaces the catalog.",
            not_loaded()
        ),
        Err(error) => return Err(error).with_context(not_loaded),
    };
    println!("Loaded {summary} from {}.", file.display());
    finish(db).await
}

/// A backup of the whole database, before a load that loses loans: beside
/// a SQLite database's file, or in the working directory.
async fn backup_before_load(settings: &Settings, file: &Path) -> anyhow::Result<PathBuf> {
    let now = time::OffsetDateTime::now_utc();
    let stamp = format!(
        "before-load-{:04}{:02}{:02}-{:02}{:02}{:02}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let backup = match database::location(&settings.database)? {
        database::Location::SqliteFile(database) => {
            let mut name = database.into_os_string();
            name.push(format!(".{stamp}"));
            PathBuf::from(name)
        }
        database::Location::Postgres(_) => PathBuf::from(format!("locallibrary-{stamp}.dump")),
    };
    backups::backup(&settings.database, &backup)
        .await
        .with_context(|| {
            format!(
                "{} was not loaded: the backup before it could not be written",
                file.display()
            )
        })?;
    Ok(backup)
}

/// Leaves the database whole in its file: SQLite's write-ahead log copied
/// back (so the file alone, copied or backed up, holds everything), and
/// every connection closed.
async fn finish(db: app::db::Db) -> anyhow::Result<()> {
    database::checkpoint(&db)
        .await
        .context("cannot copy the write-ahead log into the database file")?;
    db.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
