//! Signing in and out.

use axum::http::StatusCode;

use app::{
    accounts,
    error::AppError,
    forms::{Problem, Submitted, WHOLE_FORM},
    pages::accounts::after_sign_in,
    throttle::{self, Verdict},
};

use super::{Done, Posted};

/// Signs in the user whose username and password were posted, then sends
/// the browser to `next` (a path of this site, else the home page). Wrong
/// credentials, an inactive user, or the throttle refusing: the form again
/// (username and `next` kept, never the password) saying so.
pub async fn sign_in(posted: &Posted) -> Result<Done, AppError> {
    let (username, password) = (posted.field("username"), posted.field("password"));
    let db = posted.visitor.db();
    let mut form = Submitted {
        values: vec![
            ("username".into(), username.into()),
            ("next".into(), posted.field("next").into()),
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
            return Ok(Done::Again(form, StatusCode::TOO_MANY_REQUESTS));
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
    let next = posted.field("next");
    Ok(Done::Redirect(after_sign_in(Some(next))))
}

/// Signs this browser out (its session emptied), and shows "Logged out!".
pub async fn sign_out(posted: &Posted) -> Result<Done, AppError> {
    posted.visitor.sign_out().await?;
    Ok(Done::Shown)
}
