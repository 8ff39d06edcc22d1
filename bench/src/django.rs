//! The Django peer (MDN's LocalLibrary home page at `/catalog/`), served by
//! gunicorn as its README serves it, from a writable copy of the read-only
//! shared folder.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use anyhow::{bail, Context};
use reqwest::Client;
use tokio::process::Command;

use crate::{copy::copy_tree, http, servers::ServerProcess};

/// The peer's page and cookie.
pub const PATH: &str = "/catalog/";
pub const COOKIE_NAME: &str = "sessionid";
/// The README's default: two sync workers.
pub const WORKERS: u32 = 2;
pub const WORKER_CLASS: &str = "sync";

/// How the peer's SQLite database is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Durability {
    /// Names the peer's working copy.
    pub slug: &'static str,
    /// What `LOCALLIBRARY_SQLITE_INIT` is set to, if anything. Django's
    /// SQLite backend splits `init_command` on `;` and runs each statement
    /// on every new connection.
    pub sqlite_init: Option<&'static str>,
}

/// SQLite's defaults, as in the tutorial: rollback journal, full fsync.
pub const DEFAULTS: Durability = Durability {
    slug: "defaults",
    sqlite_init: None,
};

/// LocalLibrary's setting: WAL, synchronous = NORMAL.
pub const EQUAL_DURABILITY: Durability = Durability {
    slug: "wal-normal",
    sqlite_init: Some("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"),
};

/// The virtualenv that scripts/bench.sh made, with Django and gunicorn.
#[derive(Debug, Clone)]
pub struct Venv {
    dir: PathBuf,
}

/// What the run used, for the report.
#[derive(Debug, Clone)]
pub struct Versions {
    pub django: String,
    pub gunicorn: String,
    pub python: String,
}

impl Venv {
    pub fn find(dir: &Path) -> anyhow::Result<Venv> {
        let venv = Venv {
            dir: dir.to_path_buf(),
        };
        for program in [venv.python(), venv.gunicorn()] {
            if !program.is_file() {
                bail!(
                    "no {} in the Django virtualenv: scripts/bench.sh creates it",
                    program.display()
                );
            }
        }
        Ok(venv)
    }

    fn python(&self) -> PathBuf {
        self.dir.join("bin/python")
    }

    fn gunicorn(&self) -> PathBuf {
        self.dir.join("bin/gunicorn")
    }

    pub async fn versions(&self) -> anyhow::Result<Versions> {
        let output = run(
            Command::new(self.python()).args([
                "-c",
                "import sys, django, gunicorn; \
                 print(django.get_version(), gunicorn.__version__, sys.version.split()[0])",
            ]),
            "reading the Django and gunicorn versions",
        )
        .await?;
        let mut words = output.split_whitespace().map(str::to_string);
        let mut next = || words.next().context("short version output");
        Ok(Versions {
            django: next()?,
            gunicorn: next()?,
            python: next()?,
        })
    }
}

/// A writable copy of the peer with the catalog loaded, from which each
/// configuration gets a copy of its own (WAL mode, once set, stays with the
/// database file, so configurations cannot share one).
pub struct Peer {
    base: PathBuf,
    venv: Venv,
    /// The loader's own summary of what it loaded.
    pub loaded: String,
}

pub async fn prepare(
    source: &Path,
    catalog: &Path,
    venv: &Venv,
    work: &Path,
) -> anyhow::Result<Peer> {
    let base = work.join("django-base");
    // Bytecode caches, a venv or earlier benchmark outputs of the peer's own
    // are not part of it.
    copy_tree(source, &base, &["__pycache__", "venv", "out"])
        .with_context(|| format!("cannot copy {} to {}", source.display(), base.display()))?;
    std::fs::copy(catalog, base.join("catalog.json"))
        .with_context(|| format!("cannot copy {}", catalog.display()))?;
    run(
        manage(venv, &base).args(["migrate", "--noinput"]),
        "manage.py migrate",
    )
    .await?;
    let loaded = run(
        manage(venv, &base).args(["load_catalog", "catalog.json", "--clear-sessions"]),
        "manage.py load_catalog",
    )
    .await?;
    Ok(Peer {
        base,
        venv: venv.clone(),
        loaded: loaded.trim().to_string(),
    })
}

impl Peer {
    /// A fresh copy of the loaded peer for one configuration.
    pub fn instance(&self, durability: Durability, work: &Path) -> anyhow::Result<Instance> {
        let dir = work.join(format!("django-{}", durability.slug));
        copy_tree(&self.base, &dir, &[])
            .with_context(|| format!("cannot copy the loaded peer to {}", dir.display()))?;
        Ok(Instance {
            dir,
            durability,
            venv: self.venv.clone(),
        })
    }
}

