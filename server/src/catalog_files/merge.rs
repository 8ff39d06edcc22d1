//! Merging a checked catalog into the database by id: records new to the
//! database are added, records the file changes are updated, and records
//! the file does not name are kept, as are the loans of copies lent to
//! members, whatever the file says of them.
//!
//! The load writes a batch of records per transaction, each taking the
//! catalog's lock first as every other change of the catalog does, so a
//! serving site's own writes (a visit counted, a copy lent) wait for one
//! batch at most, never for the whole load. A merge is idempotent: a load
//! that stops part way (the database went away) is finished by loading the
//! same file again. Before the first write, a pass that writes nothing
//! finds every record the database would refuse (a name or an ISBN another
//! record holds), so a refused load changes nothing; the same pass is
//! `--dry-run`.

use std::{collections::HashMap, fmt};

use anyhow::Context;
use app::{
    catalog::{positions, search},
    db::{Db, LOCK_CATALOG},
    history::{self, Actor},
    in_transaction,
    model::{Change, ChangeAction, RecordKind},
    on_reader,
};
use indicatif::ProgressBar;
use serde::de::DeserializeOwned;
use sqlx::{postgres::PgRow, sqlite::SqliteRow, FromRow, QueryBuilder};

use crate::database;

use super::{
    file::{Author, Book, BookInstance, Counts, Genre, Kind, Language, Source},
    import::{stream, BATCH},
};

/// Whether a merge writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Compares only: says what a load would do.
    DryRun,
    Write,
}

/// What a merge did (or, dry, would do) to one kind of record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub added: u64,
    pub changed: u64,
    pub unchanged: u64,
}

/// What a merge did, kind by kind, and the loans it kept against the file.
#[derive(Debug, Default)]
pub struct MergeReport {
    pub tallies: Vec<(Kind, Tally)>,
    /// One line per copy lent to a member of which the file said
    /// otherwise (another status or due date): the loan was kept.
    pub loans_kept: Vec<String>,
}

impl MergeReport {
    pub fn tally(&self, kind: Kind) -> Tally {
        self.tallies
            .iter()
            .find(|(of, _)| *of == kind)
            .map_or_else(Tally::default, |(_, tally)| *tally)
    }

    fn changes_anything(&self) -> bool {
        self.tallies
            .iter()
            .any(|(_, tally)| tally.added + tally.changed > 0)
    }
}

/// How many lent copies are listed before the rest are only counted.
const LOANS_LISTED: usize = 20;

impl fmt::Display for MergeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (kind, tally) in &self.tallies {
            writeln!(
                f,
                "  {:<10} {} added, {} changed, {} unchanged",
                kind.plural(),
                tally.added,
                tally.changed,
                tally.unchanged
            )?;
        }
        if !self.loans_kept.is_empty() {
            writeln!(
                f,
                "  {} lent to members kept their loans, which the file does not have:",
                if self.loans_kept.len() == 1 {
                    "1 copy".to_string()
                } else {
                    format!("{} copies", self.loans_kept.len())
                }
            )?;
            for line in self.loans_kept.iter().take(LOANS_LISTED) {
                writeln!(f, "    {line}")?;
            }
            if self.loans_kept.len() > LOANS_LISTED {
                writeln!(f, "    … and {} more", self.loans_kept.len() - LOANS_LISTED)?;
            }
        }
        Ok(())
    }
}

/// A load refused before it wrote anything: records of the file that the
/// database would refuse, each named.
#[derive(Debug, thiserror::Error)]
#[error("{} record(s) of the file clash with the catalog:\n  {}", .0.len(), .0.join("\n  "))]
pub struct Clashes(pub Vec<String>);

/// Merges the catalog `source` holds, which has passed every check
/// (`counts` is what [`Source::check`] found), into the database.
pub async fn merge_catalog(
    db: &Db,
    source: &Source,
    counts: Counts,
    progress: &ProgressBar,
    mode: Mode,
) -> anyhow::Result<MergeReport> {
    // First a pass that writes nothing, so that a load the database would
    // refuse part way is refused whole, before its first write. Nothing can
    // clash with an empty catalog (a new site's first load).
    //
    // Each record a load adds or changes has its entry in the history,
    // but for the first load into an empty catalog, which only copies the
    // file (a catalog of a million books would double its size in
    // entries that say only "added").
    let empty = catalog_is_empty(db).await?;
    if mode == Mode::DryRun || !empty {
        let planned = pass(db, source, counts, progress, (Mode::DryRun, false)).await?;
        if mode == Mode::DryRun {
            progress.finish_and_clear();
            return Ok(planned);
        }
        progress.reset();
    }
    let report = pass(db, source, counts, progress, (Mode::Write, !empty)).await?;
    if report.changes_anything() {
        finish(db).await?;
    }
    progress.finish_and_clear();
    Ok(report)
}

