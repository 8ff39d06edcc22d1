//! `/`: the tutorial's index page, with live catalog counts and this
//! browser's visit count.

use leptos::{either::Either, prelude::*};
use leptos_i18n::td_string;

use crate::{
    language::Locale,
    layout::{ErrorNotice, PageTitle},
    page_inputs::{locale, page_inputs, HomeInputs, PageKind},
    visit_count::VisitCount,
};

mod visits;

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
    let locale = locale();
    view! {
        <PageTitle text=td_string!(locale, home.title) />
        <h1>{td_string!(locale, home.heading)}</h1>
        <p class="lead">
            {td_string!(locale, home.welcome)} <em>"LocalLibrary"</em>
            {td_string!(locale, home.developed_by)} <em>"Mozilla Developer Network"</em>
            {td_string!(locale, home.browse)}
        </p>
        <h2>{td_string!(locale, home.dynamic_content)}</h2>
        {match figures {
            Ok(inputs) => Either::Left(view! { <Figures inputs locale /> }),
            Err(error) => Either::Right(view! { <ErrorNotice error /> }),
        }}
    }
}

#[component]
fn Figures(inputs: HomeInputs, locale: Locale) -> impl IntoView {
    let counts = inputs.counts;
    let browse_books = ("/books", td_string!(locale, home.browse_books));
    let browse_authors = ("/authors", td_string!(locale, home.browse_authors));
    view! {
        <p>{td_string!(locale, home.record_counts)}</p>
        <ul class="count-cards">
            <CountCard label=td_string!(locale, home.books) figure=counts.books link=Some(browse_books) />
            <CountCard label=td_string!(locale, home.copies) figure=counts.copies link=None />
            <CountCard
                label=td_string!(locale, home.copies_available)
                figure=counts.copies_available
                link=None
            />
            <CountCard label=td_string!(locale, home.authors) figure=counts.authors link=Some(browse_authors) />
        </ul>
        <h2>{td_string!(locale, home.your_visits)}</h2>
        <visits::VisitSentence visits=inputs.visits outcome=inputs.outcome locale />
        <visits::VisitControls
            cookie_returned=inputs.cookie_returned
            reset_sentence=VisitCount::counted(0).sentence(locale)
            locale
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
