//! Read queries over the catalog.

pub mod authors;
pub mod books;
pub mod copies;
pub mod positions;
pub mod search;
pub mod terms;

use crate::{
    db::Db,
    error::{AppError, Missing},
    model::{
        AuthorBook, AuthorDetail, AuthorRef, AuthorSummary, BookCopy, BookDetail, BookSummary,
        CatalogCounts, CopyStatus, ListPage, Term, TermBooks, TermRef, Vocabulary,
    },
    on_reader,
    paging::{check_page, page_count},
};

use self::search::SearchTerms;

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

/// Why a record was not deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotDeleted {
    /// Other records need it: an author's books, a book's copies (the
    /// delete page lists them).
    InUse,
    Failed(AppError),
}

impl From<sqlx::Error> for NotDeleted {
    fn from(err: sqlx::Error) -> Self {
        NotDeleted::Failed(err.into())
    }
}

/// A row of the book list: id, title, author (id, last and first name),
/// copies, copies available.
type BookRow = (
    i64,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    i64,
    i64,
);

/// The columns of [`BookRow`], for a statement over `book b LEFT JOIN
/// author a`.
macro_rules! book_row_columns {
    () => {
        "b.id, b.title, a.id, a.last_name, a.first_name,
         (SELECT COUNT(*) FROM book_instance c WHERE c.book_id = b.id),
         (SELECT COUNT(*) FROM book_instance c WHERE c.book_id = b.id AND c.status = 'a')"
    };
}

fn book_summary((id, title, author_id, last, first, copies, available): BookRow) -> BookSummary {
    BookSummary {
        id,
        title,
        author: author_ref(author_id, last, first),
        copies,
        available,
    }
}

/// Books by title, or those matching `search` (best matches first: every
/// word in the title, then words spread over title and author; each by
/// title).
pub async fn books(
    db: &Db,
    search: Option<&str>,
    page: u32,
    per_page: u32,
) -> Result<ListPage<BookSummary>, AppError> {
    let rows = match search.map(SearchTerms::parse).transpose()?.flatten() {
        None if search.is_some_and(|term| !term.trim().is_empty()) => {
            // Punctuation only: nothing can match it.
            (0, Vec::new())
        }
        None => all_books(db, page, per_page).await?,
        Some(terms) => matching_books(db, &terms, page, per_page).await?,
    };
    let (total, rows) = rows;
    let pages = page_count(total, per_page);
    check_page(page, pages)?;
    Ok(ListPage {
        items: rows.into_iter().map(book_summary).collect(),
        page,
        pages,
        total,
        per_page,
    })
}

/// The number of books and the rows of `page`, by place in the list.
async fn all_books(db: &Db, page: u32, per_page: u32) -> Result<(i64, Vec<BookRow>), AppError> {
    // The count is the home page's, kept by whatever changes the catalog.
    let total: i64 = on_reader!(db, |conn| {
        sqlx::query_scalar("SELECT books FROM catalog_counts")
            .fetch_one(conn)
            .await
    })?;
    let (first, last) = places(page, per_page);
    let rows = on_reader!(db, |conn| {
        sqlx::query_as(concat!(
            "SELECT ",
            book_row_columns!(),
            " FROM book b LEFT JOIN author a ON a.id = b.author_id
             WHERE b.list_position BETWEEN $1 AND $2 ORDER BY b.list_position"
        ))
        .bind(first)
        .bind(last)
        .fetch_all(conn)
        .await
    })?;
    Ok((total, rows))
}

