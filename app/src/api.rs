//! Server functions: what the browser calls over HTTP (POST), from the
//! islands and from plain forms. Pages read through [`crate::pages::reads`]
//! instead, on the server only.

use leptos::prelude::*;

use crate::error::AppError;

/// Sets this browser's visit count back to zero. A form posted without
/// JavaScript is sent to the home page showing 0 (not counting a view).
#[server(endpoint = "reset_visits")]
pub async fn reset_visits() -> Result<(), AppError> {
    use crate::{page_inputs::Outcome, session::VisitorSession};
    VisitorSession::from_request().await?.reset_visits().await?;
    come_back_to(Outcome::Reset.address());
    Ok(())
}

/// Deletes this browser's session: its visit count and the cookie. A form
/// posted without JavaScript is sent to the home page saying so, which
/// starts no new session.
#[server(endpoint = "forget_me")]
pub async fn forget_me() -> Result<(), AppError> {
    use crate::{page_inputs::Outcome, session::VisitorSession};
    VisitorSession::from_request().await?.forget().await?;
    come_back_to(Outcome::Forgotten.address());
    Ok(())
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
/// JavaScript comes back to `back`, the list it is under, at its first page
/// (the page it was on may not exist at the new size); without `back`, the
/// page it came from, else the book list.
#[server(endpoint = "set_per_page")]
pub async fn set_per_page(per_page: u32, back: Option<String>) -> Result<(), AppError> {
    use crate::session::VisitorSession;
    VisitorSession::from_request()
        .await?
        .set_per_page(per_page)
        .await?;
    come_back_to(&without_page_param(&return_address(back, "/books")));
    Ok(())
}

/// Remembers the language this browser reads the site in, and sends a
/// form posted without JavaScript back to `back` (the page it was on),
/// else the page it came from. Choosing a language on the home page is
/// not a view of it: the browser is sent to the home page showing the
/// count as it stands.
#[server(endpoint = "set_language")]
pub async fn set_language(language: String, back: Option<String>) -> Result<(), AppError> {
    use crate::{error::Invalid, language, page_inputs::Outcome, session::VisitorSession};
    let locale =
        language::from_tag(&language).ok_or(AppError::BadRequest(Invalid::Language(language)))?;
    VisitorSession::from_request()
        .await?
        .set_language(locale)
        .await?;
    let back = return_address(back, "/");
    let path = back.split(['?', '#']).next().unwrap_or_default();
    if path == "/" {
        come_back_to(Outcome::LanguageChosen.address());
    } else {
        come_back_to(&back);
    }
    Ok(())
}

/// Hides the demo-catalog notice for this browser.
#[server(endpoint = "dismiss_notice")]
pub async fn dismiss_notice() -> Result<(), AppError> {
    use crate::session::VisitorSession;
    VisitorSession::from_request()
        .await?
        .dismiss_notice()
        .await?;
    come_back_to(&referer().unwrap_or_else(|| "/".to_string()));
    Ok(())
}

/// For a plain form post (no JavaScript: the browser wants HTML back), a
/// redirect to `address`, instead of the server function's JSON value.
#[cfg(feature = "ssr")]
fn come_back_to(address: &str) {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return;
    };
    let wants_html = parts
        .headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if wants_html {
        leptos_axum::redirect(address);
    }
}

/// Where a form posted without JavaScript goes back to: the page it names
/// (`back`), if that is a page of this site; else the page it was posted
/// from; else `fallback`.
#[cfg(feature = "ssr")]
fn return_address(back: Option<String>, fallback: &str) -> String {
    back.filter(|back| crate::paths::is_local_path(back))
        .or_else(referer)
        .unwrap_or_else(|| fallback.to_string())
}

/// The path and query of the page a form was posted from.
#[cfg(feature = "ssr")]
fn referer() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    let referer: http::Uri = parts
        .headers
        .get(http::header::REFERER)?
        .to_str()
        .ok()?
        .parse()
        .ok()?;
    referer.path_and_query().map(|pq| pq.as_str().to_string())
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
