//! A librarian's changes to genres and languages: create, rename, delete.
//! A name is unique ignoring case ("fantasy" is refused beside "Fantasy",
//! the reference tutorial's constraint; the database holds to it too,
//! migrations sqlite 0024, postgres 0018). Deleting a genre takes it off
//! its books; a language some book is in is not deleted. Each change is one
//! transaction with its history entry; the version of the record guards a
//! rename against a change made since its form was opened.

use crate::{
    db::{Db, LOCK_CATALOG},
    error::{AppError, Missing},
    history::{record_changes, Actor},
    in_transaction,
    model::{Change, ChangeAction, RecordKind, Vocabulary, MAX_NAME_CHARS},
    problems::{Problem, Submitted},
    record_change,
};

/// The form as posted: the name, and the version it was opened at.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TermForm {
    pub name: String,
    pub version: String,
}

/// The name posted, checked: required, at most [`MAX_NAME_CHARS`], no
/// control characters. `Err`: the form as posted, with what is wrong.
pub fn read_form(posted: &TermForm) -> Result<String, Submitted> {
    let name = posted.name.trim().to_string();
    let mut form = as_posted(posted);
    if name.is_empty() {
        form.problem("name", Problem::Required);
    } else if name.chars().any(char::is_control) {
        form.problem("name", Problem::ControlCharacters);
    } else if name.chars().count() > MAX_NAME_CHARS {
        form.problem(
            "name",
            Problem::TooLong {
                max: MAX_NAME_CHARS,
            },
        );
    }
    if form.is_valid() {
        Ok(name)
    } else {
        Err(form)
    }
}

/// The form as posted (trimmed), to be shown again.
pub fn as_posted(posted: &TermForm) -> Submitted {
    Submitted {
        values: vec![("name".to_string(), posted.name.trim().to_string())],
        problems: Vec::new(),
    }
}

/// What a change of a genre or a language did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome<T> {
    Done(T),
    /// Not saved: the record changed since the form was opened.
    Stale,
    /// Not saved: another of its kind has this name, ignoring case.
    NameTaken,
    /// Not deleted: books are in this language.
    HasBooks,
}

struct Tables {
    table: &'static str,
    kind: RecordKind,
    missing: fn(String) -> Missing,
}

fn tables(vocabulary: Vocabulary) -> Tables {
    match vocabulary {
        Vocabulary::Genre => Tables {
            table: "genre",
            kind: RecordKind::Genre,
            missing: Missing::Genre,
        },
        Vocabulary::Language => Tables {
            table: "language",
            kind: RecordKind::Language,
            missing: Missing::Language,
        },
    }
}

/// The history's entry of a change of the term `id` named `before` (none:
/// created) and `after` (none: deleted).
fn change(
    kind: RecordKind,
    action: ChangeAction,
    id: i64,
    before: Option<&str>,
    after: Option<&str>,
) -> Change {
    let name = |name: Option<&str>| name.map(|name| vec![("name", Some(name.to_string()))]);
    Change {
        action,
        kind,
        record_id: id.to_string(),
        label: after.or(before).unwrap_or_default().to_string(),
        book_id: None,
        changes: record_changes(name(before), name(after)),
    }
}

/// `name_taken!(tx, table, name, id)`: whether another record of `table`
/// than `id` has `name`, ignoring case (Unicode's, not only SQLite's ASCII).
macro_rules! name_taken {
    ($tx:ident, $table:expr, $name:expr, $id:expr) => {{
        let names: Vec<(i64, String)> = sqlx::query_as(&format!("SELECT id, name FROM {}", $table))
            .fetch_all(&mut *$tx)
            .await?;
        let folded = $name.to_lowercase();
        names
            .iter()
            .any(|(other, name)| Some(*other) != $id && name.to_lowercase() == folded)
    }};
}

