//! Compiles the site's translations (locales/*.json) into the `i18n`
//! module that app::language includes: every key of every language is
//! checked here, and a key used in the code but missing is a build error.

use std::{error::Error, path::PathBuf};

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let module = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("no OUT_DIR")?).join("i18n");
    // English first: the default, and the language of a key another lacks.
    let config = Config::new("en")?
        .add_locale("zh-TW")?
        .parse_options(ParseOptions::new().interpolate_display(true));
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(module)?;
    Ok(())
}
