//! Lending a copy to a user and taking it back. Each is one transaction:
//! the copy's status, due date and borrower; the database moves the home
//! page's figures and the catalog's version in it, which every kept
//! catalog page is keyed by (so none goes on showing the copy as it was).

use time::{Date, Duration};

use crate::{
    catalog::places,
    dates::{iso_date, today},
    db::{Db, LOCK_CATALOG},
    error::{AppError, Missing},
    history::{changed_fields, Actor},
    in_transaction,
    model::{BookCopy, Change, ChangeAction, CopyDetail, CopyStatus, ListPage, Loan, RecordKind},
    on_reader,
    paging::{check_page, page_count},
    problems::Problem,
    record_change,
};

/// How long a loan lasts unless a due date is given, and how long a
/// renewal does by default.
pub const LOAN_DAYS: i64 = 21;
/// The furthest ahead a renewal may set the due date.
pub const MAX_RENEWAL_DAYS: i64 = 28;
/// Loans per page of the lists of loans (as the tutorial's).
pub const LOANS_PER_PAGE: u32 = 10;

/// Why a copy could not be lent or taken back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoanError {
    UnknownCopy(String),
    UnknownUser(String),
    InactiveUser(String),
    /// Lent only when available; it is `status`.
    NotAvailable {
        copy: String,
        status: CopyStatus,
    },
    NotOnLoan {
        copy: String,
        status: CopyStatus,
    },
    /// A due date before today.
    DueInThePast(Date),
    /// A due date further ahead than a renewal may set it.
    DueTooFar(Date),
    Failed(AppError),
}

