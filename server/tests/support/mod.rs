//! `spawn_app()`: the real server on port 0 with a fresh database (see
//! [`database`]), and helpers that read pages the way a visitor does.
//!
//! Tests run on a multi-threaded runtime, as the server does in production:
//! Leptos' server rendering can stall on a single-threaded one.
#![allow(dead_code)] // each test binary uses its own share of these helpers

use std::{path::Path, process::Output};

use app::db::Db;
use reqwest::{header, Client, Response, StatusCode};
use scraper::{Html, Selector};
use server::{config::Settings, startup::Application};
use sqlx::{Connection, PgConnection, SqliteConnection};
use tokio::{sync::oneshot, task::JoinHandle};

// Each test binary uses its own share of these.
#[allow(unused_imports)]
pub use database::{Backend, Scalar, TestDatabase};
#[allow(unused_imports)]
pub use process::{locallibrary, repo_file, serve, ServerProcess};

pub mod database;
pub mod process;

pub const SMALL_CATALOG: &str = include_str!("../../data/catalog-small.json");

pub struct TestApp {
    pub address: String,
    pub settings: Settings,
    database: TestDatabase,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Starts the server on a free port with a new, empty database (which it
/// seeds with the small catalog, as on a first start).
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// As [`spawn_app`], with a chance to change the settings first.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_on(TestDatabase::new().await, configure).await
}

/// As [`spawn_app_with`], on the database given.
pub async fn spawn_app_on(
    database: TestDatabase,
    configure: impl FnOnce(&mut Settings),
) -> TestApp {
    let mut settings =
        Settings::from_toml(include_str!("../../../Leptos.toml")).expect("Leptos.toml is valid");
    settings.database.url = database.url.clone();
    settings.leptos.site_addr = "127.0.0.1:0".parse().unwrap();
    configure(&mut settings);
    let mut app = TestApp {
        address: String::new(),
        settings,
        database,
        stop: None,
        task: None,
    };
    app.start().await;
    app
}

impl TestApp {
    async fn start(&mut self) {
        let application = Application::build(self.settings.clone())
            .await
            .expect("the server starts");
        self.address = format!("http://{}", application.local_addr());
        let (stop, stopped) = oneshot::channel::<()>();
        self.stop = Some(stop);
        self.task = Some(tokio::spawn(async move {
            application
                .run_until(async {
                    let _ = stopped.await;
                })
                .await
                .expect("the server runs");
        }));
    }

    /// Stops the server (finishing requests in flight) and starts a new one
    /// on the same database, on a new port.
    pub async fn restart(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("the server stops cleanly");
        }
        self.start().await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn database_url(&self) -> &str {
        &self.settings.database.url
    }

    pub fn backend(&self) -> Backend {
        self.database.backend
    }

    /// A connection pool of its own on the site's database, for looking
    /// behind the pages.
    pub async fn db(&self) -> Db {
        self.database.db().await
    }

    /// The one value `sql` selects, read behind the site's back.
    pub async fn scalar<T: Scalar>(&self, sql: &str) -> T {
        self.database.scalar(sql).await
    }

    /// Runs a statement that writes, behind the site's back.
    pub async fn execute(&self, sql: &str) {
        self.database.execute(sql).await
    }

    /// How many sessions the store holds.
    pub async fn session_rows(&self) -> i64 {
        self.scalar("SELECT COUNT(*) FROM tower_sessions").await
    }

    /// Another connection takes the locks every page view that counts
    /// needs, as a long transaction of another process would, and keeps
    /// them until [`WriteLock::release`].
    pub async fn hold_write_lock(&self) -> WriteLock {
        match self.backend() {
            Backend::Sqlite => {
                let mut conn = SqliteConnection::connect(self.database_url())
                    .await
                    .unwrap();
                sqlx::query("BEGIN IMMEDIATE")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                WriteLock::Sqlite(conn)
            }
            Backend::Postgres => {
                let mut conn = PgConnection::connect(self.database_url()).await.unwrap();
                sqlx::raw_sql("BEGIN; LOCK TABLE tower_sessions, session_state IN EXCLUSIVE MODE")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                WriteLock::Postgres(conn)
            }
        }
    }

