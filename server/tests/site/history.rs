//! The history of changes (migrations sqlite 0022, postgres 0016): each
//! change a librarian makes on the site or an operator makes by a command
//! is recorded with who, when and each field before and after, and shown
//! to librarians at `/history` and on each record's history page.

use reqwest::StatusCode;

use crate::support::{main_text, spawn_app, text_of};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_change_is_recorded_with_who_when_and_each_field_before_and_after() {
    let app = spawn_app().await;
    let (_, libby) = app.member_and_librarian().await;

    // An author created, renamed, then deleted.
    let response = app
        .post_form(
            &libby,
            "/authors/new",
            &[
                ("first_name", "Ada"),
                ("last_name", "Quill"),
                ("date_of_birth", "1950-05-06"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let page = response.headers()["location"].to_str().unwrap().to_string();
    let id = page.trim_start_matches("/authors/").to_string();
    let response = app
        .post_form(
            &libby,
            &format!("{page}/edit"),
            &[
                ("first_name", "Ada"),
                ("last_name", "Quillon"),
                ("date_of_birth", "1950-05-06"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);

    // A copy lent on the site, renewed, taken back by a command.
    let copy: String = app
        .scalar("SELECT MIN(id) FROM book_instance WHERE status = 'a' AND book_id = 6")
        .await;
    let response = app
        .post_form(
            &libby,
            &format!("/copies/{copy}/lend"),
            &[("username", "alice"), ("due_back", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let returned = app.command(&["return", &copy]);
    assert!(returned.status.success());

    let response = app.post_form(&libby, &format!("{page}/delete"), &[]).await;
    assert_eq!(response.status(), StatusCode::FOUND);

    // Everything, newest first.
    let (status, html) = app.page(&libby, "/history").await;
    assert_eq!(status, StatusCode::OK);
    let entries: Vec<String> = scraper::Html::parse_document(&html)
        .select(&scraper::Selector::parse("li.history-entry > p").unwrap())
        .map(|p| p.text().collect::<String>())
        .collect();
    let expected = [
        "libby deleted author Quillon, Ada",
        "locallibrary return (command) took back a copy of",
        "libby lent a copy of",
        "libby changed author Quillon, Ada",
        "libby created author Quill, Ada",
    ];
    assert_eq!(entries.len(), expected.len(), "{entries:?}");
    for (entry, expected) in entries.iter().zip(expected) {
        assert!(entry.contains(expected), "{expected:?} in {entry:?}");
        assert!(entry.contains(" UTC"), "{entry}");
    }
    // The rename: only the field it changed, before and after.
    let text = main_text(&html);
    assert!(text.contains("Last name Quill Quillon"), "{text}");
    // The loan: to whom, until when.
    assert!(text.contains("Borrower — alice"), "{text}");

    // The author's own history outlives the author, under their last name.
    let (status, html) = app.page(&libby, &format!("/authors/{id}/history")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        main_text(&html).starts_with("History: Quillon, Ada"),
        "{html}"
    );
    assert_eq!(
        scraper::Html::parse_document(&html)
            .select(&scraper::Selector::parse("li.history-entry").unwrap())
            .count(),
        3
    );

    // The book's history has its copies' loans.
    let (status, html) = app.page(&libby, "/books/6/history").await;
    assert_eq!(status, StatusCode::OK);
    let entries = text_of(&html, "ol.history");
    assert!(entries.contains("took back a copy of"), "{entries}");
    assert!(entries.contains("lent a copy of"), "{entries}");
    assert!(!entries.contains("Quill"), "{entries}");

    // A record with no history and no record: not found.
    let (status, _) = app.page(&libby, "/authors/999999/history").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, html) = app.page(&libby, "/books/1/history").await;
    assert_eq!(status, StatusCode::OK);
    assert!(main_text(&html).contains("No changes recorded."), "{html}");

    // In 繁體中文 as well.
    let response = libby
        .get(app.url("/history"))
        .header("accept-language", "zh-TW")
        .send()
        .await
        .unwrap();
    let html = response.text().await.unwrap();
    assert!(main_text(&html).starts_with("異動紀錄"), "{html}");
    assert!(html.contains("刪除了"), "{html}");
}
