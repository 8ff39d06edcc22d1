//! Routes outside the Leptos app, and the middleware around server functions.

use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

use app::{
    db::Db,
    error::{AppError, RETRY_AFTER_SECS},
};

use crate::database::{self, Schema};

/// The probes a supervisor or a load balancer asks, answered before any
/// layer of the site: no session, no log line, no page around them.
pub fn probes(db: Db) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(db)
}

/// Liveness: 200 while the process answers at all (a supervisor restarts
/// one that does not). The database is not asked: a database down is no
/// reason to restart the server.
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: 200 while the database answers and its schema is the one
/// this build was made for; else 503 and why, so that a load balancer
/// sends requests elsewhere (during an outage, or while a newer build's
/// migrations have run ahead of this one in a rolling upgrade).
async fn readyz(State(db): State<Db>) -> Response {
    match database::schema(&db).await {
        Ok(Schema::Current) => (StatusCode::OK, "ok").into_response(),
        Ok(schema) => {
            tracing::warn!(%schema, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, schema.to_string()).into_response()
        }
        Err(err) => {
            tracing::warn!(error = %err, "not ready: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
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
