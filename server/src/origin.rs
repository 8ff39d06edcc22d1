//! Cross-origin protection for requests that change state.
//!
//! Server functions have no CSRF token of their own, and the no-JavaScript
//! forms post to them. tower-http's [`CsrfLayer`] (the design of Go's
//! `CrossOriginProtection`) guards them: a request other than GET, HEAD or
//! OPTIONS passes if the browser says it comes from this site
//! (`Sec-Fetch-Site: same-origin` or `none`, else an `Origin` naming the
//! host it was sent to), or if it carries neither header, as programs'
//! requests do; anything else is refused with a 403 and a plain message.
//!
//! Two rules are added in front of it ([`refuse_foreign`]):
//! - the layer compares an `Origin` with the request's host only; the
//!   scheme must match too (the site's: `https` where a trusted proxy says
//!   so or the cookie is `Secure`, else `http`), or a page served over
//!   plain HTTP on the same host could post as the HTTPS site;
//! - a request with neither header whose `Referer` names another site is
//!   refused. Only an old browser sends a form that way (current ones send
//!   `Origin` with every cross-origin POST), and the layer would let it
//!   through as a program's.

use app::language::Locale;
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode, Uri},
    middleware::Next,
    response::IntoResponse,
};
use leptos_i18n::td_string;
use tower_http::csrf::{CsrfLayer, ProtectionError};

use crate::{
    client::{peer, TrustedProxies},
    page_requests::accepted_language,
};

/// The layer. Its refusal is told in the request's language by
/// [`refuse_foreign`], which runs around it: the layer's own
/// response cannot see the request.
pub fn layer() -> CsrfLayer<fn(ProtectionError) -> Response<Body>> {
    CsrfLayer::new().with_rejection_response(refused as fn(ProtectionError) -> Response<Body>)
}

/// Marks a response as the cross-origin layer's refusal.
#[derive(Clone, Copy)]
struct Refused;

fn refused(error: ProtectionError) -> Response<Body> {
    tracing::warn!(%error, "refused a cross-origin request");
    let mut response = StatusCode::FORBIDDEN.into_response();
    response.extensions_mut().insert(Refused);
    response
}

/// What a refused request is told, in the best match of its
/// `Accept-Language`: a request from another site carries no session
/// cookie (it is `SameSite=Lax`), so no chosen language.
fn refusal(locale: Locale) -> Response<Body> {
    let text = format!("{}\n", td_string!(locale, errors.cross_origin));
    let mut response = (StatusCode::FORBIDDEN, text).into_response();
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept-language"));
    response
}

/// How the site is reached: what an `Origin` of its own pages says.
#[derive(Clone)]
pub struct SiteScheme {
    /// The session cookie is `Secure`: the site is served over HTTPS.
    pub secure: bool,
    pub proxies: TrustedProxies,
}

impl SiteScheme {
    /// `https` or `http`: a trusted proxy's word, else the configuration's.
    fn of(&self, request: &Request) -> &'static str {
        match self
            .proxies
            .forwarded_https(peer(request.extensions()), request.headers())
        {
            Some(true) => "https",
            Some(false) => "http",
            None if self.secure => "https",
            None => "http",
        }
    }
}

/// Middleware: refuses a state-changing request whose `Origin` has another
/// scheme than the site's, or that carries neither `Sec-Fetch-Site` nor
/// `Origin` but a `Referer` naming another site.
pub async fn refuse_foreign(
    State(site): State<SiteScheme>,
    request: Request,
    next: Next,
) -> Response<Body> {
    if is_safe(request.method()) {
        return next.run(request).await;
    }
    let locale = accepted_language(request.headers());
    if has_foreign_referer(request.headers()) {
        tracing::warn!(
            referer = ?request.headers().get(header::REFERER),
            path = %request.uri().path(),
            "refused a request from another site's page"
        );
        return refusal(locale);
    }
    if has_foreign_scheme(request.headers(), site.of(&request)) {
        tracing::warn!(
            origin = ?request.headers().get(header::ORIGIN),
            path = %request.uri().path(),
            "refused a request from a page of another scheme"
        );
        return refusal(locale);
    }
    let response = next.run(request).await;
    match response.extensions().get::<Refused>() {
        Some(Refused) => refusal(locale),
        None => response,
    }
}

/// Whether the request's `Origin` names another scheme than `scheme`.
/// Judged only where the layer judges by `Origin` (no `Sec-Fetch-Site`,
/// which a browser sets by the whole origin, scheme included).
fn has_foreign_scheme(headers: &HeaderMap, scheme: &str) -> bool {
    if headers.contains_key("sec-fetch-site") {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).map(HeaderValue::as_bytes) else {
        return false;
    };
    if origin.is_empty() {
        return false;
    }
    // "null" and anything unreadable: the layer refuses it by its host.
    let Some(named) = std::str::from_utf8(origin)
        .ok()
        .and_then(|origin| origin.parse::<Uri>().ok())
        .and_then(|uri| uri.scheme_str().map(str::to_ascii_lowercase))
    else {
        return false;
    };
    named != scheme
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn has_foreign_referer(headers: &HeaderMap) -> bool {
    let text = |name: &header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if headers.contains_key("sec-fetch-site") || headers.contains_key(header::ORIGIN) {
        return false;
    }
    let Some(referer) = text(&header::REFERER) else {
        return false;
    };
    let host = text(&header::HOST);
    let named = referer
        .parse::<Uri>()
        .ok()
        .and_then(|uri| uri.authority().map(|a| a.as_str().to_ascii_lowercase()));
    match (named, host) {
        (Some(named), Some(host)) => named != host.to_ascii_lowercase(),
        // A Referer that names no host cannot be vouched for.
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn an_origin_of_another_scheme_is_refused() {
        let host = ("host", "library.example");
        let https = ("origin", "https://library.example");
        let http = ("origin", "http://library.example");
        assert!(!has_foreign_scheme(&headers(&[host, https]), "https"));
        assert!(has_foreign_scheme(&headers(&[host, http]), "https"));
        assert!(has_foreign_scheme(&headers(&[host, https]), "http"));
        assert!(!has_foreign_scheme(&headers(&[host, http]), "http"));
        // The browser's own word, scheme included, is the layer's to judge.
        assert!(!has_foreign_scheme(
            &headers(&[host, http, ("sec-fetch-site", "same-origin")]),
            "https"
        ));
        // A program's request, and "null", are the layer's too.
        assert!(!has_foreign_scheme(&headers(&[host]), "https"));
        assert!(!has_foreign_scheme(
            &headers(&[host, ("origin", "null")]),
            "https"
        ));
    }

    #[test]
    fn only_a_referer_from_another_site_without_the_newer_headers_is_refused() {
        let host = ("host", "127.0.0.1:3000");
        assert!(has_foreign_referer(&headers(&[
            host,
            ("referer", "http://evil.example/x")
        ])));
        assert!(!has_foreign_referer(&headers(&[
            host,
            ("referer", "http://127.0.0.1:3000/about")
        ])));
        assert!(!has_foreign_referer(&headers(&[host])), "a program");
        // The layer judges these by their newer headers.
        assert!(!has_foreign_referer(&headers(&[
            host,
            ("origin", "http://127.0.0.1:3000"),
            ("referer", "http://evil.example/x")
        ])));
        assert!(!has_foreign_referer(&headers(&[
            host,
            ("sec-fetch-site", "same-origin"),
            ("referer", "http://evil.example/x")
        ])));
    }
}
