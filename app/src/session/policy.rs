//! How sessions age, as configured.

use std::time::Duration;

/// How sessions age, as configured; the server puts it in the request context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Expiry after inactivity: when the session changes and at least this
    /// long has passed since its expiry was last pushed back, push it back
    /// again (saving the record and sending the cookie with a fresh
    /// Max-Age). Renewing on every change would cost a second write per
    /// page view; renewing at half the lifetime keeps an active session
    /// alive just as surely. `None`: a fixed lifetime, never renewed.
    pub renew_after: Option<Duration>,
}

impl Default for SessionPolicy {
    /// Half of a two-week lifetime, the configuration's default.
    fn default() -> Self {
        Self {
            renew_after: Some(Duration::from_secs(7 * 24 * 3600)),
        }
    }
}