async fn catalog_is_empty(db: &Db) -> anyhow::Result<bool> {
    const EMPTY: &str =
        "SELECT NOT EXISTS (SELECT 1 FROM genre) AND NOT EXISTS (SELECT 1 FROM language)
        AND NOT EXISTS (SELECT 1 FROM author) AND NOT EXISTS (SELECT 1 FROM book)
        AND NOT EXISTS (SELECT 1 FROM book_instance)";
    on_reader!(db, |conn| sqlx::query_scalar(EMPTY).fetch_one(conn).await)
        .context("cannot read the catalog")
}

async fn pass(
    db: &Db,
    source: &Source,
    counts: Counts,
    progress: &ProgressBar,
    how: (Mode, bool),
) -> anyhow::Result<MergeReport> {
    progress.set_length(counts.records() as u64);
    let mut report = MergeReport::default();
    let mut clashes = Vec::new();
    let clashes = &mut clashes;
    section::<Genre>(db, source, progress, how, &mut report, clashes).await?;
    section::<Language>(db, source, progress, how, &mut report, clashes).await?;
    section::<Author>(db, source, progress, how, &mut report, clashes).await?;
    section::<Book>(db, source, progress, how, &mut report, clashes).await?;
    section::<BookInstance>(db, source, progress, how, &mut report, clashes).await?;
    if !clashes.is_empty() {
        return Err(Clashes(std::mem::take(clashes)).into());
    }
    Ok(report)
}

