//! The time as sessions store it.

use time::OffsetDateTime;

/// How session expiry dates and renewal times are stored: Unix
/// milliseconds (in whole seconds a session could end, or be renewed, up to
/// a second early).
pub fn unix_millis(time: OffsetDateTime) -> i64 {
    i64::try_from(time.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The time now, as the columns of `session_state` hold it: `created_at` in
/// Unix seconds, `renewed_at` (and the record's expiry) in milliseconds.
pub(super) struct Now {
    pub(super) secs: i64,
    pub(super) millis: i64,
}

impl Now {
    pub(super) fn get() -> Now {
        let now = OffsetDateTime::now_utc();
        Now {
            secs: now.unix_timestamp(),
            millis: unix_millis(now),
        }
    }
}
