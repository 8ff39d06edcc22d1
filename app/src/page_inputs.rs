//! What a page is rendered from, besides the catalog it reads: one typed
//! value per request, resolved by the server before the page is rendered.
//!
//! A page and the layout around it reach per-request data only through
//! [`PageInputs`] ([`page_inputs`]): no page reads the session, the cookie
//! or a header itself. That is what lets the server keep a rendered page
//! and serve it to another browser (`server::page_requests`): a page kept
//! under a [`PageInputs`] value is rendered from that value alone (the
//! server renders it from a request made of the value, with no cookie, no
//! header and no session), so two requests with equal inputs get the same
//! page, and an input added here is part of every key at once.
//!
//! Values that change on every view, the visit count, are not inputs but
//! holes ([`VisitCount`]): equal in every value, so
//! they never split a key, and unreadable by the page, which can only write
//! them where they go; the server fills them in for each response.

use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use crate::{
    error::AppError,
    language::Locale,
    model::{CatalogCounts, Message, Preferences, User},
    paths::query_value,
    problems::Submitted,
    visit_count::VisitCount,
};

/// What a form without JavaScript came back from: the page shows its
/// outcome instead of counting a view (`/?done=reset`, `/?done=forgotten`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// The count was set to zero: the page shows it, not counting itself.
    Reset,
    /// The session was deleted: the page says so and starts none.
    Forgotten,
    /// The language was chosen: the page shows the count as it stands.
    LanguageChosen,
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
            Some("language") => Some(Outcome::LanguageChosen),
            _ => None,
        }
    }

    /// Where a form posted without JavaScript is sent to see it.
    pub fn address(self) -> &'static str {
        match self {
            Outcome::Reset => "/?done=reset",
            Outcome::Forgotten => "/?done=forgotten",
            Outcome::LanguageChosen => "/?done=language",
        }
    }
}

/// Everything per request a page is rendered from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PageInputs {
    /// The path and query asked for: the route and its parameters.
    pub address: String,
    /// What the layout around every page shows.
    pub layout: LayoutInputs,
    /// What the page itself shows, as its route needs.
    pub page: PageKind,
    /// The form the page shows, as it was posted (with what was wrong with
    /// it); `None` when the page is asked for, not posted to.
    pub form: Option<Submitted>,
}

/// What the layout shows that differs between browsers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct LayoutInputs {
    /// This browser's choices (the notice dismissed; results per page,
    /// which the lists read from here too).
    pub preferences: Preferences,
    /// The language every text of the page is in.
    pub locale: Locale,
    /// Who is signed in: their name and links in the header, and what the
    /// pages let them see and do. Part of every kept page's key, so one
    /// user's page is never another's.
    pub user: Option<User>,
    /// What this browser's last action did, shown on this page only: a
    /// page with one is rendered for its response alone, never kept.
    pub message: Option<Message>,
}

impl LayoutInputs {
    /// The layout for a browser that chose `preferences`, signed in as
    /// `user`, whose `Accept-Language` best matches `accepted`: its chosen
    /// language, if it chose one, else that.
    pub fn new(preferences: Preferences, user: Option<User>, accepted: Locale) -> LayoutInputs {
        LayoutInputs {
            preferences,
            locale: preferences.language.unwrap_or(accepted),
            user,
            message: None,
        }
    }

    /// The layout with no choices read (the database is down, say): the
    /// defaults, nobody signed in, in the language of the browser's
    /// `Accept-Language`.
    pub fn unread(accepted: Locale) -> LayoutInputs {
        LayoutInputs::new(Preferences::default(), None, accepted)
    }
}

/// What a page shows besides its layout, by kind of page.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PageKind {
    /// The home page: the catalog's figures and this browser's visit count.
    Home(Result<HomeInputs, AppError>),
    /// A page of the catalog (a list, a book, an author, About), or why
    /// its inputs could not be read.
    Catalog(Result<CatalogInputs, AppError>),
    /// Any other page (a 404): nothing but its layout.
    Other,
}

/// What a catalog page is read as of.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CatalogInputs {
    /// The catalog's version, raised by every change of it.
    pub version: i64,
    /// Today (UTC): a copy due back before it is overdue.
    pub today: time::Date,
}

impl CatalogInputs {
    /// The catalog at `version`, today.
    #[cfg(feature = "ssr")]
    pub fn now(version: i64) -> CatalogInputs {
        CatalogInputs {
            version,
            today: crate::dates::today(),
        }
    }
}

/// What one view of the home page shows.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HomeInputs {
    pub counts: CatalogCounts,
    /// Whether the request carried this browser's session cookie: false on
    /// a first visit, and on every visit of a browser that refuses cookies.
    pub cookie_returned: bool,
    /// What a form posted without JavaScript did, shown by this view
    /// instead of counting itself.
    pub outcome: Option<Outcome>,
    /// Views of the home page by this browser, this one included: a hole.
    pub visits: VisitCount,
}

/// The inputs of the page being rendered. Every page rendered for a
/// request has them: the server provides them in the context before it
/// renders.
pub fn page_inputs() -> Result<PageInputs, AppError> {
    leptos::prelude::use_context::<PageInputs>().ok_or_else(inputs_missing)
}

/// What a page other than the home page is read as of: the catalog's
/// version and today; or why it could not be read, or may not be shown
/// (a 403), which the page shows in its place.
pub fn catalog_inputs() -> Result<CatalogInputs, AppError> {
    match page_inputs()?.page {
        PageKind::Catalog(result) => result,
        _ => Err(inputs_missing()),
    }
}

/// The layout's inputs; the defaults without any (the app rendered with
/// no request, once, to list its routes).
pub fn layout_inputs() -> LayoutInputs {
    leptos::prelude::use_context::<PageInputs>()
        .map(|inputs| inputs.layout)
        .unwrap_or_default()
}

/// The language of the page being rendered (English without inputs, as
/// for [`layout_inputs`]).
pub fn locale() -> Locale {
    leptos::prelude::use_context::<PageInputs>()
        .map(|inputs| inputs.layout.locale)
        .unwrap_or_default()
}

/// Who the page is rendered for (nobody without inputs).
pub fn user() -> Option<User> {
    leptos::prelude::use_context::<PageInputs>().and_then(|inputs| inputs.layout.user)
}

/// What the browser's last action did, to be said on this page.
pub fn message() -> Option<Message> {
    leptos::prelude::use_context::<PageInputs>().and_then(|inputs| inputs.layout.message)
}

/// The form of the page being rendered, as posted (`None`: not posted).
pub fn submitted() -> Option<Submitted> {
    leptos::prelude::use_context::<PageInputs>().and_then(|inputs| inputs.form)
}

/// The address of the page being rendered; empty without inputs (as for
/// [`layout_inputs`]).
pub fn address() -> String {
    leptos::prelude::use_context::<PageInputs>()
        .map(|inputs| inputs.address)
        .unwrap_or_default()
}

#[cfg(feature = "ssr")]
fn inputs_missing() -> AppError {
    AppError::bug("a page was rendered without its inputs")
}

#[cfg(not(feature = "ssr"))]
fn inputs_missing() -> AppError {
    AppError::Internal
}

/// Errors are inputs of the pages that show them (the home page shows a
/// count that failed as an error in its place): equal errors, equal pages.
impl Hash for AppError {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        self.to_string().hash(state);
    }
}
