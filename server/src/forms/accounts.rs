//! Signing in and out, and passwords: reset by mail, changed.

use axum::http::StatusCode;
use serde::Deserialize;

use app::{
    accounts::{self, Holder},
    error::AppError,
    password_reset::{self, NewPasswordForm, NotReset},
    paths::after_sign_in,
    problems::{Problem, Submitted, WHOLE_FORM},
    throttle::{self, Verdict},
};

use super::{Done, NoFields, Posted};

/// The sign-in form: who, their password, and where to go next.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignIn {
    username: String,
    password: String,
    next: String,
}

/// The form that asks for a reset link.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetRequest {
    email: String,
}

/// The password-change form: the password as it is, the new one twice.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordChange {
    old_password: String,
    #[serde(flatten)]
    new: NewPasswordForm,
}

/// Signs in the user whose username and password were posted, then sends
/// the browser to `next` (a path of this site, else the home page). Wrong
/// credentials, an inactive user, or the throttle refusing: the form again
/// (username and `next` kept, never the password) saying so.
pub async fn sign_in(posted: Posted, fields: SignIn) -> Result<Done, AppError> {
    let (username, password) = (fields.username.as_str(), fields.password.as_str());
    let db = posted.visitor.db();
    let mut form = Submitted {
        values: vec![
            ("username".into(), username.into()),
            ("next".into(), fields.next.clone()),
        ],
        problems: Vec::new(),
    };
    if username.is_empty() || password.is_empty() {
        for (name, value) in [("username", username), ("password", password)] {
            if value.is_empty() {
                form.problem(name, Problem::Required);
            }
        }
        return Ok(Done::Again(form, StatusCode::OK));
    }
    match throttle::check(db, username, &posted.client).await? {
        Verdict::Refused(wait) => {
            let minutes = throttle::minutes(wait);
            form.problem(WHOLE_FORM, Problem::TooManyAttempts { minutes });
            return Ok(Done::TooSoon(form, wait));
        }
        Verdict::Slowed(wait) => tokio::time::sleep(wait).await,
        Verdict::Go => {}
    }
    let Some(user) = accounts::authenticate(db, username, password).await? else {
        throttle::failed(db, username, &posted.client).await?;
        form.problem(WHOLE_FORM, Problem::CredentialsMismatch);
        return Ok(Done::Again(form, StatusCode::OK));
    };
    throttle::succeeded(db, username, &posted.client).await?;
    posted.visitor.sign_in(&user).await?;
    tracing::info!(user = %user.username, "signed in");
    Ok(Done::Redirect(after_sign_in(Some(&fields.next))))
}

/// Signs this browser out (its session emptied), and shows "Logged out!".
pub async fn sign_out(posted: Posted, _: NoFields) -> Result<Done, AppError> {
    posted.visitor.sign_out().await?;
    Ok(Done::Shown)
}

/// Sends a reset link to every active user with the address posted, and
/// answers the same whether there is one or not (nobody learns from it
/// which addresses have accounts).
pub async fn password_reset(posted: Posted, fields: ResetRequest) -> Result<Done, AppError> {
    let email = fields.email.trim();
    let mut form = Submitted {
        values: vec![("email".into(), email.into())],
        problems: Vec::new(),
    };
    if email.is_empty() {
        form.problem("email", Problem::Required);
    } else if !accounts::is_valid_email(email) {
        form.problem("email", Problem::InvalidEmail);
    }
    if !form.is_valid() {
        return Ok(Done::Again(form, StatusCode::OK));
    }
    let db = posted.visitor.db();
    let mails = password_reset::request(db, email, posted.mailer.site_url(), posted.locale).await?;
    for (id, mail) in mails {
        posted.mailer.deliver(id, mail);
    }
    Ok(Done::Redirect("/accounts/password-reset/done".to_string()))
}

/// Sets the new password posted to a reset link; the link is used up and
/// every session of the user signed out. A link that does not work (any
/// more): the page says so.
pub async fn new_password(posted: Posted, fields: NewPasswordForm) -> Result<Done, AppError> {
    let token = &posted.parameter;
    Ok(
        match password_reset::reset(posted.visitor.db(), token, &fields).await? {
            Ok(()) => Done::Redirect("/accounts/reset/done".to_string()),
            Err(NotReset::Form(form)) => Done::Again(form, StatusCode::OK),
            Err(NotReset::InvalidLink) => Done::Again(Submitted::default(), StatusCode::OK),
        },
    )
}

/// Changes the signed-in user's password, given the one they have now;
/// every other session of theirs is signed out, this one stays.
pub async fn password_change(posted: Posted, fields: PasswordChange) -> Result<Done, AppError> {
    let user = posted
        .user
        .as_ref()
        .ok_or_else(|| AppError::bug("a password change by nobody got past the access rule"))?;
    let db = posted.visitor.db();
    let old = fields.old_password.as_str();
    let password = match password_reset::new_password(&user.username, &fields.new) {
        Ok(password) => password,
        Err(mut form) => {
            if old.is_empty() {
                form.problem("old_password", Problem::Required);
            }
            return Ok(Done::Again(form, StatusCode::OK));
        }
    };
    if accounts::authenticate(db, &user.username, old)
        .await?
        .is_none()
    {
        let mut form = Submitted::default();
        form.problem("old_password", Problem::WrongOldPassword);
        return Ok(Done::Again(form, StatusCode::OK));
    }
    let hash = accounts::hash_password(password).await?;
    let keep = posted.visitor.session_id().await?;
    accounts::replace_password(db, Holder::Named(&user.username), &hash, keep.as_deref()).await?;
    tracing::info!(user = %user.username, "password changed");
    Ok(Done::Redirect("/accounts/password-change/done".to_string()))
}
