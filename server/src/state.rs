//! What every handler of the router can reach: the Leptos options and the
//! database.

use std::{ops::Deref, sync::Arc};

use app::db::Db;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

/// What every handler can reach. Shared rather than copied: each request
/// gets a clone of its route's service, state included, and the Leptos
/// options are many strings (their copying showed in the profile of a
/// home view, which does not even read them).
#[derive(Clone)]
pub struct AppState(Arc<SharedState>);

pub struct SharedState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, db: Db) -> AppState {
        AppState(Arc::new(SharedState { leptos_options, db }))
    }
}

impl Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
