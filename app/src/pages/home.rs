//! `/`: the tutorial's index page, with live catalog counts and this
//! browser's visit count.

use leptos::{either::Either, prelude::*};
use leptos_meta::Title;

use crate::{api::home_view, layout::ErrorNotice, model::HomeStats};

#[component]
pub fn HomePage() -> impl IntoView {
    // A serialized resource: on a full page load it runs once, on the
    // server, and the browser reuses its value when hydrating (one count
    // per view); on a client-side navigation it calls the server function.
    let view_data = Resource::new(|| (), |_| home_view());

    view! {
        <Title text="Local Library Home" />
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
            <li><strong>"Books:"</strong> {format!(" {}", counts.books)}</li>
            <li><strong>"Copies:"</strong> {format!(" {}", counts.copies)}</li>
            <li><strong>"Copies available:"</strong> {format!(" {}", counts.copies_available)}</li>
            <li><strong>"Authors:"</strong> {format!(" {}", counts.authors)}</li>
        </ul>
        <p class="visits">{visits_sentence(data.visits)}</p>
    }
}

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
