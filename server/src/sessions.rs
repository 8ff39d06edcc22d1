//! The session layer: tower-sessions over the site's own database.

use tower_sessions::{
    cookie::{time::Duration, SameSite},
    Expiry, SessionManagerLayer,
};
use tower_sessions_sqlx_store::SqliteStore;

use app::db::Db;

use crate::config::SessionSettings;

/// The cookie carries only the session id. A cookie whose id is malformed or
/// unknown to the store is never adopted: the request gets a fresh session.
pub fn layer(db: &Db, settings: &SessionSettings) -> SessionManagerLayer<SqliteStore> {
    SessionManagerLayer::new(SqliteStore::new(db.pool().clone()))
        .with_name(settings.cookie_name.clone())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_secure(settings.secure)
        .with_expiry(Expiry::OnInactivity(Duration::days(settings.max_age_days)))
}