/// The lists' places and the search index made ready, once every batch is
/// in (as after a replacing load): until then a book the load added is
/// found by search and at its address, and takes its place in the list
/// here.
///
/// Each step is a transaction of its own, as the batches are, giving way
/// after each, so the site's writes never wait for more than one: each
/// list renumbered, then the search index merged a step at a time (SQLite)
/// or its statistics taken (PostgreSQL, which takes no lock that a write
/// waits for).
async fn finish(db: &Db) -> anyhow::Result<()> {
    for statement in positions::renumbering(db) {
        in_transaction!(db, |tx| {
            sqlx::query(LOCK_CATALOG).execute(&mut *tx).await?;
            sqlx::query(statement).execute(&mut *tx).await?;
            tx.commit().await
        })
        .context("cannot number the lists")?;
        database::give_way(db).await;
    }
    match db {
        Db::Sqlite(_) => {
            // Until a step finds nothing to merge (changes nothing).
            for _ in 0..search::MAX_MERGE_STEPS {
                let changed: i64 = in_transaction!(db, |tx| {
                    let before: i64 = sqlx::query_scalar("SELECT total_changes()")
                        .fetch_one(&mut *tx)
                        .await?;
                    sqlx::query(search::SQLITE_MERGE_STEP)
                        .execute(&mut *tx)
                        .await?;
                    let after: i64 = sqlx::query_scalar("SELECT total_changes()")
                        .fetch_one(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok::<_, sqlx::Error>(after - before)
                })
                .context("cannot merge the search index")?;
                if changed < 2 {
                    break;
                }
                database::give_way(db).await;
            }
        }
        Db::Postgres(postgres) => {
            for statement in search::after_load(db) {
                sqlx::query(statement)
                    .execute(postgres.pool())
                    .await
                    .context("cannot take the catalog's statistics")?;
            }
        }
    }
    Ok(())
}

/// A value bound in a statement: the records' columns are integers or text.
pub(super) enum Field<'a> {
    Int(Option<i64>),
    Text(Option<&'a str>),
}

/// One kind of record as a merge handles it.
pub(super) trait Record:
    DeserializeOwned
    + PartialEq
    + Send
    + Unpin
    + 'static
    + for<'r> FromRow<'r, SqliteRow>
    + for<'r> FromRow<'r, PgRow>
{
    const KIND: Kind;
    /// What the history calls it.
    const HISTORY: RecordKind;
    const TABLE: &'static str;
    /// What is read of a record in the database (the id first), as
    /// `FromRow` reads it.
    const SELECT: &'static str;
    /// The columns written, in the order of [`Record::fields`].
    const COLUMNS: &'static [&'static str];
    /// How an existing row is updated (`excluded` is the file's record).
    const UPDATE: &'static str;
    /// The column no two records may share besides the id, if any.
    const UNIQUE: Option<&'static str> = None;

    fn id(&self) -> String;
    fn fields(&self) -> Vec<Field<'_>>;
    /// The record's name, and its fields as the history records them.
    fn described(&self) -> (String, Vec<(&'static str, Option<String>)>);
    /// The value of [`Record::UNIQUE`], and its id as an integer.
    fn unique(&self) -> Option<(i64, &str)> {
        None
    }
    /// Makes the file's record keep what the database keeps whatever the
    /// file says (a lent copy's loan), saying what the file said otherwise.
    fn keep_from(&mut self, _existing: &Self) -> Option<String> {
        None
    }
    /// Whether the record has links kept in a table of their own (a
    /// book's genres, in [`LINKS_TABLE`]), which a merge replaces as a set.
    const LINKED: bool = false;
    fn links(&self) -> &[i64] {
        &[]
    }
    fn set_links(&mut self, _links: Vec<i64>) {}
}

/// A book's id, kept as text beside the copies' ids.
fn book_id(id: &str) -> i64 {
    id.parse().expect("a book's id is an integer")
}

/// The book's genre links: a book's set is replaced as a whole.
const LINKS_TABLE: &str = "book_genre";

/// A genre or a language: an id and a name no other of its kind has.
macro_rules! named_record {
    ($record:ty, $kind:ident, $table:literal) => {
        impl Record for $record {
            const KIND: Kind = Kind::$kind;
            const HISTORY: RecordKind = RecordKind::$kind;
            const TABLE: &'static str = $table;
            const SELECT: &'static str = "id, name";
            const COLUMNS: &'static [&'static str] = &["id", "name"];
            const UPDATE: &'static str = "name = excluded.name";
            const UNIQUE: Option<&'static str> = Some("name");

            fn id(&self) -> String {
                self.id.to_string()
            }
            fn fields(&self) -> Vec<Field<'_>> {
                vec![Field::Int(Some(self.id)), Field::Text(Some(&self.name))]
            }
            fn unique(&self) -> Option<(i64, &str)> {
                Some((self.id, &self.name))
            }
            fn described(&self) -> (String, Vec<(&'static str, Option<String>)>) {
                (self.name.clone(), vec![("name", Some(self.name.clone()))])
            }
        }
    };
}
named_record!(Genre, Genre, "genre");
named_record!(Language, Language, "language");

impl Record for Author {
    const KIND: Kind = Kind::Author;
    const HISTORY: RecordKind = RecordKind::Author;
    const TABLE: &'static str = "author";
    const SELECT: &'static str = "id, first_name, last_name, date_of_birth, date_of_death";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "first_name",
        "last_name",
        "date_of_birth",
        "date_of_death",
    ];
    const UPDATE: &'static str = "first_name = excluded.first_name, \
        last_name = excluded.last_name, date_of_birth = excluded.date_of_birth, \
        date_of_death = excluded.date_of_death";

    fn id(&self) -> String {
        self.id.to_string()
    }
    fn fields(&self) -> Vec<Field<'_>> {
        vec![
            Field::Int(Some(self.id)),
            Field::Text(Some(&self.first_name)),
            Field::Text(Some(&self.last_name)),
            Field::Text(self.date_of_birth.as_deref()),
            Field::Text(self.date_of_death.as_deref()),
        ]
    }
    fn described(&self) -> (String, Vec<(&'static str, Option<String>)>) {
        (
            format!("{}, {}", self.last_name, self.first_name),
            vec![
                ("first_name", Some(self.first_name.clone())),
                ("last_name", Some(self.last_name.clone())),
                ("date_of_birth", self.date_of_birth.clone()),
                ("date_of_death", self.date_of_death.clone()),
            ],
        )
    }
}

