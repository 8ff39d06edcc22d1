//! `locallibrary-bench hold`: an unfriendly client's connections, held
//! open against a server for a while. Each connection sends half a header,
//! drips a header line every few seconds, sends half a body, trickles a
//! form's body a byte every 50 ms (each byte once kept a read buffer of
//! the server's), or makes one request and sits idle; when the server closes it, it is opened again at
//! once. A process of its own, several at a time: one process can hold only
//! as many connections as its open-file limit allows.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering::Relaxed},
        Arc,
    },
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    time::Instant,
};

/// Holds `connections` connections to `addr` (`HOST:PORT`) for `seconds`;
/// prints how many it opened in all.
pub async fn hold(addr: &str, connections: usize, seconds: u64) -> anyhow::Result<()> {
    raise_open_file_limit();
    let until = Instant::now() + Duration::from_secs(seconds);
    let opened = Arc::new(AtomicU64::new(0));
    let mut holders = Vec::with_capacity(connections);
    for n in 0..connections {
        let (addr, opened) = (addr.to_string(), Arc::clone(&opened));
        holders.push(tokio::spawn(async move {
            keep_open(&addr, Attack::ALL[n % Attack::ALL.len()], until, &opened).await
        }));
    }
    for holder in holders {
        holder.await?;
    }
    println!("opened {}", opened.load(Relaxed));
    Ok(())
}

#[derive(Clone, Copy)]
enum Attack {
    HalfHeader,
    DrippedHeader,
    HalfBody,
    TrickledBody,
    IdleAfterOneRequest,
}

impl Attack {
    const ALL: [Attack; 5] = [
        Attack::HalfHeader,
        Attack::DrippedHeader,
        Attack::HalfBody,
        Attack::TrickledBody,
        Attack::IdleAfterOneRequest,
    ];
}

async fn keep_open(addr: &str, attack: Attack, until: Instant, opened: &AtomicU64) {
    while Instant::now() < until {
        let Ok(mut stream) = TcpStream::connect(addr).await else {
            // Out of ports or descriptors for a moment: try again soon.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        opened.fetch_add(1, Relaxed);
        let _ = tokio::time::timeout_at(until, run(&mut stream, addr, attack)).await;
    }
}

/// Sends the attack's bytes, then waits until the server closes.
async fn run(stream: &mut TcpStream, addr: &str, attack: Attack) -> std::io::Result<()> {
    match attack {
        Attack::HalfHeader => {
            stream
                .write_all(format!("GET / HTTP/1.1\r\nHost: {addr}\r\n").as_bytes())
                .await?;
        }
        Attack::DrippedHeader => {
            stream.write_all(b"GET / HTTP/1.1\r\n").await?;
            loop {
                let closed = tokio::time::timeout(Duration::from_secs(5), closed(stream)).await;
                if closed.is_ok() {
                    return Ok(());
                }
                stream.write_all(b"X-Drip: 1\r\n").await?;
            }
        }
        Attack::HalfBody => {
            let head = format!(
                "POST /api/reset_visits HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\na="
            );
            stream.write_all(head.as_bytes()).await?;
        }
        Attack::TrickledBody => {
            // A sign-in form's body, one byte at a time, never finished.
            stream.set_nodelay(true)?;
            let head = format!(
                "POST /accounts/login HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 16000\r\n\r\n"
            );
            stream.write_all(head.as_bytes()).await?;
            loop {
                let closed = tokio::time::timeout(Duration::from_millis(50), closed(stream)).await;
                if closed.is_ok() {
                    return Ok(());
                }
                stream.write_all(b"a").await?;
            }
        }
        Attack::IdleAfterOneRequest => {
            stream
                .write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
                .await?;
        }
    }
    closed(stream).await;
    Ok(())
}

/// Reads (and drops) whatever comes until the server closes.
async fn closed(stream: &mut TcpStream) {
    let mut buffer = [0; 512];
    while let Ok(n) = stream.read(&mut buffer).await {
        if n == 0 {
            return;
        }
    }
}

/// Raises this process's soft open-file limit to its hard limit.
pub fn raise_open_file_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct given.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}
