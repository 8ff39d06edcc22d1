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
                app::paths::is_local_path(location),
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

/// Sends `request` as it is, on a connection of its own, and gives the
/// answer's status line and headers.
async fn raw(app: &crate::support::TestApp, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = vec![0; 4096];
    let n = stream.read(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]).into_owned();
    answer.split("\r\n\r\n").next().unwrap().to_string()
}

/// Odd ways to write an address are sent to the address's one form (or
/// the 404 page, or a 400), never a 500: the access rules and the page's
/// inputs read the address as the router does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_addresses_are_redirected_or_refused_never_a_500() {
    let app = spawn_app().await;
    let get =
        |target: &str| format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    for (target, status, location) in [
        ("/books/", 301, Some("/books")),
        ("/books/?page=2", 301, Some("/books?page=2")),
        ("/authors/1/", 301, Some("/authors/1")),
        ("/books/..", 301, Some("/")),
        ("/books/%2e%2e", 301, Some("/")),
        ("/books/./1", 301, Some("/books/1")),
        ("/loans/mine/../../loans", 301, Some("/loans")),
        ("http://x/books/", 301, Some("/books")),
        ("*", 400, None),
    ] {
        let head = raw(&app, &get(target)).await;
        assert!(
            head.starts_with(&format!("HTTP/1.1 {status} ")),
            "{target}: {head}"
        );
        if let Some(location) = location {
            assert!(
                head.to_ascii_lowercase()
                    .contains(&format!("\r\nlocation: {location}\r\n")),
                "{target}: {head}"
            );
        }
    }
    // OPTIONS * asks about the server, not a page: refused as a page's would be.
    let head = raw(
        &app,
        "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(head.starts_with("HTTP/1.1 4"), "{head}");
    // A post is sent on with its method (308).
    let head = raw(
        &app,
        "POST /accounts/login/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(head.starts_with("HTTP/1.1 308 "), "{head}");
}

/// A name longer than a file's can be is no file of the site's: a 404, not
/// the file system's error as a 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_too_long_for_a_file_is_not_found() {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir(site.path().join("pkg")).unwrap();
    let root = site.path().to_str().unwrap().to_string();
    let app = spawn_app_with(|settings| settings.leptos.site_root = root.into()).await;
    let long = "a".repeat(256);
    for path in [
        format!("/{long}"),
        format!("/pkg/{long}"),
        format!("/books/{long}"),
    ] {
        let response = browser().get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_body_that_cannot_be_read_is_refused_in_words_and_changes_nothing() {
    let app = spawn_app().await;
    let (_alice, libby) = app.member_and_librarian().await;
    let authors = || app.scalar("SELECT COUNT(*) FROM author");
    let before: i64 = authors().await;
    let post = |content_type: &'static str, body: String| {
        libby
            .post(app.url("/authors/new"))
            .header("origin", &app.address)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let form = "application/x-www-form-urlencoded";
    for (content_type, body, status, says) in [
        (
            "text/plain",
            "first_name=Ann&last_name=Lee".to_string(),
            415,
            "application/x-www-form-urlencoded",
        ),
        (
            "multipart/form-data; boundary=x",
            "--x--".to_string(),
            415,
            "application/x-www-form-urlencoded",
        ),
        (
            form,
            "first_name=Ann&first_name=Bo&last_name=Lee".to_string(),
            422,
            "duplicate field `first_name`",
        ),
        (
            form,
            format!("first_name=Ann&last_name={}", "x".repeat(17 * 1024)),
            413,
            "This form sent more than it can.",
        ),
    ] {
        let response = post(content_type, body).await.unwrap();
        assert_eq!(response.status(), status, "{content_type}");
        let text = response.text().await.unwrap();
        assert!(text.contains(says), "{content_type}: {text}");
    }
    assert_eq!(authors().await, before);

    // Nobody signed in is sent to sign in before the body is read, however
    // much of it there is; a body that is no form at all, from the right
    // user, shows the form again saying what is missing.
    let response = bare_client()
        .post(app.url("/authors/new"))
        .header("origin", &app.address)
        .header("content-type", form)
        .body("x".repeat(17 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(
        response.headers()["location"],
        "/accounts/login?next=/authors/new"
    );
    let response = post(form, "%%%&&==\u{1}".to_string()).await.unwrap();
    assert_eq!(response.status(), 200);
    let text = main_text(&response.text().await.unwrap());
    assert!(text.contains("This field is required."), "{text}");
    assert_eq!(authors().await, before);
}
