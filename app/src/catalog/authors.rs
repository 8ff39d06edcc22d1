//! A librarian's changes to authors: create, update, delete. Each is one
//! transaction with the home page's figures, the catalog's version (every
//! kept page is keyed by it) and the author list's order; the search
//! index follows by its triggers.

use time::Date;

use crate::{
    catalog::{positions, NotDeleted},
    dates::{iso_date, parse_date},
    db::{Db, LOCK_CATALOG},
    error::{AppError, Missing},
    history::{record_changes, Actor},
    in_transaction,
    model::{Change, ChangeAction, RecordKind},
    problems::{Problem, Submitted},
    record_change,
};

pub use crate::model::MAX_NAME_CHARS;

/// The form as posted (trimmed), to be shown again; no problem yet.
pub fn as_posted(posted: &AuthorForm) -> Submitted {
    let fields = [
        ("first_name", &posted.first_name),
        ("last_name", &posted.last_name),
        ("date_of_birth", &posted.date_of_birth),
        ("date_of_death", &posted.date_of_death),
    ];
    Submitted {
        values: fields
            .iter()
            .map(|(name, value)| (name.to_string(), value.trim().to_string()))
            .collect(),
        problems: Vec::new(),
    }
}

/// An author's fields, as a form gives them, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorFields {
    pub first_name: String,
    pub last_name: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    pub date_of_death: Option<String>,
}

/// The author form as posted: each field as the browser sent it (empty
/// if it did not).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AuthorForm {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: String,
    pub date_of_death: String,
    /// The version of the author the edit form was opened at (none on
    /// the form for a new author).
    pub version: String,
}

/// Reads an author from the form as posted: both names required, at most
/// [`MAX_NAME_CHARS`] each, without control characters; dates optional,
/// real dates, neither after `today`, death not before birth. `Err`: the
/// form as posted (trimmed), with what is wrong with it.
pub fn read_form(posted: &AuthorForm, today: Date) -> Result<AuthorFields, Submitted> {
    let mut form = as_posted(posted);
    let values = form.clone();
    let value = |name: &str| values.value(name).unwrap_or_default().to_string();
    for name in ["first_name", "last_name"] {
        let text = value(name);
        if text.is_empty() {
            form.problem(name, Problem::Required);
        } else if text.chars().any(char::is_control) {
            form.problem(name, Problem::ControlCharacters);
        } else if text.chars().count() > MAX_NAME_CHARS {
            form.problem(
                name,
                Problem::TooLong {
                    max: MAX_NAME_CHARS,
                },
            );
        }
    }
    let mut date = |name: &'static str| {
        let text = value(name);
        match parse_date(&text) {
            _ if text.is_empty() => None,
            Some(date) if date > today => {
                form.problem(name, Problem::DateInFuture);
                None
            }
            Some(date) => Some(date),
            None => {
                form.problem(name, Problem::NotADate);
                None
            }
        }
    };
    let (born, died) = (date("date_of_birth"), date("date_of_death"));
    if let (Some(born), Some(died)) = (born, died) {
        if died < born {
            form.problem("date_of_death", Problem::DeathBeforeBirth);
        }
    }
    if !form.is_valid() {
        return Err(form);
    }
    Ok(AuthorFields {
        first_name: value("first_name"),
        last_name: value("last_name"),
        date_of_birth: born.map(iso_date),
        date_of_death: died.map(iso_date),
    })
}

/// The author list's order after a change of names (the book list's is
/// not touched).
fn renumber_authors(db: &Db) -> &'static str {
    positions::renumbering(db)[1]
}

impl AuthorFields {
    /// "Last, First", as the history and messages name an author.
    pub fn name(&self) -> String {
        format!("{}, {}", self.last_name, self.first_name)
    }

