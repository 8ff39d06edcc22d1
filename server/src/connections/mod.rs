//! Serving connections, within the limits of `[connections]` in
//! `Leptos.toml`: a header, a body and an idle spell each have a time
//! limit, and open connections a number. (axum::serve has neither: a
//! client that opens connections and sends nothing holds them for ever,
//! until the process runs out of file descriptors.)
//!
//! hyper serves each connection; what is kept here is what neither it nor
//! tower-http measures as these limits mean. hyper's `header_read_timeout`
//! starts as soon as it waits for a request, so on a kept-alive connection
//! it is also the idle limit (10 s in place of 60, or 60 s for a header
//! dripped a byte at a time); tower-http's body timeout allows that long
//! between two pieces of a body, so a body dripped a byte a second never
//! times out. Both are deadlines for the whole here ([`activity`],
//! [`body`]), and the connection limit closes the oldest idle connection
//! to admit a new one ([`open`], unit-tested).

mod activity;
mod body;
mod open;

use std::{
    convert::Infallible, future::Future, io, net::SocketAddr, pin::pin, sync::Arc, time::Duration,
};

use axum::{
    body::Body,
    http::{Request, Response},
    Router,
};
use hyper::{body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::rt::TokioIo;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpSocket, TcpStream},
    time::Instant,
};
use tower::ServiceExt;

use crate::config::ConnectionSettings;
use activity::{Activity, Watched};
use open::{Admitted, OpenConnections};

/// Limits for the unit tests of the connections' bookkeeping.
#[cfg(test)]
const LIMITS: ConnectionSettings = ConnectionSettings {
    header_timeout_secs: 10,
    body_timeout_secs: 30,
    idle_timeout_secs: 60,
    max: 3,
    drain_secs: 30,
};

/// The largest request header accepted (beyond it: 431), room for the
/// longest search's address several times over. Also what one connection
/// may buffer: with `connections.max` at 2048, 64 MB at the very most.
const MAX_HEADER_BYTES: usize = 32 * 1024;

/// File descriptors kept for what is not a client connection (the
/// database, static files, the log).
const RESERVED_FDS: u64 = 256;

/// Connections the system may hold for the server before it accepts them
/// (Linux caps it at `net.core.somaxconn`, 4096 by default): room for a
/// burst, so that a visitor's connection is not dropped behind a flood's
/// (a dropped SYN is retried only after a second).
const BACKLOG: u32 = 4096;

/// Listens on `addr` (port 0: a free port).
pub fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// Raises the process's open-file limit as far as the system allows and
/// returns how many connections it leaves room for, at most `configured`.
pub fn capacity(configured: usize) -> usize {
    let limit = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(error) => {
            tracing::warn!(%error, "cannot raise the open-file limit");
            return configured;
        }
    };
    let room = limit.saturating_sub(RESERVED_FDS).max(1);
    if (configured as u64) > room {
        tracing::warn!(
            configured,
            open_file_limit = limit,
            "connections.max lowered to {room}: the open-file limit allows no more"
        );
        room as usize
    } else {
        configured
    }
}

/// Serves `router` on `listener` until `shutdown` completes; then stops
/// taking connections and lets those open finish for up to `drain`: each
/// request in, and each that comes, is answered as its connection's last.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionSettings,
    drain: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let open = OpenConnections::new(limits.max);
    let mut shutdown = pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        take(stream, &open, &router, limits);
        // The connection just opened (and one closed to make room) run
        // before the next is taken: under a flood of connections, taking
        // them as fast as they come would queue thousands of tasks ahead
        // of a visitor's, unread until a newer one closed it.
        tokio::task::yield_now().await;
    }
    // Connections the system accepted for the server and it had not yet
    // taken are served too: closing the listener would reset them, and
    // the request a proxy may have sent on one would be lost.
    while let Some(Ok((stream, _))) = already_waiting(&listener).await {
        take(stream, &open, &router, limits);
    }
    drop(listener);
    tracing::info!(
        connections = open.len(),
        "stopping: no new connections; finishing what is open"
    );
    if tokio::time::timeout(drain, open.close_all()).await.is_err() {
        tracing::warn!(
            connections = open.len(),
            "stopped after [connections] drain-secs with connections still open"
        );
    }
}

/// Serves `stream` if there is room for it, else turns it away.
fn take(
    stream: TcpStream,
    open: &Arc<OpenConnections>,
    router: &Router,
    limits: ConnectionSettings,
) {
    match open.admit() {
        Some(admitted) => {
            tokio::spawn(connection(stream, admitted, router.clone(), limits));
        }
        None => {
            metrics::counter!("locallibrary_connections_refused_total").increment(1);
            tokio::spawn(shed(stream));
        }
    }
}

