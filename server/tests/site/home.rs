use reqwest::Client;
use scraper::{Html, Selector};

use crate::support::{
    browser, main_text, small_catalog_without_last_books, spawn_app, HomePage, TestApp,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_site_shows_the_small_catalogs_counts() {
    let app = spawn_app().await;
    let page = app.home(&browser()).await;

    assert_eq!(page.status, 200);
    assert!(page.text.contains("Local Library Home"), "{}", page.text);
    assert!(page.text.contains("Dynamic content"), "{}", page.text);
    assert_eq!(page.count("Books"), 20);
    assert_eq!(page.count("Copies"), 50);
    assert_eq!(page.count("Copies available"), 23);
    assert_eq!(page.count("Authors"), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loading_another_catalog_changes_the_counts_on_the_next_view() {
    let app = spawn_app().await;
    let client = browser();
    assert_eq!(app.home(&client).await.count("Books"), 20);

    let smaller = small_catalog_without_last_books(5);
    let copies = smaller["book_instances"].as_array().unwrap();
    let available = copies.iter().filter(|c| c["status"] == "a").count() as u64;
    let output = app.replace_catalog_json("smaller.json", &smaller.to_string());
    assert!(output.status.success(), "{output:?}");

    let page = app.home(&client).await;
    assert_eq!(page.count("Books"), 15);
    assert_eq!(page.count("Copies"), copies.len() as u64);
    assert_eq!(page.count("Copies available"), available);
    assert_eq!(page.count("Authors"), 10);
    assert_eq!(page.visits(), 2, "loading a catalog leaves sessions alone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_view_counts_once_per_browser() {
    let app = spawn_app().await;
    let alice = browser();
    assert_eq!(app.home(&alice).await.visits(), 1);
    assert_eq!(app.home(&alice).await.visits(), 2);
    assert_eq!(app.home(&alice).await.visits(), 3);

    let bob = browser();
    assert_eq!(app.home(&bob).await.visits(), 1);
    assert_eq!(app.home(&alice).await.visits(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_requests_and_health_probes_are_not_visits() {
    let app = spawn_app().await;
    let client = browser();
    assert_eq!(app.home(&client).await.visits(), 1);

    let head = client.head(app.url("/")).send().await.unwrap();
    assert_eq!(head.status(), 200);
    let health = client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.headers().get("set-cookie").is_none());

    assert_eq!(app.home(&client).await.visits(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_count_survives_a_server_restart() {
    let mut app = spawn_app().await;
    let client = browser();
    assert_eq!(app.home(&client).await.visits(), 1);
    assert_eq!(app.home(&client).await.visits(), 2);

    app.restart().await;

    assert_eq!(app.home(&client).await.visits(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_page_is_a_404_in_the_site_layout() {
    let app = spawn_app().await;
    let response = browser()
        .get(app.url("/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(response.headers().get("set-cookie").is_none());
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Not found") && html.contains("There is no page at this address."),
        "{html}"
    );
    assert!(
        html.contains(r#"aria-label="Site""#),
        "the sidebar is there: {html}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_functions_take_posts_only_and_survive_garbage() {
    let app = spawn_app().await;
    let get = browser()
        .get(app.url("/api/reset_visits"))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 405);

    for (content_type, body) in [
        (
            "application/x-www-form-urlencoded",
            "%%%not=a&valid\u{0}body",
        ),
        ("application/json", "{\"unterminated\":"),
    ] {
        let response = browser()
            .post(app.url("/api/reset_visits"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(
            !response.status().is_server_error(),
            "{content_type}: {}",
            response.status()
        );
    }
}

/// A home view as the browser gets it: the page, the props of the island
/// with the count's controls, and the nonces on its scripts.
struct HomeView {
    page: HomePage,
    island_props: serde_json::Value,
    nonces: Vec<String>,
    notice: bool,
}

async fn home_view(app: &TestApp, client: &Client) -> HomeView {
    let response = client.get(app.url("/")).send().await.unwrap();
    let status = response.status();
    let html = response.text().await.unwrap();
    assert_eq!(status, 200, "{html}");
    let document = Html::parse_document(&html);
    let island = Selector::parse(r#"leptos-island[data-component^="VisitControls"]"#).unwrap();
    let props = document
        .select(&island)
        .next()
        .and_then(|island| island.value().attr("data-props"))
        .unwrap_or_else(|| panic!("no VisitControls island with props: {html}"));
    let props: serde_json::Value = serde_json::from_str(props).unwrap();
    let scripts = Selector::parse("script[nonce]").unwrap();
    HomeView {
        island_props: props,
        nonces: document
            .select(&scripts)
            .map(|script| script.value().attr("nonce").unwrap().to_string())
            .collect(),
        notice: html.contains("This is a demo catalog"),
        page: HomePage {
            status,
            set_cookie: Vec::new(),
            retry_after: None,
            text: main_text(&html),
        },
    }
}

/// The server renders the home page once for views that differ only in
/// their count (see `server::page_requests`): each browser must still get its
/// own count, its own notice, and a nonce no other response had. The
/// island's props carry no count: only the sentence shows it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_alike_but_for_their_count_each_show_their_own() {
    let app = spawn_app().await;
    let (alice, bob) = (browser(), browser());
    let mut nonces = std::collections::HashSet::new();
    let mut seen = |view: &HomeView| {
        assert_eq!(
            view.island_props["reset_sentence"],
            "You have visited this page 0 times."
        );
        assert_eq!(
            view.island_props.as_object().unwrap().len(),
            3,
            "cookie_returned, reset_sentence, locale: {}",
            view.island_props
        );
        let first = view.nonces.first().expect("scripts with a nonce").clone();
        assert!(
            view.nonces.iter().all(|nonce| *nonce == first),
            "one per page"
        );
        assert!(nonces.insert(first), "never one of an earlier page");
    };

    for expected in 1..=3 {
        let view = home_view(&app, &alice).await;
        assert_eq!(view.page.visits(), expected);
        assert!(view.notice);
        seen(&view);
    }
    let view = home_view(&app, &bob).await;
    assert_eq!(view.page.visits(), 1);
    seen(&view);
    assert_eq!(app.call(&bob, "dismiss_notice").await.status(), 200);

    for (client, expected, notice) in [(&bob, 2, false), (&alice, 4, true), (&bob, 3, false)] {
        let view = home_view(&app, client).await;
        assert_eq!(view.page.visits(), expected);
        assert_eq!(view.notice, notice);
        assert_eq!(view.page.count("Books"), 20);
        seen(&view);
    }
}
