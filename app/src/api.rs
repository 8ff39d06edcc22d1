//! Server functions: what the browser calls over HTTP (POST), from the
//! islands and from plain forms. Pages read through [`crate::pages::reads`]
//! instead, on the server only.

use leptos::prelude::*;

use crate::error::AppError;

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
