//! The history of changes: who changed which record, when, and each
//! field's value before and after (table `history`, migrations sqlite 0022,
//! postgres 0016). Every change a librarian makes on the site or an
//! operator makes by a command writes its entry in the transaction that
//! makes the change ([`record_change!`](crate::record_change)): the change
//! and its entry are committed together or not at all.

use crate::{
    db::Db,
    error::{AppError, Missing},
    model::{
        Change, ChangeAction, FieldChange, HistoryEntry, ListPage, RecordHistory, RecordKind, User,
    },
    on_reader,
    paging::{check_page, page_count},
};

/// Who makes a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A user signed in on the site.
    User { id: i64, username: String },
    /// An operator, by the command named (`locallibrary lend`).
    Command(&'static str),
}

impl Actor {
    pub fn user(user: &User) -> Actor {
        Actor::User {
            id: user.id,
            username: user.username.clone(),
        }
    }

    /// The account, for a change made on the site.
    pub fn account(&self) -> Option<i64> {
        match self {
            Actor::User { id, .. } => Some(*id),
            Actor::Command(_) => None,
        }
    }

    /// As the history names them.
    pub fn name(&self) -> String {
        match self {
            Actor::User { username, .. } => username.clone(),
            Actor::Command(command) => command.to_string(),
        }
    }
}

/// The fields whose values differ, of `(field, before, after)`: an update
/// lists only what it changed; a creation (all before `None`) or a
/// deletion (all after `None`) every field that has a value.
pub fn changed_fields(fields: Vec<(&str, Option<String>, Option<String>)>) -> Vec<FieldChange> {
    fields
        .into_iter()
        .filter(|(_, before, after)| before != after)
        .map(|(field, before, after)| FieldChange {
            field: field.to_string(),
            before,
            after,
        })
        .collect()
}

macro_rules! into_history {
    () => {
        "INSERT INTO history (at, actor_id, actor, action, kind, record_id, label, book_id, changes) "
    };
}

/// The head of a statement that adds entries: `at`, then [`columns`].
pub const INTO: &str = into_history!();

/// The fields a record's change changed, from its fields before (none:
/// created) and after (none: deleted), each a list of the same fields in
/// the same order.
pub fn record_changes(
    before: Option<Vec<(&str, Option<String>)>>,
    after: Option<Vec<(&str, Option<String>)>>,
) -> Vec<FieldChange> {
    let fields = match (before, after) {
        (Some(before), Some(after)) => before
            .into_iter()
            .zip(after)
            .map(|((field, was), (_, is))| (field, was, is))
            .collect(),
        (Some(before), None) => before.into_iter().map(|(f, was)| (f, was, None)).collect(),
        (None, Some(after)) => after.into_iter().map(|(f, is)| (f, None, is)).collect(),
        (None, None) => Vec::new(),
    };
    changed_fields(fields)
}

/// The statement [`record_change!`](crate::record_change) runs.
pub const INSERT: &str = concat!(
    into_history!(),
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
);

/// The columns bound to [`INSERT`], after `at`, as their values.
pub fn columns(
    actor: &Actor,
    change: &Change,
) -> (
    Option<i64>,
    String,
    &'static str,
    &'static str,
    String,
    String,
    Option<i64>,
    String,
) {
    let changes: Vec<(&str, Option<&str>, Option<&str>)> = change
        .changes
        .iter()
        .map(|c| (c.field.as_str(), c.before.as_deref(), c.after.as_deref()))
        .collect();
    (
        actor.account(),
        actor.name(),
        change.action.code(),
        change.kind.code(),
        change.record_id.clone(),
        change.label.clone(),
        change.book_id,
        serde_json::to_string(&changes).expect("strings serialise"),
    )
}

/// `record_change!(tx, actor, change)`: writes the history entry of
/// `change` (a [`Change`]) made by `actor` (an [`Actor`]) in the
/// transaction `tx`, which makes the change.
#[macro_export]
macro_rules! record_change {
    ($tx:ident, $actor:expr, $change:expr) => {{
        let (account, actor, action, kind, record_id, label, book_id, changes) =
            $crate::history::columns($actor, $change);
        ::sqlx::query($crate::history::INSERT)
            .bind($crate::history::now_millis())
            .bind(account)
            .bind(actor)
            .bind(action)
            .bind(kind)
            .bind(record_id)
            .bind(label)
            .bind(book_id)
            .bind(changes)
            .execute(&mut *$tx)
            .await
    }};
}

pub fn now_millis() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Whose history a list shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Of {
    /// Every change, newest first.
    Everything,
    /// The changes of one record; a book's include its copies'.
    Record(RecordKind, String),
}

/// Entries per page.
pub const PER_PAGE: u32 = 25;

type Row = (
    i64,
    i64,
    Option<i64>,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    String,
);

const COLUMNS: &str = "id, at, actor_id, actor, action, kind, record_id, label, book_id, changes";

