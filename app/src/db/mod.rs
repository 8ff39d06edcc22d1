//! The database handle that server functions find in their context, and the
//! macros that run one statement's code on whichever database it is.
//!
//! The site runs on SQLite (one file, the default) or PostgreSQL (several
//! servers sharing one database), both through sqlx. Its SQL is written
//! once, in the subset both understand; the few spellings that differ are
//! picked with [`Db::pick`]. [`on_reader!`](crate::on_reader),
//! [`on_writer!`](crate::on_writer) and
//! [`in_transaction!`](crate::in_transaction) compile the same statement
//! code for each database; page views' writes go through [`views`].

use std::{sync::Arc, time::Duration};

use deadpool::{
    unmanaged::{PoolConfig, PoolError},
    Runtime,
};
use sqlx::{pool::PoolConnection, PgPool, Postgres, SqliteConnection};
use tokio::sync::{Mutex, MutexGuard};

use crate::error::AppError;

use self::views::ViewWrites;
pub use self::views::{SessionRow, ViewWrite, Written};

pub mod views;

/// The first statement of every transaction that changes the catalog: it
/// locks the row that holds the catalog's counts and version, which the
/// database's triggers update in the same transaction (migrations sqlite
/// 0017–0018, postgres 0011–0012). Taken first, it orders every change of
/// the catalog: taken after a book's or a copy's row, two changes at once
/// could each hold what the other waits for (PostgreSQL: a deadlock).
pub const LOCK_CATALOG: &str = "UPDATE catalog_counts SET version = version WHERE id = 1";

/// The site's one database: catalog and sessions live side by side.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqliteDb),
    Postgres(PostgresDb),
}

/// SQLite: reads go through a pool of connections; writes take a turn on
/// one more ([`SqliteDb::writer`]): SQLite lets one connection write at a
/// time, and writers on many connections would spin on the file lock
/// (sleeping in its busy handler, which is what makes long tails). Waiting
/// for a mutex instead queues them in arrival order.
///
/// The readers' pool is deadpool's, not sqlx's: sqlx's pool pings every
/// connection that comes back to it, which for SQLite is a round trip to
/// the connection's own thread, as costly as the statement before it. A
/// connection to a local file does not go stale, so these are handed out
/// and taken back as they are.
#[derive(Clone, Debug)]
pub struct SqliteDb {
    readers: Readers,
    writer: Arc<Mutex<SqliteConnection>>,
    /// For checkpoints of the write-ahead log only: a connection whose busy
    /// timeout is zero (see `server::database::checkpoint`).
    checkpointer: Arc<Mutex<SqliteConnection>>,
    /// Page views' writes, committed in groups on the writer ([`views`]).
    views: ViewWrites,
    /// How long a statement waits for its connection before giving up (a 503).
    wait: Duration,
}

/// PostgreSQL: one pool for reads and writes; it lets many connections
/// write at once, locking rows rather than the database.
#[derive(Clone, Debug)]
pub struct PostgresDb {
    pool: PgPool,
    /// Page views' writes, committed in groups ([`views`]).
    views: ViewWrites,
}

type Readers = deadpool::unmanaged::Pool<SqliteConnection>;

/// A SQLite reader connection, back in the pool when this is dropped.
pub type Reader = deadpool::unmanaged::Object<SqliteConnection>;

/// The SQLite writer connection, held for as long as this lives.
pub type Writer<'a> = MutexGuard<'a, SqliteConnection>;

impl SqliteDb {
    pub fn new(
        readers: Vec<SqliteConnection>,
        writer: SqliteConnection,
        checkpointer: SqliteConnection,
        wait: Duration,
    ) -> Self {
        let pool = Readers::from_config(&PoolConfig {
            max_size: readers.len(),
            timeout: Some(wait),
            runtime: Some(Runtime::Tokio1),
        });
        for reader in readers {
            // Cannot fail: the pool is open and sized for all of them.
            let _ = pool.try_add(reader);
        }
        let writer = Arc::new(Mutex::new(writer));
        // One: SQLite has one writer at a time.
        let views = ViewWrites::start(vec![SqliteRunner {
            writer: Arc::clone(&writer),
            wait,
        }]);
        Self {
            readers: pool,
            writer,
            checkpointer: Arc::new(Mutex::new(checkpointer)),
            views,
            wait,
        }
    }

    /// A connection for statements that only read.
    pub async fn reader(&self) -> Result<Reader, sqlx::Error> {
        let began = std::time::Instant::now();
        let reader = self.readers.get().await.map_err(|err| match err {
            PoolError::Closed => sqlx::Error::PoolClosed,
            PoolError::Timeout | PoolError::NoRuntimeSpecified => sqlx::Error::PoolTimedOut,
        });
        metrics::histogram!("locallibrary_db_wait_seconds", "kind" => "reader")
            .record(began.elapsed().as_secs_f64());
        reader
    }

    /// The readers: how many, and how many are free now.
    pub fn readers_status(&self) -> (usize, usize) {
        let status = self.readers.status();
        (status.size, status.available)
    }

