//! A first view's session, kept by the browser until it shows it keeps
//! cookies.
//!
//! A view by a browser without a session stores nothing: it is counted in a
//! signed cookie that names the session to be (a fresh id) and when the
//! view was made. When that cookie comes back, the browser keeps cookies:
//! the session is stored under that id, the first view counted with the
//! one that brought it back. A client that never sends cookies back (a
//! crawler, a script, a flood) costs no row, however many views it makes.
//!
//! Signed, so the id is one the site drew (a cookie cannot choose the
//! session it joins), and short-lived: one that comes back later starts
//! afresh.

use std::time::Duration;

use time::OffsetDateTime;
use tower_cookies::{
    cookie::{time::Duration as CookieDuration, SameSite},
    Cookie, Cookies, Key,
};
use tower_sessions::session::Id;

use crate::{db::Db, error::AppError, execute, on_reader, session_id::new_session_id};

/// How a first view's cookie is made: its name, the key that signs it and
/// how long it lasts.
#[derive(Clone)]
pub struct FirstViewCookie {
    name: String,
    key: Key,
    lifetime: Duration,
    secure: bool,
    /// Whether the cookie ends when the browser closes, as the session's
    /// would (rather than after `lifetime`).
    until_browser_closes: bool,
}

impl std::fmt::Debug for FirstViewCookie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FirstViewCookie")
            .field("name", &self.name)
            .field("lifetime", &self.lifetime)
            .field("secure", &self.secure)
            .finish_non_exhaustive()
    }
}

/// A first view, as its cookie brought it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FirstView {
    /// The session it is the first view of.
    pub id: Id,
    /// When it was made (Unix seconds): when the session started.
    pub at: i64,
}

impl FirstViewCookie {
    /// Named after the session cookie, signed with `key`, valid for
    /// `lifetime` (and no longer than the browser stays open, if
    /// `until_browser_closes`).
    pub fn new(
        session_cookie: &str,
        key: Key,
        lifetime: Duration,
        secure: bool,
        until_browser_closes: bool,
    ) -> Self {
        Self {
            name: format!("{session_cookie}_first_view"),
            key,
            lifetime,
            secure,
            until_browser_closes,
        }
    }

    /// Sets the cookie for a first view made now, of a session with a
    /// fresh id.
    pub fn issue(&self, cookies: &Cookies) {
        let view = FirstView {
            id: new_session_id(),
            at: OffsetDateTime::now_utc().unix_timestamp(),
        };
        let mut cookie = self.cookie(format!("{}.{}", view.id, view.at));
        if !self.until_browser_closes {
            cookie.set_max_age(CookieDuration::seconds(self.lifetime_secs()));
        }
        cookies.signed(&self.key).add(cookie);
    }

    /// The first view this request's cookie carries, if it is the site's
    /// own and recent.
    pub fn returned(&self, cookies: &Cookies) -> Option<FirstView> {
        let cookie = cookies.signed(&self.key).get(&self.name)?;
        let (id, at) = cookie.value().split_once('.')?;
        let view = FirstView {
            id: id.parse().ok()?,
            at: at.parse().ok()?,
        };
        let age = OffsetDateTime::now_utc().unix_timestamp() - view.at;
        (0..self.lifetime_secs()).contains(&age).then_some(view)
    }

    /// Removes the cookie from the browser, if it sent one.
    pub fn clear(&self, cookies: &Cookies) {
        if cookies.get(&self.name).is_some() {
            cookies.remove(self.cookie(String::new()));
        }
    }

    /// The cookie with `value`, and the attributes the session's has.
    fn cookie(&self, value: String) -> Cookie<'static> {
        Cookie::build((self.name.clone(), value))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .build()
    }

    fn lifetime_secs(&self) -> i64 {
        i64::try_from(self.lifetime.as_secs()).unwrap_or(i64::MAX)
    }
}

/// The key that signs first views' cookies: drawn by the first server to
/// start on a database and kept there, so every server sharing it (and
/// the next start) accepts the cookies another issued.
pub async fn signing_key(db: &Db) -> Result<Key, AppError> {
    const NAME: &str = "first-view-cookie";
    let drawn = Key::generate();
    execute!(
        db,
        sqlx::query(
            "INSERT INTO site_keys (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING"
        )
        .bind(NAME)
        .bind(drawn.master())
    )?;
    let stored: Vec<u8> = on_reader!(db, |conn| {
        sqlx::query_scalar("SELECT value FROM site_keys WHERE name = $1")
            .bind(NAME)
            .fetch_one(conn)
            .await
    })?;
    Key::try_from(stored.as_slice())
        .map_err(|err| AppError::bug(format!("the stored cookie-signing key is unusable: {err}")))
}
