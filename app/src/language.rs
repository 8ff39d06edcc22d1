//! The languages the site is written in, which one a page is in, and what
//! differs between them besides words (dates).
//!
//! The text itself is in locales/*.json, one file per language, compiled
//! in by build.rs as the `i18n` module: pages write
//! `td_string!(locale, home.title)` with the page's [`Locale`], which the
//! server resolves as one of its inputs
//! ([`LayoutInputs`](crate::page_inputs::LayoutInputs)): the language
//! chosen in this browser's session, else the best match of its
//! `Accept-Language` ([`negotiate`]). A page never looks for its language
//! anywhere else (leptos_i18n's own context would read a cookie and the
//! request's headers, which a kept page's key does not hold).

use leptos_i18n::td_string;

// Generated code: what it offers beyond `Locale` and its keys (contexts,
// providers) is not used here.
#[allow(unused, missing_docs, clippy::all, clippy::pedantic)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));
}

/// A language of the site: `en` (the default) or `zh_TW` (繁體中文).
/// Written as its tag (`zh-TW`) in forms, the session and `<html lang>`.
pub use generated::i18n::Locale;

/// The language that best matches an `Accept-Language` header: of the
/// ranges it lists, the one with the highest weight that names a language
/// of the site, else English. Any Traditional Chinese range (`zh-TW`,
/// `zh-Hant…`, `zh-HK`, `zh-MO`) is 繁體中文; other Chinese is not.
///
/// Parsed here rather than with a crate: the header is anyone's text, and
/// the parsers looked at sort by weights read as floats, where a `q=NaN`
/// breaks the order a sort relies on. This reads each range once and
/// skips what it cannot read.
pub fn negotiate(accept_language: &str) -> Locale {
    let mut best: Option<(f32, Locale)> = None;
    for range in accept_language.split(',') {
        let mut parts = range.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let weight = match parts.find_map(|param| param.trim().strip_prefix("q=")) {
            None => Some(1.0),
            Some(q) => q
                .trim()
                .parse::<f32>()
                .ok()
                .filter(|q| (0.0..=1.0).contains(q)),
        };
        let (Some(weight), Some(locale)) = (weight, site_language(tag)) else {
            continue;
        };
        if weight > 0.0 && best.is_none_or(|(best, _)| weight > best) {
            best = Some((weight, locale));
        }
    }
    best.map_or_else(Locale::default, |(_, locale)| locale)
}

/// The site's language for one language range, if it has one.
fn site_language(tag: &str) -> Option<Locale> {
    let tag = tag.to_ascii_lowercase();
    let mut subtags = tag.split(['-', '_']);
    match subtags.next()? {
        "en" | "*" => Some(Locale::en),
        "zh" => {
            let rest: Vec<&str> = subtags.collect();
            let traditional = rest
                .iter()
                .any(|s| matches!(*s, "hant" | "tw" | "hk" | "mo"));
            (traditional && !rest.contains(&"hans")).then_some(Locale::zh_TW)
        }
        _ => None,
    }
}

/// Every language of the site, English first.
pub fn all() -> &'static [Locale] {
    <Locale as leptos_i18n::Locale>::get_all()
}

/// A language's tag (`en`, `zh-TW`), as forms, the session and
/// `<html lang>` write it.
pub fn tag(locale: Locale) -> &'static str {
    leptos_i18n::Locale::as_str(locale)
}

/// A language from its tag, as a form or the session holds it.
pub fn from_tag(tag: &str) -> Option<Locale> {
    all()
        .iter()
        .copied()
        .find(|&locale| self::tag(locale) == tag)
}

/// "1927-03-06" as the language writes a date: "6 Mar 1927", "1927年3月6日";
/// anything else is shown as it is.
pub fn human_date(locale: Locale, iso: &str) -> String {
    let Some(date) = crate::dates::parse_date(iso) else {
        return iso.to_string();
    };
    let (year, day) = (date.year(), date.day());
    let month = match u8::from(date.month()) {
        1 => td_string!(locale, date.jan),
        2 => td_string!(locale, date.feb),
        3 => td_string!(locale, date.mar),
        4 => td_string!(locale, date.apr),
        5 => td_string!(locale, date.may),
        6 => td_string!(locale, date.jun),
        7 => td_string!(locale, date.jul),
        8 => td_string!(locale, date.aug),
        9 => td_string!(locale, date.sep),
        10 => td_string!(locale, date.oct),
        11 => td_string!(locale, date.nov),
        12 => td_string!(locale, date.dec),
        _ => return iso.to_string(),
    };
    td_string!(locale, date.format, day, month, year).to_string()
}

