//! The database raises the catalog's version on every change that a kept
//! page shows (migrations sqlite 0017, postgres 0011): a change made behind
//! the site's back, in plain SQL, shows at once on every kept page that
//! shows what changed.

use reqwest::Client;

use crate::support::{browser, main_text, spawn_app, TestApp};

/// Asks for each of `paths` twice (the second answer is the kept page),
/// then makes `change` in plain SQL, and gives each page's main text
/// after it.
async fn after_change(app: &TestApp, client: &Client, paths: &[&str], change: &str) -> String {
    for path in paths {
        for _ in 0..2 {
            let (status, _) = app.page(client, path).await;
            assert_eq!(status, 200, "{path}");
        }
    }
    app.execute(change).await;
    let mut texts = Vec::new();
    for path in paths {
        let (status, html) = app.page(client, path).await;
        assert_eq!(status, 200, "{path} after {change}");
        texts.push(format!("{path}: {}", main_text(&html)));
    }
    texts.join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_table_a_page_shows_raises_the_version_when_changed_in_plain_sql() {
    let app = spawn_app().await;
    let (_alice, libby) = app.member_and_librarian().await;
    let visitor = browser();
    let book: i64 = app
        .scalar("SELECT MIN(book_id) FROM book_instance WHERE status = 'a'")
        .await;
    let author: i64 = app
        .scalar(&format!("SELECT author_id FROM book WHERE id = {book}"))
        .await;
    let book_page = format!("/books/{book}");
    let author_page = format!("/authors/{author}");

    // Books: the title, on its page, in the list and on its author's page.
    let retitle = format!("UPDATE book SET title = 'Zz Retitled Behind' WHERE id = {book}");
    let pages = [
        book_page.as_str(),
        "/books?q=retitled",
        author_page.as_str(),
    ];
    let text = after_change(&app, &visitor, &pages, &retitle).await;
    assert_eq!(text.matches("Zz Retitled Behind").count(), 3, "{text}");

    // Authors: the name, on their page, their book's page and the list.
    let rename = format!("UPDATE author SET last_name = 'Qqrenamed' WHERE id = {author}");
    let pages = [
        author_page.as_str(),
        book_page.as_str(),
        "/authors?per_page=100",
    ];
    let text = after_change(&app, &visitor, &pages, &rename).await;
    assert_eq!(text.matches("Qqrenamed").count(), 3, "{text}");

    // Copies: an imprint on the book's page.
    let imprint =
        format!("UPDATE book_instance SET imprint = 'Imprint Behind' WHERE book_id = {book}");
    let text = after_change(&app, &visitor, &[&book_page], &imprint).await;
    assert!(text.contains("Imprint Behind"), "{text}");

    // Genres and languages: renamed, and a genre taken off the book.
    app.execute("INSERT INTO genre (id, name) VALUES (9001, 'Genre Behind')")
        .await;
    let add_genre = format!("INSERT INTO book_genre (book_id, genre_id) VALUES ({book}, 9001)");
    let text = after_change(&app, &visitor, &[&book_page], &add_genre).await;
    assert!(text.contains("Genre Behind"), "{text}");
    let text = after_change(
        &app,
        &visitor,
        &[&book_page],
        "UPDATE genre SET name = 'Genre Renamed' WHERE id = 9001",
    )
    .await;
    assert!(text.contains("Genre Renamed"), "{text}");
    let remove_genre = format!("DELETE FROM book_genre WHERE book_id = {book} AND genre_id = 9001");
    let text = after_change(&app, &visitor, &[&book_page], &remove_genre).await;
    assert!(!text.contains("Genre Renamed"), "{text}");
    let language: i64 = app
        .scalar(&format!("SELECT language_id FROM book WHERE id = {book}"))
        .await;
    let text = after_change(
        &app,
        &visitor,
        &[&book_page],
        &format!("UPDATE language SET name = 'Language Behind' WHERE id = {language}"),
    )
    .await;
    assert!(text.contains("Language Behind"), "{text}");

    // Loans, and a borrower's name on the librarian's list of them
    // (due longest ago, so first on it).
    let copy: String = app
        .scalar(&format!(
            "SELECT MIN(id) FROM book_instance WHERE book_id = {book} AND status = 'a'"
        ))
        .await;
    let alice: i64 = app
        .scalar("SELECT id FROM account WHERE username = 'alice'")
        .await;
    let lend = format!(
        "UPDATE book_instance SET status = 'o', borrower_id = {alice}, due_back = '2000-01-01'
         WHERE id = '{copy}'"
    );
    let text = after_change(&app, &libby, &["/loans"], &lend).await;
    assert!(text.contains("alice"), "{text}");
    let text = after_change(
        &app,
        &libby,
        &["/loans"],
        &format!("UPDATE account SET username = 'alicia' WHERE id = {alice}"),
    )
    .await;
    assert!(text.contains("alicia"), "{text}");

    // A book deleted: gone from the list and its author's page.
    app.execute(&format!("DELETE FROM book_instance WHERE book_id = {book}"))
        .await;
    let pages = ["/books?q=retitled", author_page.as_str()];
    let delete = format!("DELETE FROM book WHERE id = {book}");
    let text = after_change(&app, &visitor, &pages, &delete).await;
    assert!(!text.contains("Zz Retitled Behind"), "{text}");
}
