//! A librarian's forms for authors: create, update, delete.

use axum::http::StatusCode;

use app::{
    catalog::{
        authors::{self, AuthorForm, Saved},
        NotDeleted,
    },
    dates::today,
    error::{AppError, Missing},
    model::Message,
    paging::parse_id,
    problems::{Problem, Submitted, WHOLE_FORM},
};

use super::{Done, NoFields, Posted};

/// Adds the author posted; then on to their page.
pub async fn create(posted: Posted, fields: AuthorForm) -> Result<Done, AppError> {
    let author = match authors::read_form(&fields, today()) {
        Ok(author) => author,
        Err(form) => return Ok(Done::Again(form, StatusCode::OK)),
    };
    let id = authors::create(posted.visitor.db(), &posted.actor()?, &author).await?;
    let name = author.name();
    posted
        .visitor
        .tell(&Message::AuthorCreated { name })
        .await?;
    Ok(Done::Redirect(format!("/authors/{id}")))
}

/// Changes the author `id` as posted; then back to their page.
pub async fn update(posted: Posted, fields: AuthorForm) -> Result<Done, AppError> {
    let id = parse_id(&posted.parameter, Missing::Author)?;
    let author = match authors::read_form(&fields, today()) {
        Ok(author) => author,
        Err(form) => {
            // The author must exist for the form to be shown again.
            app::catalog::author(posted.visitor.db(), id).await?;
            return Ok(Done::Again(form, StatusCode::OK));
        }
    };
    // A form without a version (not opened from the site) cannot say
    // what it was opened at: refused as one opened before any change.
    let version = fields.version.trim().parse().unwrap_or(i64::MIN);
    match authors::update(posted.visitor.db(), &posted.actor()?, id, version, &author).await? {
        Saved::Saved => {
            let name = author.name();
            posted
                .visitor
                .tell(&Message::AuthorUpdated { name })
                .await?;
            Ok(Done::Redirect(format!("/authors/{id}")))
        }
        Saved::Stale => {
            let mut form = authors::as_posted(&fields);
            form.problem(WHOLE_FORM, Problem::EditedMeanwhile);
            Ok(Done::Again(form, StatusCode::CONFLICT))
        }
    }
}

/// Deletes the author `id`, then on to the list of authors; refused while
/// the library has books of theirs (the page lists them).
pub async fn delete(posted: Posted, _: NoFields) -> Result<Done, AppError> {
    let id = parse_id(&posted.parameter, Missing::Author)?;
    match authors::delete(posted.visitor.db(), &posted.actor()?, id).await {
        Ok(name) => {
            posted
                .visitor
                .tell(&Message::AuthorDeleted { name })
                .await?;
            Ok(Done::Redirect("/authors".to_string()))
        }
        Err(NotDeleted::InUse) => {
            let mut form = Submitted::default();
            form.problem(WHOLE_FORM, Problem::AuthorHasBooks);
            Ok(Done::Again(form, StatusCode::OK))
        }
        Err(NotDeleted::Failed(error)) => Err(error),
    }
}
