//! How sessions age, and how a first view is kept, as configured.

use std::time::Duration;

use super::first_view::FirstViewCookie;

/// How sessions age and how a first view is kept, as configured; the server
/// puts it in the request context.
#[derive(Clone, Debug)]
pub struct SessionPolicy {
    /// Expiry after inactivity: when the session changes and at least this
    /// long has passed since its expiry was last pushed back, push it back
    /// again (saving the record and sending the cookie with a fresh
    /// Max-Age). Renewing on every change would cost a second write per
    /// page view; renewing at half the lifetime keeps an active session
    /// alive just as surely. `None`: a fixed lifetime, never renewed.
    pub renew_after: Option<Duration>,
    /// The cookie a browser without a session keeps its first view in.
    pub first_view: FirstViewCookie,
}
