//! What one connection is doing: whether it is reading a request's header,
//! answering a request, or idle between requests, and since when. Its
//! timeouts follow from that, and at the connection limit it decides which
//! connection may be closed to make room.

use std::{
    io,
    pin::Pin,
    sync::{
        atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering::Relaxed},
        Arc,
    },
    task::{Context, Poll},
    time::Duration,
};

use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpStream,
    sync::Notify,
    time::Instant,
};

use crate::config::ConnectionSettings;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for a request's header, or for the rest of it.
    Head,
    /// A request's header is in, its body still arriving.
    Body,
    /// Answering a request.
    Busy,
    /// Kept alive, with no request on it.
    Idle,
}

impl Phase {
    fn from_u8(value: u8) -> Phase {
        match value {
            0 => Phase::Head,
            1 => Phase::Body,
            2 => Phase::Busy,
            _ => Phase::Idle,
        }
    }
}

pub struct Activity {
    phase: AtomicU8,
    /// When the phase began, in milliseconds after `opened` (for an idle
    /// connection: when it last wrote, as it may still be sending the last
    /// response's body).
    since_ms: AtomicU64,
    opened: Instant,
    /// Whether the current request's body failed to arrive in time.
    body_late: AtomicBool,
    /// Whether anything has been read from the connection yet: until then,
    /// what the client sent (a whole request, perhaps, waiting behind other
    /// connections' tasks) is unknown.
    heard_from: AtomicBool,
    /// Whether the connection's task is serving it right now: a request it
    /// has just read may be on its way to being answered (not yet counted
    /// busy).
    in_hand: AtomicBool,
    /// What the connection is told: [`EVICTED`], [`CLOSING`].
    told: AtomicU8,
    /// Woken when its deadline moves earlier (a header starts after an
    /// idle spell) or it is told something. Not on every change of phase:
    /// a wake per request would cost the connection task two more polls
    /// and a new timer each time.
    pub changed: Notify,
}

/// Close now, to make room for another connection.
const EVICTED: u8 = 1;
/// The server is stopping: each request answered (the one in, and any
/// that comes) says it is the connection's last, then the connection
/// closes; an idle one closes after [`DRAIN_IDLE_SECS`].
const CLOSING: u8 = 2;

/// While the server stops, a connection idle this long is closed. Longer
/// than a proxy in front keeps an idle connection to the server
/// (deploy/nginx.conf: `keepalive_timeout 4s`), so that the proxy closes
/// it first: closed by the server, the proxy could be sending a request
/// on it that moment, which would be lost (a form post is not sent again).
pub const DRAIN_IDLE_SECS: u64 = 5;

impl Activity {
    /// A connection just opened: its first request's header is due.
    pub fn new() -> Activity {
        Activity {
            phase: AtomicU8::new(Phase::Head as u8),
            since_ms: AtomicU64::new(0),
            opened: Instant::now(),
            body_late: AtomicBool::new(false),
            heard_from: AtomicBool::new(false),
            in_hand: AtomicBool::new(false),
            told: AtomicU8::new(0),
            changed: Notify::new(),
        }
    }

    pub fn evict(&self) {
        self.tell(EVICTED);
    }

    pub fn close(&self) {
        self.tell(CLOSING);
    }

    fn tell(&self, what: u8) {
        self.told.fetch_or(what, Relaxed);
        self.changed.notify_one();
    }

    pub fn is_evicted(&self) -> bool {
        self.told.load(Relaxed) & EVICTED != 0
    }

    pub fn is_closing(&self) -> bool {
        self.told.load(Relaxed) & CLOSING != 0
    }

    pub fn phase(&self) -> Phase {
        Phase::from_u8(self.phase.load(Relaxed))
    }

    /// When the connection is to be closed, if nothing happens before;
    /// `None` while a request is in (its body has its own deadline, and
    /// the answer is the server's to give).
    pub fn deadline(&self, limits: &ConnectionSettings) -> Option<Instant> {
        let allowed = match self.phase() {
            Phase::Head => limits.header_timeout_secs,
            Phase::Body | Phase::Busy => return None,
            Phase::Idle if self.is_closing() => limits.idle_timeout_secs.min(DRAIN_IDLE_SECS),
            Phase::Idle => limits.idle_timeout_secs,
        };
        let since = Duration::from_millis(self.since_ms.load(Relaxed));
        Some(self.opened + since + Duration::from_secs(allowed))
    }

