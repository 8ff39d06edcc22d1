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
//! One rule is added in front of it ([`refuse_foreign_referer`]): a request
//! with neither header whose `Referer` names another site is refused too.
//! Only an old browser sends a form that way (current ones send `Origin`
//! with every cross-origin POST), and the layer would let it through as a
//! program's.

use app::language::Locale;
use axum::{
    body::Body,
    extract::Request,
    http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode, Uri},
    middleware::Next,
    response::IntoResponse,
};
use leptos_i18n::td_string;
use tower_http::csrf::{CsrfLayer, ProtectionError};

use crate::pages::accepted_language;

/// The layer. Its refusal is told in the request's language by
/// [`refuse_foreign_referer`], which runs around it: the layer's own
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

/// Middleware: refuses a state-changing request that carries neither
/// `Sec-Fetch-Site` nor `Origin` but a `Referer` naming another site.
pub async fn refuse_foreign_referer(request: Request, next: Next) -> Response<Body> {
    let locale = accepted_language(&request);
    if is_safe(request.method()) || !has_foreign_referer(request.headers()) {
        let response = next.run(request).await;
        return match response.extensions().get::<Refused>() {
            Some(Refused) => refusal(locale),
            None => response,
        };
    }
    tracing::warn!(
        referer = ?request.headers().get(header::REFERER),
        path = %request.uri().path(),
        "refused a request from another site's page"
    );
    refusal(locale)
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
