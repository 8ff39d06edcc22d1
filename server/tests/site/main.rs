//! Integration tests: the real server over real HTTP, one new database
//! each, on SQLite or PostgreSQL (see support::database).

mod access;
mod accounts;
mod author_editing;
mod availability;
mod backups;
mod book_editing;
mod borrowed;
mod browsing;
mod bundle;
mod catalog_counts;
mod catalog_export;
mod catalog_loading;
mod catalog_version;
mod configuration;
mod connections;
mod copy_editing;
mod errors;
mod headers;
mod history;
mod home;
mod kept_pages;
mod language;
mod loan_records;
mod loans;
mod members;
mod messages;
mod metrics;
mod passwords;
mod probes;
mod refusals;
mod request_log;
mod search;
mod seeding;
mod session_cookie;
mod session_records;
mod sessions;
mod sign_in;
#[path = "../support/mod.rs"]
mod support;
mod terms;