impl std::fmt::Display for LoanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let status = |status: &CopyStatus| status.label(crate::language::Locale::en).to_lowercase();
        match self {
            LoanError::UnknownCopy(copy) => write!(f, "there is no copy with the id {copy}"),
            LoanError::UnknownUser(user) => write!(f, "there is no user named {user}"),
            LoanError::InactiveUser(user) => write!(f, "{user} is not an active user"),
            LoanError::NotAvailable { copy, status: s } => {
                write!(f, "copy {copy} is not available: it is {}", status(s))
            }
            LoanError::NotOnLoan { copy, status: s } => {
                write!(f, "copy {copy} is not on loan: it is {}", status(s))
            }
            LoanError::DueInThePast(due) => write!(f, "{} is in the past", iso_date(*due)),
            LoanError::DueTooFar(due) => write!(
                f,
                "{} is more than {MAX_RENEWAL_DAYS} days ahead",
                iso_date(*due)
            ),
            LoanError::Failed(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for LoanError {}

impl From<sqlx::Error> for LoanError {
    fn from(err: sqlx::Error) -> Self {
        LoanError::Failed(AppError::database(&err))
    }
}

/// A copy's status, its book's title and id (read in a transaction that
/// just changed the copy: as changed).
const COPY_AND_TITLE: &str = "SELECT copy.status, book.title, book.id FROM book_instance copy
     JOIN book ON book.id = copy.book_id WHERE copy.id = $1";

/// The history's entry of a loan's change to the copy `copy` of the book
/// `book` titled `title`.
fn loan_change(
    action: ChangeAction,
    copy: &str,
    (title, book): (String, i64),
    fields: Vec<(&str, Option<String>, Option<String>)>,
) -> Change {
    Change {
        action,
        kind: RecordKind::Copy,
        record_id: copy.to_string(),
        label: title,
        book_id: Some(book),
        changes: changed_fields(fields),
    }
}

/// The copy's status, from the database's code.
fn status(code: &str) -> Result<CopyStatus, LoanError> {
    CopyStatus::from_code(code)
        .ok_or_else(|| LoanError::Failed(AppError::bug(format!("a copy's status is {code:?}"))))
}

/// Lends the available copy `copy` to the active user `username` until
/// `due` (by default [`LOAN_DAYS`] from today; from today to
/// [`MAX_RENEWAL_DAYS`] ahead); gives the due date and the book's title.
pub async fn lend(
    db: &crate::db::Db,
    actor: &Actor,
    copy: &str,
    username: &str,
    due: Option<Date>,
) -> Result<(Date, String), LoanError> {
    let today = today();
    let due = due.unwrap_or(today + Duration::days(LOAN_DAYS));
    if due < today {
        return Err(LoanError::DueInThePast(due));
    }
    // A loan is never due later than a renewal could set it.
    if due > today + Duration::days(MAX_RENEWAL_DAYS) {
        return Err(LoanError::DueTooFar(due));
    }
    in_transaction!(db, |tx| {
        sqlx::query(LOCK_CATALOG).execute(&mut *tx).await?;
        let user: Option<(i64, bool)> =
            sqlx::query_as("SELECT id, is_active FROM account WHERE username = $1")
                .bind(username)
                .fetch_optional(&mut *tx)
                .await?;
        let (user, active) = user.ok_or_else(|| LoanError::UnknownUser(username.to_string()))?;
        if !active {
            return Err(LoanError::InactiveUser(username.to_string()));
        }
        // Only if it is still available: of two lends at once, one lends
        // it and the other finds it lent (the second waits for the first's
        // lock on the catalog, and then reads the copy as the first left it).
        let lent = sqlx::query(
            "UPDATE book_instance SET status = 'o', due_back = $2, borrower_id = $3
             WHERE id = $1 AND status = 'a'",
        )
        .bind(copy)
        .bind(iso_date(due))
        .bind(user)
        .execute(&mut *tx)
        .await?;
        let found: Option<(String, String, i64)> = sqlx::query_as(COPY_AND_TITLE)
            .bind(copy)
            .fetch_optional(&mut *tx)
            .await?;
        let (code, title, book) = found.ok_or_else(|| LoanError::UnknownCopy(copy.to_string()))?;
        if lent.rows_affected() == 0 {
            return Err(LoanError::NotAvailable {
                copy: copy.to_string(),
                status: status(&code)?,
            });
        }
        let fields = vec![
            ("borrower", None, Some(username.to_string())),
            ("due_back", None, Some(iso_date(due))),
        ];
        let change = loan_change(ChangeAction::Lend, copy, (title.clone(), book), fields);
        record_change!(tx, actor, &change)?;
        tx.commit().await?;
        Ok((due, title))
    })
}

/// Takes back the copy `copy`, on loan: available again, no due date, no
/// borrower. Gives the book's title and who had it (if recorded).
pub async fn take_back(
    db: &crate::db::Db,
    actor: &Actor,
    copy: &str,
) -> Result<(String, Option<String>), LoanError> {
    in_transaction!(db, |tx| {
        sqlx::query(LOCK_CATALOG).execute(&mut *tx).await?;
        // Who had it, for the history (read under the catalog's lock: as
        // the return finds it).
        let had: Option<(Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT account.username, copy.due_back FROM book_instance copy
             LEFT JOIN account ON account.id = copy.borrower_id WHERE copy.id = $1",
        )
        .bind(copy)
        .fetch_optional(&mut *tx)
        .await?;
        let (borrower, due) = had.unwrap_or_default();
        // Only if it is still on loan: of two returns at once, one takes it
        // back and the other is told it is no longer on loan.
        let returned = sqlx::query(
            "UPDATE book_instance SET status = 'a', due_back = NULL, borrower_id = NULL
             WHERE id = $1 AND status = 'o'",
        )
        .bind(copy)
        .execute(&mut *tx)
        .await?;
        let found: Option<(String, String, i64)> = sqlx::query_as(COPY_AND_TITLE)
            .bind(copy)
            .fetch_optional(&mut *tx)
            .await?;
        let (code, title, book) = found.ok_or_else(|| LoanError::UnknownCopy(copy.to_string()))?;
        if returned.rows_affected() == 0 {
            return Err(LoanError::NotOnLoan {
                copy: copy.to_string(),
                status: status(&code)?,
            });
        }
        let fields = vec![
            ("borrower", borrower.clone(), None),
            ("due_back", due, None),
        ];
        let change = loan_change(ChangeAction::Return, copy, (title.clone(), book), fields);
        record_change!(tx, actor, &change)?;
        tx.commit().await?;
        Ok((title, borrower))
    })
}

/// Whose loans a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Borrowers {
    /// The user with this id's.
    One(i64),
    /// Every copy on loan, with its borrower.
    All,
}

/// A list of loans: the columns of [`Loan`], from `book_instance copy`
/// joined with its book and borrower, filtered by `$filter`, a page of
/// `$1` from place `$2` on (0 first). Soonest due first.
macro_rules! loans_sql {
    ($filter:literal) => {
        concat!(
            "SELECT copy.id, book.id, book.title, copy.due_back, account.username
             FROM book_instance copy
             JOIN book ON book.id = copy.book_id
             LEFT JOIN account ON account.id = copy.borrower_id
             WHERE copy.status = 'o' ",
            $filter,
            " ORDER BY copy.due_back IS NULL, copy.due_back, book.title, copy.id
             LIMIT $1 OFFSET $2"
        )
    };
}

/// The page `page` of the copies on loan to `borrowers`, soonest due first.
pub async fn on_loan(db: &Db, borrowers: Borrowers, page: u32) -> Result<ListPage<Loan>, AppError> {
    let (count, list, borrower) = match borrowers {
        Borrowers::One(id) => (
            "SELECT COUNT(*) FROM book_instance WHERE status = 'o' AND borrower_id = $1",
            loans_sql!("AND copy.borrower_id = $3"),
            Some(id),
        ),
        Borrowers::All => (
            "SELECT COUNT(*) FROM book_instance WHERE status = 'o'",
            loans_sql!(""),
            None,
        ),
    };
    let total: i64 = on_reader!(db, |conn| {
        let mut query = sqlx::query_scalar(count);
        if let Some(borrower) = borrower {
            query = query.bind(borrower);
        }
        query.fetch_one(conn).await
    })?;
    let pages = page_count(total, LOANS_PER_PAGE);
    check_page(page, pages)?;
    let (first, _) = places(page, LOANS_PER_PAGE);
    let rows: Vec<LoanRow> = on_reader!(db, |conn| {
        let mut query = sqlx::query_as(list)
            .bind(i64::from(LOANS_PER_PAGE))
            .bind(first - 1);
        if let Some(borrower) = borrower {
            query = query.bind(borrower);
        }
        query.fetch_all(conn).await
    })?;
    Ok(ListPage {
        items: rows.into_iter().map(loan).collect(),
        page,
        pages,
        total,
        per_page: LOANS_PER_PAGE,
    })
}

/// The page of every loan (`/loans`) that the copy `copy`, on loan, is on:
/// where a renewal has moved it, so that the librarian sees it there.
pub async fn page_among_loans(db: &Db, copy: &str) -> Result<u32, AppError> {
    // The loans before it in the list's order (`loans_sql!`); one without
    // a due date comes after every other.
    let before: i64 = on_reader!(db, |conn| {
        sqlx::query_scalar(
            "SELECT COUNT(*)
             FROM book_instance copy JOIN book ON book.id = copy.book_id,
                  book_instance other JOIN book other_book ON other_book.id = other.book_id
             WHERE copy.id = $1 AND other.status = 'o'
               AND (copy.due_back IS NULL AND other.due_back IS NOT NULL
                    OR other.due_back < copy.due_back
                    OR (other.due_back = copy.due_back
                        OR other.due_back IS NULL AND copy.due_back IS NULL)
                       AND (other_book.title < book.title
                            OR other_book.title = book.title AND other.id < copy.id))",
        )
        .bind(copy)
        .fetch_one(conn)
        .await
    })?;
    Ok(u32::try_from(before / i64::from(LOANS_PER_PAGE) + 1).unwrap_or(u32::MAX))
}

/// A row of [`loans_sql!`]: copy, book id, title, due date, borrower.
type LoanRow = (String, i64, String, Option<String>, Option<String>);

fn loan((copy, book_id, title, due_back, borrower): LoanRow) -> Loan {
    Loan {
        copy,
        book_id,
        title,
        due_back,
        borrower,
    }
}

/// The copy `copy`, on loan; a 404 for a copy that does not exist or is
/// not on loan (there is nothing to renew).
pub async fn on_loan_copy(db: &Db, copy: &str) -> Result<Loan, AppError> {
    let row: Option<LoanRow> = on_reader!(db, |conn| {
        sqlx::query_as(
            "SELECT copy.id, book.id, book.title, copy.due_back, account.username
                 FROM book_instance copy
                 JOIN book ON book.id = copy.book_id
                 LEFT JOIN account ON account.id = copy.borrower_id
                 WHERE copy.id = $1 AND copy.status = 'o'",
        )
        .bind(copy)
        .fetch_optional(conn)
        .await
    })?;
    row.map(loan)
        .ok_or_else(|| AppError::NotFound(Missing::Loan(copy.to_string())))
}

/// The copy `copy`, with its book and borrower; a 404 if there is none.
pub async fn copy_detail(db: &Db, copy: &str) -> Result<CopyDetail, AppError> {
    type Row = (
        String,
        String,
        String,
        Option<String>,
        i64,
        String,
        Option<String>,
    );
    let row: Option<Row> = on_reader!(db, |conn| {
        sqlx::query_as(
            "SELECT copy.id, copy.imprint, copy.status, copy.due_back, book.id, book.title,
                account.username
             FROM book_instance copy
             JOIN book ON book.id = copy.book_id
             LEFT JOIN account ON account.id = copy.borrower_id
             WHERE copy.id = $1",
        )
        .bind(copy)
        .fetch_optional(conn)
        .await
    })?;
    let (id, imprint, code, due_back, book_id, title, borrower) =
        row.ok_or_else(|| AppError::NotFound(Missing::Copy(copy.to_string())))?;
    let status = status(&code).map_err(|_| AppError::Internal)?;
    Ok(CopyDetail {
        copy: BookCopy {
            id,
            imprint,
            status,
            due_back,
            borrower,
        },
        book_id,
        title,
    })
}

/// What is wrong with `date` as a renewal's due date on `today`: before
/// today, or more than [`MAX_RENEWAL_DAYS`] ahead.
pub fn renewal_problem(date: Date, today: Date) -> Option<Problem> {
    if date < today {
        Some(Problem::RenewalInPast)
    } else if date > today + Duration::days(MAX_RENEWAL_DAYS) {
        Some(Problem::RenewalTooFar)
    } else {
        None
    }
}

/// Sets the due date of the copy `copy`, on loan, to `due` (its book's
/// page shows the date: the change raises the catalog's version). `Missing::Copy` if
/// it is not on loan (any more).
pub async fn renew(
    db: &Db,
    actor: &Actor,
    copy: &str,
    due: Date,
) -> Result<(String, Option<String>), AppError> {
    in_transaction!(db, |tx| {
        sqlx::query(LOCK_CATALOG).execute(&mut *tx).await?;
        let was: Option<(Option<String>, String, i64, Option<String>)> = sqlx::query_as(
            "SELECT copy.due_back, book.title, book.id, account.username
             FROM book_instance copy JOIN book ON book.id = copy.book_id
             LEFT JOIN account ON account.id = copy.borrower_id
             WHERE copy.id = $1 AND copy.status = 'o'",
        )
        .bind(copy)
        .fetch_optional(&mut *tx)
        .await?;
        let renewed =
            sqlx::query("UPDATE book_instance SET due_back = $2 WHERE id = $1 AND status = 'o'")
                .bind(copy)
                .bind(iso_date(due))
                .execute(&mut *tx)
                .await?;
        let (Some((before, title, book, borrower)), 1) = (was, renewed.rows_affected()) else {
            return Err(AppError::NotFound(Missing::Loan(copy.to_string())));
        };
        let fields = vec![("due_back", before, Some(iso_date(due)))];
        let change = loan_change(ChangeAction::Renew, copy, (title.clone(), book), fields);
        record_change!(tx, actor, &change)?;
        tx.commit().await?;
        Ok((title, borrower))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::parse_date;

    #[test]
    fn renewals_are_from_today_to_four_weeks_ahead() {
        let today = parse_date("2026-11-30").unwrap();
        let day = |text| parse_date(text).unwrap();
        assert_eq!(renewal_problem(today, today), None);
        assert_eq!(renewal_problem(day("2026-12-28"), today), None);
        assert_eq!(
            renewal_problem(day("2026-11-29"), today),
            Some(Problem::RenewalInPast)
        );
        assert_eq!(
            renewal_problem(day("2026-12-29"), today),
            Some(Problem::RenewalTooFar)
        );
    }
}
