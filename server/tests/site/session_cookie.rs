use crate::support::{bare_client, browser, spawn_app, spawn_app_with, HomePage};

fn attributes(cookie: &str) -> Vec<&str> {
    cookie.split("; ").collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cookie_is_httponly_lax_and_lasts_two_weeks() {
    let app = spawn_app().await;
    let client = browser();

    // A first view is kept in a cookie of its own, for an hour.
    let first = app.home(&client).await;
    assert_eq!(first.set_cookie.len(), 1, "{:?}", first.set_cookie);
    let cookie = first.first_view_cookie().expect("a first view's cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=3600"] {
        assert!(attributes(cookie).contains(&attribute), "{cookie}");
    }
    assert!(!attributes(cookie).contains(&"Secure"), "{cookie}");

    // Brought back, it gives way to the session's.
    let second = app.home(&client).await;
    let cookie = second
        .set_cookie
        .iter()
        .find(|c| c.starts_with("sessionid="))
        .expect("the session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=1209600"] {
        assert!(attributes(cookie).contains(&attribute), "{cookie}");
    }
    assert!(
        !attributes(cookie).contains(&"Secure"),
        "off by default for http: {cookie}"
    );
    assert!(
        second
            .set_cookie
            .iter()
            .any(|c| c.starts_with("sessionid_first_view=;") && c.contains("Max-Age=0")),
        "the first view's cookie is removed: {:?}",
        second.set_cookie
    );
    // The value is the id alone: nothing else about the session travels.
    let id = second.session_id().unwrap();
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
    let client = browser();
    let first = app.home(&client).await;
    let second = app.home(&client).await;
    let session_cookie = second
        .set_cookie
        .iter()
        .find(|c| c.starts_with("sessionid="))
        .unwrap();
    for cookie in [first.first_view_cookie().unwrap(), session_cookie] {
        assert!(attributes(cookie).contains(&"Secure"), "{cookie}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returning_browser_keeps_its_session_id() {
    let app = spawn_app().await;
    let client = browser();
    let id = app.start_session(&client).await.session_id().unwrap();
    let third = app.home(&client).await;
    assert_eq!(third.visits(), 3);
    // Neither replaced nor, this early in its life, renewed.
    assert!(third.set_cookie.is_empty(), "{:?}", third.set_cookie);
    assert_eq!(app.home_with_cookie(&id).await.visits(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_oversized_and_unknown_cookies_are_never_adopted() {
    let app = spawn_app().await;
    let known = app.start_session(&browser()).await.session_id().unwrap();
    let oversized = "A".repeat(6000);
    let unknown = "AAAAAAAAAAAAAAAAAAAAAA"; // well-formed, but no such session
    let forged_first_view = format!("sessionid_first_view={unknown}.1");

    for bad in [
        "sessionid=not a session id!",
        "sessionid=%00%ff",
        &format!("sessionid={oversized}"),
        &format!("sessionid={unknown}"),
        &forged_first_view,
    ] {
        let response = bare_client()
            .get(app.url("/"))
            .header("cookie", bad)
            .send()
            .await
            .unwrap();
        let page = HomePage::read(response).await;
        assert_eq!(page.status, 200, "cookie {bad:.40}");
        assert_eq!(page.visits(), 1, "a first view: cookie {bad:.40}");
        assert_eq!(page.session_id(), None, "nothing adopted: cookie {bad:.40}");
        assert!(page.first_view_cookie().is_some(), "cookie {bad:.40}");
    }
    assert_eq!(app.session_rows().await, 1, "none stored but {known}'s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_that_do_not_use_the_session_set_no_cookie() {
    let app = spawn_app().await;
    for path in [
        "/about",
        "/books",
        "/books/1",
        "/authors?page=1",
        "/healthz",
        "/readyz",
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
