//! The home page, rendered once for each kind of view and then served from
//! memory with this view's count written in.
//!
//! Every view of `/` shows the same page but for a few things: the visit
//! count, which changes with every view, and what the page is rendered
//! from otherwise (the catalog's figures, whether the notice was
//! dismissed, whether the browser sent its cookie, "time" or "times").
//! Rendering it anew each time was most of the cost of a view. Here the
//! view is counted first; the page for its kind is rendered by the app as
//! any page is, once, with a stand-in count, and kept with the places where
//! that count stands; later views of the same kind get those bytes with
//! their own count in its place. The figures come back with every count,
//! from the database, so a change to the catalog (by this server or any
//! other) is on the next view: it is a kind not rendered yet.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use axum::{
    body::{to_bytes, Body, Bytes},
    extract::{Request, State},
    http::{HeaderMap, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tower_sessions::Session;

use app::{
    db::Db,
    model::CatalogCounts,
    session::{CountedHomeView, SessionPolicy, Visit, VisitorSession},
};

/// The count a page is rendered with before it is kept: a number no page
/// shows otherwise, so that wherever it appears is where the count goes.
const STAND_IN: i64 = 7_316_498_255_180_934_627;

/// More kinds than this at once means the catalog's figures keep changing
/// (a load in progress): start over rather than grow.
const MAX_PAGES: usize = 64;

/// Kept pages, and what counting a view needs; cloned for every request.
#[derive(Clone)]
pub struct HomePages(Arc<Shared>);

struct Shared {
    db: Db,
    policy: SessionPolicy,
    pages: RwLock<HashMap<Kind, Arc<Page>>>,
}

/// Everything a home view's page depends on besides its count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Kind {
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

impl HomePages {
    pub fn new(db: Db, policy: SessionPolicy) -> Self {
        Self(Arc::new(Shared {
            db,
            policy,
            pages: Default::default(),
        }))
    }

    fn kept(&self, kind: &Kind) -> Option<Arc<Page>> {
        self.0.pages.read().ok()?.get(kind).cloned()
    }

    fn keep(&self, kind: Kind, page: Arc<Page>) {
        if let Ok(mut pages) = self.0.pages.write() {
            if pages.len() >= MAX_PAGES {
                pages.clear();
            }
            pages.insert(kind, page);
        }
    }
}

/// Middleware: serves `GET /` (the home page's address, with nothing after
/// it); anything else goes on to the app. A HEAD counts nothing and goes on
/// too.
pub async fn serve(State(pages): State<HomePages>, mut request: Request, next: Next) -> Response {
    let is_home_view = request.method() == Method::GET
        && request.uri().path() == "/"
        && request.uri().query().is_none();
    // Every other request passes straight through, its session untouched.
    let session = is_home_view
        .then(|| request.extensions().get::<Session>().cloned())
        .flatten();
    let Some(session) = session else {
        return next.run(request).await;
    };

    let visit = VisitorSession::new(session, pages.0.db.clone(), pages.0.policy)
        .record_visit()
        .await;
    let Ok(visit) = visit else {
        // The page shows the error as it would have met it.
        request.extensions_mut().insert(CountedHomeView(visit));
        return next.run(request).await;
    };
    let kind = Kind::of(&visit);
    if let Some(page) = pages.kept(&kind) {
        return page.with_count(visit.visits);
    }

    let shown = if kind.first { visit.visits } else { STAND_IN };
    request.extensions_mut().insert(CountedHomeView(Ok(Visit {
        visits: shown,
        ..visit
    })));
    let (parts, body) = next.run(request).await.into_parts();
    let Ok(body) = to_bytes(body, usize::MAX).await else {
        tracing::error!("the home page's body could not be read");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let page = Arc::new(Page::new(parts.status, parts.headers, &body, shown));
    // Kept only if it is the page (not an error) and the count stands
    // somewhere in it.
    if page.status == StatusCode::OK && (kind.first || page.has_count()) {
        pages.keep(kind, Arc::clone(&page));
    }
    page.with_count(visit.visits)
}

/// A rendered home page: its status, headers, and its body cut where the
/// count and the nonce go.
#[derive(Debug)]
struct Page {
    status: StatusCode,
    headers: HeaderMap,
    pieces: Vec<Piece>,
}

#[derive(Debug, PartialEq)]
enum Piece {
    Text(Bytes),
    Hole(Hole),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Hole {
    Count,
    /// Leptos writes a random nonce on its inline scripts, for a
    /// Content-Security-Policy to name; one kept page must not give every
    /// view the same, so each gets a new one.
    Nonce,
}

impl Page {
    /// Cuts `body` at each appearance of `shown` (unless it is 1) and of the
    /// nonce on its first `nonce="…"`.
    fn new(status: StatusCode, mut headers: HeaderMap, body: &[u8], shown: i64) -> Page {
        // Set again for each body; the rest (the content type) is the page's.
        headers.remove(axum::http::header::CONTENT_LENGTH);
        let count = shown.to_string();
        let nonce = nonce_in(body);
        let mut holes: Vec<(&[u8], Hole)> = Vec::new();
        if shown != 1 {
            holes.push((count.as_bytes(), Hole::Count));
        }
        if let Some(nonce) = nonce {
            holes.push((nonce, Hole::Nonce));
        }
        Page {
            status,
            headers,
            pieces: cut(body, &holes),
        }
    }

    fn has_count(&self) -> bool {
        self.pieces.contains(&Piece::Hole(Hole::Count))
    }

    /// The page as a response, with `visits` for the count.
    fn with_count(&self, visits: i64) -> Response {
        let count = visits.to_string();
        let nonce = leptos::nonce::Nonce::new().to_string();
        let length = self
            .pieces
            .iter()
            .map(|piece| match piece {
                Piece::Text(text) => text.len(),
                Piece::Hole(Hole::Count) => count.len(),
                Piece::Hole(Hole::Nonce) => nonce.len(),
            })
            .sum();
        let mut body = Vec::with_capacity(length);
        for piece in &self.pieces {
            body.extend_from_slice(match piece {
                Piece::Text(text) => text,
                Piece::Hole(Hole::Count) => count.as_bytes(),
                Piece::Hole(Hole::Nonce) => nonce.as_bytes(),
            });
        }
        (self.status, self.headers.clone(), Body::from(body)).into_response()
    }
}

/// The value of the first `nonce="…"` attribute in `html`.
fn nonce_in(html: &[u8]) -> Option<&[u8]> {
    const ATTRIBUTE: &[u8] = b" nonce=\"";
    let start = find(html, ATTRIBUTE)? + ATTRIBUTE.len();
    let length = html[start..].iter().position(|&byte| byte == b'"')?;
    (length > 0).then(|| &html[start..start + length])
}

/// `text` cut at every appearance of each pattern of `holes`, which become
/// their hole.
fn cut(text: &[u8], holes: &[(&[u8], Hole)]) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut rest = text;
    loop {
        let next = holes
            .iter()
            .filter_map(|&(pattern, hole)| Some((find(rest, pattern)?, pattern, hole)))
            .min_by_key(|&(at, _, _)| at);
        let Some((at, pattern, hole)) = next else {
            break;
        };
        if at > 0 {
            pieces.push(Piece::Text(Bytes::copy_from_slice(&rest[..at])));
        }
        pieces.push(Piece::Hole(hole));
        rest = &rest[at + pattern.len()..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(Bytes::copy_from_slice(rest)));
    }
    pieces
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(page: &Page, visits: i64) -> String {
        let response = page.with_count(visits);
        let bytes = to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("an in-memory body");
        String::from_utf8(bytes.to_vec()).expect("UTF-8")
    }

    #[tokio::test]
    async fn the_count_goes_wherever_the_stand_in_stood() {
        let html = format!(
            r#"<p data-props="{{&quot;visits&quot;:{STAND_IN}}}">{STAND_IN} times; 1000 books</p>"#
        );
        let page = Page::new(StatusCode::OK, HeaderMap::new(), html.as_bytes(), STAND_IN);
        assert!(page.has_count());
        assert_eq!(
            body(&page, 42).await,
            r#"<p data-props="{&quot;visits&quot;:42}">42 times; 1000 books</p>"#
        );
    }

    #[tokio::test]
    async fn each_response_gets_a_new_nonce_in_every_place() {
        let html = r#"<script nonce="abc123">a</script><script nonce="abc123">b</script>1 time"#;
        let page = Page::new(StatusCode::OK, HeaderMap::new(), html.as_bytes(), 1);
        assert!(!page.has_count(), "a first visit's page is kept as it is");
        let (first, second) = (body(&page, 1).await, body(&page, 1).await);
        assert!(!first.contains("abc123"));
        assert_ne!(first, second);
        let nonce = nonce_in(first.as_bytes()).expect("a nonce");
        let nonce = std::str::from_utf8(nonce).expect("UTF-8");
        assert_eq!(
            first,
            format!(
                r#"<script nonce="{nonce}">a</script><script nonce="{nonce}">b</script>1 time"#
            )
        );
    }
}
