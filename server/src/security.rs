//! Response headers that tell the browser what this site's pages may do,
//! on every response (pages, server functions, static files, errors):
//! Django's defaults and a Content-Security-Policy.
//!
//! - `Content-Security-Policy`: scripts run only from the site's own files
//!   or inline with this response's nonce (a new one per response, which
//!   Leptos writes on its inline scripts and kept pages fill in: see
//!   [`ResponseNonce`]); the wasm may be compiled (`'wasm-unsafe-eval'`,
//!   which allows compiling WebAssembly and nothing else of `eval`); no
//!   page may be framed, no plugin loaded, and forms post only here.
//! - `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` (for
//!   browsers without `frame-ancestors`), `Referrer-Policy: same-origin`,
//!   `Cross-Origin-Opener-Policy: same-origin`: as Django sends them.
//! - `Strict-Transport-Security` when the session cookie is `Secure` (the
//!   site is served over HTTPS): browsers then never ask for it over HTTP.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};
use leptos::nonce::Nonce;

/// This response's script nonce, put in the request's extensions for
/// whatever writes the page (Leptos, through its context; a kept page).
#[derive(Clone, Debug)]
pub struct ResponseNonce(pub Nonce);

impl ResponseNonce {
    /// The nonce of the request being rendered, if it has one.
    pub fn of(request: &axum::http::request::Parts) -> Option<Nonce> {
        request
            .extensions
            .get::<ResponseNonce>()
            .map(|nonce| nonce.0.clone())
    }
}

/// What every response carries, made once.
#[derive(Clone)]
pub struct SecurityHeaders(Arc<Fixed>);

struct Fixed {
    headers: HeaderMap,
    /// The policy, before and after the nonce.
    policy: (String, String),
}

impl SecurityHeaders {
    /// `secure`: the site is served over HTTPS (the cookie is `Secure`).
    /// `dev_reload`: a development build that reloads itself over a
    /// WebSocket on another port (`cargo leptos watch`).
    pub fn new(secure: bool, dev_reload: bool) -> Self {
        let mut headers = HeaderMap::new();
        let fixed = [
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::REFERRER_POLICY, "same-origin"),
            (
                HeaderName::from_static("cross-origin-opener-policy"),
                "same-origin",
            ),
        ];
        for (name, value) in fixed {
            headers.insert(name, HeaderValue::from_static(value));
        }
        if secure {
            headers.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000"),
            );
        }
        let connect = if dev_reload { "'self' ws:" } else { "'self'" };
        let policy = (
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'nonce-".to_string(),
            format!(
                "'; connect-src {connect}; img-src 'self' data:; object-src 'none'; \
                 base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
            ),
        );
        Self(Arc::new(Fixed { headers, policy }))
    }

    fn policy(&self, nonce: &Nonce) -> Option<HeaderValue> {
        let (before, after) = &self.0.policy;
        HeaderValue::try_from(format!("{before}{nonce}{after}")).ok()
    }
}

/// Middleware: draws the response's nonce, then adds the headers.
pub async fn add(
    State(security): State<SecurityHeaders>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = Nonce::new();
    request
        .extensions_mut()
        .insert(ResponseNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in &security.0.headers {
        headers.insert(name, value.clone());
    }
    if let Some(policy) = security.policy(&nonce) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    // Pages (and anything else that says nothing) are asked for again each
    // time: a page names the current static files, and shows this
    // browser's own count and choices. Static files say for themselves.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    // Every page is written in the language its browser chose, or else in
    // the best match of its Accept-Language: a cache must tell them apart.
    let is_page = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if is_page {
        headers.append(header::VARY, HeaderValue::from_static("accept-language"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_the_nonce_and_allows_no_other_inline_script() {
        let nonce = Nonce::from_value("abc123");
        let policy = SecurityHeaders::new(false, false).policy(&nonce).unwrap();
        let policy = policy.to_str().unwrap();
        let scripts = policy
            .split("; ")
            .find(|directive| directive.starts_with("script-src "))
            .unwrap();
        assert_eq!(
            scripts,
            "script-src 'self' 'wasm-unsafe-eval' 'nonce-abc123'"
        );
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    }

    #[test]
    fn hsts_only_over_https() {
        assert!(!SecurityHeaders::new(false, false)
            .0
            .headers
            .contains_key(header::STRICT_TRANSPORT_SECURITY));
        assert!(SecurityHeaders::new(true, false)
            .0
            .headers
            .contains_key(header::STRICT_TRANSPORT_SECURITY));
    }
}