impl Record for Book {
    const KIND: Kind = Kind::Book;
    const HISTORY: RecordKind = RecordKind::Book;
    const TABLE: &'static str = "book";
    const SELECT: &'static str = "id, title, author_id, summary, isbn, language_id";
    const COLUMNS: &'static [&'static str] =
        &["id", "title", "author_id", "summary", "isbn", "language_id"];
    const UPDATE: &'static str = "title = excluded.title, author_id = excluded.author_id, \
        summary = excluded.summary, isbn = excluded.isbn, language_id = excluded.language_id";
    const UNIQUE: Option<&'static str> = Some("isbn");

    fn id(&self) -> String {
        self.id.to_string()
    }
    fn fields(&self) -> Vec<Field<'_>> {
        vec![
            Field::Int(Some(self.id)),
            Field::Text(Some(&self.title)),
            Field::Int(self.author_id),
            Field::Text(Some(&self.summary)),
            Field::Text(Some(&self.isbn)),
            Field::Int(self.language_id),
        ]
    }
    fn unique(&self) -> Option<(i64, &str)> {
        Some((self.id, &self.isbn))
    }
    fn described(&self) -> (String, Vec<(&'static str, Option<String>)>) {
        let genres = self
            .genre_ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        (
            self.title.clone(),
            vec![
                ("title", Some(self.title.clone())),
                ("author_id", self.author_id.map(|id| id.to_string())),
                ("summary", Some(self.summary.clone())),
                ("isbn", Some(self.isbn.clone())),
                ("language_id", self.language_id.map(|id| id.to_string())),
                ("genre_ids", Some(genres)),
            ],
        )
    }
    const LINKED: bool = true;
    fn links(&self) -> &[i64] {
        &self.genre_ids
    }
    fn set_links(&mut self, links: Vec<i64>) {
        self.genre_ids = links;
    }
}

impl Record for BookInstance {
    const KIND: Kind = Kind::Copy;
    const HISTORY: RecordKind = RecordKind::Copy;
    const TABLE: &'static str = "book_instance";
    const SELECT: &'static str = "id, book_id, imprint, due_back, status,
        (SELECT username FROM account WHERE account.id = borrower_id) AS borrower";
    const COLUMNS: &'static [&'static str] = &["id", "book_id", "imprint", "due_back", "status"];
    // A copy lent to a member keeps its loan (`keep_from` made the file's
    // record say so; the statement holds to it on its own).
    const UPDATE: &'static str = "book_id = excluded.book_id, imprint = excluded.imprint,
        due_back = CASE WHEN book_instance.borrower_id IS NULL
                        THEN excluded.due_back ELSE book_instance.due_back END,
        status = CASE WHEN book_instance.borrower_id IS NULL
                      THEN excluded.status ELSE book_instance.status END";

    fn id(&self) -> String {
        self.id.clone()
    }
    fn fields(&self) -> Vec<Field<'_>> {
        vec![
            Field::Text(Some(&self.id)),
            Field::Int(Some(self.book_id)),
            Field::Text(Some(&self.imprint)),
            Field::Text(self.due_back.as_deref()),
            Field::Text(Some(&self.status)),
        ]
    }
    fn described(&self) -> (String, Vec<(&'static str, Option<String>)>) {
        (
            self.imprint.clone(),
            vec![
                ("book_id", Some(self.book_id.to_string())),
                ("imprint", Some(self.imprint.clone())),
                ("status", Some(self.status.clone())),
                ("due_back", self.due_back.clone()),
            ],
        )
    }
    fn keep_from(&mut self, existing: &Self) -> Option<String> {
        let borrower = existing.borrower.as_ref()?;
        self.borrower = Some(borrower.clone());
        let said = (self.status.clone(), self.due_back.clone());
        self.status = existing.status.clone();
        self.due_back = existing.due_back.clone();
        (said != (self.status.clone(), self.due_back.clone())).then(|| {
            format!(
                "copy {} is lent to {borrower}, due {}; the file has it {}",
                self.id,
                self.due_back.as_deref().unwrap_or("no day"),
                match (said.0.as_str(), said.1) {
                    (status, Some(due)) => format!("{}, due {due}", status_name(status)),
                    (status, None) => status_name(status).to_string(),
                }
            )
        })
    }
}

