//! Deleting sessions that have ended.
//!
//! In small batches, each its own statement in the writers' turn: one
//! statement deleting a million expired sessions held SQLite's write lock
//! for ten seconds, and every page view waited behind it. Between two
//! batches the writes queued meanwhile go first.

use time::OffsetDateTime;

use crate::dates::unix_millis;
use crate::{db::Db, execute};

/// Sessions deleted per statement: a few milliseconds of the writer's time.
const BATCH: i64 = 500;

/// Deletes expired sessions, and sessions whose browser never sent the
/// cookie back within `unconfirmed_ttl` (clients that refuse cookies make a
/// new session on every view; this keeps them from piling up). Their state
/// rows go with them. `progress` is told the running total after each
/// batch. Returns how many sessions were removed.
pub async fn purge_expired(
    db: &Db,
    unconfirmed_ttl: std::time::Duration,
    progress: impl Fn(u64),
) -> Result<u64, sqlx::Error> {
    let clock = OffsetDateTime::now_utc();
    let cutoff =
        clock.unix_timestamp() - i64::try_from(unconfirmed_ttl.as_secs()).unwrap_or(i64::MAX);
    let mut removed = 0;
    for (sql, bound) in [
        (
            "DELETE FROM tower_sessions WHERE id IN
                (SELECT id FROM tower_sessions WHERE expiry_date <= $1 LIMIT $2)",
            unix_millis(clock),
        ),
        (
            "DELETE FROM tower_sessions WHERE id IN
                (SELECT session_id FROM session_state
                 WHERE NOT confirmed AND created_at <= $1 LIMIT $2)",
            cutoff,
        ),
    ] {
        loop {
            let batch = execute!(db, sqlx::query(sql).bind(bound).bind(BATCH))?;
            removed += batch;
            progress(removed);
            if batch < BATCH as u64 {
                break;
            }
            tokio::task::yield_now().await;
        }
    }
    Ok(removed)
}
