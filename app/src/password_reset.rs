//! Password reset by mail: a link with a token that works once, for
//! [`RESET_DAYS`] days, and stops working when the user's password changes
//! or they sign in. The token is random (256 bits); only its SHA-256 is
//! stored, so a copy of the database opens no account.

use leptos_i18n::td_string;
use sha2::{Digest, Sha256};

use crate::{
    accounts::{self, hash_password, password_problems, Holder},
    db::Db,
    error::AppError,
    in_transaction,
    language::Locale,
    on_reader,
    problems::{Problem, Submitted},
};

/// How long a reset link works.
pub const RESET_DAYS: i64 = 3;
/// A user is sent no second link within this many seconds of the last,
/// so that nobody can have the site fill someone's mailbox.
pub const RESEND_AFTER_SECS: i64 = 5 * 60;

/// The path of a reset link, before its token.
pub const RESET_PATH: &str = "/accounts/reset/";

/// A message to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// The stored form of `token`: its SHA-256, in hex.
fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// A new token: 32 random bytes, in hex.
fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Starts a password reset for every active user with the address
/// `email` (any case): a token each, and the mail with its link (on
/// `site_url`), in `locale`, kept in the outbox in the same transaction.
/// Gives the outbox's rows to deliver; none for an address nobody has,
/// nor for a user sent a link in the last [`RESEND_AFTER_SECS`] (the
/// visitor is told the same either way).
pub async fn request(
    db: &Db,
    email: &str,
    site_url: &str,
    locale: Locale,
) -> Result<Vec<(i64, Mail)>, AppError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let expires_at = now + RESET_DAYS * 24 * 60 * 60;
    let users: Vec<(i64, String, String)> = on_reader!(db, |conn| {
        sqlx::query_as(
            "SELECT id, username, email FROM account
             WHERE lower(email) = lower($1) AND is_active
               AND NOT EXISTS (SELECT 1 FROM password_reset recent
                               WHERE recent.account_id = account.id AND recent.expires_at > $2)
             ORDER BY id",
        )
        .bind(email.trim())
        .bind(expires_at - RESEND_AFTER_SECS)
        .fetch_all(conn)
        .await
    })?;
    let mut mails = Vec::new();
    for (id, username, to) in users {
        mails.push(issue(db, id, &username, to, site_url, locale).await?);
    }
    Ok(mails)
}

/// A link for the active user `id` (just added by a librarian) to choose
/// their password: the reset flow's token and mail, sent whenever asked.
pub async fn for_account(
    db: &Db,
    id: i64,
    site_url: &str,
    locale: Locale,
) -> Result<Vec<(i64, Mail)>, AppError> {
    let user: Option<(String, String)> = on_reader!(db, |conn| {
        sqlx::query_as("SELECT username, email FROM account WHERE id = $1 AND is_active")
            .bind(id)
            .fetch_optional(conn)
            .await
    })?;
    let mut mails = Vec::new();
    if let Some((username, to)) = user {
        mails.push(issue(db, id, &username, to, site_url, locale).await?);
    }
    Ok(mails)
}

/// A new token for the user `id`, and its mail to `to` kept in the outbox
/// in the same transaction; gives the outbox's row and the mail.
async fn issue(
    db: &Db,
    id: i64,
    username: &str,
    to: String,
    site_url: &str,
    locale: Locale,
) -> Result<(i64, Mail), AppError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let expires_at = now + RESET_DAYS * 24 * 60 * 60;
    let token = new_token();
    let link = format!("{}{RESET_PATH}{token}", site_url.trim_end_matches('/'));
    let mail = Mail {
        to,
        subject: td_string!(locale, mail.reset_subject).to_string(),
        body: td_string!(locale, mail.reset_body, link, username, count = RESET_DAYS).to_string(),
    };
    let outbox: i64 = in_transaction!(db, |tx| {
        sqlx::query(
            "INSERT INTO password_reset (token_hash, account_id, expires_at)
             VALUES ($1, $2, $3)",
        )
        .bind(token_hash(&token))
        .bind(id)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        let outbox: i64 = sqlx::query_scalar(
            "INSERT INTO outbox (recipient, subject, body, created_at)
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(&mail.to)
        .bind(&mail.subject)
        .bind(&mail.body)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(outbox)
    })?;
    Ok((outbox, mail))
}

