//! The migrations are compiled into the binary (`sqlx::migrate!`), which on
//! a stable compiler cannot tell cargo to watch their folder: without this,
//! a new or edited migration would leave the old list in the build.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
