//! What a visitor sees, and the operator's log says, when something goes
//! wrong on the server: an outage is a 503 that passes by itself; anything
//! else is a bug, a 500 logged once with its cause.

use std::time::Duration;

use crate::support::{bare_client, main_text, serve, ServerProcess, TestDatabase};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_error_that_is_not_an_outage_is_a_500_logged_once() {
    let database = TestDatabase::new().await;
    let server = ServerProcess::start(serve(&database.url)).await;
    let client = bare_client();
    let book = client
        .get(format!("{}/books/1", server.address))
        .send()
        .await
        .unwrap();
    assert_eq!(book.status(), 200);

    // A table the site reads is gone: no waiting makes that page work.
    database
        .execute("ALTER TABLE author RENAME TO author_moved")
        .await;
    let errors_before = error_lines(&server.log()).len();
    let response = client
        .get(format!("{}/authors/1", server.address))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 500);
    assert!(
        response.headers().get("retry-after").is_none(),
        "trying again will not help"
    );
    let text = main_text(&response.text().await.unwrap());
    assert!(text.contains("Something went wrong"), "{text}");
    assert!(
        !text.contains("author_moved"),
        "no details for the visitor: {text}"
    );
    // The log line may be written just after the response.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = server.log();
    let errors = error_lines(&log);
    assert_eq!(
        errors.len() - errors_before,
        1,
        "one log line for one failure:\n{log}"
    );
    let line = errors.last().unwrap();
    assert!(line.contains("author"), "the cause is logged: {line}");
}

fn error_lines(log: &str) -> Vec<&str> {
    log.lines().filter(|line| line.contains("ERROR")).collect()
}