/// The number of books matching `terms` and the rows of `page`, best
/// matches first: the books with every word in the title, then those
/// whose words are spread over title and author, each group in the book
/// list's order. Counting a group is cheap (the text index counts it);
/// each page is read from its group(s) by place in the list.
async fn matching_books(
    db: &Db,
    terms: &SearchTerms,
    page: u32,
    per_page: u32,
) -> Result<(i64, Vec<BookRow>), AppError> {
    let query = terms.bind_value(db);
    let (in_title, total): (i64, i64) = on_reader!(db, |conn| {
        sqlx::query_as(db.pick(
            "SELECT (SELECT COUNT(*) FROM book_search
                     WHERE book_search MATCH '{title} : (' || $1 || ')'),
                    (SELECT COUNT(*) FROM book_search WHERE book_search MATCH $1)",
            // Each query made once (a subquery), not once per row.
            "SELECT COUNT(*) FILTER (WHERE search @@ (SELECT search_query($1, 'A'))), COUNT(*)
             FROM book WHERE search @@ (SELECT search_query($1, ''))",
        ))
        .bind(&query)
        .fetch_one(conn)
        .await
    })?;
    let offset = i64::from(page - 1) * i64::from(per_page);
    let limit = i64::from(per_page);
    let mut rows = Vec::new();
    if offset < in_title {
        rows = group_page(db, &query, Group::Title, in_title, limit, offset).await?;
    }
    let wanted = limit - rows.len() as i64;
    if wanted > 0 && offset + (rows.len() as i64) < total {
        let rest = Group::Rest;
        let skip = (offset - in_title).max(0);
        rows.extend(group_page(db, &query, rest, total - in_title, wanted, skip).await?);
    }
    Ok((total, rows))
}

/// The two groups of a search's matches, as the statements name them.
#[derive(Clone, Copy)]
enum Group {
    /// Every word in the title.
    Title,
    /// The other matches.
    Rest,
}

impl Group {
    fn name(self) -> &'static str {
        match self {
            Group::Title => "title",
            Group::Rest => "rest",
        }
    }
}

/// Above this many matches a group's page is found by walking the book
/// list in order until enough of them have gone by (SQLite's planner would
/// sort every match first: 68,000 of them for "the" in 100,000 books);
/// with fewer, sorting them is quicker than walking past the books between
/// them.
const WALK_ABOVE: i64 = 1000;

