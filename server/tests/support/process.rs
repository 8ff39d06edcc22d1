//! `locallibrary` run as its own process, as an operator runs it.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// The binary, configured by the repository's Leptos.toml unless the
/// caller says otherwise.
pub fn locallibrary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_locallibrary"));
    command.env("LOCALLIBRARY_CONFIG", repo_file("Leptos.toml"));
    command
}

/// `locallibrary serve` on the database `url`, on a free port.
pub fn serve(url: &str) -> Command {
    let mut command = locallibrary();
    command
        .arg("serve")
        .env("DATABASE_URL", url)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0");
    command
}

/// A file of the repository, by its path from the top.
pub fn repo_file(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// A running server process; killed when dropped.
pub struct ServerProcess {
    child: Child,
    log: Arc<Mutex<String>>,
    /// http://IP:PORT, once it is listening.
    pub address: String,
}

impl ServerProcess {
    /// Spawns `command` (which should run `serve`) and waits until the
    /// server says where it listens.
    pub async fn start(command: Command) -> ServerProcess {
        let mut process = ServerProcess::spawn(command);
        process.wait_until_listening().await;
        process
    }

    /// Waits until the server says where it listens, and returns that.
    pub async fn wait_until_listening(&mut self) -> String {
        let line = self
            .wait_for_log("listening on ", Duration::from_secs(30))
            .await;
        // The address ends the line, or its JSON string.
        self.address = line
            .split_once("listening on ")
            .unwrap()
            .1
            .split(|c: char| c == '"' || c.is_whitespace())
            .next()
            .unwrap()
            .to_string();
        self.address.clone()
    }

    /// Spawns `command`, collecting what it writes to stderr.
    pub fn spawn(mut command: Command) -> ServerProcess {
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("locallibrary starts");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&log);
        // Drains the pipe for as long as the process runs, so the server
        // never blocks on a full one.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        ServerProcess {
            child,
            log,
            address: String::new(),
        }
    }

    /// Everything the process has logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits for a log line containing `needle` and returns it.
    pub async fn wait_for_log(&mut self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let log = self.log();
            if let Some(line) = log.lines().find(|line| line.contains(needle)) {
                return line.to_string();
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                // Let the reader catch the last lines.
                tokio::time::sleep(Duration::from_millis(100)).await;
                panic!(
                    "the server exited ({status}) before logging {needle:?}:\n{}",
                    self.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "no {needle:?} in the server's log within {timeout:?}:\n{log}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits for the process to end by itself and returns whether it succeeded.
    pub async fn wait_for_exit(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("process status") {
                tokio::time::sleep(Duration::from_millis(100)).await;
                return status.success();
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit within {timeout:?}:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The process's resident memory (VmRSS), in bytes.
    pub fn resident_bytes(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server's /proc status");
        let kib: u64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in kB");
        kib * 1024
    }

    /// Asks the process to stop (SIGTERM), as a supervisor does.
    pub fn terminate(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM sent");
    }

    /// Ends the process at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
