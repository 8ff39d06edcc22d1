//! The time as sessions store it.

use time::OffsetDateTime;

use crate::dates::unix_millis;

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
