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

use crate::startup::AppState;

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
