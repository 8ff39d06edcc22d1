//! Pages rendered once and then served from memory, for as long as what
//! they were rendered from stays the same.
//!
//! Rendering a page with Leptos costs far more than everything else a
//! request does; most requests are for a page some other request already
//! had rendered from the same things. This middleware (inside the session
//! layer) finds out first, with one statement, what the page would be
//! rendered from; if such a page is kept, the request gets its bytes, else
//! the app renders it as it renders any page and it is kept for the next.
//! - [`home`]: the home page, kept per kind of view, with this view's count
//!   written in;
//! - [`catalog`]: the lists and the book, author and about pages, kept per
//!   address, catalog version and browser preferences.
//!
//! Every response gets a new nonce on Leptos' inline scripts, as a rendered
//! page would.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{Arc, OnceLock, RwLock},
};

use axum::{
    body::{to_bytes, Body, Bytes},
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::nonce::Nonce;
use tower_sessions::Session;

use app::{
    db::Db,
    session::{SessionPolicy, VisitorSession},
};

use crate::security::ResponseNonce;

mod catalog;
mod gzip;
mod home;

/// Kept pages, and what finding the right one needs; cloned for every
/// request.
#[derive(Clone)]
pub struct KeptPages(Arc<Shared>);

struct Shared {
    db: Db,
    policy: SessionPolicy,
    home: Shelf<home::Kind>,
    catalog: Shelf<catalog::Key>,
}

impl KeptPages {
    pub fn new(db: Db, policy: SessionPolicy) -> Self {
        Self(Arc::new(Shared {
            db,
            policy,
            // Few kinds of home view exist at once: more means the catalog's
            // figures keep changing (a load in progress).
            home: Shelf::new(64),
            // Catalog pages are many (every page of every list, at three
            // sizes, every search); each is a few kilobytes.
            catalog: Shelf::new(512),
        }))
    }

    fn session(&self, session: Session) -> VisitorSession {
        VisitorSession::new(session, self.0.db.clone(), self.0.policy)
    }
}

/// Middleware: serves the home page and the catalog pages (see [`home`] and
/// [`catalog`]); any other request goes on to the app untouched, its
/// session too.
pub async fn serve(State(pages): State<KeptPages>, request: Request, next: Next) -> Response {
    let home_view = home::is_view(&request);
    let session = (home_view || catalog::is_page(&request))
        .then(|| request.extensions().get::<Session>().cloned())
        .flatten();
    let Some(session) = session else {
        return next.run(request).await;
    };
    let visitor = pages.session(session);
    let gzip = request
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|value| value.to_str().ok())
        .is_some_and(gzip::accepted);
    let Some(ResponseNonce(nonce)) = request.extensions().get::<ResponseNonce>().cloned() else {
        tracing::error!("no response nonce: the security headers layer must wrap kept pages");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let reply = Reply { gzip, nonce };
    if home_view {
        home::serve(&pages, visitor, request, next, reply).await
    } else {
        catalog::serve(&pages, visitor, request, next, reply).await
    }
}

/// How this response is to be sent: compressed or not, and with which
/// script nonce.
struct Reply {
    gzip: bool,
    nonce: Nonce,
}

/// Kept pages by what they were rendered from: at most `capacity`, making
/// room by dropping an arbitrary one (a page often asked for is soon back).
struct Shelf<K> {
    capacity: usize,
    pages: RwLock<HashMap<K, Arc<Page>>>,
}

impl<K: Hash + Eq + Clone> Shelf<K> {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            pages: Default::default(),
        }
    }

    fn get(&self, key: &K) -> Option<Arc<Page>> {
        self.pages.read().ok()?.get(key).cloned()
    }

    fn keep(&self, key: K, page: Arc<Page>) {
        if let Ok(mut pages) = self.pages.write() {
            if pages.len() >= self.capacity && !pages.contains_key(&key) {
                if let Some(dropped) = pages.keys().next().cloned() {
                    pages.remove(&dropped);
                }
            }
            pages.insert(key, page);
        }
    }
}

