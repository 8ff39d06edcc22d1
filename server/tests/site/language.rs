//! The site in English and in 繁體中文: the language of a browser without a
//! choice follows its `Accept-Language`; a choice is kept in its session
//! (across restarts, for that browser only) and never counts a view.

use std::time::Duration;

use futures::StreamExt;
use reqwest::{header, Client, RequestBuilder, Response};
use scraper::{Html, Selector};

use app::error::{AppError, Invalid};

use crate::support::{bare_client, browser, main_text, spawn_app, spawn_app_with, TestApp};

/// A page as a reader sees it, language first.
#[derive(Debug)]
struct Shown {
    status: u16,
    /// `<html lang>`.
    lang: String,
    title: String,
    h1: String,
    /// The navigation's link to the home page.
    home_link: String,
    /// The text of `<main>`, as one line.
    text: String,
    vary: Vec<String>,
    html: String,
}

impl Shown {
    async fn read(response: Response) -> Shown {
        let status = response.status().as_u16();
        let vary = response
            .headers()
            .get_all(header::VARY)
            .iter()
            .flat_map(|value| value.to_str().unwrap().split(','))
            .map(|value| value.trim().to_ascii_lowercase())
            .collect();
        let html = response.text().await.unwrap();
        let document = Html::parse_document(&html);
        let first = |selector: &str| {
            document
                .select(&Selector::parse(selector).unwrap())
                .next()
                .map(|element| element.text().collect::<String>())
                .unwrap_or_default()
        };
        let lang = document
            .select(&Selector::parse("html").unwrap())
            .next()
            .and_then(|html| html.value().attr("lang"))
            .unwrap_or_default()
            .to_string();
        Shown {
            status,
            lang,
            title: first("title"),
            h1: first("h1"),
            home_link: first("nav.site-nav a[href=\"/\"]"),
            text: main_text(&html),
            vary,
            html,
        }
    }

    /// N of the visit sentence, in either language.
    fn visits(&self) -> u64 {
        let rest = self
            .text
            .split("You have visited this page ")
            .nth(1)
            .or_else(|| self.text.split("您已造訪本頁 ").nth(1))
            .unwrap_or_else(|| panic!("no visit count: {}", self.text));
        rest.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap()
    }
}

async fn show(request: RequestBuilder) -> Shown {
    Shown::read(request.send().await.unwrap()).await
}

/// What each language's pages say, to tell them apart.
const ENGLISH: (&str, &str) = ("en", "All books");
const CHINESE: (&str, &str) = ("zh-TW", "所有書籍");

/// Asserts `page` is the book list in `(lang, heading)`.
fn assert_books_in(page: &Shown, (lang, heading): (&str, &str)) {
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.lang, lang, "{}", page.text);
    assert_eq!(page.h1, heading);
}

