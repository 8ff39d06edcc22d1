//! The log an operator reads: a line for each request, known by an id the
//! answer carries too, and nothing in it a user would not want kept.

use std::time::Duration;

use serde_json::Value;

use crate::support::{bare_client, browser, serve, ServerProcess, TestDatabase};

/// The server as a process logging JSON at its default levels.
async fn logging_json(database: &TestDatabase, env: &[(&str, &str)]) -> ServerProcess {
    let mut command = serve(&database.url);
    command
        .env("LOCALLIBRARY_LOG__FORMAT", "json")
        .env_remove("RUST_LOG")
        .envs(env.iter().copied());
    ServerProcess::start(command).await
}

/// The log's request lines, as JSON.
fn request_lines(log: &str) -> Vec<Value> {
    log.lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap_or_else(|_| panic!("not JSON: {line}"))
        })
        .filter(|line| line["target"] == "request")
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_request_has_a_json_line_with_its_id_route_status_and_no_secret() {
    let database = TestDatabase::new().await;
    let mut server = logging_json(&database, &[]).await;
    let client = browser();
    let secrets = ["Reset-Token-4f1c", "hunter2-pass", "whalesong-query"];

    let mut answered = Vec::new();
    for (method, path, route) in [
        ("GET", "/".to_string(), "/"),
        (
            "GET",
            format!("/accounts/reset/{}", secrets[0]),
            "/accounts/reset/{token}",
        ),
        ("GET", format!("/books?q={}", secrets[2]), "/books"),
        ("POST", "/accounts/login".to_string(), "/accounts/login"),
        ("GET", "/no/such/page".to_string(), "other"),
    ] {
        let url = format!("{}{path}", server.address);
        let response = if method == "POST" {
            client
                .post(&url)
                .header("origin", &server.address)
                .form(&[
                    ("username", "alice"),
                    ("password", secrets[1]),
                    ("next", ""),
                ])
                .send()
                .await
                .unwrap()
        } else {
            client.get(&url).send().await.unwrap()
        };
        let id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(id.len(), 36, "a new id, a UUID: {id}");
        answered.push((id, method, route, response.status().as_u16()));
    }

    server
        .wait_for_log(&answered.last().unwrap().0, Duration::from_secs(5))
        .await;
    let log = server.log();
    let lines = request_lines(&log);
    for (id, method, route, status) in &answered {
        let mine: Vec<_> = lines
            .iter()
            .filter(|line| line["span"]["id"] == **id)
            .collect();
        assert_eq!(mine.len(), 1, "one line for {method} {route}:\n{log}");
        let line = mine[0];
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["span"]["method"], *method);
        assert_eq!(line["span"]["route"], *route);
        assert_eq!(line["status"], *status);
        assert!(line["ms"].as_f64().is_some_and(|ms| ms >= 0.0), "{line}");
    }
    assert_ne!(answered[1].0, answered[0].0, "each request its own id");
    for secret in secrets {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
    let cookies: Vec<String> = log
        .lines()
        .flat_map(|line| line.split('"'))
        .filter(|word| word.starts_with("sessionid"))
        .map(str::to_string)
        .collect();
    assert!(cookies.is_empty(), "cookies in the log: {cookies:?}");

    // The probes are not requests of the site's: no line.
    bare_client()
        .get(format!("{}/readyz", server.address))
        .send()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(request_lines(&server.log()).len(), lines.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_id_is_taken_from_a_trusted_proxy_only() {
    let database = TestDatabase::new().await;
    let trusting = logging_json(
        &database,
        &[("LOCALLIBRARY_CONNECTIONS__TRUSTED_PROXIES", "127.0.0.1")],
    )
    .await;
    let sent_by = |server: &ServerProcess, id: &'static str| {
        let url = format!("{}/about", server.address);
        async move {
            let response = bare_client()
                .get(url)
                .header("x-request-id", id)
                .send()
                .await
                .unwrap();
            response.headers()["x-request-id"]
                .to_str()
                .unwrap()
                .to_string()
        }
    };
    assert_eq!(sent_by(&trusting, "nginx-7f3a").await, "nginx-7f3a");
    // Not a plain token: a new id in its place.
    let odd = sent_by(&trusting, "a b \"c\"").await;
    assert_eq!(odd.len(), 36, "{odd}");
    drop(trusting);

    let trusting_nobody = logging_json(&database, &[]).await;
    let taken = sent_by(&trusting_nobody, "client-chosen").await;
    assert_ne!(taken, "client-chosen");
    assert_eq!(taken.len(), 36, "{taken}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_text_log_has_the_same_line() {
    let database = TestDatabase::new().await;
    let mut command = serve(&database.url);
    command.env_remove("RUST_LOG");
    let mut server = ServerProcess::start(command).await;
    let response = bare_client()
        .get(format!("{}/books/1", server.address))
        .send()
        .await
        .unwrap();
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let line = server.wait_for_log(&id, Duration::from_secs(5)).await;
    assert!(
        line.contains("INFO")
            && line.contains("route=/books/{id}")
            && line.contains("method=GET")
            && line.contains("status=200")
            && line.contains("answered"),
        "{line}"
    );
}
