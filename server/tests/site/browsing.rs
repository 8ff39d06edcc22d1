use reqwest::Client;
use scraper::{Html, Selector};

use crate::support::{
    bare_client, browser, main_text, small_catalog_without_last_books, spawn_app, HomePage, TestApp,
};

/// A page as a visitor sees it: status, the text of `<main>`, its headings
/// of the first level, the list items of `<main>` and their titles, and the
/// raw HTML.
pub struct Page {
    pub status: u16,
    pub text: String,
    pub h1s: Vec<String>,
    pub items: Vec<String>,
    pub titles: Vec<String>,
    pub html: String,
}

impl Page {
    /// The nonce on the page's scripts: there must be one, the same on each.
    fn nonce(&self) -> String {
        let document = Html::parse_document(&self.html);
        let nonces: Vec<String> = document
            .select(&Selector::parse("script[nonce]").unwrap())
            .map(|script| script.value().attr("nonce").unwrap().to_string())
            .collect();
        let first = nonces.first().expect("scripts with a nonce").clone();
        assert!(nonces.iter().all(|nonce| *nonce == first), "{nonces:?}");
        first
    }
}

pub async fn get(app: &TestApp, client: &Client, path: &str) -> Page {
    let response = client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    Page::parse(status, response.text().await.unwrap())
}

