//! A kept page: its status, headers and body, cut where the holes go (the
//! visit count, the script nonce), and the shelf that holds kept pages.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{Arc, Mutex, OnceLock, RwLock},
};

use axum::{
    body::{Body, Bytes},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use leptos::nonce::Nonce;
use tokio::sync::watch;

use app::{language::Locale, visit_count::VisitCount};

use super::gzip;

/// Where a page differs from one response to the next.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Hole {
    /// The visit count's sentence.
    Visits,
    /// Leptos writes the response's nonce on its inline scripts, for the
    /// Content-Security-Policy to name: each response has its own.
    Nonce,
}

/// What one response puts in the holes.
pub struct Fill {
    sentence: String,
    nonce: Nonce,
}

impl Fill {
    /// `visits`: this view's count, for a page that shows one, in
    /// `locale`, the page's language.
    pub fn new(visits: Option<i64>, nonce: Nonce, locale: Locale) -> Fill {
        Fill {
            sentence: VisitCount::fill(visits.unwrap_or_default(), locale),
            nonce,
        }
    }

    fn bytes(&self, hole: Hole) -> &[u8] {
        match hole {
            Hole::Visits => self.sentence.as_bytes(),
            Hole::Nonce => self.nonce.as_bytes(),
        }
    }
}

/// A rendered page, cut where its holes go.
#[derive(Debug)]
pub struct Page {
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

impl Page {
    /// Cuts `body` at every appearance of each stand-in of `holes` (the
    /// text a hole was rendered as).
    pub fn new(
        status: StatusCode,
        mut headers: HeaderMap,
        body: &[u8],
        holes: &[(&[u8], Hole)],
    ) -> Page {
        // Set again for each body; the rest (the content type) is the page's.
        headers.remove(header::CONTENT_LENGTH);
        Page {
            status,
            headers,
            pieces: cut(body, holes),
            deflated: OnceLock::new(),
        }
    }

    /// Whether the page may be served to anyone else: it is the page (not
    /// an error), it sets no cookie, and each of the `required` holes was
    /// found in it.
    pub fn is_for_anyone(&self, required: &[Hole]) -> bool {
        self.status == StatusCode::OK
            && !self.headers.contains_key(header::SET_COOKIE)
            && required
                .iter()
                .all(|hole| self.pieces.contains(&Piece::Hole(*hole)))
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The page with its holes filled, uncompressed.
    pub fn body(&self, fill: &Fill) -> Vec<u8> {
        let length = self
            .pieces
            .iter()
            .map(|piece| match piece {
                Piece::Text(text) => text.len(),
                Piece::Hole(hole) => fill.bytes(*hole).len(),
            })
            .sum();
        let mut body = Vec::with_capacity(length);
        for piece in &self.pieces {
            body.extend_from_slice(match piece {
                Piece::Text(text) => text,
                Piece::Hole(hole) => fill.bytes(*hole),
            });
        }
        body
    }

    /// The page as a response, gzip-compressed if `gzip`; `plain`: its
    /// uncompressed body, if already made.
    pub fn response(&self, fill: &Fill, gzip: bool, plain: Option<Vec<u8>>) -> Response {
        let body = match (gzip, plain) {
            (true, _) => self.gzipped(fill),
            (false, Some(plain)) => plain,
            (false, None) => self.body(fill),
        };
        let mut headers = self.headers.clone();
        // The same address has two encodings: caches must tell them apart.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if gzip {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        (self.status, headers, Body::from(body)).into_response()
    }

    fn gzipped(&self, fill: &Fill) -> Vec<u8> {
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
            Piece::Hole(hole) => 5 + fill.bytes(*hole).len(),
        };
        let capacity = deflated.iter().map(Vec::len).sum::<usize>()
            + self.pieces.iter().map(stored).sum::<usize>();
        let mut member = gzip::Member::new(capacity);
        for (piece, blocks) in self.pieces.iter().zip(deflated) {
            match piece {
                Piece::Text(text) => member.deflated(blocks, text),
                Piece::Hole(hole) => member.stored(fill.bytes(*hole)),
            }
        }
        member.finish()
    }
}

/// `text` cut at every appearance of each stand-in of `holes`, which
/// become their hole.
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
    if needle.is_empty() {
        return None;
    }
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Kept pages by what they were rendered from: at most `capacity`, making
/// room by dropping an arbitrary one (a page often asked for is soon back).
pub struct Shelf<K> {
    capacity: usize,
    pages: RwLock<HashMap<K, Arc<Page>>>,
    /// Pages being rendered, by what they are rendered from: a request that
    /// finds its page being rendered waits for that render rather than
    /// rendering it again. Every change of the catalog makes a new version
    /// of each page at once, and all the requests in flight then miss it
    /// together: with each rendering its own, the last of 64 waited for
    /// dozens of renders of the same page on a machine of few cores.
    rendering: Mutex<HashMap<K, watch::Receiver<()>>>,
}

/// The rendering of one page, by the one request that does it: whoever
/// waits for it is woken when this is dropped (the page kept or not, or
/// the request gone).
pub struct Rendering<'a, K: Hash + Eq> {
    shelf: &'a Shelf<K>,
    key: K,
    _done: watch::Sender<()>,
}

