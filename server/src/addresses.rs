//! Addresses put in their one form before anything reads them.
//!
//! The app's router matches leniently (`/books/` as `/books`, a `..`
//! segment resolved), while the access rules and page inputs
//! (`page_requests::Route::of`) read the address as it came: a page reached by an
//! address they did not know was rendered without its inputs, a 500. So an
//! address with a trailing slash or a `.` or `..` segment is redirected to
//! its one form, and a request target that is no path (`*`) is refused.

use axum::{
    extract::Request,
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// What an address is.
#[derive(Debug, PartialEq, Eq)]
enum Form {
    /// Already in its one form.
    Canonical,
    /// Another way to write this path.
    Redirect(String),
    /// Not a path of this site (`*`, or no `/` first).
    NotAPath,
}

fn form_of(path: &str) -> Form {
    if !path.starts_with('/') {
        return Form::NotAPath;
    }
    let has_dots = path
        .split('/')
        .any(|segment| matches!(dots(segment), Some(1 | 2)));
    if !has_dots && (path == "/" || !path.ends_with('/')) {
        return Form::Canonical;
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/').filter(|segment| !segment.is_empty()) {
        match dots(segment) {
            Some(1) => {}
            Some(2) => {
                segments.pop();
            }
            _ => segments.push(segment),
        }
    }
    Form::Redirect(format!("/{}", segments.join("/")))
}

/// How many dots `segment` is, if it is dots only (`.`, or `%2e` as a
/// browser may write one). Read for every request: nothing is allocated.
fn dots(segment: &str) -> Option<usize> {
    let mut rest = segment.as_bytes();
    let mut count = 0;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix(b".") {
            rest = after;
        } else if rest.len() >= 3 && rest[..3].eq_ignore_ascii_case(b"%2e") {
            rest = &rest[3..];
        } else {
            return None;
        }
        count += 1;
    }
    Some(count)
}

/// Middleware: redirects an address to its one form (301 for a `GET` or
/// `HEAD`, 308 for anything else, which keeps the method and body), and
/// answers a target that is no path with a 400.
pub async fn canonical(request: Request, next: Next) -> Response {
    match form_of(request.uri().path()) {
        Form::Canonical => next.run(request).await,
        Form::NotAPath => (
            StatusCode::BAD_REQUEST,
            "Bad request: the request's target is not an address of this site.\n",
        )
            .into_response(),
        Form::Redirect(path) => {
            let location = match request.uri().query() {
                Some(query) => format!("{path}?{query}"),
                None => path,
            };
            let status = if matches!(*request.method(), Method::GET | Method::HEAD) {
                StatusCode::MOVED_PERMANENTLY
            } else {
                StatusCode::PERMANENT_REDIRECT
            };
            match HeaderValue::from_str(&location) {
                Ok(location) => (status, [(header::LOCATION, location)]).into_response(),
                Err(_) => StatusCode::BAD_REQUEST.into_response(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redirect(path: &str) -> Form {
        Form::Redirect(path.to_string())
    }

    #[test]
    fn each_address_has_one_form() {
        for canonical in [
            "/",
            "/books",
            "/books/7",
            "/accounts/reset/ab12",
            "/pkg/x.wasm",
        ] {
            assert_eq!(form_of(canonical), Form::Canonical, "{canonical}");
        }
        assert_eq!(form_of("/books/"), redirect("/books"));
        assert_eq!(form_of("/authors/1//"), redirect("/authors/1"));
        assert_eq!(form_of("//"), redirect("/"));
        assert_eq!(form_of("/books/.."), redirect("/"));
        assert_eq!(form_of("/books/./7"), redirect("/books/7"));
        assert_eq!(form_of("/books/%2e%2E/about"), redirect("/about"));
        assert_eq!(form_of("/../../etc/passwd"), redirect("/etc/passwd"));
        // Dots within a name are a name.
        assert_eq!(form_of("/books/a..b"), Form::Canonical);
        assert_eq!(form_of("/favicon.ico"), Form::Canonical);
        assert_eq!(form_of("*"), Form::NotAPath);
        assert_eq!(form_of(""), Form::NotAPath);
    }
}
