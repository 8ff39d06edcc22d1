//! `/about`: what the site is and what it keeps about a visitor.

use leptos::prelude::*;

use crate::layout::PageTitle;

#[component]
pub fn AboutPage() -> impl IntoView {
    view! {
        <PageTitle text="About LocalLibrary" />
        <h1>"About LocalLibrary"</h1>
        <p>
            "LocalLibrary is the catalog of a small lending library: its books, their authors "
            "and every copy on the shelves, with whether it is available, on loan or reserved."
        </p>
        <h2>"Cookies and sessions"</h2>
        <p>
            "The site sets one cookie, " <code>"sessionid"</code>
            ", once you open the home page, choose how many results a list shows, or dismiss "
            "the demo notice. It holds nothing but a random identifier; what the site remembers "
            "about your browser (those choices, and how many times you have visited the home "
            "page) is kept on the server under that identifier, and deleted two weeks after "
            "your last change, or at once with the home page's " <em>"Forget me"</em> " button."
        </p>
    }
}
