//! Putting a checked catalog in the database, in place of the current one.

use anyhow::Context;
use app::{
    catalog::{positions, search},
    db::{Db, LOCK_CATALOG},
    in_transaction,
};
use indicatif::ProgressBar;

use serde::de::DeserializeOwned;
use sqlx::QueryBuilder;
use tokio::{sync::mpsc, task::JoinHandle};

use super::file::{
    Author, Book, BookInstance, CatalogError, Counts, Genre, Kind, Language, Source,
};

/// The small demo catalog, built into the binary so that a new site shows
/// real data from its first start.
pub const SEED_CATALOG: &str = include_str!("../../data/catalog-small.json");

/// What a load put in the database.
pub type ImportSummary = Counts;

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} books, {} copies, {} authors, {} genres, {} languages",
            self.books, self.copies, self.authors, self.genres, self.languages
        )
    }
}

/// Replaces the whole catalog with the one `source` holds, which has passed
/// every check (`counts` is what [`Source::check`] found), in one
/// transaction: readers see the old catalog until the commit and the new
/// one after it, and any failure leaves the old one as it was. Sessions are
/// not touched. Every copy is replaced, and with it its loan: while any copy
/// is lent to a member the load is refused ([`CopiesOnLoan`]) unless
/// `loans` is [`Loans::Discard`].
pub async fn replace_catalog(
    db: &Db,
    source: &Source,
    counts: Counts,
    progress: &ProgressBar,
    loans: Loans,
) -> anyhow::Result<ImportSummary> {
    let replace = match loans {
        Loans::Refuse => Replace::UnlessLent,
        Loans::Discard => Replace::Always,
    };
    load(db, source, counts, progress, replace)
        .await
        .map(|summary| summary.expect("a load not refused loads"))
}

/// What a load does when copies are lent to members.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loans {
    /// Loads nothing.
    Refuse,
    /// Replaces the copies all the same: their loans are lost.
    Discard,
}

/// A load refused: this many copies are lent to members.
#[derive(Debug, thiserror::Error)]
#[error(
    "{} lent to members, and --replace replaces every copy, with its loan",
    if *.0 == 1 { "1 copy is".to_string() } else { format!("{} copies are", .0) }
)]
pub struct CopiesOnLoan(pub i64);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Replace {
    Always,
    /// Only while no copy is lent to a member, when the load has its turn.
    UnlessLent,
    /// Only into a new database: no catalog ever loaded (the version a load
    /// raises is 0) and no record of any kind, when the load has its turn.
    IfNew,
}

/// Records per statement: a few thousand values bound at once, well under
/// either database's limit (SQLite's 32,766; PostgreSQL's 65,535).
pub(super) const BATCH: usize = 1000;

/// The records of `kind` in `source`, read on a thread of their own a batch
/// at a time, a few batches ahead of the inserts; and how the reading ended.
pub(super) fn stream<T: DeserializeOwned + Send + 'static>(
    source: &Source,
    kind: Kind,
) -> (mpsc::Receiver<Vec<T>>, JoinHandle<Result<(), CatalogError>>) {
    let (sender, batches) = mpsc::channel(4);
    let source = source.clone();
    let reading = tokio::task::spawn_blocking(move || {
        source.read(kind, BATCH, &mut |batch| {
            sender.blocking_send(batch).is_ok()
        })
    });
    (batches, reading)
}

/// `each_batch!(source, kind, progress, |batch: T| body)`: runs `body` on
/// each batch of the records of `kind`, counting them on `progress`; a
/// failure of `body` (by `?`) stops the reading.
macro_rules! each_batch {
    ($source:expr, $kind:expr, $progress:expr, |$batch:ident: $record:ty| $body:block) => {{
        let (mut batches, reading) = stream::<$record>($source, $kind);
        while let Some($batch) = batches.recv().await {
            let records = $batch.len() as u64;
            $body
            $progress.inc(records);
        }
        reading
            .await
            .context("the catalog reader stopped")?
            .context("cannot read the catalog")?;
    }};
}

/// Whether the database holds nothing at all: never a catalog loaded (a
/// catalog of authors only, or one emptied of books, has been), no record
/// in any table of the catalog, no session.
const IS_NEW: &str = "SELECT (SELECT version FROM catalog_counts) = 0
       AND NOT EXISTS (SELECT 1 FROM author) AND NOT EXISTS (SELECT 1 FROM book)
       AND NOT EXISTS (SELECT 1 FROM genre) AND NOT EXISTS (SELECT 1 FROM language)
       AND NOT EXISTS (SELECT 1 FROM book_instance)
       AND NOT EXISTS (SELECT 1 FROM tower_sessions)";