/// `limit` rows of a group of `size` matches, after `offset` of them.
async fn group_page(
    db: &Db,
    query: &str,
    group: Group,
    size: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<BookRow>, AppError> {
    // The group's FTS5 query, from the search's.
    macro_rules! sqlite_group {
        () => {
            "book_search MATCH CASE $2 WHEN 'title' THEN '{title} : (' || $1 || ')'
                                   ELSE '(' || $1 || ') NOT {title} : (' || $1 || ')' END"
        };
    }
    // The page's places, then the rows for just those.
    macro_rules! page_of {
        ($hits:expr) => {
            concat!(
                "WITH hits AS (",
                $hits,
                " ORDER BY b.list_position LIMIT $3 OFFSET $4) SELECT ",
                book_row_columns!(),
                " FROM hits JOIN book b ON b.id = hits.id
                  LEFT JOIN author a ON a.id = b.author_id ORDER BY hits.place"
            )
        };
    }
    let sorted = page_of!(concat!(
        "SELECT b.id, b.list_position AS place FROM book b
         WHERE b.id IN (SELECT rowid FROM book_search WHERE ",
        sqlite_group!(),
        ")"
    ));
    let walked = page_of!(concat!(
        "SELECT b.id, b.list_position AS place FROM book b INDEXED BY book_list_position
         WHERE b.list_position > 0 AND b.id IN (SELECT rowid FROM book_search WHERE ",
        sqlite_group!(),
        ")"
    ));
    let postgres = page_of!(
        "SELECT b.id, b.list_position AS place FROM book b
         WHERE b.search @@ (SELECT search_query($1, ''))
           AND (b.search @@ (SELECT search_query($1, 'A'))) = ($2 = 'title')"
    );
    let sqlite = if size > WALK_ABOVE { walked } else { sorted };
    let rows = on_reader!(db, |conn| {
        sqlx::query_as(db.pick(sqlite, postgres))
            .bind(query)
            .bind(group.name())
            .bind(limit)
            .bind(offset)
            .fetch_all(conn)
            .await
    })?;
    Ok(rows)
}

/// The first and last place in a list of `page` at `per_page` a page.
pub fn places(page: u32, per_page: u32) -> (i64, i64) {
    let first = i64::from(page - 1) * i64::from(per_page) + 1;
    (first, first + i64::from(per_page) - 1)
}

/// A row of the author list: id, names, life dates, number of books,
/// version.
type AuthorRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    i64,
);

/// The columns of [`AuthorRow`], for a statement over `author a`.
macro_rules! author_row_columns {
    () => {
        "a.id, a.first_name, a.last_name, a.date_of_birth, a.date_of_death,
         (SELECT COUNT(*) FROM book b WHERE b.author_id = a.id), a.version"
    };
}

fn author_summary(
    (id, first_name, last_name, date_of_birth, date_of_death, books, version): AuthorRow,
) -> AuthorSummary {
    AuthorSummary {
        id,
        first_name,
        last_name,
        date_of_birth,
        date_of_death,
        books,
        version,
    }
}

/// Authors by last name, then first name.
pub async fn authors(
    db: &Db,
    page: u32,
    per_page: u32,
) -> Result<ListPage<AuthorSummary>, AppError> {
    let total: i64 = on_reader!(db, |conn| {
        sqlx::query_scalar("SELECT authors FROM catalog_counts")
            .fetch_one(conn)
            .await
    })?;
    let pages = page_count(total, per_page);
    check_page(page, pages)?;
    let (first, last) = places(page, per_page);
    let rows: Vec<AuthorRow> = on_reader!(db, |conn| {
        sqlx::query_as(concat!(
            "SELECT ",
            author_row_columns!(),
            " FROM author a WHERE a.list_position BETWEEN $1 AND $2 ORDER BY a.list_position"
        ))
        .bind(first)
        .bind(last)
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

/// A book's page.
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
        Option<i64>,
    );
    let row: Option<Row> = on_reader!(db, |conn| {
        sqlx::query_as(
            "SELECT b.id, b.title, b.summary, b.isbn, a.id, a.last_name, a.first_name, l.name,
                    l.id
             FROM book b
             LEFT JOIN author a ON a.id = b.author_id
             LEFT JOIN language l ON l.id = b.language_id
             WHERE b.id = $1",
        )
        .bind(id)
        .fetch_optional(conn)
        .await
    })?;
    let Some((id, title, summary, isbn, author_id, last, first, language, language_id)) = row
    else {
        return Err(AppError::NotFound(Missing::Book(id.to_string())));
    };
    let (sqlite, postgres) = ordered_nocase!(
        "SELECT g.id, g.name FROM book_genre bg JOIN genre g ON g.id = bg.genre_id
         WHERE bg.book_id = $1 ORDER BY",
        ["g.name"],
        ""
    );
    let genres: Vec<(i64, String)> = on_reader!(db, |conn| {
        sqlx::query_as(db.pick(sqlite, postgres))
            .bind(id)
            .fetch_all(conn)
            .await
    })?;
    // Available copies first, then those coming back soonest.
    let (sqlite, postgres) = ordered_nocase!(
        "SELECT copy.id, copy.imprint, copy.status, copy.due_back, account.username
         FROM book_instance copy LEFT JOIN account ON account.id = copy.borrower_id
         WHERE copy.book_id = $1
         ORDER BY CASE copy.status WHEN 'a' THEN 0 WHEN 'o' THEN 1 WHEN 'r' THEN 2 ELSE 3 END,
                  coalesce(copy.due_back, '9999-12-31'),",
        ["copy.imprint"],
        ", copy.id"
    );
    type CopyRow = (String, String, String, Option<String>, Option<String>);
    let copies: Vec<CopyRow> = on_reader!(db, |conn| {
        sqlx::query_as(db.pick(sqlite, postgres))
            .bind(id)
            .fetch_all(conn)
            .await
    })?;
    let copies = copies
        .into_iter()
        .filter_map(|(id, imprint, status, due_back, borrower)| {
            // The schema's CHECK admits only the four codes.
            let status = CopyStatus::from_code(&status)?;
            Some(BookCopy {
                id,
                imprint,
                status,
                due_back,
                borrower,
            })
        })
        .collect();
    Ok(BookDetail {
        id,
        title,
        author: author_ref(author_id, last, first),
        summary,
        isbn,
        language: language_id
            .zip(language)
            .map(|(id, name)| TermRef { id, name }),
        genres: genres
            .into_iter()
            .map(|(id, name)| TermRef { id, name })
            .collect(),
        copies,
    })
}

/// The statements of a vocabulary's list and pages: every term with its
/// number of books, by name; one term's name; the number of its books; a
/// page of its books in the book list's order. `$1` is the term's id, `$2`
/// and `$3` the page's size and start.
fn vocabulary_sql(vocabulary: Vocabulary) -> [&'static str; 4] {
    macro_rules! statements {
        ($table:literal, $books_of_t:literal, $books_of_id:literal, $filter:literal) => {
            [
                concat!(
                    "SELECT t.id, t.name, (SELECT COUNT(*) FROM ",
                    $books_of_t,
                    ") FROM ",
                    $table,
                    " t ORDER BY lower(t.name), t.id"
                ),
                concat!("SELECT name FROM ", $table, " WHERE id = $1"),
                concat!("SELECT COUNT(*) FROM ", $books_of_id),
                concat!(
                    "SELECT ",
                    book_row_columns!(),
                    " FROM book b LEFT JOIN author a ON a.id = b.author_id WHERE ",
                    $filter,
                    " ORDER BY b.list_position, b.id LIMIT $2 OFFSET $3"
                ),
            ]
        };
    }
    match vocabulary {
        Vocabulary::Genre => statements!(
            "genre",
            "book_genre bg WHERE bg.genre_id = t.id",
            "book_genre WHERE genre_id = $1",
            "b.id IN (SELECT book_id FROM book_genre WHERE genre_id = $1)"
        ),
        Vocabulary::Language => statements!(
            "language",
            "book b WHERE b.language_id = t.id",
            "book WHERE language_id = $1",
            "b.language_id = $1"
        ),
    }
}

/// Every genre (or language), by name, with its number of books.
pub async fn terms(db: &Db, vocabulary: Vocabulary) -> Result<Vec<Term>, AppError> {
    let [list, ..] = vocabulary_sql(vocabulary);
    let rows: Vec<(i64, String, i64)> =
        on_reader!(db, |conn| sqlx::query_as(list).fetch_all(conn).await)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, books)| Term { id, name, books })
        .collect())
}

