//! Group commit of page views' writes, on SQLite and PostgreSQL alike.
//!
//! Every view of the home page by a browser that keeps cookies writes: it
//! counts the view, or stores the session its first view's cookie names
//! (`session::first_view`) with both views counted. A commit costs about the same
//! whatever it holds (SQLite: its file locks and a log write; PostgreSQL:
//! a round trip and a flush of its log to disk), so views do not each
//! commit: they hand their write to one task, which takes every write
//! handed over meanwhile (up to [`MAX_BATCH`]) and runs them together, each
//! kind as one statement over all of them, then answers each view. Under
//! load a batch holds many views; alone, a view is a batch of one.
//!
//! A write is data ([`ViewWrite`]), not code: a batch is a fixed set of
//! statements, each atomic, in one transaction when it has more than one
//! that writes. So a batch commits whole or not at all and no view's write
//! can be half done: a failure fails every view of the batch (it can only
//! be an outage or a bug, which each would have met alone), and each is
//! told so. Being a task of its own, a batch is never cut short by a
//! request that goes away.

use std::{collections::HashMap, future::Future};

use tokio::sync::{mpsc, oneshot};

use crate::{
    dates::unix_millis,
    error::AppError,
    language::Locale,
    model::{CatalogCounts, User},
};

/// A page view's write.
#[derive(Clone, Debug)]
pub enum ViewWrite {
    /// Count a view in the session `session_id`, if it is live (a session
    /// without a state row yet gets one).
    Count { session_id: String },
    /// A second view, which brought back the first view's cookie: store
    /// the record of the session it names (data as JSON, expiry in Unix
    /// milliseconds), counting the first view with it, unless it is stored
    /// already (by a view that came back at the same moment); then count
    /// this view as [`ViewWrite::Count`] does.
    Confirm {
        session_id: String,
        data: Vec<u8>,
        expiry: i64,
    },
}

/// What a view's write did, and the catalog's figures as it committed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// `None`: nothing was written (the session is not live).
    pub state: Option<SessionRow>,
    pub counts: CatalogCounts,
}

/// A session's state, after a view was counted in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    /// Views so far, this one included.
    pub visits: i64,
    /// When the session's expiry was last pushed back (Unix milliseconds).
    pub renewed_at: i64,
    pub per_page: Option<i64>,
    pub notice_dismissed: bool,
    /// The language chosen, if any (one no longer offered reads as none).
    pub language: Option<Locale>,
    /// Who the session is signed in as (an inactive user: nobody).
    pub user: Option<User>,
}

/// How many writes one batch takes at most: its statements then have a few
/// hundred parameters, well within either database's limits.
pub const MAX_BATCH: usize = 256;

type Reply = oneshot::Sender<Result<Written, AppError>>;

/// Where views hand their writes over. The task that runs them ends once
/// every handle is gone.
#[derive(Clone, Debug)]
pub struct ViewWrites {
    queue: mpsc::UnboundedSender<(ViewWrite, Reply)>,
    runners: std::sync::Arc<Vec<tokio::task::AbortHandle>>,
}

/// What runs a batch's statements on the database: one connection at a
/// time, kept from one batch to the next where it can be.
pub trait Runner: Send + 'static {
    fn run(
        &mut self,
        statements: Statements,
    ) -> impl Future<Output = Result<Rows, sqlx::Error>> + Send + '_;
}

