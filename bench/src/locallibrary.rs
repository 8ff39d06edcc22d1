//! LocalLibrary's release build, run the way its browser tests run it: its
//! own binary, cwd = the repository (for Leptos.toml), a new database (a
//! SQLite file, or a PostgreSQL database), a free port.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::{bail, Context};
use reqwest::Client;
use tokio::process::Command;

use crate::{copy::copy_tree, http, servers::ServerProcess};

/// LocalLibrary's session cookie, and the one a first view is kept in
/// (Leptos.toml's default names).
pub const SESSION_COOKIE: &str = "sessionid";
const FIRST_VIEW_COOKIE: &str = "sessionid_first_view";

/// The member whose signed-in pages are measured, and how many copies
/// they have on loan (their borrowed books fill one page).
pub const MEMBER: &str = "reader";
const MEMBER_PASSWORD: &str = "many shelves of books";
const MEMBER_LOANS: i64 = 8;
/// The librarian who edits the catalog while pages are measured.
pub const LIBRARIAN: &str = "librarian";
const LIBRARIAN_PASSWORD: &str = "keeps the catalog true";

/// The release server binary and the site it serves.
pub struct Build {
    pub root: PathBuf,
    pub binary: PathBuf,
    pub site: PathBuf,
}

impl Build {
    /// A copy of the output of `cargo leptos build --release` under `root`,
    /// taken into `work`: a build started elsewhere while this run goes on
    /// (the debug build of the test command writes the same target/site)
    /// must not swap the server or the wasm halfway through.
    pub fn snapshot(root: &Path, work: &Path) -> anyhow::Result<Build> {
        let binary = root.join("target/release/locallibrary");
        let site = root.join("target/site");
        if !binary.is_file() || !site.join("pkg").is_dir() {
            bail!(
                "no release build under {}: run `cargo leptos build --release` first",
                root.display()
            );
        }
        let copy = work.join("build");
        copy_tree(&site, &copy.join("site"), &[])?;
        std::fs::copy(&binary, copy.join("locallibrary"))
            .with_context(|| format!("cannot copy {}", binary.display()))?;
        Ok(Build {
            root: root.to_path_buf(),
            binary: copy.join("locallibrary"),
            site: copy.join("site"),
        })
    }

