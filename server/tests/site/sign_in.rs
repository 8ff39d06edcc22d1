//! Signing in and out: the form, the session it keeps (under a new id) or
//! empties, where it goes next, the throttle, and whose name a page shows.

use reqwest::{Client, StatusCode};

use server::client::TrustedProxies;

use crate::support::{
    bare_client, browser, header_text, main_text, spawn_app, spawn_app_with, text_of, TestApp,
};

const MISMATCH: &str = "Your username and password didn't match. Please try again.";

/// A browser signed in as `username`, after two views of the home page.
async fn signed_in(app: &TestApp, username: &str, password: &str) -> Client {
    let client = browser();
    app.start_session(&client).await;
    app.sign_in(&client, username, password).await;
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_page_is_a_plain_form_that_comes_back_to_next() {
    let app = spawn_app().await;
    let (status, html) = app
        .page(&browser(), "/accounts/login?next=/books?q=a")
        .await;
    assert_eq!(status, 200);
    for part in [
        r#"<form method="post" action="/accounts/login""#,
        r#"name="username""#,
        r#"type="password""#,
        r#"autocomplete="current-password""#,
        r#"<input type="hidden" name="next" value="/books?q=a""#,
    ] {
        assert!(html.contains(part), "{part} in {html}");
    }
    assert!(
        main_text(&html).starts_with("Login Username Password"),
        "{html}"
    );
    // The header's link to it comes back to the page it was on.
    let (_, books) = app.page(&browser(), "/books?page=2").await;
    assert!(
        books.contains(r#"href="/accounts/login?next=/books%3Fpage%3D2""#),
        "{books}"
    );
    assert_eq!(header_text(&books).matches("Login").count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_show_the_form_again_and_sign_nobody_in() {
    let app = spawn_app().await;
    app.add_user("alice", "correct horse", false).await;
    let inactive = app.add_user("idle", "correct horse", false).await;
    app.execute(&format!(
        "UPDATE account SET is_active = FALSE WHERE id = {inactive}"
    ))
    .await;
    for (username, password) in [
        ("alice", "wrong horse"),
        ("nobody", "correct horse"),
        ("idle", "correct horse"),
        ("ALICE", "correct horse"),
    ] {
        let client = browser();
        let response = app
            .post_form(
                &client,
                "/accounts/login",
                &[
                    ("username", username),
                    ("password", password),
                    ("next", "/loans/mine"),
                ],
            )
            .await;
        assert_eq!(response.status(), 200, "{username}");
        let html = response.text().await.unwrap();
        let text = main_text(&html);
        assert!(text.contains(MISMATCH), "{username}: {text}");
        assert!(html.contains(&format!(r#"value="{username}""#)), "{html}");
        assert!(
            !html.contains(password),
            "the password is never shown again"
        );
        assert!(
            html.contains(r#"name="next" value="/loans/mine""#),
            "{html}"
        );
        let (_, home) = app.page(&client, "/").await;
        assert!(header_text(&home).contains("Login"), "{home}");
    }
    // Both fields are required; an empty one is said so by its field.
    let response = app
        .post_form(&browser(), "/accounts/login", &[("username", "alice")])
        .await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert_eq!(
        text_of(&html, "#field-password-problems"),
        "This field is required."
    );
    assert!(html.contains(r#"aria-invalid="true""#), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_keeps_the_count_under_a_new_id_and_the_old_id_is_worthless() {
    let app = spawn_app().await;
    app.add_user("alice", "correct horse", false).await;
    let client = browser();
    let before = app.start_session(&client).await;
    let old_id = before.session_id().unwrap();

    let response = app
        .post_form(
            &client,
            "/accounts/login",
            &[
                ("username", "alice"),
                ("password", "correct horse"),
                ("next", "/books?q=a"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/books?q=a");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_string())
        .find(|cookie| cookie.starts_with("sessionid="))
        .expect("a new session cookie");
    assert!(!cookie.contains(&old_id), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    // The count goes on in the new session; the old id counts nothing.
    assert_eq!(app.home(&client).await.visits(), 3);
    let old = app.home_with_cookie(&old_id).await;
    assert_eq!(old.visits(), 1, "the old id is no session: {}", old.text);
    assert_eq!(app.home(&client).await.visits(), 4);

    let (_, home) = app.page(&client, "/").await;
    let header = header_text(&home);
    for part in ["User: alice", "My borrowed", "Sign out"] {
        assert!(header.contains(part), "{part} in {header}");
    }
    for absent in ["Login", "All borrowed", "New author"] {
        assert!(!header.contains(absent), "{absent} in {header}");
    }
    let last_login: Option<i64> = app
        .scalar("SELECT last_login FROM account WHERE username = 'alice'")
        .await;
    assert!(last_login.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_visit_can_sign_in_and_librarians_see_their_links() {
    let app = spawn_app().await;
    app.add_user("libby", "shelves and stacks", true).await;
    // No cookie at all: the sign-in starts the session.
    let client = browser();
    app.sign_in(&client, "libby", "shelves and stacks").await;
    let (_, page) = app.page(&client, "/about").await;
    let header = header_text(&page);
    for part in [
        "User: libby",
        "My borrowed",
        "All borrowed",
        "New author",
        "Sign out",
    ] {
        assert!(header.contains(part), "{part} in {header}");
    }
    // A session signed in is one whose cookie comes back: it stays.
    let confirmed: bool = app.scalar("SELECT confirmed FROM session_state").await;
    assert!(confirmed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_as_someone_else_empties_the_session_first() {
    let app = spawn_app().await;
    app.add_user("alice", "correct horse", false).await;
    app.add_user("bob", "battery staple", false).await;
    let client = signed_in(&app, "alice", "correct horse").await;
    assert_eq!(app.home(&client).await.visits(), 3);
    app.sign_in(&client, "bob", "battery staple").await;
    let home = app.home(&client).await;
    assert_eq!(
        home.visits(),
        1,
        "bob's session starts afresh: {}",
        home.text
    );
    let (_, page) = app.page(&client, "/").await;
    assert!(header_text(&page).contains("User: bob"));
    // Signing in again as the same user keeps the count.
    app.sign_in(&client, "bob", "battery staple").await;
    assert_eq!(app.home(&client).await.visits(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_is_a_post_that_empties_the_session() {
    let app = spawn_app().await;
    app.add_user("alice", "correct horse", false).await;
    let client = signed_in(&app, "alice", "correct horse").await;
    assert_eq!(app.home(&client).await.visits(), 3);

    // A GET signs nobody out.
    let response = client
        .get(app.url("/accounts/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "POST");
    let html = response.text().await.unwrap();
    assert!(header_text(&html).contains("User: alice"), "{html}");
    assert!(main_text(&html).contains("Sign out"), "{html}");

    let response = app.post_form(&client, "/accounts/logout", &[]).await;
    assert_eq!(response.status(), 200);
    let cleared = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|value| value.to_str().unwrap().starts_with("sessionid=;"));
    assert!(cleared, "{:?}", response.headers());
    let html = response.text().await.unwrap();
    assert!(main_text(&html).starts_with("Logged out!"), "{html}");
    assert!(header_text(&html).contains("Login"), "{html}");
    assert_eq!(app.session_rows().await, 0);
    // As in Django: the next view of the home page is a first.
    assert_eq!(app.home(&client).await.visits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_signing_in_only_a_path_of_this_site_is_where_next_goes() {
    let app = spawn_app().await;
    app.add_user("alice", "correct horse", false).await;
    for (next, location) in [
        ("/loans/mine", "/loans/mine"),
        ("/books?q=紅樓", "/books?q=%E7%B4%85%E6%A8%93"),
        ("", "/"),
        ("//evil.example", "/"),
        ("///evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("http:evil.example", "/"),
        ("/\tevil", "/"),
        ("/\r\nSet-Cookie: a=b", "/"),
    ] {
        let response = app
            .post_form(
                &bare_client(),
                "/accounts/login",
                &[
                    ("username", "alice"),
                    ("password", "correct horse"),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(response.status(), 302, "{next:?}");
        assert_eq!(response.headers()["location"], location, "{next:?}");
    }
}

/// A site behind a proxy on this machine, which it trusts to say who each
/// client is.
async fn spawn_app_behind_proxy() -> TestApp {
    spawn_app_with(|settings| {
        settings.trusted_proxies = TrustedProxies::parse(["127.0.0.1", "::1"]).unwrap();
    })
    .await
}

/// Posts a sign-in as `username` that a proxy on this machine forwards for
/// `address` (the server believes it only from a proxy it trusts).
async fn attempt(
    app: &TestApp,
    username: &str,
    password: &str,
    address: &str,
) -> reqwest::Response {
    bare_client()
        .post(app.url("/accounts/login"))
        .header("origin", &app.address)
        .header("x-forwarded-for", address)
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_are_refused_for_a_while_without_locking_the_owner_out() {
    let app = spawn_app_behind_proxy().await;
    app.add_user("alice", "correct horse", false).await;
    // Guesses under the name however it is written (capitals, fullwidth
    // letters, a Cyrillic с) count as guesses at the one name.
    for alike in ["alice", "ALICE", "ａｌｉｃｅ", "ali\u{441}e", "Alice"] {
        let response = attempt(&app, alike, "guess", "203.0.113.9").await;
        assert_eq!(response.status(), 200, "{alike}");
    }
    // From that address, even the right password is refused for now.
    let refused = attempt(&app, "Alice", "correct horse", "203.0.113.9").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (14 * 60..=15 * 60).contains(&retry_after),
        "Retry-After: {retry_after}"
    );
    let text = main_text(&refused.text().await.unwrap());
    assert!(
        text.contains("Too many failed sign-ins. Please wait 15 minutes and try again."),
        "{text}"
    );
    // The owner, elsewhere, gets in.
    let owner = attempt(&app, "alice", "correct horse", "198.51.100.7").await;
    assert_eq!(owner.status(), 302);

    // Guesses from many addresses slow every attempt for the name down,
    // and refuse none.
    for i in 0..10 {
        attempt(&app, "alice", "guess", &format!("192.0.2.{i}")).await;
    }
    let started = std::time::Instant::now();
    let owner = attempt(&app, "alice", "correct horse", "198.51.100.7").await;
    assert_eq!(owner.status(), 302);
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));

    // Guesses of many names from one address: that address is refused.
    for i in 0..20 {
        attempt(&app, &format!("user{i}"), "guess", "203.0.113.50").await;
    }
    let refused = attempt(&app, "alice", "correct horse", "203.0.113.50").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);

    // Once the failures are older than the window, the address may try again.
    app.execute("UPDATE sign_in_failure SET at = at - 15 * 60 * 1000")
        .await;
    let again = attempt(&app, "alice", "correct horse", "203.0.113.9").await;
    assert_eq!(again.status(), 302);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_from_another_site_is_refused() {
    let app = spawn_app().await;
    app.add_user("alice", "correct horse", false).await;
    let response = bare_client()
        .post(app.url("/accounts/login"))
        .header("origin", "https://evil.example")
        .form(&[("username", "alice"), ("password", "correct horse")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.session_rows().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_password_signs_the_users_sessions_out() {
    let app = spawn_app().await;
    app.add_user("alice", "correct horse", false).await;
    app.add_user("bob", "battery staple", false).await;
    let phone = signed_in(&app, "alice", "correct horse").await;
    let laptop = signed_in(&app, "alice", "correct horse").await;
    let bob = signed_in(&app, "bob", "battery staple").await;
    let changed = app.command_with_input(&["passwd", "alice"], "a new password\n");
    assert!(changed.status.success());
    for client in [&phone, &laptop] {
        let (_, page) = app.page(client, "/about").await;
        assert!(header_text(&page).contains("Login"), "{page}");
    }
    let (_, page) = app.page(&bob, "/about").await;
    assert!(header_text(&page).contains("User: bob"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_kept_for_one_user_is_never_shown_to_another() {
    let app = spawn_app().await;
    app.add_user("alice", "correct horse", false).await;
    app.add_user("bob", "battery staple", true).await;
    let alice = signed_in(&app, "alice", "correct horse").await;
    let bob = signed_in(&app, "bob", "battery staple").await;
    let nobody = browser();
    app.start_session(&nobody).await;
    let pages = [
        "/",
        "/books",
        "/books?page=2",
        "/authors",
        "/about",
        "/books/1",
    ];
    let app = &app;
    let mut views = Vec::new();
    for round in 0..8 {
        for (client, name) in [
            (&alice, Some("alice")),
            (&bob, Some("bob")),
            (&nobody, None),
        ] {
            for path in pages {
                views.push(async move {
                    let (status, html) = app.page(client, path).await;
                    assert_eq!(status, 200, "{path} round {round}");
                    let header = header_text(&html);
                    match name {
                        Some(name) => assert!(header.contains(&format!("User: {name}"))),
                        None => assert!(header.contains("Login") && !header.contains("User:")),
                    }
                    let staff = header.contains("All borrowed");
                    assert_eq!(staff, name == Some("bob"), "{path}: {header}");
                });
            }
        }
    }
    futures::future::join_all(views).await;
}

/// Without a trusted proxy (the default), `X-Forwarded-For` is anyone's to
/// write and is ignored: a guesser who writes another address on each try
/// is still one address to the throttle, and a pair locked out stays so
/// whatever the header says.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forwarded_address_from_an_untrusted_peer_changes_nothing() {
    let app = spawn_app().await;
    app.add_user("alice", "correct horse", false).await;
    let mut refused = 0;
    for i in 0..40 {
        let response = attempt(&app, "alice", "guess", &format!("198.51.100.{i}")).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    // Five tries are let through, then this machine's address is refused.
    assert_eq!(refused, 35);
    for address in ["203.0.113.77", "127.0.0.2", "::1"] {
        let locked = attempt(&app, "alice", "correct horse", address).await;
        assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS, "{address}");
        assert!(locked.headers().contains_key("retry-after"));
    }
}

/// A page shown to someone signed in carries their name (and maybe their
/// loans): no shared cache, nor the browser's disk, may keep it. Pages for
/// nobody in particular may be kept by anyone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_shown_to_a_signed_in_user_are_private_and_not_stored() {
    let app = spawn_app().await;
    let (alice, libby) = app.member_and_librarian().await;
    let cache_control = |response: &reqwest::Response| {
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .to_string()
    };
    for (client, path) in [
        (&alice, "/"),
        (&alice, "/loans/mine"),
        (&alice, "/books"),
        (&alice, "/nowhere"),
        (&alice, "/loans"),
        (&libby, "/loans"),
        (&libby, "/authors/new"),
    ] {
        let response = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(cache_control(&response), "private, no-store", "{path}");
    }
    // A form's page posted again (a mistake in it), signed in.
    let again = app
        .post_form(&libby, "/authors/new", &[("first_name", "")])
        .await;
    assert_eq!(again.status(), 200);
    assert_eq!(cache_control(&again), "private, no-store");
    for path in ["/", "/books", "/accounts/login"] {
        let response = browser().get(app.url(path)).send().await.unwrap();
        assert_eq!(cache_control(&response), "no-cache", "{path}");
    }
}