/// A genre (or language) and a page of its books, in the book list's
/// order.
pub async fn term_books(
    db: &Db,
    vocabulary: Vocabulary,
    id: i64,
    page: u32,
    per_page: u32,
) -> Result<TermBooks, AppError> {
    let [_, one, count, books] = vocabulary_sql(vocabulary);
    let missing = || match vocabulary {
        Vocabulary::Genre => Missing::Genre(id.to_string()),
        Vocabulary::Language => Missing::Language(id.to_string()),
    };
    let name: Option<String> = on_reader!(db, |conn| {
        sqlx::query_scalar(one).bind(id).fetch_optional(conn).await
    })?;
    let name = name.ok_or_else(|| AppError::NotFound(missing()))?;
    let total: i64 = on_reader!(db, |conn| {
        sqlx::query_scalar(count).bind(id).fetch_one(conn).await
    })?;
    let pages = page_count(total, per_page);
    check_page(page, pages)?;
    let rows: Vec<BookRow> = on_reader!(db, |conn| {
        sqlx::query_as(books)
            .bind(id)
            .bind(i64::from(per_page))
            .bind(i64::from(page - 1) * i64::from(per_page))
            .fetch_all(conn)
            .await
    })?;
    Ok(TermBooks {
        vocabulary,
        id,
        name,
        list: ListPage {
            items: rows.into_iter().map(book_summary).collect(),
            page,
            pages,
            total,
            per_page,
        },
    })
}

pub async fn author(db: &Db, id: i64) -> Result<AuthorDetail, AppError> {
    let row: Option<AuthorRow> = on_reader!(db, |conn| {
        sqlx::query_as(concat!(
            "SELECT ",
            author_row_columns!(),
            " FROM author a WHERE a.id = $1"
        ))
        .bind(id)
        .fetch_optional(conn)
        .await
    })?;
    let Some(row) = row else {
        return Err(AppError::NotFound(Missing::Author(id.to_string())));
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