    /// Each field and its value, as the history records them.
    fn values(&self) -> [(&'static str, Option<String>); 4] {
        [
            ("first_name", Some(self.first_name.clone())),
            ("last_name", Some(self.last_name.clone())),
            ("date_of_birth", self.date_of_birth.clone()),
            ("date_of_death", self.date_of_death.clone()),
        ]
    }
}

/// The history's entry of a change of the author `id`, from the fields
/// before (none: created) to after (none: deleted).
fn change(
    action: ChangeAction,
    id: i64,
    before: Option<&AuthorFields>,
    after: Option<&AuthorFields>,
) -> Change {
    let values = |fields: Option<&AuthorFields>| fields.map(|fields| fields.values().to_vec());
    Change {
        action,
        kind: RecordKind::Author,
        record_id: id.to_string(),
        label: after.or(before).map(AuthorFields::name).unwrap_or_default(),
        book_id: None,
        changes: record_changes(values(before), values(after)),
    }
}

/// The author `id` as stored, at `version` if given, in the transaction
/// `tx` (a macro: the statement is compiled for each database).
macro_rules! stored_author {
    ($tx:ident, $id:expr) => {{
        let row: Option<(String, String, Option<String>, Option<String>, i64)> = sqlx::query_as(
            "SELECT first_name, last_name, date_of_birth, date_of_death, version
             FROM author WHERE id = $1",
        )
        .bind($id)
        .fetch_optional(&mut *$tx)
        .await?;
        row.map(
            |(first_name, last_name, date_of_birth, date_of_death, version)| {
                (
                    AuthorFields {
                        first_name,
                        last_name,
                        date_of_birth,
                        date_of_death,
                    },
                    version,
                )
            },
        )
    }};
}

/// Adds an author; gives their id.
pub async fn create(db: &Db, actor: &Actor, author: &AuthorFields) -> Result<i64, AppError> {
    let renumber = renumber_authors(db);
    in_transaction!(db, |tx| {
        // First (so that two authors added at once take the next ids in
        // turn): the database counts the new author (migrations 0018, 0012).
        sqlx::query(LOCK_CATALOG).execute(&mut *tx).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO author (id, first_name, last_name, date_of_birth, date_of_death)
             SELECT COALESCE(MAX(id), 0) + 1, $1, $2, $3, $4 FROM author
             RETURNING id",
        )
        .bind(&author.first_name)
        .bind(&author.last_name)
        .bind(&author.date_of_birth)
        .bind(&author.date_of_death)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(renumber).execute(&mut *tx).await?;
        record_change!(
            tx,
            actor,
            &change(ChangeAction::Create, id, None, Some(author))
        )?;
        tx.commit().await?;
        Ok(id)
    })
}

/// What a save of an edit did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Saved {
    Saved,
    /// Not saved: the record changed since the form was opened (it is no
    /// longer at the version the form carries).
    Stale,
}

/// Changes the author `id`, if still at `version` (else [`Saved::Stale`],
/// and nothing changes); a 404 if there is none.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    author: &AuthorFields,
) -> Result<Saved, AppError> {
    let renumber = renumber_authors(db);
    in_transaction!(db, |tx| {
        // First, as in `create` and `delete`: without it, an edit and a
        // delete of one author at once deadlock on PostgreSQL.
        sqlx::query(LOCK_CATALOG).execute(&mut *tx).await?;
        let Some((before, stored)) = stored_author!(tx, id) else {
            return Err(AppError::NotFound(Missing::Author(id.to_string())));
        };
        if stored != version {
            return Ok(Saved::Stale);
        }
        // Only at the version read (the catalog's lock, taken first, keeps
        // it so): the database raises it with the change (migrations
        // sqlite 0021, postgres 0015).
        let changed = sqlx::query(
            "UPDATE author SET first_name = $2, last_name = $3, date_of_birth = $4,
                date_of_death = $5
             WHERE id = $1 AND version = $6",
        )
        .bind(id)
        .bind(&author.first_name)
        .bind(&author.last_name)
        .bind(&author.date_of_birth)
        .bind(&author.date_of_death)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Ok(Saved::Stale);
        }
        sqlx::query(renumber).execute(&mut *tx).await?;
        record_change!(
            tx,
            actor,
            &change(ChangeAction::Update, id, Some(&before), Some(author))
        )?;
        tx.commit().await?;
        Ok(Saved::Saved)
    })
}

