//! A new session's record, stored by the site with the session's first
//! view, and handed to the session store for the save that gives the
//! session its id.
//!
//! tower-sessions gives a session its id when it first saves it, by way of
//! the store's `create`. The home view stores the record itself, in the
//! same commit as the first view's state row, under an id it draws; then,
//! while tower-sessions saves the session ([`StoredRecord::scope`]), the
//! store finds the record here ([`StoredRecord::being_saved`]) and takes
//! its id, rather than storing the record again under another.

use std::future::Future;

use tower_sessions::session::Id;

/// Stores a session record, unless its id is taken (then nothing).
pub const INSERT_RECORD: &str =
    "INSERT INTO tower_sessions (id, data, expiry_date) VALUES ($1, $2, $3)
     ON CONFLICT (id) DO NOTHING";

tokio::task_local! {
    /// A session record the site stored itself, while tower-sessions
    /// saves the session it belongs to.
    static STORED_RECORD: StoredRecord;
}

/// A new session's record, stored by [`VisitorSession`](super::VisitorSession) with the
/// session's first view (its id, data as JSON, expiry in Unix
/// milliseconds). tower-sessions gives a session its id when it first
/// saves it, by way of the store's `create`; the store asks for this
/// record there ([`StoredRecord::being_saved`]) and takes its id, rather
/// than storing the record again under an id of its own.
#[derive(Clone, Debug)]
pub struct StoredRecord {
    pub id: Id,
    pub data: Vec<u8>,
    pub expiry: i64,
}

impl StoredRecord {
    /// Runs `save` (tower-sessions saving the session) with this record
    /// known to the store as already stored.
    pub async fn scope<F: Future>(self, save: F) -> F::Output {
        STORED_RECORD.scope(self, save).await
    }

    /// The record already stored for the session this task is saving, if
    /// the site stored it.
    pub fn being_saved() -> Option<StoredRecord> {
        STORED_RECORD.try_with(StoredRecord::clone).ok()
    }
}
