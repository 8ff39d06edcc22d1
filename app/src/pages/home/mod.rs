//! `/`: the tutorial's index page, with live catalog counts and this
//! browser's visit count.

use leptos::{either::Either, prelude::*};
use serde::{Deserialize, Serialize};

use crate::{
    layout::{query_value, ErrorNotice, PageTitle},
    page_inputs::{page_inputs, HomeInputs, PageKind},
};

mod visits;

pub use visits::{VisitCount, VisitsHole, COOKIES_REFUSED, FORGOTTEN};

/// What a form without JavaScript came back from: the page shows its
/// outcome instead of counting a view (`/?done=reset`, `/?done=forgotten`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// The count was set to zero: the page shows it, not counting itself.
    Reset,
    /// The session was deleted: the page says so and starts none.
    Forgotten,
}

impl Outcome {
    /// The outcome an address of the home page names, if any.
    pub fn of_address(address: &str) -> Option<Outcome> {
        let (path, query) = address.split_once('?')?;
        if path != "/" {
            return None;
        }
        match query_value(query, "done").as_deref() {
            Some("reset") => Some(Outcome::Reset),
            Some("forgotten") => Some(Outcome::Forgotten),
            _ => None,
        }
    }

    /// Where a form posted without JavaScript is sent to see it.
    pub fn address(self) -> &'static str {
        match self {
            Outcome::Reset => "/?done=reset",
            Outcome::Forgotten => "/?done=forgotten",
        }
    }
}

/// Rendered from the page's inputs alone: the server counted the view
/// before rendering (and keeps the page rendered for the next views with
/// the same inputs, writing each view's count in).
#[component]
pub fn HomePage() -> impl IntoView {
    let figures = match page_inputs().map(|inputs| inputs.page) {
        Ok(PageKind::Home(figures)) => figures,
        Ok(_) => Err(crate::error::AppError::Internal),
        Err(error) => Err(error),
    };
    view! {
        <PageTitle text="Home" />
        <h1>"Local Library Home"</h1>
        <p class="lead">
            "Welcome to " <em>"LocalLibrary"</em> ", a website developed by "
            <em>"Mozilla Developer Network"</em>
            ". Search the catalog above, or browse it by title or by author."
        </p>
        <h2>"Dynamic content"</h2>
        {match figures {
            Ok(inputs) => Either::Left(view! { <Figures inputs /> }),
            Err(error) => Either::Right(view! { <ErrorNotice error /> }),
        }}
    }
}

#[component]
fn Figures(inputs: HomeInputs) -> impl IntoView {
    let counts = inputs.counts;
    view! {
        <p>"The library has the following record counts:"</p>
        <ul class="count-cards">
            <CountCard label="Books" figure=counts.books link=Some(("/books", "Browse all books")) />
            <CountCard label="Copies" figure=counts.copies link=None />
            <CountCard label="Copies available" figure=counts.copies_available link=None />
            <CountCard label="Authors" figure=counts.authors link=Some(("/authors", "Browse all authors")) />
        </ul>
        <h2>"Your visits"</h2>
        <visits::Visits
            visits=inputs.visits
            cookie_returned=inputs.cookie_returned
            outcome=inputs.outcome
        />
    }
}

/// One figure of the catalog, as a card; "LABEL: N" read aloud.
#[component]
fn CountCard(
    label: &'static str,
    figure: i64,
    link: Option<(&'static str, &'static str)>,
) -> impl IntoView {
    view! {
        <li class="count-card">
            <span class="count-label">{label}<span class="visually-hidden">": "</span></span>
            <span class="count-figure">{figure}</span>
            {link.map(|(href, text)| view! { <a href=href>{text}</a> })}
        </li>
    }
}
