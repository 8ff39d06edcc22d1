//! The session layer (tower-sessions over the site's own database) and the
//! purge of expired sessions.

use std::time::Duration;

use app::{
    db::Db,
    error::AppError,
    session::{purge_expired, signing_key, FirstViewCookie, SessionPolicy},
};
use tokio::task::JoinHandle;
use tower_sessions::{
    cookie::{time, Key, SameSite},
    Expiry, SessionManagerLayer,
};

use crate::config::{SessionExpiry, SessionSettings};

pub use store::Store;

mod store;

/// The cookie carries only the session id. A cookie whose id is malformed or
/// unknown to the store is never adopted: the request gets a fresh session.
pub fn layer(db: &Db, settings: &SessionSettings) -> SessionManagerLayer<Store> {
    let max_age = time::Duration::seconds(i64::try_from(settings.max_age_secs).unwrap_or(i64::MAX));
    let expiry = match settings.expiry {
        SessionExpiry::OnInactivity | SessionExpiry::AtFixedTime => Expiry::OnInactivity(max_age),
        SessionExpiry::AtBrowserClose => Expiry::OnSessionEnd,
    };
    SessionManagerLayer::new(Store::new(db.clone()))
        .with_name(settings.cookie_name.clone())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_secure(settings.secure)
        .with_expiry(expiry)
}

/// What the typed session needs to know of the configuration, with the
/// key that signs first views' cookies. Under a fixed lifetime the record
/// is saved once, when the session starts, and its expiry never moves. A
/// first view's cookie lasts as long as a session whose browser never
/// confirms it would.
pub fn policy(settings: &SessionSettings, key: Key) -> SessionPolicy {
    SessionPolicy {
        renew_after: (settings.expiry != SessionExpiry::AtFixedTime)
            .then(|| Duration::from_secs(settings.max_age_secs) / 2),
        first_view: FirstViewCookie::new(
            &settings.cookie_name,
            key,
            Duration::from_secs(settings.unconfirmed_ttl_secs),
            settings.secure,
            settings.expiry == SessionExpiry::AtBrowserClose,
        ),
    }
}

/// The policy, with the key this database's servers sign with.
pub async fn load_policy(db: &Db, settings: &SessionSettings) -> Result<SessionPolicy, AppError> {
    Ok(policy(settings, signing_key(db).await?))
}

/// Removes expired and never-confirmed sessions now; returns how many.
pub async fn purge(
    db: &Db,
    settings: &SessionSettings,
    progress: impl Fn(u64),
) -> Result<u64, sqlx::Error> {
    purge_expired(
        db,
        Duration::from_secs(settings.unconfirmed_ttl_secs),
        progress,
    )
    .await
}

/// Purges every `purge-interval-secs` for as long as the server runs.
pub fn spawn_purge_task(db: Db, settings: SessionSettings) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval =
            tokio::time::interval(Duration::from_secs(settings.purge_interval_secs.max(1)));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            match purge(&db, &settings, |_| {}).await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "purged expired sessions"),
                Err(err) => tracing::warn!(error = %err, "session purge failed; will retry"),
            }
        }
    })
}
