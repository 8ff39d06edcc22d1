//! The connection pools and the schema.

use std::{str::FromStr, time::Duration};

use anyhow::Context;
use app::db::Db;
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    ConnectOptions,
};

use crate::config::DatabaseSettings;

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