#[cfg(test)]
mod tests {
    use std::{
        collections::{BTreeMap, BTreeSet},
        path::Path,
    };

    use super::*;

    /// Every key of every language, with the values it interpolates; the
    /// plural forms of a key (`visits_one`, `visits_other`) as one key.
    fn keys_of(locale: Locale) -> BTreeMap<String, BTreeSet<String>> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(format!("{}.json", tag(locale)));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path:?}: {err}"));
        let json: serde_json::Value = serde_json::from_str(&text).expect("a locale file is JSON");
        let mut keys = BTreeMap::new();
        flatten("", &json, &mut keys);
        keys
    }

    fn flatten(
        prefix: &str,
        value: &serde_json::Value,
        keys: &mut BTreeMap<String, BTreeSet<String>>,
    ) {
        match value {
            serde_json::Value::Object(map) => {
                for (name, value) in map {
                    let name = ["_zero", "_one", "_two", "_few", "_many", "_other"]
                        .iter()
                        .find_map(|form| name.strip_suffix(form))
                        .unwrap_or(name);
                    flatten(&format!("{prefix}{name}."), value, keys);
                }
            }
            serde_json::Value::String(text) => {
                let values = text
                    .split("{{")
                    .skip(1)
                    .filter_map(|rest| rest.split_once("}}"))
                    .map(|(name, _)| name.trim().to_string());
                keys.entry(prefix.trim_end_matches('.').to_string())
                    .or_default()
                    .extend(values);
            }
            other => panic!("{prefix}: a translation is text, not {other}"),
        }
    }

    #[test]
    fn every_key_is_in_every_language() {
        let english = keys_of(Locale::en);
        assert!(english.len() > 100, "{} keys", english.len());
        for &locale in all() {
            let keys = keys_of(locale);
            let missing: Vec<&String> = english
                .keys()
                .filter(|key| !keys.contains_key(*key))
                .collect();
            let extra: Vec<&String> = keys
                .keys()
                .filter(|key| !english.contains_key(*key))
                .collect();
            assert!(
                missing.is_empty(),
                "{}: no text for {missing:?}",
                tag(locale)
            );
            assert!(
                extra.is_empty(),
                "{}: keys English lacks: {extra:?}",
                tag(locale)
            );
            for (key, values) in &english {
                assert_eq!(
                    &keys[key],
                    values,
                    "{} {key}: other values interpolated",
                    tag(locale)
                );
            }
        }
        let files = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("locales"))
            .expect("the locales folder")
            .count();
        assert_eq!(files, all().len(), "a locale file the site does not offer");
    }

    #[test]
    fn accept_language_picks_the_best_match() {
        for (header, expected) in [
            ("zh-TW", Locale::zh_TW),
            ("zh-Hant", Locale::zh_TW),
            ("zh-Hant-TW,zh;q=0.9", Locale::zh_TW),
            ("zh-HK", Locale::zh_TW),
            ("ZH-tw", Locale::zh_TW),
            ("fr-FR, zh-TW;q=0.8, en;q=0.5", Locale::zh_TW),
            ("en-US,en;q=0.9,zh-TW;q=0.8", Locale::en),
            ("de, en;q=0.3, zh-TW;q=0.2", Locale::en),
            ("zh-TW;q=0, en", Locale::en),
            ("zh-CN", Locale::en),
            ("zh-Hans-HK", Locale::en),
            ("zh", Locale::en),
            ("fr", Locale::en),
            ("", Locale::en),
            ("zh-TW;q=NaN, en;q=0.1", Locale::en),
            ("zh-TW;q=2", Locale::en),
            (";;,,;q=,zh-TW;q=0.5", Locale::zh_TW),
        ] {
            assert_eq!(negotiate(header), expected, "{header:?}");
        }
    }

    #[test]
    fn tags_name_languages() {
        assert_eq!(from_tag("zh-TW"), Some(Locale::zh_TW));
        assert_eq!(from_tag("en"), Some(Locale::en));
        assert_eq!(from_tag("zh-tw"), None);
        assert_eq!(from_tag("fr"), None);
        for &locale in all() {
            assert_eq!(from_tag(tag(locale)), Some(locale));
        }
    }

    #[test]
    fn dates_read_as_each_language_writes_them() {
        assert_eq!(human_date(Locale::en, "1927-03-06"), "6 Mar 1927");
        assert_eq!(human_date(Locale::en, "2014-12-31"), "31 Dec 2014");
        assert_eq!(human_date(Locale::zh_TW, "1927-03-06"), "1927年3月6日");
        assert_eq!(human_date(Locale::en, "someday"), "someday");
        assert_eq!(human_date(Locale::zh_TW, "2014-13-01"), "2014-13-01");
    }
}
