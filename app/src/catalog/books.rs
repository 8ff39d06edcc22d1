//! A librarian's changes to books: create, update, delete. Each is one
//! transaction under the catalog's lock: the book, its genres, the book
//! list's order and the history's entry; the database raises the book's
//! and the catalog's versions and keeps the home page's figures and the
//! search index (their triggers).
//!
//! What the form names by id or by words (the author, the language, the
//! genres) and what must be unique (the ISBN) is checked in that same
//! transaction, so that a choice deleted or an ISBN taken meanwhile is
//! refused, never half saved.

use crate::{
    db::{Db, LOCK_CATALOG},
    error::{AppError, Missing},
    history::{record_changes, Actor},
    in_transaction,
    model::{AuthorRef, BookEdit, Change, ChangeAction, RecordKind},
    problems::{Problem, Submitted},
    record_change,
};

use super::{positions, NotDeleted};

pub use crate::model::{AUTHOR_CHOICES, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS};

/// The book form as posted: each field as the browser sent it (empty if it
/// did not); the genres ticked, each an id.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct BookForm {
    pub title: String,
    /// Words of the author's name, as typed (the whole name, as the edit
    /// form opens with it, or part of it).
    pub author_name: String,
    /// The author chosen (their id): the one the edit form opened with, or
    /// the one picked among several that the words matched.
    pub author: String,
    pub summary: String,
    pub isbn: String,
    /// The language's id; empty for none.
    pub language: String,
    pub genres: Vec<String>,
    /// The version of the book the edit form was opened at.
    pub version: String,
}

/// The form as posted (trimmed), to be shown again; no problem yet.
pub fn as_posted(posted: &BookForm) -> Submitted {
    let fields = [
        ("title", &posted.title),
        ("author_name", &posted.author_name),
        ("author", &posted.author),
        ("summary", &posted.summary),
        ("isbn", &posted.isbn),
        ("language", &posted.language),
    ];
    let mut values: Vec<(String, String)> = fields
        .iter()
        .map(|(name, value)| (name.to_string(), value.trim().to_string()))
        .collect();
    values.extend(
        posted
            .genres
            .iter()
            .map(|genre| ("genres".to_string(), genre.trim().to_string())),
    );
    Submitted {
        values,
        problems: Vec::new(),
    }
}

/// A book as the form gives it, checked as far as it can be without the
/// database: the author is still words (and perhaps an id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookDraft {
    pub title: String,
    pub author_name: String,
    pub author_id: Option<i64>,
    pub summary: String,
    /// ISBN-13, digits only.
    pub isbn: String,
    pub language_id: Option<i64>,
    /// Each once, in increasing order.
    pub genre_ids: Vec<i64>,
}

/// A book's fields as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookFields {
    pub title: String,
    pub author_id: i64,
    pub summary: String,
    pub isbn: String,
    pub language_id: Option<i64>,
    pub genre_ids: Vec<i64>,
}

/// A text field's rule: its name, its value, its most characters, and
/// the characters it may not have.
type TextRule<'a> = (&'static str, &'a str, usize, fn(char) -> bool);

