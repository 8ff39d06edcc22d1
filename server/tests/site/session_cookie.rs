use crate::support::{bare_client, browser, spawn_app, spawn_app_with, HomePage};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cookie_is_httponly_lax_and_lasts_two_weeks() {
    let app = spawn_app().await;
    let page = app.home(&browser()).await;

    assert_eq!(page.set_cookie.len(), 1, "{:?}", page.set_cookie);
    let cookie = &page.set_cookie[0];
    let attributes: Vec<&str> = cookie.split("; ").collect();
    assert!(cookie.starts_with("sessionid="), "{cookie}");
    assert!(attributes.contains(&"HttpOnly"), "{cookie}");
    assert!(attributes.contains(&"SameSite=Lax"), "{cookie}");
    assert!(attributes.contains(&"Path=/"), "{cookie}");
    assert!(attributes.contains(&"Max-Age=1209600"), "{cookie}");
    assert!(
        !attributes.contains(&"Secure"),
        "off by default for http: {cookie}"
    );
    // The value is the id alone: nothing else about the session travels.
    let id = page.session_id().unwrap();
    assert!(
        id.len() >= 20
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secure_flag_follows_the_configuration() {
    let app = spawn_app_with(|settings| settings.session.secure = true).await;
    let page = app.home(&browser()).await;
    assert!(
        page.set_cookie[0].split("; ").any(|a| a == "Secure"),
        "{:?}",
        page.set_cookie
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returning_browser_keeps_its_session_id() {
    let app = spawn_app().await;
    let client = browser();
    let id = app.home(&client).await.session_id().unwrap();
    let second = app.home(&client).await;
    assert_eq!(second.visits(), 2);
    // Neither replaced nor, this early in its life, renewed.
    assert!(second.set_cookie.is_empty(), "{:?}", second.set_cookie);
    let third = bare_client()
        .get(app.url("/"))
        .header("cookie", format!("sessionid={id}"));
    assert_eq!(
        HomePage::read(third.send().await.unwrap()).await.visits(),
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_oversized_and_unknown_cookies_get_a_fresh_session() {
    let app = spawn_app().await;
    let known = app.home(&browser()).await.session_id().unwrap();
    let oversized = "A".repeat(6000);
    let unknown = "AAAAAAAAAAAAAAAAAAAAAA"; // well-formed, but no such session

    for bad in ["not a session id!", "%00%ff", oversized.as_str(), unknown] {
        let response = bare_client()
            .get(app.url("/"))
            .header("cookie", format!("sessionid={bad}"))
            .send()
            .await
            .unwrap();
        let page = HomePage::read(response).await;
        assert_eq!(page.status, 200, "cookie {bad:.40}");
        assert_eq!(page.visits(), 1, "cookie {bad:.40}");
        let fresh = page.session_id().expect("a new session cookie");
        assert_ne!(fresh, bad, "an unknown id is never adopted");
        assert_ne!(fresh, known);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_that_do_not_use_the_session_set_no_cookie() {
    let app = spawn_app().await;
    for path in [
        "/about",
        "/books",
        "/books/1",
        "/authors?page=1",
        "/health",
        "/favicon.svg",
        "/missing",
    ] {
        let response = bare_client().get(app.url(path)).send().await.unwrap();
        assert!(
            response.headers().get("set-cookie").is_none(),
            "{path} set a cookie"
        );
    }
}
