//! Forms posted to the site's own pages: `POST /accounts/login`,
//! `/copies/{id}/renew` …
//!
//! Each form is a route of its own ([`FORMS`], added by [`add_to`]) at its
//! page's address, beside the page's `GET`, behind the cross-origin checks.
//! Its handler is given the page posted to ([`FormPage`]: the page's inputs
//! resolved and its access rule applied as for a `GET` — nobody signed in
//! is sent to sign in, a user without the role gets the 403 page — before
//! the body is read) and the form's fields, typed ([`Fields`]), and says
//! what the form did ([`Done`]): a redirect, or the page rendered again,
//! as for a `GET` of it, with the form as posted among the page's inputs.

use std::{future::Future, time::Duration};

use axum::{
    body::Body,
    body::Bytes,
    extract::{DefaultBodyLimit, FromRequest, FromRequestParts, RawPathParams, Request},
    http::{header, request::Parts, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{post, MethodRouter},
    Router,
};
use serde::de::DeserializeOwned;
use tower::ServiceExt;

use app::{
    error::AppError, history::Actor, language::Locale, model::User, page_inputs::PageInputs,
    page_inputs::PageKind, problems::Submitted, session::VisitorSession,
};

use crate::{
    client::{peer, TrustedProxies},
    mail::Mailer,
    page_requests::{check_access, found, private_if, Pages, Route},
};

mod accounts;
mod authors;
mod books;
mod copies;
mod loans;
mod members;
mod terms;

/// The most a form's fields may weigh: far more than any of the site's
/// forms sends, far less than would cost the server anything.
pub const MAX_FORM_BYTES: usize = 16 * 1024;

/// A form's handler, by the address of the page it is posted to (its
/// pattern in [`PAGES`](crate::page_requests::PAGES)).
type FormRoute = (&'static str, fn() -> MethodRouter<Forms>);

/// Every form of the site, by the page it is posted to.
pub const FORMS: &[FormRoute] = &[
    ("/accounts/login", || form(accounts::sign_in)),
    ("/accounts/logout", || form(accounts::sign_out)),
    ("/accounts/password-reset", || {
        form(accounts::password_reset)
    }),
    ("/accounts/reset/{token}", || form(accounts::new_password)),
    ("/accounts/password-change", || {
        form(accounts::password_change)
    }),
    ("/copies/{id}/renew", || form(loans::renew)),
    ("/copies/{id}/lend", || form(loans::lend)),
    ("/copies/{id}/return", || form(loans::take_back)),
    ("/books/new", || form(books::create)),
    ("/books/{id}/edit", || form(books::update)),
    ("/books/{id}/delete", || form(books::delete)),
    ("/books/{id}/copies/new", || form(copies::add)),
    ("/copies/{id}/edit", || form(copies::update)),
    ("/copies/{id}/delete", || form(copies::delete)),
    ("/members/new", || form(members::create)),
    ("/members/{id}", || form(members::change)),
    ("/authors/new", || form(authors::create)),
    ("/authors/{id}/edit", || form(authors::update)),
    ("/authors/{id}/delete", || form(authors::delete)),
    ("/genres/new", || form(terms::create_genre)),
    ("/genres/{id}/edit", || form(terms::rename_genre)),
    ("/genres/{id}/delete", || form(terms::delete_genre)),
    ("/languages/new", || form(terms::create_language)),
    ("/languages/{id}/edit", || form(terms::rename_language)),
    ("/languages/{id}/delete", || form(terms::delete_language)),
];

/// Adds every form's route to `router` (whose pages' `GET`s they join).
pub fn add_to<S: Clone + Send + Sync + 'static>(mut router: Router<S>, forms: Forms) -> Router<S> {
    for (page, handler) in FORMS {
        router = router.route(page, handler().with_state(forms.clone()));
    }
    router
}

/// The route of a form that `handle` answers: it is given the page posted
/// to and the fields, read as `T` (at most [`MAX_FORM_BYTES`]).
fn form<T, F, Fut>(handle: F) -> MethodRouter<Forms>
where
    T: DeserializeOwned + Send + 'static,
    F: Fn(Posted, T) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Done, AppError>> + Send + 'static,
{
    post(
        move |page: FormPage, Fields(fields): Fields<T>| async move {
            let FormPage { shown, posted } = page;
            let signed_in = posted.user.is_some();
            let done = handle(posted, fields).await;
            private_if(signed_in, shown.answer(done).await)
        },
    )
    .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
}

/// What a form did, and what the browser is answered.
pub enum Done {
    /// Go on to this address (`302 Found`).
    Redirect(String),
    /// The page again, with the form as posted and what was wrong with it,
    /// with this status.
    Again(Submitted, StatusCode),
    /// The page again, refused for this long more (a 429 whose
    /// `Retry-After` says how long).
    TooSoon(Submitted, Duration),
    /// The page as it is now (its inputs resolved again: after a sign-out,
    /// nobody is signed in), having been posted to.
    Shown,
}

/// What the forms need: the pages (to resolve inputs), the app's renderer
/// (to show a page again), the mailer, and who may say who a client is.
#[derive(Clone)]
pub struct Forms {
    pages: Pages,
    render: Router,
    mailer: Mailer,
    trusted_proxies: TrustedProxies,
}

impl Forms {
    /// `render` renders the app's page for a request (its inputs in its
    /// extensions).
    pub fn new(
        pages: Pages,
        render: Router,
        mailer: Mailer,
        trusted_proxies: TrustedProxies,
    ) -> Forms {
        Forms {
            pages,
            render,
            mailer,
            trusted_proxies,
        }
    }
}

/// What a form's handler gets besides its fields.
pub struct Posted {
    pub visitor: VisitorSession,
    /// The page's parameter (`/copies/{id}/renew`: the copy's id); empty
    /// for a page without one.
    pub parameter: String,
    /// Where the request came from, for the sign-in throttle
    /// ([`TrustedProxies::client`]).
    pub client: String,
    /// The language of the page the form is on (a mail it sends is in it).
    pub locale: Locale,
    pub mailer: Mailer,
    /// Who is signed in.
    pub user: Option<User>,
}

impl Posted {
    /// Who makes the form's change, for the history: the user signed in
    /// (the page's access rule let nobody else this far).
    pub fn actor(&self) -> Result<Actor, AppError> {
        self.user
            .as_ref()
            .map(Actor::user)
            .ok_or_else(|| AppError::bug("a librarian's form posted by nobody"))
    }
}

/// A page posted to, allowed to the visitor and readable: the form's
/// handler may go on. Otherwise the extractor answers in its place: sent
/// to sign in, or the page saying why not (a 403, an outage).
pub struct FormPage {
    shown: Shown,
    posted: Posted,
}

/// The page as the form's answer shows it again.
struct Shown {
    request: Parts,
    inputs: PageInputs,
    route: Route,
    forms: Forms,
}

impl FromRequestParts<Forms> for FormPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, forms: &Forms) -> Result<Self, Response> {
        let route = Route::of(parts.uri.path());
        let (Some(resolving), Some(visitor)) = (
            forms.pages.resolve(parts, route),
            forms.pages.visitor(parts),
        ) else {
            tracing::error!("no session layer around the forms");
            return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        };
        let mut resolved = resolving.await;
        if let Err(sign_in) = check_access(&mut resolved, route) {
            return Err(found(&sign_in));
        }
        let user = resolved.inputs.layout.user.clone();
        let shown = Shown {
            request: parts.clone(),
            inputs: resolved.inputs,
            route,
            forms: forms.clone(),
        };
        // Not allowed (a 403), or the page's inputs unreadable (an outage):
        // the page says so, and the form does nothing.
        if let PageKind::Catalog(Err(_)) = &shown.inputs.page {
            let signed_in = user.is_some();
            let inputs = shown.inputs.clone();
            return Err(private_if(signed_in, shown.render(inputs).await));
        }
        let parameter = RawPathParams::from_request_parts(parts, forms)
            .await
            .ok()
            .and_then(|params| params.iter().next().map(|(_, value)| value.to_string()))
            .unwrap_or_default();
        let client = forms
            .trusted_proxies
            .client(peer(&parts.extensions), &parts.headers)
            .map_or_else(|| "unknown".to_string(), |ip| ip.to_string());
        let posted = Posted {
            visitor,
            parameter,
            client,
            locale: shown.inputs.layout.locale,
            mailer: forms.mailer.clone(),
            user,
        };
        Ok(FormPage { shown, posted })
    }
}