/// `stored!(tx, table, id, missing)`: the name and version of the record
/// `id` of `table`, the catalog locked first; a 404 (`missing`) if there
/// is none.
macro_rules! stored {
    ($tx:ident, $table:expr, $id:expr, $missing:expr) => {{
        sqlx::query(LOCK_CATALOG).execute(&mut *$tx).await?;
        let stored: Option<(String, i64)> = sqlx::query_as(&format!(
            "SELECT name, version FROM {} WHERE id = $1",
            $table
        ))
        .bind($id)
        .fetch_optional(&mut *$tx)
        .await?;
        match stored {
            Some(stored) => stored,
            None => return Err(AppError::NotFound($missing($id.to_string()))),
        }
    }};
}

/// Adds a genre (or language) named `name`; gives its id.
pub async fn create(
    db: &Db,
    actor: &Actor,
    vocabulary: Vocabulary,
    name: &str,
) -> Result<Outcome<i64>, AppError> {
    let Tables { table, kind, .. } = tables(vocabulary);
    in_transaction!(db, |tx| {
        sqlx::query(LOCK_CATALOG).execute(&mut *tx).await?;
        if name_taken!(tx, table, name, None) {
            return Ok(Outcome::NameTaken);
        }
        let id: i64 = sqlx::query_scalar(&format!(
            "INSERT INTO {table} (id, name) SELECT COALESCE(MAX(id), 0) + 1, $1 FROM {table}
             RETURNING id"
        ))
        .bind(name)
        .fetch_one(&mut *tx)
        .await?;
        record_change!(
            tx,
            actor,
            &change(kind, ChangeAction::Create, id, None, Some(name))
        )?;
        tx.commit().await?;
        Ok(Outcome::Done(id))
    })
}

/// Renames the genre (or language) `id`, if still at `version`; gives its
/// name before.
pub async fn rename(
    db: &Db,
    actor: &Actor,
    vocabulary: Vocabulary,
    id: i64,
    version: i64,
    name: &str,
) -> Result<Outcome<String>, AppError> {
    let Tables {
        table,
        kind,
        missing,
    } = tables(vocabulary);
    in_transaction!(db, |tx| {
        let (before, stored) = stored!(tx, table, id, missing);
        if stored != version {
            return Ok(Outcome::Stale);
        }
        if name_taken!(tx, table, name, Some(id)) {
            return Ok(Outcome::NameTaken);
        }
        sqlx::query(&format!(
            "UPDATE {table} SET name = $2 WHERE id = $1 AND version = $3"
        ))
        .bind(id)
        .bind(name)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        record_change!(
            tx,
            actor,
            &change(kind, ChangeAction::Update, id, Some(&before), Some(name))
        )?;
        tx.commit().await?;
        Ok(Outcome::Done(before))
    })
}

/// Deletes the genre (taken off its books) or the language (only if no
/// book is in it) `id`; gives its name.
pub async fn delete(
    db: &Db,
    actor: &Actor,
    vocabulary: Vocabulary,
    id: i64,
) -> Result<Outcome<String>, AppError> {
    let Tables {
        table,
        kind,
        missing,
    } = tables(vocabulary);
    in_transaction!(db, |tx| {
        let (name, _) = stored!(tx, table, id, missing);
        if vocabulary == Vocabulary::Language {
            let books: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM book WHERE language_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            if books > 0 {
                return Ok(Outcome::HasBooks);
            }
        }
        // A genre comes off its books first: the links are its own rows.
        if vocabulary == Vocabulary::Genre {
            sqlx::query("DELETE FROM book_genre WHERE genre_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(&format!("DELETE FROM {table} WHERE id = $1"))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record_change!(
            tx,
            actor,
            &change(kind, ChangeAction::Delete, id, Some(&name), None)
        )?;
        tx.commit().await?;
        Ok(Outcome::Done(name))
    })
}

/// A genre (or language) as its edit form shows it: name and version.
pub async fn term(db: &Db, vocabulary: Vocabulary, id: i64) -> Result<(String, i64), AppError> {
    let Tables { table, missing, .. } = tables(vocabulary);
    let row: Option<(String, i64)> = crate::on_reader!(db, |conn| {
        sqlx::query_as(&format!("SELECT name, version FROM {table} WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await
    })?;
    row.ok_or_else(|| AppError::NotFound(missing(id.to_string())))
}
