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
pub use tower_cookies::Cookies;
use tower_sessions::{session::Id, Session};

use crate::{
    dates::unix_millis,
    db::{Db, ViewWrite},
    error::{AppError, Invalid},
    execute, in_transaction,
    language::{self, Locale},
    model::{CatalogCounts, Message, Preferences, User, PER_PAGE_CHOICES},
    on_reader,
};

use self::{clock::Now, first_view::FirstView};
pub use self::{
    first_view::{signing_key, FirstViewCookie},
    new_record::{StoredRecord, INSERT_RECORD},
    policy::SessionPolicy,
    purge::purge_expired,
};

mod clock;
mod first_view;
mod new_record;
mod policy;
mod purge;

/// Key of the record field that marks a session as started; it is what makes
/// a new session non-empty, so the layer keeps it and sends its cookie.
const STARTED_AT: &str = "started_at";

/// A query for `columns` of the state row of the session `$1`, if that
/// session is live at `$2` (Unix milliseconds): the cookie's id is checked
/// in the same statement that reads. `account` is the user it is signed in
/// as, if active (else its columns are NULL).
macro_rules! live_state {
    ($columns:literal) => {
        concat!(
            "SELECT ",
            $columns,
            " FROM session_state state
             JOIN tower_sessions record ON record.id = state.session_id
             LEFT JOIN account ON account.id = state.account_id AND account.is_active
             WHERE state.session_id = $1 AND record.expiry_date > $2"
        )
    };
}

pub struct VisitorSession {
    session: Session,
    cookies: Cookies,
    db: Db,
    policy: SessionPolicy,
}

/// What a catalog page (a list, a book's or an author's page) is rendered
/// from besides its address: the catalog as it stands, the browser's
/// choices and who is signed in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PageBasis {
    /// Raised by every change of the catalog (migration 0009).
    pub catalog_version: i64,
    pub preferences: Preferences,
    pub user: Option<User>,
    /// A message waits in the session ([`VisitorSession::take_message`]).
    pub message_waiting: bool,
}

/// A counted view of the home page.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// Who the session is signed in as.
    pub user: Option<User>,
}

impl VisitorSession {
    /// The session of the request being handled (a page render or a server
    /// function call).
    pub async fn from_request() -> Result<Self, AppError> {
        let (session, cookies): (Session, Cookies) = leptos_axum::extract()
            .await
            .map_err(|err| AppError::bug(format!("no session layer around this route: {err}")))?;
        let policy = leptos::prelude::use_context::<SessionPolicy>()
            .ok_or_else(|| AppError::bug("no session policy in the context"))?;
        Ok(Self {
            session,
            cookies,
            db: Db::from_context()?,
            policy,
        })
    }

