//! The site's users (table `account`): who they are, their passwords, and
//! the rules a username, an address and a new password must meet.
//!
//! A password is stored only as its Argon2id hash (password-auth's PHC
//! string). Hashing takes tens of milliseconds of CPU on purpose, so it
//! runs on the blocking pool, never on the threads that answer requests.

use leptos_i18n::td_string;

pub use crate::problems::{PasswordProblem, MIN_PASSWORD_CHARS};
use crate::{db::Db, error::AppError, language::Locale, model::User, on_writer};

pub use crate::model::MAX_USERNAME_CHARS;

/// Why an account could not be created or changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountError {
    /// Empty, too long, or with a character other than letters, digits
    /// and `@ . + - _`.
    InvalidUsername,
    InvalidEmail,
    UsernameTaken,
    UnknownUser(String),
    /// The new password breaks these rules.
    Password(Vec<PasswordProblem>),
    /// The database failed (already logged).
    Failed(AppError),
}

impl AccountError {
    /// What the person is told, in `locale`.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            AccountError::InvalidUsername => {
                td_string!(locale, accounts.username_invalid, max = MAX_USERNAME_CHARS).to_string()
            }
            AccountError::InvalidEmail => td_string!(locale, accounts.email_invalid).to_string(),
            AccountError::UsernameTaken => td_string!(locale, accounts.username_taken).to_string(),
            AccountError::UnknownUser(username) => {
                td_string!(locale, accounts.unknown_user, username).to_string()
            }
            AccountError::Password(problems) => problems
                .iter()
                .map(|problem| problem.message(locale))
                .collect::<Vec<_>>()
                .join(" "),
            AccountError::Failed(error) => error.message(locale),
        }
    }
}

/// In English, for the command line and the log.
impl std::fmt::Display for AccountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Locale::en))
    }
}

impl std::error::Error for AccountError {}

impl From<sqlx::Error> for AccountError {
    fn from(err: sqlx::Error) -> Self {
        AccountError::Failed(AppError::database(&err))
    }
}

/// The rules `password` breaks as the password of `username`: at least
/// [`MIN_PASSWORD_CHARS`] characters, not digits only, not the username
/// (nor containing it).
pub fn password_problems(password: &str, username: &str) -> Vec<PasswordProblem> {
    let mut problems = Vec::new();
    if password.chars().count() < MIN_PASSWORD_CHARS {
        problems.push(PasswordProblem::TooShort);
    }
    if !password.is_empty() && password.chars().all(|c| c.is_ascii_digit()) {
        problems.push(PasswordProblem::AllDigits);
    }
    let (password, username) = (password.to_lowercase(), username.to_lowercase());
    if !username.is_empty() && password.contains(&username) {
        problems.push(PasswordProblem::LikeUsername);
    }
    problems
}

/// A username as it is stored and looked up: in Unicode's compatibility
/// form (NFKC, as Django's), so a name typed in fullwidth letters is the
/// name in ordinary ones.
pub fn normalized_username(username: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    username.nfkc().collect()
}

/// What tells usernames apart: no two users share it (a unique index on
/// `account.username_key`). It is the name as people read it: compatibility
/// forms and case folded away, then letters that look alike in other
/// scripts made one (Unicode's confusable skeleton, UTS #39), so `ALICE`,
/// `ａｌｉｃｅ` and `aliсe` (a Cyrillic с) are all taken once `alice` is.
pub fn username_key(username: &str) -> String {
    let folded = normalized_username(username).to_lowercase();
    unicode_security::skeleton(&folded)
        .collect::<String>()
        .to_lowercase()
}

/// 1 to [`MAX_USERNAME_CHARS`] letters, digits and `@ . + - _`.
pub fn is_valid_username(username: &str) -> bool {
    let length = username.chars().count();
    (1..=MAX_USERNAME_CHARS).contains(&length)
        && username
            .chars()
            .all(|c| c.is_alphanumeric() || "@.+-_".contains(c))
}

/// `local@domain.tld`, at most 254 characters, no spaces: what mail can be
/// sent to, not every address RFC 5322 allows.
pub fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.contains('@'))
        && domain.contains('.')
}

/// The Argon2id hash of `password`, made on the blocking pool.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .map_err(|err| AppError::bug(format!("password hashing stopped: {err}")))
}