impl ViewWrites {
    /// Starts a task per runner, each taking the writes handed over while
    /// the batch before ran: with several, one batch can run while another
    /// waits for its commit to reach the disk.
    pub fn start<R: Runner>(runners: Vec<R>) -> ViewWrites {
        let (queue, writes) = mpsc::unbounded_channel::<(ViewWrite, Reply)>();
        let writes = std::sync::Arc::new(tokio::sync::Mutex::new(writes));
        let mut handles = Vec::new();
        for mut runner in runners {
            let writes = std::sync::Arc::clone(&writes);
            let task = tokio::spawn(async move {
                let mut batch = Vec::new();
                loop {
                    let mut queue = writes.lock().await;
                    if queue.recv_many(&mut batch, MAX_BATCH).await == 0 {
                        break;
                    }
                    // The requests this thread has ready hand their writes
                    // over too, to share the commit, before the batch runs.
                    tokio::task::yield_now().await;
                    while batch.len() < MAX_BATCH {
                        match queue.try_recv() {
                            Ok(write) => batch.push(write),
                            Err(_) => break,
                        }
                    }
                    drop(queue);
                    metrics::histogram!("locallibrary_view_write_batch_size")
                        .record(batch.len() as f64);
                    let batch = std::mem::take(&mut batch);
                    let (statements, wanted) = Statements::of(&batch);
                    let rows = runner.run(statements).await;
                    answer(batch, wanted, rows);
                }
            });
            handles.push(task.abort_handle());
        }
        ViewWrites {
            queue,
            runners: std::sync::Arc::new(handles),
        }
    }

    /// Stops the tasks, which let go of their connections (a pool being
    /// closed waits for them); writes handed over later fail.
    pub fn stop(&self) {
        for runner in self.runners.iter() {
            runner.abort();
        }
    }

    /// Hands `write` over and waits for it to be committed.
    pub async fn write(&self, write: ViewWrite) -> Result<Written, AppError> {
        let began = std::time::Instant::now();
        let (reply, written) = oneshot::channel();
        if self.queue.send((write, reply)).is_err() {
            return Err(AppError::bug("the task that writes page views has stopped"));
        }
        let written = written
            .await
            .unwrap_or_else(|_| Err(AppError::bug("a page view's write went unanswered")));
        metrics::histogram!("locallibrary_view_write_duration_seconds")
            .record(began.elapsed().as_secs_f64());
        written
    }
}

/// One batch's statements, with their parameters.
#[derive(Debug, PartialEq)]
pub struct Statements {
    /// Each session counted in the batch, once, with its views in it.
    pub counted: Vec<(String, i64)>,
    /// Sessions to store first, once each: id, record data, expiry.
    pub confirmed: Vec<(String, Vec<u8>, i64)>,
    /// Now, in Unix seconds and milliseconds.
    pub now_secs: i64,
    pub now_millis: i64,
}

/// A counted session's row, with the catalog's figures and the user it is
/// signed in as.
#[derive(Debug, sqlx::FromRow)]
pub struct CountedRow {
    pub session_id: String,
    pub visits: i64,
    pub renewed_at: i64,
    pub per_page: Option<i64>,
    pub notice_dismissed: bool,
    pub language: Option<String>,
    pub books: i64,
    pub copies: i64,
    pub copies_available: i64,
    pub authors: i64,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub librarian: Option<bool>,
}

/// What a batch's statements gave.
#[derive(Debug, Default)]
pub struct Rows {
    pub counted: Vec<CountedRow>,
    /// The catalog's figures: books, copies, copies available, authors.
    pub counts: (i64, i64, i64, i64),
}

impl Statements {
    /// The statements for `batch`; the second part says, for each write,
    /// which view of its session it is (0 for the first).
    fn of(batch: &[(ViewWrite, Reply)]) -> (Statements, Vec<i64>) {
        let now = time::OffsetDateTime::now_utc();
        let mut views: HashMap<&str, usize> = HashMap::new();
        let mut counted: Vec<(String, i64)> = Vec::new();
        let mut confirmed: Vec<(String, Vec<u8>, i64)> = Vec::new();
        let mut wanted = Vec::with_capacity(batch.len());
        for (write, _) in batch {
            let session_id = write.session_id();
            let at = *views.entry(session_id).or_insert_with(|| {
                counted.push((session_id.to_owned(), 0));
                counted.len() - 1
            });
            wanted.push(counted[at].1);
            counted[at].1 += 1;
            if let ViewWrite::Confirm {
                session_id,
                data,
                expiry,
            } = write
            {
                if !confirmed.iter().any(|(id, ..)| id == session_id) {
                    confirmed.push((session_id.clone(), data.clone(), *expiry));
                }
            }
        }
        let statements = Statements {
            counted,
            confirmed,
            now_secs: now.unix_timestamp(),
            now_millis: unix_millis(now),
        };
        (statements, wanted)
    }

