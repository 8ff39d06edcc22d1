//! Session records as the store finds them in the database: written by an
//! earlier version of the site, or unreadable.

use std::str::FromStr;

use sqlx::{sqlite::SqliteConnectOptions, ConnectOptions, SqliteConnection};

use crate::support::{bare_client, spawn_app_with, HomePage, TestApp};

/// An id as the earlier store wrote it, with the record it wrote for it
/// (MessagePack, taken from a database of that version).
const OLD_ID: &str = "i_-330-WPIJLSvW1EDWXXw";
const OLD_RECORD: &str = "X'93C4105F973510B5F54A4B823C964FDFB7FF8B81AA737461727465645F6174CE6B074D0D99CD07EACD0157150333CE2941C32E000000'";

/// Opens a new database file with the schema of migrations 1 to 3, the
/// last version whose sessions were written by tower-sessions' own store.
async fn database_before_the_store_change(url: &str) -> SqliteConnection {
    let mut conn = SqliteConnectOptions::from_str(url)
        .unwrap()
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    let mut migrator = sqlx::migrate!("../migrations/sqlite");
    migrator.migrations = migrator
        .migrations
        .iter()
        .filter(|migration| migration.version < 4)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    migrator.run(&mut conn).await.unwrap();
    conn
}

async fn home_with_cookie(app: &TestApp, id: &str) -> HomePage {
    let request = bare_client()
        .get(app.url("/"))
        .header("cookie", format!("sessionid={id}"));
    HomePage::read(request.send().await.unwrap()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_written_before_the_store_change_live_on() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.sqlite3").display());
    let mut old = database_before_the_store_change(&url).await;
    sqlx::query(&format!(
        "INSERT INTO tower_sessions (id, data, expiry_date)
         VALUES ($1, {OLD_RECORD}, '2099-12-09T21:03:51.692175662Z')"
    ))
    .bind(OLD_ID)
    .execute(&mut old)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO session_state (session_id, visits, confirmed, created_at)
         VALUES ($1, 41, 1, 1764000000)",
    )
    .bind(OLD_ID)
    .execute(&mut old)
    .await
    .unwrap();
    drop(old);

    // The server migrates the database as it starts.
    let app = spawn_app_with(|s| s.database.url = url.clone()).await;
    let page = home_with_cookie(&app, OLD_ID).await;
    assert_eq!(page.visits(), 42, "{}", page.text);
    assert_eq!(app.session_rows().await, 1, "no new session");
    // Rewritten as the store now writes records, so that expiry and purge
    // compare numbers.
    let record: (String, i64) = sqlx::query_as(
        "SELECT typeof(expiry_date), json_extract(data, '$.started_at') FROM tower_sessions",
    )
    .fetch_one(&mut *app.db().await.writer().await.unwrap())
    .await
    .unwrap();
    assert_eq!(record, ("integer".to_string(), 1764000000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_record_is_no_error() {
    let app = spawn_app_with(|_| {}).await;
    let id = "AAAAAAAAAAAAAAAAAAAAAA";
    sqlx::query(
        "INSERT INTO tower_sessions (id, data, expiry_date)
         VALUES ($1, CAST('not a record' AS BLOB), 4102444800)",
    )
    .bind(id)
    .execute(&mut *app.db().await.writer().await.unwrap())
    .await
    .unwrap();

    // The session exists and is live, so its views count; whatever needs
    // the record itself treats it as absent (a new session), never a 500.
    for expected in [1, 2] {
        let page = home_with_cookie(&app, id).await;
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
