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
    let visits = if is_head_request() {
        session.visits().await?
    } else {
        session.record_visit().await?
    };
    Ok(HomeStats { counts, visits })
}

#[cfg(feature = "ssr")]
fn is_head_request() -> bool {
    use_context::<http::request::Parts>().is_some_and(|parts| parts.method == http::Method::HEAD)
}
