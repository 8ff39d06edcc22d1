//! The database server down at start-up, or going down under a running site.

use std::{net::SocketAddr, time::Duration};

use crate::{
    gate::Gate,
    support::{
        browser, locallibrary, serve, spawn_app_on, Backend, HomePage, ServerProcess, TestDatabase,
    },
    through,
};

/// A new database, and a closed gate in front of its server; the URL
/// reaches the database through the gate.
async fn database_behind_a_gate() -> (TestDatabase, Gate, String) {
    let database = TestDatabase::on(Backend::Postgres).await;
    let (target, _) = through(&database.url, SocketAddr::from(([127, 0, 0, 1], 1)));
    let gate = Gate::closed(target).await;
    let (_, url) = through(&database.url, gate.addr);
    (database, gate, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_started_before_its_database_waits_for_it() {
    let (_database, gate, url) = database_behind_a_gate().await;
    let mut command = serve(&url);
    command.env("LOCALLIBRARY_DATABASE__STARTUP_RETRY_SECS", "60");
    let mut server = ServerProcess::spawn(command);

    let complaint = server
        .wait_for_log("trying again", Duration::from_secs(20))
        .await;
    assert!(
        complaint.contains(&format!("cannot open the database {url}")),
        "{complaint}"
    );
    gate.open().await;
    let address = server.wait_until_listening().await;
    let page = HomePage::read(browser().get(address).send().await.unwrap()).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.count("Books"), 20, "migrated and seeded once it could");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_stays_down_is_reported_clearly() {
    let (_database, _gate, url) = database_behind_a_gate().await;
    for args in [&["serve"][..], &["migrate"], &["clearsessions"]] {
        let mut command = locallibrary();
        command
            .args(args)
            .env("DATABASE_URL", &url)
            .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
            .env("LOCALLIBRARY_DATABASE__STARTUP_RETRY_SECS", "1");
        let mut process = ServerProcess::spawn(command);
        assert!(
            !process.wait_for_exit(Duration::from_secs(20)).await,
            "{args:?} failed"
        );
        let log = process.log();
        assert!(
            log.contains(&format!("locallibrary: error: gave up after trying for 1 s (database.startup-retry-secs): cannot open the database {url}")),
            "{args:?}: {log}"
        );
        assert!(
            log.contains("Connection refused"),
            "the cause is given: {log}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_gone_down_gives_a_503_page_and_the_site_recovers() {
    let (database, gate, url) = database_behind_a_gate().await;
    gate.open().await;
    let app = spawn_app_on(database, |settings| {
        settings.database.url = url.clone();
        settings.database.acquire_timeout_secs = 1;
    })
    .await;
    let client = browser();
    assert_eq!(app.home(&client).await.visits(), 1);

    gate.close();
    for who in [&client, &browser()] {
        let started = std::time::Instant::now();
        app.home(who).await.assert_unavailable();
        assert!(started.elapsed() < Duration::from_secs(5), "no hang");
    }
    let health = client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(health.status(), 503);
    // Not ready, but alive: nothing for a supervisor to restart.
    let alive = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(alive.status(), 200);

    gate.open().await;
    assert_eq!(
        app.home(&client).await.visits(),
        2,
        "back, with the count as it was"
    );
    let health = client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}
