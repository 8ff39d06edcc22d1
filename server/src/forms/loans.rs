//! A librarian's forms for loans: renewing.

use axum::http::StatusCode;

use app::{
    error::AppError,
    forms::{Problem, Submitted},
    loans::{self, parse_date, today},
};

use super::{Done, Posted};

/// Sets a new due date for the copy `copy`, on loan: from today to four
/// weeks ahead. Then on to the list of every loan; else the form again
/// saying what is wrong with the date.
pub async fn renew(posted: &Posted, copy: &str) -> Result<Done, AppError> {
    let db = posted.visitor.db();
    // Nothing to renew: the page says so (404), whatever was posted.
    loans::on_loan_copy(db, copy).await?;
    let field = "renewal_date";
    let value = posted.field(field).trim();
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
        loans::renew(db, copy, date).await?;
    }
    Ok(Done::Redirect("/loans".to_string()))
}
