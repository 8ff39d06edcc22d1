//! Pages: their inputs resolved before they are rendered, and the pages
//! that opt in kept rendered and served from memory.
//!
//! For a page request (a `GET` or `HEAD` of a page's address), this
//! middleware (inside the session layer) first resolves the page's inputs
//! ([`PageInputs`], [`inputs`]): for a view of `/`, it counts the view;
//! otherwise one statement reads the catalog's version and the browser's
//! preferences. The app renders every page from those inputs alone.
//!
//! Rendering a page with Leptos costs far more than everything else a
//! request does, and most requests are for a page that some other request
//! had rendered from equal inputs. So the home page, the catalog's pages and
//! a member's or a librarian's pages (the ones that opt in:
//! [`Route::is_kept`]) are kept ([`kept`]): the
//! inputs are the key, the page is rendered from a request made of the
//! inputs alone (no cookie, no header, no session: nothing else to read),
//! with stand-ins where its holes go (the visit count, the script nonce),
//! and each response fills the holes in. A page is rendered once however
//! many requests ask for it at once: the others wait for it. In debug builds every such
//! response is also compared with the page rendered afresh from the real
//! request ([`check`]).

use std::sync::Arc;

use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{header, request::Parts, HeaderMap, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::nonce::Nonce;
use tower_sessions::Session;

use app::{
    db::Db,
    language::{self, Locale},
    page_inputs::{HomeInputs, Outcome, PageInputs, PageKind},
    session::{Cookies, SessionPolicy, VisitorSession},
    visit_count::VisitCount,
};

use crate::security::ResponseNonce;

pub use inputs::{check_access, page_of, Resolved, Route, PAGES};
use kept::{Fill, Hole, Page, Shelf};

mod check;
mod gzip;
pub mod inputs;
mod kept;

/// What resolving inputs and finding kept pages needs; cloned for every
/// request.
#[derive(Clone)]
pub struct Pages(Arc<Shared>);

struct Shared {
    db: Db,
    policy: SessionPolicy,
    /// Kept pages by their inputs: every page of every list, at three sizes,
    /// every search, and the home page for each kind of view; each a few
    /// kilobytes.
    kept: Shelf<PageInputs>,
}

impl Pages {
    pub fn new(db: Db, policy: SessionPolicy) -> Self {
        Self(Arc::new(Shared {
            db,
            policy,
            kept: Shelf::new(1024),
        }))
    }

    /// The session of a request; `None` without a session layer.
    pub fn visitor(&self, request: &Parts) -> Option<VisitorSession> {
        let session = request.extensions.get::<Session>()?.clone();
        let cookies = request.extensions.get::<Cookies>()?.clone();
        Some(VisitorSession::new(
            session,
            cookies,
            self.0.db.clone(),
            self.0.policy.clone(),
        ))
    }

    /// Resolves the inputs of the page `request` asks for (a `GET` of `/`
    /// counts the view), from its session; `None` without a session layer.
    pub fn resolve(
        &self,
        request: &Parts,
        route: Route,
    ) -> Option<impl std::future::Future<Output = inputs::Resolved> + Send + 'static> {
        let visitor = self.visitor(request)?;
        let address = request
            .uri
            .path_and_query()
            .map_or_else(|| request.uri.path(), |address| address.as_str())
            .to_owned();
        // The outcome of a form posted without JavaScript is shown, not
        // counted as a view.
        let counts_a_view =
            request.method == Method::GET && Outcome::of_address(&address).is_none();
        let accepted = accepted_language(&request.headers);
        Some(
            async move { inputs::resolve(&visitor, route, counts_a_view, address, accepted).await },
        )
    }
}

/// The site's language that best matches the request's `Accept-Language`
/// (English without one): what a browser that has not chosen one reads.
pub fn accepted_language(headers: &HeaderMap) -> Locale {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map_or_else(Locale::default, language::negotiate)
}

impl Route {
    /// Pages kept rendered: those whose inputs say everything they show.
    /// A member's and a librarian's pages are, per user (the user is an
    /// input) and per catalog version (which every loan, renewal and
    /// author edit raises). The sign-in and password pages are not: a
    /// reset link's page shows whether its token still works, which no
    /// input says; nor are the members' and the history's pages
    /// ([`Route::People`]).
    fn is_kept(self) -> bool {
        matches!(
            self,
            Route::Home | Route::Catalog | Route::Member | Route::Librarian
        )
    }
}