/// The username a reset token is for, while it works.
pub async fn user_of(db: &Db, token: &str) -> Result<Option<String>, AppError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    Ok(on_reader!(db, |conn| {
        sqlx::query_scalar(
            "SELECT account.username FROM password_reset reset
             JOIN account ON account.id = reset.account_id
             WHERE reset.token_hash = $1 AND reset.expires_at > $2 AND account.is_active",
        )
        .bind(token_hash(token))
        .bind(now)
        .fetch_optional(conn)
        .await
    })?)
}

/// Why a new password was not set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotReset {
    /// The link does not work (unknown, expired, used, or superseded).
    InvalidLink,
    /// The form as posted, with what is wrong with the new password.
    Form(Submitted),
}

/// A new password, given twice, as posted.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewPasswordForm {
    pub new_password1: String,
    pub new_password2: String,
}

/// The new password a form gives twice for `username`, or the form with
/// what is wrong with it.
pub fn new_password(username: &str, posted: &NewPasswordForm) -> Result<String, Submitted> {
    let (first, second) = (posted.new_password1.as_str(), posted.new_password2.as_str());
    let mut form = Submitted::default();
    if first.is_empty() {
        form.problem("new_password1", Problem::Required);
    }
    if second.is_empty() {
        form.problem("new_password2", Problem::Required);
    }
    if form.is_valid() && first != second {
        form.problem("new_password2", Problem::PasswordsDiffer);
    }
    if form.is_valid() {
        for problem in password_problems(first, username) {
            form.problem("new_password2", Problem::Password(problem));
        }
    }
    if form.is_valid() {
        Ok(first.to_string())
    } else {
        Err(form)
    }
}

/// Sets the new password posted to the reset link of `token`, using the
/// link up; every session of the user is signed out. The inner `Err`:
/// why not, as the visitor is told; the outer: an outage or a bug.
pub async fn reset(
    db: &Db,
    token: &str,
    posted: &NewPasswordForm,
) -> Result<Result<(), NotReset>, AppError> {
    let Some(username) = user_of(db, token).await? else {
        return Ok(Err(NotReset::InvalidLink));
    };
    let password = match new_password(&username, posted) {
        Ok(password) => password,
        Err(form) => return Ok(Err(NotReset::Form(form))),
    };
    let hash = hash_password(password).await?;
    // The token is used up by the same transaction that sets the password:
    // of two uses at once, one sets it.
    let holder = Holder::ByToken(&token_hash(token));
    Ok(
        match accounts::replace_password(db, holder, &hash, None).await? {
            Some(_) => Ok(()),
            None => Err(NotReset::InvalidLink),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::PasswordProblem;

    #[test]
    fn tokens_are_long_random_and_safe_in_a_path() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(token_hash("abc").len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn a_new_password_is_given_twice_and_follows_the_rules() {
        let form = |first: &str, second: &str| NewPasswordForm {
            new_password1: first.into(),
            new_password2: second.into(),
        };
        assert_eq!(
            new_password("alice", &form("a new password", "a new password")),
            Ok("a new password".into())
        );
        let problems = |first, second| {
            new_password("alice", &form(first, second))
                .unwrap_err()
                .problems
        };
        assert_eq!(
            problems("a new password", "a new passwort"),
            [("new_password2", Problem::PasswordsDiffer)]
        );
        assert_eq!(
            problems("12345678", "12345678"),
            [(
                "new_password2",
                Problem::Password(PasswordProblem::AllDigits)
            )]
        );
        assert_eq!(
            problems("alice-2026", "alice-2026"),
            [(
                "new_password2",
                Problem::Password(PasswordProblem::LikeUsername)
            )]
        );
        assert_eq!(
            problems("", ""),
            [
                ("new_password1", Problem::Required),
                ("new_password2", Problem::Required)
            ]
        );
    }
}
