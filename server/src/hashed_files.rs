//! Static files under names that carry a hash of their content, kept by
//! browsers for a year (see `app::assets`): the names are computed here
//! from the files as the server finds them when it starts, so the pages a
//! server renders always name the files it serves. A request for a hashed
//! name is answered with the file (and its compressed twins) as under its
//! own name, marked immutable; the plain names still answer, revalidated.

use std::{collections::HashMap, path::Path, sync::Arc};

use axum::{
    extract::{Request, State},
    http::{header, HeaderValue, Uri},
    middleware::Next,
    response::Response,
};
use leptos::config::LeptosOptions;
use sha2::{Digest, Sha256};

use app::assets::AssetNames;

/// The hashed names, and the plain address each stands for.
#[derive(Clone, Debug)]
pub struct Fingerprints {
    pub names: AssetNames,
    plain: Arc<HashMap<String, String>>,
}

/// A year: as long as a cache may be told to keep anything.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Whether the files may change under a running server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Files {
    /// A built site: the files stay as the server found them.
    Built,
    /// `cargo leptos watch` rebuilds them in place and reloads the page,
    /// not the server: names hashed at start would go stale (and a browser
    /// would keep the old file a year), so pages name the plain files.
    Rebuilt,
}

impl Fingerprints {
    /// Hashes each file the pages name; a file that is missing (a site not
    /// built) keeps its plain name, as every file does under [`Files::Rebuilt`].
    pub fn scan(options: &LeptosOptions, files: Files) -> Fingerprints {
        let root = Path::new(&*options.site_root);
        let plain = AssetNames::plain(options);
        let mut addresses = HashMap::new();
        let mut hashed = |address: &str| -> String {
            if files == Files::Rebuilt {
                return address.to_string();
            }
            let Ok(bytes) = std::fs::read(root.join(address.trim_start_matches('/'))) else {
                return address.to_string();
            };
            let digest = Sha256::digest(&bytes);
            let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
            let name = with_hash(address, &hash);
            addresses.insert(name.clone(), address.to_string());
            name
        };
        let names = AssetNames {
            stylesheet: hashed(&plain.stylesheet),
            module: hashed(&plain.module),
            wasm: hashed(&plain.wasm),
            navigation: hashed(&plain.navigation),
            icon: hashed(&plain.icon),
        };
        Fingerprints {
            names,
            plain: Arc::new(addresses),
        }
    }
}

/// "/pkg/site.css" with hash "ab12" → "/pkg/site.ab12.css".
fn with_hash(address: &str, hash: &str) -> String {
    match address.rsplit_once('.') {
        Some((stem, extension)) if !extension.contains('/') => format!("{stem}.{hash}.{extension}"),
        _ => format!("{address}.{hash}"),
    }
}

/// Middleware: a request for a hashed name is served the file under its
/// plain name, marked immutable.
pub async fn serve(
    State(fingerprints): State<Fingerprints>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(plain) = fingerprints.plain.get(request.uri().path()) else {
        return next.run(request).await;
    };
    match plain.parse::<Uri>() {
        Ok(uri) => *request.uri_mut() = uri,
        Err(_) => return next.run(request).await,
    }
    let mut response = next.run(request).await;
    if response.status().is_success() {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_rebuilt_in_place_keep_their_plain_names() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("navigation.js"), b"// navigation").unwrap();
        let options = LeptosOptions::builder()
            .output_name("site")
            .site_root(root.path().display().to_string())
            .build();
        let built = Fingerprints::scan(&options, Files::Built);
        assert_ne!(built.names.navigation, "/navigation.js");
        assert_eq!(built.names.stylesheet, "/pkg/site.css", "a missing file");
        let rebuilt = Fingerprints::scan(&options, Files::Rebuilt);
        assert_eq!(rebuilt.names, AssetNames::plain(&options));
    }

    #[test]
    fn the_hash_goes_before_the_extension() {
        assert_eq!(with_hash("/pkg/site.css", "ab12"), "/pkg/site.ab12.css");
        assert_eq!(with_hash("/navigation.js", "ab12"), "/navigation.ab12.js");
        assert_eq!(with_hash("/a.b/file", "ab12"), "/a.b/file.ab12");
    }
}
