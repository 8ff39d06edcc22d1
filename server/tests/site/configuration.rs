//! The binary as an operator runs it: a configuration file, environment
//! overrides, no subcommand.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
};

use crate::support::{bare_client, HomePage};

struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `locallibrary` with no arguments and returns it with the address
/// it reports listening on.
fn start(config: &std::path::Path, env: &[(&str, &str)]) -> (Process, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_locallibrary"))
        .env("LOCALLIBRARY_CONFIG", config)
        .env_remove("DATABASE_URL")
        .envs(env.iter().copied())
        .stderr(Stdio::piped())
        .spawn()
        .expect("locallibrary starts");
    let stderr = child.stderr.take().unwrap();
    let process = Process(child);
    let mut lines = BufReader::new(stderr).lines();
    let mut log = String::new();
    let address = loop {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("the server did not report its address:\n{log}"))
            .unwrap();
        log.push_str(&line);
        log.push('\n');
        if let Some((_, address)) = line.split_once("listening on ") {
            break address.trim().to_string();
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (process, address)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configuration_file_and_environment_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("configured.sqlite3");
    let config = dir.path().join("site.toml");
    let leptos_section = include_str!("../../../Leptos.toml")
        .rsplit_once("[package.metadata.leptos]")
        .unwrap()
        .1
        .replace("127.0.0.1:3000", "127.0.0.1:0");
    std::fs::write(
        &config,
        format!(
            "[database]\nurl = \"sqlite://{}\"\n\n[session]\ncookie-name = \"library_session\"\nmax-age-secs = 259200\n\n[package.metadata.leptos]{leptos_section}",
            database.display()
        ),
    )
    .unwrap();

    let (_server, address) = start(&config, &[("LOCALLIBRARY_SESSION__SECURE", "true")]);
    let page = HomePage::read(bare_client().get(&address).send().await.unwrap()).await;

    assert_eq!(page.status, 200);
    assert_eq!(page.count("Books"), 20, "seeded on first start");
    assert!(
        database.exists(),
        "the database named in the file was created"
    );
    let cookie = &page.set_cookie[0];
    assert!(cookie.starts_with("library_session="), "{cookie}");
    assert!(cookie.contains("Max-Age=259200"), "{cookie}");
    assert!(cookie.split("; ").any(|a| a == "Secure"), "{cookie}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configuration_file_that_cannot_be_read_is_reported() {
    let output = Command::new(env!("CARGO_BIN_EXE_locallibrary"))
        .args(["--config", "/no/such/file.toml", "migrate"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot read configuration file /no/such/file.toml"),
        "{stderr}"
    );
}
