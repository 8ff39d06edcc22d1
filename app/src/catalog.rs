//! Read queries over the catalog.

use crate::{
    db::Db,
    error::AppError,
    model::{
        AuthorBook, AuthorDetail, AuthorRef, AuthorSummary, BookCopy, BookDetail, BookSummary,
        CatalogCounts, CopyStatus, ListPage, MAX_SEARCH_CHARS,
    },
    on_reader,
    paging::page_count,
};

/// The four home-page figures, read in one statement so they are consistent
/// with each other even while a new catalog is being loaded.
pub async fn counts(db: &Db) -> Result<CatalogCounts, AppError> {
    let row = on_reader!(db, |conn| {
        sqlx::query_as("SELECT books, copies, copies_available, authors FROM catalog_counts")
            .fetch_one(conn)
            .await
    })?;
    Ok(figures(row))
}

/// The figures from a row of `catalog_counts`' four columns, in order.
fn figures((books, copies, copies_available, authors): (i64, i64, i64, i64)) -> CatalogCounts {
    CatalogCounts {
        books,
        copies,
        copies_available,
        authors,
    }
}

/// A LIKE pattern that finds `term` anywhere in `book.search_key`, matching
/// case-insensitively in any script: both sides are lowercased by Rust's
/// Unicode rules. LIKE's own wildcards in the term are escaped.
pub fn search_pattern(term: &str) -> Option<String> {
    let term = term.trim().to_lowercase();
    if term.is_empty() {
        return None;
    }
    let mut pattern = String::with_capacity(term.len() + 2);
    pattern.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Some(pattern)
}

/// A statement ordered by `columns` ignoring case, as SQLite and PostgreSQL
/// spell it, for [`Db::pick`]. Both orders are the same: SQLite's NOCASE
/// folds ASCII letters and compares bytes; PostgreSQL's `lower()` under the
/// "C" collation folds ASCII letters only, and "C" compares bytes. (A
/// database's default collation would sort by its locale's rules instead.)
macro_rules! ordered_nocase {
    ($head:literal, [$first:literal $(, $column:literal)*], $tail:literal) => {
        (
            concat!(
                $head, " ", $first, " COLLATE NOCASE"
                $(, ", ", $column, " COLLATE NOCASE")*, $tail
            ),
            concat!(
                $head, " lower(", $first, " COLLATE \"C\")"
                $(, ", lower(", $column, " COLLATE \"C\")")*, $tail
            ),
        )
    };
}

fn author_ref(id: Option<i64>, last: Option<String>, first: Option<String>) -> Option<AuthorRef> {
    Some(AuthorRef {
        id: id?,
        name: format!(
            "{}, {}",
            last.unwrap_or_default(),
            first.unwrap_or_default()
        ),
    })
}

/// Checks `page` against the list's length: past the end is a 404.
fn offset(total: i64, page: u32, per_page: u32) -> Result<(u32, i64), AppError> {
    let pages = page_count(total, per_page);
    if page > pages {
        return Err(AppError::NotFound(format!(
            "There is no page {page}: this list has {pages} page{}.",
            if pages == 1 { "" } else { "s" }
        )));
    }
    Ok((pages, i64::from(page - 1) * i64::from(per_page)))
}

type BookRow = (i64, String, Option<i64>, Option<String>, Option<String>);

/// Books by title, optionally only those whose title or author matches `search`.
pub async fn books(
    db: &Db,
    search: Option<&str>,
    page: u32,
    per_page: u32,
) -> Result<ListPage<BookSummary>, AppError> {
    if search.is_some_and(|term| term.chars().count() > MAX_SEARCH_CHARS) {
        return Err(AppError::BadRequest(format!(
            "The search terms are too long: search with at most {MAX_SEARCH_CHARS} characters."
        )));
    }
    let pattern = search.and_then(search_pattern);
    // Without a search term the count is the home page's, kept by the
    // catalog load: counting the matches means reading every book.
    let total: i64 = on_reader!(db, |conn| {
        sqlx::query_scalar(
            "SELECT CASE WHEN $1 IS NULL THEN (SELECT books FROM catalog_counts)
             ELSE (SELECT COUNT(*) FROM book WHERE search_key LIKE $1 ESCAPE '\\') END",
        )
        .bind(&pattern)
        .fetch_one(conn)
        .await
    })?;
    let (pages, offset) = offset(total, page, per_page)?;
    let (sqlite, postgres) = ordered_nocase!(
        "SELECT b.id, b.title, a.id, a.last_name, a.first_name
         FROM book b LEFT JOIN author a ON a.id = b.author_id
         WHERE $1 IS NULL OR b.search_key LIKE $1 ESCAPE '\\'
         ORDER BY",
        ["b.title"],
        ", b.id LIMIT $2 OFFSET $3"
    );
    let rows: Vec<BookRow> = on_reader!(db, |conn| {
        sqlx::query_as(db.pick(sqlite, postgres))
            .bind(&pattern)
            .bind(i64::from(per_page))
            .bind(offset)
            .fetch_all(conn)
            .await
    })?;
    let items = rows
        .into_iter()
        .map(|(id, title, author_id, last, first)| BookSummary {
            id,
            title,
            author: author_ref(author_id, last, first),
        })
        .collect();
    Ok(ListPage {
        items,
        page,
        pages,
        total,
        per_page,
    })
}