impl Page {
    fn parse(status: u16, html: String) -> Page {
        let document = Html::parse_document(&html);
        let texts = |selector: &str| -> Vec<String> {
            document
                .select(&Selector::parse(selector).unwrap())
                .map(|element| {
                    element
                        .text()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect()
        };
        Page {
            status,
            text: main_text(&html),
            h1s: texts("h1"),
            items: texts("main ul.item-list > li"),
            titles: texts("main ul.item-list > li .item-title"),
            html,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_with_the_right_status() {
    let app = spawn_app().await;
    let client = bare_client();
    for (path, status, shows) in [
        ("/books", 200, "All books"),
        ("/books?page=2", 200, "Page 2 of 2"),
        ("/books/1", 200, "Cien años de soledad"),
        ("/authors", 200, "All authors"),
        ("/authors/2", 200, "Tolstoy / Толстой, Lev / Лев"),
        ("/books/999", 404, "There is no book with the id 999."),
        ("/books/abc", 404, "There is no book with the id “abc”."),
        ("/authors/0", 404, "There is no author with the id 0."),
        ("/authors/1.5", 404, "There is no author with the id “1.5”."),
        (
            "/books?page=3",
            404,
            "There is no page 3: this list ends at page 2.",
        ),
        (
            "/authors?page=2",
            404,
            "There is no page 2: this list ends at page 1.",
        ),
        ("/books?page=abc", 400, "“abc” is not a page number"),
        ("/books?page=0", 400, "“0” is not a page number"),
        ("/authors?page=-1", 400, "“-1” is not a page number"),
    ] {
        let page = get(&app, &client, path).await;
        assert_eq!(page.status, status, "{path}: {}", page.text);
        assert_eq!(page.h1s.len(), 1, "{path}: one heading {:?}", page.h1s);
        if status == 200 && !path.contains("page=") {
            assert!(page.h1s[0].starts_with(shows), "{path}: {:?}", page.h1s);
        }
        assert!(
            page.text.contains(shows),
            "{path}: expected {shows:?} in {}",
            page.text
        );
        assert!(
            page.html.contains(r#"aria-label="Site""#),
            "{path}: in the site layout"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn books_are_listed_by_title_ten_to_a_page() {
    let app = spawn_app().await;
    let client = bare_client();
    let first = get(&app, &client, "/books").await;
    let second = get(&app, &client, "/books?page=2").await;
    assert_eq!(first.items.len(), 10);
    assert_eq!(second.items.len(), 10);
    assert!(
        first.text.contains("Page 1 of 2") && first.text.contains("20 books in the catalog"),
        "{}",
        first.text
    );
    // Each row: title, author, and how many copies are available.
    assert_eq!(
        first.items[0], "A Garden for Dmitri Schmidt, Nell None of 1 available",
        "{:?}",
        first.items
    );
    assert!(
        first.items.contains(
            &"A Good Man Is Hard to Find & Other Stories O'Connor, Flannery 2 of 3 available"
                .to_string()
        ),
        "{:?}",
        first.items
    );
    let titles: Vec<String> = first.titles.iter().chain(&second.titles).cloned().collect();
    let mut sorted = titles.clone();
    sorted.sort_by_key(|t| t.to_ascii_lowercase());
    assert_eq!(titles, sorted);
    assert!(first.html.contains(r#"href="/books?page=2""#), "next link");
    assert!(
        second.html.contains(r#"href="/books?page=1""#),
        "previous link"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn awkward_titles_and_names_render_exactly_as_stored() {
    let app = spawn_app().await;
    let client = bare_client();
    let book = get(&app, &client, "/books/5").await;
    assert_eq!(book.h1s, ["Tom & Jerry's <Big> Adventure"]);
    let list = get(&app, &client, "/books?q=jerry").await;
    assert!(list
        .titles
        .contains(&"Tom & Jerry's <Big> Adventure".to_string()));
    for page in [&book, &list] {
        assert!(!page.html.contains("<Big>"), "never raw markup");
        assert!(
            !page.html.contains("&amp;amp;") && !page.html.contains("&amp;lt;"),
            "never escaped twice"
        );
    }
    let author = get(&app, &client, "/authors/4").await;
    assert_eq!(author.h1s, ["O'Connor, Flannery"]);
    let cjk = get(&app, &client, "/authors/3").await;
    assert_eq!(cjk.h1s, ["曹, 雪芹"]);
    assert!(cjk.text.contains("红楼梦"), "{}", cjk.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_book_page_shows_its_details_and_every_copy() {
    let app = spawn_app().await;
    let page = get(&app, &bare_client(), "/books/1").await;
    let text = &page.text;
    assert_eq!(page.h1s, ["Cien años de soledad"]);
    assert!(text.contains("by García Márquez, Gabriel"), "{text}");
    assert!(text.contains("ISBN 9783803852861"), "{text}");
    assert!(text.contains("Language English"), "{text}");
    // Each genre is a link to its page, in order of name.
    assert!(text.contains("Genre Horror"), "{text}");
    assert_eq!(
        crate::support::text_of(&page.html, r#"dl.facts a[href^="/genres/"]"#),
        "Horror Literary Fiction Thriller"
    );
    assert!(
        text.contains("Copy 228e8b0d-3e61-41c8-b29f-01e58374a3ab"),
        "{text}"
    );
    // That copy is on loan until 2024-12-09, long past.
    assert!(
        text.contains("On loan Overdue Due back 9 Dec 2024 Kestrel Classics, 2018"),
        "{text}"
    );
    assert!(
        page.html.contains("badge status-on-loan"),
        "a badge for its status"
    );
    assert!(
        page.html.contains(r#"href="/authors/1""#),
        "the author is a link"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_author_page_lists_their_books_with_summaries() {
    let app = spawn_app().await;
    let page = get(&app, &bare_client(), "/authors/1").await;
    assert!(page.text.contains("Books (2)"), "{}", page.text);
    assert!(
        page.text.contains("6 Mar 1927 – 17 Apr 2014"),
        "{}",
        page.text
    );
    assert!(page.text.contains("Cien años de soledad"), "{}", page.text);
    assert!(
        page.text
            .contains("Ñ, é and ü must survive the round trip."),
        "{}",
        page.text
    );
    assert!(page.html.contains(r#"href="/books/1""#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_per_page_are_remembered_for_that_browser_only() {
    let mut app = spawn_app().await;
    let alice = browser();
    assert_eq!(get(&app, &alice, "/books").await.items.len(), 10);

    let response = alice
        .post(app.url("/api/set_per_page"))
        .header("origin", &app.address)
        .form(&[("per_page", "25")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let books = get(&app, &alice, "/books").await;
    assert_eq!(books.items.len(), 20);
    assert!(books.text.contains("Page 1 of 1"));
    assert!(
        books.html.contains(r#"<option value="25" selected"#),
        "{}",
        books.html
    );
    assert_eq!(
        get(&app, &alice, "/authors").await.items.len(),
        10,
        "all 10 authors"
    );

    app.restart().await; // cookies are per host, not port: the browser keeps its own
    assert_eq!(
        get(&app, &alice, "/books").await.items.len(),
        20,
        "kept across a restart"
    );
    assert_eq!(
        get(&app, &browser(), "/books").await.items.len(),
        10,
        "not another browser's"
    );

    for bad in ["30", "abc", ""] {
        let response = alice
            .post(app.url("/api/set_per_page"))
            .header("origin", &app.address)
            .form(&[("per_page", bad)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "per_page={bad:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_results_per_page_without_javascript_returns_to_the_first_page() {
    let app = spawn_app().await;
    let client = browser();
    let response = client
        .post(app.url("/api/set_per_page"))
        .header("origin", &app.address)
        .header("referer", app.url("/books?q=o&page=2"))
        .header("accept", "text/html")
        .form(&[("per_page", "50")])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(response.headers()["location"], "/books?q=o");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_notice_stays_dismissed_for_that_browser() {
    let app = spawn_app().await;
    let client = browser();
    let notice = "This is a demo catalog";
    assert!(get(&app, &client, "/books").await.html.contains(notice));

    let response = client
        .post(app.url("/api/dismiss_notice"))
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    for path in ["/", "/books", "/authors/1", "/about", "/nowhere"] {
        assert!(
            !get(&app, &client, path).await.html.contains(notice),
            "{path}"
        );
    }
    assert!(
        get(&app, &browser(), "/").await.html.contains(notice),
        "still there for others"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_in_catalog_text_is_never_markup_on_the_page() {
    let app = spawn_app().await;
    let mut catalog: serde_json::Value =
        serde_json::from_str(crate::support::SMALL_CATALOG).unwrap();
    catalog["books"][0]["title"] = "</title><script>alert(1)</script>".into();
    catalog["authors"][0]["last_name"] = "<img src=x onerror=alert(2)>".into();
    let output = app.load_catalog_json("hostile.json", &catalog.to_string());
    assert!(output.status.success(), "{output:?}");

    for path in ["/books/1", "/authors/1", "/books?q=script"] {
        let page = get(&app, &bare_client(), path).await;
        assert_eq!(page.status, 200);
        assert!(
            !page.html.contains("<script>alert"),
            "{path}: {}",
            page.html
        );
        assert!(!page.html.contains("<img src=x"), "{path}");
        assert!(
            page.text.contains("</title><script>alert(1)</script>"),
            "{path}: shown as text"
        );
    }
}

/// Catalog pages are rendered once and then served from memory (see
/// `server::kept_pages`): browsers with different choices, taking turns on
/// the same addresses, must each still get the page their choices make,
/// each response with a nonce of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_taking_turns_each_get_the_page_their_choices_make() {
    let app = spawn_app().await;
    let notice = "This is a demo catalog";
    let (alice, bob, carol) = (browser(), browser(), bare_client());
    app.submit(&alice, "set_per_page", &[("per_page", "25")])
        .await;
    app.submit(&alice, "dismiss_notice", &[]).await;
    app.submit(&bob, "set_per_page", &[("per_page", "10")])
        .await;

    let mut nonces = std::collections::HashSet::new();
    for round in 0..3 {
        for (who, client, per_page, items, noticed) in [
            ("alice", &alice, 25, 20, false),
            ("bob", &bob, 10, 10, true),
            ("carol", &carol, 10, 10, true),
        ] {
            let books = get(&app, client, "/books").await;
            assert_eq!(books.status, 200);
            assert_eq!(books.items.len(), items, "{who}, round {round}");
            let selected = format!(r#"<option value="{per_page}" selected"#);
            assert!(books.html.contains(&selected), "{who}: {}", books.html);
            for page in [books, get(&app, client, "/about").await] {
                assert_eq!(page.html.contains(notice), noticed, "{who}, round {round}");
                assert!(nonces.insert(page.nonce()), "a nonce never given before");
            }
        }
    }

    // A change of choice is on the next page.
    app.submit(&alice, "set_per_page", &[("per_page", "10")])
        .await;
    assert_eq!(get(&app, &alice, "/books").await.items.len(), 10);
    assert_eq!(get(&app, &bob, "/books").await.items.len(), 10);
}

/// A catalog load is on the next page, whichever page it is, though each
/// was served from memory before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_catalog_is_on_the_next_page_of_every_kind() {
    let app = spawn_app().await;
    let client = browser();
    let paths = [
        "/books?page=2",
        "/books/1",
        "/books/20",
        "/authors",
        "/books?q=soledad",
    ];
    for _ in 0..2 {
        for path in paths {
            assert_eq!(get(&app, &client, path).await.status, 200, "{path}");
        }
    }
    assert_eq!(get(&app, &client, "/books?page=2").await.items.len(), 10);

    let mut catalog = small_catalog_without_last_books(5);
    catalog["books"][0]["title"] = "Cien años de soledad (renamed)".into();
    let output = app.replace_catalog_json("smaller.json", &catalog.to_string());
    assert!(output.status.success(), "{output:?}");

    assert_eq!(get(&app, &client, "/books?page=2").await.items.len(), 5);
    assert!(get(&app, &client, "/books/1")
        .await
        .text
        .contains("(renamed)"));
    assert_eq!(get(&app, &client, "/books/20").await.status, 404);
    let found = get(&app, &client, "/books?q=soledad").await;
    assert_eq!(found.titles, ["Cien años de soledad (renamed)"]);
}

/// A page as a browser asking for compression gets it, decompressed.
async fn get_gzipped(app: &TestApp, client: &Client, path: &str) -> Page {
    use std::io::Read;

    let response = client
        .get(app.url(path))
        .header("accept-encoding", "gzip, deflate, br, zstd")
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert_eq!(response.headers()["content-encoding"], "gzip", "{path}");
    assert_eq!(response.headers()["vary"], "accept-encoding", "{path}");
    let compressed = response.bytes().await.unwrap();
    let mut html = String::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_string(&mut html)
        .unwrap_or_else(|err| panic!("{path}: not gzip: {err}"));
    assert!(
        compressed.len() < html.len() * 3 / 4,
        "{path}: compressed {} of {}",
        compressed.len(),
        html.len()
    );
    Page::parse(status, html)
}

/// A browser asks for compressed pages; a kept page is sent gzipped,
/// compressed piece by piece once (see `server::kept_pages::gzip`): it must
/// be the same page as uncompressed, with its own count and nonce.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_asking_for_compression_gets_the_same_pages_gzipped() {
    let app = spawn_app().await;
    let client = browser();
    for path in ["/books?page=2", "/books/1", "/about", "/books?page=2"] {
        let plain = get(&app, &client, path).await;
        let gzipped = get_gzipped(&app, &client, path).await;
        assert_eq!(gzipped.status, 200, "{path}");
        assert_eq!(gzipped.text, plain.text, "{path}");
        assert_ne!(gzipped.nonce(), plain.nonce(), "{path}: a nonce of its own");
    }
    let visits = |page: &Page| {
        HomePage {
            status: reqwest::StatusCode::OK,
            set_cookie: Vec::new(),
            retry_after: None,
            text: page.text.clone(),
        }
        .visits()
    };
    for expected in 1..=4 {
        let page = if expected % 2 == 0 {
            get_gzipped(&app, &client, "/").await
        } else {
            get(&app, &client, "/").await
        };
        assert_eq!(visits(&page), expected, "each view counted once, in order");
    }
}
