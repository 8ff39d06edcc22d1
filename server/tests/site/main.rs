//! Integration tests: the real server over real HTTP, one temp database each.

mod browsing;
mod bundle;
mod catalog_loading;
mod configuration;
mod home;
mod session_cookie;
mod session_records;
mod sessions;
mod support;