    pub fn new(session: Session, cookies: Cookies, db: Db, policy: SessionPolicy) -> Self {
        Self {
            session,
            cookies,
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
    /// A view that finds a renewal due costs one write more.
    ///
    /// A browser without a live session stores nothing on its first view:
    /// the view is counted in a cookie ([`first_view`]). The view that
    /// brings that cookie back stores the session, with both views counted
    /// ([`ViewWrite::Confirm`]).
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
                    preferences: stored_preferences(
                        state.per_page,
                        state.notice_dismissed,
                        state.language,
                    ),
                    user: state.user,
                });
            }
        }
        // No cookie, or one naming a session the store does not hold (or
        // no longer): never the cookie's id, and no choices made yet.
        if let Some(first) = self.first_view() {
            let (visits, counts) = self.confirm(first).await?;
            return Ok(Visit {
                visits,
                cookie_returned: true,
                counts,
                preferences: Preferences::default(),
                user: None,
            });
        }
        let counts = crate::catalog::counts(&self.db).await?;
        // Only with a page to show: an error response changes no cookie.
        self.policy.first_view.issue(&self.cookies);
        Ok(Visit {
            visits: 1,
            cookie_returned: false,
            counts,
            preferences: Preferences::default(),
            user: None,
        })
    }

    /// The first view this browser's cookie carries, if any.
    fn first_view(&self) -> Option<FirstView> {
        self.policy.first_view.returned(&self.cookies)
    }

    /// Stores the session a first view's cookie names, with that view and
    /// this one counted (or, if a view that brought the same cookie back at
    /// the same moment stored it already, this one counted in it); the
    /// record and the state row in one commit. tower-sessions then saves
    /// the session, and the store gives it the id it was stored under (see
    /// [`StoredRecord`]). The first view's cookie is done with.
    async fn confirm(&self, first: FirstView) -> Result<(i64, CatalogCounts), AppError> {
        let (data, expiry) = self.start_record(first).await?;
        let written = self
            .db
            .write_view(ViewWrite::Confirm {
                session_id: first.id.to_string(),
                data: data.clone(),
                expiry,
            })
            .await?;
        let state = written
            .state
            .ok_or_else(|| AppError::bug("a confirmed session was not stored"))?;
        self.save_stored(first.id, data, expiry).await?;
        Ok((state.visits, written.counts))
    }

    /// Marks the session as started at the first view, and gives its
    /// record as the store would write it: data as JSON, expiry in
    /// milliseconds.
    async fn start_record(&self, first: FirstView) -> Result<(Vec<u8>, i64), AppError> {
        self.session.insert(STARTED_AT, first.at).await?;
        let data =
            serde_json::to_vec(&std::collections::HashMap::from([(STARTED_AT, first.at)]))
                .map_err(|err| AppError::bug(format!("cannot encode a session record: {err}")))?;
        Ok((data, unix_millis(self.session.expiry_date())))
    }

    /// Has tower-sessions save the session whose record the site stored
    /// under `id`, and sends its cookie in place of the first view's.
    async fn save_stored(&self, id: Id, data: Vec<u8>, expiry: i64) -> Result<(), AppError> {
        StoredRecord { id, data, expiry }
            .scope(self.session.save())
            .await?;
        if self.session.id() != Some(id) {
            return Err(AppError::bug(
                "a new session was saved under another id than it was stored under",
            ));
        }
        self.policy.first_view.clear(&self.cookies);
        Ok(())
    }

    /// The number of views counted so far, without counting this request.
    pub async fn visits(&self) -> Result<i64, AppError> {
        let stored: Option<i64> = match self.cookie_id() {
            Some(id) => {
                let now = unix_millis(OffsetDateTime::now_utc());
                on_reader!(&self.db, |conn| {
                    sqlx::query_scalar(live_state!("state.visits"))
                        .bind(&id)
                        .bind(now)
                        .fetch_optional(conn)
                        .await
                })?
            }
            None => None,
        };
        // Without a stored session: the first view its cookie carries, if any.
        Ok(stored.unwrap_or_else(|| i64::from(self.first_view().is_some())))
    }

    /// The catalog's version, this browser's preferences and who it is
    /// signed in as, in one statement that only reads (the defaults and
    /// nobody without a live session). Asked before every page but a view
    /// of the home page.
    pub async fn page_basis(&self) -> Result<PageBasis, AppError> {
        const BASIS: &str = concat!(
            "SELECT catalog.version, live.per_page, live.notice_dismissed, live.language,
                live.id, live.username, live.is_librarian, live.message_waiting
             FROM catalog_counts catalog LEFT JOIN (",
            live_state!(
                "state.per_page, state.notice_dismissed, state.language,
                 account.id, account.username, account.is_librarian,
                 state.message IS NOT NULL AS message_waiting"
            ),
            ") live ON TRUE"
        );
        type Basis = (
            i64,
            Option<i64>,
            Option<bool>,
            Option<String>,
            Option<i64>,
            Option<String>,
            Option<bool>,
            Option<bool>,
        );
        let id = self.cookie_id();
        let now = unix_millis(OffsetDateTime::now_utc());
        let (catalog_version, per_page, dismissed, language, account, username, librarian, waiting): Basis =
            on_reader!(&self.db, |conn| {
                sqlx::query_as(BASIS)
                    .bind(&id)
                    .bind(now)
                    .fetch_one(conn)
                    .await
            })?;
        let preferences = dismissed.map_or_else(Preferences::default, |dismissed| {
            let language = language.as_deref().and_then(language::from_tag);
            stored_preferences(per_page, dismissed, language)
        });
        Ok(PageBasis {
            catalog_version,
            preferences,
            user: User::from_columns(account, username, librarian),
            message_waiting: waiting.unwrap_or(false),
        })
    }

    /// Keeps `message` in this browser's session for the next page it is
    /// shown (in place of one not shown yet). Never creates a session: the
    /// actions that say what they did are signed-in users'.
    pub async fn tell(&self, message: &Message) -> Result<(), AppError> {
        let Some(id) = self.session_id().await? else {
            return Ok(());
        };
        let json = serde_json::to_string(message)
            .map_err(|err| AppError::bug(format!("a message is not JSON: {err}")))?;
        execute!(
            &self.db,
            sqlx::query("UPDATE session_state SET message = $1 WHERE session_id = $2")
                .bind(json)
                .bind(&id)
        )?;
        Ok(())
    }

    /// The message waiting in this browser's session, taken out of it: it
    /// is shown once. Read and cleared in one transaction, the row locked
    /// (SQLite: the database), so two pages asked for at once do not both
    /// show it.
    pub async fn take_message(&self) -> Result<Option<Message>, AppError> {
        let id = self.cookie_id();
        let read = self.db.pick(
            "SELECT message FROM session_state WHERE session_id = $1",
            "SELECT message FROM session_state WHERE session_id = $1 FOR UPDATE",
        );
        let taken: Option<String> = in_transaction!(&self.db, |tx| {
            let message: Option<Option<String>> = sqlx::query_scalar(read)
                .bind(&id)
                .fetch_optional(&mut *tx)
                .await?;
            let message = message.flatten();
            if message.is_some() {
                sqlx::query("UPDATE session_state SET message = NULL WHERE session_id = $1")
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
            Ok::<_, AppError>(message)
        })?;
        Ok(taken.and_then(|json| serde_json::from_str(&json).ok()))
    }

    /// Signs this browser in as `user`, who proved who they are: the
    /// session keeps what it holds (the visit count goes on) under a new
    /// id, so an id known before (planted, or read over a shoulder) is
    /// worthless after. A session signed in as someone else is emptied
    /// first. The user's password-reset links stop working.
    pub async fn sign_in(&self, user: &User) -> Result<(), AppError> {
        if let Some(current) = self.signed_in_as().await? {
            if current != user.id {
                self.forget().await?;
            }
        }
        self.ensure_state().await?;
        self.rotate_id().await?;
        let id = self
            .stored_id()
            .await?
            .ok_or_else(|| AppError::bug("a session signed in has no id"))?;
        let now = Now::get();
        // Confirmed: a browser that signs in is a person, not a crawler
        // whose cookie never comes back, and the session must stay.
        execute!(
            &self.db,
            sqlx::query(
                "UPDATE session_state SET account_id = $1, confirmed = TRUE WHERE session_id = $2"
            )
            .bind(user.id)
            .bind(&id)
        )?;
        crate::accounts::signed_in(&self.db, user.id, now.secs).await?;
        Ok(())
    }

    /// Signs this browser out: its session is emptied and deleted (as
    /// Django does), the cookie cleared. The next view of the home page is
    /// its first.
    pub async fn sign_out(&self) -> Result<(), AppError> {
        self.forget().await
    }

    /// The id of the user this browser's session is signed in as, if any
    /// (active or not).
    async fn signed_in_as(&self) -> Result<Option<i64>, AppError> {
        let Some(id) = self.stored_id().await? else {
            return Ok(None);
        };
        let account: Option<Option<i64>> = on_reader!(&self.db, |conn| {
            sqlx::query_scalar("SELECT account_id FROM session_state WHERE session_id = $1")
                .bind(&id)
                .fetch_optional(conn)
                .await
        })?;
        Ok(account.flatten())
    }

    /// The id of this browser's session, if the store holds it.
    pub async fn session_id(&self) -> Result<Option<String>, AppError> {
        self.stored_id().await
    }

    /// Remembers how many results a page of a list shows for this browser.
    pub async fn set_per_page(&self, per_page: u32) -> Result<(), AppError> {
        if !PER_PAGE_CHOICES.contains(&per_page) {
            return Err(AppError::BadRequest(Invalid::PerPage(per_page)));
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

    /// Remembers the language this browser reads the site in. Its visit
    /// count stays as it is.
    pub async fn set_language(&self, locale: Locale) -> Result<(), AppError> {
        let id = self.ensure_state().await?;
        execute!(
            &self.db,
            sqlx::query("UPDATE session_state SET language = $1 WHERE session_id = $2")
                .bind(language::tag(locale))
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
        let (id, origin) = self.stored_or_created().await?;
        let now = Now::get();
        execute!(
            &self.db,
            sqlx::query(
                "INSERT INTO session_state (session_id, visits, confirmed, created_at, renewed_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (session_id) DO UPDATE
                    SET confirmed = session_state.confirmed OR excluded.confirmed",
            )
            .bind(&id)
            .bind(i64::from(origin == Origin::FirstView))
            .bind(origin != Origin::New)
            .bind(now.secs)
            .bind(now.millis)
        )?;
        Ok(id)
    }

    /// Sets this browser's visit count back to zero, keeping the session and
    /// everything else in it.
    pub async fn reset_visits(&self) -> Result<(), AppError> {
        let id = match self.stored_id().await? {
            Some(id) => Some(id),
            None if self.first_view().is_some() => Some(self.ensure_state().await?),
            None => None,
        };
        if let Some(id) = id {
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
        self.policy.first_view.clear(&self.cookies);
        Ok(())
    }

    /// Whether this request came with a valid session cookie, or a first
    /// view's; a stored session is then marked as one whose browser keeps
    /// cookies (see `session_state.confirmed`). Never creates a session.
    pub async fn cookie_returned(&self) -> Result<bool, AppError> {
        let Some(id) = self.stored_id().await? else {
            return Ok(self.first_view().is_some());
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
        type Kept = (
            i64,
            bool,
            i64,
            Option<i64>,
            bool,
            Option<String>,
            Option<i64>,
        );
        let state: Option<Kept> = on_reader!(&self.db, |conn| {
            sqlx::query_as(
                "SELECT visits, confirmed, created_at, per_page, notice_dismissed, language,
                    account_id
                 FROM session_state WHERE session_id = $1",
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
        if let Some((visits, confirmed, created_at, per_page, dismissed, language, account)) = state
        {
            execute!(
                &self.db,
                sqlx::query(
                    "INSERT INTO session_state (session_id, visits, confirmed, created_at,
                        per_page, notice_dismissed, language, account_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&new_id)
                .bind(visits)
                .bind(confirmed)
                .bind(created_at)
                .bind(per_page)
                .bind(dismissed)
                .bind(language)
                .bind(account)
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

    /// Whether the browser sent a session cookie or a first view's cookie
    /// (checked or not).
    pub fn has_cookie(&self) -> bool {
        self.cookie_id().is_some() || self.first_view().is_some()
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

    /// This browser's session id, and where it comes from.
    async fn stored_or_created(&self) -> Result<(String, Origin), AppError> {
        if let Some(id) = self.stored_id().await? {
            return Ok((id, Origin::Stored));
        }
        if let Some(first) = self.first_view() {
            // Stored under the id the first view's cookie names (unless a
            // request that brought it back at the same moment did so).
            let (data, expiry) = self.start_record(first).await?;
            execute!(
                &self.db,
                sqlx::query(INSERT_RECORD)
                    .bind(first.id.to_string())
                    .bind(&data)
                    .bind(expiry)
            )?;
            self.save_stored(first.id, data, expiry).await?;
            return Ok((first.id.to_string(), Origin::FirstView));
        }
        Ok((self.create().await?, Origin::New))
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

/// Where the session a request changes comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    /// The session cookie's.
    Stored,
    /// Stored just now, from a first view's cookie (the browser keeps
    /// cookies; its first view counts).
    FirstView,
    /// Created just now, with nothing to show the browser keeps cookies.
    New,
}

/// Preferences from their columns in `session_state`; a stored page size
/// that is no longer offered falls back to the default.
fn stored_preferences(
    per_page: Option<i64>,
    notice_dismissed: bool,
    language: Option<Locale>,
) -> Preferences {
    let defaults = Preferences::default();
    Preferences {
        per_page: per_page
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| PER_PAGE_CHOICES.contains(n))
            .unwrap_or(defaults.per_page),
        notice_dismissed,
        language,
    }
}