async fn load(
    db: &Db,
    source: &Source,
    counts: Counts,
    progress: &ProgressBar,
    replace: Replace,
) -> anyhow::Result<Option<ImportSummary>> {
    progress.set_length(counts.records() as u64);
    in_transaction!(db, |tx| {
        // Loads take turns: this locks the counts row (PostgreSQL) or the
        // database (SQLite) until the commit, so two servers starting on
        // one empty database seed it once, and two loads never interleave.
        // The count it returns is the latest committed one.
        sqlx::query(LOCK_CATALOG)
            .execute(&mut *tx)
            .await
            .context("cannot lock the catalog")?;
        match replace {
            Replace::IfNew => {
                let new: bool = sqlx::query_scalar(IS_NEW)
                    .fetch_one(&mut *tx)
                    .await
                    .context("cannot read the catalog")?;
                if !new {
                    return Ok(None);
                }
            }
            Replace::UnlessLent => {
                let lent: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM book_instance WHERE borrower_id IS NOT NULL",
                )
                .fetch_one(&mut *tx)
                .await
                .context("cannot read the loans")?;
                if lent > 0 {
                    return Err(CopiesOnLoan(lent).into());
                }
            }
            Replace::Always => {}
        }

        // Children first, so no foreign key is ever left dangling.
        for table in [
            "book_instance",
            "book_genre",
            "book",
            "author",
            "genre",
            "language",
        ] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await
                .with_context(|| format!("cannot clear table {table}"))?;
        }

        // Parents first, each section a batch at a time.
        each_batch!(source, Kind::Genre, progress, |genres: Genre| {
            QueryBuilder::new("INSERT INTO genre (id, name) ")
                .push_values(genres, |mut row, genre| {
                    row.push_bind(genre.id).push_bind(genre.name);
                })
                .build()
                .execute(&mut *tx)
                .await
                .context("cannot insert genres")?;
        });
        each_batch!(source, Kind::Language, progress, |languages: Language| {
            QueryBuilder::new("INSERT INTO language (id, name) ")
                .push_values(languages, |mut row, language| {
                    row.push_bind(language.id).push_bind(language.name);
                })
                .build()
                .execute(&mut *tx)
                .await
                .context("cannot insert languages")?;
        });
        each_batch!(source, Kind::Author, progress, |authors: Author| {
            QueryBuilder::new(
                "INSERT INTO author (id, first_name, last_name, date_of_birth, date_of_death) ",
            )
            .push_values(authors, |mut row, author| {
                row.push_bind(author.id)
                    .push_bind(author.first_name)
                    .push_bind(author.last_name)
                    .push_bind(author.date_of_birth)
                    .push_bind(author.date_of_death);
            })
            .build()
            .execute(&mut *tx)
            .await
            .context("cannot insert authors")?;
        });
        each_batch!(source, Kind::Book, progress, |books: Book| {
            let genres: Vec<(i64, i64)> = books
                .iter()
                .flat_map(|book| book.genre_ids.iter().map(|&genre| (book.id, genre)))
                .collect();
            QueryBuilder::new(
                "INSERT INTO book (id, title, author_id, summary, isbn, language_id) ",
            )
            .push_values(books, |mut row, book| {
                row.push_bind(book.id)
                    .push_bind(book.title)
                    .push_bind(book.author_id)
                    .push_bind(book.summary)
                    .push_bind(book.isbn)
                    .push_bind(book.language_id);
            })
            .build()
            .execute(&mut *tx)
            .await
            .context("cannot insert books")?;
            // A book may name a genre twice.
            for genres in genres.chunks(BATCH) {
                QueryBuilder::new("INSERT INTO book_genre (book_id, genre_id) ")
                    .push_values(genres, |mut row, &(book, genre)| {
                        row.push_bind(book).push_bind(genre);
                    })
                    .push(" ON CONFLICT DO NOTHING")
                    .build()
                    .execute(&mut *tx)
                    .await
                    .context("cannot link books to their genres")?;
            }
        });
        each_batch!(source, Kind::Copy, progress, |copies: BookInstance| {
            QueryBuilder::new(
                "INSERT INTO book_instance (id, book_id, imprint, due_back, status) ",
            )
            .push_values(copies, |mut row, copy| {
                row.push_bind(copy.id)
                    .push_bind(copy.book_id)
                    .push_bind(copy.imprint)
                    .push_bind(copy.due_back)
                    .push_bind(copy.status);
            })
            .build()
            .execute(&mut *tx)
            .await
            .context("cannot insert copies")?;
        });

        // The lists read pages by place; the search index followed each
        // insert by itself (triggers), and is made ready to search.
        for statement in positions::renumbering(db)
            .iter()
            .chain(search::after_load(db))
        {
            sqlx::query(statement)
                .execute(&mut *tx)
                .await
                .context("cannot number the lists")?;
        }

        // The database counted what the load deleted and inserted, and
        // the load's writes raised the version, which retires every kept
        // page (migrations sqlite 0017–0018, postgres 0011–0012).
        tx.commit().await.context("cannot commit the new catalog")
    })?;
    progress.finish_and_clear();
    Ok(Some(counts))
}

/// Loads the built-in demo catalog into a new database (see
/// [`Replace::IfNew`]): never over or beside records of any kind.
pub async fn seed_if_new(db: &Db) -> anyhow::Result<Option<ImportSummary>> {
    let source = Source::Text(SEED_CATALOG);
    let counts = source
        .check(&|_| {})
        .context("the built-in catalog is invalid")?;
    load(db, &source, counts, &ProgressBar::hidden(), Replace::IfNew).await
}
