//! A librarian's forms for members: add one, and make one inactive or
//! active, librarian or not.

use axum::http::StatusCode;

use app::{
    accounts::AccountError,
    error::{AppError, Missing},
    members::{self, NotChanged},
    model::{MemberChange, Message},
    paging::parse_id,
    password_reset,
    problems::{Problem, Submitted, WHOLE_FORM},
};

use super::{Done, Posted};

/// The form for a new member, as posted.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewMember {
    pub username: String,
    pub email: String,
}

/// Adds the member posted and mails them a link to choose their password;
/// then on to their page.
pub async fn create(posted: Posted, fields: NewMember) -> Result<Done, AppError> {
    let (username, email) = (fields.username.trim(), fields.email.trim());
    let mut form = Submitted {
        values: vec![
            ("username".into(), username.into()),
            ("email".into(), email.into()),
        ],
        problems: Vec::new(),
    };
    for (name, value) in [("username", username), ("email", email)] {
        if value.is_empty() {
            form.problem(name, Problem::Required);
        }
    }
    if !form.is_valid() {
        return Ok(Done::Again(form, StatusCode::OK));
    }
    let db = posted.visitor.db();
    let id = match members::create(db, &posted.actor()?, username, email).await {
        Ok(id) => id,
        Err(AccountError::Failed(error)) => return Err(error),
        Err(refused) => {
            let (field, problem) = match refused {
                AccountError::InvalidEmail => ("email", Problem::InvalidEmail),
                AccountError::UsernameTaken => ("username", Problem::UsernameTaken),
                _ => ("username", Problem::InvalidUsername),
            };
            form.problem(field, problem);
            return Ok(Done::Again(form, StatusCode::OK));
        }
    };
    let site = posted.mailer.site_url();
    for (outbox, mail) in password_reset::for_account(db, id, site, posted.locale).await? {
        posted.mailer.deliver(outbox, mail);
    }
    let (username, email) = (username.to_string(), email.to_string());
    posted
        .visitor
        .tell(&Message::MemberCreated { username, email })
        .await?;
    Ok(Done::Redirect(format!("/members/{id}")))
}

/// What a member's page posts: the change its button names.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ChangeForm {
    pub change: String,
}

/// Makes the member inactive or active, librarian or not; never the
/// librarian's own account. Then back to the member's page.
pub async fn change(posted: Posted, fields: ChangeForm) -> Result<Done, AppError> {
    let id = parse_id(&posted.parameter, Missing::Member)?;
    let Some(change) = MemberChange::from_code(&fields.change) else {
        // Not a button of the page: said, and nothing done.
        let mut form = Submitted::default();
        form.problem(WHOLE_FORM, Problem::UnknownChoice);
        return Ok(Done::Again(form, StatusCode::BAD_REQUEST));
    };
    let by = posted.user.as_ref().map_or(0, |user| user.id);
    match members::apply(posted.visitor.db(), &posted.actor()?, by, id, change).await {
        Ok(username) => {
            posted
                .visitor
                .tell(&Message::MemberChanged { username, change })
                .await?;
            Ok(Done::Redirect(format!("/members/{id}")))
        }
        Err(NotChanged::Oneself) => {
            let mut form = Submitted::default();
            form.problem(WHOLE_FORM, Problem::Oneself);
            Ok(Done::Again(form, StatusCode::FORBIDDEN))
        }
        Err(NotChanged::Failed(error)) => Err(error),
    }
}
