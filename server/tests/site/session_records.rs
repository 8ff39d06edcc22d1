//! A session record the store cannot read.

use crate::support::{bare_client, spawn_app_with, Backend};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_record_is_no_error() {
    let app = spawn_app_with(|_| {}).await;
    let id = "AAAAAAAAAAAAAAAAAAAAAA";
    app.execute(&format!(
        "INSERT INTO tower_sessions (id, data, expiry_date) VALUES ('{id}', {}, 4102444800000)",
        match app.backend() {
            Backend::Sqlite => "CAST('not a record' AS BLOB)",
            Backend::Postgres => "CAST('not a record' AS BYTEA)",
        }
    ))
    .await;

    // The session exists and is live, so its views count; whatever needs
    // the record itself treats it as absent (a new session), never a 500.
    for expected in [1, 2] {
        let page = app.home_with_cookie(id).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert_eq!(page.visits(), expected);
    }
    let response = bare_client()
        .post(app.url("/api/forget_me"))
        .header("cookie", format!("sessionid={id}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
