//! A librarian's changes to a book's copies: add several at once, edit
//! one (imprint, status), delete one. A copy on loan keeps its status
//! until it is taken back (`loans::take_back`), and is never deleted: its
//! loan is a member's record. Each change is one transaction under the
//! catalog's lock, with its history entry; the database keeps the
//! figures, the catalog's version and the copy's own (their triggers).

use crate::{
    db::{Db, LOCK_CATALOG},
    error::{AppError, Missing},
    history::{changed_fields, Actor},
    in_transaction,
    model::{Change, ChangeAction, CopyStatus, RecordKind, MAX_IMPRINT_CHARS, MAX_NEW_COPIES},
    problems::{Problem, Submitted},
    record_change,
};

use super::NotDeleted;

/// The copy form as posted.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CopyForm {
    pub imprint: String,
    /// The status's code: `a`, `m` or `r` (`o`, on loan, only by lending).
    pub status: String,
    /// How many copies to add (the form for new copies only).
    pub count: String,
    /// The version of the copy the edit form was opened at.
    pub version: String,
}

/// A copy's fields as the form gives them, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyFields {
    pub imprint: String,
    pub status: CopyStatus,
    /// How many (1 for an edit).
    pub count: u32,
}

/// The form as posted (trimmed), to be shown again; no problem yet.
pub fn as_posted(posted: &CopyForm) -> Submitted {
    Submitted {
        values: [
            ("imprint", &posted.imprint),
            ("status", &posted.status),
            ("count", &posted.count),
        ]
        .iter()
        .map(|(name, value)| (name.to_string(), value.trim().to_string()))
        .collect(),
        problems: Vec::new(),
    }
}

/// Reads a copy from the form: an imprint (required, one line, at most
/// [`MAX_IMPRINT_CHARS`]), a status a librarian may set (available, in
/// maintenance, reserved), and for new copies how many, 1 to
/// [`MAX_NEW_COPIES`] (empty: one).
pub fn read_form(posted: &CopyForm, new: bool) -> Result<CopyFields, Submitted> {
    let mut form = as_posted(posted);
    let imprint = posted.imprint.trim().to_string();
    if imprint.is_empty() {
        form.problem("imprint", Problem::Required);
    } else if imprint.chars().any(char::is_control) {
        form.problem("imprint", Problem::ControlCharacters);
    } else if imprint.chars().count() > MAX_IMPRINT_CHARS {
        let max = MAX_IMPRINT_CHARS;
        form.problem("imprint", Problem::TooLong { max });
    }
    // On loan: only as an edit of a copy that is (whose form says so).
    let status = CopyStatus::from_code(posted.status.trim())
        .filter(|status| !new || *status != CopyStatus::OnLoan);
    if status.is_none() {
        form.problem("status", Problem::UnknownChoice);
    }
    let count = match posted.count.trim() {
        "" => Some(1),
        text => text
            .parse::<u32>()
            .ok()
            .filter(|count| (1..=MAX_NEW_COPIES).contains(count)),
    };
    if new && count.is_none() {
        let max = MAX_NEW_COPIES;
        form.problem("count", Problem::CountOutOfRange { max });
    }
    match (status, form.is_valid()) {
        (Some(status), true) => Ok(CopyFields {
            imprint,
            status,
            count: if new { count.unwrap_or(1) } else { 1 },
        }),
        _ => Err(form),
    }
}

/// The history's entry of a change of the copy `id` of the book
/// `book` (`(title, id)`), from `before` to `after` (imprint, status).
fn change(
    action: ChangeAction,
    id: &str,
    (title, book): (String, i64),
    before: Option<(&str, CopyStatus)>,
    after: Option<(&str, CopyStatus)>,
) -> Change {
    let imprint =
        |fields: Option<(&str, CopyStatus)>| fields.map(|(imprint, _)| imprint.to_string());
    let status =
        |fields: Option<(&str, CopyStatus)>| fields.map(|(_, status)| status.code().to_string());
    Change {
        action,
        kind: RecordKind::Copy,
        record_id: id.to_string(),
        label: title,
        book_id: Some(book),
        changes: changed_fields(vec![
            ("imprint", imprint(before), imprint(after)),
            ("status", status(before), status(after)),
        ]),
    }
}

/// The copy `id` as stored: imprint, status's code, version, its book's
/// title and id (in the transaction `$tx`).
macro_rules! stored_copy {
    ($tx:ident, $id:expr) => {{
        let row: Option<(String, String, i64, String, i64)> = sqlx::query_as(
            "SELECT copy.imprint, copy.status, copy.version, book.title, book.id
             FROM book_instance copy JOIN book ON book.id = copy.book_id
             WHERE copy.id = $1",
        )
        .bind($id)
        .fetch_optional(&mut *$tx)
        .await?;
        row.and_then(|(imprint, status, version, title, book)| {
            Some((
                imprint,
                CopyStatus::from_code(&status)?,
                version,
                title,
                book,
            ))
        })
    }};
}

