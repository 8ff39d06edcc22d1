//! The LocalLibrary server: configuration, database, catalog files, the
//! session layer and the axum application that serves the Leptos site.

pub mod addresses;
pub mod assets;
pub mod catalog;
pub mod cli;
pub mod client;
pub mod config;
pub mod connections;
pub mod db;
pub mod forms;
pub mod mail;
pub mod origin;
pub mod pages;
pub mod routes;
pub mod security;
pub mod sessions;
pub mod startup;
pub mod telemetry;
