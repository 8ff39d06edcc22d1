//! A line in the log for each request answered: its id, method, route,
//! status and duration; and the id on the answer (`X-Request-Id`), so that
//! a user's report, a proxy's log and the server's meet.
//!
//! The route is the page's address pattern (`/accounts/reset/{token}`),
//! never the address itself: an address can carry a token, and a query a
//! search or a password-reset key. No header is logged (cookies, session
//! ids, passwords in forms stay out).

use std::time::Duration;

use axum::{
    extract::{Request, State},
    http::{HeaderName, HeaderValue, Response},
    middleware::{self, Next},
    Router,
};
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};
use tracing::Span;

use crate::{
    client::{self, TrustedProxies},
    page_requests::page_of,
};

/// The log's target for request lines: `RUST_LOG=request=off` (or any
/// level above info) turns them off.
pub const TARGET: &str = "request";

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id taken from a proxy.
const MAX_ID_LEN: usize = 64;

/// `site` with the request lines around it: a proxy's id kept only when
/// the proxy is trusted, else a new one; the id sent back on the answer;
/// the line logged once it is answered.
pub fn around(site: Router, proxies: TrustedProxies) -> Router {
    site
        // Failures are logged where they happen, once, with their cause
        // (app::error): the answer's line says the status.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(span)
                .on_request(())
                .on_response(answered)
                .on_body_chunk(())
                .on_eos(())
                .on_failure(()),
        )
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID))
        .layer(SetRequestIdLayer::new(X_REQUEST_ID, MakeRequestUuid))
        .layer(middleware::from_fn_with_state(proxies, keep_trusted_ids))
}

/// Drops a request's `X-Request-Id` unless a trusted proxy sent it and it
/// is a plain token: anyone else's would let a client write into the log.
async fn keep_trusted_ids(
    State(proxies): State<TrustedProxies>,
    mut request: Request,
    next: Next,
) -> axum::response::Response {
    let keep = request.headers().get(&X_REQUEST_ID).is_some_and(|id| {
        is_plain(id) && client::peer(request.extensions()).is_some_and(|p| proxies.trusts(p))
    });
    if !keep {
        request.headers_mut().remove(&X_REQUEST_ID);
    }
    next.run(request).await
}

/// Letters, digits and `-_.:` only, and not too long.
fn is_plain(id: &HeaderValue) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_ID_LEN
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
}

/// What the log calls a request's address: its page's pattern, else the
/// kind of address. Few values, whatever clients send (metrics count by
/// it too).
pub fn route_of(path: &str) -> &'static str {
    if let Some((pattern, _, _)) = page_of(path) {
        pattern
    } else if path.starts_with("/pkg/") {
        "/pkg/{file}"
    } else if path.starts_with("/api/") {
        "/api/{function}"
    } else {
        "other"
    }
}

fn span(request: &Request) -> Span {
    let id = request
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|id| id.to_str().ok())
        .unwrap_or("");
    tracing::info_span!(
        target: TARGET,
        "request",
        id = %id,
        method = %request.method(),
        route = %route_of(request.uri().path()),
    )
}

fn answered(response: &Response<axum::body::Body>, latency: Duration, _span: &Span) {
    tracing::info!(
        target: TARGET,
        status = response.status().as_u16(),
        ms = (latency.as_secs_f64() * 1e6).round() / 1e3,
        "answered"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_patterns_never_addresses() {
        assert_eq!(route_of("/"), "/");
        assert_eq!(route_of("/books/17"), "/books/{id}");
        assert_eq!(
            route_of("/accounts/reset/MQ-secret-token"),
            "/accounts/reset/{token}"
        );
        assert_eq!(route_of("/pkg/locallibrary.wasm"), "/pkg/{file}");
        assert_eq!(route_of("/api/count_visit123"), "/api/{function}");
        assert_eq!(route_of("/no/such/page"), "other");
    }

    #[test]
    fn only_plain_short_ids_are_taken() {
        for id in ["4bf92f3577b34da6", "req-1.2:3_x"] {
            assert!(is_plain(&HeaderValue::from_static(id)), "{id}");
        }
        let long = "a".repeat(MAX_ID_LEN + 1);
        for id in ["", "a b", "id\"quoted", "ünï", long.as_str()] {
            let value = HeaderValue::from_bytes(id.as_bytes()).unwrap();
            assert!(!is_plain(&value), "{id}");
        }
    }
}