/// Adds `fields.count` copies of the book `book`; gives their ids and the
/// book's title (a 404 if there is no such book).
pub async fn add(
    db: &Db,
    actor: &Actor,
    book: i64,
    fields: &CopyFields,
) -> Result<(Vec<String>, String), AppError> {
    in_transaction!(db, |tx| {
        sqlx::query(LOCK_CATALOG).execute(&mut *tx).await?;
        let title: Option<String> = sqlx::query_scalar("SELECT title FROM book WHERE id = $1")
            .bind(book)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(title) = title else {
            return Err(AppError::NotFound(Missing::Book(book.to_string())));
        };
        let mut ids = Vec::new();
        for _ in 0..fields.count {
            let id = uuid::Uuid::new_v4().to_string();
            sqlx::query(
                "INSERT INTO book_instance (id, book_id, imprint, status) VALUES ($1, $2, $3, $4)",
            )
            .bind(&id)
            .bind(book)
            .bind(&fields.imprint)
            .bind(fields.status.code())
            .execute(&mut *tx)
            .await?;
            let after = Some((fields.imprint.as_str(), fields.status));
            let entry = change(
                ChangeAction::Create,
                &id,
                (title.clone(), book),
                None,
                after,
            );
            record_change!(tx, actor, &entry)?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok((ids, title))
    })
}

/// What an edit of a copy did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edited {
    /// Saved: the book's id and title.
    Saved(i64, String),
    /// The copy changed since the form was opened.
    Stale,
    /// A status to or from on loan: only lending and taking back do that.
    LoanStatus,
}

/// Changes the copy `id` (imprint, status), if still at `version`; a copy
/// on loan keeps its status (its imprint may be corrected), and none is
/// put on loan here.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: &str,
    version: i64,
    fields: &CopyFields,
) -> Result<Edited, AppError> {
    in_transaction!(db, |tx| {
        sqlx::query(LOCK_CATALOG).execute(&mut *tx).await?;
        let Some((imprint, status, stored, title, book)) = stored_copy!(tx, id) else {
            return Err(AppError::NotFound(Missing::Copy(id.to_string())));
        };
        if stored != version {
            return Ok(Edited::Stale);
        }
        // Only lending puts a copy on loan and only taking it back ends
        // one: never this form (a loan is a member's record).
        if (status == CopyStatus::OnLoan) != (fields.status == CopyStatus::OnLoan) {
            return Ok(Edited::LoanStatus);
        }
        if imprint == fields.imprint && status == fields.status {
            return Ok(Edited::Saved(book, title));
        }
        let changed = sqlx::query(
            "UPDATE book_instance SET imprint = $2, status = $3 WHERE id = $1 AND version = $4",
        )
        .bind(id)
        .bind(&fields.imprint)
        .bind(fields.status.code())
        .bind(version)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Ok(Edited::Stale);
        }
        let entry = change(
            ChangeAction::Update,
            id,
            (title.clone(), book),
            Some((imprint.as_str(), status)),
            Some((fields.imprint.as_str(), fields.status)),
        );
        record_change!(tx, actor, &entry)?;
        tx.commit().await?;
        Ok(Edited::Saved(book, title))
    })
}

/// Deletes the copy `id`, unless it is on loan ([`NotDeleted::InUse`]);
/// gives its book's id and title.
pub async fn delete(db: &Db, actor: &Actor, id: &str) -> Result<(i64, String), NotDeleted> {
    in_transaction!(db, |tx| {
        sqlx::query(LOCK_CATALOG).execute(&mut *tx).await?;
        let Some((imprint, status, _, title, book)) = stored_copy!(tx, id) else {
            let missing = AppError::NotFound(Missing::Copy(id.to_string()));
            return Err(NotDeleted::Failed(missing));
        };
        if status == CopyStatus::OnLoan {
            return Err(NotDeleted::InUse);
        }
        sqlx::query("DELETE FROM book_instance WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let before = Some((imprint.as_str(), status));
        let entry = change(
            ChangeAction::Delete,
            id,
            (title.clone(), book),
            before,
            None,
        );
        record_change!(tx, actor, &entry)?;
        tx.commit().await?;
        Ok((book, title))
    })
}

/// The copy `id`'s version, as its edit form carries it.
pub async fn version(db: &Db, id: &str) -> Result<i64, AppError> {
    let version: Option<i64> = crate::on_reader!(db, |conn| {
        sqlx::query_scalar("SELECT version FROM book_instance WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await
    })?;
    version.ok_or_else(|| AppError::NotFound(Missing::Copy(id.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(imprint: &str, status: &str, count: &str) -> CopyForm {
        CopyForm {
            imprint: imprint.into(),
            status: status.into(),
            count: count.into(),
            version: String::new(),
        }
    }

    #[test]
    fn copies_need_an_imprint_a_status_to_set_and_a_sensible_count() {
        assert_eq!(
            read_form(&form(" Ace, 1990 ", "a", "3"), true),
            Ok(CopyFields {
                imprint: "Ace, 1990".into(),
                status: CopyStatus::Available,
                count: 3,
            })
        );
        assert_eq!(read_form(&form("Ace", "m", ""), true).unwrap().count, 1);
        let problems = |posted: CopyForm, new| read_form(&posted, new).unwrap_err().problems;
        assert_eq!(
            problems(form("", "o", "0"), true),
            [
                ("imprint", Problem::Required),
                ("status", Problem::UnknownChoice),
                ("count", Problem::CountOutOfRange { max: 20 }),
            ]
        );
        assert_eq!(
            problems(form("A\tB", "x", "21"), true),
            [
                ("imprint", Problem::ControlCharacters),
                ("status", Problem::UnknownChoice),
                ("count", Problem::CountOutOfRange { max: 20 }),
            ]
        );
        // An edit has no count.
        assert!(read_form(&form("Ace", "r", "many"), false).is_ok());
        // The edit of a copy on loan says so; new copies are never lent.
        assert!(read_form(&form("Ace", "o", ""), false).is_ok());
    }
}
