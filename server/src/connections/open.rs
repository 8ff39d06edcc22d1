//! The open connections, and the limit on them. At the limit a new
//! connection makes room by closing the longest-open connection that has
//! no request being answered (one idle, or still sending a header or a
//! body): under a flood of connections that send nothing, or send slowly,
//! or sit idle, those are the flood's oldest, and the visitor who arrives
//! meanwhile is served. Only when every connection is answering a request
//! is the newcomer turned away.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

use tokio::sync::Notify;

use super::activity::{Activity, Phase};

pub struct OpenConnections {
    max: usize,
    /// By order of opening.
    open: Mutex<Open>,
    /// Woken when the last one closes.
    emptied: Notify,
}

#[derive(Default)]
struct Open {
    next: u64,
    by_age: BTreeMap<u64, Arc<Activity>>,
}

/// A connection counted among the open ones until dropped.
pub struct Admitted {
    id: u64,
    pub activity: Arc<Activity>,
    open: Arc<OpenConnections>,
}

impl OpenConnections {
    pub fn new(max: usize) -> Arc<OpenConnections> {
        Arc::new(OpenConnections {
            max: max.max(1),
            open: Mutex::default(),
            emptied: Notify::new(),
        })
    }

    /// Tells every open connection the server is stopping, and waits
    /// until they have closed.
    pub async fn close_all(&self) {
        for activity in self.lock().by_age.values() {
            activity.close();
        }
        loop {
            let emptied = self.emptied.notified();
            if self.lock().by_age.is_empty() {
                return;
            }
            emptied.await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Open> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts a new connection in, making room for it if need be; `None`
    /// when every open connection is answering a request.
    pub fn admit(self: &Arc<Self>) -> Option<Admitted> {
        let mut open = self.lock();
        if open.by_age.len() >= self.max {
            // One not yet read from may hold a whole request the server has
            // not had time to see (under a flood, a visitor's): it goes
            // only when no other can. A connection that turns busy between
            // this look and its closing loses that request; the window is a
            // few instructions.
            let idle = |activity: &Arc<Activity>| activity.phase() != Phase::Busy;
            let victim = open
                .by_age
                .iter()
                .find(|(_, activity)| idle(activity) && activity.was_read_from())
                .or_else(|| open.by_age.iter().find(|(_, activity)| idle(activity)))
                .map(|(&id, _)| id)?;
            if let Some(activity) = open.by_age.remove(&victim) {
                activity.evict();
            }
        }
        let id = open.next;
        open.next += 1;
        let activity = Arc::new(Activity::new());
        open.by_age.insert(id, Arc::clone(&activity));
        Some(Admitted {
            id,
            activity,
            open: Arc::clone(self),
        })
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self.open.lock();
        open.by_age.remove(&self.id);
        if open.by_age.is_empty() {
            self.open.emptied.notify_one();
        }
    }
}
