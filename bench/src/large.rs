//! The large-catalog section: a catalog of 100,000 books (the generator's
//! `--scale huge`), loaded by `locallibrary load-catalog` into a new SQLite
//! file (timed, its peak memory sampled), then searches and list pages at
//! 16 connections on a server over it. Every request there is a fresh
//! render: each address carries a parameter the page ignores, different
//! on every request, so no kept page answers it and every figure is the
//! database's work.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use reqwest::Client;
use tokio::process::Command;

use crate::{
    locallibrary::Build,
    servers::{vm_hwm_kib, PeakRss},
    wrk::{self, LoadShape, WrkResult},
};

pub const SCALE: &str = "huge";
pub const CONNECTIONS: u32 = 16;
/// The most a page may take, 99 times in 100, at [`CONNECTIONS`].
pub const P99_GOAL_MS: f64 = 20.0;
pub const LOAD_GOAL: Duration = Duration::from_secs(60);
pub const LOAD_RSS_GOAL_MIB: u64 = 128;

/// What is asked for, and how the report names it.
pub const PAGES: [(&str, &str); 6] = [
    ("a search that matches", "/books?q=cartographer+cyril"),
    ("a search that matches nothing", "/books?q=qzxv+wyrtle"),
    ("books, page 1", "/books"),
    ("books, page 5,000", "/books?page=5000"),
    ("authors, page 1", "/authors"),
    ("authors, page 3,000 (the last)", "/authors?page=3000"),
];

/// wrk's request maker: the page's address with `fresh=N`, N new on every
/// request of every thread.
const FRESH: &str = r#"
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("first", threads * 1000000000)
end
function init(args)
  n = first
end
function request()
  n = n + 1
  local separator = "?"
  if string.find(wrk.path, "?", 1, true) then separator = "&" end
  return wrk.format(nil, wrk.path .. separator .. "fresh=" .. string.format("%d", n))
end
"#;

pub struct LargeCatalog {
    pub file_bytes: u64,
    pub loaded: String,
    pub load_time: Duration,
    pub load_rss: PeakRss,
    /// Each of [`PAGES`], in order.
    pub pages: Vec<WrkResult>,
}

pub async fn run(
    build: &Build,
    generator: &Path,
    work: &Path,
    client: &Client,
    shape: LoadShape,
) -> anyhow::Result<LargeCatalog> {
    let catalog = work.join(format!("catalog-{SCALE}.json"));
    let generated = Command::new("python3")
        .arg(generator)
        .args(["--scale", SCALE, "-o"])
        .arg(&catalog)
        .output()
        .await
        .context("cannot run the catalog generator")?;
    if !generated.status.success() {
        bail!(
            "the catalog generator failed: {}",
            String::from_utf8_lossy(&generated.stderr)
        );
    }
    let file_bytes = std::fs::metadata(&catalog)?.len();

    let database = format!("sqlite://{}", work.join("large.sqlite3").display());
    let started = Instant::now();
    let (loaded, load_rss) = load(build, &database, &catalog).await?;
    let load_time = started.elapsed();
    println!(
        "  {loaded} in {:.1} s, peak RSS {:.1} MiB",
        load_time.as_secs_f64(),
        load_rss.mib()
    );

    let script = work.join("fresh.lua");
    std::fs::write(&script, FRESH)?;
    let server = build.serve(&database, client).await?;
    let mut pages = Vec::new();
    for (name, path) in PAGES {
        let url = format!("{}{path}", server.url());
        // Each must be a page of the catalog, not an error page.
        crate::http::get_ok(client, &url, None)
            .await
            .with_context(|| format!("{name}: {path}"))?;
        let result = wrk::measure_with(&url, CONNECTIONS, &[], Some(&script), shape).await?;
        println!(
            "  {name}: {:.0} req/s, p99 {:.1} ms, {} errors",
            result.requests_per_sec,
            result.p99_ms,
            result.errors()
        );
        pages.push(result);
    }
    Ok(LargeCatalog {
        file_bytes,
        loaded,
        load_time,
        load_rss,
        pages,
    })
}

/// Runs `locallibrary load-catalog`, sampling its peak memory until it
/// exits; returns its summary line.
async fn load(
    build: &Build,
    database_url: &str,
    catalog: &Path,
) -> anyhow::Result<(String, PeakRss)> {
    let catalog_arg = catalog.to_str().context("catalog path is not UTF-8")?;
    let child = build
        .command(database_url, &["load-catalog", catalog_arg])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .context("cannot run locallibrary load-catalog")?;
    let pid = child.id().context("the loader has no pid")?;
    let output = child.wait_with_output();
    tokio::pin!(output);
    let mut peak = 0;
    let output = loop {
        tokio::select! {
            output = &mut output => break output?,
            () = tokio::time::sleep(Duration::from_millis(20)) => {
                if let Ok(kib) = vm_hwm_kib(pid) {
                    peak = peak.max(kib);
                }
            }
        }
    };
    if !output.status.success() {
        bail!(
            "locallibrary load-catalog failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok((
        String::from_utf8_lossy(&output.stdout).trim().to_string(),
        PeakRss {
            kib: peak,
            processes: 1,
        },
    ))
}