    /// Whether the batch writes with more than one statement (and so must
    /// run in a transaction to commit whole).
    pub fn needs_transaction(&self) -> bool {
        !self.confirmed.is_empty()
    }
}

impl ViewWrite {
    fn session_id(&self) -> &str {
        match self {
            ViewWrite::Count { session_id } | ViewWrite::Confirm { session_id, .. } => session_id,
        }
    }
}

/// Tells each view of `batch` what its write did.
fn answer(batch: Vec<(ViewWrite, Reply)>, wanted: Vec<i64>, rows: Result<Rows, sqlx::Error>) {
    let rows = match rows {
        Ok(rows) => rows,
        Err(err) => {
            // Logged once, here, for the whole batch.
            let error = AppError::database(&err);
            for (_, reply) in batch {
                let _ = reply.send(Err(error.clone()));
            }
            return;
        }
    };
    let (books, copies, copies_available, authors) = rows.counts;
    let counts = CatalogCounts {
        books,
        copies,
        copies_available,
        authors,
    };
    let counted: HashMap<&str, SessionRow> = rows
        .counted
        .iter()
        .map(
            |CountedRow {
                 session_id,
                 visits,
                 renewed_at,
                 per_page,
                 notice_dismissed,
                 language,
                 user_id,
                 username,
                 librarian,
                 ..
             }| {
                let row = SessionRow {
                    visits: *visits,
                    renewed_at: *renewed_at,
                    per_page: *per_page,
                    notice_dismissed: *notice_dismissed,
                    language: language.as_deref().and_then(crate::language::from_tag),
                    user: User::from_columns(*user_id, username.clone(), *librarian),
                };
                (session_id.as_str(), row)
            },
        )
        .collect();
    let (writes, replies): (Vec<ViewWrite>, Vec<Reply>) = batch.into_iter().unzip();
    let mut views_in: HashMap<&str, i64> = HashMap::new();
    for write in &writes {
        *views_in.entry(write.session_id()).or_default() += 1;
    }
    for ((write, reply), nth) in writes.iter().zip(replies).zip(wanted) {
        // The session's views of this batch take the numbers after the
        // count it had before (a first view stored with it included), in
        // the order they came.
        let session_id = write.session_id();
        let state = counted.get(session_id).map(|row| {
            let before = row.visits - views_in[session_id];
            SessionRow {
                visits: before + nth + 1,
                ..row.clone()
            }
        });
        let _ = reply.send(Ok(Written { state, counts }));
    }
}

/// The statements' text for `n` rows (padded to a power of two with rows
/// that match nothing, so that a few texts serve every size and each is
/// prepared once per connection).
pub fn padded(n: usize) -> usize {
    n.max(1).next_power_of_two()
}

/// Counts the views of the sessions `$1, $3, …` (views `$2, $4, …`) that
/// are live at `$(2n+2)` (Unix milliseconds), creating a state row where
/// there is none (created at `$(2n+1)`, Unix seconds).
pub fn count_sql(n: usize) -> String {
    let rows: Vec<String> = (0..n)
        .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
        .collect();
    let (secs, millis) = (2 * n + 1, 2 * n + 2);
    format!(
        "WITH batch (session_id, views) AS (VALUES {})
         INSERT INTO session_state (session_id, visits, confirmed, created_at, renewed_at)
         SELECT record.id, batch.views, TRUE, ${secs}, ${millis}
         FROM batch JOIN tower_sessions record ON record.id = batch.session_id
         WHERE record.expiry_date > ${millis}
         ON CONFLICT (session_id) DO UPDATE
            SET visits = session_state.visits + excluded.visits, confirmed = TRUE
         RETURNING session_id, visits, renewed_at, per_page, notice_dismissed, language,
            {FIGURES}, {USER}",
        rows.join(", ")
    )
}

