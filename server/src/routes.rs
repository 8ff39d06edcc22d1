//! Routes outside the Leptos app, and the middleware around server functions.

use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

use app::{
    error::{AppError, RETRY_AFTER_SECS},
    on_reader,
};

use crate::state::AppState;

/// Readiness: 200 once the server answers and its database does. Not a page
/// view: probes never touch a session.
pub async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let answered: Result<i32, _> = on_reader!(&state.db, |conn| {
        sqlx::query_scalar("SELECT 1").fetch_one(conn).await
    });
    match answered {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(err) => {
            tracing::warn!(error = %err, "health check: database unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// Server functions answer every error with 500. This gives each error its
/// own status instead: a request whose arguments cannot be read is the
/// client's mistake (400), an unreachable database is a 503.
pub async fn server_fn_error_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    // Only a plain error answer: a no-JavaScript form post that failed is
    // redirected back to its page (302), and stays so.
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, 64 * 1024).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "error response too large",
        )
            .into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(error.status_code()) {
            parts.status = status;
        }
        if error.status_code() == 503 {
            parts.headers.insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(RETRY_AFTER_SECS),
            );
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A plain form post (no JavaScript) is sent back to the page it came
/// from, by its `Referer`; a `Referer` naming another site would send the
/// browser there. A redirect to another host goes to the home page instead.
/// A redirect carries nothing else: not the server function's value (a
/// JSON `null`).
pub async fn keep_redirects_on_site(request: Request, next: Next) -> Response {
    let host = request.headers().get(header::HOST).cloned();
    let mut response = next.run(request).await;
    let leaves = response
        .headers()
        .get(header::LOCATION)
        .and_then(|location| location.to_str().ok())
        .is_some_and(|location| leaves_the_site(location, host.as_ref()));
    if leaves {
        tracing::warn!("a redirect to another site was turned to the home page");
        response
            .headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static("/"));
    }
    if response.status().is_redirection() {
        let headers = response.headers_mut();
        headers.remove(header::CONTENT_TYPE);
        headers.remove(header::CONTENT_LENGTH);
        *response.body_mut() = Body::empty();
    }
    response
}

/// Whether `location` names another host than `host` (a path, or this
/// host, stays on the site). `//host/…` and `\\host` count as hosts.
fn leaves_the_site(location: &str, host: Option<&HeaderValue>) -> bool {
    if app::paths::is_local_path(location) {
        return false;
    }
    let authority = location
        .parse::<axum::http::Uri>()
        .ok()
        .and_then(|uri| uri.authority().map(|a| a.as_str().to_ascii_lowercase()));
    match (authority, host.and_then(|h| h.to_str().ok())) {
        (Some(authority), Some(host)) => authority != host.to_ascii_lowercase(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_and_this_host_stay_on_the_site() {
        let host = HeaderValue::from_static("127.0.0.1:3000");
        let host = Some(&host);
        assert!(!leaves_the_site("/books?page=2", host));
        assert!(!leaves_the_site("http://127.0.0.1:3000/books", host));
        for away in [
            "http://evil.example/x",
            "//evil.example/x",
            "/\\evil.example",
            "https://127.0.0.1:3001/",
        ] {
            assert!(leaves_the_site(away, host), "{away}");
        }
    }
}
