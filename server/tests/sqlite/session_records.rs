//! Session records written by an earlier version of the site.

use std::str::FromStr;

use sqlx::{sqlite::SqliteConnectOptions, ConnectOptions, SqliteConnection};

use crate::support::{bare_client, spawn_app_on, Backend, TestDatabase};

/// An id as the earlier store wrote it, with the record it wrote for it
/// (MessagePack, taken from a database of that version).
const OLD_ID: &str = "i_-330-WPIJLSvW1EDWXXw";
const OLD_RECORD: &str = "X'93C4105F973510B5F54A4B823C964FDFB7FF8B81AA737461727465645F6174CE6B074D0D99CD07EACD0157150333CE2941C32E000000'";

/// Opens a new database file with the schema of migrations 1 to `last`.
async fn database_at_version(url: &str, last: i64) -> SqliteConnection {
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
        .filter(|migration| migration.version <= last)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    migrator.run(&mut conn).await.unwrap();
    conn
}

/// Stores a session as an earlier version did: `statements`, each with `$1`
/// the session's id.
async fn store_session(conn: &mut SqliteConnection, id: &str, statements: &[&str]) {
    for sql in statements {
        sqlx::query(sql).bind(id).execute(&mut *conn).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_written_before_the_store_change_live_on() {
    let database = TestDatabase::on(Backend::Sqlite).await;
    // Version 3 was the last whose sessions tower-sessions' own store wrote.
    let mut old = database_at_version(&database.url, 3).await;
    store_session(
        &mut old,
        OLD_ID,
        &[
            &format!(
                "INSERT INTO tower_sessions (id, data, expiry_date)
                 VALUES ($1, {OLD_RECORD}, '2099-12-09T21:03:51.692175662Z')"
            ),
            "INSERT INTO session_state (session_id, visits, confirmed, created_at)
             VALUES ($1, 41, 1, 1764000000)",
        ],
    )
    .await;
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

/// Another browser's session.
const SECOND_ID: &str = "AAAAAAAAAAAAAAAAAAAAAA";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_live_on_when_their_records_lose_the_rowid() {
    let database = TestDatabase::on(Backend::Sqlite).await;
    // Version 7 kept session records in a table with a rowid.
    let mut old = database_at_version(&database.url, 7).await;
    for (id, visits) in [(OLD_ID, 41), (SECOND_ID, 7)] {
        store_session(
            &mut old,
            id,
            &[
                "INSERT INTO tower_sessions (id, data, expiry_date)
                 VALUES ($1, CAST('{\"started_at\":1764000000}' AS BLOB), 4100000000000)",
                &format!(
                    "INSERT INTO session_state
                        (session_id, visits, confirmed, created_at, renewed_at, per_page)
                     VALUES ($1, {visits}, 1, 1764000000, 4000000000000, 50)"
                ),
            ],
        )
        .await;
    }
    drop(old);

    // The server migrates the database as it starts: every record and its
    // state are still there, the references between them intact.
    let app = spawn_app_on(database, |_| {}).await;
    let page = app.home_with_cookie(OLD_ID).await;
    assert_eq!(page.visits(), 42, "{}", page.text);
    assert_eq!(app.session_rows().await, 2, "no session lost or added");
    let states: i64 = app.scalar("SELECT COUNT(*) FROM session_state").await;
    assert_eq!(states, 2, "no state lost");
    let per_page: i64 = app
        .scalar(&format!(
            "SELECT per_page FROM session_state WHERE session_id = '{SECOND_ID}'"
        ))
        .await;
    assert_eq!(per_page, 50, "preferences kept");
    let orphans: i64 = app
        .scalar("SELECT COUNT(*) FROM pragma_foreign_key_check")
        .await;
    assert_eq!(orphans, 0);
    let without_rowid: i64 = app
        .scalar("SELECT \"wr\" FROM pragma_table_list WHERE name = 'tower_sessions'")
        .await;
    assert_eq!(without_rowid, 1);
    // Foreign keys are back on for the site: forgetting a session removes
    // its state with it.
    let forgotten = bare_client()
        .post(app.url("/api/forget_me"))
        .header("origin", &app.address)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("sessionid={OLD_ID}"))
        .send()
        .await
        .unwrap();
    assert_eq!(forgotten.status(), 200);
    assert_eq!(app.session_rows().await, 1);
    let states: i64 = app.scalar("SELECT COUNT(*) FROM session_state").await;
    assert_eq!(states, 1, "the state went with its session");
}
