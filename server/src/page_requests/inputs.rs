//! Resolving a page's inputs ([`PageInputs`]) from the request's session,
//! before the page is rendered.

use app::{
    catalog,
    error::AppError,
    language::Locale,
    page_inputs::{CatalogInputs, HomeInputs, LayoutInputs, Outcome, PageInputs, PageKind},
    session::{PageBasis, VisitorSession},
    visit_count::VisitCount,
};

/// The pages whose inputs the server resolves, by who may see them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// `/`: a `GET` is a view, counted; a `HEAD` shows the count as it is.
    Home,
    /// The lists, a book's or an author's page, About: anyone's.
    Catalog,
    /// Signing in and out: anyone's.
    Account,
    /// A signed-in user's own pages (their loans).
    Member,
    /// Librarians' pages: every loan, renewals, author editing.
    Librarian,
    /// Librarians' pages of people and what was done: the members, and
    /// the history of every change. Never kept: they show what no catalog
    /// version follows (a sign-in, an address, a member added).
    People,
    /// Any other address: the 404 page.
    Other,
}

/// Who may see a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Anyone,
    /// Anyone signed in; others are sent to sign in first.
    SignedIn,
    /// Librarians; others signed in get a 403, the rest are sent to sign
    /// in first.
    Librarian,
}

/// Every page of the site, by its address as the app's router writes it
/// (`{id}`: one segment, not empty), with who may see it: the one table of
/// addresses the access rules and the forms (`server::forms`) read. The
/// first that matches is the page, so a fixed address goes before a
/// parameter in its place (`/authors/new` before `/authors/{id}`). A test
/// checks it against the app's router, both ways.
pub const PAGES: &[(&str, Route)] = &[
    ("/", Route::Home),
    ("/books", Route::Catalog),
    ("/books/new", Route::Librarian),
    ("/books/{id}", Route::Catalog),
    ("/books/{id}/edit", Route::Librarian),
    ("/books/{id}/delete", Route::Librarian),
    ("/books/{id}/copies/new", Route::Librarian),
    ("/books/{id}/history", Route::Librarian),
    ("/authors", Route::Catalog),
    ("/authors/new", Route::Librarian),
    ("/authors/{id}", Route::Catalog),
    ("/authors/{id}/edit", Route::Librarian),
    ("/authors/{id}/delete", Route::Librarian),
    ("/authors/{id}/history", Route::Librarian),
    ("/history", Route::People),
    ("/members", Route::People),
    ("/members/new", Route::Librarian),
    ("/members/{id}", Route::People),
    ("/members/{id}/history", Route::People),
    ("/genres", Route::Catalog),
    ("/genres/new", Route::Librarian),
    ("/genres/{id}", Route::Catalog),
    ("/genres/{id}/edit", Route::Librarian),
    ("/genres/{id}/delete", Route::Librarian),
    ("/genres/{id}/history", Route::Librarian),
    ("/languages", Route::Catalog),
    ("/languages/new", Route::Librarian),
    ("/languages/{id}", Route::Catalog),
    ("/languages/{id}/edit", Route::Librarian),
    ("/languages/{id}/delete", Route::Librarian),
    ("/languages/{id}/history", Route::Librarian),
    ("/about", Route::Catalog),
    ("/accounts/login", Route::Account),
    ("/accounts/logout", Route::Account),
    ("/accounts/password-reset", Route::Account),
    ("/accounts/password-reset/done", Route::Account),
    ("/accounts/reset/done", Route::Account),
    ("/accounts/reset/{token}", Route::Account),
    ("/accounts/password-change", Route::Member),
    ("/accounts/password-change/done", Route::Member),
    ("/loans/mine", Route::Member),
    ("/loans", Route::Librarian),
    ("/copies/{id}/renew", Route::Librarian),
    ("/copies/{id}/lend", Route::Librarian),
    ("/copies/{id}/return", Route::Librarian),
    ("/copies/{id}/edit", Route::Librarian),
    ("/copies/{id}/delete", Route::Librarian),
    ("/copies/{id}/history", Route::Librarian),
];

/// The page at `path`: its address pattern (from [`PAGES`]), its route,
/// and the value of its parameter, if it has one.
pub fn page_of(path: &str) -> Option<(&'static str, Route, Option<&str>)> {
    PAGES.iter().find_map(|&(pattern, route)| {
        matches(pattern, path).map(|parameter| (pattern, route, parameter))
    })
}

