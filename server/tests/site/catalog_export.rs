//! `locallibrary export-catalog`: the catalog in the file format a load
//! reads, which loads into an empty database as the same catalog.

use std::{
    fmt::Write as _,
    time::{Duration, Instant},
};

use reqwest::StatusCode;

use server::catalog_files::file::{Author, Book, BookInstance, Genre, Language};

use crate::support::{
    browser, isbn, locallibrary, spawn_app, spawn_app_on, stderr, stdout, TestDatabase,
};

/// Runs `locallibrary` with `args` on the database `url`.
fn run(url: &str, args: &[&str]) -> std::process::Output {
    locallibrary()
        .args(args)
        .env("DATABASE_URL", url)
        .output()
        .expect("locallibrary runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_loads_into_an_empty_database_as_the_same_catalog() {
    let app = spawn_app().await;
    app.add_user("alice", "correct horse", false).await;
    let lent: String = app
        .scalar("SELECT MIN(id) FROM book_instance WHERE status = 'a'")
        .await;
    assert!(app.command(&["lend", &lent, "alice"]).status.success());
    // An author a librarian added, with what a file must escape.
    app.execute(
        "INSERT INTO author (id, first_name, last_name, date_of_birth)
         VALUES (500, 'Zoë \"Zed\"', 'O''Brien \\ 陳', '1970-01-31')",
    )
    .await;
    let exported = app.dir().join("export.json");
    let output = app.command(&["export-catalog", exported.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("Exported 20 books, 50 copies, 11 authors, 8 genres, 4 languages"),
        "{}",
        stdout(&output)
    );
    let first = std::fs::read_to_string(&exported).unwrap();
    assert!(
        !first.contains("alice"),
        "members are not part of a catalog"
    );

    // Never over a file.
    let again = app.command(&["export-catalog", exported.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("exists"), "{}", stderr(&again));
    assert_eq!(std::fs::read_to_string(&exported).unwrap(), first);

    let empty = TestDatabase::new().await;
    let loaded = run(&empty.url, &["load-catalog", exported.to_str().unwrap()]);
    assert!(loaded.status.success(), "{}", stderr(&loaded));
    assert_eq!(
        empty.scalar::<i64>("SELECT COUNT(*) FROM history").await,
        0,
        "a first load only copies the file: no entry per record"
    );
    let copy = empty.dir.path().join("copy.json");
    let exported_again = run(&empty.url, &["export-catalog", copy.to_str().unwrap()]);
    assert!(
        exported_again.status.success(),
        "{}",
        stderr(&exported_again)
    );
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), first);

    // The site over the loaded copy shows what the first one does.
    let before = app.home(&browser()).await;
    let copied = spawn_app_on(empty, |_| {}).await;
    let after = copied.home(&browser()).await;
    for figure in ["Books", "Copies", "Copies available", "Authors"] {
        assert_eq!(after.count(figure), before.count(figure), "{figure}");
    }
    let (_, author) = copied.page(&browser(), "/authors/500").await;
    assert!(author.contains("Zoë &quot;Zed&quot;") || author.contains("Zoë \"Zed\""));
    assert!(author.contains("O&#x27;Brien \\ 陳") || author.contains("O'Brien \\ 陳"));
    let on_loan: String = copied
        .scalar(&format!(
            "SELECT status FROM book_instance WHERE id = '{lent}'"
        ))
        .await;
    assert_eq!(on_loan, "o", "the copy is out, its borrower not named");
}

/// A catalog of `books` books in the layout an export writes (sections in
/// load order, records by id, one a line), with the values a library's
/// catalog has: names in many scripts, quotes and backslashes, dates or
/// none, books without an author, a language or a genre, every status.
fn generated(books: i64) -> String {
    let (genres, languages, authors) = (200, 80, books * 3 / 10);
    let mut file = String::from("{\n");
    let mut section = |name: &str, records: Vec<String>, last: bool| {
        write!(file, "{name:?}: [").unwrap();
        for (n, record) in records.iter().enumerate() {
            file.push_str(if n == 0 { "\n" } else { ",\n" });
            file.push_str(record);
        }
        file.push_str(if last { "\n]\n}\n" } else { "\n],\n" });
    };
    section(
        "genres",
        (1..=genres)
            .map(|id| {
                line(&Genre {
                    id,
                    name: format!("Genre «{id}»"),
                })
            })
            .collect(),
        false,
    );
    section(
        "languages",
        (1..=languages)
            .map(|id| {
                line(&Language {
                    id,
                    name: format!("Language {id} 語"),
                })
            })
            .collect(),
        false,
    );
    section(
        "authors",
        (1..=authors)
            .map(|id| {
                line(&Author {
                    id,
                    first_name: format!("Ａnna \"{id}\""),
                    last_name: ["Kowalska", "O'Neil \\ Ü", "Дорохова", "陳"][id as usize % 4]
                        .to_string(),
                    date_of_birth: (id % 3 != 0)
                        .then(|| format!("{}-0{}-1{}", 1800 + id % 200, 1 + id % 9, id % 10)),
                    date_of_death: (id % 5 == 0).then(|| format!("{}-12-31", 1999 + id % 20)),
                })
            })
            .collect(),
        false,
    );
    section(
        "books",
        (1..=books)
            .map(|id| {
                line(&Book {
                    id,
                    title: format!("The {id}th Voyage — 第{id}卷"),
                    author_id: (id % 11 != 0).then_some(1 + id % authors),
                    summary: format!("Line one.\nLine \"two\" of {id}."),
                    isbn: isbn(id as u32),
                    language_id: (id % 7 != 0).then_some(1 + id % languages),
                    genre_ids: match id % 4 {
                        0 => vec![],
                        1 => vec![1 + id % genres],
                        _ => vec![1 + id % 10, 11 + id % genres.min(100)],
                    },
                })
            })
            .collect(),
        false,
    );
    let mut copies: Vec<BookInstance> = (0..books * 3)
        .map(|n| BookInstance {
            id: format!(
                "{:08x}-0000-4000-8000-{:012x}",
                n * 2654435761 % (1 << 32),
                n
            ),
            book_id: 1 + n % books,
            imprint: format!("Press {}, {}", n % 97, 1950 + n % 70),
            due_back: (n % 4 == 1).then(|| format!("2027-0{}-1{}", 1 + n % 9, n % 10)),
            status: ["a", "o", "r", "m"][n as usize % 4].to_string(),
            borrower: None,
        })
        .collect();
    copies.sort_by(|a, b| a.id.cmp(&b.id));
    section("book_instances", copies.iter().map(line).collect(), true);
    file
}

/// A record as the one line an export writes for it.
fn line(record: &impl serde::Serialize) -> String {
    serde_json::to_string(record).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_books_come_back_from_a_round_trip_as_they_went() {
    let app = spawn_app_on(TestDatabase::new().await, |settings| {
        settings.catalog.seed_demo = false;
    })
    .await;
    let file = app.dir().join("huge.json");
    let catalog = generated(100_000);
    std::fs::write(&file, &catalog).unwrap();

    // Loaded beside the serving site: every view of the home page all
    // through the load is answered, none waiting for the load's turn at
    // the database (a batch at most, never the whole load).
    let url = app.database_url().to_string();
    let path = file.clone();
    let load =
        tokio::task::spawn_blocking(move || run(&url, &["load-catalog", path.to_str().unwrap()]));
    let (viewer, mut views, mut slowest) = (browser(), 0, Duration::ZERO);
    let began = Instant::now();
    let mut slow = Vec::new();
    while !load.is_finished() {
        let started = Instant::now();
        let response = viewer.get(app.url("/")).send().await.unwrap();
        let status = response.status();
        response.bytes().await.unwrap();
        let took = started.elapsed();
        if took > Duration::from_secs(1) || status != StatusCode::OK {
            slow.push((started - began, took, status));
        }
        slowest = slowest.max(took);
        views += 1;
    }
    let loaded = load.await.unwrap();
    assert!(loaded.status.success(), "{}", stderr(&loaded));
    assert!(views > 20, "only {views} views during the load");
    assert!(
        slowest < Duration::from_secs(5) && slow.iter().all(|view| view.2 == StatusCode::OK),
        "a view waited {slowest:?} during the load (views over a second or failed, as (began, took, status): \
         {slow:?}; the load {:?} in all, said:\n{}",
        began.elapsed(),
        stderr(&loaded)
    );
    assert_eq!(app.home(&browser()).await.count("Books"), 100_000);
    assert!(
        stdout(&loaded).contains("books      100000 added"),
        "{}",
        stdout(&loaded)
    );

    let export = app.dir().join("export.json");
    let exported = run(
        app.database_url(),
        &["export-catalog", export.to_str().unwrap()],
    );
    assert!(exported.status.success(), "{}", stderr(&exported));
    assert!(
        stdout(&exported).contains(
            "Exported 100000 books, 300000 copies, 30000 authors, 200 genres, 80 languages"
        ),
        "{}",
        stdout(&exported)
    );
    // The same bytes: the file loaded is what comes back. (The first line
    // that differs, not both files, if not.)
    let back = std::fs::read_to_string(&export).unwrap();
    if let Some((n, (went, came))) = catalog
        .lines()
        .zip(back.lines())
        .enumerate()
        .find(|(_, (went, came))| went != came)
    {
        panic!("line {}: loaded {went}\nexported {came}", n + 1);
    }
    assert_eq!(back.len(), catalog.len());
}