/// Chooses `language` with the switcher's form as a browser without
/// JavaScript posts it, on the page `back`; gives where it was sent.
async fn choose(app: &TestApp, client: &Client, language: &str, back: &str) -> String {
    let response = client
        .post(app.url("/api/set_language"))
        .header("origin", &app.address)
        .header("accept", "text/html,application/xhtml+xml")
        .form(&[("language", language), ("back", back)])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    response.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_without_a_choice_reads_its_best_accept_language_match() {
    let app = spawn_app().await;
    for (accept, expected) in [
        (None, ENGLISH),
        (Some("zh-TW"), CHINESE),
        (Some("zh-TW,zh;q=0.9,en-US;q=0.8,en;q=0.7"), CHINESE),
        (Some("zh-Hant"), CHINESE),
        (Some("zh-HK"), CHINESE),
        (Some("fr-FR, zh-TW;q=0.5, en;q=0.3"), CHINESE),
        (Some("en-GB,en;q=0.9,zh-TW;q=0.8"), ENGLISH),
        (Some("zh-CN"), ENGLISH),
        (Some("de"), ENGLISH),
        (Some("zh-TW;q=0, en"), ENGLISH),
        (Some(";;q=x,,zh-TW;q=NaN"), ENGLISH),
    ] {
        let mut request = bare_client().get(app.url("/books"));
        if let Some(accept) = accept {
            request = request.header("accept-language", accept);
        }
        let page = show(request).await;
        assert_books_in(&page, expected);
        assert!(
            page.vary.contains(&"accept-language".to_string()),
            "{accept:?}: Vary {:?}",
            page.vary
        );
    }
    // Every page, the home page included, and the title with it.
    let home = show(
        bare_client()
            .get(app.url("/"))
            .header("accept-language", "zh-TW"),
    )
    .await;
    assert_eq!(home.lang, "zh-TW");
    assert_eq!(home.h1, "LocalLibrary 首頁");
    assert_eq!(home.title, "首頁 — LocalLibrary");
    assert!(home.text.contains("您已造訪本頁 1 次。"), "{}", home.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_switcher_without_javascript_keeps_the_choice_for_that_browser() {
    let app = spawn_app().await;
    let client = browser();
    let page = show(client.get(app.url("/books?q=the"))).await;
    assert_eq!(page.lang, "en");
    // A plain form on the page, naming the page to come back to.
    let document = Html::parse_document(&page.html);
    let switch = Selector::parse(
        r#"form.language-switcher[method="post"][action="/api/set_language"] button[name="language"][value="zh-TW"]"#,
    )
    .unwrap();
    assert_eq!(
        document
            .select(&switch)
            .map(|b| b.text().collect::<String>())
            .collect::<Vec<_>>(),
        ["繁體中文"]
    );
    assert!(page.html.contains(r#"name="back" value="/books?q=the""#));

    let location = choose(&app, &client, "zh-TW", "/books?q=the").await;
    assert_eq!(location, "/books?q=the", "back to the page it was on");
    let page = show(client.get(app.url(&location))).await;
    assert_eq!(page.lang, "zh-TW");
    assert_eq!(page.h1, "符合「the」的書籍");

    // The choice outranks the browser's Accept-Language, on every page.
    for path in ["/books", "/authors", "/about", "/books/1", "/nowhere"] {
        let page = show(
            client
                .get(app.url(path))
                .header("accept-language", "en-US,en"),
        )
        .await;
        assert_eq!(page.lang, "zh-TW", "{path}");
    }
    // Another browser is not affected.
    assert_books_in(&show(browser().get(app.url("/books"))).await, ENGLISH);

    // And back, even with a Chinese Accept-Language.
    choose(&app, &client, "en", "/books").await;
    let page = show(
        client
            .get(app.url("/books"))
            .header("accept-language", "zh-TW"),
    )
    .await;
    assert_books_in(&page, ENGLISH);

    // A language the site is not written in changes nothing.
    let refused = client
        .post(app.url("/api/set_language"))
        .header("origin", &app.address)
        .form(&[("language", "fr")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let error: AppError = refused.json().await.unwrap();
    assert_eq!(error, AppError::BadRequest(Invalid::Language("fr".into())));
    assert!(error
        .message(app::language::Locale::en)
        .contains("“fr” is not a language of this site"));
    assert_books_in(&show(client.get(app.url("/books"))).await, ENGLISH);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_switcher_with_javascript_answers_with_the_page_in_the_new_language() {
    let app = spawn_app().await;
    let client = browser();
    show(client.get(app.url("/authors"))).await;

    // As public/navigation.js posts the form: fetch() with the form's
    // fields, asking for HTML, following the redirect to the page it swaps in.
    let following = Client::builder().cookie_store(true).build().unwrap();
    following.get(app.url("/authors")).send().await.unwrap();
    let page = show(
        following
            .post(app.url("/api/set_language"))
            .header("origin", &app.address)
            .header("sec-fetch-site", "same-origin")
            .header("accept", "text/html")
            .form(&[("language", "zh-TW"), ("back", "/authors")]),
    )
    .await;
    assert_eq!(page.status, 200);
    assert_eq!(page.lang, "zh-TW");
    assert_eq!(page.h1, "所有作者");

    // As a program (or an island) calls the server function: no redirect.
    let response = client
        .post(app.url("/api/set_language"))
        .header("origin", &app.address)
        .form(&[("language", "zh-TW")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_books_in(&show(client.get(app.url("/books"))).await, CHINESE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn choosing_a_language_neither_counts_a_view_nor_changes_the_count() {
    let app = spawn_app().await;

    // A browser with a session, on the home page.
    let client = browser();
    app.start_session(&client).await;
    let location = choose(&app, &client, "zh-TW", "/").await;
    assert_eq!(location, "/?done=language", "the home page, not counting");
    let shown = show(client.get(app.url(&location))).await;
    assert_eq!(shown.lang, "zh-TW");
    assert_eq!(shown.visits(), 2, "{}", shown.text);
    assert!(shown.text.contains("您已造訪本頁 2 次。"), "{}", shown.text);
    let next = show(client.get(app.url("/"))).await;
    assert_eq!(next.visits(), 3, "the next view counts on");

    // A browser on its first view (counted in its first view's cookie).
    let first = browser();
    assert_eq!(show(first.get(app.url("/"))).await.visits(), 1);
    let location = choose(&app, &first, "zh-TW", "/").await;
    assert_eq!(show(first.get(app.url(&location))).await.visits(), 1);
    assert_eq!(show(first.get(app.url("/"))).await.visits(), 2);

    // Switching back and forth counts nothing either.
    for language in ["en", "zh-TW", "en"] {
        choose(&app, &client, language, "/").await;
    }
    let shown = show(client.get(app.url("/?done=language"))).await;
    assert_eq!(shown.lang, "en");
    assert_eq!(shown.visits(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_choice_outlives_a_restart() {
    let mut app = spawn_app().await;
    let client = browser();
    choose(&app, &client, "zh-TW", "/books").await;
    assert_books_in(&show(client.get(app.url("/books"))).await, CHINESE);

    app.restart().await;

    assert_books_in(&show(client.get(app.url("/books"))).await, CHINESE);
    let home = show(client.get(app.url("/"))).await;
    assert_eq!(home.lang, "zh-TW");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn browsers_in_two_languages_never_see_each_others_pages() {
    let app = spawn_app().await;
    let (chinese, english) = (browser(), browser());
    choose(&app, &chinese, "zh-TW", "/").await;
    choose(&app, &english, "en", "/").await;
    // Each browser: how it asks (against its choice, where it made one),
    // and the language it must be answered in. The third has no session
    // and reads Chinese by its Accept-Language alone.
    let browsers = [
        (&chinese, "en", "zh-TW", "首頁"),
        (&english, "zh-TW", "en", "Home"),
        (&bare_client(), "zh-TW", "zh-TW", "首頁"),
    ];
    let paths = [
        "/",
        "/books",
        "/books/1",
        "/authors",
        "/about",
        "/books?page=2",
    ];
    let rounds = 12;
    let requests = (0..rounds * paths.len() * browsers.len()).map(|i| {
        let who = i % browsers.len();
        let path = paths[i / browsers.len() % paths.len()];
        let (client, accept, ..) = browsers[who];
        let request = client.get(app.url(path)).header("accept-language", accept);
        async move { (who, path, show(request).await) }
    });
    // Many at a time, kept pages on: equal pages in two languages are
    // rendered and kept side by side.
    let pages: Vec<(usize, &str, Shown)> = futures::stream::iter(requests)
        .buffer_unordered(24)
        .collect()
        .await;
    let mut home_views = vec![Vec::new(); browsers.len()];
    for (who, path, page) in &pages {
        let (_, _, lang, home_link) = browsers[*who];
        assert_eq!(page.status, 200, "{path}: {}", page.text);
        assert_eq!(page.lang, lang, "{path}");
        assert_eq!(page.home_link, home_link, "{path}");
        if *path == "/" {
            let sentence = if lang == "en" {
                "You have visited"
            } else {
                "您已造訪本頁"
            };
            assert!(page.text.contains(sentence), "{}", page.text);
            home_views[*who].push(page.visits());
        }
    }
    // Each browser with a session had each of its views counted once.
    for views in &mut home_views[..2] {
        views.sort_unstable();
        assert_eq!(*views, (1..=rounds as u64).collect::<Vec<_>>());
    }
    assert!(
        home_views[2].iter().all(|&visits| visits == 1),
        "no session"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_page_is_in_both_languages() {
    let app = spawn_app_with(|s| s.database.busy_timeout_ms = 200).await;
    for (lang, texts) in [
        (
            "en",
            [
                ("Not found", "There is no page at this address."),
                ("Not found", "There is no book with the id 999."),
                ("Not found", "There is no author with the id “x”."),
                ("Not found", "There is no page 9: this list ends at page 2."),
                ("Bad request", "“abc” is not a page number"),
                ("Bad request", "The search terms are too long"),
            ],
        ),
        (
            "zh-TW",
            [
                ("找不到頁面", "這個網址沒有頁面。"),
                ("找不到頁面", "沒有編號為 999 的書籍。"),
                ("找不到頁面", "沒有編號為 「x」 的作者。"),
                ("找不到頁面", "沒有第 9 頁：這份清單到第 2 頁為止。"),
                ("請求有誤", "「abc」不是頁碼"),
                ("請求有誤", "搜尋字詞太長"),
            ],
        ),
    ] {
        let long_search = format!("/books?q={}", "a".repeat(201));
        let paths = [
            ("/nowhere", 404),
            ("/books/999", 404),
            ("/authors/x", 404),
            ("/books?page=9", 404),
            ("/books?page=abc", 400),
            (long_search.as_str(), 400),
        ];
        for ((path, status), (heading, message)) in paths.into_iter().zip(texts) {
            let page = show(
                bare_client()
                    .get(app.url(path))
                    .header("accept-language", lang),
            )
            .await;
            assert_eq!(page.status, status, "{path}");
            assert_eq!(page.lang, lang, "{path}");
            assert_eq!(page.h1, heading, "{path}");
            assert!(page.text.contains(message), "{path}: {}", page.text);
            assert!(page.title.starts_with(heading), "{path}: {}", page.title);
        }

        // 403: a form posted from another site.
        let refused = bare_client()
            .post(app.url("/api/reset_visits"))
            .header("origin", "http://evil.example")
            .header("accept-language", lang)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 403);
        assert!(refused.headers()[header::VARY]
            .to_str()
            .unwrap()
            .contains("accept-language"));
        let body = refused.text().await.unwrap();
        let expected = if lang == "en" {
            "403 Forbidden: this request came from another website."
        } else {
            "403 禁止存取：這個請求來自其他網站。"
        };
        assert!(body.starts_with(expected), "{body}");
    }

    // 503: the database cannot take a view's write; the page is in the
    // language of the browser's Accept-Language (its choice is in the
    // database it cannot reach).
    let client = browser();
    app.start_session(&client).await;
    let lock = app.hold_write_lock().await;
    for (lang, message) in [
        ("en", "The library catalog is temporarily unavailable."),
        ("zh-TW", "館藏目錄暫時無法使用，請稍後再試。"),
    ] {
        let page = show(
            client
                .get(app.url("/"))
                .header("accept-language", lang)
                .timeout(Duration::from_secs(10)),
        )
        .await;
        assert_eq!(page.status, 503, "{}", page.text);
        assert_eq!(page.lang, lang);
        assert!(page.text.contains(message), "{lang}: {}", page.text);
    }
    lock.release().await;
}
