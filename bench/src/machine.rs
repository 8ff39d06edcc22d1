//! The machine and the tools a run used, for the report's header: figures
//! from another machine or another tool version are not comparable.

use std::path::Path;

use tokio::process::Command;

#[derive(Debug, Clone)]
pub struct Machine {
    pub date: String,
    pub cores: String,
    pub cpu: String,
    pub memory: String,
    pub kernel: String,
    /// The 1-minute load average before anything was started: the machine
    /// may be shared, and a busy one gives lower figures.
    pub load_at_start: String,
    pub wrk: String,
    pub rustc: String,
    pub node: String,
    pub chromium: String,
}

pub async fn describe() -> Machine {
    Machine {
        date: first_line("date", &["-u", "+%Y-%m-%d %H:%M:%S UTC"]).await,
        cores: first_line("nproc", &[]).await,
        cpu: cpu_model(),
        memory: memory(),
        kernel: first_line("uname", &["-sr"]).await,
        load_at_start: format!("{:.2}", load_average()),
        wrk: wrk_version().await,
        rustc: first_line("rustc", &["--version"]).await,
        node: first_line("node", &["--version"]).await,
        chromium: first_line("chromium", &["--version"]).await,
    }
}

/// The commit the working tree is at, "-dirty" when it has changes.
pub async fn revision(root: &Path) -> String {
    let root = root.to_string_lossy();
    first_line(
        "git",
        &[
            "-C",
            &root,
            "describe",
            "--always",
            "--dirty",
            "--abbrev=10",
        ],
    )
    .await
}

/// When a file was last written (UTC), e.g. when a build finished.
pub async fn modified(path: &Path) -> String {
    let path = path.to_string_lossy();
    first_line("date", &["-u", "-r", &path, "+%Y-%m-%d %H:%M:%S UTC"]).await
}

/// The 1-minute load average, or NaN where /proc does not tell.
pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("model name"))
                .map(|rest| rest.trim_start_matches([' ', '\t', ':']).trim().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string())
}

fn memory() -> String {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            let kib: u64 = info
                .lines()
                .find_map(|line| line.strip_prefix("MemTotal:"))?
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()?;
            Some(format!("{:.1} GiB", kib as f64 / 1024.0 / 1024.0))
        })
        .unwrap_or_else(|| "unknown".to_string())
}

/// `wrk -v` prints its version before its usage and exits 1.
async fn wrk_version() -> String {
    let line = first_line("wrk", &["-v"]).await;
    line.split(" Copyright").next().unwrap_or(&line).to_string()
}

/// The first line a command prints (stdout, else stderr), or "unknown".
pub async fn first_line(program: &str, args: &[&str]) -> String {
    let Ok(output) = Command::new(program).args(args).output().await else {
        return "unknown".to_string();
    };
    [output.stdout, output.stderr]
        .iter()
        .map(|bytes| String::from_utf8_lossy(bytes).trim().to_string())
        .find(|text| !text.is_empty())
        .and_then(|text| text.lines().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".to_string())
}
