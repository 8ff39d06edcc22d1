//! Server functions: the browser calls them over HTTP (POST), the server
//! calls them directly while rendering a page.

use leptos::prelude::*;

use crate::{
    error::AppError,
    model::{
        AuthorDetail, AuthorSummary, BookDetail, BookSummary, HomeStats, ListPage, Preferences,
    },
};

/// Counts this view of the home page and returns what the page shows.
///
/// A HEAD request renders the page too (its body is dropped), so it reads
/// the count without adding to it: a HEAD is not a visit.
#[server(endpoint = "home_view")]
pub async fn home_view() -> Result<HomeStats, AppError> {
    use crate::{
        catalog,
        db::Db,
        session::{CountedHomeView, PreferencesMemo, VisitorSession},
    };

    // First, so that any early return lets the notice read for itself.
    let supplier = PreferencesMemo::take_supplier();
    let db = Db::from_context()?;
    let session = VisitorSession::from_request().await?;
    let (counts, visits, cookie_returned) = if is_head_request() {
        (catalog::counts(&db).await?, session.visits().await?, true)
    } else {
        // The figures (and the preferences, for the notice) come back with
        // the count: one statement.
        let visit = match CountedHomeView::of_request() {
            Some(counted) => counted?,
            None => session.record_visit().await?,
        };
        if let Some(supplier) = supplier {
            supplier.supply(visit.preferences);
        }
        (visit.counts, visit.visits, visit.cookie_returned)
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

/// A page of all books, or of those whose title or author matches `q`, at
/// this browser's results-per-page.
#[server(endpoint = "books")]
pub async fn list_books(
    page: Option<String>,
    q: Option<String>,
) -> Result<ListPage<BookSummary>, AppError> {
    use crate::{catalog, db::Db};
    let (page, per_page) = page_and_size(page).await?;
    catalog::books(&Db::from_context()?, q.as_deref(), page, per_page).await
}

#[server(endpoint = "book")]
pub async fn get_book(id: String) -> Result<BookDetail, AppError> {
    use crate::{catalog, db::Db, paging::parse_id};
    catalog::book(&Db::from_context()?, parse_id(&id, "book")?).await
}

#[server(endpoint = "authors")]
pub async fn list_authors(page: Option<String>) -> Result<ListPage<AuthorSummary>, AppError> {
    use crate::{catalog, db::Db};
    let (page, per_page) = page_and_size(page).await?;
    catalog::authors(&Db::from_context()?, page, per_page).await
}

#[server(endpoint = "author")]
pub async fn get_author(id: String) -> Result<AuthorDetail, AppError> {
    use crate::{catalog, db::Db, paging::parse_id};
    catalog::author(&Db::from_context()?, parse_id(&id, "author")?).await
}

#[server(endpoint = "preferences")]
pub async fn get_preferences() -> Result<Preferences, AppError> {
    use crate::session::VisitorSession;
    VisitorSession::from_request().await?.preferences().await
}

/// Remembers this browser's results per page. A form posted without
/// JavaScript comes back to the list it was on, at its first page (the
/// page it was on may not exist at the new size).
#[server(endpoint = "set_per_page")]
pub async fn set_per_page(per_page: u32) -> Result<(), AppError> {
    use crate::session::VisitorSession;
    VisitorSession::from_request()
        .await?
        .set_per_page(per_page)
        .await?;
    if let Some(back) = form_post_referer() {
        leptos_axum::redirect(&without_page_param(&back));
    }
    Ok(())
}

/// Hides the demo-catalog notice for this browser.
#[server(endpoint = "dismiss_notice")]
pub async fn dismiss_notice() -> Result<(), AppError> {
    use crate::session::VisitorSession;
    VisitorSession::from_request().await?.dismiss_notice().await
}

/// The page a list request asks for, and this browser's results per page.
#[cfg(feature = "ssr")]
async fn page_and_size(page: Option<String>) -> Result<(u32, u32), AppError> {
    use crate::{paging::parse_page, session::VisitorSession};
    let page = parse_page(page.as_deref())?;
    let preferences = VisitorSession::from_request().await?.preferences().await?;
    Ok((page, preferences.per_page))
}

/// For a plain form post (no JavaScript: the browser wants HTML back), the
/// path and query of the page it came from.
#[cfg(feature = "ssr")]
fn form_post_referer() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    let accepts_html = parts
        .headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let referer: http::Uri = parts
        .headers
        .get(http::header::REFERER)?
        .to_str()
        .ok()?
        .parse()
        .ok()?;
    accepts_html
        .then(|| referer.path_and_query().map(|pq| pq.as_str().to_string()))
        .flatten()
}

/// "/books?q=x&page=3" → "/books?q=x".
pub fn without_page_param(path_and_query: &str) -> String {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some("page"))
        .collect();
    if kept.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::without_page_param;

    #[test]
    fn the_page_parameter_is_dropped_and_the_rest_kept() {
        assert_eq!(without_page_param("/books?q=x&page=3"), "/books?q=x");
        assert_eq!(without_page_param("/books?page=3"), "/books");
        assert_eq!(without_page_param("/authors"), "/authors");
        assert_eq!(
            without_page_param("/books?pages=1&q=%C3%91"),
            "/books?pages=1&q=%C3%91"
        );
    }
}
