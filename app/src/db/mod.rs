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

use deadpool::{
    unmanaged::{PoolConfig, PoolError},
    Runtime,
};
use sqlx::{PgPool, SqliteConnection};
use tokio::sync::{MappedMutexGuard, Mutex, MutexGuard};

use crate::error::AppError;

pub use self::batch::Undo;
use self::batch::{Outcome, Queue};

mod batch;

/// The site's one database: catalog and sessions live side by side.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqliteDb),
    /// One pool for reads and writes: PostgreSQL lets many connections
    /// write at once, locking rows rather than the database.
    Postgres(PgPool),
}

/// SQLite: reads go through a pool of connections (and a few, see
/// [`Db::try_read_direct`], on the calling thread). Writes take a turn (two
/// more connections, one of them used at a time: see [`Db::try_direct`]):
/// SQLite lets one connection write at a time, and writers on many
/// connections would spin on the file lock (sleeping in its busy handler,
/// which is what makes long tails). Waiting for a mutex instead queues them
/// in arrival order.
///
/// Neither is sqlx's pool: it pings every connection that comes back to it,
/// which for SQLite is a round trip to the connection's own thread, as
/// costly as the statement before it. A connection to a local file does not
/// go stale, so these hand connections out and take them back as they are.
#[derive(Clone, Debug)]
pub struct SqliteDb {
    readers: Readers,
    /// Idle connections for reads on the calling thread: as the direct
    /// writer, for statements that take microseconds, where sqlx's hand-off
    /// to a connection thread and back would cost more than the statement.
    direct_readers: Arc<std::sync::Mutex<Vec<rusqlite::Connection>>>,
    writer: Arc<Mutex<WriterConnections>>,
    /// For checkpoints of the write-ahead log only: a connection whose busy
    /// timeout is zero (see `server::db::checkpoint`).
    checkpointer: Arc<Mutex<SqliteConnection>>,
    /// Statements waiting for the direct writer (see [`Db::try_direct`]).
    queue: Arc<Queue>,
    /// How long a statement waits for its connection before giving up (a 503).
    wait: Duration,
}

/// The writer's turn holds two connections to the file, used one at a time.
#[derive(Debug)]
struct WriterConnections {
    sqlx: SqliteConnection,
    /// For the statements of page views, run on the calling thread. sqlx
    /// runs each SQLite connection on a thread of its own and hands every
    /// statement to it and back; for a statement that takes microseconds the
    /// hand-off (two thread wake-ups) costs more than the statement, and with
    /// several such threads on few cores it is what makes the latency tail.
    /// Its busy timeout is zero: a runtime thread must never sleep waiting
    /// for another process's write lock, so a busy database sends the
    /// statement the usual way ([`SqliteDb::writer`]), whose connection waits
    /// on its own thread.
    direct: rusqlite::Connection,
}

type Readers = deadpool::unmanaged::Pool<SqliteConnection>;

/// A SQLite reader connection, back in the pool when this is dropped.
pub type Reader = deadpool::unmanaged::Object<SqliteConnection>;

/// The SQLite writer connection, held for as long as this lives.
pub type Writer<'a> = MappedMutexGuard<'a, SqliteConnection>;

impl SqliteDb {
    pub fn new(
        readers: Vec<SqliteConnection>,
        writer: SqliteConnection,
        direct_writer: rusqlite::Connection,
        direct_readers: Vec<rusqlite::Connection>,
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
        Self {
            readers: pool,
            direct_readers: Arc::new(std::sync::Mutex::new(direct_readers)),
            writer: Arc::new(Mutex::new(WriterConnections {
                sqlx: writer,
                direct: direct_writer,
            })),
            checkpointer: Arc::new(Mutex::new(checkpointer)),
            queue: Arc::default(),
            wait,
        }
    }

