//! This browser's visit count on the home page: a hole, and the island
//! that shows it.
//!
//! The count differs on every view of an otherwise equal page, so the
//! server keeps the page rendered and writes each view's count in. For
//! that to be safe, nothing on the page may depend on the count but the
//! places the count is written: [`VisitCount`] cannot be read outside this
//! module (no "visits + 1", no badge after ten visits, which a kept page
//! would freeze and serve to everyone), only written into the page, by
//! [`VisitCount::sentence`] and as the island's prop.

use std::hash::{Hash, Hasher};

use leptos::prelude::*;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

use super::Outcome;
use crate::{
    api::{cookie_check, ForgetMe, ResetVisits},
    language::Locale,
};

/// Views of the home page by this browser, this one included; written into
/// the page, never read by it.
#[derive(Clone, Debug)]
pub struct VisitCount(Count);

#[derive(Clone, Copy, Debug)]
enum Count {
    /// The count of this view.
    Counted(i64),
    /// A page being rendered to be kept: stand-ins, each a number no page
    /// shows otherwise, where the count goes (as a number: the island's
    /// prop) and where its sentence goes. (Only the server renders them.)
    #[cfg_attr(not(feature = "ssr"), allow(dead_code))]
    StandIn { count: i64, sentence: i64 },
}

/// Where a count goes in a page, for the server to fill in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VisitsHole {
    /// The number, in the island's props.
    Count,
    /// "You have visited this page N time(s)."
    Sentence,
}

impl VisitCount {
    /// The count of this view.
    pub fn counted(visits: i64) -> VisitCount {
        VisitCount(Count::Counted(visits))
    }

    /// For a page rendered to be kept: stand-ins drawn at random, and where
    /// each is to be found in the page.
    #[cfg(feature = "ssr")]
    pub fn stand_in() -> (VisitCount, [(String, VisitsHole); 2]) {
        use rand::Rng;
        let mut random = rand::thread_rng();
        // Nineteen digits: never a count, and neither one inside the other.
        let mut draw = || random.gen_range(1_000_000_000_000_000_000..i64::MAX);
        let (count, sentence) = (draw(), draw());
        (
            VisitCount(Count::StandIn { count, sentence }),
            [
                (count.to_string(), VisitsHole::Count),
                (sentence.to_string(), VisitsHole::Sentence),
            ],
        )
    }

    /// What goes in `hole` for a view counted `visits` of a page in
    /// `locale`: the same text a page rendered with [`VisitCount::counted`]
    /// has there.
    pub fn fill(hole: VisitsHole, visits: i64, locale: Locale) -> String {
        match hole {
            VisitsHole::Count => visits.to_string(),
            VisitsHole::Sentence => visits_sentence(visits, locale),
        }
    }

    /// "You have visited this page N time(s)." in `locale`.
    pub fn sentence(&self, locale: Locale) -> String {
        match self.0 {
            Count::Counted(visits) => visits_sentence(visits, locale),
            Count::StandIn { sentence, .. } => sentence.to_string(),
        }
    }
}

/// As the island's prop: the number (a stand-in's, in a page being kept).
impl Serialize for VisitCount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.number())
    }
}

impl<'de> Deserialize<'de> for VisitCount {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        i64::deserialize(deserializer).map(VisitCount::counted)
    }
}

impl VisitCount {
    fn number(&self) -> i64 {
        match self.0 {
            Count::Counted(visits) => visits,
            Count::StandIn { count, .. } => count,
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

/// What the count line shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shown {
    /// The count the page came with.
    AsServed,
    /// Reset in place.
    Reset,
    /// The session was deleted ("Forget me").
    Forgotten,
}

/// This browser's visit count and its controls. The forms post to the
/// server functions, so they work without JavaScript (the page comes back:
/// a new view); hydrated, they run in place.
#[island]
pub fn Visits(
    visits: VisitCount,
    cookie_returned: bool,
    outcome: Option<Outcome>,
    locale: Locale,
) -> impl IntoView {
    let shown = RwSignal::new(match outcome {
        Some(Outcome::Forgotten) => Shown::Forgotten,
        Some(Outcome::Reset | Outcome::LanguageChosen) | None => Shown::AsServed,
    });
    let cookies_refused = RwSignal::new(false);
    let reset = ServerAction::<ResetVisits>::new();
    let forget = ServerAction::<ForgetMe>::new();

    // After a view that came without a session cookie: ask whether the
    // cookie now comes back. If it does not, the browser refuses cookies,
    // and "1 time" would be claimed forever.
    if !cookie_returned {
        Effect::new(move |_| {
            leptos::task::spawn_local(async move {
                if let Ok(false) = cookie_check().await {
                    cookies_refused.set(true);
                }
            });
        });
    }
    Effect::new(move |_| {
        if let Some(Ok(())) = reset.value().get() {
            shown.set(Shown::Reset);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = forget.value().get() {
            shown.set(Shown::Forgotten);
        }
    });
    let failure = move || {
        [reset.value().get(), forget.value().get()]
            .into_iter()
            .find_map(|result| result.and_then(Result::err))
            .map(|error| view! { <p class="error" role="alert">{error.message(locale)}</p> })
    };

    view! {
        <p class="visits" aria-live="polite">
            {move || match (cookies_refused.get(), shown.get()) {
                (true, _) => td_string!(locale, home.cookies_refused).to_string(),
                (false, Shown::AsServed) => visits.sentence(locale),
                (false, Shown::Reset) => visits_sentence(0, locale),
                (false, Shown::Forgotten) => td_string!(locale, home.forgotten).to_string(),
            }}
        </p>
        <div class="session-controls">
            <ActionForm action=reset>
                <button type="submit">{td_string!(locale, home.reset)}</button>
            </ActionForm>
            <ActionForm action=forget>
                <button type="submit">{td_string!(locale, home.forget_me)}</button>
            </ActionForm>
        </div>
        {failure}
    }
}

/// "You have visited this page N time(s).": in English with Django's
/// `pluralize` rule (CLDR's for English: "1 time", "0 times"); Chinese
/// has no plural.
fn visits_sentence(visits: i64, locale: Locale) -> String {
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
        for (visits, locale) in [0, 1, 2, 1234].into_iter().flat_map(|visits| {
            crate::language::all()
                .iter()
                .map(move |&locale| (visits, locale))
        }) {
            let counted = VisitCount::counted(visits);
            assert_eq!(
                VisitCount::fill(VisitsHole::Sentence, visits, locale),
                counted.sentence(locale)
            );
            assert_eq!(
                VisitCount::fill(VisitsHole::Count, visits, locale),
                counted.number().to_string()
            );
        }
    }
}
