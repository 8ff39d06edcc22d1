//! SQLite's write-ahead log.

use crate::support::{browser, spawn_app_on, Backend, TestDatabase};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_write_ahead_log_is_emptied_by_a_checkpoint() {
    let app = spawn_app_on(TestDatabase::on(Backend::Sqlite).await, |_| {}).await;
    let client = browser();
    for _ in 0..20 {
        app.home(&client).await;
    }
    server::db::checkpoint(&app.db().await).await.unwrap();
    let wal = app.dir().join("test.sqlite3-wal");
    assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0);
    assert_eq!(app.home(&client).await.visits(), 21, "nothing lost");
}