    /// When the connection's task should look at it next: its deadline,
    /// or (with a request in, which sets none and wakes nothing when it
    /// ends) a header's time from now.
    pub fn next_look(&self, limits: &ConnectionSettings) -> Instant {
        self.deadline(limits)
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(limits.header_timeout_secs))
    }

    /// Whether the connection's time has run out.
    pub fn has_expired(&self, limits: &ConnectionSettings) -> bool {
        self.deadline(limits)
            .is_some_and(|due| due <= Instant::now())
    }

    fn enter(&self, phase: Phase) {
        self.since_ms.store(self.elapsed_ms(), Relaxed);
        self.phase.store(phase as u8, Relaxed);
    }

    fn elapsed_ms(&self) -> u64 {
        self.opened.elapsed().as_millis() as u64
    }

    /// A request's header is in; its body, if it has one, is to come.
    pub fn request_started(&self, has_body: bool) {
        self.body_late.store(false, Relaxed);
        self.enter(if has_body { Phase::Body } else { Phase::Busy });
    }

    /// The request's body is all in: the request is being answered.
    pub fn body_arrived(&self) {
        if self.phase() == Phase::Body {
            self.phase.store(Phase::Busy as u8, Relaxed);
        }
    }

    /// The answer is out: idle until the next request. The connection's
    /// task is woken only if the idle time is the shorter (its next look,
    /// a header's time away at least, could then come too late).
    pub fn request_answered(&self, limits: &ConnectionSettings) {
        self.enter(Phase::Idle);
        if limits.idle_timeout_secs < limits.header_timeout_secs {
            self.changed.notify_one();
        }
    }

    pub fn body_was_late(&self) {
        self.body_late.store(true, Relaxed);
    }

    pub fn was_body_late(&self) -> bool {
        self.body_late.load(Relaxed)
    }

    /// The connection's task starts (`true`) or ends (`false`) a turn at
    /// serving it. Between reading a request and starting to answer it the
    /// connection is neither idle nor busy for a few microseconds, which
    /// under a flood of connections is long enough to be closed in.
    pub fn set_in_hand(&self, in_hand: bool) {
        self.in_hand.store(in_hand, Relaxed);
    }

    pub fn is_in_hand(&self) -> bool {
        self.in_hand.load(Relaxed)
    }

    pub fn was_heard_from(&self) -> bool {
        self.heard_from.load(Relaxed)
    }

    /// Bytes were read from the connection. A read that found nothing does
    /// not count: the request may arrive a moment later and then wait, with
    /// thousands of other connections' tasks ahead of it, to be read.
    pub fn read_some(&self) {
        if !self.heard_from.load(Relaxed) {
            self.heard_from.store(true, Relaxed);
        }
        // The first byte after an idle spell starts a header, and its clock.
        if self.phase() == Phase::Idle {
            self.enter(Phase::Head);
            self.changed.notify_one();
        }
    }

    fn wrote_some(&self) {
        if self.phase() == Phase::Idle {
            self.since_ms.store(self.elapsed_ms(), Relaxed);
        }
    }
}

/// A TCP stream that tells its connection's `Activity` when bytes move.
pub struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl Watched {
    pub fn new(stream: TcpStream, activity: Arc<Activity>) -> Watched {
        Watched { stream, activity }
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.activity.read_some();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.wrote_some();
        }
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.wrote_some();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;
    use tokio::{io::AsyncWriteExt, net::TcpListener};

    fn poll_once(watched: &mut Watched) -> Poll<io::Result<()>> {
        let mut bytes = [0; 64];
        let mut buf = ReadBuf::new(&mut bytes);
        Pin::new(watched).poll_read(&mut Context::from_waker(Waker::noop()), &mut buf)
    }

    #[tokio::test]
    async fn a_connection_is_heard_from_only_once_bytes_arrive() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (stream, _) = listener.accept().await.unwrap();
        let activity = Arc::new(Activity::new());
        let mut watched = Watched::new(stream, Arc::clone(&activity));
        // Read before the client sent anything: its request may yet come.
        assert!(poll_once(&mut watched).is_pending());
        assert!(!activity.was_heard_from());
        client.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        while poll_once(&mut watched).is_pending() {
            tokio::task::yield_now().await;
        }
        assert!(activity.was_heard_from());
    }
}
