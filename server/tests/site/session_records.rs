//! How session records are stored: written once for a new session, and
//! one the store cannot read.

use crate::support::{bare_client, browser, spawn_app, spawn_app_with, Backend};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_record_is_no_error() {
    let app = spawn_app_with(|_| {}).await;
    let id = "AAAAAAAAAAAAAAAAAAAAAA";
    app.execute(&format!(
        "INSERT INTO tower_sessions (id, data, expiry_date) VALUES ('{id}', {}, 4102444800000)",
        match app.backend() {
            Backend::Sqlite => "CAST('not a record' AS BLOB)",
            Backend::Postgres => "CAST('not a record' AS BYTEA)",
        }
    ))
    .await;

    // The session exists and is live, so its views count; whatever needs
    // the record itself treats it as absent (a new session), never a 500.
    for expected in [1, 2] {
        let page = app.home_with_cookie(id).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert_eq!(page.visits(), expected);
    }
    let response = bare_client()
        .post(app.url("/api/forget_me"))
        .header("cookie", format!("sessionid={id}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

/// A new session's record is stored by the site as soon as the session
/// starts, and offered again by the session layer as the response leaves;
/// the second is the same record and is not written again (it would be a
/// second write on every cookieless view).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_sessions_record_is_written_once() {
    let app = spawn_app().await;
    app.execute("CREATE TABLE record_writes (kind TEXT NOT NULL)")
        .await;
    match app.backend() {
        Backend::Sqlite => {
            for kind in ["INSERT", "UPDATE"] {
                app.execute(&format!(
                    "CREATE TRIGGER count_{kind} AFTER {kind} ON tower_sessions
                     BEGIN INSERT INTO record_writes VALUES ('{kind}'); END"
                ))
                .await;
            }
        }
        Backend::Postgres => {
            app.execute(
                "CREATE FUNCTION count_write() RETURNS trigger LANGUAGE plpgsql AS
                 $$ BEGIN INSERT INTO record_writes VALUES (TG_OP); RETURN NULL; END $$",
            )
            .await;
            app.execute(
                "CREATE TRIGGER count_writes AFTER INSERT OR UPDATE ON tower_sessions
                 FOR EACH ROW EXECUTE FUNCTION count_write()",
            )
            .await;
        }
    }

    let client = browser();
    let first = app.home(&client).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(
        app.scalar::<i64>("SELECT COUNT(*) FROM record_writes")
            .await,
        0,
        "a first view writes no record"
    );
    let page = app.home(&client).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.session_id().is_some(), "the response sets the cookie");
    assert_eq!(
        app.scalar::<i64>("SELECT COUNT(*) FROM record_writes WHERE kind = 'INSERT'")
            .await,
        1
    );
    assert_eq!(
        app.scalar::<i64>("SELECT COUNT(*) FROM record_writes WHERE kind = 'UPDATE'")
            .await,
        0,
        "the record was not written a second time"
    );
}
