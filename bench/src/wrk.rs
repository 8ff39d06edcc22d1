//! Runs wrk and reads its report.

use std::{path::Path, process::Stdio, time::Duration};

use anyhow::{bail, Context};
use tokio::process::Command;

/// How every load run is shaped, so that all servers get the same.
#[derive(Debug, Clone, Copy)]
pub struct LoadShape {
    pub threads: u32,
    pub warmup: Duration,
    pub duration: Duration,
}

/// What one measured wrk run reported.
#[derive(Debug, Clone, PartialEq)]
pub struct WrkResult {
    pub requests: u64,
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub socket_errors: SocketErrors,
    /// Responses whose status was neither 2xx nor 3xx.
    pub bad_status: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SocketErrors {
    pub connect: u64,
    pub read: u64,
    pub write: u64,
    pub timeout: u64,
}

impl SocketErrors {
    pub fn total(&self) -> u64 {
        self.connect + self.read + self.write + self.timeout
    }
}

impl WrkResult {
    /// Every failed request: socket errors of each kind and bad statuses.
    pub fn errors(&self) -> u64 {
        self.socket_errors.total() + self.bad_status
    }
}

/// A warm-up run (its report discarded: it fills caches, pools and the
/// page cache), then the measured run.
pub async fn measure(
    url: &str,
    connections: u32,
    headers: &[String],
    shape: LoadShape,
) -> anyhow::Result<WrkResult> {
    measure_with(url, connections, headers, None, shape).await
}

/// As [`measure`], with wrk running the Lua `script` (a file) to make
/// each request.
pub async fn measure_with(
    url: &str,
    connections: u32,
    headers: &[String],
    script: Option<&Path>,
    shape: LoadShape,
) -> anyhow::Result<WrkResult> {
    if !shape.warmup.is_zero() {
        run(
            url,
            connections,
            headers,
            script,
            shape.threads,
            shape.warmup,
        )
        .await
        .context("wrk warm-up run")?;
    }
    let output = run(
        url,
        connections,
        headers,
        script,
        shape.threads,
        shape.duration,
    )
    .await?;
    parse(&output).with_context(|| format!("cannot read wrk's report:\n{output}"))
}

/// wrk's stdout for one run.
async fn run(
    url: &str,
    connections: u32,
    headers: &[String],
    script: Option<&Path>,
    threads: u32,
    duration: Duration,
) -> anyhow::Result<String> {
    let mut command = Command::new("wrk");
    command
        .arg(format!("-t{threads}"))
        .arg(format!("-c{connections}"))
        // wrk takes whole seconds; a zero duration would run for its default.
        .arg(format!("-d{}s", duration.as_secs().max(1)))
        .arg("--latency");
    if let Some(script) = script {
        command.arg("-s").arg(script);
    }
    for header in headers {
        command.arg("-H").arg(header);
    }
    command
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let output = command
        .output()
        .await
        .context("cannot run wrk (is it installed?)")?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!(
            "wrk -c{connections} {url} failed ({}): {}{}",
            output.status,
            stdout,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(stdout)
}

/// Reads the figures out of wrk's `--latency` report.
pub fn parse(report: &str) -> anyhow::Result<WrkResult> {
    let mut requests = None;
    let mut requests_per_sec = None;
    let mut p50_ms = None;
    let mut p99_ms = None;
    let mut socket_errors = SocketErrors::default();
    let mut bad_status = 0;
    for line in report.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("Requests/sec:") {
            requests_per_sec = Some(
                rest.trim()
                    .parse::<f64>()
                    .with_context(|| format!("bad Requests/sec line {line:?}"))?,
            );
        } else if let Some((count, _)) = line.split_once(" requests in ") {
            requests = Some(
                count
                    .parse::<u64>()
                    .with_context(|| format!("bad request count line {line:?}"))?,
            );
        } else if let Some(rest) = line.strip_prefix("50%") {
            p50_ms = Some(milliseconds(rest.trim())?);
        } else if let Some(rest) = line.strip_prefix("99%") {
            p99_ms = Some(milliseconds(rest.trim())?);
        } else if let Some(rest) = line.strip_prefix("Socket errors:") {
            socket_errors = parse_socket_errors(rest)?;
        } else if let Some(rest) = line.strip_prefix("Non-2xx or 3xx responses:") {
            bad_status = rest
                .trim()
                .parse()
                .with_context(|| format!("bad status count line {line:?}"))?;
        }
    }
    Ok(WrkResult {
        requests: requests.context("no request count")?,
        requests_per_sec: requests_per_sec.context("no Requests/sec")?,
        p50_ms: p50_ms.context("no 50% latency (was --latency given?)")?,
        p99_ms: p99_ms.context("no 99% latency (was --latency given?)")?,
        socket_errors,
        bad_status,
    })
}

/// "connect 0, read 0, write 0, timeout 16"
fn parse_socket_errors(text: &str) -> anyhow::Result<SocketErrors> {
    let mut errors = SocketErrors::default();
    for part in text.split(',') {
        let (kind, count) = part
            .trim()
            .split_once(' ')
            .with_context(|| format!("bad socket error entry {part:?}"))?;
        let count: u64 = count
            .trim()
            .parse()
            .with_context(|| format!("bad socket error count {part:?}"))?;
        match kind {
            "connect" => errors.connect = count,
            "read" => errors.read = count,
            "write" => errors.write = count,
            "timeout" => errors.timeout = count,
            other => bail!("unknown socket error kind {other:?}"),
        }
    }
    Ok(errors)
}

/// wrk prints times as a number and one of us, ms, s, m, h.
fn milliseconds(text: &str) -> anyhow::Result<f64> {
    // Longest suffixes first: "ms" and "us" also end in "s".
    const UNITS: [(&str, f64); 5] = [
        ("us", 1e-3),
        ("ms", 1.0),
        ("s", 1e3),
        ("m", 60e3),
        ("h", 3600e3),
    ];
    for (unit, factor) in UNITS {
        if let Some(number) = text.strip_suffix(unit) {
            let value: f64 = number
                .parse()
                .with_context(|| format!("bad time {text:?}"))?;
            return Ok(value * factor);
        }
    }
    bail!("time without a unit: {text:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn reads_a_clean_run() {
        let result = parse(include_str!("../testdata/wrk-cookie.txt")).unwrap();
        assert_eq!(result.requests, 2080);
        assert!(close(result.requests_per_sec, 692.27));
        assert!(close(result.p50_ms, 21.32));
        assert!(close(result.p99_ms, 64.30));
        assert_eq!(result.socket_errors, SocketErrors::default());
        assert_eq!(result.errors(), 0);
    }

    #[test]
    fn reads_socket_errors_and_bad_statuses() {
        let result = parse(include_str!("../testdata/wrk-errors.txt")).unwrap();
        assert_eq!(result.requests, 187);
        assert!(close(result.requests_per_sec, 60.17));
        assert_eq!(
            result.socket_errors,
            SocketErrors {
                connect: 0,
                read: 0,
                write: 0,
                timeout: 16
            }
        );
        assert_eq!(result.bad_status, 18);
        assert_eq!(result.errors(), 34);
    }

    #[test]
    fn reads_microsecond_latencies() {
        let result = parse(include_str!("../testdata/wrk-fast.txt")).unwrap();
        assert!(close(result.p50_ms, 0.141), "{result:?}");
        assert!(close(result.p99_ms, 29.35), "{result:?}");
        assert_eq!(result.requests, 51992);
    }

    #[test]
    fn converts_every_unit() {
        assert!(close(milliseconds("512.00us").unwrap(), 0.512));
        assert!(close(milliseconds("4.31ms").unwrap(), 4.31));
        assert!(close(milliseconds("1.50s").unwrap(), 1500.0));
        assert!(close(milliseconds("2.00m").unwrap(), 120_000.0));
        assert!(milliseconds("12.0").is_err());
    }

    #[test]
    fn refuses_a_report_without_latencies() {
        let without: String = include_str!("../testdata/wrk-cookie.txt")
            .lines()
            .filter(|line| !line.trim_start().starts_with("99%"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(parse(&without).is_err());
    }
}