    /// POSTs to a server function the way the page's own script does.
    pub async fn call(&self, client: &Client, function: &str) -> Response {
        client
            .post(self.url(&format!("/api/{function}")))
            .header("origin", &self.address)
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .expect("POST to a server function")
    }

    /// POSTs to a server function as a page's plain form does without
    /// JavaScript (the browser asks for HTML back), from a page at `referer`.
    pub async fn post_without_javascript(
        &self,
        client: &Client,
        function: &str,
        referer: &str,
    ) -> Response {
        client
            .post(self.url(&format!("/api/{function}")))
            .header("origin", &self.address)
            .header("referer", referer)
            .header("accept", "text/html,application/xhtml+xml")
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .expect("POST to a server function")
    }

    /// POSTs `form` to a server function as the page's own form does, and
    /// checks it succeeded.
    pub async fn submit(&self, client: &Client, function: &str, form: &[(&str, &str)]) {
        let response = client
            .post(self.url(&format!("/api/{function}")))
            .header("origin", &self.address)
            .form(form)
            .send()
            .await
            .expect("POST to a server function");
        assert_eq!(response.status(), 200, "{function}");
    }

    /// Creates an active user (a librarian if `librarian`) with
    /// `password`; gives their id.
    pub async fn add_user(&self, username: &str, password: &str, librarian: bool) -> i64 {
        let email = format!("{username}@example.com");
        let new = app::accounts::NewAccount {
            username,
            email: &email,
            librarian,
        };
        app::accounts::create(&self.db().await, new, password)
            .await
            .expect("a user created")
    }

    /// POSTs `fields` to the page at `path`, as its form does in a browser
    /// (from this site, asking for HTML).
    pub async fn post_form(
        &self,
        client: &Client,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        client
            .post(self.url(path))
            .header("origin", &self.address)
            .header("accept", "text/html,application/xhtml+xml")
            .form(fields)
            .send()
            .await
            .expect("a form posted")
    }

    /// Signs `client` in as `username`, and checks it was: a redirect.
    pub async fn sign_in(&self, client: &Client, username: &str, password: &str) {
        let response = self
            .post_form(
                client,
                "/accounts/login",
                &[("username", username), ("password", password), ("next", "")],
            )
            .await;
        assert_eq!(response.status(), 302, "{username} signed in");
    }

    /// A member (alice) and a librarian (libby), each signed in in a
    /// browser of their own.
    pub async fn member_and_librarian(&self) -> (Client, Client) {
        self.add_user("alice", "correct horse", false).await;
        self.add_user("libby", "shelves and stacks", true).await;
        let (alice, libby) = (browser(), browser());
        self.sign_in(&alice, "alice", "correct horse").await;
        self.sign_in(&libby, "libby", "shelves and stacks").await;
        (alice, libby)
    }

    /// The home page's "Copies available", as a new visitor sees it.
    pub async fn copies_available(&self) -> u64 {
        self.home(&browser()).await.count("Copies available")
    }

    /// GETs `path` and gives its status and whole HTML.
    pub async fn page(&self, client: &Client, path: &str) -> (StatusCode, String) {
        let response = client.get(self.url(path)).send().await.expect("GET");
        let status = response.status();
        (status, response.text().await.unwrap())
    }

    pub fn dir(&self) -> &Path {
        self.database.dir.path()
    }

    /// `locallibrary ARGS…` run as its own process against this database,
    /// in the test's own folder: what it writes to its working directory
    /// (a backup before a forced load on PostgreSQL) goes with the test.
    pub fn command(&self, args: &[&str]) -> Output {
        locallibrary()
            .args(args)
            .env("DATABASE_URL", self.database_url())
            .current_dir(self.dir())
            .output()
            .expect("locallibrary runs")
    }

    /// `locallibrary ARGS…` as its own process against this database, with
    /// `input` as its standard input (not a terminal).
    pub fn command_with_input(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut child = locallibrary()
            .args(args)
            .env("DATABASE_URL", self.database_url())
            .current_dir(self.dir())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("locallibrary runs");
        child
            .stdin
            .take()
            .expect("a pipe")
            .write_all(input.as_bytes())
            .expect("the input is written");
        child.wait_with_output().expect("locallibrary ends")
    }

