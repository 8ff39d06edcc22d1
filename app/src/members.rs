//! The librarians' view of the site's users: finding them, a member's
//! loans, adding one (who sets their own password through a mailed link),
//! and making one inactive or active, librarian or not. A user made
//! inactive is signed out at once: every page reads its user through the
//! session's row joined to an active account. Each change is in the
//! history.

use crate::{
    accounts::{self, AccountError, NewAccount},
    db::Db,
    error::{AppError, Missing},
    history::{changed_fields, Actor},
    in_transaction,
    model::{
        Change, ChangeAction, ListPage, MemberChange, MemberDetail, MemberLoan, MemberSummary,
        RecordKind,
    },
    on_reader,
    paging::{check_page, page_count},
    record_change,
};

/// The statement's columns of a [`MemberSummary`], from `account a`.
const SUMMARY: &str = "a.id, a.username, a.email, a.is_active, a.is_librarian,
    (SELECT COUNT(*) FROM book_instance c WHERE c.borrower_id = a.id AND c.status = 'o')";

type SummaryRow = (i64, String, String, bool, bool, i64);

fn summary((id, username, email, active, librarian, on_loan): SummaryRow) -> MemberSummary {
    MemberSummary {
        id,
        username,
        email,
        active,
        librarian,
        on_loan,
    }
}

/// A page of users by username, or of those whose username or address
/// has `q` in it (ignoring case), `per_page` a page.
pub async fn list(
    db: &Db,
    q: Option<&str>,
    page: u32,
    per_page: u32,
) -> Result<ListPage<MemberSummary>, AppError> {
    // Everything when nothing is asked: `$1` is then empty.
    let q = q.map(str::trim).unwrap_or_default().to_lowercase();
    let filter = "($1 = '' OR lower(a.username) LIKE '%' || $1 || '%'
                   OR lower(a.email) LIKE '%' || $1 || '%')";
    let count = format!("SELECT COUNT(*) FROM account a WHERE {filter}");
    let total: i64 = on_reader!(db, |conn| {
        sqlx::query_scalar(&count).bind(&q).fetch_one(conn).await
    })?;
    let pages = page_count(total, per_page);
    check_page(page, pages)?;
    let rows = format!(
        "SELECT {SUMMARY} FROM account a WHERE {filter}
         ORDER BY lower(a.username), a.id LIMIT $2 OFFSET $3"
    );
    let offset = i64::from(page - 1) * i64::from(per_page);
    let rows: Vec<SummaryRow> = on_reader!(db, |conn| {
        sqlx::query_as(&rows)
            .bind(&q)
            .bind(i64::from(per_page))
            .bind(offset)
            .fetch_all(conn)
            .await
    })?;
    Ok(ListPage {
        items: rows.into_iter().map(summary).collect(),
        page,
        pages,
        total,
        per_page,
    })
}