/// One configuration's copy of the peer.
pub struct Instance {
    dir: PathBuf,
    pub durability: Durability,
    venv: Venv,
}

/// The SQLite settings as Django's own connection sees them.
#[derive(Debug, Clone)]
pub struct SqliteSettings {
    pub journal_mode: String,
    pub synchronous: String,
    /// The journal mode stored in the file (WAL persists; the rest is per
    /// connection), read without Django.
    pub file_journal_mode: String,
}

impl Instance {
    /// gunicorn as in the peer's README (2 sync workers), on a free port;
    /// ready once both workers have booted and the page answers.
    pub async fn serve(&self, client: &Client) -> anyhow::Result<ServerProcess> {
        let mut command = Command::new(self.venv.gunicorn());
        command
            .args([
                "locallibrary.wsgi:application",
                "--bind",
                "127.0.0.1:0",
                "--no-control-socket",
                "--workers",
                &WORKERS.to_string(),
                "--worker-class",
                WORKER_CLASS,
            ])
            .current_dir(&self.dir);
        self.configure(&mut command);
        let server = ServerProcess::start(
            &format!("gunicorn ({})", self.durability.slug),
            command,
            "Listening at: ",
            Duration::from_secs(30),
        )
        .await?;
        // Workers boot after the master listens; a request before then
        // waits for the first one and the other would boot under load.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while (server.log().matches("Booting worker with pid").count() as u32) < WORKERS {
            if std::time::Instant::now() > deadline {
                bail!("gunicorn workers did not boot:\n{}", server.log());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        http::wait_until_ok(
            client,
            &format!("{}{PATH}", server.url()),
            Duration::from_secs(30),
        )
        .await
        .with_context(|| format!("gunicorn log:\n{}", server.log()))?;
        Ok(server)
    }

    /// Reads `PRAGMA journal_mode` and `PRAGMA synchronous` through a
    /// Django connection opened with this configuration's settings, and
    /// the journal mode of the file itself.
    pub async fn sqlite_settings(&self) -> anyhow::Result<SqliteSettings> {
        const SCRIPT: &str = "\
import json, os, sqlite3
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'locallibrary.settings')
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute('PRAGMA journal_mode')
    journal = cursor.fetchone()[0]
    cursor.execute('PRAGMA synchronous')
    synchronous = cursor.fetchone()[0]
connection.close()
plain = sqlite3.connect('db.sqlite3')
stored = plain.execute('PRAGMA journal_mode').fetchone()[0]
plain.close()
print(json.dumps([journal, synchronous, stored]))
";
        let mut command = Command::new(self.venv.python());
        command.args(["-c", SCRIPT]).current_dir(&self.dir);
        self.configure(&mut command);
        let output = run(&mut command, "reading the peer's SQLite settings").await?;
        let (journal, synchronous, stored): (String, i64, String) =
            serde_json::from_str(output.trim())
                .with_context(|| format!("unexpected output {output:?}"))?;
        Ok(SqliteSettings {
            journal_mode: journal,
            synchronous: synchronous_name(synchronous),
            file_journal_mode: stored,
        })
    }

    /// The environment of everything run for this configuration.
    fn configure(&self, command: &mut Command) {
        match self.durability.sqlite_init {
            Some(init) => command.env("LOCALLIBRARY_SQLITE_INIT", init),
            None => command.env_remove("LOCALLIBRARY_SQLITE_INIT"),
        };
    }
}

/// PRAGMA synchronous answers with a number.
fn synchronous_name(level: i64) -> String {
    match level {
        0 => "OFF (0)".to_string(),
        1 => "NORMAL (1)".to_string(),
        2 => "FULL (2)".to_string(),
        3 => "EXTRA (3)".to_string(),
        other => format!("{other}"),
    }
}

/// `python manage.py …` in `dir`, with SQLite's defaults: the database
/// is prepared once, before any configuration changes its journal mode.
fn manage(venv: &Venv, dir: &Path) -> Command {
    let mut command = Command::new(venv.python());
    command
        .arg("manage.py")
        .current_dir(dir)
        .env_remove("LOCALLIBRARY_SQLITE_INIT");
    command
}

/// Runs a command to completion; its stdout, or an error with both streams.
async fn run(command: &mut Command, what: &str) -> anyhow::Result<String> {
    let output = command
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .with_context(|| format!("cannot start {what}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!(
            "{what} failed ({}):\n{stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(stdout)
}