/// The catalog's figures as `RETURNING` columns: the count comes back with
/// them, where a statement of their own would be one more hand-over to
/// the database per batch (for SQLite, to its connection's thread and
/// back).
const FIGURES: &str = "(SELECT books FROM catalog_counts) AS books,
     (SELECT copies FROM catalog_counts) AS copies,
     (SELECT copies_available FROM catalog_counts) AS copies_available,
     (SELECT authors FROM catalog_counts) AS authors";

/// The user the session is signed in as, if active, as `RETURNING`
/// columns (NULL for nobody): the layout shows their name.
const USER: &str = "(SELECT id FROM account
        WHERE account.id = session_state.account_id AND account.is_active) AS user_id,
     (SELECT username FROM account
        WHERE account.id = session_state.account_id AND account.is_active) AS username,
     (SELECT is_librarian FROM account
        WHERE account.id = session_state.account_id AND account.is_active) AS librarian";

/// Stores the session records `($1, $2, $3), …` (id, data, expiry) whose
/// ids are free, and gives those ids.
pub fn confirm_records_sql(n: usize) -> String {
    let rows: Vec<String> = (0..n)
        .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
        .collect();
    format!(
        "WITH batch (id, data, expiry_date) AS (VALUES {})
         INSERT INTO tower_sessions (id, data, expiry_date)
         SELECT id, data, expiry_date FROM batch WHERE id IS NOT NULL
         ON CONFLICT (id) DO NOTHING
         RETURNING id",
        rows.join(", ")
    )
}

/// The catalog's figures, for a batch that counted no view.
pub const COUNTS_SQL: &str = "SELECT books, copies, copies_available, authors FROM catalog_counts";