    /// A connection for statements that only read.
    pub async fn reader(&self) -> Result<Reader, sqlx::Error> {
        self.readers.get().await.map_err(|err| match err {
            PoolError::Closed => sqlx::Error::PoolClosed,
            PoolError::Timeout | PoolError::NoRuntimeSpecified => sqlx::Error::PoolTimedOut,
        })
    }

    /// The connection for every statement that writes, and every
    /// transaction, once the writes queued before this one are done.
    pub async fn writer(&self) -> Result<Writer<'_>, sqlx::Error> {
        Ok(MutexGuard::map(self.writers().await?, |turn| {
            &mut turn.sqlx
        }))
    }

    /// Runs `statement` on the direct writer when the writers' turn comes,
    /// together with the statements queued by then (see [`batch`]).
    async fn run_direct<T, F>(&self, undo: Undo, statement: F) -> Result<Outcome<T>, sqlx::Error>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let mut ticket = self.queue.push(undo, statement);
        // The statement may be run by a turn before this one; its outcome
        // then comes straight from there, rather than by way of the turn
        // being passed from one waiting view to the next.
        let turn = tokio::select! {
            biased;
            outcome = ticket.wait() => return Ok(outcome),
            turn = self.writers() => turn,
        };
        match turn {
            Ok(turn) => {
                // Whoever held the turn before ran everything queued then.
                if let Some(outcome) = ticket.ready() {
                    return Ok(outcome);
                }
                // The requests this thread has ready meanwhile get to queue
                // their statements first, to share this commit.
                tokio::task::yield_now().await;
                self.queue.run_all(&turn.direct);
            }
            Err(timeout) if ticket.withdraw() => return Err(timeout),
            // The turn's holder took it: it is running now.
            Err(_) => {}
        }
        Ok(ticket.outcome().await)
    }

    async fn writers(&self) -> Result<MutexGuard<'_, WriterConnections>, sqlx::Error> {
        tokio::time::timeout(self.wait, self.writer.lock())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)
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

    /// Runs `statement` on SQLite's direct writer, in a transaction with
    /// the others queued meanwhile, and gives its result once committed;
    /// `None` when it must go the usual way instead: on PostgreSQL, or when
    /// another process holds SQLite's write lock (the statement then did
    /// nothing). If it fails, it is undone as `undo` says.
    pub async fn try_direct<T, F>(&self, undo: Undo, statement: F) -> Result<Option<T>, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let Db::Sqlite(sqlite) = self else {
            return Ok(None);
        };
        match sqlite.run_direct(undo, statement).await? {
            Outcome::Done(done) => Ok(Some(done)),
            Outcome::Busy => Ok(None),
            Outcome::Failed(error) => Err(error),
        }
    }

    /// Runs `statement`, which only reads, at once on this thread on one of
    /// SQLite's direct readers; `None` when it must go the usual way
    /// ([`on_reader!`](crate::on_reader)) instead: on PostgreSQL, when every
    /// direct reader is in use, or when the file is busy (a reader of the
    /// write-ahead log can be, for a moment, while the log is started over;
    /// its busy timeout is zero, as the direct writer's, so it never sleeps
    /// on a runtime thread). For short statements only: the thread serves
    /// nothing else meanwhile.
    pub fn try_read_direct<T>(
        &self,
        statement: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>,
    ) -> Result<Option<T>, AppError> {
        let Db::Sqlite(sqlite) = self else {
            return Ok(None);
        };
        let Some(reader) = sqlite
            .direct_readers
            .lock()
            .ok()
            .and_then(|mut idle| idle.pop())
        else {
            return Ok(None);
        };
        let read = statement(&reader);
        if let Ok(mut readers) = sqlite.direct_readers.lock() {
            readers.push(reader);
        }
        match read {
            Ok(done) => Ok(Some(done)),
            Err(err) if batch::is_busy(&err) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// Closes the pools, waiting for connections in use to be returned; the
    /// SQLite writer closes when the last handle goes.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(sqlite) => sqlite.close().await,
            Db::Postgres(pool) => pool.close().await,
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
