//! The hostile section: an unfriendly client's attacks on loopback,
//! bounded in count and time, against LocalLibrary's release build on the
//! SQLite database of its own run (the default catalog, `Leptos.toml`'s
//! settings), each on a server started for it.
//!
//! - **Held connections**: [`HELD`] connections that send half a header,
//!   drip a header line every 5 s, send half a body, trickle a form's body
//!   a byte every 50 ms, or sit idle after one request, each opened again as soon as the server closes it, for
//!   [`HOLD`]; meanwhile a new visitor (a new connection, with a session
//!   cookie) asks for `/` ten times a second.
//! - **A cookieless flood**: at least [`FLOOD_VIEWS`] views of `/` without
//!   a cookie (wrk, 64 connections), then the session rows they left.
//! - **A purge**: [`BACKLOG`] sessions that have ended, each with its state
//!   row, stored before the server starts; it purges them as it starts,
//!   while four returning visitors view `/` one request after another.

use std::{
    path::Path,
    process::Stdio,
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use reqwest::{Client, StatusCode};
use sqlx::{Connection, SqliteConnection};
use tokio::process::Command;

use crate::{
    http,
    locallibrary::Build,
    servers::{vm_hwm_kib, PeakRss},
    wrk::{self, LoadShape},
};

/// Hostile connections held at once (in [`HOLDERS`] processes).
pub const HELD: usize = 20_000;
/// Processes holding them: each can hold only as many as its open-file
/// limit allows.
pub const HOLDERS: usize = 4;
pub const HOLD: Duration = Duration::from_secs(25);
pub const FLOOD_VIEWS: u64 = 1_000_000;
pub const BACKLOG: u64 = 1_000_000;

/// Response times, in the order they came.
#[derive(Debug, Clone, Default)]
pub struct Latencies(pub Vec<Duration>);

impl Latencies {
    pub fn count(&self) -> usize {
        self.0.len()
    }

    /// The `q`-quantile (0.5: the median), in milliseconds.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        let mut sorted = self.0.clone();
        sorted.sort();
        let Some(last) = sorted.len().checked_sub(1) else {
            return f64::NAN;
        };
        let at = ((last as f64) * q).round() as usize;
        sorted[at].as_secs_f64() * 1000.0
    }

    pub fn max_ms(&self) -> f64 {
        self.quantile_ms(1.0)
    }
}

#[derive(Debug, Clone)]
pub struct Held {
    pub connections: usize,
    /// Connections the attackers opened in all (each closed one is opened
    /// again).
    pub opened: u64,
    pub hold: Duration,
    pub visitor: Latencies,
    pub visitor_failures: Vec<String>,
    /// The most descriptors the server had open at once (sampled each
    /// half second): its connections, plus a few dozen of its own.
    pub most_server_fds: usize,
    pub peak_rss: PeakRss,
}

#[derive(Debug, Clone)]
pub struct Flood {
    pub views: u64,
    pub seconds: u64,
    pub failed: u64,
    pub rows_before: i64,
    pub rows_after: i64,
}

