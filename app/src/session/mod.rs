//! The typed session: every read or write of a visitor's session goes
//! through [`VisitorSession`].
//!
//! tower-sessions loads a session record whole and saves it whole at the end
//! of a request, so two overlapping requests of one browser would overwrite
//! each other's changes. The record is therefore kept immutable here (it
//! holds only the start time): the values live in typed columns of
//! `session_state`, keyed by the session id, and each change is one atomic
//! statement. That stays exact under any concurrency and across server
//! processes sharing the database.

use time::OffsetDateTime;
use tower_sessions::Session;

use crate::{
    db::{Db, ViewWrite},
    error::AppError,
    execute,
    model::{CatalogCounts, Preferences, PER_PAGE_CHOICES},
    on_reader,
    session_id::new_session_id,
};

use self::clock::Now;
pub use self::{
    clock::unix_millis,
    new_record::{StoredRecord, INSERT_RECORD},
    policy::SessionPolicy,
    purge::purge_expired,
};

mod clock;
mod new_record;
mod policy;
mod purge;

/// Key of the record field that marks a session as started; it is what makes
/// a new session non-empty, so the layer keeps it and sends its cookie.
const STARTED_AT: &str = "started_at";

/// A query for `columns` of the state row of the session `$1`, if that
/// session is live at `$2` (Unix milliseconds): the cookie's id is checked
/// in the same statement that reads.
macro_rules! live_state {
    ($columns:literal) => {
        concat!(
            "SELECT ",
            $columns,
            " FROM session_state state
             JOIN tower_sessions record ON record.id = state.session_id
             WHERE state.session_id = $1 AND record.expiry_date > $2"
        )
    };
}

pub struct VisitorSession {
    session: Session,
    db: Db,
    policy: SessionPolicy,
}

/// What a catalog page (a list, a book's or an author's page) is rendered
/// from besides its address: the catalog as it stands and the browser's
/// choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PageBasis {
    /// Raised by every catalog load (migration 0009).
    pub catalog_version: i64,
    pub preferences: Preferences,
}

/// A counted view of the home page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Visit {
    /// Views so far, this one included.
    pub visits: i64,
    /// Whether the browser sent its session cookie with this request (false
    /// on a first visit, and always for a client that drops cookies).
    pub cookie_returned: bool,
    /// The catalog's figures, which the home page shows beside the count.
    pub counts: CatalogCounts,
    /// The browser's preferences, as the statement that counted found them.
    pub preferences: Preferences,
}

impl VisitorSession {
    /// The session of the request being handled (a page render or a server
    /// function call).
    pub async fn from_request() -> Result<Self, AppError> {
        let session: Session = leptos_axum::extract()
            .await
            .map_err(|err| AppError::bug(format!("no session layer around this route: {err}")))?;
        let policy = leptos::prelude::use_context::<SessionPolicy>().unwrap_or_default();
        Ok(Self {
            session,
            db: Db::from_context()?,
            policy,
        })
    }

    pub fn new(session: Session, db: Db, policy: SessionPolicy) -> Self {
        Self {
            session,
            db,
            policy,
        }
    }

    /// The database the session is kept in.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Counts one view of the home page.
    ///
    /// A returning browser's view is one write ([`ViewWrite::Count`]),
    /// which checks that the cookie's session exists and has not expired
    /// and counts the view, atomically, committed with the other views of
    /// the moment; it gives back the browser's preferences and the
    /// catalog's figures too: everything the home page is rendered from.
    /// A browser without a live session gets a new one, its first view
    /// counted in the same commit ([`ViewWrite::Start`]). A view that finds
    /// a renewal due costs one write more.
    pub async fn record_visit(&self) -> Result<Visit, AppError> {
        if let Some(id) = self.cookie_id() {
            let written = self
                .db
                .write_view(ViewWrite::Count {
                    session_id: id.clone(),
                })
                .await?;
            if let Some(state) = written.state {
                if state.renewed_at <= self.renewal_cutoff(Now::get().millis) {
                    self.changed(&id).await?;
                }
                return Ok(Visit {
                    visits: state.visits,
                    cookie_returned: true,
                    counts: written.counts,
                    preferences: stored_preferences((state.per_page, state.notice_dismissed)),
                });
            }
        }
        // No cookie, or one naming a session the store does not hold (or
        // no longer): a new session, never the cookie's id, and no choices
        // made yet.
        let (visits, counts) = self.start_counted().await?;
        Ok(Visit {
            visits,
            cookie_returned: false,
            counts,
            preferences: Preferences::default(),
        })
    }

