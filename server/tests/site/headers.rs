//! The headers every response carries: a Content-Security-Policy that
//! allows only this response's inline scripts, and Django's defaults.

use reqwest::{header::HeaderMap, Response};
use scraper::{Html, Selector};

use crate::support::{browser, spawn_app_with, TestApp};

/// A site root with a static file and a bundle file.
fn site_root() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("pkg")).unwrap();
    std::fs::write(root.path().join("pkg").join("app.js"), b"export {}").unwrap();
    std::fs::write(root.path().join("favicon.svg"), b"<svg/>").unwrap();
    root
}

async fn site(secure: bool) -> (TestApp, tempfile::TempDir) {
    let root = site_root();
    let path = root.path().display().to_string();
    let app = spawn_app_with(|s| {
        s.leptos.site_root = path.into();
        s.session.secure = secure;
    })
    .await;
    (app, root)
}

/// Checks Django's default headers, and HSTS as `secure` says.
fn assert_browser_policy(headers: &HeaderMap, what: &str, secure: bool) {
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        ("cross-origin-opener-policy", "same-origin"),
    ] {
        assert_eq!(
            headers.get(name).map(|v| v.to_str().unwrap()),
            Some(value),
            "{what}: {name}"
        );
    }
    assert_eq!(
        headers.contains_key("strict-transport-security"),
        secure,
        "{what}: HSTS only when served over HTTPS"
    );
    let policy = csp(headers, what);
    for directive in [
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
    ] {
        assert!(policy.contains(directive), "{what}: {policy}");
    }
    assert!(!policy.contains("unsafe-inline"), "{what}: {policy}");
}

fn csp(headers: &HeaderMap, what: &str) -> String {
    headers
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy"))
        .to_str()
        .unwrap()
        .to_string()
}

/// The script-src directive's nonce.
fn policy_nonce(policy: &str) -> String {
    let scripts = policy
        .split("; ")
        .find(|directive| directive.starts_with("script-src "))
        .expect("a script-src directive");
    let nonces: Vec<&str> = scripts
        .split(' ')
        .filter_map(|source| source.strip_prefix("'nonce-")?.strip_suffix('\''))
        .collect();
    assert_eq!(nonces.len(), 1, "{scripts}");
    assert_eq!(
        scripts,
        format!("script-src 'self' 'wasm-unsafe-eval' 'nonce-{}'", nonces[0]),
        "only the site's files, the wasm and this response's inline scripts"
    );
    nonces[0].to_string()
}

/// Checks a page's inline scripts all carry the nonce its policy names, and
/// returns that nonce.
async fn page_nonce(response: Response, what: &str) -> String {
    assert_eq!(response.status(), 200, "{what}");
    let nonce = policy_nonce(&csp(response.headers(), what));
    let html = response.text().await.unwrap();
    let document = Html::parse_document(&html);
    let inline = Selector::parse("script:not([src])").unwrap();
    let scripts: Vec<_> = document.select(&inline).collect();
    assert!(!scripts.is_empty(), "{what}: the page has inline scripts");
    for script in scripts {
        assert_eq!(
            script.value().attr("nonce"),
            Some(nonce.as_str()),
            "{what}: an inline script without this response's nonce"
        );
    }
    nonce
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_server_functions_and_static_files_carry_the_security_headers() {
    let (app, _root) = site(false).await;
    let client = browser();

    // Each page twice: rendered, then served as kept.
    let mut nonces = Vec::new();
    for path in ["/", "/", "/books", "/books", "/books/1", "/nowhere"] {
        let response = client.get(app.url(path)).send().await.unwrap();
        assert_browser_policy(response.headers(), path, false);
        if path != "/nowhere" {
            nonces.push(page_nonce(response, path).await);
        }
    }
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 5, "a new nonce for every response");

    let function = app.call(&client, "cookie_check").await;
    assert_eq!(function.status(), 200);
    assert_browser_policy(function.headers(), "a server function", false);

    for file in ["/favicon.svg", "/pkg/app.js"] {
        let response = client.get(app.url(file)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{file}");
        assert_browser_policy(response.headers(), file, false);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_served_over_https_asks_browsers_to_keep_to_it() {
    let (app, _root) = site(true).await;
    for path in ["/", "/books", "/favicon.svg"] {
        let response = browser().get(app.url(path)).send().await.unwrap();
        assert_browser_policy(response.headers(), path, true);
        assert_eq!(
            response.headers()["strict-transport-security"],
            "max-age=31536000"
        );
    }
}
