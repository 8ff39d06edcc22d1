//! Writing the catalog to a file in the format `load-catalog` reads: one
//! record a line, each section in the order of its ids, so two exports of
//! one catalog are the same bytes and a `diff` of two says what changed.
//!
//! The whole export reads one snapshot of the database (a read
//! transaction), so the file is the catalog as it stood at one moment,
//! its references whole, whatever the site changes meanwhile; the site's
//! writers never wait for it. Records are read a batch at a time, in the
//! order of their ids, so memory stays flat whatever the catalog's size.
//! A copy's loan is in the file as the copy's status and due date, never
//! its borrower: members are not part of a catalog.

use std::{
    fs::File,
    io::{BufWriter, Write},
    path::Path,
};

use anyhow::{bail, Context};
use app::db::Db;
use indicatif::ProgressBar;
use sqlx::{Connection, QueryBuilder};

use super::{
    file::{Author, Book, BookInstance, Counts, Genre, Language},
    import::BATCH,
    merge::{Field, Record},
};
use crate::backups::Partial;

/// Writes the catalog to `file`, which must not exist; gives what it holds.
pub async fn export_catalog(
    db: &Db,
    file: &Path,
    progress: &ProgressBar,
) -> anyhow::Result<Counts> {
    if file.exists() {
        bail!(
            "{} exists: an export never writes over a file (move it aside or choose another name)",
            file.display()
        );
    }
    let partial = Partial::beside(file);
    let mut out = BufWriter::new(
        File::create(&partial.path)
            .with_context(|| format!("cannot write {}", partial.path.display()))?,
    );
    let mut counts = Counts::default();

    /// One section, read a batch at a time after the last id written.
    macro_rules! section {
        ($tx:ident, $record:ty, $count:expr) => {{
            write!(out, "{:?}: [", <$record as Record>::KIND.key())?;
            let mut after: Option<$record> = None;
            loop {
                let mut select = QueryBuilder::new(format!(
                    "SELECT {} FROM {}",
                    <$record as Record>::SELECT,
                    <$record as Record>::TABLE
                ));
                if let Some(last) = &after {
                    select.push(" WHERE id > ");
                    match last.fields().swap_remove(0) {
                        Field::Int(id) => select.push_bind(id),
                        Field::Text(id) => select.push_bind(id.map(str::to_string)),
                    };
                }
                select.push(format!(" ORDER BY id LIMIT {BATCH}"));
                let mut batch: Vec<$record> = select.build_query_as().fetch_all(&mut *$tx).await?;
                if let (true, Some(first), Some(last)) =
                    (<$record as Record>::LINKED, batch.first(), batch.last())
                {
                    let links: Vec<(i64, i64)> = sqlx::query_as(
                        "SELECT book_id, genre_id FROM book_genre
                         WHERE book_id >= $1 AND book_id <= $2 ORDER BY book_id, genre_id",
                    )
                    .bind(first.id().parse::<i64>()?)
                    .bind(last.id().parse::<i64>()?)
                    .fetch_all(&mut *$tx)
                    .await?;
                    let mut links = links.into_iter().peekable();
                    for record in &mut batch {
                        let book: i64 = record.id().parse()?;
                        let mut genres = Vec::new();
                        while let Some((_, genre)) = links.next_if(|(of, _)| *of == book) {
                            genres.push(genre);
                        }
                        record.set_links(genres);
                    }
                }
                for record in &batch {
                    out.write_all(if $count == 0 { b"\n" } else { b",\n" })?;
                    serde_json::to_writer(&mut out, record)?;
                    $count += 1;
                }
                progress.inc(batch.len() as u64);
                let full = batch.len() == BATCH;
                after = batch.pop();
                if !full {
                    break;
                }
            }
            out.write_all(b"\n]")?;
        }};
    }

    let read: anyhow::Result<()> = in_snapshot!(db, |tx| {
        let records: i64 = sqlx::query_scalar(RECORDS).fetch_one(&mut *tx).await?;
        progress.set_length(records.try_into().unwrap_or(0));
        out.write_all(b"{\n")?;
        section!(tx, Genre, counts.genres);
        out.write_all(b",\n")?;
        section!(tx, Language, counts.languages);
        out.write_all(b",\n")?;
        section!(tx, Author, counts.authors);
        out.write_all(b",\n")?;
        section!(tx, Book, counts.books);
        out.write_all(b",\n")?;
        section!(tx, BookInstance, counts.copies);
        out.write_all(b"\n}\n")?;
        Ok(())
    });
    read.context("cannot export the catalog")?;
    out.into_inner()
        .map_err(|err| err.into_error())
        .and_then(|file| file.sync_all())
        .with_context(|| format!("cannot write {}", partial.path.display()))?;
    partial.finish(file)?;
    progress.finish_and_clear();
    Ok(counts)
}

/// `in_snapshot!(db, |tx| body)`: runs `body` in a read transaction that
/// sees the database as it stood at its first read, to its end.
macro_rules! in_snapshot {
    ($db:expr, |$tx:ident| $body:expr) => {
        match $db {
            Db::Sqlite(sqlite) => {
                let mut reader = sqlite.reader().await?;
                // A deferred transaction: SQLite takes its snapshot at the
                // first read, and keeps it (write-ahead log) to the end.
                let mut $tx = (*reader).begin().await?;
                $body
            }
            Db::Postgres(postgres) => {
                let mut $tx = postgres.pool().begin().await?;
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(&mut *$tx)
                    .await?;
                $body
            }
        }
    };
}
use in_snapshot;

const RECORDS: &str = "SELECT (SELECT COUNT(*) FROM genre) + (SELECT COUNT(*) FROM language)
    + (SELECT COUNT(*) FROM author) + (SELECT COUNT(*) FROM book)
    + (SELECT COUNT(*) FROM book_instance)";
