//! The typed session: every read or write of a visitor's session goes
//! through [`VisitorSession`].
//!
//! The session record itself (tower-sessions, table `tower_sessions`) is
//! loaded whole and saved whole at the end of a request, so two overlapping
//! requests of one browser would overwrite each other's changes. The visit
//! counter therefore does not live in the record: it is a row of
//! `session_visits`, keyed by the session id and changed only by one atomic
//! `UPDATE … RETURNING`, which stays exact under any concurrency and across
//! server processes. The row goes when its session row goes (foreign key
//! with `ON DELETE CASCADE`).

use time::OffsetDateTime;
use tower_sessions::Session;

use crate::{db::Db, error::AppError};

/// Key of the record field that marks a session as started; it is what makes
/// a new session non-empty, so the layer keeps it and sends its cookie.
const STARTED_AT: &str = "started_at";

pub struct VisitorSession {
    session: Session,
    db: Db,
}

impl VisitorSession {
    /// The session of the request being handled (a page render or a server
    /// function call).
    pub async fn from_request() -> Result<Self, AppError> {
        let session: Session = leptos_axum::extract().await.map_err(|err| {
            tracing::error!(error = %err, "no session layer around this route");
            AppError::Unavailable
        })?;
        Ok(Self::new(session, Db::from_context()?))
    }

    pub fn new(session: Session, db: Db) -> Self {
        Self { session, db }
    }

    /// Counts one view of the home page and returns the new total.
    pub async fn record_visit(&self) -> Result<i64, AppError> {
        let id = self.ensure_stored().await?;
        let visits = sqlx::query_scalar(
            "INSERT INTO session_visits (session_id, visits) VALUES ($1, 1)
             ON CONFLICT (session_id) DO UPDATE SET visits = session_visits.visits + 1
             RETURNING visits",
        )
        .bind(id)
        .fetch_one(self.db.pool())
        .await?;
        Ok(visits)
    }

    /// The number of views counted so far, without counting this request.
    pub async fn visits(&self) -> Result<i64, AppError> {
        let Some(id) = self.stored_id().await? else {
            return Ok(0);
        };
        let visits: Option<i64> =
            sqlx::query_scalar("SELECT visits FROM session_visits WHERE session_id = $1")
                .bind(id)
                .fetch_optional(self.db.pool())
                .await?;
        Ok(visits.unwrap_or(0))
    }

    /// The id of this browser's session if the store holds it. Loading the
    /// record first matters: an id from a cookie that the store does not know
    /// (forged, expired, purged) is dropped here, never adopted.
    async fn stored_id(&self) -> Result<Option<String>, AppError> {
        self.session.get_value(STARTED_AT).await?;
        Ok(self.session.id().map(|id| id.to_string()))
    }

    /// Makes sure the session exists in the store, creating it (with a fresh
    /// id) when this browser has none, and returns its id.
    async fn ensure_stored(&self) -> Result<String, AppError> {
        if let Some(id) = self.stored_id().await? {
            return Ok(id);
        }
        self.session
            .insert(STARTED_AT, OffsetDateTime::now_utc().unix_timestamp())
            .await?;
        // Saving now, not at the end of the request, assigns the id that the
        // counter row refers to.
        self.session.save().await?;
        self.session.id().map(|id| id.to_string()).ok_or_else(|| {
            tracing::error!("session has no id after being saved");
            AppError::Unavailable
        })
    }
}
