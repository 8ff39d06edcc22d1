//! What a supervisor and a load balancer ask: is the process alive, and is
//! it ready to serve (its database answering, with this build's schema).

use crate::support::{bare_client, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_site_is_alive_and_ready_and_probes_leave_no_session() {
    let app = spawn_app().await;
    for probe in ["/healthz", "/readyz"] {
        let response = bare_client().get(app.url(probe)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{probe}");
        assert!(response.headers().get("set-cookie").is_none(), "{probe}");
        assert_eq!(response.text().await.unwrap(), "ok");
    }
    let sessions: i64 = app.scalar("SELECT COUNT(*) FROM tower_sessions").await;
    assert_eq!(sessions, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schema_not_this_builds_makes_the_site_unready_but_alive() {
    let app = spawn_app().await;
    let newest: i64 = app
        .scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .await;
    let probe = |path: &'static str| {
        let url = app.url(path);
        async move {
            let response = bare_client().get(url).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };

    // A newer build migrated the database (a rolling upgrade): this one
    // must not serve it.
    app.execute(&format!(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         SELECT {}, 'from a newer build', success, checksum, execution_time
         FROM _sqlx_migrations WHERE version = {newest}",
        newest + 1
    ))
    .await;
    let (status, said) = probe("/readyz").await;
    assert_eq!(status, 503);
    assert!(
        said.contains(&format!("migration {}", newest + 1)) && said.contains("newer"),
        "{said}"
    );
    assert_eq!(probe("/healthz").await.0, 200, "alive all the same");

    // Its newest migration undone: older than this build.
    app.execute(&format!(
        "DELETE FROM _sqlx_migrations WHERE version >= {newest}"
    ))
    .await;
    let (status, said) = probe("/readyz").await;
    assert_eq!(status, 503);
    assert!(said.contains("older"), "{said}");

    // A migration that failed part way.
    app.execute(&format!(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         SELECT {newest}, description, FALSE, checksum, execution_time
         FROM _sqlx_migrations WHERE version = {}",
        newest - 1
    ))
    .await;
    let (status, said) = probe("/readyz").await;
    assert_eq!(status, 503);
    assert!(
        said.contains(&format!("migration {newest} failed")),
        "{said}"
    );
}
