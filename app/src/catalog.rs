//! Read queries over the catalog.

use crate::{db::Db, error::AppError, model::CatalogCounts};

/// The four home-page figures, read in one statement so they are consistent
/// with each other even while a new catalog is being loaded.
pub async fn counts(db: &Db) -> Result<CatalogCounts, AppError> {
    let (books, copies, copies_available, authors): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM book),
                (SELECT COUNT(*) FROM book_instance),
                (SELECT COUNT(*) FROM book_instance WHERE status = 'a'),
                (SELECT COUNT(*) FROM author)",
    )
    .fetch_one(db.pool())
    .await?;
    Ok(CatalogCounts {
        books,
        copies,
        copies_available,
        authors,
    })
}
