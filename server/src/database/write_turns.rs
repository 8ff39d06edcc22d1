//! Turns at writing to SQLite between processes: the site's server and a
//! command writing beside it (a catalog load, a second server).
//!
//! SQLite lets one connection write at a time and keeps no queue: a write
//! that finds another process writing sleeps and tries again. Its own
//! sleeps (1, 2, 5 … then 100 ms each) let a command that writes batch
//! after batch take every turn: it commits and begins the next batch
//! within microseconds, and a page view's write, trying once every 100
//! ms, rarely lands between two. A catalog load of 100,000 books kept the
//! home page's visit count waiting past five seconds that way, and the
//! view failed. So each connection of ours tries again every millisecond
//! ([`wait_in_turn`]), and a command that writes in batches leaves that
//! long free after each ([`give_way`]): whoever was waiting goes next.

use std::{
    cell::Cell,
    ffi::{c_int, c_void},
    time::{Duration, Instant},
};

use app::db::Db;
use sqlx::SqliteConnection;

/// How long a write waiting for another process's turn sleeps before it
/// tries again.
const RETRY: Duration = Duration::from_millis(1);

/// Makes a write on `connection` that finds another process writing try
/// again every [`RETRY`] for up to `timeout`, then fail as busy (in place
/// of SQLite's own waiting, which `busy_timeout` sets).
pub async fn wait_in_turn(
    connection: &mut SqliteConnection,
    timeout: Duration,
) -> Result<(), sqlx::Error> {
    let timeout_ms = usize::try_from(timeout.as_millis()).unwrap_or(usize::MAX);
    let mut handle = connection.lock_handle().await?;
    // SAFETY: the handle is the connection's open database, held for us
    // while the lock lasts. The handler keeps no pointer: its argument is
    // the timeout itself, a number, never dereferenced.
    let status = unsafe {
        libsqlite3_sys::sqlite3_busy_handler(
            handle.as_raw_handle().as_ptr(),
            Some(try_again),
            timeout_ms as *mut c_void,
        )
    };
    if status == libsqlite3_sys::SQLITE_OK {
        Ok(())
    } else {
        Err(sqlx::Error::Protocol(format!(
            "cannot set how a write waits its turn (SQLite error {status})"
        )))
    }
}

thread_local! {
    /// When the wait the busy handler is in began, on this thread (SQLite
    /// calls it on the thread running the statement, which waits inside).
    static WAITING_SINCE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// SQLite's busy handler: `tries` is the number of times it was called
/// for this wait before; nonzero asks SQLite to try again.
extern "C" fn try_again(timeout_ms: *mut c_void, tries: c_int) -> c_int {
    let now = Instant::now();
    let since = match WAITING_SINCE.get() {
        Some(since) if tries > 0 => since,
        _ => {
            WAITING_SINCE.set(Some(now));
            now
        }
    };
    if now.duration_since(since) >= Duration::from_millis(timeout_ms as u64) {
        WAITING_SINCE.set(None);
        return 0;
    }
    std::thread::sleep(RETRY);
    1
}

/// Leaves the database free to write for a moment, after a transaction of
/// a command that will soon begin another (SQLite; PostgreSQL queues its
/// locks' waiters in order).
pub async fn give_way(db: &Db) {
    if matches!(db, Db::Sqlite(_)) {
        tokio::time::sleep(RETRY * 3).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::{ConnectOptions, Connection, Executor};

    async fn connection(file: &std::path::Path, timeout: Duration) -> SqliteConnection {
        let mut connection = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .connect()
            .await
            .unwrap();
        wait_in_turn(&mut connection, timeout).await.unwrap();
        connection
    }

    /// Two connections to a new database with a table: the first waits
    /// up to 5 s for its turn, the second up to `timeout`.
    async fn two_writers(
        dir: &tempfile::TempDir,
        timeout: Duration,
    ) -> (SqliteConnection, SqliteConnection) {
        let file = dir.path().join("turns.sqlite3");
        let mut first = connection(&file, Duration::from_secs(5)).await;
        let second = connection(&file, timeout).await;
        first.execute("CREATE TABLE t (n INTEGER)").await.unwrap();
        (first, second)
    }

    #[tokio::test]
    async fn a_write_waits_for_the_turn_it_is_given() {
        let dir = tempfile::tempdir().unwrap();
        let (mut first, mut second) = two_writers(&dir, Duration::from_secs(5)).await;

        let mut held = first.begin_with("BEGIN IMMEDIATE").await.unwrap();
        held.execute("INSERT INTO t VALUES (1)").await.unwrap();
        let waiting = tokio::spawn(async move {
            second.execute("INSERT INTO t VALUES (2)").await.unwrap();
            Instant::now()
        });
        // Held until just after one of the tries SQLite's own waiting
        // would make (at 228 ms, then every 100 ms): it would be let in at
        // 1,128 ms, nearly 90 ms late.
        tokio::time::sleep(Duration::from_millis(1040)).await;
        assert!(!waiting.is_finished(), "wrote while another held the turn");
        held.commit().await.unwrap();
        let ended = Instant::now();
        // In within a try or two of the turn's end.
        let waited = waiting.await.unwrap().duration_since(ended);
        assert!(waited < Duration::from_millis(50), "let in {waited:?} late");
    }

    #[tokio::test]
    async fn a_write_kept_waiting_past_its_timeout_fails_as_busy() {
        let dir = tempfile::tempdir().unwrap();
        let (mut first, mut second) = two_writers(&dir, Duration::from_millis(200)).await;

        let _held = first.begin_with("BEGIN IMMEDIATE").await.unwrap();
        let began = Instant::now();
        let error = second
            .execute("INSERT INTO t VALUES (2)")
            .await
            .unwrap_err();
        let waited = began.elapsed();
        assert!(error.to_string().contains("locked"), "{error}");
        assert!(
            waited >= Duration::from_millis(200) && waited < Duration::from_secs(1),
            "waited {waited:?}"
        );
    }
}
