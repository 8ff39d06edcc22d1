//! Librarians create, update and delete books: the reference tutorial's
//! book views, with a searchable author, checked ISBNs, genres ticked, the
//! version a form was opened at, and the history.

use reqwest::{Client, StatusCode};

use crate::support::{browser, form_version, isbn, main_text, spawn_app, text_of, TestApp};

/// The id in `/books/ID`, where a redirect went.
fn book_id(location: &str) -> i64 {
    location
        .strip_prefix("/books/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not a book's page: {location}"))
}

/// Adds the author `first last` on the site.
async fn add_author(app: &TestApp, libby: &Client, first: &str, last: &str) {
    let fields = [("first_name", first), ("last_name", last)];
    let response = app.post_form(libby, "/authors/new", &fields).await;
    assert_eq!(response.status(), StatusCode::FOUND);
}

/// Adds a genre (or language: `kind`) on the site; gives its id.
async fn add_term(app: &TestApp, libby: &Client, kind: &str, name: &str) -> i64 {
    let response = app
        .post_form(libby, &format!("/{kind}/new"), &[("name", name)])
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    app.scalar(&format!(
        "SELECT id FROM {} WHERE name = '{name}'",
        kind.trim_end_matches('s')
    ))
    .await
}

/// The fields of a new book, as a librarian fills them in.
fn book_fields<'a>(title: &'a str, author: &'a str, isbn: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("author_name", author),
        ("summary", "A book of the tests."),
        ("isbn", isbn),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_librarian_adds_a_book_filed_under_its_genres_and_language() {
    let app = spawn_app().await;
    let (alice, libby) = app.member_and_librarian().await;
    add_author(&app, &libby, "Ursula K.", "Le Guin").await;
    let sf = add_term(&app, &libby, "genres", "Speculative").await;
    let anthro = add_term(&app, &libby, "genres", "Anthropology").await;
    let klingon = add_term(&app, &libby, "languages", "Klingon").await;

    let (status, _) = app.page(&alice, "/books/new").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, html) = app.page(&libby, "/books/new").await;
    assert_eq!(status, 200);
    // (After the message saying Klingon was added, once.)
    let text = main_text(&html);
    assert!(text.contains("Create book Title Author"), "{text}");
    for label in ["Speculative", "Anthropology", "Klingon", "Summary", "ISBN"] {
        assert!(text.contains(label), "{label}: {text}");
    }
    let (_, list) = app.page(&libby, "/books").await;
    assert!(list.contains(r#"href="/books/new""#), "{list}");

    let books_before = app.home(&browser()).await.count("Books");
    let (sf, anthro, klingon) = (sf.to_string(), anthro.to_string(), klingon.to_string());
    let mut fields = book_fields("The Dispossessed", "le guin", "0-06-051275-X");
    fields.extend([
        ("language", klingon.as_str()),
        ("genres", sf.as_str()),
        ("genres", anthro.as_str()),
    ]);
    let response = app.post_form(&libby, "/books/new", &fields).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let id = book_id(&location);

    // The next page says what was done, once.
    let (_, html) = app.page(&libby, &location).await;
    assert_eq!(text_of(&html, ".message"), "Added The Dispossessed.");
    let (_, html) = app.page(&libby, &location).await;
    assert_eq!(text_of(&html, ".message"), "");
    let text = main_text(&html);
    assert!(
        text.starts_with("The Dispossessed by Le Guin, Ursula K."),
        "{text}"
    );
    // The ISBN-10 stored as its ISBN-13.
    assert!(text.contains("ISBN 9780060512750"), "{text}");
    assert!(text.contains("Language Klingon"), "{text}");
    assert!(text.contains("Genre Anthropology , Speculative"), "{text}");

    // At once in the figures, the list, the search and its genre's page.
    assert_eq!(app.home(&browser()).await.count("Books"), books_before + 1);
    let (_, found) = app.page(&browser(), "/books?q=dispossessed").await;
    assert!(found.contains(&location), "{found}");
    let (_, genre) = app.page(&browser(), &format!("/genres/{sf}")).await;
    assert!(genre.contains(&location), "{genre}");
    let (_, history) = app.page(&libby, &format!("/books/{id}/history")).await;
    let history = main_text(&history);
    assert!(history.contains("libby"), "{history}");
    assert!(history.contains("The Dispossessed"), "{history}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_book_form_with_mistakes_comes_back_saying_what_they_are() {
    let app = spawn_app().await;
    let (_, libby) = app.member_and_librarian().await;
    add_author(&app, &libby, "Octavia", "Quorndon").await;
    let books: i64 = app.scalar("SELECT COUNT(*) FROM book").await;
    let (taken_id, taken_title, taken): (i64, String, String) = (
        app.scalar("SELECT MIN(id) FROM book").await,
        app.scalar("SELECT title FROM book WHERE id = (SELECT MIN(id) FROM book)")
            .await,
        app.scalar("SELECT isbn FROM book WHERE id = (SELECT MIN(id) FROM book)")
            .await,
    );
    let long = "x".repeat(201);
    let fine = isbn(424_242);
    let mut wrong_digit = fine.clone();
    let last = wrong_digit.pop().unwrap();
    wrong_digit.push(if last == '0' { '1' } else { '0' });
    let is_taken = format!("Another book has this ISBN: {taken_title} (book {taken_id}).");
    for (fields, field, problem) in [
        (
            book_fields("", "Quorndon", &fine),
            "title",
            "This field is required.",
        ),
        (
            book_fields(&long, "Quorndon", &fine),
            "title",
            "Use at most 200 characters.",
        ),
        (
            book_fields("Kindred", "Quorndon", "12345"),
            "isbn",
            "Enter an ISBN: 13 digits, or 10 (the last may be X); hyphens and spaces are fine.",
        ),
        (
            book_fields("Kindred", "Quorndon", &wrong_digit),
            "isbn",
            "This ISBN's check digit is wrong: a digit is probably mistyped.",
        ),
        (
            book_fields("Kindred", "Quorndon", &taken),
            "isbn",
            is_taken.as_str(),
        ),
        (
            book_fields("Kindred", "Nobody Atall", &fine),
            "author_name",
            "No author's name has these words. Check the spelling, or add the author first.",
        ),
        (
            [
                book_fields("Kindred", "Quorndon", &fine),
                vec![("language", "999999")],
            ]
            .concat(),
            "language",
            "Choose one of the options offered (this one may have been deleted meanwhile).",
        ),
        (
            [
                book_fields("Kindred", "Quorndon", &fine),
                vec![("genres", "x")],
            ]
            .concat(),
            "genres",
            "Choose one of the options offered (this one may have been deleted meanwhile).",
        ),
    ] {
        let response = app.post_form(&libby, "/books/new", &fields).await;
        assert_eq!(response.status(), 200, "{field}");
        let html = response.text().await.unwrap();
        assert_eq!(
            text_of(&html, &format!("#field-{field}-problems")),
            problem,
            "{field}"
        );
        // What was typed stays in the form.
        let title = fields[0].1;
        if !title.is_empty() {
            assert!(
                html.contains(&format!(r#"name="title" value="{title}""#)),
                "{html}"
            );
        }
    }
    let after: i64 = app.scalar("SELECT COUNT(*) FROM book").await;
    assert_eq!(after, books, "nothing stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_author_is_found_by_words_of_their_name_and_chosen_among_several_without_scripts() {
    let app = spawn_app().await;
    let (_, libby) = app.member_and_librarian().await;
    add_author(&app, &libby, "Ann", "Zwillingsberg").await;
    add_author(&app, &libby, "Bo", "Zwillingsberg").await;
    let fine = isbn(515_151);
    let fields = book_fields("Twins", "zwillingsberg", &fine);
    let response = app.post_form(&libby, "/books/new", &fields).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert_eq!(
        text_of(&html, "#field-author_name-problems"),
        "Several authors' names have these words: choose one below, or type more of the name."
    );
    let choices = text_of(&html, "#field-author");
    assert!(choices.contains("Zwillingsberg, Ann"), "{choices}");
    assert!(choices.contains("Zwillingsberg, Bo"), "{choices}");
    let bo: i64 = app
        .scalar("SELECT id FROM author WHERE first_name = 'Bo' AND last_name = 'Zwillingsberg'")
        .await;
    assert!(
        html.contains(&format!(r#"type="radio" name="author" value="{bo}""#)),
        "{html}"
    );

    // Chosen among them, the book is hers; more of the name does as well.
    let bo = bo.to_string();
    let chosen = [fields.clone(), vec![("author", bo.as_str())]].concat();
    let response = app.post_form(&libby, "/books/new", &chosen).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let id = book_id(response.headers()["location"].to_str().unwrap());
    let author: i64 = app
        .scalar(&format!("SELECT author_id FROM book WHERE id = {id}"))
        .await;
    assert_eq!(author.to_string(), bo);
    let other = isbn(515_152);
    let fields = book_fields("Twins II", "ANN zwillings", &other);
    let response = app.post_form(&libby, "/books/new", &fields).await;
    assert_eq!(response.status(), StatusCode::FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_shows_at_once_and_a_stale_one_is_refused_losing_neither() {
    let app = spawn_app().await;
    app.add_user("libby", "shelves and stacks", true).await;
    app.add_user("lena", "shelves and stacks", true).await;
    let (libby, lena) = (browser(), browser());
    app.sign_in(&libby, "libby", "shelves and stacks").await;
    app.sign_in(&lena, "lena", "shelves and stacks").await;
    let id: i64 = app.scalar("SELECT MIN(id) FROM book").await;
    let (edit, page) = (format!("/books/{id}/edit"), format!("/books/{id}"));
    let (_, before) = app.page(&browser(), &page).await;
    let (_, html) = app.page(&libby, &page).await;
    assert!(html.contains(&format!(r#"href="{edit}""#)), "{html}");
    assert!(!before.contains(&edit), "only librarians see Edit");

    // The form opens with the book as it is: its author carried by id.
    let (status, libbys_form) = app.page(&libby, &edit).await;
    assert_eq!(status, 200);
    let (_, lenas_form) = app.page(&lena, &edit).await;
    let field = |html: &str, name: &str| {
        let document = scraper::Html::parse_document(html);
        let selector = scraper::Selector::parse(&format!(r#"[name="{name}"]"#)).unwrap();
        let element = document.select(&selector).next().expect(name);
        element
            .value()
            .attr("value")
            .map(str::to_string)
            .unwrap_or_else(|| element.text().collect())
    };
    let (author_name, author, summary, isbn) = (
        field(&libbys_form, "author_name"),
        field(&libbys_form, "author"),
        field(&libbys_form, "summary"),
        field(&libbys_form, "isbn"),
    );
    let stored_author: i64 = app
        .scalar(&format!("SELECT author_id FROM book WHERE id = {id}"))
        .await;
    assert_eq!(author, stored_author.to_string());

    // Lena renames it: shown at once, search included.
    let lenas = [
        ("title", "Zyzzyva Rising"),
        ("author_name", author_name.as_str()),
        ("author", author.as_str()),
        ("summary", summary.as_str()),
        ("isbn", isbn.as_str()),
        ("version", &form_version(&lenas_form)),
    ];
    let response = app.post_form(&lena, &edit, &lenas).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], page.as_str());
    let (_, html) = app.page(&browser(), &page).await;
    assert!(main_text(&html).starts_with("Zyzzyva Rising"), "{html}");
    let (_, found) = app.page(&browser(), "/books?q=zyzzyva").await;
    assert!(found.contains(&page), "{found}");

    // Libby's save, from the form opened before, is refused: 409, what it
    // says now shown, her values kept; nothing overwritten.
    let libbys = [
        ("title", "Libby's Title"),
        ("author_name", author_name.as_str()),
        ("author", author.as_str()),
        ("summary", summary.as_str()),
        ("isbn", isbn.as_str()),
        ("version", &form_version(&libbys_form)),
    ];
    let response = app.post_form(&libby, &edit, &libbys).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = response.text().await.unwrap();
    assert!(
        text_of(&html, ".current-values").contains("Zyzzyva Rising"),
        "{html}"
    );
    assert!(
        html.contains(r#"value="Libby&#x27;s Title""#) || html.contains(r#"value="Libby's Title""#),
        "{html}"
    );
    let stored: String = app
        .scalar(&format!("SELECT title FROM book WHERE id = {id}"))
        .await;
    assert_eq!(stored, "Zyzzyva Rising");

    // A change of its genres alone is a change of the book: a form opened
    // before it is stale too.
    let (_, form) = app.page(&libby, &edit).await;
    let genre: i64 = app
        .scalar(&format!(
            "SELECT MIN(id) FROM genre WHERE id NOT IN
             (SELECT genre_id FROM book_genre WHERE book_id = {id})"
        ))
        .await;
    let genre = genre.to_string();
    let (_, lenas_form) = app.page(&lena, &edit).await;
    let mut with_genre = lenas.to_vec();
    let lenas_version = form_version(&lenas_form);
    with_genre.retain(|(name, _)| *name != "version");
    with_genre.extend([("version", lenas_version.as_str()), ("genres", &genre)]);
    let response = app.post_form(&lena, &edit, &with_genre).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let genres: i64 = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM book_genre WHERE book_id = {id}"
        ))
        .await;
    assert_eq!(genres, 1, "exactly the genres ticked");
    let mut stale = lenas.to_vec();
    let version = form_version(&form);
    stale.retain(|(name, _)| *name != "version");
    stale.push(("version", &version));
    let response = app.post_form(&libby, &edit, &stale).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);

    // Unknown: 404.
    let (status, _) = app.page(&libby, "/books/999999/edit").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = app.post_form(&libby, "/books/999999/edit", &lenas).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_book_with_copies_is_not_deleted_and_one_without_is() {
    let app = spawn_app().await;
    let (alice, libby) = app.member_and_librarian().await;
    let with_copies: i64 = app.scalar("SELECT MIN(book_id) FROM book_instance").await;
    let delete = format!("/books/{with_copies}/delete");
    let (status, html) = app.page(&libby, &delete).await;
    assert_eq!(status, 200);
    let text = main_text(&html);
    assert!(
        text.contains("You can't delete this book until all its copies have been deleted:"),
        "{text}"
    );
    let copy: String = app
        .scalar(&format!(
            "SELECT id FROM book_instance WHERE book_id = {with_copies} ORDER BY id LIMIT 1"
        ))
        .await;
    assert!(text.contains(&copy), "{text}");
    let response = app.post_form(&libby, &delete, &[]).await;
    assert_eq!(response.status(), 200);
    assert!(main_text(&response.text().await.unwrap()).contains(&copy));
    let kept: i64 = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM book WHERE id = {with_copies}"
        ))
        .await;
    assert_eq!(kept, 1);

    // A new book, with no copy: a member may not, a librarian may.
    add_author(&app, &libby, "Short", "Lived").await;
    let fine = isbn(616_161);
    let fields = book_fields("Ephemera", "short lived", &fine);
    let response = app.post_form(&libby, "/books/new", &fields).await;
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let delete = format!("{location}/delete");
    let response = app.post_form(&alice, &delete, &[]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let books_before = app.home(&browser()).await.count("Books");
    let response = app.post_form(&libby, &delete, &[]).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/books");
    let (_, html) = app.page(&libby, "/books").await;
    assert_eq!(text_of(&html, ".message"), "Deleted Ephemera.");
    let (status, _) = app.page(&browser(), &location).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.home(&browser()).await.count("Books"), books_before - 1);
    let (_, history) = app.page(&libby, "/history").await;
    assert!(main_text(&history).contains("Ephemera"), "{history}");
}
