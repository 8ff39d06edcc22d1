//! This browser's visit count on the home page: a hole in the page.
//!
//! The count differs on every view of an otherwise equal page, so the
//! server keeps the page rendered and writes each view's count in. For
//! that to be safe, nothing on the page may depend on the count but the
//! place the count is written: a [`VisitCount`] cannot be read as a number
//! (no "visits + 1", no badge after ten visits, which a kept page would
//! freeze and serve to everyone), only as the sentence the page shows.

use std::hash::{Hash, Hasher};

use leptos_i18n::td_string;

use crate::language::Locale;

/// Views of the home page by this browser, this one included; written into
/// the page, never read by it.
#[derive(Clone, Debug)]
pub struct VisitCount(Count);

#[derive(Clone, Copy, Debug)]
enum Count {
    /// The count of this view.
    Counted(i64),
    /// A page being rendered to be kept: a stand-in where the sentence
    /// goes, a number no page shows otherwise. (Only the server renders it.)
    #[cfg_attr(not(feature = "ssr"), allow(dead_code))]
    StandIn(i64),
}

impl VisitCount {
    /// The count of this view.
    pub fn counted(visits: i64) -> VisitCount {
        VisitCount(Count::Counted(visits))
    }

    /// For a page rendered to be kept: a stand-in drawn at random, and the
    /// text it is rendered as, to be found in the page.
    #[cfg(feature = "ssr")]
    pub fn stand_in() -> (VisitCount, String) {
        use rand::Rng;
        // Nineteen digits: never a count, nor part of one.
        let stand_in = rand::thread_rng().gen_range(1_000_000_000_000_000_000..i64::MAX);
        (VisitCount(Count::StandIn(stand_in)), stand_in.to_string())
    }

    /// What goes in the hole for a view counted `visits` of a page in
    /// `locale`: the same text a page rendered with [`VisitCount::counted`]
    /// has there.
    pub fn fill(visits: i64, locale: Locale) -> String {
        visits_sentence(visits, locale)
    }

    /// "You have visited this page N time(s)." in `locale`: the one way
    /// to read a count, as the whole sentence the page shows.
    pub fn sentence(&self, locale: Locale) -> String {
        match self.0 {
            Count::Counted(visits) => visits_sentence(visits, locale),
            Count::StandIn(stand_in) => stand_in.to_string(),
        }
    }
}

/// Not an input: every count is equal, so that views that differ only in
/// their count share one kept page.
impl PartialEq for VisitCount {
    fn eq(&self, _: &VisitCount) -> bool {
        true
    }
}

impl Eq for VisitCount {}

impl Hash for VisitCount {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}

/// "You have visited this page N time(s).": in English with Django's
/// `pluralize` rule (CLDR's for English: "1 time", "0 times"); Chinese
/// has no plural.
pub fn visits_sentence(visits: i64, locale: Locale) -> String {
    td_string!(locale, home.visits, count = visits).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_visit_is_singular_others_plural() {
        let english = |n| visits_sentence(n, Locale::en);
        assert_eq!(english(1), "You have visited this page 1 time.");
        assert_eq!(english(2), "You have visited this page 2 times.");
        assert_eq!(english(0), "You have visited this page 0 times.");
        assert_eq!(english(21), "You have visited this page 21 times.");
        let chinese = |n| visits_sentence(n, Locale::zh_TW);
        assert_eq!(chinese(1), "您已造訪本頁 1 次。");
        assert_eq!(chinese(2), "您已造訪本頁 2 次。");
    }

    #[test]
    fn a_hole_filled_reads_as_the_count_rendered() {
        for visits in [0, 1, 2, 1234] {
            for &locale in crate::language::all() {
                assert_eq!(
                    VisitCount::fill(visits, locale),
                    VisitCount::counted(visits).sentence(locale)
                );
            }
        }
    }
}