/// Reads a book from the form as posted: title required, at most
/// [`MAX_TITLE_CHARS`], one line; summary required, at most
/// [`MAX_SUMMARY_CHARS`] (line breaks allowed, no other control
/// character); an author's name required; a valid ISBN ([`isbn13`]); the
/// language and genres ids. `Err`: the form as posted, with what is wrong.
pub fn read_form(posted: &BookForm) -> Result<BookDraft, Submitted> {
    let mut form = as_posted(posted);
    let values = form.clone();
    let value = |name: &str| values.value(name).unwrap_or_default().to_string();
    let (title, summary, author_name) = (value("title"), value("summary"), value("author_name"));
    let text_checks: [TextRule; 3] = [
        ("title", &title, MAX_TITLE_CHARS, char::is_control),
        ("summary", &summary, MAX_SUMMARY_CHARS, |c| {
            c.is_control() && !matches!(c, '\n' | '\r' | '\t')
        }),
        ("author_name", &author_name, usize::MAX, char::is_control),
    ];
    for (name, text, max, unwanted) in text_checks {
        if text.is_empty() {
            form.problem(name, Problem::Required);
        } else if text.chars().any(unwanted) {
            form.problem(name, Problem::ControlCharacters);
        } else if text.chars().count() > max {
            form.problem(name, Problem::TooLong { max });
        }
    }
    let isbn = match isbn13(&value("isbn")) {
        Ok(isbn) => isbn,
        Err(problem) => {
            form.problem("isbn", problem);
            String::new()
        }
    };
    let language_id = match value("language").as_str() {
        "" => None,
        id => match id.parse() {
            Ok(id) => Some(id),
            Err(_) => {
                form.problem("language", Problem::UnknownChoice);
                None
            }
        },
    };
    let mut genre_ids = Vec::new();
    for genre in &posted.genres {
        match genre.trim().parse::<i64>() {
            Ok(id) => genre_ids.push(id),
            Err(_) => form.problem("genres", Problem::UnknownChoice),
        }
    }
    genre_ids.sort_unstable();
    genre_ids.dedup();
    if !form.is_valid() {
        return Err(form);
    }
    Ok(BookDraft {
        title,
        author_name,
        author_id: value("author").parse().ok(),
        summary,
        isbn,
        language_id,
        genre_ids,
    })
}

/// An ISBN as typed (with or without hyphens and spaces), as the 13 digits
/// stored: an ISBN-13 with its check digit right, or an ISBN-10 (its last
/// digit may be `X`) with its own right, converted (`978` before it, the
/// check digit computed again).
pub fn isbn13(typed: &str) -> Result<String, Problem> {
    let isbn: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{2010}' | '\u{2011}'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if isbn.is_empty() {
        return Err(Problem::Required);
    }
    let digits: Vec<u32> = isbn.chars().filter_map(|c| c.to_digit(10)).collect();
    match isbn.len() {
        13 if digits.len() == 13 => {
            if check_digit_13(&digits[..12]) == digits[12] {
                Ok(isbn)
            } else {
                Err(Problem::IsbnCheckDigit)
            }
        }
        10 if digits.len() == 10 || (digits.len() == 9 && isbn.ends_with('X')) => {
            let first: &[u32] = &digits[..9];
            let last = if isbn.ends_with('X') { 10 } else { digits[9] };
            let sum: u32 = first
                .iter()
                .enumerate()
                .map(|(n, digit)| (10 - n as u32) * digit)
                .sum::<u32>()
                + last;
            if !sum.is_multiple_of(11) {
                return Err(Problem::IsbnCheckDigit);
            }
            let mut converted = vec![9, 7, 8];
            converted.extend_from_slice(first);
            converted.push(check_digit_13(&converted));
            Ok(converted.iter().map(u32::to_string).collect())
        }
        _ => Err(Problem::NotAnIsbn),
    }
}

/// The ISBN-13 check digit of its first twelve digits (weights 1, 3, 1 …).
fn check_digit_13(twelve: &[u32]) -> u32 {
    let sum: u32 = twelve
        .iter()
        .enumerate()
        .map(|(n, digit)| if n % 2 == 0 { *digit } else { 3 * digit })
        .sum();
    (10 - sum % 10) % 10
}

/// The words of an author's name as typed, folded: what a name must
/// contain (each word somewhere in "first last") to match.
fn name_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether an author's name (first and last) has every word.
fn name_has(words: &[String], first: &str, last: &str) -> bool {
    let name = format!("{first} {last}").to_lowercase();
    words.iter().all(|word| name.contains(word.as_str()))
}