/// Whether `path` is an address of `pattern` (each `{…}` one segment, not
/// empty), and the segment in the parameter's place.
fn matches<'a>(pattern: &str, path: &'a str) -> Option<Option<&'a str>> {
    let mut parameter = None;
    let mut segments = path.split('/');
    for expected in pattern.split('/') {
        let segment = segments.next()?;
        if expected.starts_with('{') {
            if segment.is_empty() {
                return None;
            }
            parameter = Some(segment);
        } else if expected != segment {
            return None;
        }
    }
    segments.next().is_none().then_some(parameter)
}

impl Route {
    /// The page at `path` ([`PAGES`]), each by its whole address, so that
    /// a page added under one of them (a member's page under `/books/7/…`,
    /// say) is none of these until it says so.
    pub fn of(path: &str) -> Route {
        page_of(path).map_or(Route::Other, |(_, route, _)| route)
    }

    pub fn access(self) -> Access {
        match self {
            Route::Home | Route::Catalog | Route::Account | Route::Other => Access::Anyone,
            Route::Member => Access::SignedIn,
            Route::Librarian | Route::People => Access::Librarian,
        }
    }
}

/// What a request for a page gets from the page's access rule, asked
/// before anything of the page is read: the page, or (for nobody signed in)
/// `Err` the address of the sign-in page that comes back to it, or `Ok`
/// with a 403 in place of the page's inputs.
pub fn check_access(resolved: &mut Resolved, route: Route) -> Result<(), String> {
    let user = resolved.inputs.layout.user.as_ref();
    let allowed = match route.access() {
        Access::Anyone => true,
        Access::SignedIn => user.is_some(),
        Access::Librarian => user.is_some_and(|user| user.librarian),
    };
    if allowed {
        return Ok(());
    }
    if user.is_none() {
        return Err(app::paths::sign_in_address(&resolved.inputs.address));
    }
    resolved.inputs.page = PageKind::Catalog(Err(AppError::Forbidden));
    Ok(())
}

/// A page's inputs, and the count its visit-count holes show.
pub struct Resolved {
    pub inputs: PageInputs,
    pub visits: Option<i64>,
}

/// Reads (and for a view of the home page, counts) what the page at
/// `address` is rendered from, for a browser whose `Accept-Language` best
/// matches `accepted`. A failure is an input too: the page shows it where
/// it would have shown what failed (in the accepted language, the chosen
/// one being unread).
pub async fn resolve(
    visitor: &VisitorSession,
    route: Route,
    counts_a_view: bool,
    address: String,
    accepted: Locale,
) -> Resolved {
    let unread = LayoutInputs::unread(accepted);
    let layout = |basis: PageBasis| LayoutInputs::new(basis.preferences, basis.user, accepted);
    // A message waiting is taken by the next page asked for (a GET, not a
    // form's answer), which shows it.
    let message = |basis: &PageBasis| basis.message_waiting && counts_a_view;
    let (layout, page, visits) = match route {
        Route::Home if counts_a_view => match visitor.record_visit().await {
            Ok(visit) => (
                LayoutInputs::new(visit.preferences, visit.user, accepted),
                PageKind::Home(Ok(HomeInputs {
                    counts: visit.counts,
                    cookie_returned: visit.cookie_returned,
                    outcome: None,
                    visits: VisitCount::counted(visit.visits),
                })),
                Some(visit.visits),
            ),
            Err(error) => (unread, PageKind::Home(Err(error)), None),
        },
        Route::Home => match home_as_it_stands(visitor, Outcome::of_address(&address)).await {
            Ok((basis, home, visits)) => (layout(basis), PageKind::Home(Ok(home)), Some(visits)),
            Err(error) => (unread, PageKind::Home(Err(error)), None),
        },
        Route::Catalog | Route::Account | Route::Member | Route::Librarian | Route::People => {
            match visitor.page_basis().await {
                Ok(basis) => {
                    let catalog = CatalogInputs::now(basis.catalog_version);
                    let said = if message(&basis) {
                        visitor.take_message().await.unwrap_or_else(|error| {
                            tracing::warn!(%error, "a waiting message could not be read");
                            None
                        })
                    } else {
                        None
                    };
                    let mut layout = layout(basis);
                    layout.message = said;
                    (layout, PageKind::Catalog(Ok(catalog)), None)
                }
                Err(error) => (unread, PageKind::Catalog(Err(error)), None),
            }
        }
        // The 404 page needs only the layout's inputs: without them it
        // shows the defaults (the notice), as for a new visitor.
        Route::Other => {
            let layout = visitor.page_basis().await.map_or(unread, layout);
            (layout, PageKind::Other, None)
        }
    };
    Resolved {
        inputs: PageInputs {
            address,
            layout,
            page,
            form: None,
        },
        visits,
    }
}

