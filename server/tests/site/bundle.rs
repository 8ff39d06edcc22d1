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

/// A site root with the files pages name, as a build leaves them.
fn built_site(root: &Path, css: &[u8]) {
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("locallibrary.css"), css).unwrap();
    std::fs::write(
        pkg.join("locallibrary.js"),
        b"export default function init() {}",
    )
    .unwrap();
    std::fs::write(pkg.join("locallibrary.wasm"), b"\0asm").unwrap();
    std::fs::write(pkg.join("locallibrary.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(root.join("navigation.js"), b"// navigation").unwrap();
    std::fs::write(root.join("favicon.svg"), b"<svg/>").unwrap();
}

/// The addresses of the static files a page names.
fn named_files(html: &str) -> Vec<String> {
    let document = scraper::Html::parse_document(html);
    let selector =
        scraper::Selector::parse("link[rel=stylesheet], link[rel=icon], link[rel=modulepreload], link[rel=preload], script[src]")
            .unwrap();
    document
        .select(&selector)
        .map(|e| {
            e.value()
                .attr("href")
                .or(e.value().attr("src"))
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_files_have_hashed_names_kept_a_year_and_pages_are_revalidated() {
    let root = tempfile::tempdir().unwrap();
    built_site(root.path(), b"body { color: black }");
    let site_root = root.path().display().to_string();
    let app = spawn_app_with(|s| s.leptos.site_root = site_root.clone().into()).await;

    let page = bare_client().get(app.url("/books")).send().await.unwrap();
    assert_eq!(
        page.headers()["cache-control"],
        "no-cache",
        "pages are revalidated"
    );
    let files = named_files(&page.text().await.unwrap());
    assert_eq!(files.len(), 5, "{files:?}");
    for file in &files {
        let name = file.rsplit('/').next().unwrap();
        let parts: Vec<&str> = name.split('.').collect();
        assert_eq!(parts.len(), 3, "name.HASH.extension: {file}");
        assert_eq!(parts[1].len(), 16, "{file}");
        let response = bare_client().get(app.url(file)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{file}");
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=31536000, immutable",
            "{file}"
        );
    }
    let css = files.iter().find(|f| f.ends_with(".css")).unwrap();
    let body = bare_client().get(app.url(css)).send().await.unwrap();
    assert_eq!(body.text().await.unwrap(), "body { color: black }");
    let wasm = files.iter().find(|f| f.ends_with(".wasm")).unwrap();
    let brotli = bare_client()
        .get(app.url(wasm))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(
        brotli.headers()["content-encoding"],
        "br",
        "its twin, as under its own name"
    );

    // A name with another hash is no file; the plain name is revalidated.
    let stale = css.replace(&css[css.len() - 20..css.len() - 4], "0000000000000000");
    assert_eq!(
        bare_client()
            .get(app.url(&stale))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let plain = bare_client()
        .get(app.url("/pkg/locallibrary.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.headers()["cache-control"], "no-cache");

    // Changed content, a new name.
    built_site(root.path(), b"body { color: navy }");
    let changed = spawn_app_with(|s| s.leptos.site_root = site_root.into()).await;
    let page = bare_client()
        .get(changed.url("/books"))
        .send()
        .await
        .unwrap();
    let new_css = named_files(&page.text().await.unwrap())
        .into_iter()
        .find(|f| f.ends_with(".css"))
        .unwrap();
    assert_ne!(&new_css, css);
}
