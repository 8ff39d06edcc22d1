//! A librarian's forms for loans: renewing, lending, taking back.

use axum::http::StatusCode;
use serde::Deserialize;

use app::{
    dates::{iso_date, parse_date, today},
    error::{AppError, Missing},
    loans::{self, LoanError},
    model::Message,
    problems::{Problem, Submitted, WHOLE_FORM},
};

use super::{Done, NoFields, Posted};

/// The renewal form: the new due date.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Renewal {
    renewal_date: String,
}

/// The lending form: to whom, until when (empty: the default).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Lending {
    username: String,
    due_back: String,
}

/// Sets a new due date for the copy `copy`, on loan: from today to four
/// weeks ahead. Then on to the page of the list of every loan where it now
/// stands; else the form again saying what is wrong with the date.
pub async fn renew(posted: Posted, fields: Renewal) -> Result<Done, AppError> {
    let (db, copy) = (posted.visitor.db(), posted.parameter.as_str());
    // Nothing to renew: the page says so (404), whatever was posted.
    loans::on_loan_copy(db, copy).await?;
    let field = "renewal_date";
    let value = fields.renewal_date.trim();
    let mut form = Submitted {
        values: vec![(field.into(), value.into())],
        problems: Vec::new(),
    };
    let problem = match parse_date(value) {
        _ if value.is_empty() => Some(Problem::Required),
        None => Some(Problem::NotADate),
        Some(date) => loans::renewal_problem(date, today()),
    };
    if let Some(problem) = problem {
        form.problem(field, problem);
        return Ok(Done::Again(form, StatusCode::OK));
    }
    if let Some(date) = parse_date(value) {
        let (title, borrower) = loans::renew(db, &posted.actor()?, copy, date).await?;
        let due = iso_date(date);
        let said = Message::Renewed {
            title,
            borrower,
            due,
        };
        posted.visitor.tell(&said).await?;
    }
    Ok(Done::Redirect(
        match loans::page_among_loans(db, copy).await? {
            1 => "/loans".to_string(),
            page => format!("/loans?page={page}"),
        },
    ))
}

/// Lends the available copy `copy` to the member named, until the date
/// given (by default three weeks from today); then back to its book's
/// page. A name nobody has, a past date, a copy no longer available: the
/// form again, saying so.
pub async fn lend(posted: Posted, fields: Lending) -> Result<Done, AppError> {
    let (db, copy) = (posted.visitor.db(), posted.parameter.as_str());
    let book = loans::copy_detail(db, copy).await?.book_id;
    let (username, due) = (fields.username.trim(), fields.due_back.trim());
    let mut form = Submitted {
        values: vec![
            ("username".into(), username.into()),
            ("due_back".into(), due.into()),
        ],
        problems: Vec::new(),
    };
    if username.is_empty() {
        form.problem("username", Problem::Required);
    }
    let due_date = match due {
        "" => None,
        text => {
            let date = parse_date(text);
            if date.is_none() {
                form.problem("due_back", Problem::NotADate);
            }
            date
        }
    };
    if !form.is_valid() {
        return Ok(Done::Again(form, StatusCode::OK));
    }
    match loans::lend(db, &posted.actor()?, copy, username, due_date).await {
        Ok((due, title)) => {
            let borrower = username.to_string();
            let said = Message::Lent {
                title,
                borrower,
                due: iso_date(due),
            };
            posted.visitor.tell(&said).await?;
            Ok(Done::Redirect(format!("/books/{book}")))
        }
        Err(error) => {
            let (field, problem) = problem_of(error)?;
            form.problem(field, problem);
            Ok(Done::Again(form, StatusCode::OK))
        }
    }
}

/// Marks the copy `copy`, on loan, returned; then back to its book's page.
/// A copy no longer on loan: the form again, saying so.
pub async fn take_back(posted: Posted, _: NoFields) -> Result<Done, AppError> {
    let (db, copy) = (posted.visitor.db(), posted.parameter.as_str());
    let book = loans::copy_detail(db, copy).await?.book_id;
    match loans::take_back(db, &posted.actor()?, copy).await {
        Ok((title, borrower)) => {
            posted
                .visitor
                .tell(&Message::Returned { title, borrower })
                .await?;
            Ok(Done::Redirect(format!("/books/{book}")))
        }
        Err(error) => {
            let (field, problem) = problem_of(error)?;
            let mut form = Submitted::default();
            form.problem(field, problem);
            Ok(Done::Again(form, StatusCode::OK))
        }
    }
}

/// What a form says of a loan that could not be made or ended, and by
/// which field; `Err` for what is no mistake of the form (an unknown copy
/// is a 404, a failure is an outage or a bug).
fn problem_of(error: LoanError) -> Result<(&'static str, Problem), AppError> {
    Ok(match error {
        LoanError::UnknownUser(_) => ("username", Problem::UnknownUser),
        LoanError::InactiveUser(_) => ("username", Problem::InactiveUser),
        LoanError::DueInThePast(_) => ("due_back", Problem::DueInPast),
        LoanError::DueTooFar(_) => ("due_back", Problem::DueTooFar),
        LoanError::NotAvailable { status, .. } => (WHOLE_FORM, Problem::NotAvailable(status)),
        LoanError::NotOnLoan { status, .. } => (WHOLE_FORM, Problem::NotOnLoan(status)),
        LoanError::UnknownCopy(copy) => return Err(AppError::NotFound(Missing::Copy(copy))),
        LoanError::Failed(error) => return Err(error),
    })
}
