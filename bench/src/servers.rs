//! Server processes under test: started, waited for, measured from /proc,
//! and always stopped, on success, on error and on interruption alike.

use std::{
    path::Path,
    process::Stdio,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, ChildStderr, Command},
    sync::oneshot,
};

/// How much of a server's stderr is kept for error messages.
const LOG_LIMIT: usize = 256 * 1024;
/// How long a server gets to exit after SIGTERM before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// A running server. Dropping it stops the process (SIGTERM, then SIGKILL).
pub struct ServerProcess {
    name: String,
    child: Child,
    url: String,
    log: Arc<Mutex<String>>,
}

impl ServerProcess {
    /// Spawns `command` and waits until a line of its stderr contains
    /// `marker` followed by the URL it listens on (its port is chosen by
    /// the system, so the log is the only place that tells).
    pub async fn start(
        name: &str,
        mut command: Command,
        marker: &str,
        timeout: Duration,
    ) -> anyhow::Result<ServerProcess> {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot start {name}"))?;
        let stderr = child.stderr.take().context("stderr is piped")?;
        let log = Arc::new(Mutex::new(String::new()));
        let (found, url) = oneshot::channel();
        tokio::spawn(read_log(stderr, log.clone(), marker.to_string(), found));
        // From here on the guard owns the process: any early return stops it.
        let mut server = ServerProcess {
            name: name.to_string(),
            child,
            url: String::new(),
            log,
        };
        server.url = match tokio::time::timeout(timeout, url).await {
            Ok(Ok(url)) => url,
            Ok(Err(_)) => bail!("{name} exited before listening:\n{}", server.log()),
            Err(_) => bail!(
                "{name} did not say where it listens within {timeout:?}:\n{}",
                server.log()
            ),
        };
        Ok(server)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `http://ADDR`, without a trailing slash.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn pid(&self) -> anyhow::Result<u32> {
        self.child
            .id()
            .with_context(|| format!("{} has exited", self.name))
    }

    /// Everything the server wrote to stderr so far (its last part when long).
    pub fn log(&self) -> String {
        self.log.lock().map(|log| log.clone()).unwrap_or_default()
    }

    /// Fails, with the server's log, if it has exited.
    pub fn check_running(&mut self) -> anyhow::Result<()> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => bail!("{} exited ({status}):\n{}", self.name, self.log()),
            Err(err) => Err(err).with_context(|| format!("cannot check on {}", self.name)),
        }
    }

    /// Peak resident memory of the server process itself.
    pub fn peak_rss(&self) -> anyhow::Result<PeakRss> {
        let pid = self.pid()?;
        Ok(PeakRss {
            kib: vm_hwm_kib(pid)?,
            processes: 1,
        })
    }

    /// Peak resident memory summed over the process and its children (a
    /// pre-fork server's master and workers). Each figure is a per-process
    /// peak, so the sum can exceed the largest total ever resident at once.
    pub fn peak_rss_with_children(&self) -> anyhow::Result<PeakRss> {
        let pid = self.pid()?;
        let mut kib = vm_hwm_kib(pid)?;
        let children = children_of(pid)?;
        for &child in &children {
            kib += vm_hwm_kib(child)?;
        }
        Ok(PeakRss {
            kib,
            processes: 1 + children.len(),
        })
    }

    /// Stops the server now (what dropping it does).
    pub fn stop(self) {}

    fn terminate(&mut self) {
        let Some(pid) = self.child.id() else {
            return;
        };
        if !matches!(self.child.try_wait(), Ok(None)) {
            return;
        }
        // Recorded first: if the master has to be killed, its workers would
        // be left behind without it.
        let children: Vec<Process> = children_of(pid)
            .unwrap_or_default()
            .into_iter()
            .filter_map(Process::identify)
            .collect();
        signal(pid, libc::SIGTERM);
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!(
            "{} did not stop within {STOP_GRACE:?}; killing it",
            self.name
        );
        let _ = self.child.start_kill();
        for child in children {
            child.kill();
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.terminate();
    }
}

/// A peak resident set size (VmHWM), possibly summed over processes.
#[derive(Debug, Clone, Copy)]
pub struct PeakRss {
    pub kib: u64,
    pub processes: usize,
}

impl PeakRss {
    pub fn mib(&self) -> f64 {
        self.kib as f64 / 1024.0
    }
}

/// Collects stderr into `log` and reports the URL after the first `marker`.
async fn read_log(
    stderr: ChildStderr,
    log: Arc<Mutex<String>>,
    marker: String,
    found: oneshot::Sender<String>,
) {
    let mut found = Some(found);
    let mut lines = BufReader::new(stderr).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(url) = line
            .split_once(&marker)
            .and_then(|(_, rest)| rest.split_whitespace().next())
        {
            if let Some(found) = found.take() {
                let _ = found.send(url.trim_end_matches('/').to_string());
            }
        }
        if let Ok(mut log) = log.lock() {
            if log.len() > LOG_LIMIT {
                let cut = log.len() - LOG_LIMIT / 2;
                let cut = (cut..log.len())
                    .find(|&i| log.is_char_boundary(i))
                    .unwrap_or(log.len());
                log.drain(..cut);
            }
            log.push_str(&line);
            log.push('\n');
        }
    }
    // Dropping `found` unsent tells the waiter the server exited first.
}

/// VmHWM ("high water mark" of the resident set) from /proc/PID/status.
pub fn vm_hwm_kib(pid: u32) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    let line = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .with_context(|| format!("no VmHWM in {path}"))?;
    line.trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .with_context(|| format!("bad VmHWM line in {path}: {line:?}"))
}

/// The processes whose parent is `pid`.
fn children_of(pid: u32) -> anyhow::Result<Vec<u32>> {
    let mut children = Vec::new();
    for entry in std::fs::read_dir("/proc").context("cannot list /proc")? {
        let Ok(entry) = entry else { continue };
        let Some(candidate) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        if stat_fields(candidate).is_some_and(|fields| fields.parent == pid) {
            children.push(candidate);
        }
    }
    Ok(children)
}

struct StatFields {
    parent: u32,
    /// Clock ticks after boot: with the pid, names one process for good.
    started: u64,
}

/// Fields of /proc/PID/stat; the command name may hold spaces and
/// parentheses, so fields are counted from its closing parenthesis.
fn stat_fields(pid: u32) -> Option<StatFields> {
    let stat =
        std::fs::read_to_string(Path::new("/proc").join(pid.to_string()).join("stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    Some(StatFields {
        parent: fields.get(1)?.parse().ok()?,
        started: fields.get(19)?.parse().ok()?,
    })
}

/// A process named by pid and start time, so that a reused pid is never
/// signalled by mistake.
struct Process {
    pid: u32,
    started: u64,
}

impl Process {
    fn identify(pid: u32) -> Option<Process> {
        stat_fields(pid).map(|fields| Process {
            pid,
            started: fields.started,
        })
    }

    fn kill(&self) {
        if stat_fields(self.pid).is_some_and(|fields| fields.started == self.started) {
            signal(self.pid, libc::SIGKILL);
        }
    }
}

fn signal(pid: u32, signal: libc::c_int) {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return;
    };
    // SAFETY: kill(2) takes plain integers and touches no memory of ours.
    unsafe {
        libc::kill(pid, signal);
    }
}