/// The member `id` with every loan of theirs, newest first.
pub async fn detail(db: &Db, id: i64) -> Result<MemberDetail, AppError> {
    let statement =
        format!("SELECT {SUMMARY}, a.created_at, a.last_login FROM account a WHERE a.id = $1");
    type Row = (i64, String, String, bool, bool, i64, i64, Option<i64>);
    let row: Option<Row> = on_reader!(db, |conn| {
        sqlx::query_as(&statement)
            .bind(id)
            .fetch_optional(conn)
            .await
    })?;
    let Some((id, username, email, active, librarian, on_loan, joined, last_login)) = row else {
        return Err(AppError::NotFound(Missing::Member(id.to_string())));
    };
    type LoanRow = (
        String,
        Option<i64>,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let loans: Vec<LoanRow> = on_reader!(db, |conn| {
        sqlx::query_as(
            "SELECT copy_id, book_id, title, lent_on, due_back, ended_on FROM loan
             WHERE borrower_id = $1 ORDER BY ended_on IS NOT NULL, id DESC",
        )
        .bind(id)
        .fetch_all(conn)
        .await
    })?;
    let day = |seconds: i64| {
        time::OffsetDateTime::from_unix_timestamp(seconds)
            .map(|moment| crate::dates::iso_date(moment.date()))
            .unwrap_or_default()
    };
    Ok(MemberDetail {
        member: summary((id, username, email, active, librarian, on_loan)),
        joined: day(joined),
        last_login: last_login.map(day),
        loans: loans
            .into_iter()
            .map(
                |(copy_id, book_id, title, lent_on, due_back, ended_on)| MemberLoan {
                    copy_id,
                    book_id,
                    title,
                    lent_on,
                    due_back,
                    ended_on,
                },
            )
            .collect(),
    })
}

/// A change's entry in the history: the member `id`, named `username`,
/// with `fields` before and after.
fn change(
    action: ChangeAction,
    id: i64,
    username: &str,
    fields: Vec<(&str, Option<String>, Option<String>)>,
) -> Change {
    Change {
        action,
        kind: RecordKind::Member,
        record_id: id.to_string(),
        label: username.to_string(),
        book_id: None,
        changes: changed_fields(fields),
    }
}

/// Adds a member (not a librarian) named `username` at `email`, with a
/// password nobody knows: they choose theirs through the link mailed to
/// them. Gives their id.
pub async fn create(
    db: &Db,
    actor: &Actor,
    username: &str,
    email: &str,
) -> Result<i64, AccountError> {
    use rand::{distributions::Alphanumeric, Rng};
    // Random, long and never shown: the account cannot be signed into
    // until its owner sets a password of their own.
    let unknowable: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(40)
        .map(char::from)
        .collect();
    let new = NewAccount {
        username,
        email,
        librarian: false,
    };
    let row = accounts::checked(new, &unknowable).await?;
    // The member and the history's line of their creation, together or
    // neither.
    in_transaction!(db, |tx| {
        // A username another has (by its key) ends it here, undone.
        let id = accounts::inserted(crate::insert_account!(&mut *tx, row))?;
        let entry = change(
            ChangeAction::Create,
            id,
            &row.username,
            vec![
                ("username", None, Some(row.username.clone())),
                ("email", None, Some(row.email.clone())),
            ],
        );
        record_change!(tx, actor, &entry)?;
        tx.commit().await?;
        Ok(id)
    })
}

/// Why a change of a member was not made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotChanged {
    /// A librarian's own account: they may not lock themselves out or
    /// take their own role.
    Oneself,
    Failed(AppError),
}

impl From<sqlx::Error> for NotChanged {
    fn from(err: sqlx::Error) -> Self {
        NotChanged::Failed(err.into())
    }
}

/// Makes the member `id` active or not, librarian or not, as `what` says,
/// unless they are the one asking; gives their username. Making someone
/// what they already are changes nothing and records nothing.
pub async fn apply(
    db: &Db,
    actor: &Actor,
    by: i64,
    id: i64,
    what: MemberChange,
) -> Result<String, NotChanged> {
    if by == id {
        return Err(NotChanged::Oneself);
    }
    let (column, value) = match what {
        MemberChange::Activate => ("is_active", true),
        MemberChange::Deactivate => ("is_active", false),
        MemberChange::Grant => ("is_librarian", true),
        MemberChange::Revoke => ("is_librarian", false),
    };
    let read = format!("SELECT username, {column} FROM account WHERE id = $1");
    let write = format!("UPDATE account SET {column} = $2 WHERE id = $1");
    in_transaction!(db, |tx| {
        let row: Option<(String, bool)> = sqlx::query_as(&read)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((username, before)) = row else {
            let missing = AppError::NotFound(Missing::Member(id.to_string()));
            return Err(NotChanged::Failed(missing));
        };
        if before == value {
            return Ok(username);
        }
        sqlx::query(&write)
            .bind(id)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        let entry = change(
            ChangeAction::Update,
            id,
            &username,
            vec![(column, Some(before.to_string()), Some(value.to_string()))],
        );
        record_change!(tx, actor, &entry)?;
        tx.commit().await?;
        Ok(username)
    })
}
