//! A client's mistakes and tricks get a clear 4xx and change nothing, and
//! nothing sends a browser off the site.

use crate::support::{bare_client, browser, main_text, spawn_app, spawn_app_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_over_long_search_is_a_400_that_says_so() {
    let app = spawn_app().await;
    for length in [201, 25_000] {
        let term = "a".repeat(length);
        let response = browser()
            .get(app.url(&format!("/books?q={term}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{length} characters");
        let text = main_text(&response.text().await.unwrap());
        assert!(text.contains("search terms are too long"), "{text}");
    }
    let longest = "a".repeat(200);
    let response = browser()
        .get(app.url(&format!("/books?q={longest}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(main_text(&response.text().await.unwrap()).contains("No books match"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_post_from_a_page_with_a_foreign_referer_comes_back_to_the_site() {
    let app = spawn_app().await;
    let client = browser();
    app.home(&client).await;
    for referer in ["http://evil.example/phish", "//evil.example/x"] {
        for function in ["reset_visits", "dismiss_notice", "forget_me"] {
            let response = app
                .post_without_javascript(&client, function, referer)
                .await;
            assert!(response.status().is_redirection(), "{}", response.status());
            let location = response.headers()["location"].to_str().unwrap();
            assert!(
                app::api::is_local_path(location),
                "{function}, {referer}: {location}"
            );
        }
    }
    // A `back` that leads off the site is not followed either.
    for back in [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let response = client
            .post(app.url("/api/set_per_page"))
            .header("origin", &app.address)
            .header("accept", "text/html")
            .form(&[("per_page", "25"), ("back", back)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["location"], "/books", "{back}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_files_take_only_get_and_head() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("pkg")).unwrap();
    std::fs::write(root.path().join("pkg").join("app.js"), b"export {}").unwrap();
    std::fs::write(root.path().join("favicon.svg"), b"<svg/>").unwrap();
    let path = root.path().display().to_string();
    let app = spawn_app_with(|s| s.leptos.site_root = path.into()).await;
    for file in ["/favicon.svg", "/pkg/app.js"] {
        for method in ["GET", "HEAD"] {
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let response = bare_client()
                .request(method.clone(), app.url(file))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{method} {file}");
        }
        for method in ["PUT", "DELETE", "POST", "PATCH", "FROB"] {
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let response = bare_client()
                .request(method.clone(), app.url(file))
                .header("origin", &app.address)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 405, "{method} {file}");
        }
    }
}