/// The user `username` if `password` is theirs and they are active; `None`
/// otherwise, in the same time whatever the reason: an unknown username
/// is checked against a stand-in hash of the same cost, so how long the
/// answer takes does not tell which names exist.
pub async fn authenticate(
    db: &Db,
    username: &str,
    password: &str,
) -> Result<Option<User>, AppError> {
    type Row = (i64, String, bool, bool);
    let username = normalized_username(username);
    let row: Option<Row> = crate::on_reader!(db, |conn| {
        sqlx::query_as(
            "SELECT id, password_hash, is_active, is_librarian FROM account WHERE username = $1",
        )
        .bind(&username)
        .fetch_optional(conn)
        .await
    })?;
    let hash = match &row {
        Some((_, hash, ..)) => hash.clone(),
        None => STAND_IN_HASH.to_string(),
    };
    let password = password.to_string();
    let matches = tokio::task::spawn_blocking(move || {
        password_auth::verify_password(password, &hash).is_ok()
    })
    .await
    .map_err(|err| AppError::bug(format!("password checking stopped: {err}")))?;
    Ok(match row {
        Some((id, _, true, librarian)) if matches => Some(User {
            id,
            username,
            librarian,
        }),
        _ => None,
    })
}

/// What an unknown username's password is checked against: the hash of
/// a random password nobody kept, made with password-auth's parameters
/// (a test checks they are still its parameters), so the check costs what
/// a user's does.
const STAND_IN_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$we7w3vOPjwajvSq6e7MRfQ$/lBfcQ/Ln5nhBy9F5gZKeVB2uUFPm7vmKSRM8pWPwl0";