#[derive(Debug, Clone)]
pub struct Purge {
    pub backlog: u64,
    /// From starting the server to its first answer to `/`.
    pub first_answer: Duration,
    /// From starting the server to the backlog's last row gone.
    pub purged_after: Duration,
    pub views: Latencies,
    pub unavailable: u64,
    pub other_failures: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Hostile {
    pub held: Held,
    pub flood: Flood,
    pub purge: Purge,
}

/// Runs the three attacks in turn against `build` on the SQLite database
/// `database` (a file path), the server's own `session_cookie` (for a
/// returning visitor), and `flood_rate`, the req/s LocalLibrary made on
/// `/` without a cookie (to size the flood).
pub async fn run(
    build: &Build,
    database: &Path,
    client: &Client,
    flood_rate: f64,
) -> anyhow::Result<Hostile> {
    let url = format!("sqlite://{}", database.display());
    step("held connections");
    let held = held_connections(build, &url, client).await?;
    step("cookieless flood");
    let flood = flood(build, &url, database, client, flood_rate).await?;
    step("purge of a backlog");
    let purge = purge(build, &url, database, client).await?;
    Ok(Hostile { held, flood, purge })
}

fn step(name: &str) {
    println!("  hostile: {name}");
}

async fn held_connections(build: &Build, url: &str, client: &Client) -> anyhow::Result<Held> {
    let mut server = build.serve(url, client).await?;
    let home = format!("{}/", server.url());
    let cookie = Build::session_cookie(client, &home).await?;
    let addr = server.url().trim_start_matches("http://").to_string();
    let pid = server.pid()?;

    let per_holder = HELD / HOLDERS;
    let mut holders = Vec::new();
    for _ in 0..HOLDERS {
        holders.push(
            Command::new(std::env::current_exe().context("cannot find the driver's binary")?)
                .args(["hold", "--addr", &addr])
                .args(["--connections", &per_holder.to_string()])
                .args(["--seconds", &HOLD.as_secs().to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .context("cannot start an attacker")?,
        );
    }
    // A new visitor every tenth of a second, each on a connection of its
    // own, from a second after the attack began until a second before it
    // ends; the server's descriptors watched meanwhile.
    let fresh = Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(10))
        .build()?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let visiting_until = Instant::now() + HOLD - Duration::from_secs(2);
    let mut visits = Vec::new();
    let mut most_server_fds = 0;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut n = 0u64;
    while Instant::now() < visiting_until {
        tick.tick().await;
        n += 1;
        if n.is_multiple_of(5) {
            most_server_fds = most_server_fds.max(open_fds(pid));
        }
        let (fresh, home, cookie) = (fresh.clone(), home.clone(), cookie.clone());
        visits.push(tokio::spawn(async move {
            let asked = Instant::now();
            let page = http::get(&fresh, &home, Some(&cookie)).await;
            match page {
                Ok(page) if page.status == StatusCode::OK => Ok(asked.elapsed()),
                Ok(page) => Err(format!("{} after {:?}", page.status, asked.elapsed())),
                Err(err) => Err(format!("{err:#} after {:?}", asked.elapsed())),
            }
        }));
    }
    let mut visitor = Latencies::default();
    let mut visitor_failures = Vec::new();
    for visit in visits {
        match visit.await? {
            Ok(took) => visitor.0.push(took),
            Err(failure) => visitor_failures.push(failure),
        }
    }
    let mut opened = 0;
    for holder in holders {
        let output = holder.wait_with_output().await?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        opened += stdout
            .trim()
            .strip_prefix("opened ")
            .and_then(|n| n.parse::<u64>().ok())
            .with_context(|| {
                format!(
                    "an attacker failed ({}): {stdout}{}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr)
                )
            })?;
    }
    server.check_running()?;
    let peak_rss = PeakRss {
        kib: vm_hwm_kib(pid)?,
        processes: 1,
    };
    server.stop();
    let held = Held {
        connections: per_holder * HOLDERS,
        opened,
        hold: HOLD,
        visitor,
        visitor_failures,
        most_server_fds,
        peak_rss,
    };
    println!(
        "    {} held ({} opened in all): visitor p50 {:.1} ms, max {:.1} ms, {} failed; server \
         fds at most {}, peak RSS {:.1} MiB",
        held.connections,
        held.opened,
        held.visitor.quantile_ms(0.5),
        held.visitor.max_ms(),
        held.visitor_failures.len(),
        held.most_server_fds,
        held.peak_rss.mib()
    );
    Ok(held)
}

/// Descriptors the process has open (0 if /proc does not tell).
fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, Iterator::count)
}

async fn flood(
    build: &Build,
    url: &str,
    database: &Path,
    client: &Client,
    flood_rate: f64,
) -> anyhow::Result<Flood> {
    let rows_before = session_rows(database).await?;
    let mut server = build.serve(url, client).await?;
    // Long enough for the views asked for at the rate measured before,
    // with a margin; wrk says how many it made.
    let seconds = ((FLOOD_VIEWS as f64 * 1.2) / flood_rate.max(1000.0))
        .ceil()
        .min(300.0) as u64;
    let shape = LoadShape {
        threads: 2,
        warmup: Duration::ZERO,
        duration: Duration::from_secs(seconds),
    };
    let result = wrk::measure(&format!("{}/", server.url()), 64, &[], shape).await?;
    server.check_running()?;
    server.stop();
    let rows_after = session_rows(database).await?;
    let flood = Flood {
        views: result.requests,
        seconds,
        failed: result.errors(),
        rows_before,
        rows_after,
    };
    println!(
        "    {} views in {} s ({} failed): session rows {} before, {} after",
        flood.views, flood.seconds, flood.failed, flood.rows_before, flood.rows_after
    );
    Ok(flood)
}

