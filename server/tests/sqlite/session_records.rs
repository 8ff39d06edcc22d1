//! Session records written by an earlier version of the site.

use std::str::FromStr;

use sqlx::{sqlite::SqliteConnectOptions, ConnectOptions, SqliteConnection};

use crate::support::{spawn_app_on, Backend, TestDatabase};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_written_before_the_store_change_live_on() {
    let database = TestDatabase::on(Backend::Sqlite).await;
    let mut old = database_before_the_store_change(&database.url).await;
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
    let app = spawn_app_on(database, |_| {}).await;
    let page = app.home_with_cookie(OLD_ID).await;
    assert_eq!(page.visits(), 42, "{}", page.text);
    assert_eq!(app.session_rows().await, 1, "no new session");
    // Rewritten as the store now writes records, so that expiry and purge
    // compare numbers.
    let expiry_type: String = app
        .scalar("SELECT typeof(expiry_date) FROM tower_sessions")
        .await;
    let started_at: i64 = app
        .scalar("SELECT json_extract(data, '$.started_at') FROM tower_sessions")
        .await;
    assert_eq!((expiry_type.as_str(), started_at), ("integer", 1764000000));
}
