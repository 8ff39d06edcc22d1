//! Integration tests of what only PostgreSQL deployments have: several
//! server processes on one database behind nginx, and a database server
//! that is down at start-up or goes down while the site runs. They need
//! TEST_DATABASE_URL (scripts/test.sh starts a throwaway server) and
//! Debian's nginx.

mod front;
mod gate;
mod outage;
mod restarts;
mod scale_out;
#[path = "../support/mod.rs"]
mod support;

use std::net::SocketAddr;

use support::database::postgres_server_url;

/// The PostgreSQL server's address, and `url` (a database on it) with that
/// address replaced by `via`.
pub fn through(url: &str, via: SocketAddr) -> (SocketAddr, String) {
    let server = url::Url::parse(&postgres_server_url()).unwrap();
    let host = server.host_str().unwrap();
    let port = server.port().unwrap_or(5432);
    let target = std::net::ToSocketAddrs::to_socket_addrs(&(host, port))
        .unwrap()
        .next()
        .unwrap();
    let mut rerouted = url::Url::parse(url).unwrap();
    rerouted.set_ip_host(via.ip()).unwrap();
    rerouted.set_port(Some(via.port())).unwrap();
    (target, rerouted.to_string())
}
