//! The ceiling: a bare axum server that answers `GET /` with fixed bytes
//! (LocalLibrary's home page as served), so it costs only HTTP and the
//! runtime. LocalLibrary cannot beat it on this machine; the ratio tells
//! how much of the remaining cost is the site's own.

use std::{path::Path, time::Duration};

use anyhow::Context;
use axum::{body::Bytes, http::header, routing::get, serve::ListenerExt, Router};
use tokio::{net::TcpListener, process::Command};

use crate::servers::ServerProcess;

/// The `ceiling` subcommand: serves until killed.
pub async fn serve(body: &Path) -> anyhow::Result<()> {
    let body = Bytes::from(
        std::fs::read(body).with_context(|| format!("cannot read {}", body.display()))?,
    );
    let app = Router::new().route(
        "/",
        get(move || {
            let body = body.clone();
            // The content type LocalLibrary sends with its pages.
            async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body) }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot bind 127.0.0.1:0")?;
    let addr = listener.local_addr().context("no local address")?;
    // As LocalLibrary does: without it small responses can wait ~40 ms for
    // a delayed ACK, and the ceiling would measure that instead.
    let listener = listener.tap_io(|tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            eprintln!("cannot set TCP_NODELAY: {err}");
        }
    });
    eprintln!("listening on http://{addr}");
    axum::serve(listener, app).await.context("ceiling server")
}

/// Starts `locallibrary-bench ceiling --body FILE` as a process of its own,
/// measured like any other server.
pub async fn start(body: &Path) -> anyhow::Result<ServerProcess> {
    let exe = std::env::current_exe().context("cannot find this program's path")?;
    let mut command = Command::new(exe);
    command.arg("ceiling").arg("--body").arg(body);
    ServerProcess::start("ceiling", command, "listening on ", Duration::from_secs(10)).await
}