type AuthorRow = (i64, String, String, Option<String>, Option<String>);

fn author_summary(
    (id, first_name, last_name, date_of_birth, date_of_death): AuthorRow,
) -> AuthorSummary {
    AuthorSummary {
        id,
        first_name,
        last_name,
        date_of_birth,
        date_of_death,
    }
}

/// Authors by last name, then first name.
pub async fn authors(
    db: &Db,
    page: u32,
    per_page: u32,
) -> Result<ListPage<AuthorSummary>, AppError> {
    let total: i64 = on_reader!(db, |conn| {
        sqlx::query_scalar("SELECT COUNT(*) FROM author")
            .fetch_one(conn)
            .await
    })?;
    let (pages, offset) = offset(total, page, per_page)?;
    let (sqlite, postgres) = ordered_nocase!(
        "SELECT id, first_name, last_name, date_of_birth, date_of_death FROM author ORDER BY",
        ["last_name", "first_name"],
        ", id LIMIT $1 OFFSET $2"
    );
    let rows: Vec<AuthorRow> = on_reader!(db, |conn| {
        sqlx::query_as(db.pick(sqlite, postgres))
            .bind(i64::from(per_page))
            .bind(offset)
            .fetch_all(conn)
            .await
    })?;
    Ok(ListPage {
        items: rows.into_iter().map(author_summary).collect(),
        page,
        pages,
        total,
        per_page,
    })
}

pub async fn book(db: &Db, id: i64) -> Result<BookDetail, AppError> {
    type Row = (
        i64,
        String,
        String,
        String,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let row: Option<Row> = on_reader!(db, |conn| {
        sqlx::query_as(
            "SELECT b.id, b.title, b.summary, b.isbn, a.id, a.last_name, a.first_name, l.name
             FROM book b
             LEFT JOIN author a ON a.id = b.author_id
             LEFT JOIN language l ON l.id = b.language_id
             WHERE b.id = $1",
        )
        .bind(id)
        .fetch_optional(conn)
        .await
    })?;
    let Some((id, title, summary, isbn, author_id, last, first, language)) = row else {
        return Err(AppError::NotFound(format!(
            "There is no book with the id {id}."
        )));
    };
    let (sqlite, postgres) = ordered_nocase!(
        "SELECT g.name FROM book_genre bg JOIN genre g ON g.id = bg.genre_id
         WHERE bg.book_id = $1 ORDER BY",
        ["g.name"],
        ""
    );
    let genres: Vec<String> = on_reader!(db, |conn| {
        sqlx::query_scalar(db.pick(sqlite, postgres))
            .bind(id)
            .fetch_all(conn)
            .await
    })?;
    let (sqlite, postgres) = ordered_nocase!(
        "SELECT id, imprint, status, due_back FROM book_instance WHERE book_id = $1 ORDER BY",
        ["imprint"],
        ", id"
    );
    let copies: Vec<(String, String, String, Option<String>)> = on_reader!(db, |conn| {
        sqlx::query_as(db.pick(sqlite, postgres))
            .bind(id)
            .fetch_all(conn)
            .await
    })?;
    let copies = copies
        .into_iter()
        .filter_map(|(id, imprint, status, due_back)| {
            // The schema's CHECK admits only the four codes.
            let status = CopyStatus::from_code(&status)?;
            Some(BookCopy {
                id,
                imprint,
                status,
                due_back,
            })
        })
        .collect();
    Ok(BookDetail {
        id,
        title,
        author: author_ref(author_id, last, first),
        summary,
        isbn,
        language,
        genres,
        copies,
    })
}

pub async fn author(db: &Db, id: i64) -> Result<AuthorDetail, AppError> {
    let row: Option<AuthorRow> = on_reader!(db, |conn| {
        sqlx::query_as(
            "SELECT id, first_name, last_name, date_of_birth, date_of_death FROM author WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(conn)
        .await
    })?;
    let Some(row) = row else {
        return Err(AppError::NotFound(format!(
            "There is no author with the id {id}."
        )));
    };
    let (sqlite, postgres) = ordered_nocase!(
        "SELECT id, title, summary FROM book WHERE author_id = $1 ORDER BY",
        ["title"],
        ", id"
    );
    let books: Vec<(i64, String, String)> = on_reader!(db, |conn| {
        sqlx::query_as(db.pick(sqlite, postgres))
            .bind(id)
            .fetch_all(conn)
            .await
    })?;
    Ok(AuthorDetail {
        author: author_summary(row),
        books: books
            .into_iter()
            .map(|(id, title, summary)| AuthorBook { id, title, summary })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::search_pattern;

    #[test]
    fn search_patterns_fold_case_in_any_script_and_escape_wildcards() {
        assert_eq!(search_pattern("  ÑanDÚ "), Some("%ñandú%".to_string()));
        assert_eq!(search_pattern("ТОЛСТОЙ"), Some("%толстой%".to_string()));
        assert_eq!(
            search_pattern("100%_a\\b"),
            Some("%100\\%\\_a\\\\b%".to_string())
        );
        assert_eq!(search_pattern("   "), None);
    }
}
