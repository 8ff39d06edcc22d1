//! A librarian's forms for books: create, update, delete.

use axum::http::StatusCode;

use app::{
    catalog::{
        books::{self, BookForm, Outcome},
        NotDeleted,
    },
    error::{AppError, Missing},
    model::Message,
    paging::parse_id,
    problems::{Problem, Submitted, WHOLE_FORM},
};

use super::{Done, NoFields, Posted};

/// The form again, as posted, with `problems`.
fn again(fields: &BookForm, problems: Vec<(&'static str, Problem)>, status: StatusCode) -> Done {
    let mut form = books::as_posted(fields);
    form.problems = problems;
    Done::Again(form, status)
}

/// Adds the book posted; then on to its page.
pub async fn create(posted: Posted, fields: BookForm) -> Result<Done, AppError> {
    let draft = match books::read_form(&fields) {
        Ok(draft) => draft,
        Err(form) => return Ok(Done::Again(form, StatusCode::OK)),
    };
    match books::create(posted.visitor.db(), &posted.actor()?, &draft).await? {
        Outcome::Saved(id) => {
            let title = draft.title;
            posted.visitor.tell(&Message::BookCreated { title }).await?;
            Ok(Done::Redirect(format!("/books/{id}")))
        }
        Outcome::Refused(problems) => Ok(again(&fields, problems, StatusCode::OK)),
        Outcome::Stale => Err(AppError::bug("a new book cannot be stale")),
    }
}

/// Changes the book `id` as posted; then back to its page.
pub async fn update(posted: Posted, fields: BookForm) -> Result<Done, AppError> {
    let id = parse_id(&posted.parameter, Missing::Book)?;
    let draft = match books::read_form(&fields) {
        Ok(draft) => draft,
        Err(form) => {
            // The book must exist for the form to be shown again.
            app::catalog::book(posted.visitor.db(), id).await?;
            return Ok(Done::Again(form, StatusCode::OK));
        }
    };
    // A form without a version (not opened from the site) cannot say
    // what it was opened at: refused as one opened before any change.
    let version = fields.version.trim().parse().unwrap_or(i64::MIN);
    match books::update(posted.visitor.db(), &posted.actor()?, id, version, &draft).await? {
        Outcome::Saved(id) => {
            let title = draft.title;
            posted.visitor.tell(&Message::BookUpdated { title }).await?;
            Ok(Done::Redirect(format!("/books/{id}")))
        }
        Outcome::Refused(problems) => Ok(again(&fields, problems, StatusCode::OK)),
        Outcome::Stale => Ok(again(
            &fields,
            vec![(WHOLE_FORM, Problem::EditedMeanwhile)],
            StatusCode::CONFLICT,
        )),
    }
}

/// Deletes the book `id`, then on to the list of books; refused while the
/// library has copies of it (the page lists them).
pub async fn delete(posted: Posted, _: NoFields) -> Result<Done, AppError> {
    let id = parse_id(&posted.parameter, Missing::Book)?;
    match books::delete(posted.visitor.db(), &posted.actor()?, id).await {
        Ok(title) => {
            posted.visitor.tell(&Message::BookDeleted { title }).await?;
            Ok(Done::Redirect("/books".to_string()))
        }
        Err(NotDeleted::InUse) => {
            let mut form = Submitted::default();
            form.problem(WHOLE_FORM, Problem::BookHasCopies);
            Ok(Done::Again(form, StatusCode::OK))
        }
        Err(NotDeleted::Failed(error)) => Err(error),
    }
}