impl<K: Hash + Eq> Drop for Rendering<'_, K> {
    fn drop(&mut self) {
        self.shelf.rendering_lock().remove(&self.key);
    }
}

impl<K: Hash + Eq> Shelf<K> {
    fn rendering_lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, watch::Receiver<()>>> {
        self.rendering.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<K: Hash + Eq + Clone> Shelf<K> {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            pages: Default::default(),
            rendering: Default::default(),
        }
    }

    pub fn get(&self, key: &K) -> Option<Arc<Page>> {
        self.pages.read().ok()?.get(key).cloned()
    }

    /// The page kept for `key`; else, if another request is rendering it,
    /// that page once it is kept. Otherwise the caller renders it: with
    /// the [`Rendering`] to hold meanwhile when nobody else does, without
    /// when the render waited for kept nothing (a page for no one else, a
    /// request gone), so that such pages are not rendered one at a time.
    pub async fn find(&self, key: &K) -> Result<Arc<Page>, Option<Rendering<'_, K>>> {
        if let Some(page) = self.get(key) {
            return Ok(page);
        }
        let mut done = {
            let mut rendering = self.rendering_lock();
            // Kept between the look above and the lock.
            if let Some(page) = self.get(key) {
                return Ok(page);
            }
            match rendering.get(key) {
                Some(done) => done.clone(),
                None => {
                    let (sender, receiver) = watch::channel(());
                    rendering.insert(key.clone(), receiver);
                    return Err(Some(Rendering {
                        shelf: self,
                        key: key.clone(),
                        _done: sender,
                    }));
                }
            }
        };
        // Nothing is ever sent: this ends when the renderer drops its sender.
        let _ = done.changed().await;
        self.get(key).ok_or(None)
    }

    pub fn keep(&self, key: K, page: Arc<Page>) {
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

/// The page's text with `fill` in its holes.
#[cfg(test)]
fn text(page: &Page, fill: &Fill) -> String {
    String::from_utf8(page.body(fill)).expect("UTF-8")
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;

    use super::*;

    fn fill(visits: i64, nonce: &str) -> Fill {
        Fill::new(Some(visits), Nonce::from_value(nonce), Locale::en)
    }

    #[test]
    fn each_hole_is_filled_wherever_its_stand_in_stood() {
        let html = r#"<script nonce="N0NCE">a</script><p>2222</p><script nonce="N0NCE">b</script>"#;
        let holes: [(&[u8], Hole); 2] = [(b"2222", Hole::Visits), (b"N0NCE", Hole::Nonce)];
        let page = Page::new(StatusCode::OK, HeaderMap::new(), html.as_bytes(), &holes);
        assert!(page.is_for_anyone(&[Hole::Visits, Hole::Nonce]));
        assert_eq!(
            text(&page, &fill(1, "xyz")),
            r#"<script nonce="xyz">a</script><p>You have visited this page 1 time.</p><script nonce="xyz">b</script>"#
        );
        assert!(text(&page, &fill(42, "abc")).contains("42 times."));
    }

    #[test]
    fn a_page_missing_a_hole_is_kept_for_no_one_else() {
        let page = Page::new(
            StatusCode::OK,
            HeaderMap::new(),
            b"no count here",
            &[(b"1111", Hole::Visits)],
        );
        assert!(!page.is_for_anyone(&[Hole::Visits]));
        assert!(page.is_for_anyone(&[]));
    }

    #[test]
    fn a_page_that_sets_a_cookie_or_is_an_error_is_for_no_one_else() {
        let mut headers = HeaderMap::new();
        let page = Page::new(StatusCode::OK, headers.clone(), b"page", &[]);
        assert!(page.is_for_anyone(&[]));
        let missing = Page::new(StatusCode::NOT_FOUND, headers.clone(), b"page", &[]);
        assert!(!missing.is_for_anyone(&[]));
        headers.insert(header::SET_COOKIE, "id=1".parse().unwrap());
        assert!(!Page::new(StatusCode::OK, headers, b"page", &[]).is_for_anyone(&[]));
    }

    #[test]
    fn a_full_shelf_makes_room_and_keeps_the_newest() {
        let shelf = Shelf::new(3);
        let page = || Arc::new(Page::new(StatusCode::OK, HeaderMap::new(), b"page", &[]));
        for key in 0..10 {
            shelf.keep(key, page());
            assert!(shelf.get(&key).is_some(), "page {key} was just kept");
        }
        let kept = (0..10).filter(|key| shelf.get(key).is_some()).count();
        assert_eq!(kept, 3);
    }

    #[tokio::test]
    async fn a_page_being_rendered_is_waited_for_not_rendered_again() {
        let shelf = Arc::new(Shelf::new(8));
        let Err(Some(rendering)) = shelf.find(&1).await else {
            panic!("nobody renders page 1 yet");
        };
        // Three more requests for it, while it is being rendered.
        let waiting: Vec<_> = (0..3)
            .map(|_| {
                let shelf = Arc::clone(&shelf);
                tokio::spawn(async move { shelf.find(&1).await.ok() })
            })
            .collect();
        tokio::task::yield_now().await;
        assert!(
            matches!(shelf.find(&2).await, Err(Some(_))),
            "another page is rendered beside it"
        );
        let page = Arc::new(Page::new(StatusCode::OK, HeaderMap::new(), b"one", &[]));
        shelf.keep(1, Arc::clone(&page));
        drop(rendering);
        for waiter in waiting {
            let found = waiter.await.unwrap().expect("the page rendered meanwhile");
            assert!(Arc::ptr_eq(&found, &page));
        }
    }

    #[tokio::test]
    async fn a_render_that_keeps_nothing_leaves_each_waiter_to_render_its_own() {
        let shelf = Arc::new(Shelf::new(8));
        let Err(Some(rendering)) = shelf.find(&1).await else {
            panic!("nobody renders page 1 yet");
        };
        let waiter = {
            let shelf = Arc::clone(&shelf);
            tokio::spawn(async move { matches!(shelf.find(&1).await, Err(None)) })
        };
        tokio::task::yield_now().await;
        // A page for no one else (an error, say): nothing kept.
        drop(rendering);
        assert!(waiter.await.unwrap(), "told to render its own, at once");
        assert!(
            matches!(shelf.find(&1).await, Err(Some(_))),
            "the next request renders it again"
        );
    }

    #[tokio::test]
    async fn a_gzip_response_is_the_same_page_compressed() {
        let html = format!(
            r#"<script nonce="N0NCE">a</script><p>42, 2222</p>{}"#,
            "<li>a book</li>".repeat(100)
        );
        let holes: [(&[u8], Hole); 2] = [(b"2222", Hole::Visits), (b"N0NCE", Hole::Nonce)];
        let page = Page::new(StatusCode::OK, HeaderMap::new(), html.as_bytes(), &holes);
        let fill = fill(42, "abc");
        let response = page.response(&fill, true, None);
        assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
        assert_eq!(response.headers()[header::VARY], "accept-encoding");
        let compressed = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        assert!(compressed.len() < html.len() / 4, "{}", compressed.len());
        let mut unzipped = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&compressed[..]),
            &mut unzipped,
        )
        .expect("valid gzip");
        assert_eq!(unzipped, text(&page, &fill));
        assert!(unzipped.contains(r#"nonce="abc""#) && unzipped.contains("<p>42, You have"));
    }
}