impl Shown {
    /// The answer to the form: where to go next, or the page again.
    async fn answer(self, done: Result<Done, AppError>) -> Response {
        let mut inputs = self.inputs.clone();
        match done {
            Ok(Done::Redirect(location)) => found(&location),
            Ok(Done::Again(submitted, status)) => {
                inputs.form = Some(submitted);
                again(self.render(inputs).await, status, None)
            }
            Ok(Done::TooSoon(submitted, wait)) => {
                inputs.form = Some(submitted);
                let status = StatusCode::TOO_MANY_REQUESTS;
                again(self.render(inputs).await, status, Some(wait))
            }
            Ok(Done::Shown) => {
                let Some(resolving) = self.forms.pages.resolve(&self.request, self.route) else {
                    return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                };
                let mut inputs = resolving.await.inputs;
                inputs.form = Some(Submitted::default());
                self.render(inputs).await
            }
            Err(error) => {
                // The page, showing the error in place of what it shows.
                inputs.page = PageKind::Catalog(Err(error));
                self.render(inputs).await
            }
        }
    }

    /// The app's page for this request, rendered from `inputs`.
    async fn render(self, inputs: PageInputs) -> Response {
        let mut request = Request::from_parts(self.request, Body::empty());
        request.extensions_mut().insert(inputs);
        match self.forms.render.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }
}

