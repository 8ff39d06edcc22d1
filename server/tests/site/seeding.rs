//! The demo catalog goes only into a new database, and never over or
//! beside a library's own records.

use serde_json::Value;

use crate::support::{
    browser, locallibrary, spawn_app, spawn_app_on, spawn_app_with, TestDatabase, SMALL_CATALOG,
};

/// The small catalog's authors (and genres, languages), without a book.
fn authors_only() -> Value {
    let mut catalog: Value = serde_json::from_str(SMALL_CATALOG).unwrap();
    catalog["books"] = Value::Array(Vec::new());
    catalog["book_instances"] = Value::Array(Vec::new());
    catalog
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalog_of_authors_loaded_before_the_first_start_is_kept() {
    let database = TestDatabase::new().await;
    let file = database.dir.path().join("authors.json");
    std::fs::write(&file, authors_only().to_string()).unwrap();
    let loaded = locallibrary()
        .args(["load-catalog", file.to_str().unwrap()])
        .env("DATABASE_URL", &database.url)
        .output()
        .unwrap();
    assert!(loaded.status.success(), "{loaded:?}");

    let mut app = spawn_app_on(database, |_| {}).await;
    for _ in 0..2 {
        let page = app.home(&browser()).await;
        assert_eq!(
            (page.count("Books"), page.count("Authors")),
            (0, 10),
            "{}",
            page.text
        );
        app.restart().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalog_emptied_of_books_stays_so_across_restarts() {
    let mut app = spawn_app().await;
    let output = app.replace_catalog_json("authors.json", &authors_only().to_string());
    assert!(output.status.success(), "{output:?}");
    app.restart().await;
    app.restart().await;
    let page = app.home(&browser()).await;
    assert_eq!((page.count("Books"), page.count("Authors")), (0, 10));
    let books: i64 = app.scalar("SELECT COUNT(*) FROM book").await;
    assert_eq!(books, 0, "no demo book mixed in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_seeding_off_a_new_database_starts_empty() {
    let app = spawn_app_with(|s| s.catalog.seed_demo = false).await;
    let page = app.home(&browser()).await;
    assert_eq!((page.count("Books"), page.count("Authors")), (0, 0));
    let authors: i64 = app.scalar("SELECT COUNT(*) FROM author").await;
    assert_eq!(authors, 0);
}
