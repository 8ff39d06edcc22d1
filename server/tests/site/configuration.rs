//! The binary as an operator runs it: a configuration file, environment
//! overrides, no subcommand.

use std::{path::Path, process::Command};

use crate::support::{browser, locallibrary, Backend, HomePage, ServerProcess, TestDatabase};

/// Starts `locallibrary` with no arguments, configured by `config` and
/// `env` alone.
async fn start(config: &Path, env: &[(&str, &str)]) -> ServerProcess {
    let mut command = locallibrary();
    command
        .env("LOCALLIBRARY_CONFIG", config)
        .env_remove("DATABASE_URL")
        .envs(env.iter().copied());
    ServerProcess::start(command).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configuration_file_and_environment_are_honoured() {
    let database = TestDatabase::new().await;
    let config = database.dir.path().join("site.toml");
    let leptos_section = include_str!("../../../Leptos.toml")
        .rsplit_once("[package.metadata.leptos]")
        .unwrap()
        .1
        .replace("127.0.0.1:3000", "127.0.0.1:0");
    std::fs::write(
        &config,
        format!(
            "[database]\nurl = \"{}\"\n\n[session]\ncookie-name = \"library_session\"\nmax-age-secs = 259200\n\n[package.metadata.leptos]{leptos_section}",
            database.url
        ),
    )
    .unwrap();

    let server = start(&config, &[("LOCALLIBRARY_SESSION__SECURE", "true")]).await;
    let client = browser();
    let first = HomePage::read(client.get(&server.address).send().await.unwrap()).await;
    let page = HomePage::read(client.get(&server.address).send().await.unwrap()).await;
    assert!(first.set_cookie[0].starts_with("library_session_first_view="));

    assert_eq!(page.status, 200);
    assert_eq!(page.count("Books"), 20, "seeded on first start");
    if database.backend == Backend::Sqlite {
        let file = database.dir.path().join("test.sqlite3");
        assert!(file.exists(), "the database named in the file was created");
    }
    let books: i64 = database.scalar("SELECT COUNT(*) FROM book").await;
    assert_eq!(books, 20, "in the database named in the file");
    let cookie = page
        .set_cookie
        .iter()
        .find(|c| c.starts_with("library_session="))
        .expect("the session cookie, by its configured name");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_url_of_another_kind_is_refused_at_once() {
    let started = std::time::Instant::now();
    let output = locallibrary()
        .arg("migrate")
        .env("DATABASE_URL", "mysql://localhost/library")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unsupported database URL \"mysql://localhost/library\": expected sqlite://FILE or postgres://HOST/NAME"),
        "{stderr}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "a mistake in the URL is not retried"
    );
}
