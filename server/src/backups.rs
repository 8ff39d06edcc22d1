//! `locallibrary backup` and `restore`: a copy of the whole database
//! (catalog, users, loans, sessions) taken while the site runs, and put
//! back into a new database.
//!
//! On SQLite a backup is `VACUUM INTO`: one read transaction, so the copy
//! is the database as it stood at one moment, whatever the site writes
//! meanwhile, and the site's writers never wait for it. On PostgreSQL it is
//! PostgreSQL's own `pg_dump` (one snapshot too), and `pg_restore` puts it
//! back. Either is written beside its name first and renamed when whole, so
//! a backup that fails leaves no file that looks like one; neither writes
//! over a file or into a database that holds anything.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use sqlx::{Connection, PgConnection, SqliteConnection};

use crate::{
    config::DatabaseSettings,
    database::{self, Location},
};

/// Takes a backup of the database `settings` name into `file`, which must
/// not exist; says what it holds.
pub async fn backup(settings: &DatabaseSettings, file: &Path) -> anyhow::Result<String> {
    if file.exists() {
        bail!(
            "{} exists: a backup never writes over a file (move it aside or choose another name)",
            file.display()
        );
    }
    let partial = Partial::beside(file);
    let holds = match database::location(settings)? {
        Location::SqliteFile(database) => {
            let mut site = database::open_sqlite_site(&database).await?;
            sqlx::query("VACUUM INTO $1")
                .bind(partial.path.to_string_lossy())
                .execute(&mut site)
                .await
                .with_context(|| format!("cannot copy {}", database.display()))?;
            contents(&partial.path).await?
        }
        Location::Postgres(url) => {
            let partial = partial.path.to_string_lossy();
            run_tool(
                "pg_dump",
                &["--format=custom", "--no-owner", "--file", &partial],
                &url,
            )
            .await?;
            "a pg_dump archive".to_string()
        }
    };
    partial.finish(file)?;
    Ok(holds)
}

/// Puts the backup `file` into the database `settings` name, which must be
/// new (SQLite: no file yet; PostgreSQL: created, and empty), then brings
/// its schema up to date; says what it holds.
pub async fn restore(settings: &DatabaseSettings, file: &Path) -> anyhow::Result<String> {
    if !file.is_file() {
        bail!("{} is not a file", file.display());
    }
    let location = database::location(settings)?;
    let mut summary = "the pg_dump archive".to_string();
    match &location {
        Location::SqliteFile(database) => {
            for taken in [database.clone(), with_suffix(database, "-wal")] {
                if taken.exists() {
                    bail!(
                        "{} exists: a backup is restored into a new database only \
                         (move it aside, or set database.url to a new file)",
                        taken.display()
                    );
                }
            }
            check_sqlite_backup(file, &location).await?;
            summary = contents(file).await?;
            let partial = Partial::beside(database);
            std::fs::copy(file, &partial.path).with_context(|| {
                format!(
                    "cannot copy {} to {}",
                    file.display(),
                    partial.path.display()
                )
            })?;
            partial.finish(database)?;
        }
        Location::Postgres(url) => {
            let mut target = PgConnection::connect(url)
                .await
                .context("cannot reach the database to restore into")?;
            let tables: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM information_schema.tables
                 WHERE table_schema = current_schema()",
            )
            .fetch_one(&mut target)
            .await?;
            target.close().await?;
            if tables > 0 {
                bail!(
                    "the database holds {tables} tables: a backup is restored into a new, \
                     empty database only (createdb one, and set DATABASE_URL to it)"
                );
            }
            run_tool(
                "pg_restore",
                &[
                    "--no-owner",
                    "--exit-on-error",
                    "--single-transaction",
                    &file.to_string_lossy(),
                ],
                url,
            )
            .await?;
        }
    }
    let db = database::connect(settings).await?;
    database::migrate(&db).await?;
    database::checkpoint(&db).await?;
    db.close().await;
    Ok(summary)
}

/// A file being written beside its final name, and removed when done with
/// (once linked to that name, or if it never is).
pub(crate) struct Partial {
    pub(crate) path: PathBuf,
}

impl Partial {
    pub(crate) fn beside(file: &Path) -> Partial {
        Partial {
            path: with_suffix(file, &format!(".partial-{}", std::process::id())),
        }
    }

    /// Gives the file its name, whole, unless a file took that name
    /// meanwhile (a link, unlike a rename, never replaces one).
    pub(crate) fn finish(self, file: &Path) -> anyhow::Result<()> {
        std::fs::hard_link(&self.path, file)
            .with_context(|| format!("cannot name the copy {}", file.display()))?;
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A SQLite file that is whole and this site's, by a LocalLibrary no newer
/// than this one.
async fn check_sqlite_backup(file: &Path, location: &Location) -> anyhow::Result<()> {
    let not_a_backup = || format!("{} is not a LocalLibrary backup", file.display());
    let mut backup = database::open_sqlite_file(file)
        .await
        .with_context(not_a_backup)?;
    let check: String = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_one(&mut backup)
        .await
        .with_context(not_a_backup)?;
    if check != "ok" {
        bail!("{} is damaged: {check}", file.display());
    }
    let schema: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&mut backup)
        .await
        .with_context(not_a_backup)?;
    let known = database::newest_migration(location);
    if schema > known {
        bail!(
            "{} was made by a newer LocalLibrary (schema {schema}; this one knows up to {known})",
            file.display()
        );
    }
    Ok(())
}

/// What the SQLite database `file` holds, in a line.
async fn contents(file: &Path) -> anyhow::Result<String> {
    let mut db = database::open_sqlite_file(file).await?;
    let books = count(&mut db, "SELECT COUNT(*) FROM book").await?;
    let copies = count(&mut db, "SELECT COUNT(*) FROM book_instance").await?;
    let on_loan = count(
        &mut db,
        "SELECT COUNT(*) FROM book_instance WHERE borrower_id IS NOT NULL",
    )
    .await?;
    let users = count(&mut db, "SELECT COUNT(*) FROM account").await?;
    let sessions = count(&mut db, "SELECT COUNT(*) FROM tower_sessions").await?;
    Ok(format!(
        "{books} books, {copies} copies ({on_loan} lent to members), {users} users, \
         {sessions} sessions"
    ))
}

async fn count(db: &mut SqliteConnection, sql: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar(sql).fetch_one(db).await
}

/// Runs one of PostgreSQL's client tools on the database at `url`, whose
/// password goes by the environment (an argument would show in `ps`); not
/// finding the tool, or its failure, is an error that says why.
async fn run_tool(tool: &str, args: &[&str], url: &str) -> anyhow::Result<()> {
    let mut url = url::Url::parse(url).context("invalid database URL")?;
    let mut command = tokio::process::Command::new(tool);
    if let Some(password) = url.password() {
        let password = percent_encoding::percent_decode_str(password)
            .decode_utf8_lossy()
            .into_owned();
        command.env("PGPASSWORD", password);
        let _ = url.set_password(None);
    }
    let output = match command
        .args(args)
        .arg("--dbname")
        .arg(url.as_str())
        .output()
        .await
    {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => bail!(
            "{tool} was not found: on PostgreSQL, backups are PostgreSQL's own tools' \
             (Debian: apt install postgresql-client, of the server's version or newer)"
        ),
        Err(error) => return Err(error).with_context(|| format!("cannot run {tool}")),
    };
    if !output.status.success() {
        bail!(
            "{tool} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}
