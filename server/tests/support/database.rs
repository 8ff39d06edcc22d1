//! A new, empty database for one test: a SQLite file in a temp dir, or a
//! database of its own on the PostgreSQL server named by TEST_DATABASE_URL.
//!
//! The shared suite (`tests/site`) runs on SQLite, or on PostgreSQL when
//! TEST_BACKEND=postgres; scripts/test.sh runs it both ways.

use std::path::Path;

use app::{db::Db, on_reader, on_writer};
use server::config::Settings;
use sqlx::{Connection, Decode, PgConnection, Postgres, Sqlite, Type};
use tempfile::TempDir;

/// A value both databases can give.
pub trait Scalar:
    for<'r> Decode<'r, Sqlite>
    + Type<Sqlite>
    + for<'r> Decode<'r, Postgres>
    + Type<Postgres>
    + Send
    + Unpin
{
}

impl<T> Scalar for T where
    T: for<'r> Decode<'r, Sqlite>
        + Type<Sqlite>
        + for<'r> Decode<'r, Postgres>
        + Type<Postgres>
        + Send
        + Unpin
{
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend the shared suite runs on, from TEST_BACKEND.
    pub fn from_env() -> Backend {
        match std::env::var("TEST_BACKEND").as_deref() {
            Err(_) | Ok("" | "sqlite") => Backend::Sqlite,
            Ok("postgres") => Backend::Postgres,
            Ok(other) => panic!("TEST_BACKEND={other:?}: expected sqlite or postgres"),
        }
    }
}

/// The PostgreSQL server the tests may use, e.g.
/// postgres://postgres@127.0.0.1:5432/postgres (scripts/test.sh starts a
/// throwaway one and sets this).
pub fn postgres_server_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| {
        panic!(
            "TEST_DATABASE_URL is not set: these tests need a PostgreSQL server \
             (scripts/test.sh starts one)"
        )
    })
}

pub struct TestDatabase {
    pub backend: Backend,
    /// What DATABASE_URL would be for a server on this database.
    pub url: String,
    /// For the test's files (and the SQLite database).
    pub dir: TempDir,
    /// On PostgreSQL: the database's name, dropped with this.
    postgres_name: Option<String>,
}

impl TestDatabase {
    /// On the backend the shared suite runs on.
    pub async fn new() -> TestDatabase {
        TestDatabase::on(Backend::from_env()).await
    }

    pub async fn on(backend: Backend) -> TestDatabase {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => TestDatabase {
                backend,
                url: sqlite_url(&dir.path().join("test.sqlite3")),
                dir,
                postgres_name: None,
            },
            Backend::Postgres => {
                let server = postgres_server_url();
                let name = format!("locallibrary_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::connect(&server)
                    .await
                    .unwrap_or_else(|err| panic!("cannot reach TEST_DATABASE_URL: {err}"));
                sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                    .execute(&mut admin)
                    .await
                    .expect("create a test database");
                let mut url = url::Url::parse(&server).expect("TEST_DATABASE_URL is a URL");
                url.set_path(&name);
                TestDatabase {
                    backend,
                    url: url.to_string(),
                    dir,
                    postgres_name: Some(name),
                }
            }
        }
    }
}

impl TestDatabase {
    /// A connection pool of its own, as the site would open it.
    pub async fn db(&self) -> Db {
        let mut settings = Settings::from_toml("")
            .expect("the defaults are valid")
            .database;
        settings.url = self.url.clone();
        server::database::connect(&settings)
            .await
            .expect("open the test database")
    }

    /// The one value `sql` selects.
    pub async fn scalar<T: Scalar>(&self, sql: &str) -> T {
        let db = self.db().await;
        let value = on_reader!(&db, |conn| sqlx::query_scalar(sql).fetch_one(conn).await);
        db.close().await;
        value.unwrap_or_else(|err| panic!("{sql}: {err}"))
    }

    /// Runs a statement that writes.
    pub async fn execute(&self, sql: &str) {
        let db = self.db().await;
        let done: Result<(), sqlx::Error> =
            on_writer!(&db, |conn| sqlx::query(sql).execute(conn).await.map(drop));
        db.close().await;
        done.unwrap_or_else(|err| panic!("{sql}: {err}"));
    }
}

pub fn sqlite_url(file: &Path) -> String {
    format!("sqlite://{}", file.display())
}

impl Drop for TestDatabase {
    /// Drops a PostgreSQL test database, with any connection still open to
    /// it (a server the test left running). Done on a thread of its own: a
    /// test's runtime may be shutting down.
    fn drop(&mut self) {
        let Some(name) = self.postgres_name.take() else {
            return;
        };
        let server = postgres_server_url();
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&server).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .map(drop)
            })
        })
        .join();
        if let Ok(Err(err)) = dropped {
            eprintln!("could not drop a test database: {err}");
        }
    }
}
