//! Putting a checked catalog in the database, in place of the current one.

use anyhow::Context;
use app::{catalog::positions, db::Db, in_transaction};
use indicatif::ProgressBar;

use super::file::Catalog;

/// The small demo catalog, built into the binary so that a new site shows
/// real data from its first start.
pub const SEED_CATALOG: &str = include_str!("../../data/catalog-small.json");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportSummary {
    pub genres: usize,
    pub languages: usize,
    pub authors: usize,
    pub books: usize,
    pub copies: usize,
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} books, {} copies, {} authors, {} genres, {} languages",
            self.books, self.copies, self.authors, self.genres, self.languages
        )
    }
}

/// Replaces the whole catalog with `catalog` in one transaction: readers see
/// the old catalog until the commit and the new one after it, and any
/// failure leaves the old one as it was. Sessions are not touched.
pub async fn replace_catalog(
    db: &Db,
    catalog: &Catalog,
    progress: &ProgressBar,
) -> anyhow::Result<ImportSummary> {
    load(db, catalog, progress, Replace::Always)
        .await
        .map(|summary| summary.expect("an unconditional load loads"))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Replace {
    Always,
    /// Only into a new database: no catalog ever loaded (the version a load
    /// raises is 0) and no record of any kind, when the load has its turn.
    IfNew,
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
    catalog: &Catalog,
    progress: &ProgressBar,
    replace: Replace,
) -> anyhow::Result<Option<ImportSummary>> {
    progress.set_length(catalog.record_count() as u64);
    in_transaction!(db, |tx| {
        // Loads take turns: this locks the counts row (PostgreSQL) or the
        // database (SQLite) until the commit, so two servers starting on
        // one empty database seed it once, and two loads never interleave.
        // The count it returns is the latest committed one.
        sqlx::query("UPDATE catalog_counts SET books = books WHERE id = 1")
            .execute(&mut *tx)
            .await
            .context("cannot lock the catalog")?;
        if replace == Replace::IfNew {
            let new: bool = sqlx::query_scalar(IS_NEW)
                .fetch_one(&mut *tx)
                .await
                .context("cannot read the catalog")?;
            if !new {
                return Ok(None);
            }
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

        for genre in &catalog.genres {
            sqlx::query("INSERT INTO genre (id, name) VALUES ($1, $2)")
                .bind(genre.id)
                .bind(&genre.name)
                .execute(&mut *tx)
                .await
                .with_context(|| format!("cannot insert genre {}", genre.id))?;
            progress.inc(1);
        }
        for language in &catalog.languages {
            sqlx::query("INSERT INTO language (id, name) VALUES ($1, $2)")
                .bind(language.id)
                .bind(&language.name)
                .execute(&mut *tx)
                .await
                .with_context(|| format!("cannot insert language {}", language.id))?;
            progress.inc(1);
        }
        for author in &catalog.authors {
            sqlx::query(
                "INSERT INTO author (id, first_name, last_name, date_of_birth, date_of_death)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(author.id)
            .bind(&author.first_name)
            .bind(&author.last_name)
            .bind(&author.date_of_birth)
            .bind(&author.date_of_death)
            .execute(&mut *tx)
            .await
            .with_context(|| format!("cannot insert author {}", author.id))?;
            progress.inc(1);
        }
        for book in &catalog.books {
            sqlx::query(
                "INSERT INTO book (id, title, author_id, summary, isbn, language_id)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(book.id)
            .bind(&book.title)
            .bind(book.author_id)
            .bind(&book.summary)
            .bind(&book.isbn)
            .bind(book.language_id)
            .execute(&mut *tx)
            .await
            .with_context(|| format!("cannot insert book {}", book.id))?;
            for genre_id in &book.genre_ids {
                sqlx::query(
                    "INSERT INTO book_genre (book_id, genre_id) VALUES ($1, $2)
                     ON CONFLICT DO NOTHING",
                )
                .bind(book.id)
                .bind(genre_id)
                .execute(&mut *tx)
                .await
                .with_context(|| format!("cannot link book {} to genre {genre_id}", book.id))?;
            }
            progress.inc(1);
        }
        for copy in &catalog.book_instances {
            sqlx::query(
                "INSERT INTO book_instance (id, book_id, imprint, due_back, status)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&copy.id)
            .bind(copy.book_id)
            .bind(&copy.imprint)
            .bind(&copy.due_back)
            .bind(&copy.status)
            .execute(&mut *tx)
            .await
            .with_context(|| format!("cannot insert copy {}", copy.id))?;
            progress.inc(1);
        }

        // The lists read pages by place; the search index followed each
        // insert by itself (triggers).
        for statement in positions::renumbering(db) {
            sqlx::query(statement)
                .execute(&mut *tx)
                .await
                .context("cannot number the lists")?;
        }

        // The home page reads its figures from here (migration 0005); a new
        // version retires every kept catalog page (migration 0009).
        sqlx::query(
            "UPDATE catalog_counts SET
                version          = version + 1,
                books            = (SELECT COUNT(*) FROM book),
                copies           = (SELECT COUNT(*) FROM book_instance),
                copies_available = (SELECT COUNT(*) FROM book_instance WHERE status = 'a'),
                authors          = (SELECT COUNT(*) FROM author)",
        )
        .execute(&mut *tx)
        .await
        .context("cannot recount the catalog")?;

        tx.commit().await.context("cannot commit the new catalog")
    })?;
    progress.finish_and_clear();
    Ok(Some(ImportSummary {
        genres: catalog.genres.len(),
        languages: catalog.languages.len(),
        authors: catalog.authors.len(),
        books: catalog.books.len(),
        copies: catalog.book_instances.len(),
    }))
}

/// Loads the built-in demo catalog into a new database (see
/// [`Replace::IfNew`]): never over or beside records of any kind.
pub async fn seed_if_new(db: &Db) -> anyhow::Result<Option<ImportSummary>> {
    let catalog = Catalog::parse(SEED_CATALOG).context("the built-in catalog is invalid")?;
    load(db, &catalog, &ProgressBar::hidden(), Replace::IfNew).await
}
