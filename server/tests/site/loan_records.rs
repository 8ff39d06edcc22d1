//! Each lending is a record (migrations sqlite 0020, postgres 0014): kept
//! after the copy comes back, written by the database from the copy's
//! changes whichever way they were made.

use reqwest::StatusCode;

use crate::support::{browser, small_catalog_without_last_books, spawn_app, stderr, TestApp};

/// A copy's loan records, oldest first: borrower, title, lent on, due,
/// renewals, ended on, how.
type Record = (
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    Option<String>,
    Option<String>,
);

async fn records(app: &TestApp, copy: &str) -> Vec<Record> {
    let db = app.db().await;
    app::on_reader!(&db, |conn| {
        sqlx::query_as(
            "SELECT account.username, loan.title, loan.lent_on, loan.due_back, loan.renewals,
                    loan.ended_on, loan.ending
             FROM loan JOIN account ON account.id = loan.borrower_id
             WHERE loan.copy_id = $1 ORDER BY loan.id",
        )
        .bind(copy)
        .fetch_all(conn)
        .await
    })
    .unwrap()
}

fn today_plus(days: i64) -> String {
    app::dates::iso_date(app::dates::today() + time::Duration::days(days))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_lending_is_a_record_kept_after_the_copy_comes_back() {
    let app = spawn_app().await;
    let (_, libby) = app.member_and_librarian().await;
    let copy: String = app
        .scalar("SELECT MIN(id) FROM book_instance WHERE status = 'a'")
        .await;
    let title: String = app
        .scalar(&format!(
            "SELECT title FROM book WHERE id = (SELECT book_id FROM book_instance
                                                WHERE id = '{copy}')"
        ))
        .await;
    let post = |path: String, fields: Vec<(&'static str, String)>| {
        let libby = &libby;
        let app = &app;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = app.post_form(libby, &path, &fields).await;
            assert_eq!(response.status(), StatusCode::FOUND, "{path}");
        }
    };

    // Lent on the site, renewed twice, taken back.
    post(
        format!("/copies/{copy}/lend"),
        vec![("username", "alice".into()), ("due_back", today_plus(7))],
    )
    .await;
    let open = records(&app, &copy).await;
    assert_eq!(
        open,
        [(
            "alice".into(),
            title.clone(),
            Some(today_plus(0)),
            Some(today_plus(7)),
            0,
            None,
            None
        )]
    );
    for days in [14, 20] {
        post(
            format!("/copies/{copy}/renew"),
            vec![("renewal_date", today_plus(days))],
        )
        .await;
    }
    post(format!("/copies/{copy}/return"), vec![]).await;

    // Then lent from the command line to another member.
    let lent = app.command(&["lend", &copy, "libby"]);
    assert!(lent.status.success(), "{}", stderr(&lent));

    let kept = records(&app, &copy).await;
    assert_eq!(
        kept,
        [
            (
                "alice".into(),
                title.clone(),
                Some(today_plus(0)),
                Some(today_plus(20)),
                2,
                Some(today_plus(0)),
                Some("returned".into())
            ),
            (
                "libby".into(),
                title.clone(),
                Some(today_plus(0)),
                Some(today_plus(21)),
                0,
                None,
                None
            ),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_removed_while_out_ends_its_record_and_the_record_stays() {
    let app = spawn_app().await;
    app.add_user("alice", "correct horse", false).await;
    let copy: String = app
        .scalar("SELECT MIN(id) FROM book_instance WHERE status = 'a'")
        .await;
    assert!(app.command(&["lend", &copy, "alice"]).status.success());
    let before = records(&app, &copy).await;

    let path = app.dir().join("smaller.json");
    std::fs::write(&path, small_catalog_without_last_books(5).to_string()).unwrap();
    let forced = app.command(&[
        "load-catalog",
        path.to_str().unwrap(),
        "--replace",
        "--force",
    ]);
    assert!(forced.status.success(), "{}", stderr(&forced));

    let after = records(&app, &copy).await;
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].0, "alice");
    assert_eq!(after[0].1, before[0].1, "the title as it was");
    assert_eq!(after[0].5, Some(today_plus(0)));
    assert_eq!(after[0].6.as_deref(), Some("copy removed"));
    // The member's account cannot go while it has records.
    let db = app.db().await;
    let deleted = app::on_writer!(&db, |conn| {
        sqlx::query("DELETE FROM account WHERE username = 'alice'")
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    });
    assert!(deleted.is_err(), "{deleted:?}");
    assert_eq!(app.home(&browser()).await.count("Books"), 15);
}