/// Notes that the user `id` signed in at `now` (Unix seconds); their
/// password-reset links stop working (they knew their password).
pub async fn signed_in(db: &Db, id: i64, now: i64) -> Result<(), AppError> {
    crate::in_transaction!(db, |tx| {
        sqlx::query("UPDATE account SET last_login = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(FORGET_RESET_LINKS)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    })
}

/// A user to create.
#[derive(Clone, Copy, Debug)]
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub librarian: bool,
}

/// A new account as it will be stored: checked, its password hashed.
pub struct AccountRow {
    pub username: String,
    pub email: String,
    hash: String,
    librarian: bool,
}

/// Checks `new` and `password` and hashes the password: the account's
/// row, for [`insert_account!`].
pub async fn checked(new: NewAccount<'_>, password: &str) -> Result<AccountRow, AccountError> {
    let username = normalized_username(new.username);
    if !is_valid_username(&username) {
        return Err(AccountError::InvalidUsername);
    }
    if !is_valid_email(new.email) {
        return Err(AccountError::InvalidEmail);
    }
    let problems = password_problems(password, &username);
    if !problems.is_empty() {
        return Err(AccountError::Password(problems));
    }
    let hash = hash_password(password.to_string())
        .await
        .map_err(AccountError::Failed)?;
    Ok(AccountRow {
        username,
        email: new.email.to_string(),
        hash,
        librarian: new.librarian,
    })
}

impl AccountRow {
    /// The values of [`INSERT_ACCOUNT`], in order.
    pub fn values(&self) -> (&str, String, &str, &str, bool, i64) {
        (
            &self.username,
            username_key(&self.username),
            &self.email,
            &self.hash,
            self.librarian,
            time::OffsetDateTime::now_utc().unix_timestamp(),
        )
    }
}

pub const INSERT_ACCOUNT: &str =
    "INSERT INTO account (username, username_key, email, password_hash, is_librarian, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";

/// Inserts the [`AccountRow`] `$row` on `$conn` (a connection or a
/// transaction, on either database); gives its id.
#[macro_export]
macro_rules! insert_account {
    ($conn:expr, $row:expr) => {{
        let (username, key, email, hash, librarian, now) = $row.values();
        ::sqlx::query_scalar::<_, i64>($crate::accounts::INSERT_ACCOUNT)
            .bind(username)
            .bind(key)
            .bind(email)
            .bind(hash)
            .bind(librarian)
            .bind(now)
            .fetch_one($conn)
            .await
    }};
}

/// What inserting an account came to: a username another user's looks
/// like is the person's mistake, anything else the database's.
pub fn inserted(result: Result<i64, sqlx::Error>) -> Result<i64, AccountError> {
    match result {
        Ok(id) => Ok(id),
        Err(sqlx::Error::Database(err)) if err.is_unique_violation() => {
            Err(AccountError::UsernameTaken)
        }
        Err(err) => Err(err.into()),
    }
}

/// Creates an active user with `password`; gives the new user's id.
pub async fn create(db: &Db, new: NewAccount<'_>, password: &str) -> Result<i64, AccountError> {
    let row = checked(new, password).await?;
    inserted(on_writer!(db, |conn| insert_account!(conn, row)))
}

/// Gives each user made before usernames had keys (or added in plain SQL)
/// their [`username_key`]; gives the names of any that could not have it
/// because another user's name looks the same, who keep their accounts
/// (and stay without a key) until an operator renames one of them.
pub async fn fill_username_keys(db: &Db) -> Result<Vec<String>, AppError> {
    let unkeyed: Vec<(i64, String)> = crate::on_reader!(db, |conn| {
        sqlx::query_as("SELECT id, username FROM account WHERE username_key IS NULL ORDER BY id")
            .fetch_all(conn)
            .await
    })?;
    let mut alike = Vec::new();
    for (id, username) in unkeyed {
        let keyed: Result<(), sqlx::Error> = on_writer!(db, |conn| {
            sqlx::query("UPDATE account SET username_key = $1 WHERE id = $2")
                .bind(username_key(&username))
                .bind(id)
                .execute(conn)
                .await
                .map(drop)
        });
        match keyed {
            Ok(_) => {}
            Err(sqlx::Error::Database(err)) if err.is_unique_violation() => alike.push(username),
            Err(err) => return Err(AppError::database(&err)),
        }
    }
    Ok(alike)
}

/// The users a development database starts with: a librarian and a member.
pub const DEMO_USERS: [(&str, bool); 2] = [("librarian", true), ("member", false)];

/// Creates [`DEMO_USERS`], each with a new random password, in a database
/// that has no user yet; gives their names and passwords (none if there
/// were users already).
pub async fn create_demo_users(db: &Db) -> Result<Vec<(&'static str, String)>, AccountError> {
    let users: i64 = crate::on_reader!(db, |conn| {
        sqlx::query_scalar("SELECT COUNT(*) FROM account")
            .fetch_one(conn)
            .await
    })?;
    if users > 0 {
        return Ok(Vec::new());
    }
    let mut created = Vec::new();
    for (username, librarian) in DEMO_USERS {
        let password: String = {
            use rand::{distributions::Alphanumeric, Rng};
            rand::thread_rng()
                .sample_iter(&Alphanumeric)
                .take(16)
                .map(char::from)
                .collect()
        };
        let email = format!("{username}@example.com");
        let new = NewAccount {
            username,
            email: &email,
            librarian,
        };
        create(db, new, &password).await?;
        created.push((username, password));
    }
    Ok(created)
}

/// Gives `username` a new password, and signs out every session of theirs
/// but `keep` (the session that changed it, if any): whoever knew the old
/// password is out. Their password-reset links stop working.
pub async fn set_password(
    db: &Db,
    username: &str,
    password: &str,
    keep: Option<&str>,
) -> Result<(), AccountError> {
    let problems = password_problems(password, username);
    if !problems.is_empty() {
        return Err(AccountError::Password(problems));
    }
    let hash = hash_password(password.to_string())
        .await
        .map_err(AccountError::Failed)?;
    let replaced = replace_password(db, Holder::Named(username), &hash, keep)
        .await
        .map_err(AccountError::Failed)?;
    match replaced {
        Some(_) => Ok(()),
        None => Err(AccountError::UnknownUser(username.to_string())),
    }
}

/// Whose password [`replace_password`] replaces.
#[derive(Clone, Copy, Debug)]
pub enum Holder<'a> {
    Named(&'a str),
    /// The user a password-reset token (its SHA-256, hex) is for, if it
    /// has not expired: the token is used up in the same transaction.
    ByToken(&'a str),
}

/// Stores `hash` as the password of `holder`, deletes their reset links,
/// and signs out every session of theirs but `keep`, in one transaction;
/// gives the user's id (`None`: no such user, or no such token now).
pub async fn replace_password(
    db: &Db,
    holder: Holder<'_>,
    hash: &str,
    keep: Option<&str>,
) -> Result<Option<i64>, AppError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    crate::in_transaction!(db, |tx| {
        let id: Option<i64> = match holder {
            Holder::Named(username) => {
                sqlx::query_scalar("SELECT id FROM account WHERE username = $1")
                    .bind(username)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            Holder::ByToken(token_hash) => {
                sqlx::query_scalar(
                    "DELETE FROM password_reset WHERE token_hash = $1 AND expires_at > $2
                     RETURNING account_id",
                )
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?
            }
        };
        if let Some(id) = id {
            sqlx::query("UPDATE account SET password_hash = $1 WHERE id = $2")
                .bind(hash)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(FORGET_RESET_LINKS)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(SIGN_OUT_OTHERS)
                .bind(id)
                .bind(keep)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    })
}

/// Deletes the password-reset links of the user `$1`: a sign-in or a new
/// password makes them worthless.
const FORGET_RESET_LINKS: &str = "DELETE FROM password_reset WHERE account_id = $1";

/// Deletes the sessions signed in as the user `$1` but the session `$2`
/// (their state rows go with them).
const SIGN_OUT_OTHERS: &str = "DELETE FROM tower_sessions WHERE id IN (
    SELECT session_id FROM session_state
    WHERE account_id = $1 AND session_id <> COALESCE($2, ''))";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_follow_the_rules() {
        use PasswordProblem::*;
        assert_eq!(password_problems("correct horse", "alice"), []);
        assert_eq!(password_problems("short", "alice"), [TooShort]);
        assert_eq!(password_problems("12345678", "alice"), [AllDigits]);
        assert_eq!(password_problems("1234", "alice"), [TooShort, AllDigits]);
        assert_eq!(password_problems("Alice-2026!", "alice"), [LikeUsername]);
        assert_eq!(password_problems("librarian", "librarian"), [LikeUsername]);
        // Eight characters, not bytes.
        assert_eq!(password_problems("圖書館借書證密碼", "alice"), []);
    }

    #[test]
    fn usernames_that_read_alike_share_a_key() {
        let alice = username_key("alice");
        // Capitals, fullwidth letters, a Cyrillic с in place of the c.
        for alike in ["ALICE", "Alice", "ａｌｉｃｅ", "ali\u{441}e"] {
            assert_eq!(username_key(alike), alice, "{alike}");
        }
        for other in ["alicia", "alice2", "bob"] {
            assert_ne!(username_key(other), alice, "{other}");
        }
        assert_ne!(username_key("李小龍"), username_key("李小虎"));
        assert_eq!(normalized_username("ａｌｉｃｅ"), "alice");
        assert_eq!(normalized_username("李小龍"), "李小龍");
    }

    #[test]
    fn usernames_and_addresses() {
        for good in ["alice", "a.b+c-d_e@f", "李小龍", &"x".repeat(150)] {
            assert!(is_valid_username(good), "{good}");
        }
        for bad in ["", "a b", "a/b", "<script>", &"x".repeat(151)] {
            assert!(!is_valid_username(bad), "{bad}");
        }
        for good in ["a@example.com", "first.last+tag@mail.example.org"] {
            assert!(is_valid_email(good), "{good}");
        }
        for bad in [
            "",
            "a",
            "a@",
            "@example.com",
            "a@example",
            "a b@example.com",
            "a@.com",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn the_stand_in_hash_costs_what_a_new_hash_costs() {
        let parameters = |hash: &str| hash.rsplitn(3, '$').nth(2).map(str::to_string);
        let fresh = password_auth::generate_hash("a password");
        assert_eq!(parameters(STAND_IN_HASH), parameters(&fresh), "{fresh}");
        assert!(parameters(&fresh).unwrap().starts_with("$argon2id$"));
    }

    #[test]
    fn problems_are_told_in_each_language() {
        let error = AccountError::Password(vec![PasswordProblem::TooShort]);
        assert_eq!(
            error.to_string(),
            "This password is too short. It must contain at least 8 characters."
        );
        assert_eq!(
            error.message(Locale::zh_TW),
            "這個密碼太短，至少要有 8 個字元。"
        );
    }
}
