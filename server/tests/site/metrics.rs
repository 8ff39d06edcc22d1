//! What an operator's Prometheus reads: `/metrics` on an address of its
//! own, counting what the site did.

use std::{
    collections::{BTreeMap, BTreeSet},
    io::Write,
    process::{Output, Stdio},
    time::Duration,
};

use crate::support::{
    bare_client, browser, locallibrary, serve, Backend, ServerProcess, TestDatabase,
};

/// The server as a process (the recorder is the process's) with metrics
/// on a free port; and where they are.
async fn with_metrics(database: &TestDatabase) -> (ServerProcess, String) {
    let mut command = serve(&database.url);
    command.env("LOCALLIBRARY_METRICS__ADDR", "127.0.0.1:0");
    let mut server = ServerProcess::start(command).await;
    let line = server
        .wait_for_log("metrics at ", Duration::from_secs(10))
        .await;
    let url = line
        .split_once("metrics at ")
        .unwrap()
        .1
        .split(|c: char| c == '"' || c.is_whitespace())
        .next()
        .unwrap()
        .to_string();
    (server, url)
}

fn run(database: &TestDatabase, args: &[&str], input: &str) -> Output {
    let mut child = locallibrary()
        .args(args)
        .env("DATABASE_URL", &database.url)
        .current_dir(database.dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "locallibrary {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Each sample of a scrape: its name and labels, and its value.
type Samples = BTreeMap<(String, BTreeSet<String>), f64>;

async fn scrape(url: &str) -> Samples {
    let response = bare_client().get(url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let mut samples = Samples::new();
    for line in text
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
    {
        let (key, value) = line.rsplit_once(' ').unwrap();
        let (name, labels) = match key.split_once('{') {
            Some((name, labels)) => (name, labels.strip_suffix('}').unwrap()),
            None => (key, ""),
        };
        let labels = labels
            .split("\",")
            .filter(|label| !label.is_empty())
            .map(|label| label.trim_end_matches('"').to_string())
            .collect();
        samples.insert((name.to_string(), labels), value.parse().unwrap());
    }
    samples
}

/// The sample `name` with exactly `labels` (`key="value` each, as the
/// parse above leaves them), or 0.
fn value(samples: &Samples, name: &str, labels: &[&str]) -> f64 {
    let labels = labels.iter().map(|label| label.to_string()).collect();
    samples
        .get(&(name.to_string(), labels))
        .copied()
        .unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_what_the_site_did_on_their_own_address_only() {
    let database = TestDatabase::new().await;
    let (server, metrics) = with_metrics(&database).await;
    let site = &server.address;

    // Never on the site's address.
    let public = bare_client()
        .get(format!("{site}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), 404);

    let reader = browser();
    for _ in 0..3 {
        let home = reader.get(format!("{site}/")).send().await.unwrap();
        assert_eq!(home.status(), 200);
    }
    for _ in 0..2 {
        let book = reader.get(format!("{site}/books/1")).send().await.unwrap();
        assert_eq!(book.status(), 200);
    }
    bare_client()
        .get(format!("{site}/readyz"))
        .send()
        .await
        .unwrap();
    run(
        &database,
        &["adduser", "alice", "--email", "alice@example.com"],
        "correct horse battery\n",
    );
    let (copy, late): (String, String) = (
        database
            .scalar("SELECT MIN(id) FROM book_instance WHERE status = 'a'")
            .await,
        database
            .scalar("SELECT MAX(id) FROM book_instance WHERE status = 'a'")
            .await,
    );
    run(&database, &["lend", &copy, "alice"], "");
    run(&database, &["lend", &late, "alice"], "");
    // Weeks later, one not back.
    database
        .execute(&format!(
            "UPDATE book_instance SET due_back = '2020-01-31' WHERE id = '{late}'"
        ))
        .await;

    let samples = scrape(&metrics).await;
    let requests = "locallibrary_http_requests_total";
    assert_eq!(
        value(
            &samples,
            requests,
            &["method=\"GET", "route=\"/", "status=\"200"]
        ),
        3.0,
        "{samples:#?}"
    );
    assert_eq!(
        value(
            &samples,
            requests,
            &["method=\"GET", "route=\"/books/{id}", "status=\"200"]
        ),
        2.0
    );
    // The probes are not counted.
    assert!(!samples
        .keys()
        .any(|(name, labels)| name == requests && labels.iter().any(|l| l.contains("readyz"))));
    assert_eq!(
        value(
            &samples,
            "locallibrary_http_request_duration_seconds_count",
            &["route=\"/"]
        ),
        3.0
    );
    // The book's page rendered once and kept, then served as kept.
    assert!(value(&samples, "locallibrary_kept_pages_total", &["result=\"hit"]) >= 1.0);
    assert!(
        value(
            &samples,
            "locallibrary_kept_pages_total",
            &["result=\"miss"]
        ) >= 1.0
    );
    // The second and third views of the home page wrote, in batches.
    assert!(value(&samples, "locallibrary_view_write_batch_size_count", &[]) >= 2.0);
    assert!(
        value(
            &samples,
            "locallibrary_view_write_duration_seconds_count",
            &[]
        ) >= 2.0
    );
    assert_eq!(value(&samples, "locallibrary_sessions", &[]), 1.0);
    assert_eq!(
        value(&samples, "locallibrary_loans", &["state=\"on_loan"]),
        2.0
    );
    assert_eq!(
        value(&samples, "locallibrary_loans", &["state=\"overdue"]),
        1.0
    );
    let connections = |state: &str| {
        let kind = match database.backend {
            Backend::Sqlite => "kind=\"reader",
            Backend::Postgres => "kind=\"pool",
        };
        value(
            &samples,
            "locallibrary_db_connections",
            &[kind, &format!("state=\"{state}")],
        )
    };
    let open = connections("in_use") + connections("idle");
    match database.backend {
        // Every reader, opened at start.
        Backend::Sqlite => assert_eq!(open, 4.0, "max-connections"),
        // As many as were needed, at most the pool's size.
        Backend::Postgres => assert!((1.0..=4.0).contains(&open), "{open}"),
    }
    assert!(value(&samples, "locallibrary_connections_open", &[]) >= 1.0);
}