/// `run_view_writes!(conn, statements)`: runs a batch's statements on
/// `conn` (a `&mut` connection of either database) and gives its [`Rows`].
/// A macro, as the database macros are: the same code for each database.
#[macro_export]
macro_rules! run_view_writes {
    ($conn:expr, $statements:expr) => {
        async {
            let statements: $crate::db::views::Statements = $statements;
            let conn = $conn;
            if statements.needs_transaction() {
                let mut tx = ::sqlx::Connection::begin(&mut *conn).await?;
                let rows = $crate::run_view_writes!(@statements &mut *tx, statements);
                tx.commit().await?;
                Ok::<_, ::sqlx::Error>(rows)
            } else {
                Ok($crate::run_view_writes!(@statements &mut *conn, statements))
            }
        }
    };
    (@statements $on:expr, $statements:expr) => {{
        let statements = &$statements;
        let mut rows = $crate::db::views::Rows::default();
        // The sessions stored now: each counts its first view too.
        let mut stored: Vec<String> = Vec::new();
        if !statements.confirmed.is_empty() {
            let n = $crate::db::views::padded(statements.confirmed.len());
            let sql = $crate::db::views::confirm_records_sql(n);
            let mut query = ::sqlx::query_scalar(&sql);
            for i in 0..n {
                let row = statements.confirmed.get(i);
                query = query
                    .bind(row.map(|(id, _, _)| id.as_str()))
                    .bind(row.map(|(_, data, _)| data.as_slice()))
                    .bind(row.map(|(_, _, expiry)| *expiry));
            }
            stored = query.fetch_all(&mut *$on).await?;
        }
        if !statements.counted.is_empty() {
            let n = $crate::db::views::padded(statements.counted.len());
            let sql = $crate::db::views::count_sql(n);
            let mut query = ::sqlx::query_as(&sql);
            for i in 0..n {
                let row = statements.counted.get(i);
                query = query.bind(row.map(|(id, _)| id.as_str())).bind(row.map_or(
                    0,
                    |(id, views)| *views + i64::from(stored.contains(id)),
                ));
            }
            rows.counted = query
                .bind(statements.now_secs)
                .bind(statements.now_millis)
                .fetch_all(&mut *$on)
                .await?;
        }
        rows.counts = match rows.counted.first() {
            Some(row) => (row.books, row.copies, row.copies_available, row.authors),
            None => {
                ::sqlx::query_as($crate::db::views::COUNTS_SQL)
                    .fetch_one(&mut *$on)
                    .await?
            }
        };
        rows
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(id: &str) -> (ViewWrite, Reply) {
        let (reply, _) = oneshot::channel();
        let write = ViewWrite::Count {
            session_id: id.to_string(),
        };
        (write, reply)
    }

    #[test]
    fn a_batch_counts_each_session_once_with_all_its_views() {
        let batch = [write("a"), write("b"), write("a"), write("a")];
        let (statements, wanted) = Statements::of(&batch);
        assert_eq!(
            statements.counted,
            [("a".to_string(), 3), ("b".to_string(), 1)]
        );
        assert_eq!(wanted, [0, 0, 1, 2]);
        assert!(!statements.needs_transaction());
    }

    #[tokio::test]
    async fn views_of_one_session_in_a_batch_take_the_numbers_in_turn() {
        let (mut replies, mut batch) = (Vec::new(), Vec::new());
        for id in ["a", "b", "a"] {
            let (reply, answer) = oneshot::channel();
            batch.push((
                ViewWrite::Count {
                    session_id: id.to_string(),
                },
                reply,
            ));
            replies.push(answer);
        }
        let (_, wanted) = Statements::of(&batch);
        let rows = Rows {
            // After the batch: a at 12 (was 10), b at 5 (was 4).
            counted: vec![
                row("a", 12, None, None),
                row("b", 5, Some("zh-TW"), Some((7, "bob"))),
            ],
            counts: (20, 50, 23, 10),
        };
        answer(batch, wanted, Ok(rows));
        let mut visits = Vec::new();
        let mut languages = Vec::new();
        let mut users = Vec::new();
        for reply in replies {
            let written = reply.await.unwrap().unwrap();
            assert_eq!(written.counts.books, 20);
            let state = written.state.unwrap();
            visits.push(state.visits);
            languages.push(state.language);
            users.push(state.user.map(|user| user.username));
        }
        assert_eq!(visits, [11, 5, 12]);
        assert_eq!(languages, [None, Some(Locale::zh_TW), None]);
        assert_eq!(users, [None, Some("bob".to_string()), None]);
    }

    /// A counted session's row, with the figures 20, 50, 23, 10.
    fn row(id: &str, visits: i64, language: Option<&str>, user: Option<(i64, &str)>) -> CountedRow {
        CountedRow {
            session_id: id.to_string(),
            visits,
            renewed_at: 0,
            per_page: None,
            notice_dismissed: false,
            language: language.map(str::to_string),
            books: 20,
            copies: 50,
            copies_available: 23,
            authors: 10,
            user_id: user.map(|(id, _)| id),
            username: user.map(|(_, name)| name.to_string()),
            librarian: user.map(|_| false),
        }
    }

    #[test]
    fn statement_texts_number_their_parameters_in_order() {
        let sql = count_sql(2);
        assert!(sql.contains("VALUES ($1, $2), ($3, $4)"), "{sql}");
        assert!(sql.contains("$5, $6"), "{sql}");
        let sql = confirm_records_sql(2);
        assert!(sql.contains("VALUES ($1, $2, $3), ($4, $5, $6)"), "{sql}");
        assert_eq!(
            (padded(0), padded(1), padded(3), padded(200)),
            (1, 1, 4, 256)
        );
    }
}
