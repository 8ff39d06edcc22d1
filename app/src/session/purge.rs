//! Deleting sessions that have ended.

use time::OffsetDateTime;

use super::clock::unix_millis;
use crate::{db::Db, in_transaction};

/// Deletes expired sessions, and sessions whose browser never sent the
/// cookie back within `unconfirmed_ttl` (clients that refuse cookies make a
/// new session on every view; this keeps them from piling up). Their state
/// rows go with them. Returns how many sessions were removed.
pub async fn purge_expired(
    db: &Db,
    unconfirmed_ttl: std::time::Duration,
) -> Result<u64, sqlx::Error> {
    let clock = OffsetDateTime::now_utc();
    let cutoff =
        clock.unix_timestamp() - i64::try_from(unconfirmed_ttl.as_secs()).unwrap_or(i64::MAX);
    in_transaction!(db, |tx| {
        let expired = sqlx::query("DELETE FROM tower_sessions WHERE expiry_date <= $1")
            .bind(unix_millis(clock))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let unconfirmed = sqlx::query(
            "DELETE FROM tower_sessions WHERE id IN
                (SELECT session_id FROM session_state WHERE NOT confirmed AND created_at <= $1)",
        )
        .bind(cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(expired + unconfirmed)
    })
}
