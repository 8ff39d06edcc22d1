//! A database of its own for LocalLibrary's PostgreSQL runs, on the server
//! given with `--postgres` (scripts/bench.sh starts a throwaway one), made
//! and dropped with `psql`.

use anyhow::{bail, Context};
use tokio::process::Command;

pub struct PgDatabase {
    /// A URL of the server that may create databases.
    admin: String,
    name: String,
    /// The new database's URL.
    pub url: String,
}

impl PgDatabase {
    /// A new, empty database (one left by an interrupted run is replaced).
    pub async fn create(admin: &str) -> anyhow::Result<PgDatabase> {
        let name = format!("locallibrary_bench_{}", std::process::id());
        psql(admin, &format!("DROP DATABASE IF EXISTS \"{name}\"")).await?;
        psql(admin, &format!("CREATE DATABASE \"{name}\"")).await?;
        let mut url = url::Url::parse(admin).context("--postgres is not a URL")?;
        url.set_path(&name);
        Ok(PgDatabase {
            admin: admin.to_string(),
            name,
            url: url.to_string(),
        })
    }

    /// The server's version and the settings that decide what a commit
    /// costs, as it reports them.
    pub async fn describe(&self) -> anyhow::Result<String> {
        let settings = psql(
            &self.url,
            "SELECT current_setting('server_version') || ', fsync ' || current_setting('fsync') \
             || ', synchronous_commit ' || current_setting('synchronous_commit') \
             || ', shared_buffers ' || current_setting('shared_buffers')",
        )
        .await?;
        Ok(format!("PostgreSQL {settings}"))
    }

    pub async fn remove(self) -> anyhow::Result<()> {
        psql(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name),
        )
        .await
        .map(drop)
    }
}

/// Runs one statement; returns its output, unaligned.
async fn psql(url: &str, sql: &str) -> anyhow::Result<String> {
    let output = Command::new("psql")
        .args([
            url,
            "--no-psqlrc",
            "-v",
            "ON_ERROR_STOP=1",
            "-At",
            "-c",
            sql,
        ])
        .output()
        .await
        .context("cannot run psql (Debian's postgresql-client)")?;
    if !output.status.success() {
        bail!(
            "psql failed on {sql:?}: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}
