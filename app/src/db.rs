//! The database handle that server functions find in their context, and the
//! macros that run one statement's code on whichever database it is.
//!
//! The site runs on SQLite (one file, the default) or PostgreSQL (several
//! servers sharing one database). Its SQL is written once, in the subset
//! both understand; the few spellings that differ are picked with
//! [`Db::pick`]. [`on_reader!`](crate::on_reader),
//! [`on_writer!`](crate::on_writer) and
//! [`in_transaction!`](crate::in_transaction) compile the same statement
//! code for each database.

use std::{sync::Arc, time::Duration};

use sqlx::{PgPool, SqliteConnection, SqlitePool};
use tokio::sync::{Mutex, MutexGuard};

use crate::error::AppError;

/// The site's one database: catalog and sessions live side by side.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqliteDb),
    /// One pool for reads and writes: PostgreSQL lets many connections
    /// write at once, locking rows rather than the database.
    Postgres(PgPool),
}

/// SQLite: reads go through a pool. Writes go through one connection, taken
/// in turn: SQLite lets one connection write at a time, and writers on many
/// connections would spin on the file lock (sleeping in its busy handler,
/// which is what makes long tails). Waiting for a mutex instead queues them
/// in arrival order, and a held connection needs no health check on its way
/// back, which a pool makes on every release (a round trip to the
/// connection's thread per statement).
#[derive(Clone, Debug)]
pub struct SqliteDb {
    reader: SqlitePool,
    writer: Arc<Mutex<SqliteConnection>>,
    /// How long a write waits for its turn before giving up (a 503).
    write_wait: Duration,
}

/// The SQLite writer connection, held for as long as this lives.
pub type Writer<'a> = MutexGuard<'a, SqliteConnection>;

impl SqliteDb {
    pub fn new(reader: SqlitePool, writer: SqliteConnection, write_wait: Duration) -> Self {
        Self {
            reader,
            writer: Arc::new(Mutex::new(writer)),
            write_wait,
        }
    }

    /// For statements that only read.
    pub fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    /// The connection for every statement that writes, and every
    /// transaction, once the writes queued before this one are done.
    pub async fn writer(&self) -> Result<Writer<'_>, sqlx::Error> {
        tokio::time::timeout(self.write_wait, self.writer.lock())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)
    }
}

impl Db {
    /// The handle the server put in the Leptos context of this request.
    pub fn from_context() -> Result<Db, AppError> {
        leptos::prelude::use_context::<Db>().ok_or_else(|| {
            tracing::error!("no database handle in the request context");
            AppError::Unavailable
        })
    }

    /// `sqlite` or `postgres`: where the two spell a statement differently.
    pub fn pick<'a>(&self, sqlite: &'a str, postgres: &'a str) -> &'a str {
        match self {
            Db::Sqlite(_) => sqlite,
            Db::Postgres(_) => postgres,
        }
    }

    /// Closes the pools, waiting for connections in use to be returned; the
    /// SQLite writer closes when the last handle goes.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(sqlite) => sqlite.reader.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// `on_reader!(db, |conn| body)`: runs `body` with `conn` an executor for
/// statements that only read. `body` is compiled once per database, so the
/// types it binds and decodes must suit both.
#[macro_export]
macro_rules! on_reader {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(sqlite) => {
                let $conn = sqlite.reader();
                $body
            }
            $crate::db::Db::Postgres(pool) => {
                let $conn = pool;
                $body
            }
        }
    };
}

/// `on_writer!(db, |conn| body)`: as [`on_reader!`](crate::on_reader), for a
/// statement that writes. On SQLite `conn` is the writer connection, held
/// until `body` is done; `body` must give a `Result` whose error converts
/// from `sqlx::Error`.
#[macro_export]
macro_rules! on_writer {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(sqlite) => match sqlite.writer().await {
                Ok(mut writer) => {
                    let $conn = &mut *writer;
                    $body
                }
                Err(err) => Err(err.into()),
            },
            $crate::db::Db::Postgres(pool) => {
                let $conn = pool;
                $body
            }
        }
    };
}

/// `execute!(db, query)`: runs a statement that writes (built by
/// `sqlx::query(…).bind(…)…`) and gives how many rows it changed.
#[macro_export]
macro_rules! execute {
    ($db:expr, $query:expr) => {
        $crate::on_writer!($db, |conn| $query
            .execute(conn)
            .await
            .map(|done| done.rows_affected()))
    };
}

/// `in_transaction!(db, |tx| body)`: runs `body` with `tx` an open
/// transaction, which `body` commits (dropping it rolls back). Same rules
/// as [`on_writer!`](crate::on_writer).
#[macro_export]
macro_rules! in_transaction {
    ($db:expr, |$tx:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(sqlite) => match sqlite.writer().await {
                Ok(mut writer) => match ::sqlx::Connection::begin(&mut *writer).await {
                    Ok(mut $tx) => $body,
                    Err(err) => Err(err.into()),
                },
                Err(err) => Err(err.into()),
            },
            $crate::db::Db::Postgres(pool) => match pool.begin().await {
                Ok(mut $tx) => $body,
                Err(err) => Err(err.into()),
            },
        }
    };
}