async fn session_rows(database: &Path) -> anyhow::Result<i64> {
    let mut conn = open(database).await?;
    let rows = sqlx::query_scalar("SELECT COUNT(*) FROM tower_sessions")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    Ok(rows)
}

async fn open(database: &Path) -> anyhow::Result<SqliteConnection> {
    SqliteConnection::connect(&format!("sqlite://{}", database.display()))
        .await
        .with_context(|| format!("cannot open {}", database.display()))
}

/// Four returning visitors at once, one view after another each.
const PURGE_VISITORS: usize = 4;

async fn purge(
    build: &Build,
    url: &str,
    database: &Path,
    client: &Client,
) -> anyhow::Result<Purge> {
    // The visitors' sessions, made on a server of their own first.
    let cookies = {
        let server = build.serve(url, client).await?;
        let home = format!("{}/", server.url());
        let mut cookies = Vec::new();
        for _ in 0..PURGE_VISITORS {
            cookies.push(Build::session_cookie(client, &home).await?);
        }
        server.stop();
        cookies
    };
    store_backlog(database).await?;

    let started = Instant::now();
    let server = build.serve(url, client).await?;
    let home = format!("{}/", server.url());
    http::get_ok(client, &home, Some(&cookies[0])).await?;
    let first_answer = started.elapsed();

    let done = tokio::sync::watch::channel(false);
    let mut visitors = Vec::new();
    for cookie in cookies {
        let (client, home, mut done) = (client.clone(), home.clone(), done.1.clone());
        visitors.push(tokio::spawn(async move {
            let mut views = Vec::new();
            let mut unavailable = 0;
            let mut failures = Vec::new();
            while !*done.borrow_and_update() {
                let asked = Instant::now();
                match http::get(&client, &home, Some(&cookie)).await {
                    Ok(page) if page.status == StatusCode::OK => views.push(asked.elapsed()),
                    Ok(page) if page.status == StatusCode::SERVICE_UNAVAILABLE => unavailable += 1,
                    Ok(page) => failures.push(page.status.to_string()),
                    Err(err) => failures.push(format!("{err:#}")),
                }
            }
            (views, unavailable, failures)
        }));
    }
    let purged_after = loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        if expired_rows(database).await? == 0 {
            break started.elapsed();
        }
        if started.elapsed() > Duration::from_secs(300) {
            bail!("the backlog was not purged within 300 s");
        }
    };
    done.0.send_replace(true);
    let mut purge = Purge {
        backlog: BACKLOG,
        first_answer,
        purged_after,
        views: Latencies::default(),
        unavailable: 0,
        other_failures: Vec::new(),
    };
    for visitor in visitors {
        let (views, unavailable, failures) = visitor.await?;
        purge.views.0.extend(views);
        purge.unavailable += unavailable;
        purge.other_failures.extend(failures);
    }
    server.stop();
    println!(
        "    {} expired: first answer after {:.0} ms, purged after {:.1} s; {} views, p99 {:.1} \
         ms, max {:.1} ms, {} answered 503, {} other failures",
        purge.backlog,
        purge.first_answer.as_secs_f64() * 1000.0,
        purge.purged_after.as_secs_f64(),
        purge.views.count(),
        purge.views.quantile_ms(0.99),
        purge.views.max_ms(),
        purge.unavailable,
        purge.other_failures.len()
    );
    Ok(purge)
}

/// Stores [`BACKLOG`] sessions that ended a second ago, with their state
/// rows, as a busy site's ended sessions are.
async fn store_backlog(database: &Path) -> anyhow::Result<()> {
    let mut conn = open(database).await?;
    let ended = time_millis() - 1000;
    let mut tx = conn.begin().await?;
    sqlx::query(
        "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO tower_sessions (id, data, expiry_date)
         SELECT 'ended-' || i, CAST('{}' AS BLOB), $2 FROM n",
    )
    .bind(BACKLOG as i64)
    .bind(ended)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO session_state (session_id, visits, confirmed, created_at)
         SELECT id, 3, TRUE, 0 FROM tower_sessions WHERE id LIKE 'ended-%'",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    conn.close().await?;
    Ok(())
}

async fn expired_rows(database: &Path) -> anyhow::Result<i64> {
    let mut conn = open(database).await?;
    let rows = sqlx::query_scalar("SELECT COUNT(*) FROM tower_sessions WHERE expiry_date <= $1")
        .bind(time_millis())
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    Ok(rows)
}

fn time_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as i64)
}
