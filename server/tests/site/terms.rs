//! `/genres` and `/languages`: every genre and language with its number
//! of books, each with a page of its books; a book's page links to them.

use crate::{
    browsing::get,
    support::{bare_client, form_version, spawn_app, TestApp},
};

/// The titles of the books of genre (or language) `id`, in the book
/// list's order, as the database has them.
async fn titles_of(app: &TestApp, filter: &str) -> Vec<String> {
    let db = app.db().await;
    let sql = format!("SELECT title FROM book b WHERE {filter} ORDER BY list_position, id");
    app::on_reader!(&db, |conn| sqlx::query_scalar(&sql).fetch_all(conn).await).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_genre_and_language_has_a_page_of_its_books() {
    let app = spawn_app().await;
    let client = bare_client();
    for (list, heading, table, books_of) in [
        (
            "/genres",
            "All genres",
            "genre",
            "b.id IN (SELECT book_id FROM book_genre WHERE genre_id = {id})",
        ),
        (
            "/languages",
            "All languages",
            "language",
            "b.language_id = {id}",
        ),
    ] {
        let page = get(&app, &client, list).await;
        assert_eq!(page.status, 200, "{list}");
        assert_eq!(page.h1s, [heading]);
        let names: i64 = app.scalar(&format!("SELECT COUNT(*) FROM {table}")).await;
        assert_eq!(page.items.len() as i64, names, "{list}: {:?}", page.items);

        let id: i64 = app.scalar(&format!("SELECT MIN(id) FROM {table}")).await;
        let name: String = app
            .scalar(&format!("SELECT name FROM {table} WHERE id = {id}"))
            .await;
        let expected = titles_of(&app, &books_of.replace("{id}", &id.to_string())).await;
        let count = if expected.len() == 1 {
            "1 book".to_string()
        } else {
            format!("{} books", expected.len())
        };
        let item = page
            .items
            .iter()
            .find(|item| item.starts_with(&name))
            .unwrap_or_else(|| panic!("{name} in {:?}", page.items));
        assert!(item.ends_with(&count), "{item}");

        let path = format!("{list}/{id}");
        assert!(page.html.contains(&format!(r#"href="{path}""#)));
        let one = get(&app, &client, &path).await;
        assert_eq!(one.status, 200, "{path}");
        assert_eq!(one.h1s.len(), 1);
        assert!(one.h1s[0].ends_with(&name), "{:?}", one.h1s);
        assert!(one.text.contains(&count), "{}", one.text);
        let shown = expected.len().min(10);
        assert_eq!(one.titles, expected[..shown], "{path}");

        for missing in [format!("{list}/999999"), format!("{list}/x")] {
            assert_eq!(get(&app, &client, &missing).await.status, 404, "{missing}");
        }
    }

    // A book's page links to its genres and its language.
    let page = get(&app, &client, "/books/1").await;
    let language: i64 = app
        .scalar("SELECT language_id FROM book WHERE id = 1")
        .await;
    assert!(
        page.html
            .contains(&format!(r#"href="/languages/{language}""#)),
        "{}",
        page.html
    );
    let genre: i64 = app
        .scalar("SELECT MIN(genre_id) FROM book_genre WHERE book_id = 1")
        .await;
    assert!(page.html.contains(&format!(r#"href="/genres/{genre}""#)));

    // In 繁體中文.
    let response = client
        .get(app.url("/genres"))
        .header("accept-language", "zh-TW")
        .send()
        .await
        .unwrap();
    assert!(response.text().await.unwrap().contains("<h1>所有類型</h1>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn librarians_add_rename_and_delete_genres_and_languages() {
    let app = spawn_app().await;
    let (alice, libby) = app.member_and_librarian().await;
    use reqwest::StatusCode;

    // Only librarians see the controls.
    let (_, list) = app.page(&libby, "/genres").await;
    assert!(list.contains(r#"href="/genres/new""#), "{list}");
    let (_, list) = app.page(&alice, "/genres").await;
    assert!(!list.contains(r#"href="/genres/new""#));

    // Added, said, and unique ignoring case.
    let response = app
        .post_form(&libby, "/genres/new", &[("name", " Poetry ")])
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let page = response.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = app.page(&libby, &page).await;
    assert!(
        crate::support::text_of(&html, "main .message").contains("Added the genre Poetry."),
        "{html}"
    );
    for taken in ["poetry", "FANTASY"] {
        let response = app
            .post_form(&libby, "/genres/new", &[("name", taken)])
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{taken}");
        let html = response.text().await.unwrap();
        assert!(html.contains("That name is taken"), "{html}");
    }
    for (bad, says) in [("", "This field is required."), ("Po\u{0}em", "control")] {
        let response = app.post_form(&libby, "/genres/new", &[("name", bad)]).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.text().await.unwrap().contains(says), "{bad:?}");
    }

    // Renamed from the form; a second save from the same form is stale.
    let (_, form) = app.page(&libby, &format!("{page}/edit")).await;
    let version = form_version(&form);
    let rename = |name: &'static str| {
        let (app, libby, page, version) = (&app, &libby, page.clone(), version.clone());
        async move {
            app.post_form(
                libby,
                &format!("{page}/edit"),
                &[("name", name), ("version", &version)],
            )
            .await
        }
    };
    assert_eq!(rename("Verse").await.status(), StatusCode::FOUND);
    let stale = rename("Poems").await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let html = stale.text().await.unwrap();
    assert!(
        crate::support::text_of(&html, ".current-values").contains("Verse"),
        "{html}"
    );

    // A genre with books comes off them; the books stay.
    let books: i64 = app
        .scalar("SELECT COUNT(*) FROM book_genre WHERE genre_id = 1")
        .await;
    assert!(books > 0);
    let response = app.post_form(&libby, "/genres/1/delete", &[]).await;
    assert_eq!(response.headers()["location"], "/genres");
    assert_eq!(
        app.scalar::<i64>("SELECT COUNT(*) FROM book_genre WHERE genre_id = 1")
            .await,
        0
    );
    assert_eq!(
        app.home(&crate::support::browser()).await.count("Books"),
        20
    );
    assert_eq!(get(&app, &bare_client(), "/genres/1").await.status, 404);

    // A language some book is in is not deleted; an unused one is.
    let (status, html) = app.page(&libby, "/languages/1/delete").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("while books are in it"), "{html}");
    let response = app.post_form(&libby, "/languages/1/delete", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        app.scalar::<i64>("SELECT COUNT(*) FROM language WHERE id = 1")
            .await,
        1
    );
    let response = app
        .post_form(&libby, "/languages/new", &[("name", "Latin")])
        .await;
    let latin = response.headers()["location"].to_str().unwrap().to_string();
    let response = app.post_form(&libby, &format!("{latin}/delete"), &[]).await;
    assert_eq!(response.headers()["location"], "/languages");

    // Each change is in the history.
    let (_, history) = app.page(&libby, "/history").await;
    let history = crate::support::main_text(&history);
    for entry in [
        "libby deleted language Latin",
        "libby created language Latin",
        "libby deleted genre Fantasy",
        "libby changed genre Verse",
        "Name Poetry Verse",
        "libby created genre Poetry",
    ] {
        assert!(history.contains(entry), "{entry:?} in {history}");
    }
    let (status, _) = app.page(&libby, &format!("{page}/history")).await;
    assert_eq!(status, StatusCode::OK);
}
