//! `/genres` and `/languages`: every genre and language with its number
//! of books, each with a page of its books; a book's page links to them.

use crate::{
    browsing::get,
    support::{bare_client, spawn_app, TestApp},
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