/// A page of the history, newest first.
pub async fn entries(db: &Db, of: &Of, page: u32) -> Result<ListPage<HistoryEntry>, AppError> {
    let (filter, id) = match of {
        // No record named (`$1` empty): every entry.
        Of::Everything => ("$1 = ''", String::new()),
        Of::Record(RecordKind::Book, id) => (
            "((kind = 'book' AND record_id = $1) OR book_id = CAST($1 AS BIGINT))",
            id.clone(),
        ),
        Of::Record(kind, id) => (
            match kind {
                RecordKind::Author => "kind = 'author' AND record_id = $1",
                RecordKind::Copy => "kind = 'copy' AND record_id = $1",
                RecordKind::Genre => "kind = 'genre' AND record_id = $1",
                RecordKind::Language => "kind = 'language' AND record_id = $1",
                RecordKind::Member => "kind = 'member' AND record_id = $1",
                RecordKind::Book => unreachable!("a book's history is above"),
            },
            id.clone(),
        ),
    };
    // Every filter names `$1`, the record's id, which is bound to each.
    let count = format!("SELECT COUNT(*) FROM history WHERE {filter}");
    let total: i64 = on_reader!(db, |conn| {
        sqlx::query_scalar(&count).bind(&id).fetch_one(conn).await
    })?;
    let pages = page_count(total, PER_PAGE);
    check_page(page, pages)?;
    let select = format!(
        "SELECT {COLUMNS} FROM history WHERE {filter}
         ORDER BY id DESC LIMIT $2 OFFSET $3"
    );
    let rows: Vec<Row> = on_reader!(db, |conn| {
        sqlx::query_as(&select)
            .bind(&id)
            .bind(i64::from(PER_PAGE))
            .bind(i64::from(page - 1) * i64::from(PER_PAGE))
            .fetch_all(conn)
            .await
    })?;
    let items = rows
        .into_iter()
        .map(entry)
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(ListPage {
        items,
        page,
        pages,
        total,
        per_page: PER_PAGE,
    })
}

fn entry(
    (id, at, account, actor, action, kind, record_id, label, book_id, changes): Row,
) -> Result<HistoryEntry, AppError> {
    let bad = |what: &str| AppError::bug(format!("history entry {id}: {what}"));
    let changes: Vec<(String, Option<String>, Option<String>)> =
        serde_json::from_str(&changes).map_err(|_| bad("changes not a list"))?;
    Ok(HistoryEntry {
        id,
        at,
        actor,
        by_command: account.is_none(),
        change: Change {
            action: ChangeAction::from_code(&action).ok_or_else(|| bad("unknown action"))?,
            kind: RecordKind::from_code(&kind).ok_or_else(|| bad("unknown kind"))?,
            record_id,
            label,
            book_id,
            changes: changes
                .into_iter()
                .map(|(field, before, after)| FieldChange {
                    field,
                    before,
                    after,
                })
                .collect(),
        },
    })
}

/// The history of the record `id` of `kind`, with its name: as it is, or,
/// for a record deleted since, as its last entry has it. A record with
/// neither is not found.
pub async fn of_record(
    db: &Db,
    kind: RecordKind,
    id: &str,
    page: u32,
) -> Result<RecordHistory, AppError> {
    let missing = || match kind {
        RecordKind::Book => Missing::Book(id.to_string()),
        RecordKind::Copy => Missing::Copy(id.to_string()),
        RecordKind::Author => Missing::Author(id.to_string()),
        RecordKind::Genre => Missing::Genre(id.to_string()),
        RecordKind::Language => Missing::Language(id.to_string()),
        RecordKind::Member => Missing::Member(id.to_string()),
    };
    let current = match kind {
        RecordKind::Book => "SELECT title FROM book WHERE id = $1",
        // A copy is named by its book (its id is its own, not a number).
        RecordKind::Copy => {
            "SELECT book.title FROM book_instance copy JOIN book ON book.id = copy.book_id
             WHERE copy.id = $1"
        }
        RecordKind::Author => "SELECT last_name || ', ' || first_name FROM author WHERE id = $1",
        RecordKind::Genre => "SELECT name FROM genre WHERE id = $1",
        RecordKind::Language => "SELECT name FROM language WHERE id = $1",
        RecordKind::Member => "SELECT username FROM account WHERE id = $1",
    };
    let name: Option<String> = if kind == RecordKind::Copy {
        on_reader!(db, |conn| {
            sqlx::query_scalar(current)
                .bind(id)
                .fetch_optional(conn)
                .await
        })?
    } else {
        let number: i64 = id.parse().map_err(|_| AppError::NotFound(missing()))?;
        on_reader!(db, |conn| {
            sqlx::query_scalar(current)
                .bind(number)
                .fetch_optional(conn)
                .await
        })?
    };
    let list = entries(db, &Of::Record(kind, id.to_string()), page).await?;
    let recorded = list
        .items
        .iter()
        .find(|entry| entry.change.kind == kind)
        .map(|entry| entry.change.label.clone());
    let name = name
        .or(recorded)
        .ok_or_else(|| AppError::NotFound(missing()))?;
    Ok(RecordHistory {
        kind,
        id: id.to_string(),
        name,
        list,
    })
}
