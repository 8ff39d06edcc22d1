//! A librarian's forms for genres and languages: create, rename, delete.

use axum::http::StatusCode;

use app::{
    catalog::terms::{self, Outcome, TermForm},
    error::{AppError, Missing},
    model::{Message, Vocabulary},
    paging::parse_id,
    problems::{Problem, WHOLE_FORM},
};

use super::{Done, NoFields, Posted};

/// Each form, for genres and for languages.
macro_rules! forms_of {
    ($vocabulary:expr, $create:ident, $rename:ident, $delete:ident) => {
        pub async fn $create(posted: Posted, fields: TermForm) -> Result<Done, AppError> {
            create(posted, fields, $vocabulary).await
        }
        pub async fn $rename(posted: Posted, fields: TermForm) -> Result<Done, AppError> {
            rename(posted, fields, $vocabulary).await
        }
        pub async fn $delete(posted: Posted, fields: NoFields) -> Result<Done, AppError> {
            delete(posted, fields, $vocabulary).await
        }
    };
}
forms_of!(Vocabulary::Genre, create_genre, rename_genre, delete_genre);
forms_of!(
    Vocabulary::Language,
    create_language,
    rename_language,
    delete_language
);

fn id_of(posted: &Posted, vocabulary: Vocabulary) -> Result<i64, AppError> {
    let missing = match vocabulary {
        Vocabulary::Genre => Missing::Genre,
        Vocabulary::Language => Missing::Language,
    };
    parse_id(&posted.parameter, missing)
}

/// The form again, saying `problem` of it (of its name, or as a whole).
fn again(fields: &TermForm, field: &'static str, problem: Problem, status: StatusCode) -> Done {
    let mut form = terms::as_posted(fields);
    form.problem(field, problem);
    Done::Again(form, status)
}

/// Adds the genre (or language) posted; then on to its page.
async fn create(
    posted: Posted,
    fields: TermForm,
    vocabulary: Vocabulary,
) -> Result<Done, AppError> {
    let name = match terms::read_form(&fields) {
        Ok(name) => name,
        Err(form) => return Ok(Done::Again(form, StatusCode::OK)),
    };
    let db = posted.visitor.db();
    match terms::create(db, &posted.actor()?, vocabulary, &name).await? {
        Outcome::Done(id) => {
            let said = Message::TermCreated { vocabulary, name };
            posted.visitor.tell(&said).await?;
            Ok(Done::Redirect(format!("{}/{id}", vocabulary.path())))
        }
        _ => Ok(again(&fields, "name", Problem::NameTaken, StatusCode::OK)),
    }
}

/// Renames the genre (or language) as posted, if no one changed it since
/// the form was opened; then back to its page.
async fn rename(
    posted: Posted,
    fields: TermForm,
    vocabulary: Vocabulary,
) -> Result<Done, AppError> {
    let id = id_of(&posted, vocabulary)?;
    let db = posted.visitor.db();
    let name = match terms::read_form(&fields) {
        Ok(name) => name,
        Err(form) => {
            // The record must exist for its form to be shown again.
            terms::term(db, vocabulary, id).await?;
            return Ok(Done::Again(form, StatusCode::OK));
        }
    };
    // A form without a version cannot say what it was opened at.
    let version = fields.version.trim().parse().unwrap_or(i64::MIN);
    match terms::rename(db, &posted.actor()?, vocabulary, id, version, &name).await? {
        Outcome::Done(before) => {
            let said = Message::TermRenamed {
                vocabulary,
                before,
                name,
            };
            posted.visitor.tell(&said).await?;
            Ok(Done::Redirect(format!("{}/{id}", vocabulary.path())))
        }
        Outcome::Stale => Ok(again(
            &fields,
            WHOLE_FORM,
            Problem::EditedMeanwhile,
            StatusCode::CONFLICT,
        )),
        _ => Ok(again(&fields, "name", Problem::NameTaken, StatusCode::OK)),
    }
}

/// Deletes the genre (taking it off its books) or the language (refused
/// while books are in it); then on to the list.
async fn delete(posted: Posted, _: NoFields, vocabulary: Vocabulary) -> Result<Done, AppError> {
    let id = id_of(&posted, vocabulary)?;
    match terms::delete(posted.visitor.db(), &posted.actor()?, vocabulary, id).await? {
        Outcome::Done(name) => {
            let said = Message::TermDeleted { vocabulary, name };
            posted.visitor.tell(&said).await?;
            Ok(Done::Redirect(vocabulary.path().to_string()))
        }
        _ => Ok(again(
            &TermForm::default(),
            WHOLE_FORM,
            Problem::LanguageHasBooks,
            StatusCode::OK,
        )),
    }
}