fn status_name(status: &str) -> &'static str {
    match status {
        "a" => "available",
        "o" => "on loan",
        "r" => "reserved",
        _ => "in maintenance",
    }
}

/// Who the history says made a load's changes.
const LOADER: Actor = Actor::Command("locallibrary load-catalog");

/// The history's entry of a load's change of `record`, from `before`
/// (none: added).
fn change<T: Record>(action: ChangeAction, before: Option<&T>, record: &T) -> Change {
    let (label, after) = record.described();
    let before = before.map(|before| before.described().1);
    let book_id = match T::HISTORY {
        RecordKind::Copy => record.fields().get(1).and_then(|field| match field {
            Field::Int(book) => *book,
            Field::Text(_) => None,
        }),
        _ => None,
    };
    Change {
        action,
        kind: T::HISTORY,
        record_id: record.id(),
        label,
        book_id,
        changes: history::record_changes(before, Some(after)),
    }
}

/// Merges (or, dry, compares) one section of the file a batch at a time,
/// each batch in a transaction of its own; with `recorded`, each record
/// added or changed has its entry in the history.
async fn section<T: Record>(
    db: &Db,
    source: &Source,
    progress: &ProgressBar,
    how: (Mode, bool),
    report: &mut MergeReport,
    clashes: &mut Vec<String>,
) -> anyhow::Result<()> {
    let mut tally = Tally::default();
    let (mode, recorded) = how;
    let (mut batches, reading) = stream::<T>(source, T::KIND);
    while let Some(mut batch) = batches.recv().await {
        let records = batch.len() as u64;
        // Compared as the database gives them: in order, each once.
        for record in batch.iter_mut().filter(|_| T::LINKED) {
            let mut links = record.links().to_vec();
            links.sort_unstable();
            links.dedup();
            record.set_links(links);
        }
        let what = format!("cannot merge the file's {}", T::KIND.plural());
        in_transaction!(db, |tx| {
            if mode == Mode::Write {
                sqlx::query(LOCK_CATALOG).execute(&mut *tx).await?;
            }

            // The records of the batch the database has, as it has them.
            let mut select = QueryBuilder::new(format!(
                "SELECT {} FROM {} WHERE id IN (",
                T::SELECT,
                T::TABLE
            ));
            let mut ids = select.separated(", ");
            for record in &batch {
                match record.fields().swap_remove(0) {
                    Field::Int(id) => ids.push_bind(id),
                    Field::Text(id) => ids.push_bind(id.map(str::to_string)),
                };
            }
            select.push(")");
            let mut existing: HashMap<String, T> = select
                .build_query_as::<T>()
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(|record| (record.id(), record))
                .collect();
            if T::LINKED && !existing.is_empty() {
                let mut select = QueryBuilder::new(format!(
                    "SELECT book_id, genre_id FROM {LINKS_TABLE} WHERE book_id IN ("
                ));
                let mut ids = select.separated(", ");
                for id in existing.keys() {
                    ids.push_bind(book_id(id));
                }
                select.push(") ORDER BY book_id, genre_id");
                let links: Vec<(i64, i64)> = select.build_query_as().fetch_all(&mut *tx).await?;
                let mut by_book: HashMap<String, Vec<i64>> = HashMap::new();
                for (book, genre) in links {
                    by_book.entry(book.to_string()).or_default().push(genre);
                }
                for (id, record) in &mut existing {
                    record.set_links(by_book.remove(id).unwrap_or_default());
                }
            }

            // A unique value the database gives to another record (names
            // ignoring case, as genres' and languages' are unique; an ISBN
            // is digits).
            let mut clashed = false;
            if let Some(column) = T::UNIQUE {
                let mut select = QueryBuilder::new(format!(
                    "SELECT id, {column} FROM {} WHERE lower({column}) IN (",
                    T::TABLE
                ));
                let mut values = select.separated(", ");
                for (_, value) in batch.iter().filter_map(Record::unique) {
                    values.push_bind(value.to_lowercase());
                }
                select.push(")");
                let holders: Vec<(i64, String)> =
                    select.build_query_as().fetch_all(&mut *tx).await?;
                let holders: HashMap<String, i64> = holders
                    .into_iter()
                    .map(|(id, value)| (value.to_lowercase(), id))
                    .collect();
                for (id, value) in batch.iter().filter_map(Record::unique) {
                    let holder = holders.get(&value.to_lowercase());
                    if let Some(&holder) = holder.filter(|&&holder| holder != id) {
                        clashed = true;
                        clashes.push(format!(
                            "{kind} {id}: its {column} {value:?} is {kind} {holder}'s in the \
                             catalog",
                            kind = T::KIND.name(),
                        ));
                    }
                }
            }

            let mut written = Vec::new();
            let mut changes = Vec::new();
            for mut record in batch {
                match existing.get(&record.id()) {
                    None => {
                        tally.added += 1;
                        if recorded {
                            changes.push(change(ChangeAction::Create, None, &record));
                        }
                        written.push(record);
                    }
                    Some(current) => {
                        if let Some(kept) = record.keep_from(current) {
                            report.loans_kept.push(kept);
                        }
                        if record == *current {
                            tally.unchanged += 1;
                        } else {
                            tally.changed += 1;
                            if recorded {
                                changes.push(change(ChangeAction::Update, Some(current), &record));
                            }
                            written.push(record);
                        }
                    }
                }
            }

            if clashed && mode == Mode::Write {
                // Changed since the pass that found none: nothing of this
                // batch is written, and the load stops here.
                Err(anyhow::Error::from(Clashes(std::mem::take(clashes))))
            } else if mode == Mode::DryRun || written.is_empty() {
                Ok(())
            } else {
                let mut upsert = QueryBuilder::new(format!(
                    "INSERT INTO {} ({}) ",
                    T::TABLE,
                    T::COLUMNS.join(", ")
                ));
                upsert.push_values(&written, |mut row, record| {
                    for field in record.fields() {
                        match field {
                            Field::Int(value) => row.push_bind(value),
                            Field::Text(value) => row.push_bind(value.map(str::to_string)),
                        };
                    }
                });
                upsert.push(format!(" ON CONFLICT (id) DO UPDATE SET {}", T::UPDATE));
                upsert.build().execute(&mut *tx).await?;

                if T::LINKED {
                    // Each written book's genres, as the file has them.
                    let mut unlink =
                        QueryBuilder::new(format!("DELETE FROM {LINKS_TABLE} WHERE book_id IN ("));
                    let mut ids = unlink.separated(", ");
                    for record in &written {
                        ids.push_bind(book_id(&record.id()));
                    }
                    unlink.push(")");
                    unlink.build().execute(&mut *tx).await?;
                    let links: Vec<(i64, i64)> = written
                        .iter()
                        .flat_map(|record| {
                            let book = book_id(&record.id());
                            record.links().iter().map(move |&genre| (book, genre))
                        })
                        .collect();
                    for links in links.chunks(BATCH) {
                        QueryBuilder::new(format!(
                            "INSERT INTO {LINKS_TABLE} (book_id, genre_id) "
                        ))
                        .push_values(links, |mut row, &(book, genre)| {
                            row.push_bind(book).push_bind(genre);
                        })
                        .build()
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                for changes in changes.chunks(BATCH) {
                    QueryBuilder::new(history::INTO)
                        .push_values(changes, |mut row, change| {
                            let (account, actor, action, kind, id, label, book, fields) =
                                history::columns(&LOADER, change);
                            row.push_bind(history::now_millis())
                                .push_bind(account)
                                .push_bind(actor)
                                .push_bind(action)
                                .push_bind(kind)
                                .push_bind(id)
                                .push_bind(label)
                                .push_bind(book)
                                .push_bind(fields);
                        })
                        .build()
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }
        })
        .context(what)?;
        if mode == Mode::Write {
            // SQLite: the batch copied from the log into the database file
            // now, by this process, while it is small. Left to a serving
            // site's own checkpoints, a log grown by a whole load is copied
            // in the site's turn at writing, and its writes wait seconds.
            database::checkpoint(db)
                .await
                .context("cannot copy the load's writes into the database file")?;
        }
        // The site's writes waiting meanwhile go before the next batch.
        database::give_way(db).await;
        progress.inc(records);
    }
    reading
        .await
        .context("the catalog reader stopped")?
        .context("cannot read the catalog")?;
    report.tallies.push((T::KIND, tally));
    Ok(())
}