/// The form's page rendered again, answered with `status` (and, refused
/// for a while, `Retry-After`) unless rendering it failed.
fn again(mut response: Response, status: StatusCode, wait: Option<Duration>) -> Response {
    if response.status() != StatusCode::OK {
        return response;
    }
    *response.status_mut() = status;
    if let Some(wait) = wait {
        // Whole seconds, rounded up: never sooner than allowed.
        let seconds = wait.as_millis().div_ceil(1000).max(1);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds as u64));
    }
    response
}

/// A form's fields, read as `T` from the body a browser posts
/// (`application/x-www-form-urlencoded`; a field given several times, such
/// as a book's genres, read into a `Vec`). A body that is not one, too
/// large, or with a single-valued field twice is refused with what is
/// wrong (4xx); a field that is missing is empty (the form says it is
/// required).
pub struct Fields<T>(pub T);

impl<T, S> FromRequest<S> for Fields<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let is_form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|essence| {
                essence
                    .trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        if !is_form {
            let text = "A form is posted as application/x-www-form-urlencoded.";
            return Err(refusal(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                text.to_string(),
            ));
        }
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                let status = rejection.status();
                match status {
                    StatusCode::PAYLOAD_TOO_LARGE => {
                        refusal(status, "This form sent more than it can.".to_string())
                    }
                    _ => refusal(status, rejection.body_text()),
                }
            })?;
        serde_html_form::from_bytes(&body)
            .map(Fields)
            .map_err(|error| {
                let text = format!("This form could not be read: {}", unreadable(&body, error));
                refusal(StatusCode::UNPROCESSABLE_ENTITY, text)
            })
    }
}

/// Why `body` could not be read: most often a field of one value sent
/// twice (the reader says only "unsupported value"), named as such.
fn unreadable(body: &[u8], error: serde_html_form::de::Error) -> String {
    let mut seen = std::collections::BTreeSet::new();
    let twice: std::collections::BTreeSet<String> = form_urlencoded::parse(body)
        .filter(|(name, _)| !seen.insert(name.clone()))
        .map(|(name, _)| format!("`{name}`"))
        .collect();
    if twice.is_empty() {
        error.to_string()
    } else {
        let names: Vec<String> = twice.into_iter().collect();
        format!("duplicate field {}", names.join(", "))
    }
}

/// A form body the site cannot read, answered in words.
fn refusal(status: StatusCode, text: String) -> Response {
    tracing::info!(%status, "a form that could not be read");
    (status, text).into_response()
}

/// A form without fields (signing out, taking a copy back): whatever is
/// posted is not read.
#[derive(serde::Deserialize)]
pub struct NoFields {}

#[cfg(test)]
mod tests {
    use super::FORMS;
    use crate::page_requests::PAGES;

    #[test]
    fn every_form_is_posted_to_a_page() {
        for (page, _) in FORMS {
            assert!(
                PAGES.iter().any(|(pattern, _)| pattern == page),
                "{page} is no page"
            );
        }
    }
}
