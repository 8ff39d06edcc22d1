//! The database handle that server functions find in their context.

use std::{sync::Arc, time::Duration};

use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::{Mutex, MutexGuard};

use crate::error::AppError;

/// The site's one database: catalog and sessions live side by side.
///
/// Reads go through a pool. Writes go through one connection, taken in turn:
/// SQLite lets one connection write at a time, and writers on many
/// connections would spin on the file lock (sleeping in its busy handler,
/// which is what makes long tails). Waiting for a mutex instead queues them
/// in arrival order, and a held connection needs no health check on its way
/// back, which a pool makes on every release (a round trip to the
/// connection's thread per statement).
#[derive(Clone, Debug)]
pub struct Db {
    reader: SqlitePool,
    writer: Arc<Mutex<SqliteConnection>>,
    /// How long a write waits for its turn before giving up (a 503).
    write_wait: Duration,
}

/// The writer connection, held for as long as this lives.
pub type Writer<'a> = MutexGuard<'a, SqliteConnection>;

impl Db {
    pub fn new(reader: SqlitePool, writer: SqliteConnection, write_wait: Duration) -> Self {
        Self {
            reader,
            writer: Arc::new(Mutex::new(writer)),
            write_wait,
        }
    }

    /// The handle the server put in the Leptos context of this request.
    pub fn from_context() -> Result<Db, AppError> {
        leptos::prelude::use_context::<Db>().ok_or_else(|| {
            tracing::error!("no database handle in the request context");
            AppError::Unavailable
        })
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

    /// Closes the read pool, waiting for connections in use to be returned;
    /// the writer closes when the last handle goes.
    pub async fn close(&self) {
        self.reader.close().await;
    }
}
