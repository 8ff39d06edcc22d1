//! Where tower-sessions keeps session records: the `tower_sessions` table,
//! read through the reader pool and written through the writer.
//!
//! A record holds only when its session started and was last renewed (see
//! `app::session`), stored as JSON; its expiry is in Unix seconds, so
//! loading and purging compare integers.

use async_trait::async_trait;
use time::OffsetDateTime;
use tower_sessions::{
    session::{Id, Record},
    session_store::{Error, Result},
    SessionStore,
};

use app::db::Db;

#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
}

impl Store {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

fn backend(err: sqlx::Error) -> Error {
    Error::Backend(err.to_string())
}

fn encode(record: &Record) -> Result<Vec<u8>> {
    serde_json::to_vec(&record.data).map_err(|err| Error::Encode(err.to_string()))
}

#[async_trait]
impl SessionStore for Store {
    /// Inserts under a fresh id, drawing again in the (astronomically
    /// unlikely) event that the id is taken: a new session never takes over
    /// an existing one.
    async fn create(&self, record: &mut Record) -> Result<()> {
        let data = encode(record)?;
        loop {
            let inserted = sqlx::query(
                "INSERT INTO tower_sessions (id, data, expiry_date) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(&data)
            .bind(record.expiry_date.unix_timestamp())
            .execute(&mut *self.db.writer().await.map_err(backend)?)
            .await
            .map_err(backend)?
            .rows_affected();
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        sqlx::query(
            "INSERT INTO tower_sessions (id, data, expiry_date) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE
                SET data = excluded.data, expiry_date = excluded.expiry_date",
        )
        .bind(record.id.to_string())
        .bind(encode(record)?)
        .bind(record.expiry_date.unix_timestamp())
        .execute(&mut *self.db.writer().await.map_err(backend)?)
        .await
        .map_err(backend)?;
        Ok(())
    }

    /// An expired record is as good as absent. So is one that cannot be
    /// read: the browser gets a new session rather than an error page.
    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let row: Option<(Vec<u8>, i64)> = sqlx::query_as(
            "SELECT data, expiry_date FROM tower_sessions WHERE id = $1 AND expiry_date > $2",
        )
        .bind(id.to_string())
        .bind(OffsetDateTime::now_utc().unix_timestamp())
        .fetch_optional(self.db.reader())
        .await
        .map_err(backend)?;
        let Some((data, expiry)) = row else {
            return Ok(None);
        };
        let decoded = serde_json::from_slice(&data)
            .map_err(|err| err.to_string())
            .and_then(|data| {
                OffsetDateTime::from_unix_timestamp(expiry)
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
        sqlx::query("DELETE FROM tower_sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *self.db.writer().await.map_err(backend)?)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