    /// Writes `json` to a file in the test's directory and loads it (a
    /// merge: records the file lacks are kept).
    pub fn load_catalog_json(&self, name: &str, json: &str) -> Output {
        self.load_catalog_file(name, json, &[])
    }

    /// Writes `json` to a file in the test's directory and loads it in
    /// place of the catalog (`--replace`).
    pub fn replace_catalog_json(&self, name: &str, json: &str) -> Output {
        self.load_catalog_file(name, json, &["--replace"])
    }

    fn load_catalog_file(&self, name: &str, json: &str, args: &[&str]) -> Output {
        let path = self.dir().join(name);
        std::fs::write(&path, json).expect("write catalog file");
        let mut command = vec!["load-catalog", path.to_str().unwrap()];
        command.extend_from_slice(args);
        self.command(&command)
    }

    /// GET `/` and read it as a visitor would.
    pub async fn home(&self, client: &Client) -> HomePage {
        HomePage::read(client.get(self.url("/")).send().await.expect("GET /")).await
    }

    /// A browser's first two views of `/`: the first is kept in the first
    /// view's cookie, the second brings it back and stores the session.
    /// Gives the second, which sets the session cookie.
    pub async fn start_session(&self, client: &Client) -> HomePage {
        let first = self.home(client).await;
        assert_eq!(first.visits(), 1, "a first view");
        assert!(
            first.first_view_cookie().is_some(),
            "{:?}",
            first.set_cookie
        );
        let second = self.home(client).await;
        assert_eq!(second.visits(), 2, "the second view");
        assert!(second.session_id().is_some(), "{:?}", second.set_cookie);
        second
    }

    /// GET `/` with exactly the session cookie `sessionid=ID`.
    pub async fn home_with_cookie(&self, id: &str) -> HomePage {
        let request = bare_client()
            .get(self.url("/"))
            .header("cookie", format!("sessionid={id}"));
        HomePage::read(request.send().await.expect("GET /")).await
    }
}

/// A transaction of another connection, holding write locks.
pub enum WriteLock {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl WriteLock {
    pub async fn release(self) {
        match self {
            WriteLock::Sqlite(mut conn) => {
                sqlx::query("ROLLBACK").execute(&mut conn).await.map(drop)
            }
            WriteLock::Postgres(mut conn) => {
                sqlx::query("ROLLBACK").execute(&mut conn).await.map(drop)
            }
        }
        .unwrap();
    }
}

/// A browser: a client that keeps its cookies.
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A client that sends exactly the headers a test gives it.
pub fn bare_client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The home page as a visitor sees it.
#[derive(Debug)]
pub struct HomePage {
    pub status: StatusCode,
    pub set_cookie: Vec<String>,
    pub retry_after: Option<String>,
    /// The text of `<main>`, whitespace collapsed.
    pub text: String,
}

impl HomePage {
    pub async fn read(response: Response) -> HomePage {
        let status = response.status();
        let set_cookie = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap().to_string());
        let html = response.text().await.expect("a body");
        HomePage {
            status,
            set_cookie,
            retry_after,
            text: main_text(&html),
        }
    }

    /// Checks this is the page of a database that cannot be reached: a 503
    /// that says so and when to try again, and no session change (tower-sessions saves nothing
    /// on a 5xx).
    pub fn assert_unavailable(&self) {
        assert_eq!(self.status, 503, "{}", self.text);
        assert!(
            self.text.contains("temporarily unavailable"),
            "{}",
            self.text
        );
        assert!(
            self.set_cookie.is_empty(),
            "no session change leaves with a 5xx: {:?}",
            self.set_cookie
        );
        assert_eq!(self.retry_after.as_deref(), Some("5"), "an outage passes");
    }

    /// N from "You have visited this page N time(s)."
    pub fn visits(&self) -> u64 {
        let rest = self
            .text
            .split("You have visited this page ")
            .nth(1)
            .unwrap_or_else(|| panic!("no visit count on the page: {}", self.text));
        let number: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let visits: u64 = number.parse().unwrap();
        let noun = if visits == 1 { "time." } else { "times." };
        assert!(
            rest[number.len()..].starts_with(&format!(" {noun}")),
            "wrong plural in {rest:?}"
        );
        visits
    }

