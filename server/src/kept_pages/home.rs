//! The home page, rendered once for each kind of view and then served from
//! memory with this view's count written in.
//!
//! Every view of `/` shows the same page but for a few things: the visit
//! count, which changes with every view, and what the page is rendered
//! from otherwise (the catalog's figures, whether the notice was
//! dismissed, whether the browser sent its cookie, "time" or "times").
//! Here the view is counted first; the page for its kind is rendered by the
//! app as any page is, once, with a stand-in count, and kept with the
//! places where that count stands; later views of the same kind get those
//! bytes with their own count in its place. The figures come back with
//! every count, from the database, so a change to the catalog (by this
//! server or any other) is on the next view: it is a kind not rendered yet.

use axum::{extract::Request, http::Method, middleware::Next, response::Response};

use app::{
    model::CatalogCounts,
    session::{CountedHomeView, Visit, VisitorSession},
};

use super::{render, KeptPages, Page, Reply};

/// The count a page is rendered with before it is kept: a number no page
/// shows otherwise, so that wherever it appears is where the count goes.
pub(super) const STAND_IN: i64 = 7_316_498_255_180_934_627;

/// Everything a home view's page depends on besides its count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Kind {
    counts: CatalogCounts,
    notice_dismissed: bool,
    cookie_returned: bool,
    /// "1 time" rather than "N times": such a page is kept as rendered,
    /// with the real count (1), since a "1" cannot be told apart.
    first: bool,
}

impl Kind {
    fn of(visit: &Visit) -> Kind {
        Kind {
            counts: visit.counts,
            notice_dismissed: visit.preferences.notice_dismissed,
            cookie_returned: visit.cookie_returned,
            first: visit.visits == 1,
        }
    }
}

/// A view of the home page: `GET /`, with nothing after it. A HEAD counts
/// nothing and goes on to the app.
pub(super) fn is_view(request: &Request) -> bool {
    request.method() == Method::GET
        && request.uri().path() == "/"
        && request.uri().query().is_none()
}

/// Counts the view, then serves the page for its kind.
pub(super) async fn serve(
    pages: &KeptPages,
    visitor: VisitorSession,
    mut request: Request,
    next: Next,
    reply: Reply,
) -> Response {
    let visit = visitor.record_visit().await;
    let Ok(visit) = visit else {
        // The page shows the error as it would have met it.
        request.extensions_mut().insert(CountedHomeView(visit));
        return next.run(request).await;
    };
    let kind = Kind::of(&visit);
    if let Some(page) = pages.0.home.get(&kind) {
        return page.with_count(visit.visits, reply.gzip, &reply.nonce);
    }

    let shown = if kind.first { visit.visits } else { STAND_IN };
    request.extensions_mut().insert(CountedHomeView(Ok(Visit {
        visits: shown,
        ..visit
    })));
    let (status, headers, body) = match render(request, next).await {
        Ok(rendered) => rendered,
        Err(failed) => return failed,
    };
    // A first view's "1" cannot be told from other ones: kept as it is.
    let count = (!kind.first).then_some(shown);
    let page = std::sync::Arc::new(Page::new(status, headers, &body, count));
    // Kept only if the count stands somewhere in it.
    if page.is_for_anyone() && (kind.first || page.has_count()) {
        pages.0.home.keep(kind, std::sync::Arc::clone(&page));
    }
    page.with_count(visit.visits, reply.gzip, &reply.nonce)
}