    /// The connection for every statement that writes, and every
    /// transaction, once the writes queued before this one are done.
    pub async fn writer(&self) -> Result<Writer<'_>, sqlx::Error> {
        let began = std::time::Instant::now();
        let writer = tokio::time::timeout(self.wait, self.writer.lock())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut);
        metrics::histogram!("locallibrary_db_wait_seconds", "kind" => "writer")
            .record(began.elapsed().as_secs_f64());
        writer
    }

    /// The connection for checkpoints; it never waits for a lock. Taken
    /// with the writer's turn, so never waited for itself.
    pub async fn checkpointer(&self) -> MutexGuard<'_, SqliteConnection> {
        self.checkpointer.lock().await
    }

    /// Closes each reader once it is back (waiting for it as a statement
    /// would); the writer closes when the last handle goes.
    async fn close(&self) {
        for _ in 0..self.readers.status().size {
            match self.readers.remove().await {
                Ok(reader) => {
                    let _ = sqlx::Connection::close(reader).await;
                }
                Err(_) => break,
            }
        }
        self.readers.close();
    }
}

/// Runs page views' batches on SQLite's writer, in its turn.
struct SqliteRunner {
    writer: Arc<Mutex<SqliteConnection>>,
    wait: Duration,
}

impl views::Runner for SqliteRunner {
    async fn run(&mut self, statements: views::Statements) -> Result<views::Rows, sqlx::Error> {
        let mut writer = tokio::time::timeout(self.wait, self.writer.lock())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?;
        crate::run_view_writes!(&mut *writer, statements).await
    }
}

/// Runs page views' batches on a connection of PostgreSQL's pool, kept
/// from one batch to the next (taking one from the pool checks it first,
/// a round trip) until it fails.
struct PostgresRunner {
    pool: PgPool,
    connection: Option<PoolConnection<Postgres>>,
}

impl views::Runner for PostgresRunner {
    async fn run(&mut self, statements: views::Statements) -> Result<views::Rows, sqlx::Error> {
        let mut conn = match self.connection.take() {
            Some(conn) => conn,
            None => self.pool.acquire().await?,
        };
        let rows = crate::run_view_writes!(&mut *conn, statements).await;
        // A connection that failed goes back to the pool, which checks it
        // before it is used again.
        if rows.is_ok() {
            self.connection = Some(conn);
        }
        rows
    }
}

/// How many batches of page views run at once on PostgreSQL: while one
/// waits for its commit to reach the disk, the next runs.
const POSTGRES_RUNNERS: usize = 2;

impl PostgresDb {
    pub fn new(pool: PgPool) -> Self {
        let runners = (0..POSTGRES_RUNNERS)
            .map(|_| PostgresRunner {
                pool: pool.clone(),
                connection: None,
            })
            .collect();
        let views = ViewWrites::start(runners);
        Self { pool, views }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

impl Db {
    /// The handle the server put in the Leptos context of this request.
    pub fn from_context() -> Result<Db, AppError> {
        leptos::prelude::use_context::<Db>()
            .ok_or_else(|| AppError::bug("no database handle in the request context"))
    }

    /// `sqlite` or `postgres`: where the two spell a statement differently.
    pub fn pick<'a>(&self, sqlite: &'a str, postgres: &'a str) -> &'a str {
        match self {
            Db::Sqlite(_) => sqlite,
            Db::Postgres(_) => postgres,
        }
    }

    /// Writes a page view's `write`, committed together with the other
    /// views' writes of the moment ([`views`]).
    pub async fn write_view(&self, write: ViewWrite) -> Result<Written, AppError> {
        match self {
            Db::Sqlite(sqlite) => sqlite.views.write(write).await,
            Db::Postgres(postgres) => postgres.views.write(write).await,
        }
    }

    /// Closes the pools, waiting for connections in use to be returned; the
    /// SQLite writer closes when the last handle goes.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(sqlite) => {
                sqlite.views.stop();
                sqlite.close().await
            }
            Db::Postgres(postgres) => {
                postgres.views.stop();
                postgres.pool.close().await
            }
        }
    }
}

/// `on_reader!(db, |conn| body)`: runs `body` with `conn` an executor for
/// statements that only read; `body` must give a `Result` whose error
/// converts from `sqlx::Error`. `body` is compiled once per database, so the
/// types it binds and decodes must suit both.
#[macro_export]
macro_rules! on_reader {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(sqlite) => match sqlite.reader().await {
                Ok(mut reader) => {
                    let $conn = &mut *reader;
                    $body
                }
                Err(err) => Err(err.into()),
            },
            $crate::db::Db::Postgres(postgres) => {
                let $conn = postgres.pool();
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
            $crate::db::Db::Postgres(postgres) => {
                let $conn = postgres.pool();
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
///
/// On SQLite the transaction takes the write lock at once (`BEGIN
/// IMMEDIATE`): one that reads first and writes after (a loan checks the
/// copy, then changes it) would otherwise fail at its first write, busy
/// timeout or not, whenever another process (a `locallibrary lend` beside
/// the server) wrote in between.
#[macro_export]
macro_rules! in_transaction {
    ($db:expr, |$tx:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(sqlite) => match sqlite.writer().await {
                Ok(mut writer) => {
                    match ::sqlx::Connection::begin_with(&mut *writer, "BEGIN IMMEDIATE").await {
                        Ok(mut $tx) => $body,
                        Err(err) => Err(err.into()),
                    }
                }
                Err(err) => Err(err.into()),
            },
            $crate::db::Db::Postgres(postgres) => match postgres.pool().begin().await {
                Ok(mut $tx) => $body,
                Err(err) => Err(err.into()),
            },
        }
    };
}
