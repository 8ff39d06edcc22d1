use std::{sync::Arc, time::Duration};

use server::config::SessionExpiry;
use server::session_layer::Store;
use tower_sessions::Session;

use crate::support::{
    assert_concurrent_views_count_exactly, bare_client, browser, locallibrary, spawn_app,
    spawn_app_with, Backend, HomePage, TestApp,
};

/// What the home page says once "Forget me" deleted the session.
const FORGOTTEN: &str = "This browser's session has been deleted.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_views_of_one_session_add_exactly_two_hundred() {
    let app = spawn_app().await;
    let client = browser();
    assert_eq!(app.home(&client).await.visits(), 1);

    assert_concurrent_views_count_exactly(200, 20, 1, || app.home(&client)).await;
    assert_eq!(app.home(&client).await.visits(), 202);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forget_me_deletes_the_session_and_clears_the_cookie() {
    let app = spawn_app().await;
    let client = browser();
    let id = app.start_session(&client).await.session_id().unwrap();
    assert_eq!(app.session_rows().await, 1);

    let response = app.call(&client, "forget_me").await;
    assert_eq!(response.status(), 200);
    let cleared = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cleared.starts_with("sessionid=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );

    assert_eq!(app.session_rows().await, 0, "the session row is gone");
    let state: i64 = app.scalar("SELECT COUNT(*) FROM session_state").await;
    assert_eq!(state, 0, "and its visit count with it");
    let next = app.start_session(&client).await;
    assert_ne!(next.session_id().unwrap(), id, "a new session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_zeroes_the_count_and_keeps_the_session() {
    let app = spawn_app().await;
    let client = browser();
    app.home(&client).await;
    app.home(&client).await;
    assert_eq!(app.home(&client).await.visits(), 3);

    let response = app.call(&client, "reset_visits").await;
    assert_eq!(response.status(), 200);

    let next = app.home(&client).await;
    assert_eq!(next.visits(), 1);
    assert!(
        next.session_id().is_none(),
        "no new session: {:?}",
        next.set_cookie
    );
    assert_eq!(app.session_rows().await, 1, "same session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_without_javascript_shows_zero_and_counts_on_from_there() {
    let app = spawn_app().await;
    let client = browser();
    app.start_session(&client).await;

    let response = app
        .post_without_javascript(&client, "reset_visits", &app.url("/"))
        .await;
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, "/?done=reset");
    let shown = HomePage::read(client.get(app.url(&location)).send().await.unwrap()).await;
    assert_eq!(
        shown.visits(),
        0,
        "the reset count, not a view: {}",
        shown.text
    );
    // Shown again (a reload) it still shows the count as it stands.
    let again = HomePage::read(client.get(app.url(&location)).send().await.unwrap()).await;
    assert_eq!(again.visits(), 0);
    assert_eq!(
        app.home(&client).await.visits(),
        1,
        "the next view counts 1"
    );
    assert_eq!(app.session_rows().await, 1, "same session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forget_me_without_javascript_confirms_and_starts_no_session() {
    let app = spawn_app().await;
    let client = browser();
    app.start_session(&client).await;

    let response = app
        .post_without_javascript(&client, "forget_me", &app.url("/"))
        .await;
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, "/?done=forgotten");
    let shown = HomePage::read(client.get(app.url(&location)).send().await.unwrap()).await;
    assert_eq!(shown.status, 200);
    assert!(shown.text.contains(FORGOTTEN), "{}", shown.text);
    assert!(
        shown.set_cookie.is_empty(),
        "no new session: {:?}",
        shown.set_cookie
    );
    assert_eq!(app.session_rows().await, 0);

    let next = app.home(&client).await;
    assert_eq!(next.visits(), 1, "the next view starts a new count");

    // With a session, the address shows the count as it stands instead.
    let client = browser();
    app.start_session(&client).await;
    let shown = HomePage::read(client.get(app.url(&location)).send().await.unwrap()).await;
    assert!(!shown.text.contains(FORGOTTEN), "{}", shown.text);
    assert_eq!(shown.visits(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_results_per_page_form_without_a_referer_comes_back_to_its_list() {
    let app = spawn_app().await;
    let client = browser();
    for (form, location) in [
        (
            vec![("per_page", "25"), ("back", "/books?q=paper")],
            "/books?q=paper",
        ),
        (vec![("per_page", "25"), ("back", "/authors")], "/authors"),
        (vec![("per_page", "10")], "/books"),
    ] {
        let response = client
            .post(app.url("/api/set_per_page"))
            .header("origin", &app.address)
            .header("accept", "text/html")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_redirection(), "{}", response.status());
        assert_eq!(response.headers()["location"], location);
        assert_eq!(
            response.text().await.unwrap(),
            "",
            "a redirect, nothing else"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_origin_posts_are_refused() {
    let app = spawn_app().await;
    let client = browser();
    app.home(&client).await;
    app.home(&client).await;

    for (header, value) in [
        ("origin", "http://evil.example"),
        ("origin", "null"),
        ("referer", "http://evil.example/page"),
        ("sec-fetch-site", "cross-site"),
    ] {
        for function in ["reset_visits", "forget_me"] {
            let response = client
                .post(app.url(&format!("/api/{function}")))
                .header(header, value)
                .header("content-type", "application/x-www-form-urlencoded")
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 403, "{function} with {header}: {value}");
            let body = response.text().await.unwrap();
            assert!(body.contains("came from another website"), "{body}");
        }
    }
    assert_eq!(
        app.home(&client).await.visits(),
        3,
        "nothing was reset or forgotten"
    );
}

/// An `Origin` names the scheme too: on a site served over HTTPS, a page
/// of the same host over plain HTTP does not post as the site.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_origin_of_another_scheme_is_refused() {
    let behind_tls = |settings: &mut server::config::Settings| {
        settings.trusted_proxies =
            server::client::TrustedProxies::parse(["127.0.0.1", "::1"]).unwrap();
    };
    let secure = spawn_app_with(|settings| settings.session.secure = true).await;
    let proxied = spawn_app_with(behind_tls).await;
    let plain = spawn_app().await;
    let host = |app: &TestApp| app.address.trim_start_matches("http://").to_string();
    let post = |app: &TestApp, origin: String, proto: Option<&'static str>| {
        let mut request = bare_client()
            .post(app.url("/api/reset_visits"))
            .header("origin", origin)
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(proto) = proto {
            request = request.header("x-forwarded-proto", proto);
        }
        request.send()
    };
    for (app, scheme, proto, status) in [
        (&secure, "https", None, 200),
        (&secure, "http", None, 403),
        (&plain, "http", None, 200),
        (&plain, "https", None, 403),
        // Nobody trusted: the header is anyone's, and changes nothing.
        (&plain, "https", Some("https"), 403),
        (&proxied, "https", Some("https"), 200),
        (&proxied, "http", Some("https"), 403),
        (&proxied, "http", Some("http"), 200),
    ] {
        let origin = format!("{scheme}://{}", host(app));
        let response = post(app, origin.clone(), proto).await.unwrap();
        assert_eq!(
            response.status(),
            status,
            "{origin}, X-Forwarded-Proto {proto:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cookie_check_tells_whether_the_cookie_came_back() {
    let app = spawn_app().await;
    let client = browser();
    let first = app.home(&client).await;
    assert!(first.first_view_cookie().is_some());

    // The first view's cookie came back.
    let with_cookie = app.call(&client, "cookie_check").await;
    assert_eq!(with_cookie.text().await.unwrap(), "true");
    assert_eq!(app.session_rows().await, 0, "the check stores nothing");

    let without = app.call(&bare_client(), "cookie_check").await;
    assert!(
        without.headers().get("set-cookie").is_none(),
        "no session made"
    );
    assert_eq!(without.text().await.unwrap(), "false");

    // A session's cookie came back.
    app.home(&client).await;
    let with_session = app.call(&client, "cookie_check").await;
    assert_eq!(with_session.text().await.unwrap(), "true");
    assert_eq!(app.session_rows().await, 1);
}

async fn visits_at(
    app: &crate::support::TestApp,
    client: &reqwest::Client,
    after: Duration,
) -> u64 {
    tokio::time::sleep(after).await;
    app.home(client).await.visits()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_inactivity_a_used_session_lives_on() {
    let app = spawn_app_with(|s| {
        s.session.expiry = SessionExpiry::OnInactivity;
        s.session.max_age_secs = 3;
    })
    .await;
    let client = browser();
    app.start_session(&client).await;
    // Renewed only once half its life has passed: no write, no cookie, for
    // the views in between.
    let soon = app.home(&client).await;
    assert_eq!(soon.visits(), 3);
    assert!(soon.session_id().is_none(), "{:?}", soon.set_cookie);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let renewed = app.home(&client).await;
    assert_eq!(renewed.visits(), 4);
    let cookie = renewed.set_cookie.first().expect("renewed cookie");
    assert!(cookie.contains("Max-Age=3"), "{cookie}");
    // Four seconds after it began, but two after it was last renewed.
    assert_eq!(visits_at(&app, &client, Duration::from_secs(2)).await, 5);
    // Left alone past its age, it is gone: a new session.
    assert_eq!(
        visits_at(&app, &client, Duration::from_millis(3500)).await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_a_fixed_time_a_session_ends_however_it_is_used() {
    let app = spawn_app_with(|s| {
        s.session.expiry = SessionExpiry::AtFixedTime;
        s.session.max_age_secs = 3;
    })
    .await;
    let client = browser();
    app.start_session(&client).await;
    assert_eq!(visits_at(&app, &client, Duration::from_secs(2)).await, 3);
    assert!(
        app.home(&client).await.session_id().is_none(),
        "the cookie is not renewed"
    );
    assert_eq!(
        visits_at(&app, &client, Duration::from_secs(2)).await,
        1,
        "expired: a new session"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_browser_close_the_cookie_has_no_max_age() {
    let app = spawn_app_with(|s| s.session.expiry = SessionExpiry::AtBrowserClose).await;
    let client = browser();
    let first = app.home(&client).await;
    let page = app.home(&client).await;
    assert_eq!(page.visits(), 2);
    let session_cookie = page.set_cookie.iter().find(|c| c.starts_with("sessionid="));
    for cookie in [
        first.first_view_cookie(),
        session_cookie.map(String::as_str),
    ] {
        let cookie = cookie.expect("the cookie is set");
        assert!(
            !cookie.contains("Max-Age") && !cookie.contains("Expires"),
            "{cookie}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearsessions_removes_expired_sessions_and_says_how_many() {
    let app = spawn_app_with(|s| s.session.max_age_secs = 1).await;
    for _ in 0..3 {
        app.start_session(&browser()).await;
    }
    assert_eq!(app.session_rows().await, 3);
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let output = app.command(&["clearsessions"]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "Removed 3 expired session(s)."
    );
    assert_eq!(app.session_rows().await, 0);

    let again = app.command(&["clearsessions"]);
    assert_eq!(
        String::from_utf8_lossy(&again.stdout).trim(),
        "Removed 0 expired session(s)."
    );
}

/// Stores `n` sessions, each with its state row, that ended a second ago.
async fn expired_backlog(app: &crate::support::TestApp, n: u32) {
    let data = match app.backend() {
        Backend::Sqlite => "CAST('{}' AS BLOB)",
        Backend::Postgres => "CAST('{}' AS BYTEA)",
    };
    let ended = time::OffsetDateTime::now_utc().unix_timestamp() * 1000 - 1000;
    app.execute(&format!(
        "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
         INSERT INTO tower_sessions (id, data, expiry_date)
         SELECT 'ended-' || i, {data}, {ended} FROM n"
    ))
    .await;
    app.execute(
        "INSERT INTO session_state (session_id, visits, confirmed, created_at)
         SELECT id, 3, TRUE, 0 FROM tower_sessions WHERE id LIKE 'ended-%'",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_starting_with_a_large_backlog_serves_at_once_and_never_stalls() {
    let mut app = spawn_app().await;
    let visitor = browser();
    app.start_session(&visitor).await;
    expired_backlog(&app, 200_000).await;

    // The new server purges the backlog as it starts, in the background.
    app.restart().await;
    let bound = Duration::from_millis(400);
    let mut slowest = Duration::ZERO;
    let mut views = 0;
    let started = std::time::Instant::now();
    loop {
        let asked = std::time::Instant::now();
        let page = app.home(&visitor).await;
        slowest = slowest.max(asked.elapsed());
        views += 1;
        assert_eq!(page.status, 200, "view {views}: {}", page.text);
        assert_eq!(page.visits(), 2 + views);
        if views % 10 == 0 && app.session_rows().await == 1 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the purge did not finish: {} rows left",
            app.session_rows().await
        );
    }
    assert!(
        slowest < bound,
        "a view waited {slowest:?} while the purge ran ({views} views)"
    );
    let states: i64 = app.scalar("SELECT COUNT(*) FROM session_state").await;
    assert_eq!(states, 1, "their state rows went with them");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_of_expired_sessions_is_purged_whole_while_the_site_serves() {
    let app = spawn_app().await;
    let visitor = browser();
    app.start_session(&visitor).await;
    // 2,345 sessions that ended a second ago: several batches' worth.
    expired_backlog(&app, 2345).await;
    assert_eq!(app.session_rows().await, 2346);

    let url = app.database_url().to_string();
    let purge = tokio::task::spawn_blocking(move || {
        locallibrary()
            .arg("clearsessions")
            .env("DATABASE_URL", url)
            .output()
            .expect("locallibrary runs")
    });
    let page = app.home(&visitor).await;
    let output = purge.await.unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "Removed 2345 expired session(s)."
    );
    assert_eq!(page.status, 200);
    assert_eq!(page.visits(), 3, "the live session is kept and counts on");
    assert_eq!(app.session_rows().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_cookieless_views_stores_nothing_while_a_browser_counts_exactly() {
    let app = spawn_app().await;
    let keeper = browser();
    app.start_session(&keeper).await;
    let flood = futures::future::join_all((0..400).map(|_| async {
        let page = app.home(&bare_client()).await;
        assert_eq!(page.status, 200);
        assert_eq!(page.visits(), 1);
        assert!(page.session_id().is_none(), "{:?}", page.set_cookie);
    }));
    let (_, ()) = tokio::join!(flood, async {
        assert_concurrent_views_count_exactly(100, 4, 2, || app.home(&keeper)).await;
    });
    assert_eq!(
        app.session_rows().await,
        1,
        "only the browser that keeps its cookie has a session"
    );
    assert_eq!(app.home(&keeper).await.visits(), 103);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_whose_cookie_never_comes_back_are_purged_early() {
    // A choice made by a client that sent no cookie stores a session (the
    // choice must be kept somewhere), purged after the short lifetime
    // unless its cookie comes back.
    let app = spawn_app_with(|s| {
        s.session.unconfirmed_ttl_secs = 2;
        s.session.purge_interval_secs = 1;
    })
    .await;
    let keeper = browser();
    app.start_session(&keeper).await;
    let returning = browser();
    app.submit(&returning, "dismiss_notice", &[]).await;
    app.home(&returning).await;
    for _ in 0..5 {
        app.submit(&bare_client(), "dismiss_notice", &[]).await;
    }
    assert_eq!(app.session_rows().await, 7);

    tokio::time::sleep(Duration::from_millis(4500)).await;

    assert_eq!(
        app.session_rows().await,
        2,
        "only the browsers that keep their cookie are left"
    );
    assert_eq!(app.home(&keeper).await.visits(), 3);
    assert_eq!(app.home(&returning).await.visits(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_the_id_keeps_the_count_and_retires_the_old_id() {
    let app = spawn_app().await;
    let client = browser();
    app.home(&client).await;
    let old_id = app.home(&client).await.session_id().unwrap();

    let db = app.db().await;
    let session = Session::new(
        Some(old_id.parse().unwrap()),
        Arc::new(Store::new(db.clone())),
        None,
    );
    let policy = server::session_layer::policy(
        &app.settings.session,
        tower_sessions::cookie::Key::generate(),
    );
    let typed = app::session::VisitorSession::new(
        session.clone(),
        app::session::Cookies::default(),
        db,
        policy,
    );
    typed.rotate_id().await.unwrap();
    let new_id = session.id().unwrap().to_string();
    assert_ne!(new_id, old_id);

    let with = |id: &str| {
        let request = bare_client()
            .get(app.url("/"))
            .header("cookie", format!("sessionid={id}"));
        async move { HomePage::read(request.send().await.unwrap()).await }
    };
    assert_eq!(
        with(&new_id).await.visits(),
        3,
        "the count moved to the new id"
    );
    assert_eq!(with(&old_id).await.visits(), 1, "the old id is worthless");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_view_waits_for_another_process_write_then_counts_once() {
    let app = spawn_app().await;
    let (returning, new) = (browser(), browser());
    assert_eq!(app.home(&returning).await.visits(), 1);

    // Another process writes for a moment, well within the busy timeout.
    let lock = app.hold_write_lock().await;
    let release = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        lock.release().await;
    };
    let (returned, first, ()) = tokio::join!(app.home(&returning), app.home(&new), release);

    for (page, visits) in [(&returned, 2), (&first, 1)] {
        assert_eq!(page.status, 200, "{}", page.text);
        assert_eq!(page.visits(), visits);
    }
    assert_eq!(app.home(&returning).await.visits(), 3);
    assert_eq!(app.home(&new).await.visits(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_database_gives_a_503_page_and_the_site_recovers() {
    let app = spawn_app_with(|s| s.database.busy_timeout_ms = 200).await;
    let (client, second_view) = (browser(), browser());
    app.start_session(&client).await;
    assert_eq!(app.home(&second_view).await.visits(), 1);

    // Another process holds the write locks.
    let lock = app.hold_write_lock().await;

    for who in [&client, &second_view] {
        let started = std::time::Instant::now();
        app.home(who).await.assert_unavailable();
        assert!(started.elapsed() < Duration::from_secs(3), "no hang");
    }
    // A first view writes nothing: served all the same.
    assert_eq!(app.home(&browser()).await.visits(), 1);
    let health = client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(health.status(), 200, "reads still work");

    lock.release().await;

    assert_eq!(
        app.home(&client).await.visits(),
        3,
        "the failed view was not counted"
    );
    assert_eq!(app.home(&second_view).await.visits(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_sessions_are_stored_in_the_order_they_began() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        let id = app.start_session(&browser()).await.session_id().unwrap();
        ids.push(id);
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "each id sorts after the ones before it");
    let stored: i64 = app
        .scalar(
            "SELECT COUNT(*) FROM tower_sessions record
             JOIN session_state state ON state.session_id = record.id",
        )
        .await;
    assert_eq!(
        stored, 5,
        "each stored under its cookie's id, with its count"
    );
}
