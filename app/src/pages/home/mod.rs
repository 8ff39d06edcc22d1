//! `/`: the tutorial's index page, with live catalog counts and this
//! browser's visit count.

use leptos::{either::Either, prelude::*};
use leptos_router::components::A;

use crate::{
    layout::{ErrorNotice, PageTitle},
    page_inputs::{page_inputs, HomeInputs, PageKind},
};

mod visits;

pub use visits::{VisitCount, VisitsHole, COOKIES_REFUSED, FORGOTTEN};

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
        <PageTitle text="Local Library Home" />
        <h1>"Local Library Home"</h1>
        <p>
            "Welcome to " <em>"LocalLibrary"</em> ", a website developed by "
            <em>"Mozilla Developer Network"</em> "!"
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
        <ul class="counts">
            <li><strong>"Books:"</strong> " " <A href="/books">{counts.books}</A></li>
            <li><strong>"Copies:"</strong> {format!(" {}", counts.copies)}</li>
            <li><strong>"Copies available:"</strong> {format!(" {}", counts.copies_available)}</li>
            <li><strong>"Authors:"</strong> " " <A href="/authors">{counts.authors}</A></li>
        </ul>
        <visits::Visits visits=inputs.visits cookie_returned=inputs.cookie_returned />
    }
}
