//! SQLite's write-ahead log.

use std::time::Duration;

use sqlx::{Connection, SqliteConnection};

use reqwest::Client;

use server::config::Settings;

use crate::support::{browser, spawn_app_on, Backend, TestApp, TestDatabase};

/// A site on a SQLite file, and a browser that has viewed its home page 20 times.
async fn app_after_twenty_views() -> (TestApp, Client) {
    app_after_twenty_views_with(|_| {}).await
}

/// As [`app_after_twenty_views`], the settings changed first.
async fn app_after_twenty_views_with(configure: impl FnOnce(&mut Settings)) -> (TestApp, Client) {
    let app = spawn_app_on(TestDatabase::on(Backend::Sqlite).await, configure).await;
    let client = browser();
    for _ in 0..20 {
        app.home(&client).await;
    }
    (app, client)
}

/// How many frames (changed pages) the site's write-ahead log holds, as
/// SQLite counts them (the file may be longer: a log started over is
/// written from the beginning of its file).
async fn frames_in_log(app: &TestApp) -> i64 {
    let file = app.dir().join("test.sqlite3");
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    let (_busy, log, _copied): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    log
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_write_ahead_log_is_emptied_by_a_checkpoint() {
    let (app, client) = app_after_twenty_views().await;
    // A checkpoint that finds a reader in the way leaves starting over to
    // a later one (the site's own run ten times a second, alongside).
    let db = app.db().await;
    let mut frames = i64::MAX;
    for _ in 0..3 {
        server::database::checkpoint(&db).await.unwrap();
        frames = frames_in_log(&app).await;
        if frames <= 1 {
            break;
        }
    }
    // At most the one frame that starts the next log.
    assert!(frames <= 1, "{frames} frames");
    assert_eq!(app.home(&client).await.visits(), 21, "nothing lost");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkpoint_does_not_wait_for_a_reader_in_the_log() {
    // Only the test's own checkpoints: the site's, ten times a second,
    // could empty the log just before the reader begins (a reader of the
    // file alone holds no log back).
    let (app, client) = app_after_twenty_views_with(no_checkpoint_task).await;
    // A reader in the middle of a transaction, then a view it cannot see:
    // until the reader is done, the log can be neither copied nor emptied.
    let file = app.dir().join("test.sqlite3");
    let mut reader = SqliteConnection::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    let mut reading = reader.begin().await.unwrap();
    let _: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM session_state")
        .fetch_one(&mut *reading)
        .await
        .unwrap();
    app.home(&client).await;

    // Waiting for the reader would hold every write back, up to the busy
    // timeout (5 s): the checkpoint gives up at once instead.
    let db = app.db().await;
    tokio::time::timeout(Duration::from_secs(2), server::database::checkpoint(&db))
        .await
        .expect("the checkpoint waited for the reader")
        .unwrap();
    assert!(frames_in_log(&app).await > 1, "the log is in use");
    assert_eq!(app.home(&client).await.visits(), 22, "views go on");

    reading.rollback().await.unwrap();
    server::database::checkpoint(&db).await.unwrap();
    assert!(frames_in_log(&app).await <= 1);
    assert_eq!(app.home(&client).await.visits(), 23, "nothing lost");
}

/// The first salt of the log's header: SQLite adds one to it each time the
/// log is started over.
fn log_restarts(app: &TestApp) -> u32 {
    let log = std::fs::read(app.dir().join("test.sqlite3-wal")).unwrap();
    u32::from_be_bytes(log[16..20].try_into().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_site_does_not_start_its_log_over_again_and_again() {
    // Only the test's own checkpoints, counted one by one.
    let (app, client) = app_after_twenty_views_with(no_checkpoint_task).await;
    let db = app.db().await;
    server::database::checkpoint(&db).await.unwrap();
    let started_over = log_restarts(&app);
    for _ in 0..3 {
        server::database::checkpoint(&db).await.unwrap();
    }
    assert_eq!(
        log_restarts(&app),
        started_over,
        "nothing was written since"
    );
    app.home(&client).await;
    server::database::checkpoint(&db).await.unwrap();
    assert_eq!(log_restarts(&app), started_over + 1, "a view was");
    assert_eq!(app.home(&client).await.visits(), 22, "nothing lost");
}

fn no_checkpoint_task(settings: &mut Settings) {
    settings.database.checkpoint_interval_ms = 0;
}
