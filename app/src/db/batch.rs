//! Group commit for the statements of page views on SQLite's direct writer.
//!
//! Every commit costs the same whatever it holds: SQLite's file locks (six
//! `fcntl` calls), a frame written to the log per page changed, and a
//! larger log for the checkpoint to copy. Under load, page views wait for
//! the writers' turn one behind the other; here they wait with their
//! statement queued instead, and whoever takes the turn runs every
//! statement queued so far in one transaction. The others find theirs done
//! when their turn comes, and pass it on at once. A view is answered only
//! once its transaction has committed, and a statement that fails is undone
//! alone (see [`Undo`]), and fails only its view.

use std::sync::{
    atomic::{AtomicU64, Ordering},
    Mutex,
};

use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::error::AppError;

/// How a queued statement ended.
pub enum Outcome<T> {
    /// Committed, with the statement's result.
    Done(T),
    /// Another process holds SQLite's write lock: nothing was done.
    Busy,
    /// The statement or its transaction failed (logged, once, by the
    /// error's conversion); nothing was done.
    Failed(AppError),
}

/// How a statement that fails is undone, leaving the rest of its batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Undo {
    /// By a savepoint of its own: for a statement that may write and then
    /// fail (by writing again, or by reading what it wrote).
    Savepoint,
    /// By SQLite: for a statement whose one write, a single SQL statement
    /// with the default conflict resolution (ABORT), is the last thing it
    /// does that can fail. SQLite undoes such an SQL statement when it
    /// fails, and the transaction goes on. A savepoint would cost two more
    /// statements, and a copy of each page the write changes, every time.
    BySqlite,
}

/// Statements waiting for the writers' turn, each with its caller's id.
#[derive(Default)]
pub struct Queue {
    waiting: Mutex<Vec<(u64, Box<dyn Queued>)>>,
    next_id: AtomicU64,
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue").finish_non_exhaustive()
    }
}

/// A statement in the queue, and the caller waiting for its outcome.
trait Queued: Send {
    /// Runs the statement (in the batch's transaction).
    fn run(&mut self, conn: &Connection) -> rusqlite::Result<()>;
    /// How it is undone if it fails.
    fn undo(&self) -> Undo;
    /// Tells the caller how it ended.
    fn finish(self: Box<Self>, ending: Ending);
}

#[derive(Clone)]
enum Ending {
    Committed,
    Busy,
    Failed(AppError),
}

struct Statement<T, F> {
    statement: Option<F>,
    undo: Undo,
    result: Option<T>,
    reply: oneshot::Sender<Outcome<T>>,
}

impl<T, F> Queued for Statement<T, F>
where
    T: Send,
    F: FnOnce(&Connection) -> rusqlite::Result<T> + Send,
{
    fn run(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        if let Some(statement) = self.statement.take() {
            self.result = Some(statement(conn)?);
        }
        Ok(())
    }

    fn undo(&self) -> Undo {
        self.undo
    }

    fn finish(self: Box<Self>, ending: Ending) {
        let outcome = match (ending, self.result) {
            (Ending::Committed, Some(result)) => Outcome::Done(result),
            (Ending::Committed, None) => {
                Outcome::Failed(AppError::bug("a committed statement has no result"))
            }
            (Ending::Busy, _) => Outcome::Busy,
            (Ending::Failed(error), _) => Outcome::Failed(error),
        };
        // A caller gone (its request dropped) needs no answer.
        let _ = self.reply.send(outcome);
    }
}

/// A statement's place in the queue, taken back if its caller gives up
/// (its request dropped, or the turn not coming in time) before anyone ran
/// it.
pub struct Ticket<'a, T> {
    queue: &'a Queue,
    id: u64,
    outcome: oneshot::Receiver<Outcome<T>>,
}

