//! Loans as the operator makes them: `locallibrary lend` and `return`,
//! and what the site shows of them.

use crate::support::{browser, main_text, spawn_app, stderr, stdout, TestApp};

/// A copy with `status` (its id and its book's), the first by id.
async fn a_copy(app: &TestApp, status: &str) -> (String, i64) {
    let id: String = app
        .scalar(&format!(
            "SELECT id FROM book_instance WHERE status = '{status}' ORDER BY id LIMIT 1"
        ))
        .await;
    let book: i64 = app
        .scalar(&format!(
            "SELECT book_id FROM book_instance WHERE id = '{id}'"
        ))
        .await;
    (id, book)
}

async fn copy_row(app: &TestApp, copy: &str) -> (String, Option<String>, Option<String>) {
    let status: String = app
        .scalar(&format!(
            "SELECT status FROM book_instance WHERE id = '{copy}'"
        ))
        .await;
    let due: Option<String> = app
        .scalar(&format!(
            "SELECT due_back FROM book_instance WHERE id = '{copy}'"
        ))
        .await;
    let borrower: Option<String> = app
        .scalar(&format!(
            "SELECT account.username FROM book_instance LEFT JOIN account
             ON account.id = book_instance.borrower_id WHERE book_instance.id = '{copy}'"
        ))
        .await;
    (status, due, borrower)
}

fn in_days(days: i64) -> String {
    app::dates::iso_date(app::dates::today() + time::Duration::days(days))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_lent_and_returned_shows_on_the_site_at_once() {
    let app = spawn_app().await;
    let user = app.command_with_input(
        &["adduser", "alice", "--email", "a@example.com"],
        "a long password\n",
    );
    assert!(user.status.success(), "{}", stderr(&user));
    let (copy, book) = a_copy(&app, "a").await;
    let available = app.copies_available().await;
    let book_page = format!("/books/{book}");
    // Kept pages of the book and the home page exist before the loan.
    let before = main_text(
        &browser()
            .get(app.url(&book_page))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );

    let lent = app.command(&["lend", &copy, "alice"]);
    assert!(lent.status.success(), "{}", stderr(&lent));
    let due = in_days(21);
    assert!(
        stdout(&lent).contains(&format!("to alice, due back {due}.")),
        "{}",
        stdout(&lent)
    );
    assert_eq!(
        copy_row(&app, &copy).await,
        ("o".into(), Some(due), Some("alice".into()))
    );
    assert_eq!(app.copies_available().await, available - 1);
    let after = main_text(
        &browser()
            .get(app.url(&book_page))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert_ne!(before, after, "the book's page shows the loan");

    let back = app.command(&["return", &copy]);
    assert!(back.status.success(), "{}", stderr(&back));
    assert!(
        stdout(&back).ends_with("is back: available.\n"),
        "{}",
        stdout(&back)
    );
    assert_eq!(copy_row(&app, &copy).await, ("a".into(), None, None));
    assert_eq!(app.copies_available().await, available);
    let again = main_text(
        &browser()
            .get(app.url(&book_page))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(before, again);

    let until = in_days(3);
    let lent = app.command(&["lend", &copy, "alice", "--due", &until]);
    assert!(lent.status.success(), "{}", stderr(&lent));
    assert_eq!(copy_row(&app, &copy).await.1, Some(until));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lend_and_return_refuse_what_cannot_be_and_change_nothing() {
    let app = spawn_app().await;
    app.command_with_input(
        &["adduser", "alice", "--email", "a@example.com"],
        "a long password\n",
    );
    let (copy, _) = a_copy(&app, "a").await;
    let (on_loan, _) = a_copy(&app, "o").await;
    let (reserved, _) = a_copy(&app, "r").await;
    let available = app.copies_available().await;
    let yesterday = in_days(-1);
    for (args, says) in [
        (
            vec!["lend", "no-such-copy", "alice"],
            "there is no copy with the id no-such-copy",
        ),
        (
            vec!["lend", &copy, "nobody"],
            "there is no user named nobody",
        ),
        (
            vec!["lend", &on_loan, "alice"],
            "is not available: it is on loan",
        ),
        (
            vec!["lend", &reserved, "alice"],
            "is not available: it is reserved",
        ),
        (
            vec!["lend", &copy, "alice", "--due", "2026-02-30"],
            "is not a date written YYYY-MM-DD",
        ),
        (
            vec!["lend", &copy, "alice", "--due", "next week"],
            "is not a date written YYYY-MM-DD",
        ),
        (
            vec!["lend", &copy, "alice", "--due", &yesterday],
            "is in the past",
        ),
        (vec!["return", &copy], "is not on loan: it is available"),
        (
            vec!["return", "no-such-copy"],
            "there is no copy with the id no-such-copy",
        ),
    ] {
        let refused = app.command(&args);
        assert!(!refused.status.success(), "{args:?}: {}", stdout(&refused));
        assert!(
            stderr(&refused).contains(says),
            "{args:?}: {}",
            stderr(&refused)
        );
    }
    assert_eq!(copy_row(&app, &copy).await, ("a".into(), None, None));
    assert_eq!(app.copies_available().await, available);

    // An inactive user borrows nothing.
    app.execute("UPDATE account SET is_active = FALSE").await;
    let refused = app.command(&["lend", &copy, "alice"]);
    assert!(
        stderr(&refused).contains("alice is not an active user"),
        "{}",
        stderr(&refused)
    );
}
