//! Where tower-sessions keeps session records: the `tower_sessions` table
//! of the site's database.
//!
//! A record holds only when its session started (see `app::session`),
//! stored as JSON; its expiry is in Unix milliseconds, so loading and
//! purging compare integers.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};

use async_trait::async_trait;
use time::OffsetDateTime;
use tower_sessions::{
    session::{Id, Record},
    session_store::{Error, Result},
    SessionStore,
};

use app::{
    dates::unix_millis,
    db::Db,
    error::{AppError, SESSION_STORE_FAILED, SESSION_STORE_UNAVAILABLE},
    execute, on_reader,
    session::{StoredRecord, INSERT_RECORD},
    session_id::new_session_id,
};

#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
    inserted: Arc<Mutex<VecDeque<Row>>>,
}

/// A record as it is stored: id, data, expiry.
type Row = (String, Vec<u8>, i64);

/// How many just-inserted records [`Store`] remembers.
const REMEMBERED: usize = 256;

/// How much later than at its insert a record's expiry may be, when the
/// session layer saves it as the response leaves, for that save to be
/// skipped as a repeat (milliseconds; a request that took longer saves).
const SAME_EXPIRY_WITHIN_MS: i64 = 1000;

impl Store {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            inserted: Arc::default(),
        }
    }

    /// A new session is saved twice: by the site as soon as it is created
    /// (its id is needed for the state row), and by the session layer when
    /// the response leaves, normally unchanged. Records inserted lately are
    /// remembered, so that a save that would store exactly the same row is
    /// not made (a round trip to the writer for nothing, on every view by a
    /// cookieless client). Bounded: the oldest are forgotten first.
    fn remember(&self, row: Row) {
        let mut inserted = self.inserted.lock().unwrap_or_else(|err| err.into_inner());
        if inserted.len() == REMEMBERED {
            inserted.pop_front();
        }
        inserted.push_back(row);
    }

    /// Whether `row` is already stored, by a recent insert; forgets it.
    /// The layer's save comes moments after the insert, with the expiry
    /// counted again from its own "now": a few milliseconds later is the
    /// same record (the session's lifetime counts from its creation).
    fn just_inserted(&self, row: &Row) -> bool {
        let mut inserted = self.inserted.lock().unwrap_or_else(|err| err.into_inner());
        match inserted.iter().position(|known| same_record(known, row)) {
            Some(at) => {
                inserted.remove(at);
                true
            }
            None => false,
        }
    }
}

/// Whether `row` stores what `known` does: the same id and data, and an
/// expiry at most [`SAME_EXPIRY_WITHIN_MS`] later (counted again from a
/// later "now" by whoever saves it).
fn same_record(known: &Row, row: &Row) -> bool {
    known.0 == row.0 && known.1 == row.1 && (0..=SAME_EXPIRY_WITHIN_MS).contains(&(row.2 - known.2))
}

/// A database error as tower-sessions carries it (as text): logged here,
/// once, and reported as an outage or a bug for the page to say which.
fn backend(err: sqlx::Error) -> Error {
    from_app(AppError::database(&err))
}

fn from_app(error: AppError) -> Error {
    Error::Backend(
        match error {
            AppError::Unavailable => SESSION_STORE_UNAVAILABLE,
            _ => SESSION_STORE_FAILED,
        }
        .to_string(),
    )
}

fn encode(record: &Record) -> Result<Vec<u8>> {
    serde_json::to_vec(&record.data).map_err(|err| Error::Encode(err.to_string()))
}

#[async_trait]
impl SessionStore for Store {
    /// Inserts under a fresh id, drawing again in the (astronomically
    /// unlikely) event that the id is taken: a new session never takes over
    /// an existing one. The id is the site's own, not the one tower-sessions
    /// drew: one in the order the tables are stored in (see
    /// [`app::session_id`]).
    async fn create(&self, record: &mut Record) -> Result<()> {
        let data = encode(record)?;
        if let Some(stored) = StoredRecord::being_saved() {
            // Stored by the site already, with the session's first view.
            record.id = stored.id;
            let known = (stored.id.to_string(), stored.data, stored.expiry);
            if same_record(
                &known,
                &(known.0.clone(), data, unix_millis(record.expiry_date)),
            ) {
                self.remember(known);
                return Ok(());
            }
            // Not what was stored: this record replaces it.
            return self.save(record).await;
        }
        loop {
            record.id = new_session_id();
            let id = record.id.to_string();
            let expiry = unix_millis(record.expiry_date);
            let inserted = execute!(
                &self.db,
                sqlx::query(INSERT_RECORD)
                    .bind(&id)
                    .bind(&data)
                    .bind(expiry)
            )
            .map_err(backend)?;
            if inserted == 1 {
                self.remember((id, data, expiry));
                return Ok(());
            }
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let row = (
            record.id.to_string(),
            encode(record)?,
            unix_millis(record.expiry_date),
        );
        if self.just_inserted(&row) {
            return Ok(());
        }
        let (id, data, expiry) = row;
        execute!(
            &self.db,
            sqlx::query(
                "INSERT INTO tower_sessions (id, data, expiry_date) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO UPDATE
                    SET data = excluded.data, expiry_date = excluded.expiry_date",
            )
            .bind(&id)
            .bind(&data)
            .bind(expiry)
        )
        .map_err(backend)?;
        Ok(())
    }

    /// An expired record is as good as absent. So is one that cannot be
    /// read: the browser gets a new session rather than an error page.
    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let key = id.to_string();
        let now = unix_millis(OffsetDateTime::now_utc());
        let row: Option<(Vec<u8>, i64)> = on_reader!(&self.db, |conn| {
            sqlx::query_as(
                "SELECT data, expiry_date FROM tower_sessions WHERE id = $1 AND expiry_date > $2",
            )
            .bind(&key)
            .bind(now)
            .fetch_optional(conn)
            .await
        })
        .map_err(backend)?;
        let Some((data, expiry)) = row else {
            return Ok(None);
        };
        let decoded = serde_json::from_slice(&data)
            .map_err(|err| err.to_string())
            .and_then(|data| {
                OffsetDateTime::from_unix_timestamp_nanos(i128::from(expiry) * 1_000_000)
                    .map(|expiry_date| Record {
                        id: *id,
                        data,
                        expiry_date,
                    })
                    .map_err(|err| err.to_string())
            });
        match decoded {
            Ok(record) => Ok(Some(record)),
            Err(err) => {
                tracing::warn!(error = %err, "unreadable session record: starting a new session");
                Ok(None)
            }
        }
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        let key = id.to_string();
        execute!(
            &self.db,
            sqlx::query("DELETE FROM tower_sessions WHERE id = $1").bind(&key)
        )
        .map_err(backend)?;
        Ok(())
    }
}
