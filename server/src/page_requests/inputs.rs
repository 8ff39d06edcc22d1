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

impl Route {
    /// The page at `path`: the app's routes (`app::App`), each by its
    /// whole address, so that a page added under one of them (a member's
    /// page under `/books/7/…`, say) is none of these until it says so.
    pub fn of(path: &str) -> Route {
        let one_segment = |rest: &str| !rest.is_empty() && !rest.contains('/');
        // `/copies/ID/renew`, `/authors/ID/edit` …: an id, then `action`.
        let id_then = |prefix: &str, action: &str| {
            path.strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(action))
                .and_then(|rest| rest.strip_suffix('/'))
                .is_some_and(one_segment)
        };
        match path {
            "/" => Route::Home,
            "/books" | "/authors" | "/about" => Route::Catalog,
            "/accounts/login"
            | "/accounts/logout"
            | "/accounts/password-reset"
            | "/accounts/password-reset/done"
            | "/accounts/reset/done" => Route::Account,
            _ if path
                .strip_prefix("/accounts/reset/")
                .is_some_and(one_segment) =>
            {
                Route::Account
            }
            "/loans/mine" | "/accounts/password-change" | "/accounts/password-change/done" => {
                Route::Member
            }
            "/loans" | "/authors/new" => Route::Librarian,
            _ if id_then("/copies/", "renew")
                || id_then("/copies/", "lend")
                || id_then("/copies/", "return")
                || id_then("/authors/", "edit")
                || id_then("/authors/", "delete") =>
            {
                Route::Librarian
            }
            _ if path.strip_prefix("/books/").is_some_and(one_segment)
                || path.strip_prefix("/authors/").is_some_and(one_segment) =>
            {
                Route::Catalog
            }
            _ => Route::Other,
        }
    }

    pub fn access(self) -> Access {
        match self {
            Route::Home | Route::Catalog | Route::Account | Route::Other => Access::Anyone,
            Route::Member => Access::SignedIn,
            Route::Librarian => Access::Librarian,
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
        Route::Catalog | Route::Account | Route::Member | Route::Librarian => {
            match visitor.page_basis().await {
                Ok(basis) => {
                    let catalog = CatalogInputs::now(basis.catalog_version);
                    (layout(basis), PageKind::Catalog(Ok(catalog)), None)
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

    /// Every page of the app's router has an access rule and an inputs
    /// rule here: a page added to `app::App` but not to [`Route::of`]
    /// would be served as `Route::Other` (anyone's, with no inputs).
    #[test]
    fn every_page_of_the_app_is_a_known_route() {
        let listed = leptos_axum::generate_route_list(app::App);
        assert!(listed.len() > 20, "the app's routes: {}", listed.len());
        for route in &listed {
            // `/copies/{id}/renew` → `/copies/x/renew`.
            let address: String = route
                .path()
                .split('/')
                .map(|segment| {
                    if segment.starts_with('{') {
                        "x"
                    } else {
                        segment
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let address = if address.is_empty() {
                "/".to_string()
            } else {
                address
            };
            assert_ne!(
                Route::of(&address),
                Route::Other,
                "{} is a page of the app with no access rule (server::page_requests::Route::of)",
                route.path()
            );
        }
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
