//! Kept pages are safe by construction: a page is kept under its inputs
//! and rendered from them alone, and (in debug builds, as the tests run)
//! every kept response is compared with the page rendered afresh.

use std::collections::HashSet;

use axum::{
    extract::Request,
    http::{header, HeaderMap},
    middleware,
    routing::get,
    Router,
};
use futures::StreamExt;
use reqwest::Client;
use scraper::{Html, Selector};
use server::{
    config::Settings,
    page_requests::{self, Pages},
    security::{self, SecurityHeaders},
    session_layer,
};

use app::page_inputs::PageInputs;

use crate::support::{browser, main_text, spawn_app, HomePage, TestApp, TestDatabase};

/// `/about` answered by `page` behind the site's own session, security and
/// pages layers, on a new database: a page of the catalog, so kept.
async fn site_with_about_page<H, T>(page: H) -> (String, TestDatabase)
where
    H: axum::handler::Handler<T, ()>,
    T: 'static,
{
    let database = TestDatabase::new().await;
    let db = database.db().await;
    server::database::migrate(&db).await.unwrap();
    let settings = Settings::from_toml("").unwrap();
    let router = Router::new()
        .route("/about", get(page))
        .layer(middleware::from_fn_with_state(
            Pages::new(
                db.clone(),
                session_layer::policy(&settings.session, tower_sessions::cookie::Key::generate()),
            ),
            page_requests::serve,
        ))
        .layer(session_layer::layer(&db, &settings.session))
        .layer(middleware::from_fn_with_state(
            SecurityHeaders::new(false, false),
            security::add,
        ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (address, database)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_reads_what_is_not_in_its_inputs_fails_the_check() {
    // Reads the visitor's name from a header: not one of its inputs, so a
    // kept copy would greet every visitor by the first one's name.
    async fn greeting(headers: HeaderMap) -> String {
        let name = headers
            .get("x-name")
            .and_then(|name| name.to_str().ok())
            .unwrap_or("stranger");
        format!("<p>Hello, {name}</p>")
    }
    let (address, _database) = site_with_about_page(greeting).await;
    let response = Client::new()
        .get(format!("{address}/about"))
        .header("x-name", "Alice")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 500, "a loud failure, not Alice's page");
    let body = response.text().await.unwrap();
    assert!(
        body.contains("not the page rendered afresh") && body.contains("Hello, Alice"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_reads_only_its_inputs_is_kept_and_passes_the_check() {
    async fn preferences(request: Request) -> String {
        let inputs = request.extensions().get::<PageInputs>().unwrap();
        format!(
            "<p>{} per page at {}</p>",
            inputs.layout.preferences.per_page, inputs.address
        )
    }
    let (address, _database) = site_with_about_page(preferences).await;
    for _ in 0..3 {
        let response = Client::new()
            .get(format!("{address}/about?x=1"))
            .header("x-name", "Alice")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.text().await.unwrap(),
            "<p>10 per page at /about?x=1</p>"
        );
    }
}

/// What a browser sees of a page: its count (home), whether the notice is
/// there, how many books a list shows, and its nonce.
struct Seen {
    visits: Option<u64>,
    notice: bool,
    books_listed: usize,
    nonce: String,
}

async fn look(app: &TestApp, client: &Client, path: &str) -> Seen {
    let response = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    let html = response.text().await.unwrap();
    let document = Html::parse_document(&html);
    let nonce = document
        .select(&Selector::parse("script[nonce]").unwrap())
        .next()
        .and_then(|script| script.value().attr("nonce"))
        .unwrap()
        .to_string();
    assert!(
        policy.contains(&format!("'nonce-{nonce}'")),
        "its own nonce"
    );
    let visits = (path == "/").then(|| {
        HomePage {
            status: reqwest::StatusCode::OK,
            set_cookie: Vec::new(),
            retry_after: None,
            text: main_text(&html),
        }
        .visits()
    });
    Seen {
        visits,
        notice: html.contains("This is a demo catalog"),
        books_listed: document
            .select(&Selector::parse("ul.item-list > li").unwrap())
            .count(),
        nonce,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_browsers_never_see_each_others_pages_under_concurrency() {
    let app = spawn_app().await;
    let (alice, bob) = (browser(), browser());
    // Alice hides the notice and lists 25 a page; Bob keeps the defaults.
    assert_eq!(look(&app, &alice, "/").await.visits, Some(1));
    assert_eq!(look(&app, &bob, "/").await.visits, Some(1));
    assert_eq!(app.call(&alice, "dismiss_notice").await.status(), 200);
    app.submit(&alice, "set_per_page", &[("per_page", "25")])
        .await;

    let views = 60;
    let requests = (0..views).flat_map(|i| {
        let path = if i % 3 == 0 { "/books" } else { "/" };
        [("alice", &alice, path), ("bob", &bob, path)]
    });
    let seen: Vec<(&str, &str, Seen)> = futures::stream::iter(requests)
        .map(|(who, client, path)| {
            let app = &app;
            async move { (who, path, look(app, client, path).await) }
        })
        .buffer_unordered(16)
        .collect()
        .await;

    let mut nonces = HashSet::new();
    let mut counts = [Vec::new(), Vec::new()];
    for (who, path, seen) in &seen {
        let alices = *who == "alice";
        assert!(nonces.insert(seen.nonce.clone()), "a nonce of its own");
        assert_eq!(seen.notice, !alices, "{who} on {path}: the notice");
        if *path == "/books" {
            let listed = if alices { 20 } else { 10 };
            assert_eq!(seen.books_listed, listed, "{who}'s page size");
        } else {
            counts[usize::from(!alices)].push(seen.visits.unwrap());
        }
    }
    for (who, mut counts) in ["alice", "bob"].into_iter().zip(counts) {
        counts.sort_unstable();
        let expected: Vec<u64> = (2..2 + counts.len() as u64).collect();
        assert_eq!(counts, expected, "{who}'s own counts, each once");
    }
}
