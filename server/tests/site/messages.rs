//! Every action says what it did: the next page shows a message naming
//! what was done and to whom, once, kept in the session until then (as
//! Django's messages framework does), in the page's language, and never on
//! a kept page of another browser.

use reqwest::StatusCode;

use crate::support::{browser, main_text, spawn_app, text_of, TestApp};

/// The message the page at `path` shows `client`, if any.
async fn said(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let (status, html) = app.page(client, path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    text_of(&html, "main .message")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_page_says_what_was_done_once_and_only_to_who_did_it() {
    let app = spawn_app().await;
    let (alice, libby) = app.member_and_librarian().await;
    // A second librarian's browser, and a visitor, viewing the same pages.
    app.add_user("lena", "shelves and stacks", true).await;
    let lena = browser();
    app.sign_in(&lena, "lena", "shelves and stacks").await;
    let copy: String = app
        .scalar("SELECT MIN(id) FROM book_instance WHERE status = 'a' AND book_id = 6")
        .await;
    let title: String = app.scalar("SELECT title FROM book WHERE id = 6").await;
    // Warm the kept pages.
    for client in [&libby, &lena, &browser()] {
        assert_eq!(said(&app, client, "/books/6").await, "");
    }

    let response = app
        .post_form(
            &libby,
            &format!("/copies/{copy}/lend"),
            &[("username", "alice"), ("due_back", "2030-01-01")],
        )
        .await;
    // Not lent that far ahead: the form again, and nothing said.
    assert_eq!(response.status(), StatusCode::OK);
    let due = app::dates::iso_date(app::dates::today() + time::Duration::days(7));
    let response = app
        .post_form(
            &libby,
            &format!("/copies/{copy}/lend"),
            &[("username", "alice"), ("due_back", &due)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let human = app::language::human_date(app::language::Locale::en, &due);
    assert_eq!(
        said(&app, &libby, "/books/6").await,
        format!("Lent {title} to alice until {human}.")
    );
    // Once: gone on the next page, and never shown to anyone else.
    assert_eq!(said(&app, &libby, "/books/6").await, "");
    for client in [&lena, &alice, &browser()] {
        assert_eq!(said(&app, client, "/books/6").await, "");
    }

    // Renewed: said on the list of loans, in the librarian's language.
    let renewal = app::dates::iso_date(app::dates::today() + time::Duration::days(20));
    let response = app
        .post_form(
            &libby,
            &format!("/copies/{copy}/renew"),
            &[("renewal_date", &renewal)],
        )
        .await;
    // To the page of every loan where the renewed one now stands.
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/loans"), "{location}");
    let response = libby
        .get(app.url(&location))
        .header("accept-language", "zh-TW")
        .send()
        .await
        .unwrap();
    let html = response.text().await.unwrap();
    let message = text_of(&html, "main .message");
    assert!(
        message.starts_with(&format!("已為 alice 續借《{title}》至")),
        "{message}"
    );
    // The renewed loan is in view on that page.
    assert!(main_text(&html).contains(&title), "{html}");

    // Taken back; an author added, renamed, deleted: each said.
    let response = app
        .post_form(&libby, &format!("/copies/{copy}/return"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        said(&app, &libby, "/books/6").await,
        format!("{title} is back from alice: available.")
    );
    let response = app
        .post_form(
            &libby,
            "/authors/new",
            &[("first_name", "Ada"), ("last_name", "Quill")],
        )
        .await;
    let page = response.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(said(&app, &libby, &page).await, "Added Quill, Ada.");
    let response = app
        .post_form(
            &libby,
            &format!("{page}/edit"),
            &[
                ("first_name", "Ada"),
                ("last_name", "Quillon"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        said(&app, &libby, &page).await,
        "Saved the changes to Quillon, Ada."
    );
    let response = app.post_form(&libby, &format!("{page}/delete"), &[]).await;
    assert_eq!(response.headers()["location"], "/authors");
    assert_eq!(
        said(&app, &libby, "/authors").await,
        "Deleted Quillon, Ada."
    );
    assert_eq!(said(&app, &libby, "/authors").await, "");
}
