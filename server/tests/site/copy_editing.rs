//! Librarians add a book's copies, several at once, edit and delete one;
//! a copy on loan keeps its loan whatever the forms say.

use reqwest::StatusCode;

use crate::support::{browser, form_version, main_text, spawn_app, text_of};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_librarian_adds_several_copies_at_once() {
    let app = spawn_app().await;
    let (alice, libby) = app.member_and_librarian().await;
    let book: i64 = app.scalar("SELECT MIN(id) FROM book").await;
    let title: String = app
        .scalar(&format!("SELECT title FROM book WHERE id = {book}"))
        .await;
    let new = format!("/books/{book}/copies/new");
    let (_, page) = app.page(&libby, &format!("/books/{book}")).await;
    assert!(page.contains(&format!(r#"href="{new}""#)), "{page}");
    let (status, _) = app.page(&alice, &new).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, html) = app.page(&libby, &new).await;
    assert_eq!(status, 200);
    assert!(
        main_text(&html).starts_with(&format!("Add copies: {title} Imprint")),
        "{html}"
    );

    let count = format!("SELECT COUNT(*) FROM book_instance WHERE book_id = {book}");
    let copies = || app.scalar::<i64>(&count);
    let before = copies().await;
    let home_before = app.home(&browser()).await.count("Copies");
    for (fields, field, problem) in [
        (
            vec![("imprint", ""), ("status", "a"), ("count", "1")],
            "imprint",
            "This field is required.",
        ),
        (
            vec![("imprint", "Ace"), ("status", "a"), ("count", "21")],
            "count",
            "Add from 1 to 20 copies at a time.",
        ),
        (
            vec![("imprint", "Ace"), ("status", "a"), ("count", "0")],
            "count",
            "Add from 1 to 20 copies at a time.",
        ),
        (
            vec![("imprint", "Ace"), ("status", "o"), ("count", "1")],
            "status",
            "Choose one of the options offered (this one may have been deleted meanwhile).",
        ),
    ] {
        let response = app.post_form(&libby, &new, &fields).await;
        assert_eq!(response.status(), 200, "{field}");
        let html = response.text().await.unwrap();
        assert_eq!(text_of(&html, &format!("#field-{field}-problems")), problem);
    }
    assert_eq!(copies().await, before, "nothing stored");

    let fields = [
        ("imprint", "Ace Books, 1990"),
        ("status", "a"),
        ("count", "3"),
    ];
    let response = app.post_form(&libby, &new, &fields).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, format!("/books/{book}"));
    assert_eq!(copies().await, before + 3);
    let (_, html) = app.page(&libby, &location).await;
    assert_eq!(
        text_of(&html, ".message"),
        format!("Added 3 copies of {title}.")
    );
    assert_eq!(main_text(&html).matches("Ace Books, 1990").count(), 3);
    assert_eq!(app.home(&browser()).await.count("Copies"), home_before + 3);
    let created: i64 = app
        .scalar("SELECT COUNT(*) FROM history WHERE kind = 'copy' AND action = 'create'")
        .await;
    assert_eq!(created, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_is_edited_and_deleted_but_one_on_loan_keeps_its_loan() {
    let app = spawn_app().await;
    let (alice, libby) = app.member_and_librarian().await;
    let available: String = app
        .scalar("SELECT MIN(id) FROM book_instance WHERE status = 'a'")
        .await;
    let book: i64 = app
        .scalar(&format!(
            "SELECT book_id FROM book_instance WHERE id = '{available}'"
        ))
        .await;
    let edit = format!("/copies/{available}/edit");
    let (_, page) = app.page(&libby, &format!("/books/{book}")).await;
    assert!(page.contains(&format!(r#"href="{edit}""#)), "{page}");
    let (_, page) = app.page(&alice, &format!("/books/{book}")).await;
    assert!(!page.contains(&edit), "only librarians see Edit");

    // Edited: imprint and status; a stale form is refused.
    let (status, form) = app.page(&libby, &edit).await;
    assert_eq!(status, 200);
    let version = form_version(&form);
    let fields = [
        ("imprint", "Rebound, 2026"),
        ("status", "m"),
        ("version", version.as_str()),
    ];
    let response = app.post_form(&libby, &edit, &fields).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let (_, html) = app.page(&libby, &format!("/books/{book}")).await;
    assert!(main_text(&html).contains("Rebound, 2026"), "{html}");
    let status: String = app
        .scalar(&format!(
            "SELECT status FROM book_instance WHERE id = '{available}'"
        ))
        .await;
    assert_eq!(status, "m");
    let (_, history) = app.page(&libby, &format!("/books/{book}/history")).await;
    let history = main_text(&history);
    assert!(
        history.contains("Imprint") && history.contains("Rebound, 2026"),
        "{history}"
    );
    assert!(
        history.contains("Available Maintenance"),
        "the status in words: {history}"
    );
    let (status, copy_history) = app
        .page(&libby, &format!("/copies/{available}/history"))
        .await;
    assert_eq!(status, 200);
    assert!(
        main_text(&copy_history).contains("Rebound, 2026"),
        "{copy_history}"
    );
    let (status, _) = app.page(&libby, "/copies/no-such-copy/history").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = app.post_form(&libby, &edit, &fields).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = response.text().await.unwrap();
    assert!(text_of(&html, ".current-values").contains("Rebound, 2026"));

    // On loan: lent on the site; its status is not the form's to change,
    // it cannot be deleted, and its loan stays open.
    let (_, form) = app.page(&libby, &edit).await;
    let version = form_version(&form);
    let back = [
        ("imprint", "Rebound, 2026"),
        ("status", "a"),
        ("version", version.as_str()),
    ];
    let response = app.post_form(&libby, &edit, &back).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let response = app
        .post_form(
            &libby,
            &format!("/copies/{available}/lend"),
            &[("username", "alice"), ("due_back", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND, "lent");
    let (_, form) = app.page(&libby, &edit).await;
    assert!(
        main_text(&form)
            .contains("This copy is on loan: its status changes when it is taken back."),
        "{form}"
    );
    let version = form_version(&form);
    let freed = [
        ("imprint", "Rebound, 2026"),
        ("status", "a"),
        ("version", version.as_str()),
    ];
    let response = app.post_form(&libby, &edit, &freed).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(
        main_text(&html).contains("its status cannot be set to or from on loan here"),
        "{html}"
    );
    let corrected = [
        ("imprint", "Rebound in cloth, 2026"),
        ("status", "o"),
        ("version", version.as_str()),
    ];
    let response = app.post_form(&libby, &edit, &corrected).await;
    assert_eq!(
        response.status(),
        StatusCode::FOUND,
        "an imprint is corrected"
    );
    let delete = format!("/copies/{available}/delete");
    let (_, html) = app.page(&libby, &delete).await;
    assert!(
        main_text(&html).contains("You can't delete this copy while it is on loan"),
        "{html}"
    );
    let response = app.post_form(&libby, &delete, &[]).await;
    assert_eq!(response.status(), 200);
    let open: i64 = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM loan WHERE copy_id = '{available}' AND ended_on IS NULL"
        ))
        .await;
    assert_eq!(open, 1, "the loan stands");

    // Back, it can be deleted: gone from its book's page, the figures
    // follow, and the history says so.
    let response = app
        .post_form(&libby, &format!("/copies/{available}/return"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let response = app.post_form(&alice, &delete, &[]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let copies_before = app.home(&browser()).await.count("Copies");
    let response = app.post_form(&libby, &delete, &[]).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()["location"],
        format!("/books/{book}").as_str()
    );
    let (_, html) = app.page(&libby, &format!("/books/{book}")).await;
    assert!(!html.contains(&available), "{html}");
    assert_eq!(
        app.home(&browser()).await.count("Copies"),
        copies_before - 1
    );
    let (status, _) = app.page(&libby, &edit).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let deleted: i64 = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM history WHERE record_id = '{available}' AND action = 'delete'"
        ))
        .await;
    assert_eq!(deleted, 1);
}
