//! `/`: the tutorial's index page, with live catalog counts and this
//! browser's visit count.

use leptos::{either::Either, prelude::*};
use leptos_router::components::A;

use crate::{
    api::{cookie_check, home_view, ForgetMe, ResetVisits},
    layout::{ErrorNotice, PageTitle},
    model::HomeStats,
};

/// The server renders this page once for each kind of view and then only
/// writes each view's count in (`server::home_page`): everything it shows,
/// layout included, must come from the counted view (its count, figures,
/// preferences, whether the cookie came back), not from the clock or
/// anything else of the request.
#[component]
pub fn HomePage() -> impl IntoView {
    // Runs on the server, once per rendering of the page: a load, or a
    // navigation within the site (which fetches the page). One count per
    // view; the Visits island starts from the value rendered.
    let view_data = Resource::new(|| (), |_| home_view());

    view! {
        <PageTitle text="Local Library Home" />
        <h1>"Local Library Home"</h1>
        <p>
            "Welcome to " <em>"LocalLibrary"</em> ", a website developed by "
            <em>"Mozilla Developer Network"</em> "!"
        </p>
        <h2>"Dynamic content"</h2>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match view_data.await {
                    Ok(data) => Either::Left(view! { <Figures data /> }),
                    Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Figures(data: HomeStats) -> impl IntoView {
    let counts = data.counts;
    view! {
        <p>"The library has the following record counts:"</p>
        <ul class="counts">
            <li><strong>"Books:"</strong> " " <A href="/books">{counts.books}</A></li>
            <li><strong>"Copies:"</strong> {format!(" {}", counts.copies)}</li>
            <li><strong>"Copies available:"</strong> {format!(" {}", counts.copies_available)}</li>
            <li><strong>"Authors:"</strong> " " <A href="/authors">{counts.authors}</A></li>
        </ul>
        <Visits visits=data.visits cookie_returned=data.cookie_returned />
    }
}

/// This browser's visit count and its controls. The forms post to the
/// server functions, so they work without JavaScript (the page comes back:
/// a new view); hydrated, they run in place.
#[island]
fn Visits(visits: i64, cookie_returned: bool) -> impl IntoView {
    // None once the session has been deleted ("Forget me").
    let visits = RwSignal::new(Some(visits));
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
            visits.set(Some(0));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = forget.value().get() {
            visits.set(None);
        }
    });
    let failure = move || {
        [reset.value().get(), forget.value().get()]
            .into_iter()
            .find_map(|result| result.and_then(Result::err))
            .map(|error| view! { <p class="error" role="alert">{error.to_string()}</p> })
    };

    view! {
        <p class="visits" aria-live="polite">
            {move || match (cookies_refused.get(), visits.get()) {
                (true, _) => COOKIES_REFUSED.to_string(),
                (false, Some(visits)) => visits_sentence(visits),
                (false, None) => FORGOTTEN.to_string(),
            }}
        </p>
        <div class="session-controls">
            <ActionForm action=reset>
                <button type="submit">"Reset visit count"</button>
            </ActionForm>
            <ActionForm action=forget>
                <button type="submit">"Forget me"</button>
            </ActionForm>
        </div>
        {failure}
    }
}

pub const COOKIES_REFUSED: &str = "Your browser is not sending this site's cookie back, so your \
     visits can't be counted. Allow cookies for this site to have them counted.";

pub const FORGOTTEN: &str =
    "This browser's session has been deleted. Your next visit starts a new count.";

/// "You have visited this page N time(s)." with Django's `pluralize` rule.
pub fn visits_sentence(visits: i64) -> String {
    let noun = if visits == 1 { "time" } else { "times" };
    format!("You have visited this page {visits} {noun}.")
}

#[cfg(test)]
mod tests {
    use super::visits_sentence;

    #[test]
    fn one_visit_is_singular_others_plural() {
        assert_eq!(visits_sentence(1), "You have visited this page 1 time.");
        assert_eq!(visits_sentence(2), "You have visited this page 2 times.");
        assert_eq!(visits_sentence(0), "You have visited this page 0 times.");
    }
}