/// Renders the request with the app and reads the whole page, as text:
/// it is kept cut where its count and nonce go, and compressed (or not)
/// for each response.
async fn render(
    mut request: Request,
    next: Next,
) -> Result<(StatusCode, HeaderMap, Bytes), Response> {
    request.headers_mut().remove(header::ACCEPT_ENCODING);
    let (parts, body) = next.run(request).await.into_parts();
    match to_bytes(body, usize::MAX).await {
        Ok(body) => Ok((parts.status, parts.headers, body)),
        Err(_) => {
            tracing::error!("a page's body could not be read");
            Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

/// A rendered page: its status, headers, and its body cut where the count
/// and the nonce go.
#[derive(Debug)]
struct Page {
    status: StatusCode,
    headers: HeaderMap,
    pieces: Vec<Piece>,
    /// Each piece's text compressed ([`gzip::deflate`]; empty for a hole),
    /// made for the first response that asks for gzip.
    deflated: OnceLock<Vec<Vec<u8>>>,
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
    /// Cuts `body` at each appearance of `count` (if given) and of the
    /// nonce on its first `nonce="…"`.
    fn new(status: StatusCode, mut headers: HeaderMap, body: &[u8], count: Option<i64>) -> Page {
        // Set again for each body; the rest (the content type) is the page's.
        headers.remove(header::CONTENT_LENGTH);
        let count = count.map(|count| count.to_string());
        let mut holes: Vec<(&[u8], Hole)> = Vec::new();
        if let Some(count) = &count {
            holes.push((count.as_bytes(), Hole::Count));
        }
        if let Some(nonce) = nonce_in(body) {
            holes.push((nonce, Hole::Nonce));
        }
        Page {
            status,
            headers,
            pieces: cut(body, &holes),
            deflated: OnceLock::new(),
        }
    }

    fn has_count(&self) -> bool {
        self.pieces.contains(&Piece::Hole(Hole::Count))
    }

    /// Whether the page may be served to anyone else: it is the page (not
    /// an error), and sets no cookie (the session layer outside sets this
    /// request's own).
    fn is_for_anyone(&self) -> bool {
        self.status == StatusCode::OK && !self.headers.contains_key(header::SET_COOKIE)
    }

    /// The page as a response, with `count` in the count's places and
    /// `nonce` (the response's, which its Content-Security-Policy names) in
    /// the nonce's; gzip-compressed if `gzip`.
    fn with_count(&self, count: i64, gzip: bool, nonce: &Nonce) -> Response {
        let count = count.to_string();
        let fill = |hole: Hole| match hole {
            Hole::Count => count.as_bytes(),
            Hole::Nonce => nonce.as_bytes(),
        };
        let body = if gzip {
            self.gzipped(fill)
        } else {
            self.plain(fill)
        };
        let mut headers = self.headers.clone();
        // The same address has two encodings: caches must tell them apart.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if gzip {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        (self.status, headers, Body::from(body)).into_response()
    }

    /// The page as a response, for a page without a count.
    fn response(&self, gzip: bool, nonce: &Nonce) -> Response {
        self.with_count(0, gzip, nonce)
    }

    fn length<'a>(&self, fill: impl Fn(Hole) -> &'a [u8]) -> usize {
        self.pieces
            .iter()
            .map(|piece| match piece {
                Piece::Text(text) => text.len(),
                Piece::Hole(hole) => fill(*hole).len(),
            })
            .sum()
    }

    fn plain<'a>(&self, fill: impl Fn(Hole) -> &'a [u8]) -> Vec<u8> {
        let mut body = Vec::with_capacity(self.length(&fill));
        for piece in &self.pieces {
            body.extend_from_slice(match piece {
                Piece::Text(text) => text,
                Piece::Hole(hole) => fill(*hole),
            });
        }
        body
    }

    fn gzipped<'a>(&self, fill: impl Fn(Hole) -> &'a [u8]) -> Vec<u8> {
        let deflated = self.deflated.get_or_init(|| {
            let deflate = |piece: &Piece| match piece {
                Piece::Text(text) => gzip::deflate(text),
                Piece::Hole(_) => Vec::new(),
            };
            self.pieces.iter().map(deflate).collect()
        });
        // Each hole a stored block: five bytes of header, then its bytes.
        let stored = |piece: &Piece| match piece {
            Piece::Text(_) => 0,
            Piece::Hole(hole) => 5 + fill(*hole).len(),
        };
        let capacity = deflated.iter().map(Vec::len).sum::<usize>()
            + self.pieces.iter().map(stored).sum::<usize>();
        let mut member = gzip::Member::new(capacity);
        for (piece, blocks) in self.pieces.iter().zip(deflated) {
            match piece {
                Piece::Text(text) => member.deflated(blocks, text),
                Piece::Hole(hole) => member.stored(fill(*hole)),
            }
        }
        member.finish()
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
    use super::{home::STAND_IN, *};

    async fn body(page: &Page, visits: i64) -> String {
        let response = page.with_count(visits, false, &Nonce::new());
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
        let page = Page::new(
            StatusCode::OK,
            HeaderMap::new(),
            html.as_bytes(),
            Some(STAND_IN),
        );
        assert!(page.has_count());
        assert_eq!(
            body(&page, 42).await,
            r#"<p data-props="{&quot;visits&quot;:42}">42 times; 1000 books</p>"#
        );
    }

    #[tokio::test]
    async fn each_response_gets_a_new_nonce_in_every_place() {
        let html = r#"<script nonce="abc123">a</script><script nonce="abc123">b</script>1 time"#;
        let page = Page::new(StatusCode::OK, HeaderMap::new(), html.as_bytes(), None);
        assert!(!page.has_count());
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

    #[test]
    fn a_full_shelf_makes_room_and_keeps_the_newest() {
        let shelf = Shelf::new(3);
        let page = || Arc::new(Page::new(StatusCode::OK, HeaderMap::new(), b"page", None));
        for key in 0..10 {
            shelf.keep(key, page());
            assert!(shelf.get(&key).is_some(), "page {key} was just kept");
        }
        let kept = (0..10).filter(|key| shelf.get(key).is_some()).count();
        assert_eq!(kept, 3);
    }

    #[test]
    fn a_page_that_sets_a_cookie_or_is_an_error_is_for_no_one_else() {
        let mut headers = HeaderMap::new();
        let page = Page::new(StatusCode::OK, headers.clone(), b"page", None);
        assert!(page.is_for_anyone());
        let missing = Page::new(StatusCode::NOT_FOUND, headers.clone(), b"page", None);
        assert!(!missing.is_for_anyone());
        headers.insert(header::SET_COOKIE, "id=1".parse().unwrap());
        assert!(!Page::new(StatusCode::OK, headers, b"page", None).is_for_anyone());
    }

    #[tokio::test]
    async fn a_gzip_response_is_the_same_page_compressed() {
        let html = format!(
            r#"<script nonce="abc123">a</script><p>{STAND_IN} times, {STAND_IN}</p>{}"#,
            "<li>a book</li>".repeat(100)
        );
        let page = Page::new(
            StatusCode::OK,
            HeaderMap::new(),
            html.as_bytes(),
            Some(STAND_IN),
        );
        let response = page.with_count(42, true, &Nonce::new());
        assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
        assert_eq!(response.headers()[header::VARY], "accept-encoding");
        let compressed = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        assert!(compressed.len() < html.len() / 4, "{}", compressed.len());
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&compressed[..]),
            &mut text,
        )
        .expect("valid gzip");
        let nonce = std::str::from_utf8(nonce_in(text.as_bytes()).unwrap()).unwrap();
        assert_ne!(nonce, "abc123");
        let expected = html
            .replace("abc123", nonce)
            .replace(&STAND_IN.to_string(), "42");
        assert_eq!(text, expected);
    }
}
