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

    /// How many are open.
    pub fn len(&self) -> usize {
        self.lock().by_age.len()
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
            // One nothing was read from yet may hold a whole request the
            // server has not had time to see (under a flood, a visitor's): it goes
            // only when no other can. A connection that turns busy between
            // this look and its closing loses that request; the window is a
            // few instructions.
            let idle = |activity: &Arc<Activity>| {
                activity.phase() != Phase::Busy && !activity.is_in_hand()
            };
            let victim = open
                .by_age
                .iter()
                .find(|(_, activity)| idle(activity) && activity.was_heard_from())
                .or_else(|| open.by_age.iter().find(|(_, activity)| idle(activity)))
                .map(|(&id, _)| id)?;
            if let Some(activity) = open.by_age.remove(&victim) {
                activity.evict();
                metrics::counter!("locallibrary_connections_evicted_total").increment(1);
            }
        }
        let id = open.next;
        open.next += 1;
        let activity = Arc::new(Activity::new());
        open.by_age.insert(id, Arc::clone(&activity));
        metrics::gauge!("locallibrary_connections_open").set(open.by_age.len() as f64);
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
        metrics::gauge!("locallibrary_connections_open").set(open.by_age.len() as f64);
        if open.by_age.is_empty() {
            self.open.emptied.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connections::LIMITS;

    /// A connection that has been read from and answered a request.
    fn idle(open: &Arc<OpenConnections>) -> Admitted {
        let admitted = open.admit().expect("room");
        admitted.activity.read_some();
        admitted.activity.request_started(false);
        admitted.activity.request_answered(&LIMITS);
        admitted
    }

    /// A connection answering a request.
    fn busy(open: &Arc<OpenConnections>) -> Admitted {
        let admitted = open.admit().expect("room");
        admitted.activity.read_some();
        admitted.activity.request_started(false);
        admitted
    }

    fn evicted(connections: &[&Admitted]) -> Vec<bool> {
        connections
            .iter()
            .map(|admitted| admitted.activity.is_evicted())
            .collect()
    }

    #[test]
    fn at_the_limit_the_oldest_connection_not_being_answered_makes_room() {
        let open = OpenConnections::new(3);
        let (first, second, third) = (busy(&open), idle(&open), idle(&open));
        let fourth = open.admit().expect("room made");
        assert_eq!(evicted(&[&first, &second, &third]), [false, true, false]);
        // One sending its header or its body is not being answered either.
        fourth.activity.read_some();
        let _fifth = open.admit().expect("room made");
        assert_eq!(evicted(&[&first, &third, &fourth]), [false, true, false]);
    }

    #[test]
    fn a_connection_being_answered_is_never_closed_for_another() {
        let open = OpenConnections::new(2);
        let (first, second) = (busy(&open), busy(&open));
        assert!(open.admit().is_none(), "turned away, not made room for");
        assert_eq!(evicted(&[&first, &second]), [false, false]);
    }

    #[test]
    fn a_connection_its_task_is_serving_is_not_closed_for_another() {
        // It may have just read a request it has not yet begun to answer.
        let open = OpenConnections::new(2);
        let (first, second) = (idle(&open), idle(&open));
        first.activity.set_in_hand(true);
        assert!(open.admit().is_some());
        assert_eq!(evicted(&[&first, &second]), [false, true]);
    }

    #[test]
    fn a_connection_still_sending_its_body_makes_room() {
        // Not yet answered: a flood of bodies sent slowly must not hold
        // every place.
        let open = OpenConnections::new(2);
        let answering = busy(&open);
        let posting = open.admit().unwrap();
        posting.activity.read_some();
        posting.activity.request_started(true);
        assert!(open.admit().is_some());
        assert_eq!(evicted(&[&answering, &posting]), [false, true]);
    }

    #[test]
    fn a_connection_nothing_was_read_from_goes_only_when_no_other_can() {
        let open = OpenConnections::new(3);
        // Oldest, but what it sent is not known: perhaps a whole request.
        let fresh = open.admit().unwrap();
        let (second, third) = (idle(&open), idle(&open));
        let _fourth = open.admit().expect("room made");
        assert_eq!(evicted(&[&fresh, &second, &third]), [false, true, false]);
        // With every other busy, the fresh one makes room after all.
        third.activity.request_started(false);
        let fifth = open.admit().expect("room made");
        assert!(fresh.activity.is_evicted());
        assert!(!third.activity.is_evicted());
        drop(fifth);
    }

    #[test]
    fn a_closed_connection_leaves_room() {
        let open = OpenConnections::new(1);
        let only = busy(&open);
        assert!(open.admit().is_none());
        drop(only);
        assert!(open.admit().is_some());
    }
}