/// Middleware: resolves the inputs of a page request and serves it, from
/// a kept page where the page opts in. Anything else (server functions,
/// static files, other methods) goes on to the app untouched; the 404 page
/// resolves its inputs behind the static files ([`not_found`]).
pub async fn serve(State(pages): State<Pages>, request: Request, next: Next) -> Response {
    let route = Route::of(request.uri().path());
    let method = request.method().clone();
    if route == Route::Other || !(method == Method::GET || method == Method::HEAD) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let resolving = pages.resolve(&parts, route);
    let mut request = Request::from_parts(parts, body);
    let Some(resolving) = resolving else {
        tracing::error!("no session layer around the pages");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut resolved = resolving.await;
    // Before anything of the page is read: nobody signed in is sent to
    // sign in (even for a copy that does not exist).
    if let Err(sign_in) = inputs::check_access(&mut resolved, route) {
        return found(&sign_in);
    }
    let signed_in = resolved.inputs.layout.user.is_some();
    // A page saying what this browser's last action did is this
    // response's alone.
    let said = resolved.inputs.layout.message.is_some();
    if method == Method::HEAD || !route.is_kept() || said {
        request.extensions_mut().insert(resolved.inputs);
        return private_if(signed_in, next.run(request).await);
    }
    let Some(ResponseNonce(nonce)) = request.extensions().get::<ResponseNonce>().cloned() else {
        tracing::error!("no response nonce: the security headers layer must wrap the pages");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let gzip = request
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|value| value.to_str().ok())
        .is_some_and(gzip::accepted);

    let (page, kept) = match pages.0.kept.find(&resolved.inputs).await {
        Ok(page) => {
            metrics::counter!("locallibrary_kept_pages_total", "result" => "hit").increment(1);
            (page, true)
        }
        Err(rendering) => {
            metrics::counter!("locallibrary_kept_pages_total", "result" => "miss").increment(1);
            let rendered = render_to_keep(&pages, &resolved.inputs, &nonce, next.clone()).await;
            // Kept (or not) before whoever waits for it is woken.
            drop(rendering);
            match rendered {
                Ok(rendered) => rendered,
                Err(failed) => return failed,
            }
        }
    };
    let fill = Fill::new(resolved.visits, nonce, resolved.inputs.layout.locale);
    // A page not kept (an error, a 404) was rendered for this response only.
    let plain = if check::ENABLED && kept {
        let plain = page.body(&fill);
        let (parts, _) = request.into_parts();
        if let Err(failed) =
            check::same_as_fresh(page.status(), &plain, parts, resolved.inputs, next).await
        {
            return failed;
        }
        Some(plain)
    } else {
        None
    };
    private_if(signed_in, page.response(&fill, gzip, plain))
}

/// A page shown to someone signed in carries their name, and maybe their
/// loans: no shared cache may keep it, nor the browser's disk.
pub fn private_if(signed_in: bool, mut response: Response) -> Response {
    if signed_in {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("private, no-store"),
        );
    }
    response
}

/// A `302 Found` to `location`, a path of this site: what Django answers,
/// and what a browser follows with a `GET`.
pub fn found(location: &str) -> Response {
    match axum::http::HeaderValue::from_str(location) {
        Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        Err(_) => {
            tracing::error!(location, "a redirect to an address that is not a header's");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Renders the page of `inputs` from a request made of them alone, with
/// stand-ins in its holes, and keeps it if it may be served to anyone
/// (then `true`).
async fn render_to_keep(
    pages: &Pages,
    inputs: &PageInputs,
    nonce: &Nonce,
    next: Next,
) -> Result<(Arc<Page>, bool), Response> {
    let mut rendered_from = inputs.clone();
    let mut stand_ins: Vec<(String, Hole)> = vec![(nonce.to_string(), Hole::Nonce)];
    if let PageKind::Home(Ok(HomeInputs { visits, .. })) = &mut rendered_from.page {
        let (stand_in, text) = VisitCount::stand_in();
        *visits = stand_in;
        stand_ins.push((text, Hole::Visits));
    }

    let mut request = Request::builder()
        .method(Method::GET)
        .uri(&inputs.address)
        .body(Body::empty())
        .map_err(|err| {
            tracing::error!(error = %err, "a page's address is not a request's");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        })?;
    request.extensions_mut().insert(rendered_from);
    request
        .extensions_mut()
        .insert(ResponseNonce(nonce.clone()));
    let (parts, body) = next.run(request).await.into_parts();
    let Ok(body) = to_bytes(body, usize::MAX).await else {
        tracing::error!("a page's body could not be read");
        return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
    };

    let holes: Vec<(&[u8], Hole)> = stand_ins
        .iter()
        .map(|(text, hole)| (text.as_bytes(), *hole))
        .collect();
    let page = Arc::new(Page::new(parts.status, parts.headers, &body, &holes));
    // The count must stand where it was written (a stand-in not found,
    // escaped say, would be frozen in the page); a page may have no script
    // to carry the nonce.
    let required: Vec<Hole> = holes
        .iter()
        .map(|(_, hole)| *hole)
        .filter(|hole| *hole != Hole::Nonce)
        .collect();
    let kept = page.is_for_anyone(&required);
    if kept {
        pages.0.kept.keep(inputs.clone(), Arc::clone(&page));
    }
    Ok((page, kept))
}

/// Middleware for the 404 page (the fallback, once no static file was
/// found): resolves its inputs, as for every page.
pub async fn not_found(State(pages): State<Pages>, request: Request, next: Next) -> Response {
    let mut signed_in = false;
    let (parts, body) = request.into_parts();
    let resolving = pages.resolve(&parts, Route::Other);
    let mut request = Request::from_parts(parts, body);
    if let Some(resolving) = resolving {
        let inputs = resolving.await.inputs;
        signed_in = inputs.layout.user.is_some();
        request.extensions_mut().insert(inputs);
    }
    private_if(signed_in, next.run(request).await)
}
