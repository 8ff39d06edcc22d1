//! Slow, idle and surplus connections are closed on time, and a visitor is
//! answered while they are held (short limits configured for the test).

use std::time::{Duration, Instant};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::support::{browser, serve, spawn_app, spawn_app_with, ServerProcess, TestApp};

async fn spawn_app_with_limits(header: u64, body: u64, idle: u64, max: usize) -> TestApp {
    spawn_app_with(|settings| {
        let limits = &mut settings.connections;
        limits.header_timeout_secs = header;
        limits.body_timeout_secs = body;
        limits.idle_timeout_secs = idle;
        limits.max = max;
    })
    .await
}

/// A browser that opens a new connection for each request.
fn browser_without_keep_alive() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .expect("the server accepts a connection")
}

/// Reads until the server closes the connection (or `within` passes):
/// what it sent, and how long after `since` it closed.
async fn read_to_close(
    stream: &mut TcpStream,
    since: Instant,
    within: Duration,
) -> (String, Option<Duration>) {
    let mut received = Vec::new();
    let closed = tokio::time::timeout(within, async {
        let mut buffer = [0; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return since.elapsed(),
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await
    .ok();
    (String::from_utf8_lossy(&received).into_owned(), closed)
}

fn assert_on_time(closed: Option<Duration>, limit: Duration, what: &str) {
    let closed = closed.unwrap_or_else(|| panic!("{what}: still open"));
    assert!(
        closed >= limit.mul_f32(0.8) && closed < limit + Duration::from_millis(1500),
        "{what}: closed after {closed:?}, the limit being {limit:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_header_sent_in_part_or_dripped_is_closed_on_time() {
    let app = spawn_app_with_limits(1, 30, 60, 2048).await;

    let opened = Instant::now();
    let mut half = connect(&app).await;
    half.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();

    let mut silent = connect(&app).await;

    let mut dripping = connect(&app).await;
    let drip = tokio::spawn(async move {
        dripping.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        for line in 0..20 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let header = format!("X-Line-{line}: a\r\n");
            if dripping.write_all(header.as_bytes()).await.is_err() {
                break;
            }
        }
        read_to_close(&mut dripping, opened, Duration::from_secs(5)).await
    });

    let (sent, closed) = read_to_close(&mut half, opened, Duration::from_secs(5)).await;
    assert_on_time(closed, Duration::from_secs(1), "half a header");
    assert_eq!(sent, "", "nothing is answered to half a header");
    let (_, closed) = read_to_close(&mut silent, opened, Duration::from_secs(5)).await;
    assert_on_time(
        closed,
        Duration::from_secs(1),
        "a connection that sends nothing",
    );
    let (_, closed) = drip.await.unwrap();
    // Its lines kept coming, but the header was due a second after the first.
    assert_on_time(closed, Duration::from_secs(1), "a dripped header");

    let home = app.home(&browser()).await;
    assert_eq!(home.visits(), 1, "a visitor is served meanwhile");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_kept_alive_connection_is_closed_on_time_and_a_busy_one_is_not() {
    let app = spawn_app_with_limits(5, 30, 1, 2048).await;
    let mut stream = connect(&app).await;
    // Used every half second, for longer than the idle limit: kept open.
    for _ in 0..5 {
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .unwrap();
        let mut buffer = [0; 4096];
        let n = stream.read(&mut buffer).await.unwrap();
        let answer = String::from_utf8_lossy(&buffer[..n]).into_owned();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // Then left idle: closed after the idle limit (not the header's).
    let since = Instant::now() - Duration::from_millis(500);
    let (sent, closed) = read_to_close(&mut stream, since, Duration::from_secs(5)).await;
    assert_eq!(sent, "");
    assert_on_time(closed, Duration::from_secs(1), "an idle connection");
}

/// A POST to a server function whose body stops halfway: the connection
/// stays busy with it until the body's deadline.
async fn post_half_a_body(app: &TestApp) -> TcpStream {
    let mut stream = connect(app).await;
    let host = app.address.trim_start_matches("http://");
    let head = format!(
        "POST /api/reset_visits HTTP/1.1\r\nHost: {host}\r\nOrigin: {}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nconfirm=",
        app.address
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_stops_halfway_is_answered_408_on_time() {
    let app = spawn_app_with_limits(10, 1, 60, 2048).await;
    let sent = Instant::now();
    let mut stream = post_half_a_body(&app).await;
    let (answer, closed) = read_to_close(&mut stream, sent, Duration::from_secs(5)).await;
    assert_on_time(closed, Duration::from_secs(1), "half a body");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("did not arrive in time"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_connection_limit_a_new_visitor_is_still_answered() {
    let app = spawn_app_with_limits(30, 30, 60, 8).await;

    // Twenty connections that send half a header or half a body: more
    // than the limit, none of them a request the server can answer.
    let mut held = Vec::new();
    for n in 0..20 {
        if n % 2 == 0 {
            let mut stream = connect(&app).await;
            stream.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
            held.push(stream);
        } else {
            held.push(post_half_a_body(&app).await);
        }
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let home = app.home(&browser()).await;
    assert_eq!(home.visits(), 1);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "answered in {:?}",
        started.elapsed()
    );
    // The oldest gave way: fewer than the limit are still open.
    let mut still_open = 0;
    for stream in &mut held {
        let (_, closed) = read_to_close(stream, started, Duration::from_millis(100)).await;
        still_open += usize::from(closed.is_none());
    }
    assert!(
        still_open < 8,
        "{still_open} of 20 held connections still open"
    );
    drop(held);

    // With every connection answering a request (views waiting for a
    // database another process holds), a newcomer is told so at once. The
    // visitors open a connection per request: at the limit, a kept-alive
    // one of theirs would be closed to make room for the next visitor.
    let visitors: Vec<_> = (0..8).map(|_| browser_without_keep_alive()).collect();
    for visitor in &visitors {
        app.start_session(visitor).await;
    }
    let lock = app.hold_write_lock().await;
    let waiting = futures::future::join_all(visitors.iter().map(|visitor| app.home(visitor)));
    let newcomer = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let started = Instant::now();
        let response = browser().get(app.url("/")).send().await.unwrap();
        let answered = started.elapsed();
        lock.release().await;
        (response, answered)
    };
    let (waited, (response, answered)) = tokio::join!(waiting, newcomer);
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "1");
    assert!(response.text().await.unwrap().contains("busy"));
    assert!(
        answered < Duration::from_secs(1),
        "answered in {answered:?}"
    );
    for page in waited {
        assert_eq!(page.visits(), 3, "the busy ones were answered in the end");
    }
    assert_eq!(app.home(&browser()).await.visits(), 1, "served again");
}

/// Bodies sent a byte at a time, by many connections at once, cost the
/// server about what they sent: what arrives is gathered in one buffer per
/// body, not kept as views each holding hyper's whole read buffer (about
/// 8 KB a byte).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_trickled_a_byte_at_a_time_hold_no_more_memory_than_they_sent() {
    const CONNECTIONS: usize = 200;
    const BYTES: usize = 100;
    let app = spawn_app().await;
    let server = ServerProcess::start(serve(app.database_url())).await;
    let authority = server.address.trim_start_matches("http://").to_string();
    // One request first, so the baseline has what any request brings in.
    let warm = browser()
        .get(format!("{}/about", server.address))
        .send()
        .await
        .unwrap();
    assert_eq!(warm.status(), 200);
    let before = server.resident_bytes();

    let mut streams = Vec::new();
    for _ in 0..CONNECTIONS {
        let mut stream = TcpStream::connect(&authority).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let head = format!(
            "POST /accounts/login HTTP/1.1\r\nHost: {authority}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: 4000\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        streams.push(stream);
    }
    for _ in 0..BYTES {
        for stream in &mut streams {
            stream.write_all(b"a").await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Every byte in: the server has read them all by now.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let grown = server.resident_bytes().saturating_sub(before);
    // 20,000 bytes sent in all; a buffer kept per byte would be ~160 MB.
    assert!(
        grown < 24 * 1024 * 1024,
        "the server grew by {} KiB while {CONNECTIONS} connections trickled {BYTES} bytes each",
        grown / 1024
    );
    drop(streams);
}