    /// Starts a session with its first view counted: the record and the
    /// state row in one commit, where creating the session (for its id) and
    /// then counting would be two, on every view by a browser without a
    /// session. tower-sessions then saves the session, and the store gives
    /// it the id it was stored under (see [`StoredRecord`]).
    async fn start_counted(&self) -> Result<(i64, CatalogCounts), AppError> {
        let started_at = OffsetDateTime::now_utc().unix_timestamp();
        self.session.insert(STARTED_AT, started_at).await?;
        // The record as the store would write it: its data as JSON, its
        // expiry in milliseconds.
        let data = serde_json::to_vec(&std::collections::HashMap::from([(STARTED_AT, started_at)]))
            .map_err(|err| AppError::bug(format!("cannot encode a session record: {err}")))?;
        let expiry = unix_millis(self.session.expiry_date());
        // A new id until one is free: never another session's.
        let (id, written) = loop {
            let id = new_session_id();
            let written = self
                .db
                .write_view(ViewWrite::Start {
                    session_id: id.to_string(),
                    data: data.clone(),
                    expiry,
                })
                .await?;
            if let Some(state) = written.state {
                break (id, (state.visits, written.counts));
            }
        };
        StoredRecord { id, data, expiry }
            .scope(self.session.save())
            .await?;
        if self.session.id() != Some(id) {
            return Err(AppError::bug(
                "a new session was saved under another id than it was stored under",
            ));
        }
        Ok(written)
    }

    /// The number of views counted so far, without counting this request.
    pub async fn visits(&self) -> Result<i64, AppError> {
        let Some(id) = self.cookie_id() else {
            return Ok(0);
        };
        let now = unix_millis(OffsetDateTime::now_utc());
        let visits: Option<i64> = on_reader!(&self.db, |conn| {
            sqlx::query_scalar(live_state!("state.visits"))
                .bind(&id)
                .bind(now)
                .fetch_optional(conn)
                .await
        })?;
        Ok(visits.unwrap_or(0))
    }