    /// The figure after "LABEL:" in the Dynamic content cards.
    pub fn count(&self, label: &str) -> u64 {
        let needle = format!("{label} : ");
        let rest = self
            .text
            .split(&needle)
            .nth(1)
            .unwrap_or_else(|| panic!("no {label:?} on the page: {}", self.text));
        rest.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap()
    }

    /// The first view's cookie the response set (`sessionid_first_view`,
    /// whole), if it set one.
    pub fn first_view_cookie(&self) -> Option<&str> {
        self.set_cookie
            .iter()
            .find(|c| c.starts_with("sessionid_first_view=") && !c.contains("Max-Age=0"))
            .map(String::as_str)
    }

    /// The session id the response set, if it set one (not a removal).
    pub fn session_id(&self) -> Option<String> {
        self.set_cookie.iter().find_map(|c| {
            c.strip_prefix("sessionid=")
                .filter(|_| !c.contains("Max-Age=0"))
                .map(|rest| rest.split(';').next().unwrap().to_string())
        })
    }
}

/// Makes `views` views with `view`, `in_flight` at a time, and checks each
/// was answered and showed its own number: together, the `views` numbers
/// after `before`.
pub async fn assert_concurrent_views_count_exactly<F, Fut>(
    views: u64,
    in_flight: usize,
    before: u64,
    view: F,
) where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = HomePage>,
{
    use futures::StreamExt;
    let mut seen: Vec<u64> = futures::stream::iter(0..views)
        .map(|_| async {
            let page = view().await;
            assert_eq!(page.status, 200, "{}", page.text);
            page.visits()
        })
        .buffer_unordered(in_flight)
        .collect()
        .await;
    seen.sort_unstable();
    assert_eq!(
        seen,
        (before + 1..=before + views).collect::<Vec<_>>(),
        "each view has its own number"
    );
}

/// What a command printed on standard output.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What a command printed on standard error.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The visible text of the page's header, as one line (who is signed in).
pub fn header_text(html: &str) -> String {
    text_of(html, "header")
}

/// The visible text of the page's `<main>`, as one line.
pub fn main_text(html: &str) -> String {
    text_of(html, "main")
}

/// The visible text of the elements `selector` selects, as one line.
pub fn text_of(html: &str, selector: &str) -> String {
    let document = Html::parse_document(html);
    let main = Selector::parse(selector).unwrap();
    // Text nodes joined by spaces: separate elements read as separate words.
    let text: Vec<&str> = document
        .select(&main)
        .flat_map(|element| element.text())
        .collect();
    text.join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The small catalog with its last `n` books (and their copies) removed.
pub fn small_catalog_without_last_books(n: usize) -> serde_json::Value {
    let mut catalog: serde_json::Value = serde_json::from_str(SMALL_CATALOG).unwrap();
    let books = catalog["books"].as_array_mut().unwrap();
    let kept = books.len() - n;
    books.truncate(kept);
    let kept_ids: Vec<i64> = books.iter().map(|b| b["id"].as_i64().unwrap()).collect();
    catalog["book_instances"]
        .as_array_mut()
        .unwrap()
        .retain(|copy| kept_ids.contains(&copy["book_id"].as_i64().unwrap()));
    catalog
}

/// An ISBN-13 for `n`: 978, nine digits, the check digit.
pub fn isbn(n: u32) -> String {
    let digits = format!("978{n:09}");
    let sum: u32 = digits
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{digits}{}", (10 - sum % 10) % 10)
}

/// The version an edit form carries, as a browser would post it back.
pub fn form_version(html: &str) -> String {
    let document = scraper::Html::parse_document(html);
    let input = scraper::Selector::parse(r#"form input[name="version"]"#).unwrap();
    document
        .select(&input)
        .next()
        .and_then(|input| input.value().attr("value"))
        .unwrap_or_else(|| panic!("no version in the form: {html}"))
        .to_string()
}
