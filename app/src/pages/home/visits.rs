//! This browser's visit count on the home page: a hole, the sentence that
//! shows it, and the island with the count's controls.
//!
//! The count differs on every view of an otherwise equal page, so the
//! server keeps the page rendered and writes each view's count in. For
//! that to be safe, nothing on the page may depend on the count but the
//! place the count is written: a [`VisitCount`] can only be written into
//! the page as its sentence, by [`VisitSentence`].
//!
//! The sentence is the server's alone: the island never renders it, so the
//! browser needs neither the count nor the language's plural rule (CLDR's
//! rules, which would ship in the wasm). When the count is reset or the
//! session deleted in place, the island writes the new text into the
//! sentence, text the server wrote for it beforehand.

use leptos::prelude::*;
use leptos_i18n::td_string;

use crate::{
    api::{cookie_check, ForgetMe, ResetVisits},
    language::Locale,
    page_inputs::Outcome,
    visit_count::VisitCount,
};

/// The id of the sentence, which the island writes into.
const SENTENCE: &str = "visit-sentence";

/// "You have visited this page N time(s).", or after "Forget me" without
/// JavaScript, that the session was deleted. Rendered by the server only.
#[component]
pub fn VisitSentence(
    visits: VisitCount,
    outcome: Option<Outcome>,
    locale: Locale,
) -> impl IntoView {
    let text = match outcome {
        Some(Outcome::Forgotten) => td_string!(locale, home.forgotten).to_string(),
        Some(Outcome::Reset | Outcome::LanguageChosen) | None => visits.sentence(locale),
    };
    view! { <p class="visits" id=SENTENCE aria-live="polite">{text}</p> }
}

/// What the sentence says after a change made in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Change {
    /// Reset: "… 0 times."
    Reset,
    /// The session was deleted ("Forget me").
    Forgotten,
    /// The browser does not send the cookie back.
    CookiesRefused,
}

/// The count's controls. The forms post to the server functions, so they
/// work without JavaScript (the page comes back: a new view); hydrated,
/// they run in place and the island writes the outcome into the sentence.
/// `reset_sentence`: the sentence of a count of 0 in `locale`, written by
/// the server.
#[island]
pub fn VisitControls(
    cookie_returned: bool,
    reset_sentence: String,
    locale: Locale,
) -> impl IntoView {
    let change = RwSignal::new(None::<Change>);
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
            change.set(Some(Change::Reset));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = forget.value().get() {
            change.set(Some(Change::Forgotten));
        }
    });
    // A refusal of cookies outlasts any other change: nothing is counted.
    Effect::new(move |_| {
        let shown = if cookies_refused.get() {
            Some(Change::CookiesRefused)
        } else {
            change.get()
        };
        let text = match shown {
            None => return,
            Some(Change::Reset) => reset_sentence.clone(),
            Some(Change::Forgotten) => td_string!(locale, home.forgotten).to_string(),
            Some(Change::CookiesRefused) => td_string!(locale, home.cookies_refused).to_string(),
        };
        if let Some(sentence) = document().get_element_by_id(SENTENCE) {
            sentence.set_text_content(Some(&text));
        }
    });
    let failure = move || {
        [reset.value().get(), forget.value().get()]
            .into_iter()
            .find_map(|result| result.and_then(Result::err))
            .map(|error| view! { <p class="error" role="alert">{error.message(locale)}</p> })
    };

    view! {
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
