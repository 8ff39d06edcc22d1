use std::process::Output;

use serde_json::Value;

use crate::support::{
    browser, locallibrary, small_catalog_without_last_books, spawn_app, stdout, TestApp,
    TestDatabase, SMALL_CATALOG,
};

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Loads a broken variant of the small catalog and checks that it is refused
/// with a message naming the record, and that the site still shows the
/// catalog it had.
async fn refused(app: &TestApp, edit: impl FnOnce(&mut Value), expected: &str) {
    let mut catalog: Value = serde_json::from_str(SMALL_CATALOG).unwrap();
    edit(&mut catalog);
    let output = app.load_catalog_json("broken.json", &catalog.to_string());
    assert!(
        !output.status.success(),
        "a broken catalog must fail: {output:?}"
    );
    assert!(
        stderr(&output).contains(expected),
        "expected {expected:?} in:\n{}",
        stderr(&output)
    );

    let page = app.home(&browser()).await;
    assert_eq!(page.count("Books"), 15, "the previous catalog is untouched");
    assert_eq!(page.count("Authors"), 10);
}

async fn app_with_smaller_catalog() -> TestApp {
    let app = spawn_app().await;
    let output = app.replace_catalog_json(
        "smaller.json",
        &small_catalog_without_last_books(5).to_string(),
    );
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("Loaded 15 books"), "{stdout}");
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_is_refused() {
    let app = app_with_smaller_catalog().await;
    let output = app.load_catalog_json("broken.json", r#"{"genres": [ {"id": 1, "#);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("not a valid catalog"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("line 1"), "{}", stderr(&output));
    assert_eq!(app.home(&browser()).await.count("Books"), 15);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_book_whose_author_is_missing_is_refused() {
    let app = app_with_smaller_catalog().await;
    refused(
        &app,
        |c| c["books"][6]["author_id"] = 99.into(),
        "book 7: author_id 99 does not match any author in this file",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_status_is_refused() {
    let app = app_with_smaller_catalog().await;
    refused(
        &app,
        |c| c["book_instances"][0]["status"] = "x".into(),
        "copy 228e8b0d-3e61-41c8-b29f-01e58374a3ab: status \"x\" is not one of",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_date_is_refused() {
    let app = app_with_smaller_catalog().await;
    refused(
        &app,
        |c| c["authors"][3]["date_of_death"] = "1964-02-30".into(),
        "author 4: date_of_death \"1964-02-30\" is not a date",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_id_is_refused() {
    let app = app_with_smaller_catalog().await;
    refused(
        &app,
        |c| c["books"][1]["id"] = 1.into(),
        "book 1: duplicate id",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_of_the_wrong_shape_is_refused() {
    let app = app_with_smaller_catalog().await;
    refused(
        &app,
        |c| c["books"][2]["title"] = Value::Null,
        "book 3 (record 3): invalid type: null",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_file_is_refused() {
    let app = spawn_app().await;
    let output = app.command(&["load-catalog", "/no/such/catalog.json"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("cannot read /no/such/catalog.json"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_files_ids_are_kept() {
    let app = app_with_smaller_catalog().await;
    let output = app.command(&["migrate"]);
    assert!(output.status.success(), "{output:?}");
    let title: String = app.scalar("SELECT title FROM book WHERE id = 5").await;
    assert_eq!(title, "Tom & Jerry's <Big> Adventure");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_beside_a_loan_is_refused_and_with_force_backs_up_the_loan_first() {
    let app = spawn_app().await;
    app.add_user("alice", "correct horse", false).await;
    let copy: String = app
        .scalar("SELECT MIN(id) FROM book_instance WHERE status = 'a'")
        .await;
    let lent = app.command(&["lend", &copy, "alice"]);
    assert!(lent.status.success(), "{}", stderr(&lent));
    let smaller = app.dir().join("smaller.json");
    std::fs::write(&smaller, small_catalog_without_last_books(5).to_string()).unwrap();
    // Run where the test's files are: on PostgreSQL the backup is written
    // in the working directory.
    let load = |args: &[&str]| {
        locallibrary()
            .arg("load-catalog")
            .arg(&smaller)
            .arg("--replace")
            .args(args)
            .env("DATABASE_URL", app.database_url())
            .current_dir(app.dir())
            .output()
            .unwrap()
    };
    let alices = "SELECT COUNT(*) FROM book_instance
                  WHERE borrower_id = (SELECT id FROM account WHERE username = 'alice')";

    let refused = load(&[]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains(
            "was not loaded; the catalog is unchanged: 1 copy is lent to members, and \
             --replace replaces every copy, with its loan. Return them first, load without \
             --replace (a merge keeps every loan), or add --force"
        ),
        "{}",
        stderr(&refused)
    );
    assert_eq!(app.home(&browser()).await.count("Books"), 20);
    assert_eq!(app.scalar::<i64>(alices).await, 1, "the loan is kept");

    let forced = load(&["--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    let said = stdout(&forced);
    let backup = said
        .lines()
        .find_map(|line| line.strip_prefix("Backed up the database to "))
        .and_then(|rest| rest.strip_suffix(" first."))
        .unwrap_or_else(|| panic!("no backup named in {said:?}"));
    assert!(said.contains("Loaded 15 books"), "{said}");
    assert_eq!(app.home(&browser()).await.count("Books"), 15);
    assert_eq!(app.scalar::<i64>(alices).await, 0);

    // The loan the load lost is in the backup.
    let before = TestDatabase::on(app.backend()).await;
    let restored = locallibrary()
        .args(["restore", &app.dir().join(backup).to_string_lossy()])
        .env("DATABASE_URL", &before.url)
        .output()
        .unwrap();
    assert!(restored.status.success(), "{}", stderr(&restored));
    assert_eq!(before.scalar::<i64>(alices).await, 1);
}

/// The small catalog as a library's next delivery of it: five books fewer,
/// the first retitled, a new genre; and `lent`, a copy lent to a member,
/// said by the file to be available again under another imprint.
fn next_delivery(lent: &str) -> Value {
    let mut catalog = small_catalog_without_last_books(5);
    catalog["books"][0]["title"] = "Cien años de soledad (new translation)".into();
    catalog["genres"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"id": 99, "name": "Poetry"}));
    let copy = catalog["book_instances"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|copy| copy["id"] == lent)
        .expect("the lent copy is in the file");
    copy["status"] = "a".into();
    copy["due_back"] = Value::Null;
    copy["imprint"] = "Second printing".into();
    catalog
}

/// A copy of one of the first books, lent to alice by the command line.
async fn lend_a_copy(app: &TestApp) -> String {
    app.add_user("alice", "correct horse", false).await;
    let copy: String = app
        .scalar("SELECT MIN(id) FROM book_instance WHERE status = 'a' AND book_id <= 5")
        .await;
    let lent = app.command(&["lend", &copy, "alice"]);
    assert!(lent.status.success(), "{}", stderr(&lent));
    copy
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_merges_by_id_keeping_what_the_file_lacks_and_every_loan() {
    let app = spawn_app().await;
    let copy = lend_a_copy(&app).await;
    // An author a librarian added, whom no file knows.
    app.execute("INSERT INTO author (id, first_name, last_name) VALUES (500, 'Added', 'By Hand')")
        .await;
    let copies_before: i64 = app.scalar("SELECT COUNT(*) FROM book_instance").await;

    let output = app.load_catalog_json("next.json", &next_delivery(&copy).to_string());
    assert!(output.status.success(), "{}", stderr(&output));
    let said = stdout(&output);
    for line in [
        "genres     1 added, 0 changed, 8 unchanged",
        "authors    0 added, 0 changed, 10 unchanged",
        "books      0 added, 1 changed, 14 unchanged",
        "copies     0 added, 1 changed, ",
        "1 copy lent to members kept their loans, which the file does not have:",
    ] {
        assert!(said.contains(line), "{line:?} in:\n{said}");
    }
    assert!(
        said.contains(&format!("copy {copy} is lent to alice, due ")),
        "{said}"
    );
    assert!(said.contains("the file has it available"), "{said}");

    // Nothing the file lacks is gone: books, copies, the author.
    let page = app.home(&browser()).await;
    assert_eq!(page.count("Books"), 20);
    assert_eq!(page.count("Authors"), 11);
    assert_eq!(
        app.scalar::<i64>("SELECT COUNT(*) FROM book_instance")
            .await,
        copies_before
    );
    let (status, book) = app.page(&browser(), "/books/1").await;
    assert_eq!(status, 200);
    assert!(book.contains("(new translation)"), "{book}");
    // The loan is as it was; the imprint is the file's.
    let kept: String = app
        .scalar(&format!(
            "SELECT status || ' ' || imprint || ' ' || (SELECT username FROM account
                    WHERE account.id = borrower_id)
             FROM book_instance WHERE id = '{copy}'"
        ))
        .await;
    assert_eq!(kept, "o Second printing alice");

    // Each change is in the history, by the command, before and after.
    let libby = crate::support::browser();
    app.add_user("libby", "shelves and stacks", true).await;
    app.sign_in(&libby, "libby", "shelves and stacks").await;
    let (_, history) = app.page(&libby, "/history").await;
    let history = crate::support::main_text(&history);
    for entry in [
        "locallibrary load-catalog (command) changed book Cien años de soledad (new translation)",
        "Title Cien años de soledad Cien años de soledad (new translation)",
        "locallibrary load-catalog (command) created genre Poetry",
        "locallibrary load-catalog (command) changed a copy of Second printing",
    ] {
        assert!(history.contains(entry), "{entry:?} in {history}");
    }
    let entries: i64 = app.scalar("SELECT COUNT(*) FROM history").await;

    // Loading it again changes nothing.
    let again = app.load_catalog_json("next.json", &next_delivery(&copy).to_string());
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("books      0 added, 0 changed, 15 unchanged"),
        "{}",
        stdout(&again)
    );
    let after: i64 = app.scalar("SELECT COUNT(*) FROM history").await;
    assert_eq!(after, entries, "nothing changed, nothing recorded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_says_what_a_load_would_do_and_does_nothing() {
    let app = spawn_app().await;
    let copy = lend_a_copy(&app).await;
    let file = app.dir().join("next.json");
    std::fs::write(&file, next_delivery(&copy).to_string()).unwrap();
    let version: i64 = app.scalar("SELECT version FROM catalog_counts").await;

    let output = app.command(&["load-catalog", file.to_str().unwrap(), "--dry-run"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let said = stdout(&output);
    assert!(said.contains("(nothing was changed)"), "{said}");
    assert!(
        said.contains("books      0 added, 1 changed, 14 unchanged"),
        "{said}"
    );
    assert!(
        said.contains(&format!("copy {copy} is lent to alice")),
        "{said}"
    );
    assert_eq!(
        app.scalar::<i64>("SELECT version FROM catalog_counts")
            .await,
        version,
        "no write"
    );
    let title: String = app.scalar("SELECT title FROM book WHERE id = 1").await;
    assert_eq!(title, "Cien años de soledad");
    assert_eq!(
        app.scalar::<i64>("SELECT COUNT(*) FROM genre").await,
        8,
        "the new genre is not added"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_whose_names_clash_with_records_it_lacks_changes_nothing() {
    let app = spawn_app().await;
    let fantasy: String = app.scalar("SELECT name FROM genre WHERE id = 1").await;
    let isbn: String = app.scalar("SELECT isbn FROM book WHERE id = 2").await;
    let mut catalog: Value = serde_json::from_str(SMALL_CATALOG).unwrap();
    // A new genre first, which alone would load; then a book whose ISBN is
    // that of a book absent from the file.
    catalog["genres"] = serde_json::json!([{"id": 99, "name": "Poetry"}]);
    catalog["books"] = serde_json::json!([{
        "id": 300, "title": "Twin", "author_id": null, "summary": "A twin.",
        "isbn": isbn, "language_id": null, "genre_ids": [99]
    }]);
    catalog["book_instances"] = serde_json::json!([]);
    catalog["genres"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"id": 98, "name": fantasy}));

    let output = app.load_catalog_json("clash.json", &catalog.to_string());
    assert!(!output.status.success());
    let said = stderr(&output);
    assert!(
        said.contains("was not loaded; the catalog is unchanged: 2 record(s) of the file clash"),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "genre 98: its name {fantasy:?} is genre 1's in the catalog"
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "book 300: its isbn {isbn:?} is book 2's in the catalog"
        )),
        "{said}"
    );
    assert_eq!(app.scalar::<i64>("SELECT COUNT(*) FROM genre").await, 8);
    assert_eq!(app.home(&browser()).await.count("Books"), 20);
}
