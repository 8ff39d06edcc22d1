//! `locallibrary backup` while the site counts views, and `restore` into a
//! new database: users, loans and sessions come back, and a browser's visit
//! count goes on from where the backup caught it.

use crate::support::{
    browser, database::TestDatabase, locallibrary, spawn_app, spawn_app_on, stderr, stdout,
    HomePage,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_while_views_are_counted_restores_everything_into_a_new_database() {
    let app = spawn_app().await;
    let (alice, _libby) = app.member_and_librarian().await;
    let copy: String = app
        .scalar("SELECT MIN(id) FROM book_instance WHERE status = 'a'")
        .await;
    let title: String = app
        .scalar(&format!(
            "SELECT book.title FROM book JOIN book_instance copy ON copy.book_id = book.id
             WHERE copy.id = '{copy}'"
        ))
        .await;
    let lent = app.command(&["lend", &copy, "alice"]);
    assert!(lent.status.success(), "{}", stderr(&lent));

    // A browser's views go on while the backup is taken.
    let visitor = browser();
    let id = app.start_session(&visitor).await.session_id().unwrap();
    let viewing = {
        let (visitor, url) = (visitor.clone(), app.url("/"));
        tokio::spawn(async move {
            for _ in 0..100 {
                let page = HomePage::read(visitor.get(&url).send().await.unwrap()).await;
                assert_eq!(page.status, 200);
            }
        })
    };
    let file = app.dir().join("site.backup");
    let file_name = file.to_str().unwrap();
    let backup = app.command(&["backup", file_name]);
    assert!(backup.status.success(), "{}", stderr(&backup));
    assert!(
        stdout(&backup).contains(&format!("Backed up the database to {file_name}")),
        "{}",
        stdout(&backup)
    );
    viewing.await.unwrap();
    let counted = app.home(&visitor).await.visits();
    assert_eq!(
        counted, 103,
        "every view counted while the backup was taken"
    );

    // Nothing is written over: not a file, not a database with records.
    let size = std::fs::metadata(&file).unwrap().len();
    let again = app.command(&["backup", file_name]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("exists"), "{}", stderr(&again));
    assert_eq!(std::fs::metadata(&file).unwrap().len(), size);
    let over_the_site = app.command(&["restore", file_name]);
    assert!(!over_the_site.status.success());
    assert!(
        stderr(&over_the_site).contains("was not restored"),
        "{}",
        stderr(&over_the_site)
    );
    assert_eq!(app.home(&visitor).await.visits(), counted + 1);

    // A file that is not a backup is refused, and leaves the new database
    // as it was.
    let new_database = TestDatabase::on(app.backend()).await;
    let not_a_backup = app.dir().join("not-a-backup");
    std::fs::write(&not_a_backup, "catalog, members, loans").unwrap();
    let refused = locallibrary()
        .args(["restore", not_a_backup.to_str().unwrap()])
        .env("DATABASE_URL", &new_database.url)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("was not restored"),
        "{}",
        stderr(&refused)
    );

    let restored = locallibrary()
        .args(["restore", file_name])
        .env("DATABASE_URL", &new_database.url)
        .output()
        .unwrap();
    assert!(restored.status.success(), "{}", stderr(&restored));
    assert!(
        stdout(&restored).contains(&format!("Restored {file_name}")),
        "{}",
        stdout(&restored)
    );
    let restored = spawn_app_on(new_database, |_| {}).await;

    // The count goes on from the backup's: somewhere among the views made
    // while it was taken.
    let caught = restored.home_with_cookie(&id).await.visits() - 1;
    assert!(
        (2..=102).contains(&caught),
        "the backup held {caught} views"
    );
    assert_eq!(restored.home_with_cookie(&id).await.visits(), caught + 2);
    // The member is still signed in, and her loan is hers.
    let (status, loans) = restored.page(&alice, "/loans/mine").await;
    assert_eq!(status, 200);
    assert!(loans.contains(&title), "{loans}");
}