/// Deletes the author `id`, who has no books in the library (else
/// [`NotDeleted::InUse`], and nothing changes); gives their name.
pub async fn delete(db: &Db, actor: &Actor, id: i64) -> Result<String, NotDeleted> {
    let renumber = renumber_authors(db);
    in_transaction!(db, |tx| {
        sqlx::query(LOCK_CATALOG).execute(&mut *tx).await?;
        let books: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM book WHERE author_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if books > 0 {
            return Err(NotDeleted::InUse);
        }
        let Some((before, _)) = stored_author!(tx, id) else {
            let missing = AppError::NotFound(Missing::Author(id.to_string()));
            return Err(NotDeleted::Failed(missing));
        };
        sqlx::query("DELETE FROM author WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(renumber).execute(&mut *tx).await?;
        record_change!(
            tx,
            actor,
            &change(ChangeAction::Delete, id, Some(&before), None)
        )?;
        tx.commit().await?;
        Ok(before.name())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The form as a browser posts `fields` (as urlencoded pairs).
    fn form(fields: &[(&str, &str)]) -> AuthorForm {
        let body = serde_urlencoded::to_string(fields).unwrap();
        serde_urlencoded::from_str(&body).unwrap()
    }

    #[test]
    fn names_are_required_and_dates_optional() {
        let today = parse_date("2026-12-06").unwrap();
        let author = read_form(
            &form(&[("first_name", " Ursula "), ("last_name", "Le Guin")]),
            today,
        );
        assert_eq!(
            author,
            Ok(AuthorFields {
                first_name: "Ursula".into(),
                last_name: "Le Guin".into(),
                date_of_birth: None,
                date_of_death: None,
            })
        );
        let problems =
            |fields: &[(&str, &str)]| read_form(&form(fields), today).unwrap_err().problems;
        assert_eq!(
            problems(&[("last_name", "x")]),
            [("first_name", Problem::Required)]
        );
        let long = "x".repeat(101);
        assert_eq!(
            problems(&[("first_name", &long), ("last_name", "x")]),
            [("first_name", Problem::TooLong { max: 100 })]
        );
        assert_eq!(
            problems(&[
                ("first_name", "a"),
                ("last_name", "b"),
                ("date_of_birth", "1929-10-21"),
                ("date_of_death", "1929-10-20"),
            ]),
            [("date_of_death", Problem::DeathBeforeBirth)]
        );
        assert_eq!(
            problems(&[
                ("first_name", "a"),
                ("last_name", "b"),
                ("date_of_birth", "21/10/1929")
            ]),
            [("date_of_birth", Problem::NotADate)]
        );
        // Nobody is born tomorrow, nor named with a NUL or a line break.
        assert_eq!(
            problems(&[
                ("first_name", "a"),
                ("last_name", "b"),
                ("date_of_birth", "2026-12-07"),
                ("date_of_death", "3000-01-01"),
            ]),
            [
                ("date_of_birth", Problem::DateInFuture),
                ("date_of_death", Problem::DateInFuture)
            ]
        );
        assert!(read_form(
            &form(&[
                ("first_name", "a"),
                ("last_name", "b"),
                ("date_of_birth", "2026-12-06")
            ]),
            today
        )
        .is_ok());
        assert_eq!(
            problems(&[("first_name", "Ur\0sula"), ("last_name", "Le\nGuin")]),
            [
                ("first_name", Problem::ControlCharacters),
                ("last_name", Problem::ControlCharacters)
            ]
        );
    }
}
