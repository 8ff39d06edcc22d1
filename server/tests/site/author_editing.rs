//! Librarians create, update and delete authors (the reference tutorial's
//! author-creation view tests, and the rest of the rules).

use reqwest::StatusCode;

use crate::support::{browser, form_version, main_text, spawn_app, text_of, TestApp};

/// The id in `/authors/ID`, where a redirect went.
fn author_id(location: &str) -> i64 {
    location
        .strip_prefix("/authors/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not an author's page: {location}"))
}

/// An author of the small catalog with books, and one made without any.
async fn author_with_books(app: &TestApp) -> i64 {
    app.scalar("SELECT MIN(author_id) FROM book").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_an_author_is_for_librarians() {
    let app = spawn_app().await;
    let (alice, libby) = app.member_and_librarian().await;

    let response = browser().get(app.url("/authors/new")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()["location"],
        "/accounts/login?next=/authors/new"
    );
    let (status, html) = app.page(&alice, "/authors/new").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    let response = app
        .post_form(
            &alice,
            "/authors/new",
            &[("first_name", "A"), ("last_name", "B")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let (status, html) = app.page(&libby, "/authors/new").await;
    assert_eq!(status, 200);
    let text = main_text(&html);
    assert!(
        text.starts_with("Create author First name Last name Date of birth"),
        "{text}"
    );

    let authors_before = app.home(&browser()).await.count("Authors");
    let response = app
        .post_form(
            &libby,
            "/authors/new",
            &[
                ("first_name", "Ursula"),
                ("last_name", "Aaronson"),
                ("date_of_birth", "1929-10-21"),
                ("date_of_death", "2018-01-22"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let id = author_id(&location);
    let (status, html) = app.page(&browser(), &location).await;
    assert_eq!(status, 200);
    assert!(
        main_text(&html).starts_with("Aaronson, Ursula 21 Oct 1929 – 22 Jan 2018"),
        "{html}"
    );
    assert_eq!(
        app.home(&browser()).await.count("Authors"),
        authors_before + 1
    );
    // First in the list by last name, at once (kept pages follow).
    let (_, list) = app.page(&browser(), "/authors").await;
    let first = text_of(&list, "ul.item-list li:first-child a.item-title");
    assert_eq!(first, "Aaronson, Ursula");
    assert!(list.contains(&format!("/authors/{id}")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_author_form_with_mistakes_comes_back_saying_what_they_are() {
    let app = spawn_app().await;
    let (_, libby) = app.member_and_librarian().await;
    let authors: i64 = app.scalar("SELECT COUNT(*) FROM author").await;
    let long = "x".repeat(101);
    for (fields, field, problem) in [
        (
            vec![("last_name", "B")],
            "first_name",
            "This field is required.",
        ),
        (
            vec![("first_name", "A"), ("last_name", "  ")],
            "last_name",
            "This field is required.",
        ),
        (
            vec![("first_name", long.as_str()), ("last_name", "B")],
            "first_name",
            "Use at most 100 characters.",
        ),
        (
            vec![
                ("first_name", "A"),
                ("last_name", "B"),
                ("date_of_birth", "born 1929"),
            ],
            "date_of_birth",
            "Enter a valid date.",
        ),
        (
            vec![
                ("first_name", "A"),
                ("last_name", "B"),
                ("date_of_birth", "1929-10-21"),
                ("date_of_death", "1900-01-01"),
            ],
            "date_of_death",
            "The date of death cannot be before the date of birth.",
        ),
        (
            vec![
                ("first_name", "A"),
                ("last_name", "B"),
                ("date_of_birth", "3000-01-01"),
            ],
            "date_of_birth",
            "The date cannot be in the future.",
        ),
        (
            vec![("first_name", "A\tB"), ("last_name", "B")],
            "first_name",
            "This field cannot contain control characters (such as tabs or line breaks).",
        ),
    ] {
        let response = app.post_form(&libby, "/authors/new", &fields).await;
        assert_eq!(response.status(), 200, "{field}");
        let html = response.text().await.unwrap();
        assert_eq!(text_of(&html, &format!("#field-{field}-problems")), problem);
        // What was typed stays in the form.
        for (name, value) in &fields {
            let value = value.trim();
            if !value.is_empty() {
                assert!(
                    html.contains(&format!(r#"name="{name}" value="{value}""#)),
                    "{html}"
                );
            }
        }
    }
    let after: i64 = app.scalar("SELECT COUNT(*) FROM author").await;
    assert_eq!(after, authors, "nothing stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_shows_everywhere_at_once_search_included() {
    let app = spawn_app().await;
    let (alice, libby) = app.member_and_librarian().await;
    let id = author_with_books(&app).await;
    let edit = format!("/authors/{id}/edit");
    let page = format!("/authors/{id}");

    // Warm the kept pages first.
    let (_, before) = app.page(&browser(), &page).await;
    let (_, html) = app.page(&libby, &page).await;
    assert!(html.contains(&format!(r#"href="{edit}""#)), "{html}");
    assert!(!before.contains(&edit), "only librarians see Edit");
    let (_, html) = app.page(&alice, &page).await;
    assert!(!html.contains(&edit));

    let (status, html) = app.page(&libby, &edit).await;
    assert_eq!(status, 200);
    assert!(main_text(&html).starts_with("Update author: "), "{html}");
    let first: String = app
        .scalar(&format!("SELECT first_name FROM author WHERE id = {id}"))
        .await;
    assert!(html.contains(&format!(r#"value="{first}""#)), "{html}");
    let version = form_version(&html);

    let response = app
        .post_form(
            &libby,
            &edit,
            &[
                ("first_name", "Zenobia"),
                ("last_name", "Quillfeather"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], page.as_str());
    let (_, html) = app.page(&browser(), &page).await;
    assert!(
        main_text(&html).starts_with("Quillfeather, Zenobia"),
        "{html}"
    );
    let (_, found) = app.page(&browser(), "/books?q=quillfeather").await;
    assert!(!main_text(&found).contains("No books match"), "{found}");
    let books: i64 = app
        .scalar(&format!("SELECT COUNT(*) FROM book WHERE author_id = {id}"))
        .await;
    assert!(
        main_text(&found).contains(&format!("{books} book")),
        "{found}"
    );

    // Unknown: 404 for a librarian, sign-in first for nobody.
    let (status, _) = app.page(&libby, "/authors/999999/edit").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = app
        .post_form(
            &libby,
            "/authors/999999/edit",
            &[("first_name", "A"), ("last_name", "B")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = browser()
        .get(app.url("/authors/999999/edit"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_author_with_books_is_not_deleted_and_one_without_is() {
    let app = spawn_app().await;
    let (alice, libby) = app.member_and_librarian().await;
    let with_books = author_with_books(&app).await;
    let delete = format!("/authors/{with_books}/delete");

    let (status, html) = app.page(&libby, &delete).await;
    assert_eq!(status, 200);
    let text = main_text(&html);
    assert!(
        text.contains("You can't delete this author until all their books have been deleted:"),
        "{text}"
    );
    let title: String = app
        .scalar(&format!(
            "SELECT title FROM book WHERE author_id = {with_books} ORDER BY id LIMIT 1"
        ))
        .await;
    assert!(text.contains(&title), "{text}");
    assert!(!html.contains(r#"action="/authors/"#), "no button: {html}");
    let response = app.post_form(&libby, &delete, &[]).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(main_text(&html).contains(&title), "{html}");
    let kept: i64 = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM author WHERE id = {with_books}"
        ))
        .await;
    assert_eq!(kept, 1);

    // A new author, with no books: a member may not, a librarian may.
    let response = app
        .post_form(
            &libby,
            "/authors/new",
            &[("first_name", "Short"), ("last_name", "Lived")],
        )
        .await;
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let id = author_id(&location);
    let delete = format!("/authors/{id}/delete");
    let response = app.post_form(&alice, &delete, &[]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (status, html) = app.page(&libby, &delete).await;
    assert_eq!(status, 200);
    assert!(
        main_text(&html).contains("Are you sure you want to delete the author?"),
        "{html}"
    );
    let authors_before = app.home(&browser()).await.count("Authors");
    let response = app.post_form(&libby, &delete, &[]).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/authors");
    let (status, _) = app.page(&browser(), &location).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.home(&browser()).await.count("Authors"),
        authors_before - 1
    );
    let response = app.post_form(&libby, &delete, &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn authors_edited_and_deleted_at_once_are_one_or_the_other_never_a_failure() {
    let app = spawn_app().await;
    let (_alice, libby) = app.member_and_librarian().await;
    let before: i64 = app.scalar("SELECT COUNT(*) FROM author").await;
    let mut ids = Vec::new();
    for i in 0..8 {
        let name = format!("Brief{i}");
        let fields = [("first_name", name.as_str()), ("last_name", "Tenure")];
        let response = app.post_form(&libby, "/authors/new", &fields).await;
        ids.push(author_id(response.headers()["location"].to_str().unwrap()));
    }
    let races = ids.iter().flat_map(|id| {
        let (edit, delete) = (
            format!("/authors/{id}/edit"),
            format!("/authors/{id}/delete"),
        );
        // Each new author is at version 1.
        let fields = [
            ("first_name", "Renamed"),
            ("last_name", "Tenure"),
            ("version", "1"),
        ];
        let libby = &libby;
        let app = &app;
        [
            futures::future::Either::Left(async move {
                ("edit", app.post_form(libby, &edit, &fields).await)
            }),
            futures::future::Either::Right(async move {
                ("delete", app.post_form(libby, &delete, &[]).await)
            }),
        ]
    });
    for (what, response) in futures::future::join_all(races).await {
        let status = response.status();
        // An edit after the delete finds nobody (404); nothing fails.
        let expected = match what {
            "edit" => [StatusCode::FOUND, StatusCode::NOT_FOUND].contains(&status),
            _ => status == StatusCode::FOUND,
        };
        assert!(
            expected,
            "{what}: {status}: {}",
            response.text().await.unwrap()
        );
    }
    assert_eq!(
        app.scalar::<i64>("SELECT COUNT(*) FROM author").await,
        before
    );
    assert_eq!(app.home(&browser()).await.count("Authors"), before as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_over_a_change_made_meanwhile_is_refused_and_loses_neither() {
    let app = spawn_app().await;
    app.add_user("libby", "shelves and stacks", true).await;
    app.add_user("lena", "shelves and stacks", true).await;
    let (libby, lena) = (browser(), browser());
    app.sign_in(&libby, "libby", "shelves and stacks").await;
    app.sign_in(&lena, "lena", "shelves and stacks").await;
    let id = author_with_books(&app).await;
    let edit = format!("/authors/{id}/edit");

    // Both open the form; Lena saves first.
    let (_, libbys_form) = app.page(&libby, &edit).await;
    let (_, lenas_form) = app.page(&lena, &edit).await;
    let response = app
        .post_form(
            &lena,
            &edit,
            &[
                ("first_name", "Lena's"),
                ("last_name", "Spelling"),
                ("date_of_birth", "1901-02-03"),
                ("version", &form_version(&lenas_form)),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);

    // Libby's save, from the form opened before, is refused: 409, the
    // page again with what the record says now and her values kept.
    let libbys = [
        ("first_name", "Libby's"),
        ("last_name", "Version"),
        ("date_of_birth", ""),
        ("version", &form_version(&libbys_form)),
    ];
    let response = app.post_form(&libby, &edit, &libbys).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = response.text().await.unwrap();
    let text = main_text(&html);
    assert!(
        text.contains("Not saved: someone else changed this record after you opened the form"),
        "{text}"
    );
    let now = text_of(&html, ".current-values");
    for value in ["Lena's", "Spelling", "1901-02-03"] {
        assert!(now.contains(value), "{value} in {now:?}");
    }
    assert!(html.contains(r#"value="Libby&#x27;s""#) || html.contains(r#"value="Libby's""#));
    assert!(html.contains(r#"value="Version""#), "{html}");
    let stored: String = app
        .scalar(&format!("SELECT first_name FROM author WHERE id = {id}"))
        .await;
    assert_eq!(stored, "Lena's", "nothing overwritten");

    // Saving again from that page replaces Lena's change, knowingly.
    let again = [
        ("first_name", "Libby's"),
        ("last_name", "Version"),
        ("date_of_birth", ""),
        ("version", &form_version(&html)),
    ];
    let response = app.post_form(&libby, &edit, &again).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let stored: String = app
        .scalar(&format!("SELECT first_name FROM author WHERE id = {id}"))
        .await;
    assert_eq!(stored, "Libby's");

    // A change behind the site's back (plain SQL) counts as well, and a
    // form without a version cannot overwrite anything.
    let (_, form) = app.page(&libby, &edit).await;
    app.execute(&format!(
        "UPDATE author SET date_of_death = '2000-01-01' WHERE id = {id}"
    ))
    .await;
    let stale = [
        ("first_name", "Third"),
        ("last_name", "Try"),
        ("version", &form_version(&form)),
    ];
    let response = app.post_form(&libby, &edit, &stale).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let response = app
        .post_form(
            &libby,
            &edit,
            &[("first_name", "No"), ("last_name", "Version")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    // Renumbering the list (another author added) is no change of this one.
    let (_, form) = app.page(&libby, &edit).await;
    let response = app
        .post_form(
            &libby,
            "/authors/new",
            &[("first_name", "A"), ("last_name", "Aaa")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let fresh = [
        ("first_name", "Fourth"),
        ("last_name", "Try"),
        ("version", &form_version(&form)),
    ];
    let response = app.post_form(&libby, &edit, &fresh).await;
    assert_eq!(response.status(), StatusCode::FOUND);
}
