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
        let server = ServerProcess::start(
            "LocalLibrary",
            self.command(database_url, &["serve"]),
            "listening on ",
            Duration::from_secs(30),
        )
        .await?;
        http::wait_until_ok(
            client,
            &format!("{}/health", server.url()),
            Duration::from_secs(30),
        )
        .await?;
        Ok(server)
    }
}
