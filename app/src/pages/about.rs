//! `/about`: what the site is and what it keeps about a visitor.

use leptos::prelude::*;
use leptos_i18n::td_string;

use crate::{layout::PageTitle, page_inputs::locale};

#[component]
pub fn AboutPage() -> impl IntoView {
    let locale = locale();
    view! {
        <PageTitle text=td_string!(locale, about.title) />
        <h1>{td_string!(locale, about.title)}</h1>
        <p>{td_string!(locale, about.what)}</p>
        <h2>{td_string!(locale, about.cookies)}</h2>
        <p>
            {td_string!(locale, about.cookie_before)} <code>"sessionid"</code>
            {td_string!(locale, about.cookie_middle)} <em>{td_string!(locale, home.forget_me)}</em>
            {td_string!(locale, about.cookie_after)}
        </p>
    }
}
