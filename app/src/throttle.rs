//! The sign-in throttle: guessing passwords is slowed, then refused, for a
//! while, without letting a guesser lock the real user out.
//!
//! Failed sign-ins are kept for [`WINDOW`] (table `sign_in_failure`, in
//! the database: every server of a deployment sees them). Within it:
//! - one username from one address: after [`PER_PAIR`] failures, refused
//!   from that address until the oldest of them is out of the window;
//! - one address, any usernames: after [`PER_ADDRESS`] failures, refused;
//! - one username from anywhere: after [`PER_USERNAME`] failures, every
//!   attempt for it is slowed by [`SLOWED_BY`], never refused, so the
//!   owner, from their own address, still gets in.
//!
//! A success clears that username's failures from that address.

use std::time::Duration;

use crate::{dates::unix_millis, db::Db, error::AppError, execute, on_reader};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const PER_PAIR: i64 = 5;
pub const PER_ADDRESS: i64 = 20;
pub const PER_USERNAME: i64 = 10;
pub const SLOWED_BY: Duration = Duration::from_secs(1);

/// What the throttle says about a sign-in attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Go,
    /// Go, after waiting this long.
    Slowed(Duration),
    /// Refused for this long more.
    Refused(Duration),
}

/// Failures are counted by the username as people read it (its key, as
/// no two users share), so that `Alice`, `alice` and `ａｌｉｃｅ`, which signs
/// in as `alice`, are not three budgets.
fn key(username: &str) -> String {
    crate::accounts::username_key(username)
}

/// The throttle's verdict on an attempt to sign in as `username` from
/// `address`.
pub async fn check(db: &Db, username: &str, address: &str) -> Result<Verdict, AppError> {
    let now = unix_millis(time::OffsetDateTime::now_utc());
    let since = now - millis(WINDOW);
    // For each limit, the failure whose leaving the window lifts it (the
    // limit-th most recent), if there are that many.
    type Row = (Option<i64>, Option<i64>, i64);
    let (pair, address_limit, for_username): Row = on_reader!(db, |conn| {
        sqlx::query_as(
            "SELECT
                (SELECT at FROM sign_in_failure
                 WHERE username = $1 AND address = $2 AND at > $3
                 ORDER BY at DESC LIMIT 1 OFFSET $4),
                (SELECT at FROM sign_in_failure
                 WHERE address = $2 AND at > $3
                 ORDER BY at DESC LIMIT 1 OFFSET $5),
                (SELECT COUNT(*) FROM sign_in_failure WHERE username = $1 AND at > $3)",
        )
        .bind(key(username))
        .bind(address)
        .bind(since)
        .bind(PER_PAIR - 1)
        .bind(PER_ADDRESS - 1)
        .fetch_one(conn)
        .await
    })?;
    let lifted_at = pair.into_iter().chain(address_limit).max();
    if let Some(at) = lifted_at {
        let left = (at + millis(WINDOW) - now).max(1);
        return Ok(Verdict::Refused(Duration::from_millis(left as u64)));
    }
    if for_username >= PER_USERNAME {
        return Ok(Verdict::Slowed(SLOWED_BY));
    }
    Ok(Verdict::Go)
}

/// Notes a failed attempt, and forgets failures older than the window.
pub async fn failed(db: &Db, username: &str, address: &str) -> Result<(), AppError> {
    let now = unix_millis(time::OffsetDateTime::now_utc());
    execute!(
        db,
        sqlx::query("DELETE FROM sign_in_failure WHERE at <= $1").bind(now - millis(WINDOW))
    )?;
    execute!(
        db,
        sqlx::query("INSERT INTO sign_in_failure (username, address, at) VALUES ($1, $2, $3)")
            .bind(key(username))
            .bind(address)
            .bind(now)
    )?;
    Ok(())
}

/// Clears the failures of `username` from `address`, who got in.
pub async fn succeeded(db: &Db, username: &str, address: &str) -> Result<(), AppError> {
    execute!(
        db,
        sqlx::query("DELETE FROM sign_in_failure WHERE username = $1 AND address = $2")
            .bind(key(username))
            .bind(address)
    )?;
    Ok(())
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Whole minutes, rounded up: what a person is told to wait.
pub fn minutes(wait: Duration) -> u64 {
    wait.as_secs().div_ceil(60).max(1)
}
