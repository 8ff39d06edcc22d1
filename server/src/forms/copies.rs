//! A librarian's forms for copies: add several, edit one, delete one.

use axum::http::StatusCode;

use app::{
    catalog::{
        copies::{self, CopyForm, Edited},
        NotDeleted,
    },
    error::{AppError, Missing},
    model::Message,
    paging::parse_id,
    problems::{Problem, Submitted, WHOLE_FORM},
};

use super::{Done, NoFields, Posted};

/// Adds the copies posted to the book; then back to its page.
pub async fn add(posted: Posted, fields: CopyForm) -> Result<Done, AppError> {
    let book = parse_id(&posted.parameter, Missing::Book)?;
    let copy = match copies::read_form(&fields, true) {
        Ok(copy) => copy,
        Err(form) => return Ok(Done::Again(form, StatusCode::OK)),
    };
    let (ids, title) = copies::add(posted.visitor.db(), &posted.actor()?, book, &copy).await?;
    let count = ids.len() as u32;
    posted
        .visitor
        .tell(&Message::CopiesAdded { title, count })
        .await?;
    Ok(Done::Redirect(format!("/books/{book}")))
}

/// Changes the copy's imprint and status as posted; then back to its
/// book's page.
pub async fn update(posted: Posted, fields: CopyForm) -> Result<Done, AppError> {
    let id = posted.parameter.clone();
    let copy = match copies::read_form(&fields, false) {
        Ok(copy) => copy,
        Err(form) => return Ok(Done::Again(form, StatusCode::OK)),
    };
    // Without a version: refused as a form opened before any change.
    let version = fields.version.trim().parse().unwrap_or(i64::MIN);
    let refused = |problem: Problem, status: StatusCode| {
        let mut form = copies::as_posted(&fields);
        form.problem(WHOLE_FORM, problem);
        Ok(Done::Again(form, status))
    };
    match copies::update(posted.visitor.db(), &posted.actor()?, &id, version, &copy).await? {
        Edited::Saved(book, title) => {
            posted.visitor.tell(&Message::CopyUpdated { title }).await?;
            Ok(Done::Redirect(format!("/books/{book}")))
        }
        Edited::Stale => refused(Problem::EditedMeanwhile, StatusCode::CONFLICT),
        Edited::LoanStatus => refused(Problem::LoanStatus, StatusCode::OK),
    }
}

/// Deletes the copy, unless it is on loan; then back to its book's page.
pub async fn delete(posted: Posted, _: NoFields) -> Result<Done, AppError> {
    match copies::delete(posted.visitor.db(), &posted.actor()?, &posted.parameter).await {
        Ok((book, title)) => {
            posted.visitor.tell(&Message::CopyDeleted { title }).await?;
            Ok(Done::Redirect(format!("/books/{book}")))
        }
        Err(NotDeleted::InUse) => {
            let mut form = Submitted::default();
            form.problem(WHOLE_FORM, Problem::CopyOnLoan);
            Ok(Done::Again(form, StatusCode::OK))
        }
        Err(NotDeleted::Failed(error)) => Err(error),
    }
}
