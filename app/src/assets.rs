//! The addresses a page gives the site's static files: the stylesheet,
//! the islands' module and wasm, the navigation script and the icon.
//!
//! The server serves each under a name that carries a hash of its content
//! (`locallibrary.1f3c….css`), which browsers may keep for a year without
//! asking again: a changed file gets a new name, and pages (which are
//! always revalidated) name the new one. The server computes the names from
//! the files themselves when it starts (`server::hashed_files`) and provides them
//! here; without them (files not built) pages name the files as they are.

use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetNames {
    pub stylesheet: String,
    pub module: String,
    pub wasm: String,
    pub navigation: String,
    pub icon: String,
}

impl AssetNames {
    /// Each file's address under its own name.
    pub fn plain(options: &LeptosOptions) -> AssetNames {
        let pkg = format!("/{}/{}", options.site_pkg_dir, options.output_name);
        AssetNames {
            stylesheet: format!("{pkg}.css"),
            module: format!("{pkg}.js"),
            wasm: format!("{pkg}.wasm"),
            navigation: "/navigation.js".to_string(),
            icon: "/favicon.svg".to_string(),
        }
    }

    /// Every address, in the order of the fields.
    pub fn all(&self) -> [&str; 5] {
        [
            &self.stylesheet,
            &self.module,
            &self.wasm,
            &self.navigation,
            &self.icon,
        ]
    }

    /// The names the server provided for this page, else the plain ones.
    pub fn current(options: &LeptosOptions) -> AssetNames {
        use_context::<AssetNames>().unwrap_or_else(|| AssetNames::plain(options))
    }
}
