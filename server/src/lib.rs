//! The LocalLibrary server: configuration, database, catalog files, the
//! session layer and the axum application that serves the Leptos site.

pub mod addresses;
pub mod backups;
pub mod catalog_files;
pub mod cli;
pub mod client;
pub mod config;
pub mod connections;
pub mod database;
pub mod forms;
pub mod hashed_files;
#[cfg(test)]
mod layers;
pub mod mail;
pub mod monitoring;
pub mod origin;
pub mod page_requests;
pub mod request_log;
pub mod routes;
pub mod security;
pub mod session_layer;
pub mod startup;
pub mod state;
pub mod telemetry;
