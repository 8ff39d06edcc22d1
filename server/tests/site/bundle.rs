//! The wasm, JS and CSS bundle under /pkg.

use std::path::Path;

use crate::support::{bare_client, spawn_app_with};

/// A site root with one asset and, as a release build leaves it, its
/// brotli and gzip twins (stand-in bytes: the server sends them as they are).
fn site_with_twins(root: &Path) {
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("app.wasm"), b"plain bytes").unwrap();
    std::fs::write(pkg.join("app.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("app.wasm.gz"), b"gzip bytes").unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn precompressed_files_are_sent_to_browsers_that_accept_them() {
    let root = tempfile::tempdir().unwrap();
    site_with_twins(root.path());
    let app =
        spawn_app_with(|s| s.leptos.site_root = root.path().display().to_string().into()).await;
    let get = |encoding: &'static str| {
        let request = bare_client()
            .get(app.url("/pkg/app.wasm"))
            .header("accept-encoding", encoding);
        async move { request.send().await.unwrap() }
    };

    let brotli = get("gzip, deflate, br").await;
    assert_eq!(brotli.status(), 200);
    assert_eq!(brotli.headers()["content-encoding"], "br");
    assert_eq!(brotli.headers()["content-type"], "application/wasm");
    assert_eq!(brotli.bytes().await.unwrap().as_ref(), b"brotli bytes");

    let gzip = get("gzip").await;
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    assert_eq!(gzip.bytes().await.unwrap().as_ref(), b"gzip bytes");

    let plain = get("identity").await;
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.unwrap().as_ref(), b"plain bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bundle_files_are_revalidated_not_cached_blindly() {
    let root = tempfile::tempdir().unwrap();
    site_with_twins(root.path());
    let app =
        spawn_app_with(|s| s.leptos.site_root = root.path().display().to_string().into()).await;
    let first = bare_client()
        .get(app.url("/pkg/app.wasm"))
        .send()
        .await
        .unwrap();
    assert_eq!(first.headers()["cache-control"], "no-cache");
    assert!(first.headers().get("set-cookie").is_none(), "no session");
    let modified = first.headers()["last-modified"].clone();

    let again = bare_client()
        .get(app.url("/pkg/app.wasm"))
        .header("if-modified-since", modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    let missing = bare_client()
        .get(app.url("/pkg/nothing.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}
