use std::{sync::Arc, time::Duration};

use server::config::SessionExpiry;
use server::sessions::Store;
use tower_sessions::Session;

use crate::support::{
    assert_concurrent_views_count_exactly, bare_client, browser, locallibrary, spawn_app,
    spawn_app_with, Backend, HomePage,
};

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
    let id = app.home(&client).await.session_id().expect("new cookie");
    assert_eq!(app.home(&client).await.visits(), 2);
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
    let next = app.home(&client).await;
    assert_eq!(next.visits(), 1);
    assert_ne!(next.session_id().unwrap(), id);
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
async fn a_form_post_without_javascript_comes_back_to_the_page() {
    let app = spawn_app().await;
    let client = browser();
    app.home(&client).await;
    app.home(&client).await;

    let response = client
        .post(app.url("/api/reset_visits"))
        .header("origin", &app.address)
        .header("referer", app.url("/"))
        .header("accept", "text/html,application/xhtml+xml")
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()["location"].to_str().unwrap();
    // The error marker of an earlier failed post, if any, is stripped; an
    // empty query may remain.
    assert_eq!(location.trim_end_matches('?'), app.url("/"));
    assert_eq!(app.home(&client).await.visits(), 1);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cookie_check_tells_whether_the_cookie_came_back() {
    let app = spawn_app().await;
    let client = browser();
    let first = app.home(&client).await;
    assert!(first.session_id().is_some());

    let with_cookie = app.call(&client, "cookie_check").await;
    assert_eq!(with_cookie.text().await.unwrap(), "true");

    let without = app.call(&bare_client(), "cookie_check").await;
    assert!(
        without.headers().get("set-cookie").is_none(),
        "no session made"
    );
    assert_eq!(without.text().await.unwrap(), "false");
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
    assert_eq!(visits_at(&app, &client, Duration::ZERO).await, 1);
    // Renewed only once half its life has passed: no write, no cookie, for
    // the views in between.
    let soon = app.home(&client).await;
    assert_eq!(soon.visits(), 2);
    assert!(soon.session_id().is_none(), "{:?}", soon.set_cookie);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let renewed = app.home(&client).await;
    assert_eq!(renewed.visits(), 3);
    let cookie = renewed.set_cookie.first().expect("renewed cookie");
    assert!(cookie.contains("Max-Age=3"), "{cookie}");
    // Four seconds after it began, but two after it was last renewed.
    assert_eq!(visits_at(&app, &client, Duration::from_secs(2)).await, 4);
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
    let first = app.home(&client).await;
    assert_eq!(first.visits(), 1);
    assert_eq!(visits_at(&app, &client, Duration::from_secs(2)).await, 2);
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
    let page = app.home(&browser()).await;
    let cookie = &page.set_cookie[0];
    assert!(
        !cookie.contains("Max-Age") && !cookie.contains("Expires"),
        "{cookie}"
    );
    assert_eq!(page.visits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearsessions_removes_expired_sessions_and_says_how_many() {
    let app = spawn_app_with(|s| s.session.max_age_secs = 1).await;
    for _ in 0..3 {
        let client = browser();
        app.home(&client).await;
        app.home(&client).await; // confirmed: only expiry removes these
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_of_expired_sessions_is_purged_whole_while_the_site_serves() {
    let app = spawn_app().await;
    let visitor = browser();
    app.home(&visitor).await;
    // 2,345 sessions that ended a second ago: several batches' worth.
    let data = match app.backend() {
        Backend::Sqlite => "CAST('{}' AS BLOB)",
        Backend::Postgres => "CAST('{}' AS BYTEA)",
    };
    let ended = time::OffsetDateTime::now_utc().unix_timestamp() * 1000 - 1000;
    app.execute(&format!(
        "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2345)
         INSERT INTO tower_sessions (id, data, expiry_date)
         SELECT 'ended-' || i, {data}, {ended} FROM n"
    ))
    .await;
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
    assert_eq!(page.visits(), 2, "the live session is kept and counts on");
    assert_eq!(app.session_rows().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_refuse_cookies_do_not_pile_up_sessions() {
    // Long enough for 50 views to be made and counted before any is purged.
    let app = spawn_app_with(|s| {
        s.session.unconfirmed_ttl_secs = 5;
        s.session.purge_interval_secs = 1;
    })
    .await;
    let keeper = browser();
    app.home(&keeper).await;
    app.home(&keeper).await;
    for _ in 0..50 {
        let page = app.home(&bare_client()).await;
        assert_eq!(page.visits(), 1);
    }
    let peak = app.session_rows().await;
    assert!(peak >= 40, "each cookieless view made a session: {peak}");

    tokio::time::sleep(Duration::from_millis(7500)).await;

    assert_eq!(
        app.session_rows().await,
        1,
        "only the browser that keeps its cookie is left"
    );
    assert_eq!(app.home(&keeper).await.visits(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_the_id_keeps_the_count_and_retires_the_old_id() {
    let app = spawn_app().await;
    let client = browser();
    let old_id = app.home(&client).await.session_id().unwrap();
    app.home(&client).await;

    let db = app.db().await;
    let session = Session::new(
        Some(old_id.parse().unwrap()),
        Arc::new(Store::new(db.clone())),
        None,
    );
    let typed = app::session::VisitorSession::new(
        session.clone(),
        db,
        app::session::SessionPolicy::default(),
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
    let client = browser();
    assert_eq!(app.home(&client).await.visits(), 1);

    // Another process holds the write locks.
    let lock = app.hold_write_lock().await;

    for who in [&client, &browser()] {
        let started = std::time::Instant::now();
        app.home(who).await.assert_unavailable();
        assert!(started.elapsed() < Duration::from_secs(3), "no hang");
    }
    let health = client.get(app.url("/health")).send().await.unwrap();
    assert_eq!(health.status(), 200, "reads still work");

    lock.release().await;

    assert_eq!(
        app.home(&client).await.visits(),
        2,
        "the failed view was not counted"
    );
    assert_eq!(app.home(&browser()).await.visits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_sessions_are_stored_in_the_order_they_began() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        let id = app
            .home(&bare_client())
            .await
            .session_id()
            .expect("a cookie");
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