/// A connection waiting to be accepted now, if there is one.
async fn already_waiting(listener: &TcpListener) -> Option<io::Result<(TcpStream, SocketAddr)>> {
    std::future::poll_fn(|cx| match listener.poll_accept(cx) {
        std::task::Poll::Ready(accepted) => std::task::Poll::Ready(Some(accepted)),
        std::task::Poll::Pending => std::task::Poll::Ready(None),
    })
    .await
}

async fn accept_failed(error: io::Error) {
    use io::ErrorKind::*;
    // The client gave up before it was accepted: nothing to do.
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    // Out of file descriptors or memory: give what is open time to close.
    tracing::warn!(%error, "cannot accept a connection");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// Turns a connection away at once when every open one is answering a
/// request: a 503 once its request's header is in (a client is not ready
/// for an answer before it has asked), then a short wait for the client to
/// finish so the close does not become a reset that loses the answer. A
/// second at most in all.
async fn shed(mut stream: TcpStream) {
    const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
        content-type: text/plain; charset=utf-8\r\n\
        retry-after: 1\r\n\
        connection: close\r\n\
        content-length: 50\r\n\r\n\
        The server is busy. Please try again in a moment.\n";
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        let mut buffer = [0; 2048];
        let mut head = Vec::new();
        while !head.windows(4).any(|end| end == b"\r\n\r\n") && head.len() < MAX_HEADER_BYTES {
            let n = stream.read(&mut buffer).await?;
            if n == 0 {
                return Ok(());
            }
            head.extend_from_slice(&buffer[..n]);
        }
        stream.write_all(BUSY).await?;
        stream.shutdown().await?;
        while stream.read(&mut buffer).await? > 0 {}
        io::Result::Ok(())
    })
    .await;
}

/// One connection, closed when its header, body or idle time runs out,
/// when it must make room for another, or when the server stops.
async fn connection(
    stream: TcpStream,
    admitted: Admitted,
    router: Router,
    limits: ConnectionSettings,
) {
    // Small responses must not wait for a delayed ACK (~40 ms on Linux).
    if let Err(error) = stream.set_nodelay(true) {
        tracing::warn!(%error, "cannot set TCP_NODELAY");
    }
    let peer = stream.peer_addr().ok();
    let activity = Arc::clone(&admitted.activity);
    let io = TokioIo::new(Watched::new(stream, Arc::clone(&activity)));
    let answering = Arc::clone(&activity);
    let service = service_fn(move |mut request: Request<Incoming>| {
        // Who is asking, for the sign-in throttle (`forms`).
        if let Some(peer) = peer {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
        }
        answer(router.clone(), Arc::clone(&answering), limits, request)
    });
    let mut served = pin!(http1::Builder::new()
        .max_buf_size(MAX_HEADER_BYTES)
        .serve_connection(io, service));
    loop {
        let look = activity.next_look(&limits);
        // Its turn at serving the connection marked, so that no other
        // connection's arrival closes it halfway through one.
        let serving = std::future::poll_fn(|cx| {
            activity.set_in_hand(true);
            let polled = served.as_mut().poll(cx);
            activity.set_in_hand(false);
            polled
        });
        tokio::select! {
            biased;
            _ = serving => break,
            () = activity.changed.notified() => {}
            () = tokio::time::sleep_until(look) => {}
        }
        if activity.is_evicted() || activity.has_expired(&limits) {
            break;
        }
        // Stopping: the answers say `Connection: close` ([`answer`]), after
        // which hyper closes; an idle connection lasts until its shortened
        // idle time is up (`Activity::deadline`).
    }
    drop(admitted);
}

async fn answer(
    router: Router,
    activity: Arc<Activity>,
    limits: ConnectionSettings,
    request: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let has_body = body::has_body(request.body());
    activity.request_started(has_body);
    let request = if has_body {
        let due = Instant::now() + Duration::from_secs(limits.body_timeout_secs);
        let activity = Arc::clone(&activity);
        request.map(|incoming| body::wrap(incoming, due, activity))
    } else {
        request.map(Body::new)
    };
    let response = match router.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let mut response = if activity.was_body_late() {
        body::too_late()
    } else {
        response
    };
    if activity.is_closing() {
        // The server is stopping: the client (a proxy) sends nothing more
        // on this connection once it has this answer.
        response.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
    }
    Ok(body::answering(response, activity, limits))
}
