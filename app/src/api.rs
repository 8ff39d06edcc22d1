//! Server functions: the browser calls them over HTTP (POST), the server
//! calls them directly while rendering a page.

use leptos::prelude::*;

use crate::{error::AppError, model::HomeStats};

/// Counts this view of the home page and returns what the page shows.
///
/// A HEAD request renders the page too (its body is dropped), so it reads
/// the count without adding to it: a HEAD is not a visit.
#[server(endpoint = "home_view")]
pub async fn home_view() -> Result<HomeStats, AppError> {
    use crate::{catalog, db::Db, session::VisitorSession};

    let db = Db::from_context()?;
    let session = VisitorSession::from_request().await?;
    let counts = catalog::counts(&db).await?;
    let (visits, cookie_returned) = if is_head_request() {
        (session.visits().await?, true)
    } else {
        let visit = session.record_visit().await?;
        (visit.visits, visit.cookie_returned)
    };
    Ok(HomeStats {
        counts,
        visits,
        cookie_returned,
    })
}

#[cfg(feature = "ssr")]
fn is_head_request() -> bool {
    use_context::<http::request::Parts>().is_some_and(|parts| parts.method == http::Method::HEAD)
}

/// Sets this browser's visit count back to zero.
#[server(endpoint = "reset_visits")]
pub async fn reset_visits() -> Result<(), AppError> {
    use crate::session::VisitorSession;
    VisitorSession::from_request().await?.reset_visits().await
}

/// Deletes this browser's session: its visit count and the cookie.
#[server(endpoint = "forget_me")]
pub async fn forget_me() -> Result<(), AppError> {
    use crate::session::VisitorSession;
    VisitorSession::from_request().await?.forget().await
}

/// Asked by the home page after a first visit: did the browser send the
/// session cookie back? If not, it refuses cookies and visits can't be
/// counted.
#[server(endpoint = "cookie_check")]
pub async fn cookie_check() -> Result<bool, AppError> {
    use crate::session::VisitorSession;
    VisitorSession::from_request()
        .await?
        .cookie_returned()
        .await
}