    /// `locallibrary ARGS` with the environment every run here uses.
    pub fn command(&self, database_url: &str, args: &[&str]) -> Command {
        let mut command = Command::new(&self.binary);
        command
            .args(args)
            .current_dir(&self.root)
            .env("DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
            .env("LEPTOS_SITE_ROOT", &self.site)
            .env("RUST_LOG", "warn,server=info")
            .kill_on_drop(true);
        command
    }

    /// Loads `catalog` into the new database at `database_url`; returns
    /// the loader's summary line.
    pub async fn load_catalog(&self, database_url: &str, catalog: &Path) -> anyhow::Result<String> {
        let catalog_arg = catalog.to_str().context("catalog path is not UTF-8")?;
        let output = self
            .command(database_url, &["load-catalog", catalog_arg])
            .output()
            .await
            .context("cannot run locallibrary load-catalog")?;
        if !output.status.success() {
            bail!(
                "locallibrary load-catalog {} failed ({}):\n{}{}",
                catalog.display(),
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    }

    /// A returning visitor's session cookie (`NAME=VALUE`) on the site at
    /// `home`: its first view is kept in a cookie of its own, which the
    /// second brings back to start the session.
    pub async fn session_cookie(client: &Client, home: &str) -> anyhow::Result<String> {
        let first_view = http::get_ok(client, home, None)
            .await?
            .cookie(FIRST_VIEW_COOKIE)?;
        http::get_ok(client, home, Some(&first_view))
            .await?
            .cookie(SESSION_COOKIE)
    }

    /// Runs `locallibrary ARGS` on the database at `database_url`, giving
    /// it `input` on standard input; fails unless it succeeds.
    pub async fn run(&self, database_url: &str, args: &[&str], input: &str) -> anyhow::Result<()> {
        use tokio::io::AsyncWriteExt;
        let mut child = self
            .command(database_url, args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot run locallibrary {}", args.join(" ")))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(input.as_bytes()).await?;
        }
        let output = child.wait_with_output().await?;
        if !output.status.success() {
            bail!(
                "locallibrary {} failed ({}):\n{}",
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(())
    }

    /// A member (`MEMBER`) with `MEMBER_LOANS` copies on loan, in the
    /// SQLite database at `database_url`, loaded with a catalog.
    pub async fn add_member_with_loans(&self, database_url: &str) -> anyhow::Result<()> {
        let email = format!("{MEMBER}@example.com");
        self.run(
            database_url,
            &["adduser", MEMBER, "--email", &email],
            &format!("{MEMBER_PASSWORD}\n"),
        )
        .await?;
        let copies: Vec<String> = {
            use sqlx::Connection;
            let mut conn = sqlx::SqliteConnection::connect(database_url).await?;
            sqlx::query_scalar(
                "SELECT id FROM book_instance WHERE status = 'a' ORDER BY id LIMIT $1",
            )
            .bind(MEMBER_LOANS)
            .fetch_all(&mut conn)
            .await?
        };
        for copy in &copies {
            self.run(database_url, &["lend", copy, MEMBER], "").await?;
        }
        Ok(())
    }

    /// The librarian (`LIBRARIAN`), in the database at `database_url`.
    pub async fn add_librarian(&self, database_url: &str) -> anyhow::Result<()> {
        let email = format!("{LIBRARIAN}@example.com");
        self.run(
            database_url,
            &["adduser", LIBRARIAN, "--email", &email, "--librarian"],
            &format!("{LIBRARIAN_PASSWORD}\n"),
        )
        .await
    }

    /// The session cookie of a browser signed in as `MEMBER` on the site
    /// at `home`.
    pub async fn member_cookie(client: &Client, home: &str) -> anyhow::Result<String> {
        Build::signed_in_cookie(client, home, MEMBER, MEMBER_PASSWORD).await
    }

    /// The session cookie of a browser signed in as `LIBRARIAN` on the
    /// site at `home`.
    pub async fn librarian_cookie(client: &Client, home: &str) -> anyhow::Result<String> {
        Build::signed_in_cookie(client, home, LIBRARIAN, LIBRARIAN_PASSWORD).await
    }

    /// The session cookie of a browser signed in as `username` on the site
    /// at `home`, which had visited the home page twice before: signing in
    /// gives its session a new id.
    async fn signed_in_cookie(
        client: &Client,
        home: &str,
        username: &str,
        password: &str,
    ) -> anyhow::Result<String> {
        let cookie = Build::session_cookie(client, home).await?;
        let url = format!("{home}accounts/login");
        let response = client
            .post(&url)
            .header(reqwest::header::COOKIE, &cookie)
            .header(reqwest::header::ORIGIN, home.trim_end_matches('/'))
            .form(&[("username", username), ("password", password)])
            .send()
            .await
            .with_context(|| format!("POST {url}"))?;
        if response.status() != reqwest::StatusCode::FOUND {
            bail!("signing in as {username}: {}", response.status());
        }
        let page = http::Page {
            status: response.status(),
            set_cookies: response
                .headers()
                .get_all(reqwest::header::SET_COOKIE)
                .iter()
                .filter_map(|value| value.to_str().ok().map(str::to_string))
                .collect(),
            body: String::new(),
        };
        page.cookie(SESSION_COOKIE)
    }

    /// Chooses the language `tag` for the session of `cookie` on the site
    /// at `home`, as the switcher's form does (a view of nothing).
    pub async fn choose_language(
        client: &Client,
        home: &str,
        cookie: &str,
        tag: &str,
    ) -> anyhow::Result<()> {
        let url = format!("{}api/set_language", home);
        let response = client
            .post(&url)
            .header(reqwest::header::COOKIE, cookie)
            .form(&[("language", tag)])
            .send()
            .await
            .with_context(|| format!("POST {url}"))?;
        if !response.status().is_success() {
            anyhow::bail!("POST {url}: {}", response.status());
        }
        Ok(())
    }

    /// `locallibrary serve` on `database`, ready when its health probe
    /// answers (the probe touches no session, so it counts no visit).
    pub async fn serve(
        &self,
        database_url: &str,
        client: &Client,
    ) -> anyhow::Result<ServerProcess> {
        self.serve_with(self.command(database_url, &["serve"]), client)
            .await
    }

    /// As [`Build::serve`], with `/metrics` on a port of its own; returns
    /// the server and its metrics' address.
    pub async fn serve_with_metrics(
        &self,
        database_url: &str,
        client: &Client,
    ) -> anyhow::Result<(ServerProcess, String)> {
        let mut command = self.command(database_url, &["serve"]);
        command.env("LOCALLIBRARY_METRICS__ADDR", "127.0.0.1:0");
        let server = self.serve_with(command, client).await?;
        let metrics = server
            .log()
            .lines()
            .find_map(|line| {
                line.split_once("metrics at ")
                    .map(|(_, url)| url.trim().to_string())
            })
            .context("the server did not say where its metrics are")?;
        Ok((server, metrics))
    }

    async fn serve_with(&self, command: Command, client: &Client) -> anyhow::Result<ServerProcess> {
        let server = ServerProcess::start(
            "LocalLibrary",
            command,
            "listening on ",
            Duration::from_secs(30),
        )
        .await?;
        http::wait_until_ok(
            client,
            &format!("{}/readyz", server.url()),
            Duration::from_secs(30),
        )
        .await?;
        Ok(server)
    }
}
