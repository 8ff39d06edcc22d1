//! The catalog's pages (the lists of books and authors, a book's or an
//! author's page, the about page), kept per address and what else they are
//! rendered from: the catalog's version and the browser's preferences
//! (results per page, the notice dismissed). Both are read in one statement
//! before each page, so a catalog load (by this server or any other) or a
//! change of preferences is on the very next page.

use std::sync::Arc;

use axum::{extract::Request, http::Method, middleware::Next, response::Response};

use app::session::{PageBasis, PreferencesRead, VisitorSession};

use super::{render, KeptPages, Page, Reply};

/// What a catalog page is rendered from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Key {
    /// Path and query, as asked for.
    address: String,
    basis: PageBasis,
}

/// A `GET` of one of the catalog's pages (a HEAD goes on to the app).
pub(super) fn is_page(request: &Request) -> bool {
    let path = request.uri().path();
    request.method() == Method::GET
        && (matches!(path, "/books" | "/authors" | "/about")
            || path.starts_with("/books/")
            || path.starts_with("/authors/"))
}

pub(super) async fn serve(
    pages: &KeptPages,
    visitor: VisitorSession,
    mut request: Request,
    next: Next,
    reply: Reply,
) -> Response {
    // On an error the app renders the page, which meets it and says so.
    let Ok(basis) = visitor.page_basis().await else {
        return next.run(request).await;
    };
    let address = request
        .uri()
        .path_and_query()
        .map_or_else(|| request.uri().path(), |address| address.as_str());
    let key = Key {
        address: address.to_owned(),
        basis,
    };
    if let Some(page) = pages.0.catalog.get(&key) {
        return page.response(reply.gzip, &reply.nonce);
    }

    // Rendered with the preferences it is kept for, even if the browser
    // changes them meanwhile.
    request
        .extensions_mut()
        .insert(PreferencesRead(basis.preferences));
    let (status, headers, body) = match render(request, next).await {
        Ok(rendered) => rendered,
        Err(failed) => return failed,
    };
    let page = Arc::new(Page::new(status, headers, &body, None));
    if page.is_for_anyone() {
        pages.0.catalog.keep(key, Arc::clone(&page));
    }
    page.response(reply.gzip, &reply.nonce)
}
