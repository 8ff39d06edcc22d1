//! The database keeps the home page's figures (migrations sqlite 0018,
//! postgres 0012): books, copies and authors added or deleted, and copies
//! that become available or stop being, in plain SQL behind the site's
//! back, show at once, and as what the tables hold.

use crate::support::{browser, spawn_app, TestApp};

/// Books, copies, copies available and authors, as the home page shows them.
async fn shown(app: &TestApp) -> [u64; 4] {
    let page = app.home(&browser()).await;
    ["Books", "Copies", "Copies available", "Authors"].map(|label| page.count(label))
}

/// The same, counted in the tables.
async fn counted(app: &TestApp) -> [u64; 4] {
    let mut figures = [0; 4];
    for (figure, sql) in figures.iter_mut().zip([
        "SELECT COUNT(*) FROM book",
        "SELECT COUNT(*) FROM book_instance",
        "SELECT COUNT(*) FROM book_instance WHERE status = 'a'",
        "SELECT COUNT(*) FROM author",
    ]) {
        *figure = app.scalar::<i64>(sql).await as u64;
    }
    figures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_pages_figures_follow_every_change_made_in_plain_sql() {
    let app = spawn_app().await;
    let [books, copies, available, authors] = shown(&app).await;
    assert_eq!([books, copies, available, authors], counted(&app).await);

    // Each change, and the figures it leaves.
    let changes = [
        (
            "INSERT INTO author (id, first_name, last_name) VALUES (9001, 'Ada', 'Counted')",
            [books, copies, available, authors + 1],
        ),
        (
            "INSERT INTO book (id, title, author_id, summary, isbn)
             VALUES (9001, 'Counted', 9001, '', '9780000000002')",
            [books + 1, copies, available, authors + 1],
        ),
        (
            "INSERT INTO book_instance (id, book_id, imprint, status) VALUES
             ('counted-1', 9001, 'Imprint', 'a'), ('counted-2', 9001, 'Imprint', 'm'),
             ('counted-3', 9001, 'Imprint', 'a')",
            [books + 1, copies + 3, available + 2, authors + 1],
        ),
        (
            "UPDATE book_instance SET status = 'o' WHERE id = 'counted-1'",
            [books + 1, copies + 3, available + 1, authors + 1],
        ),
        (
            "UPDATE book_instance SET status = 'a' WHERE book_id = 9001",
            [books + 1, copies + 3, available + 3, authors + 1],
        ),
        // Not a change of availability: nothing moves.
        (
            "UPDATE book_instance SET imprint = 'Another', status = 'a' WHERE book_id = 9001",
            [books + 1, copies + 3, available + 3, authors + 1],
        ),
        (
            "DELETE FROM book_instance WHERE id = 'counted-2'",
            [books + 1, copies + 2, available + 2, authors + 1],
        ),
        // The book's other copies go with it.
        (
            "DELETE FROM book WHERE id = 9001",
            [books, copies, available, authors + 1],
        ),
        (
            "DELETE FROM author WHERE id = 9001",
            [books, copies, available, authors],
        ),
        (
            "UPDATE book_instance SET status = 'r' WHERE status = 'a'",
            [books, copies, 0, authors],
        ),
    ];
    for (change, expected) in changes {
        app.execute(change).await;
        assert_eq!(shown(&app).await, expected, "after {change}");
        assert_eq!(counted(&app).await, expected, "after {change}");
    }
}
