//! Cross-origin protection for requests that change state.
//!
//! Server functions have no CSRF token of their own. A state-changing
//! request (anything but GET, HEAD, OPTIONS) is accepted only if the browser
//! says it comes from this site: its `Origin` (or, failing that, `Referer`)
//! names the host it was sent to, and `Sec-Fetch-Site` does not say
//! cross-site. Requests with none of these headers come from programs, not
//! from pages in a victim's browser, and pass.

use axum::{
    extract::Request,
    http::{header, HeaderMap, Method, StatusCode, Uri},
    middleware::Next,
    response::{IntoResponse, Response},
};

pub async fn reject_cross_origin(request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || is_same_origin(request.headers())
    {
        return next.run(request).await;
    }
    tracing::warn!(
        origin = ?request.headers().get(header::ORIGIN),
        referer = ?request.headers().get(header::REFERER),
        path = %request.uri().path(),
        "refused a cross-origin request"
    );
    (
        StatusCode::FORBIDDEN,
        "403 Forbidden: this request came from another website. \
         LocalLibrary's forms can only be submitted from LocalLibrary's own pages.\n",
    )
        .into_response()
}

fn is_same_origin(headers: &HeaderMap) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if text("sec-fetch-site") == Some("cross-site") {
        return false;
    }
    let Some(source) = text(header::ORIGIN.as_str()).or_else(|| text(header::REFERER.as_str()))
    else {
        return true;
    };
    let Some(host) = text(header::HOST.as_str()) else {
        return false;
    };
    // "null" (an opaque origin) and anything unparseable cannot be vouched for.
    source
        .parse::<Uri>()
        .ok()
        .and_then(|uri| {
            uri.authority()
                .map(|a| a.as_str().eq_ignore_ascii_case(host))
        })
        .unwrap_or(false)
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
    fn same_origin_passes_and_others_do_not() {
        let host = ("host", "127.0.0.1:3000");
        assert!(is_same_origin(&headers(&[
            host,
            ("origin", "http://127.0.0.1:3000")
        ])));
        assert!(is_same_origin(&headers(&[
            host,
            ("referer", "http://127.0.0.1:3000/about")
        ])));
        assert!(
            is_same_origin(&headers(&[host])),
            "no browser headers: a program"
        );
        assert!(!is_same_origin(&headers(&[
            host,
            ("origin", "http://evil.example")
        ])));
        assert!(!is_same_origin(&headers(&[
            host,
            ("origin", "http://127.0.0.1:3001")
        ])));
        assert!(!is_same_origin(&headers(&[host, ("origin", "null")])));
        assert!(!is_same_origin(&headers(&[
            host,
            ("referer", "http://evil.example/x")
        ])));
        assert!(!is_same_origin(&headers(&[
            host,
            ("sec-fetch-site", "cross-site")
        ])));
    }
}