impl Queue {
    /// Queues `statement`, undone if it fails as `undo` says; run it (and
    /// the rest) with [`Queue::run_all`] once the writers' turn is taken.
    pub fn push<T, F>(&self, undo: Undo, statement: F) -> Ticket<'_, T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let (reply, outcome) = oneshot::channel();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().push((
            id,
            Box::new(Statement {
                statement: Some(statement),
                undo,
                result: None,
                reply,
            }),
        ));
        Ticket {
            queue: self,
            id,
            outcome,
        }
    }

    /// Runs every queued statement, on `conn`, holding the writers' turn,
    /// in one transaction (even one alone: a statement may be several, and
    /// they take effect together or not at all). One that fails is undone
    /// alone ([`Undo`]), and only its caller is told so.
    pub fn run_all(&self, conn: &Connection) {
        let batch = std::mem::take(&mut *self.lock());
        if batch.is_empty() {
            return;
        }
        if let Err(err) = run_cached(conn, "BEGIN IMMEDIATE") {
            let ending = failed(&err);
            for (_, statement) in batch {
                statement.finish(ending.clone());
            }
            return;
        }
        let mut ran = Vec::with_capacity(batch.len());
        // The error that rolled the whole transaction back, if one did.
        let mut lost: Option<Ending> = None;
        for (_, mut statement) in batch {
            // Some errors (a full disk, an I/O error) roll the whole
            // transaction back: what would run after them would run
            // outside it, so nothing more does.
            let ending = if let Some(lost) = &lost {
                lost.clone()
            } else {
                let ran = match statement.undo() {
                    Undo::Savepoint => in_savepoint(conn, |conn| statement.run(conn)),
                    Undo::BySqlite => statement.run(conn),
                };
                match ran {
                    Ok(()) => Ending::Committed,
                    Err(err) => {
                        let ending = failed(&err);
                        if conn.is_autocommit() {
                            lost = Some(ending.clone());
                        }
                        ending
                    }
                }
            };
            ran.push((statement, ending));
        }
        let committed = if let Some(lost) = lost {
            lost
        } else {
            match run_cached(conn, "COMMIT") {
                Ok(()) => Ending::Committed,
                Err(err) => {
                    // Nothing of the batch stays: each caller is told it failed.
                    let _ = run_cached(conn, "ROLLBACK");
                    failed(&err)
                }
            }
        };
        for (statement, ending) in ran {
            statement.finish(match ending {
                Ending::Committed => committed.clone(),
                not_run => not_run,
            });
        }
    }

    /// Takes back the statement `id` if nobody has run it yet.
    fn withdraw(&self, id: u64) -> bool {
        let mut waiting = self.lock();
        let before = waiting.len();
        waiting.retain(|(queued, _)| *queued != id);
        waiting.len() < before
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(u64, Box<dyn Queued>)>> {
        // A panic while the queue was locked leaves it whole: nothing runs
        // under this lock but taking, adding and removing entries.
        self.waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Runs a statement without parameters, prepared once per connection as
/// every other statement of the writers' turn is.
fn run_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

/// Runs `run` within a savepoint, undone if `run` fails.
fn in_savepoint(
    conn: &Connection,
    run: impl FnOnce(&Connection) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    conn.prepare_cached("SAVEPOINT statement")?.execute([])?;
    let ran = run(conn);
    if ran.is_err() {
        conn.prepare_cached("ROLLBACK TO statement")?.execute([])?;
    }
    conn.prepare_cached("RELEASE statement")?.execute([])?;
    ran
}

/// Whether `err` says another connection holds a lock this one needed.
pub(super) fn is_busy(err: &rusqlite::Error) -> bool {
    err.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
}

/// How a batch ends when `err` stopped it: busy (another process holds
/// the write lock) or failed (logged, once, by the error's conversion).
fn failed(err: &rusqlite::Error) -> Ending {
    if is_busy(err) {
        Ending::Busy
    } else {
        Ending::Failed(AppError::from(clone_error(err)))
    }
}

/// rusqlite's errors are not `Clone`; what the conversion to [`AppError`]
/// reads of one (its code and message) is kept.
fn clone_error(err: &rusqlite::Error) -> rusqlite::Error {
    match err {
        rusqlite::Error::SqliteFailure(code, message) => {
            rusqlite::Error::SqliteFailure(*code, message.clone())
        }
        other => rusqlite::Error::ToSqlConversionFailure(other.to_string().into()),
    }
}

impl<T> Ticket<'_, T> {
    /// The outcome, if a turn before this one already ran the statement.
    pub fn ready(&mut self) -> Option<Outcome<T>> {
        self.outcome.try_recv().ok()
    }

    /// Gives up: takes the statement back if nobody has run it yet (true),
    /// else it is running or has run, and [`Ticket::outcome`] will tell.
    pub fn withdraw(&self) -> bool {
        self.queue.withdraw(self.id)
    }

    /// The outcome, once the statement has been run.
    pub async fn outcome(mut self) -> Outcome<T> {
        self.wait().await
    }

    /// The outcome, once the statement has been run; for a `select!`, the
    /// ticket kept.
    pub async fn wait(&mut self) -> Outcome<T> {
        (&mut self.outcome)
            .await
            .unwrap_or_else(|_| Outcome::Failed(AppError::bug("a queued statement was dropped")))
    }
}

impl<T> Drop for Ticket<'_, T> {
    /// A caller that goes away leaves nothing behind to be run later.
    fn drop(&mut self) {
        self.queue.withdraw(self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0);",
        )
        .unwrap();
        conn
    }

    fn add(amount: i64) -> impl FnOnce(&Connection) -> rusqlite::Result<i64> + Send + 'static {
        move |conn| {
            conn.query_row(
                "UPDATE counter SET n = n + ?1 RETURNING n",
                [amount],
                |row| row.get(0),
            )
        }
    }

    fn total(conn: &Connection) -> i64 {
        conn.query_row("SELECT n FROM counter", [], |row| row.get(0))
            .unwrap()
    }

    fn done<T>(outcome: Outcome<T>) -> Option<T> {
        match outcome {
            Outcome::Done(result) => Some(result),
            Outcome::Busy | Outcome::Failed(_) => None,
        }
    }

    #[tokio::test]
    async fn one_turn_runs_everything_queued_each_with_its_own_result() {
        let (conn, queue) = (counter(), Queue::default());
        let tickets = [
            queue.push(Undo::Savepoint, add(1)),
            queue.push(Undo::Savepoint, add(10)),
            queue.push(Undo::Savepoint, add(100)),
        ];
        queue.run_all(&conn);
        let mut results = Vec::new();
        for mut ticket in tickets {
            let outcome = ticket.ready().map(done);
            results.push(outcome.expect("run in that turn").expect("committed"));
        }
        assert_eq!(results, [1, 11, 111]);
        assert_eq!(total(&conn), 111);
    }

    #[tokio::test]
    async fn a_failed_statement_is_undone_alone() {
        let (conn, queue) = (counter(), Queue::default());
        let before = queue.push(Undo::Savepoint, add(1));
        // Changes the counter, then fails: its change must not stay.
        let bad = queue.push(Undo::Savepoint, |conn: &Connection| {
            conn.execute("UPDATE counter SET n = n + 1000", [])?;
            conn.execute("UPDATE nowhere SET n = 1", [])
        });
        let after = queue.push(Undo::Savepoint, add(10));
        queue.run_all(&conn);
        assert_eq!(done(before.outcome().await), Some(1));
        assert!(matches!(bad.outcome().await, Outcome::Failed(_)));
        assert_eq!(done(after.outcome().await), Some(11));
        assert_eq!(total(&conn), 11);
        assert!(conn.is_autocommit(), "no transaction left open");
    }

    #[tokio::test]
    async fn a_statement_alone_in_its_turn_is_undone_whole_when_a_part_fails() {
        let (conn, queue) = (counter(), Queue::default());
        let bad = queue.push(Undo::Savepoint, |conn: &Connection| {
            conn.execute("UPDATE counter SET n = n + 1000", [])?;
            conn.execute("UPDATE nowhere SET n = 1", [])
        });
        queue.run_all(&conn);
        assert!(matches!(bad.outcome().await, Outcome::Failed(_)));
        assert_eq!(total(&conn), 0);
        assert!(conn.is_autocommit(), "no transaction left open");
        let good = queue.push(Undo::Savepoint, add(5));
        queue.run_all(&conn);
        assert_eq!(done(good.outcome().await), Some(5));
    }

    #[tokio::test]
    async fn sqlite_undoes_alone_a_failed_statement_without_a_savepoint() {
        let (conn, queue) = (counter(), Queue::default());
        conn.execute_batch("CREATE TABLE small (n INTEGER NOT NULL CHECK (n < 10))")
            .unwrap();
        let before = queue.push(Undo::Savepoint, add(1));
        // One SQL statement that writes a row, then fails on the next: the
        // first row must not stay, nor the changes before and after it go.
        let bad = queue.push(Undo::BySqlite, |conn: &Connection| {
            conn.execute("INSERT INTO small (n) VALUES (1), (100)", [])
        });
        let after = queue.push(Undo::BySqlite, |conn: &Connection| {
            conn.execute("UPDATE counter SET n = n + 10", [])
        });
        queue.run_all(&conn);
        assert_eq!(done(before.outcome().await), Some(1));
        assert!(matches!(bad.outcome().await, Outcome::Failed(_)));
        assert_eq!(done(after.outcome().await), Some(1), "one row changed");
        assert_eq!(total(&conn), 11);
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM small", [], |row| row.get(0))
            .unwrap();
        assert_eq!(rows, 0);
        assert!(conn.is_autocommit(), "no transaction left open");
    }

    #[tokio::test]
    async fn a_statement_taken_back_or_dropped_is_never_run() {
        let (conn, queue) = (counter(), Queue::default());
        let taken_back = queue.push(Undo::Savepoint, add(1));
        assert!(taken_back.withdraw());
        drop(queue.push(Undo::Savepoint, add(10)));
        let kept = queue.push(Undo::Savepoint, add(100));
        queue.run_all(&conn);
        assert_eq!(done(kept.outcome().await), Some(100));
        assert_eq!(total(&conn), 100);
    }

    #[tokio::test]
    async fn another_process_holding_the_write_lock_makes_the_batch_busy() {
        let file = std::env::temp_dir().join(format!("batch-busy-{}.sqlite3", std::process::id()));
        let _ = std::fs::remove_file(&file);
        let conn = Connection::open(&file).unwrap();
        conn.busy_timeout(std::time::Duration::ZERO).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE counter (n INTEGER NOT NULL);
             INSERT INTO counter VALUES (0);",
        )
        .unwrap();
        let other = Connection::open(&file).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();

        let queue = Queue::default();
        for batch in [
            vec![queue.push(Undo::Savepoint, add(1))],
            vec![
                queue.push(Undo::Savepoint, add(1)),
                queue.push(Undo::Savepoint, add(1)),
            ],
        ] {
            queue.run_all(&conn);
            for ticket in batch {
                assert!(matches!(ticket.outcome().await, Outcome::Busy));
            }
        }
        other.execute_batch("ROLLBACK").unwrap();
        assert_eq!(total(&conn), 0);
        drop((conn, other));
        let _ = std::fs::remove_file(&file);
    }
}