/// The home page without counting (a `HEAD`, or the outcome of a form
/// posted without JavaScript): the figures, the count so far and the
/// preferences. "Forgotten" is shown only to a browser without a session
/// (an old link to it shows the count as it stands).
async fn home_as_it_stands(
    visitor: &VisitorSession,
    outcome: Option<Outcome>,
) -> Result<(PageBasis, HomeInputs, i64), AppError> {
    let outcome = match outcome {
        Some(Outcome::Forgotten) if visitor.has_cookie() => None,
        outcome => outcome,
    };
    let basis = visitor.page_basis().await?;
    let visits = visitor.visits().await?;
    let counts = catalog::counts(visitor.db()).await?;
    let home = HomeInputs {
        counts,
        cookie_returned: true,
        outcome,
        visits: VisitCount::counted(visits),
    };
    Ok((basis, home, visits))
}

#[cfg(test)]
mod tests {
    use super::Route;

    /// The app's router and [`super::PAGES`] list the same addresses: a
    /// page added to `app::App` but not here would be served as
    /// `Route::Other` (anyone's, with no inputs), and one here but not in
    /// the app is a rule for nothing.
    #[test]
    fn the_table_of_pages_is_the_app_router_s_list() {
        use std::collections::BTreeSet;
        let listed: BTreeSet<String> = leptos_axum::generate_route_list(app::App)
            .iter()
            .map(|route| match route.path() {
                "" => "/".to_string(),
                path => path.to_string(),
            })
            .collect();
        let table: BTreeSet<String> = super::PAGES
            .iter()
            .map(|(pattern, _)| pattern.to_string())
            .collect();
        assert!(listed.len() > 20, "the app's routes: {listed:?}");
        assert_eq!(
            listed.difference(&table).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "pages of the app with no access rule (server::page_requests::PAGES)"
        );
        assert_eq!(
            table.difference(&listed).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "rules for addresses the app has no page at"
        );
    }

    #[test]
    fn a_parameter_is_one_segment_and_fixed_addresses_come_first() {
        assert_eq!(
            super::page_of("/copies/5f1c/renew"),
            Some(("/copies/{id}/renew", Route::Librarian, Some("5f1c")))
        );
        assert_eq!(
            super::page_of("/authors/new"),
            Some(("/authors/new", Route::Librarian, None))
        );
        assert_eq!(
            super::page_of("/accounts/reset/done"),
            Some(("/accounts/reset/done", Route::Account, None))
        );
        assert_eq!(super::page_of("/copies//renew"), None);
        assert_eq!(super::page_of("/books/7/x"), None);
    }

    #[test]
    fn routes_are_known_by_their_whole_address() {
        assert_eq!(Route::of("/"), Route::Home);
        for catalog in ["/books", "/books/7", "/authors", "/authors/x", "/about"] {
            assert_eq!(Route::of(catalog), Route::Catalog, "{catalog}");
        }
        for account in [
            "/accounts/login",
            "/accounts/logout",
            "/accounts/password-reset",
            "/accounts/reset/0123abcd",
            "/accounts/reset/done",
        ] {
            assert_eq!(Route::of(account), Route::Account, "{account}");
        }
        for member in ["/loans/mine", "/accounts/password-change"] {
            assert_eq!(Route::of(member), Route::Member, "{member}");
        }
        for staff in [
            "/loans",
            "/copies/5f1c/renew",
            "/authors/new",
            "/authors/7/edit",
            "/authors/7/delete",
        ] {
            assert_eq!(Route::of(staff), Route::Librarian, "{staff}");
        }
        for people in ["/members", "/members/7", "/members/7/history", "/history"] {
            assert_eq!(Route::of(people), Route::People, "{people}");
        }
        for other in [
            "/books/",
            "/books/7/borrow",
            "/authors/1/",
            "/about/me",
            "/nowhere",
            "/copies/renew",
            "/copies//renew",
            "/copies/a/b/renew",
            "/authors/7/edit/",
            "/loans/",
        ] {
            assert_eq!(Route::of(other), Route::Other, "{other}");
        }
    }
}
