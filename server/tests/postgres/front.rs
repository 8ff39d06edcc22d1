//! Two `locallibrary` processes on one PostgreSQL database, behind nginx
//! configured by deploy/nginx.conf.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use crate::support::{bare_client, repo_file, serve, Backend, ServerProcess, TestDatabase};

pub struct Front {
    /// http://127.0.0.1:PORT of nginx.
    pub address: String,
    pub servers: Vec<ServerProcess>,
    nginx: Child,
    dir: tempfile::TempDir,
    // Dropped last: the servers and nginx go first.
    database: TestDatabase,
}

/// `locallibrary serve` as nginx's upstream: trusting it (on this machine)
/// to say who the client is.
fn upstream_server(database: &TestDatabase) -> Command {
    let mut server = serve(&database.url);
    server.env("LOCALLIBRARY_CONNECTIONS__TRUSTED_PROXIES", "127.0.0.1");
    server
}

/// A free port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Front {
    /// Two servers on a new database (the first one seeds it), and nginx.
    pub async fn start() -> Front {
        let database = TestDatabase::on(Backend::Postgres).await;
        let mut servers = Vec::new();
        // One after the other: the first migrates and seeds the database.
        for _ in 0..2 {
            servers.push(ServerProcess::start(upstream_server(&database)).await);
        }
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let upstreams: Vec<&str> = servers
            .iter()
            .map(|server| server.address.trim_start_matches("http://"))
            .collect();
        let config = dir.path().join("nginx.conf");
        std::fs::write(&config, configuration(&upstreams, port)).unwrap();
        std::fs::create_dir(dir.path().join("logs")).unwrap();
        let nginx = Command::new(nginx_binary())
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&config)
            .arg("-e")
            .arg(dir.path().join("logs/error.log"))
            .arg("-g")
            .arg(format!(
                "daemon off; pid {};",
                dir.path().join("nginx.pid").display()
            ))
            .stdout(Stdio::null())
            .spawn()
            .expect("nginx starts (Debian's nginx package)");
        let front = Front {
            address: format!("http://127.0.0.1:{port}"),
            servers,
            nginx,
            dir,
            database,
        };
        front.wait_until_ready().await;
        front
    }

    async fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let health = bare_client().get(self.url("/readyz")).send().await;
            if matches!(&health, Ok(response) if response.status() == 200) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "nginx did not pass /readyz through: {health:?}\n{}",
                std::fs::read_to_string(self.dir.path().join("logs/error.log")).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops server `n` as a supervisor does (SIGTERM), checks it exits 0
    /// once it has finished, and starts it again on its address.
    pub async fn restart(&mut self, n: usize) {
        let address = self.servers[n].address.clone();
        self.servers[n].terminate();
        assert!(
            self.servers[n].wait_for_exit(Duration::from_secs(40)).await,
            "server {n} did not exit 0:\n{}",
            self.servers[n].log()
        );
        let mut server = upstream_server(&self.database);
        server.env("LEPTOS_SITE_ADDR", address.trim_start_matches("http://"));
        self.servers[n] = ServerProcess::start(server).await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Which server (its address) answered each request for `path`, in
    /// order, from nginx's access log. A request passed on from a failed
    /// server lists both, comma-separated.
    pub async fn upstreams_of(&self, path: &str, requests: usize) -> Vec<String> {
        // nginx logs a request after its response has gone out, so the last
        // lines may still be on their way when the client has its answers.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let answered = self.logged_upstreams_of(path);
            if answered.len() >= requests || Instant::now() > deadline {
                return answered;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn logged_upstreams_of(&self, path: &str) -> Vec<String> {
        let log = std::fs::read_to_string(self.dir.path().join("logs/access.log")).unwrap();
        let request = format!("\"GET {path} HTTP/");
        log.lines()
            .filter(|line| line.contains(&request))
            .map(|line| {
                line.split(" upstream=")
                    .nth(1)
                    .unwrap()
                    .split(" time=")
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect()
    }

    /// The address a server has in nginx's log.
    pub fn upstream(&self, server: usize) -> String {
        self.servers[server]
            .address
            .trim_start_matches("http://")
            .to_string()
    }
}

impl Drop for Front {
    /// TERM, not KILL: nginx's master process stops its workers before it
    /// exits (killed, it would leave them serving).
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.nginx.id().to_string()])
            .status();
        let _ = self.nginx.wait();
    }
}

fn nginx_binary() -> PathBuf {
    ["/usr/sbin/nginx", "/usr/local/sbin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
        .unwrap_or_else(|| PathBuf::from("nginx"))
}

/// deploy/nginx.conf with its two example servers replaced by `upstreams`
/// and its listening address by 127.0.0.1:`port`. Everything else is the
/// file as shipped.
pub fn configuration(upstreams: &[&str], port: u16) -> String {
    let shipped = std::fs::read_to_string(repo_file("deploy/nginx.conf")).unwrap();
    let mut servers = 0;
    let mut listens = 0;
    let lines: Vec<String> = shipped
        .lines()
        .filter_map(|line| {
            let trimmed = line.trim_start();
            if trimmed.starts_with("server 127.0.0.1:") {
                servers += 1;
                // The first example line stands for all the servers.
                (servers == 1).then(|| {
                    // What follows the address: options, and the semicolon.
                    let rest = &trimmed["server ".len()..];
                    let options = rest.find(' ').map_or(";", |at| &rest[at + 1..]);
                    upstreams
                        .iter()
                        .map(|upstream| format!("        server {upstream} {options}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
            } else if trimmed.starts_with("listen ") {
                listens += 1;
                Some(format!("        listen 127.0.0.1:{port};"))
            } else {
                Some(line.to_string())
            }
        })
        .collect();
    assert_eq!(
        (servers, listens),
        (2, 1),
        "deploy/nginx.conf no longer has the two example servers and one listen line"
    );
    lines.join("\n")
}