/// The authors whose names have every word of `text`, in the author
/// list's order, at most `limit` (a macro: the statement is compiled for
/// each database; `$conn` is a connection or a transaction).
macro_rules! matching_authors {
    ($conn:expr, $text:expr, $limit:expr) => {{
        let words = name_words($text);
        // The longest word narrows the rows read; every word is checked
        // on those (SQL's `lower` folds only ASCII on SQLite).
        let longest = words
            .iter()
            .max_by_key(|word| word.len())
            .cloned()
            .unwrap_or_default();
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, first_name, last_name FROM author
             WHERE lower(first_name || ' ' || last_name) LIKE '%' || lower($1) || '%'
             ORDER BY list_position, id",
        )
        .bind(longest)
        .fetch_all($conn)
        .await?;
        rows.into_iter()
            .filter(|(_, first, last)| name_has(&words, first, last))
            .take($limit)
            .map(|(id, first, last)| AuthorRef {
                id,
                name: format!("{last}, {first}"),
            })
            .collect::<Vec<AuthorRef>>()
    }};
}

/// The authors a form's words match, for the librarian to choose among:
/// at most [`AUTHOR_CHOICES`] and one more (which says there are more).
pub async fn author_choices(db: &Db, text: &str) -> Result<Vec<AuthorRef>, AppError> {
    crate::on_reader!(db, |conn| {
        Ok::<_, sqlx::Error>(matching_authors!(conn, text, AUTHOR_CHOICES + 1))
    })
    .map_err(AppError::from)
}