    /// The catalog's version and this browser's preferences, in one
    /// statement that only reads (the preferences are the defaults without
    /// a live session). Asked before every page but a view of the home page.
    pub async fn page_basis(&self) -> Result<PageBasis, AppError> {
        const BASIS: &str = concat!(
            "SELECT catalog.version, live.per_page, live.notice_dismissed
             FROM catalog_counts catalog LEFT JOIN (",
            live_state!("state.per_page, state.notice_dismissed"),
            ") live ON TRUE"
        );
        type Basis = (i64, Option<i64>, Option<bool>);
        let id = self.cookie_id();
        let now = unix_millis(OffsetDateTime::now_utc());
        let (catalog_version, per_page, dismissed): Basis = on_reader!(&self.db, |conn| {
            sqlx::query_as(BASIS)
                .bind(&id)
                .bind(now)
                .fetch_one(conn)
                .await
        })?;
        let preferences = dismissed.map_or_else(Preferences::default, |dismissed| {
            stored_preferences((per_page, dismissed))
        });
        Ok(PageBasis {
            catalog_version,
            preferences,
        })
    }

    /// Remembers how many results a page of a list shows for this browser.
    pub async fn set_per_page(&self, per_page: u32) -> Result<(), AppError> {
        if !PER_PAGE_CHOICES.contains(&per_page) {
            return Err(AppError::BadRequest(format!(
                "{per_page} results per page is not offered: choose 10, 25 or 50."
            )));
        }
        let id = self.ensure_state().await?;
        execute!(
            &self.db,
            sqlx::query("UPDATE session_state SET per_page = $1 WHERE session_id = $2")
                .bind(i64::from(per_page))
                .bind(&id)
        )?;
        self.changed(&id).await?;
        Ok(())
    }

    /// Hides the demo-catalog notice for this browser from now on.
    pub async fn dismiss_notice(&self) -> Result<(), AppError> {
        let id = self.ensure_state().await?;
        execute!(
            &self.db,
            sqlx::query("UPDATE session_state SET notice_dismissed = TRUE WHERE session_id = $1")
                .bind(&id)
        )?;
        self.changed(&id).await?;
        Ok(())
    }

    /// The id of this browser's session, with a state row, creating both
    /// when needed.
    async fn ensure_state(&self) -> Result<String, AppError> {
        let (id, cookie_returned) = self.stored_or_created().await?;
        let now = Now::get();
        execute!(
            &self.db,
            sqlx::query(
                "INSERT INTO session_state (session_id, confirmed, created_at, renewed_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (session_id) DO UPDATE
                    SET confirmed = session_state.confirmed OR excluded.confirmed",
            )
            .bind(&id)
            .bind(cookie_returned)
            .bind(now.secs)
            .bind(now.millis)
        )?;
        Ok(id)
    }

    /// Sets this browser's visit count back to zero, keeping the session and
    /// everything else in it.
    pub async fn reset_visits(&self) -> Result<(), AppError> {
        if let Some(id) = self.stored_id().await? {
            execute!(
                &self.db,
                sqlx::query("UPDATE session_state SET visits = 0 WHERE session_id = $1").bind(&id)
            )?;
            self.changed(&id).await?;
        }
        Ok(())
    }

    /// Deletes this browser's session and all it holds; the response clears
    /// the cookie. The next visit starts a new session.
    pub async fn forget(&self) -> Result<(), AppError> {
        // Deleting the record deletes its state row (ON DELETE CASCADE).
        self.session.flush().await?;
        Ok(())
    }

    /// Whether this request came with a valid session cookie; if so, the
    /// session is marked as one whose browser keeps cookies (see
    /// `session_state.confirmed`). Never creates a session.
    pub async fn cookie_returned(&self) -> Result<bool, AppError> {
        let Some(id) = self.stored_id().await? else {
            return Ok(false);
        };
        execute!(
            &self.db,
            sqlx::query(
                "UPDATE session_state SET confirmed = TRUE WHERE session_id = $1 AND NOT confirmed",
            )
            .bind(&id)
        )?;
        Ok(true)
    }

    /// Gives the session a new id, keeping everything it holds. Call it on
    /// every change of privilege (signing in or out) so that an id learnt
    /// before the change is worthless after it.
    pub async fn rotate_id(&self) -> Result<(), AppError> {
        let Some(old_id) = self.stored_id().await? else {
            return Ok(());
        };
        let state: Option<(i64, bool, i64)> = on_reader!(&self.db, |conn| {
            sqlx::query_as(
                "SELECT visits, confirmed, created_at FROM session_state WHERE session_id = $1",
            )
            .bind(&old_id)
            .fetch_optional(conn)
            .await
        })?;
        // Deletes the old record (and, by cascade, its state row), then
        // stores the record under a new id.
        self.session.cycle_id().await?;
        self.session.save().await?;
        let new_id = self
            .session
            .id()
            .map(|id| id.to_string())
            .ok_or_else(|| AppError::bug("session has no id after rotation"))?;
        if let Some((visits, confirmed, created_at)) = state {
            execute!(
                &self.db,
                sqlx::query(
                    "INSERT INTO session_state (session_id, visits, confirmed, created_at)
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(&new_id)
                .bind(visits)
                .bind(confirmed)
                .bind(created_at)
            )?;
        }
        Ok(())
    }

    /// After a change: under expiry-on-inactivity, renew the expiry when it
    /// is due (see [`SessionPolicy::renew_after`]). `session_state.renewed_at`
    /// says when it last was; of overlapping requests, one renews.
    async fn changed(&self, id: &str) -> Result<(), AppError> {
        let now = Now::get().millis;
        let cutoff = self.renewal_cutoff(now);
        let renewed = execute!(
            &self.db,
            sqlx::query(
                "UPDATE session_state SET renewed_at = $2
                 WHERE session_id = $1 AND renewed_at <= $3",
            )
            .bind(id)
            .bind(now)
            .bind(cutoff)
        )?;
        if renewed > 0 {
            self.renew();
        }
        Ok(())
    }

    /// Renewals are due for sessions last renewed at or before this time
    /// (Unix milliseconds; never, under a fixed lifetime).
    fn renewal_cutoff(&self, now_millis: i64) -> i64 {
        match self.policy.renew_after {
            Some(after) => {
                now_millis.saturating_sub(i64::try_from(after.as_millis()).unwrap_or(i64::MAX))
            }
            None => i64::MIN,
        }
    }

    /// Marks the record changed: the session layer saves it with an expiry
    /// counted from now and sends the cookie again with a fresh Max-Age.
    fn renew(&self) {
        self.session.set_expiry(self.session.expiry());
    }

    /// The session id the browser's cookie names, unchecked: every query
    /// that uses it joins `tower_sessions` to check the session is live.
    fn cookie_id(&self) -> Option<String> {
        self.session.id().map(|id| id.to_string())
    }

    /// The id of this browser's session if the store holds it. Loading the
    /// record first matters: an id from a cookie that the store does not know
    /// (forged, expired, purged) is dropped here, never adopted.
    async fn stored_id(&self) -> Result<Option<String>, AppError> {
        self.session.get_value(STARTED_AT).await?;
        Ok(self.session.id().map(|id| id.to_string()))
    }

    /// This browser's session id, and whether it came with the request
    /// (false: the session was created just now).
    async fn stored_or_created(&self) -> Result<(String, bool), AppError> {
        Ok(match self.stored_id().await? {
            Some(id) => (id, true),
            None => (self.create().await?, false),
        })
    }

    /// Starts a session for this browser (with a fresh id) and returns its id.
    async fn create(&self) -> Result<String, AppError> {
        self.session
            .insert(STARTED_AT, OffsetDateTime::now_utc().unix_timestamp())
            .await?;
        // Saving now, not at the end of the request, assigns the id that the
        // state row refers to.
        self.session.save().await?;
        self.session
            .id()
            .map(|id| id.to_string())
            .ok_or_else(|| AppError::bug("session has no id after being saved"))
    }
}

/// Preferences from their columns in `session_state`; a stored page size
/// that is no longer offered falls back to the default.
fn stored_preferences((per_page, notice_dismissed): (Option<i64>, bool)) -> Preferences {
    let defaults = Preferences::default();
    Preferences {
        per_page: per_page
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| PER_PAGE_CHOICES.contains(n))
            .unwrap_or(defaults.per_page),
        notice_dismissed,
    }
}
