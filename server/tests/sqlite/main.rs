//! Integration tests of what only SQLite has: its log and the session
//! records of earlier versions. The real server, real HTTP, a temp database
//! file each.

mod checkpoint;
mod session_records;
#[path = "../support/mod.rs"]
mod support;