/// What a save did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Saved: the book's id.
    Saved(i64),
    /// Not saved: the book changed since the form was opened.
    Stale,
    /// Not saved: what the form names is not as it must be (no such
    /// author, several; a language or genre since deleted; an ISBN
    /// another book has), by field.
    Refused(Vec<(&'static str, Problem)>),
}

/// The draft's names and choices checked against the catalog in the
/// transaction `$tx`, for the book `$id` (none: a new book): the fields
/// to store, or what is wrong (a macro: compiled for each database).
macro_rules! checked {
    ($tx:ident, $draft:expr, $id:expr) => {{
        let draft: &BookDraft = $draft;
        let mut problems: Vec<(&'static str, Problem)> = Vec::new();
        let words = name_words(&draft.author_name);
        // The author the form carries, if the words still name them (the
        // edit form opens with their whole name); else the one author the
        // words match.
        let carried: Option<(i64, String, String)> = match draft.author_id {
            Some(id) => {
                sqlx::query_as("SELECT id, first_name, last_name FROM author WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *$tx)
                    .await?
            }
            None => None,
        };
        let author = match carried {
            Some((id, first, last)) if name_has(&words, &first, &last) => Some(id),
            _ => {
                let matches = matching_authors!(&mut *$tx, &draft.author_name, 2);
                match matches.as_slice() {
                    [only] => Some(only.id),
                    [] => {
                        problems.push(("author_name", Problem::NoSuchAuthor));
                        None
                    }
                    _ => {
                        problems.push(("author_name", Problem::ChooseAuthor));
                        None
                    }
                }
            }
        };
        if let Some(language) = draft.language_id {
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM language WHERE id = $1")
                .bind(language)
                .fetch_optional(&mut *$tx)
                .await?;
            if found.is_none() {
                problems.push(("language", Problem::UnknownChoice));
            }
        }
        for genre in &draft.genre_ids {
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM genre WHERE id = $1")
                .bind(genre)
                .fetch_optional(&mut *$tx)
                .await?;
            if found.is_none() {
                problems.push(("genres", Problem::UnknownChoice));
                break;
            }
        }
        let holder: Option<(i64, String)> =
            sqlx::query_as("SELECT id, title FROM book WHERE isbn = $1 AND id IS DISTINCT FROM $2")
                .bind(&draft.isbn)
                .bind($id)
                .fetch_optional(&mut *$tx)
                .await?;
        if let Some((id, title)) = holder {
            problems.push(("isbn", Problem::IsbnTaken { id, title }));
        }
        match author {
            Some(author_id) if problems.is_empty() => Ok(BookFields {
                title: draft.title.clone(),
                author_id,
                summary: draft.summary.clone(),
                isbn: draft.isbn.clone(),
                language_id: draft.language_id,
                genre_ids: draft.genre_ids.clone(),
            }),
            _ => Err(problems),
        }
    }};
}

/// The book `id` as stored with its version, in the transaction `$tx`.
macro_rules! stored_book {
    ($tx:ident, $id:expr) => {{
        let row: Option<(String, Option<i64>, String, String, Option<i64>, i64)> = sqlx::query_as(
            "SELECT title, author_id, summary, isbn, language_id, version
                 FROM book WHERE id = $1",
        )
        .bind($id)
        .fetch_optional(&mut *$tx)
        .await?;
        match row {
            Some((title, author_id, summary, isbn, language_id, version)) => {
                let genre_ids: Vec<i64> = sqlx::query_scalar(
                    "SELECT genre_id FROM book_genre WHERE book_id = $1 ORDER BY genre_id",
                )
                .bind($id)
                .fetch_all(&mut *$tx)
                .await?;
                Some((
                    (title, author_id, summary, isbn, language_id, genre_ids),
                    version,
                ))
            }
            None => None,
        }
    }};
}

/// A stored book's fields: title, author, summary, ISBN, language, genres.
type Stored = (String, Option<i64>, String, String, Option<i64>, Vec<i64>);

/// Each field and its value, as the history records them (as a merging
/// load does: the author, language and genres by id).
fn values(fields: &Stored) -> Vec<(&'static str, Option<String>)> {
    let (title, author_id, summary, isbn, language_id, genre_ids) = fields;
    let genres = genre_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    vec![
        ("title", Some(title.clone())),
        ("author_id", author_id.map(|id| id.to_string())),
        ("summary", Some(summary.clone())),
        ("isbn", Some(isbn.clone())),
        ("language_id", language_id.map(|id| id.to_string())),
        ("genre_ids", Some(genres)),
    ]
}

impl BookFields {
    fn stored(&self) -> Stored {
        (
            self.title.clone(),
            Some(self.author_id),
            self.summary.clone(),
            self.isbn.clone(),
            self.language_id,
            self.genre_ids.clone(),
        )
    }
}

/// The history's entry of a change of the book `id`.
fn change(
    action: ChangeAction,
    id: i64,
    before: Option<&Stored>,
    after: Option<&Stored>,
) -> Change {
    Change {
        action,
        kind: RecordKind::Book,
        record_id: id.to_string(),
        label: after
            .or(before)
            .map(|(title, ..)| title.clone())
            .unwrap_or_default(),
        book_id: Some(id),
        changes: record_changes(before.map(values), after.map(values)),
    }
}

/// Writes the book's genres: exactly `genre_ids` (in the transaction `$tx`).
macro_rules! set_genres {
    ($tx:ident, $id:expr, $genre_ids:expr) => {{
        sqlx::query("DELETE FROM book_genre WHERE book_id = $1")
            .bind($id)
            .execute(&mut *$tx)
            .await?;
        for genre in $genre_ids {
            sqlx::query("INSERT INTO book_genre (book_id, genre_id) VALUES ($1, $2)")
                .bind($id)
                .bind(genre)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}

/// The book list's order after a change of titles (the author list's is
/// not touched).
fn renumber_books(db: &Db) -> &'static str {
    positions::renumbering(db)[0]
}

/// Adds a book; gives its id, or why not.
pub async fn create(db: &Db, actor: &Actor, draft: &BookDraft) -> Result<Outcome, AppError> {
    let renumber = renumber_books(db);
    in_transaction!(db, |tx| {
        // First: two books added at once take the next ids in turn, and
        // what the form names stays as checked until the commit.
        sqlx::query(LOCK_CATALOG).execute(&mut *tx).await?;
        let book = match checked!(tx, draft, None::<i64>) {
            Ok(book) => book,
            Err(problems) => return Ok(Outcome::Refused(problems)),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO book (id, title, author_id, summary, isbn, language_id)
             SELECT COALESCE(MAX(id), 0) + 1, $1, $2, $3, $4, $5 FROM book
             RETURNING id",
        )
        .bind(&book.title)
        .bind(book.author_id)
        .bind(&book.summary)
        .bind(&book.isbn)
        .bind(book.language_id)
        .fetch_one(&mut *tx)
        .await?;
        set_genres!(tx, id, &book.genre_ids);
        sqlx::query(renumber).execute(&mut *tx).await?;
        let after = book.stored();
        record_change!(
            tx,
            actor,
            &change(ChangeAction::Create, id, None, Some(&after))
        )?;
        tx.commit().await?;
        Ok(Outcome::Saved(id))
    })
}

/// Changes the book `id`, if still at `version` (else [`Outcome::Stale`],
/// and nothing changes); a 404 if there is none.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    draft: &BookDraft,
) -> Result<Outcome, AppError> {
    let renumber = renumber_books(db);
    in_transaction!(db, |tx| {
        sqlx::query(LOCK_CATALOG).execute(&mut *tx).await?;
        let Some((before, stored)) = stored_book!(tx, id) else {
            return Err(AppError::NotFound(Missing::Book(id.to_string())));
        };
        if stored != version {
            return Ok(Outcome::Stale);
        }
        let book = match checked!(tx, draft, Some(id)) {
            Ok(book) => book,
            Err(problems) => return Ok(Outcome::Refused(problems)),
        };
        let after = book.stored();
        if after == before {
            // Nothing to change: no new version, no history entry.
            return Ok(Outcome::Saved(id));
        }
        // Only at the version read, raised here (the database would raise
        // it for a change of the book's own columns, migrations sqlite
        // 0021, postgres 0015, but not for one of its genres alone).
        let changed = sqlx::query(
            "UPDATE book SET title = $2, author_id = $3, summary = $4, isbn = $5,
                language_id = $6, version = version + 1
             WHERE id = $1 AND version = $7",
        )
        .bind(id)
        .bind(&book.title)
        .bind(book.author_id)
        .bind(&book.summary)
        .bind(&book.isbn)
        .bind(book.language_id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Ok(Outcome::Stale);
        }
        set_genres!(tx, id, &book.genre_ids);
        sqlx::query(renumber).execute(&mut *tx).await?;
        record_change!(
            tx,
            actor,
            &change(ChangeAction::Update, id, Some(&before), Some(&after))
        )?;
        tx.commit().await?;
        Ok(Outcome::Saved(id))
    })
}

/// Deletes the book `id`, of which the library has no copy (else
/// [`NotDeleted::InUse`], and nothing changes); gives its title. Its
/// past loans stay on record, with the title as lent.
pub async fn delete(db: &Db, actor: &Actor, id: i64) -> Result<String, NotDeleted> {
    let renumber = renumber_books(db);
    in_transaction!(db, |tx| {
        sqlx::query(LOCK_CATALOG).execute(&mut *tx).await?;
        let copies: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM book_instance WHERE book_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        if copies > 0 {
            return Err(NotDeleted::InUse);
        }
        let Some((before, _)) = stored_book!(tx, id) else {
            let missing = AppError::NotFound(Missing::Book(id.to_string()));
            return Err(NotDeleted::Failed(missing));
        };
        sqlx::query("DELETE FROM book WHERE id = $1")
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
        Ok(before.0)
    })
}

/// The book `id` as its edit form opens with it.
pub async fn to_edit(db: &Db, id: i64) -> Result<BookEdit, AppError> {
    let book = super::book(db, id).await?;
    let version: i64 = crate::on_reader!(db, |conn| {
        sqlx::query_scalar("SELECT version FROM book WHERE id = $1")
            .bind(id)
            .fetch_one(conn)
            .await
    })?;
    Ok(BookEdit {
        id,
        title: book.title,
        author: book.author,
        summary: book.summary,
        isbn: book.isbn,
        language_id: book.language.map(|language| language.id),
        genre_ids: book.genres.iter().map(|genre| genre.id).collect(),
        version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The form as a browser posts `fields` (as urlencoded pairs).
    fn form(fields: &[(&str, &str)]) -> BookForm {
        let mut posted = BookForm::default();
        for (name, value) in fields {
            let value = value.to_string();
            match *name {
                "title" => posted.title = value,
                "author_name" => posted.author_name = value,
                "summary" => posted.summary = value,
                "isbn" => posted.isbn = value,
                "language" => posted.language = value,
                "genres" => posted.genres.push(value),
                other => panic!("no field {other}"),
            }
        }
        posted
    }

    #[test]
    fn isbns_are_checked_and_isbn_10_converted() {
        assert_eq!(isbn13("978-0-441-17271-9"), Ok("9780441172719".into()));
        assert_eq!(isbn13("0-441-17271-7"), Ok("9780441172719".into()));
        assert_eq!(isbn13("0 8044 2957 X"), Ok("9780804429573".into()));
        assert_eq!(isbn13("080442957x"), Ok("9780804429573".into()));
        assert_eq!(isbn13("9780441172718"), Err(Problem::IsbnCheckDigit));
        assert_eq!(isbn13("0441172718"), Err(Problem::IsbnCheckDigit));
        assert_eq!(isbn13("97804411727"), Err(Problem::NotAnIsbn));
        assert_eq!(isbn13("978044117271X"), Err(Problem::NotAnIsbn));
        assert_eq!(isbn13("ISBN"), Err(Problem::NotAnIsbn));
        assert_eq!(isbn13(" - "), Err(Problem::Required));
    }

    #[test]
    fn a_book_needs_a_title_an_author_a_summary_and_an_isbn() {
        let problems = |fields: &[(&str, &str)]| read_form(&form(fields)).unwrap_err().problems;
        assert_eq!(
            problems(&[]),
            [
                ("title", Problem::Required),
                ("summary", Problem::Required),
                ("author_name", Problem::Required),
                ("isbn", Problem::Required),
            ]
        );
        let long_title = "x".repeat(201);
        let long_summary = "x".repeat(1001);
        assert_eq!(
            problems(&[
                ("title", &long_title),
                ("author_name", "Le Guin"),
                ("summary", &long_summary),
                ("isbn", "9780441172719"),
                ("language", "English"),
                ("genres", "2"),
                ("genres", "sf"),
            ]),
            [
                ("title", Problem::TooLong { max: 200 }),
                ("summary", Problem::TooLong { max: 1000 }),
                ("language", Problem::UnknownChoice),
                ("genres", Problem::UnknownChoice),
            ]
        );
        assert_eq!(
            problems(&[
                ("title", "Dune\nMessiah"),
                ("author_name", "Herbert"),
                ("summary", "A\0B"),
                ("isbn", "9780441172719"),
            ]),
            [
                ("title", Problem::ControlCharacters),
                ("summary", Problem::ControlCharacters),
            ]
        );
        let book = read_form(&form(&[
            ("title", " Dune "),
            ("author_name", "Herbert, Frank"),
            ("summary", "Spice.\nSand."),
            ("isbn", "0-441-17271-7"),
            ("language", "1"),
            ("genres", "3"),
            ("genres", "1"),
            ("genres", "3"),
        ]))
        .unwrap();
        assert_eq!(
            book,
            BookDraft {
                title: "Dune".into(),
                author_name: "Herbert, Frank".into(),
                author_id: None,
                summary: "Spice.\nSand.".into(),
                isbn: "9780441172719".into(),
                language_id: Some(1),
                genre_ids: vec![1, 3],
            }
        );
    }

    #[test]
    fn an_author_matches_when_their_name_has_every_word() {
        let words = name_words("le guin, URSULA");
        assert!(name_has(&words, "Ursula K.", "Le Guin"));
        assert!(!name_has(&words, "Ursula", "Vernon"));
        assert!(name_has(&name_words("STANISŁAW"), "Stanisław", "Lem"));
    }
}
