//! Forms posted to the site's own pages: `POST /accounts/login`,
//! `/accounts/logout` …
//!
//! Middleware behind the cross-origin checks. A `POST` to a form's page is
//! read here (its fields, at most [`MAX_FORM_BYTES`]), the page's inputs
//! resolved and its access rule applied as for a `GET` (nobody signed in
//! is sent to sign in, a user without the role gets the 403 page, before
//! anything else is read), then the form does what it does and answers
//! ([`Done`]): a redirect, or its page rendered again by the app, as for a
//! `GET` of it, with the form as posted among the page's inputs.

use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use std::time::Duration;

use app::{
    language::Locale, model::User, page_inputs::PageKind, problems::Submitted,
    session::VisitorSession,
};

use crate::{
    client::{peer, TrustedProxies},
    mail::Mailer,
    page_requests::{check_access, found, page_of, private_if, Pages, Route},
};

mod accounts;
mod authors;
mod loans;

/// The most a form's fields may weigh: far more than any of the site's
/// forms sends, far less than would cost the server anything.
pub const MAX_FORM_BYTES: usize = 16 * 1024;

/// The forms, by the address they are posted to.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Form {
    SignIn,
    SignOut,
    PasswordReset,
    /// `/accounts/reset/TOKEN`.
    NewPassword(String),
    PasswordChange,
    /// `/copies/ID/renew`.
    Renew(String),
    /// `/copies/ID/lend`.
    Lend(String),
    /// `/copies/ID/return`.
    Return(String),
    NewAuthor,
    /// `/authors/ID/edit`.
    EditAuthor(String),
    /// `/authors/ID/delete`.
    DeleteAuthor(String),
}

/// A form, from its page's parameter (empty for a page without one).
type MakeForm = fn(String) -> Form;

/// The forms, by the page they are posted to (its pattern in
/// [`PAGES`](crate::page_requests::PAGES)), made from the page's parameter.
const FORMS: &[(&str, MakeForm)] = &[
    ("/accounts/login", |_| Form::SignIn),
    ("/accounts/logout", |_| Form::SignOut),
    ("/accounts/password-reset", |_| Form::PasswordReset),
    ("/accounts/reset/{token}", Form::NewPassword),
    ("/accounts/password-change", |_| Form::PasswordChange),
    ("/copies/{id}/renew", Form::Renew),
    ("/copies/{id}/lend", Form::Lend),
    ("/copies/{id}/return", Form::Return),
    ("/authors/new", |_| Form::NewAuthor),
    ("/authors/{id}/edit", Form::EditAuthor),
    ("/authors/{id}/delete", Form::DeleteAuthor),
];

impl Form {
    fn of(path: &str) -> Option<Form> {
        let (page, _, parameter) = page_of(path)?;
        let (_, make) = FORMS.iter().find(|(posted_to, _)| *posted_to == page)?;
        Some(make(parameter.unwrap_or_default().to_string()))
    }
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

/// What the forms need: the pages (to resolve inputs and render), and
/// the mailer.
#[derive(Clone)]
pub struct Forms {
    pages: Pages,
    mailer: Mailer,
    trusted_proxies: TrustedProxies,
}

impl Forms {
    pub fn new(pages: Pages, mailer: Mailer, trusted_proxies: TrustedProxies) -> Forms {
        Forms {
            pages,
            mailer,
            trusted_proxies,
        }
    }
}

/// What a form's handler gets.
pub struct Posted {
    /// The fields, decoded (a name given twice: its first value).
    pub fields: Vec<(String, String)>,
    pub visitor: VisitorSession,
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
    /// The value of the field `name`, empty if it was not sent.
    pub fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map_or("", |(_, value)| value.as_str())
    }
}

/// Middleware: handles a `POST` to a form's page; anything else goes on.
pub async fn submit(State(forms): State<Forms>, request: Request, next: Next) -> Response {
    let pages = &forms.pages;
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let path = request.uri().path();
    let Some(form) = Form::of(path) else {
        return next.run(request).await;
    };
    let route = Route::of(path);
    let (mut parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_FORM_BYTES).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            "This form sent more than it can.",
        )
            .into_response();
    };
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    // The page is rendered as for a `GET` of it (the app's routes are).
    parts.method = Method::GET;
    let mut request = Request::from_parts(parts, Body::empty());

    let (Some(resolving), Some(visitor)) =
        (pages.resolve(&request, route), pages.visitor(&request))
    else {
        tracing::error!("no session layer around the forms");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut resolved = resolving.await;
    if let Err(sign_in) = check_access(&mut resolved, route) {
        return found(&sign_in);
    }
    // Not allowed (a 403), or the page's inputs unreadable (an outage):
    // the page says so, and the form does nothing.
    if let PageKind::Catalog(Err(_)) = &resolved.inputs.page {
        let signed_in = resolved.inputs.layout.user.is_some();
        request.extensions_mut().insert(resolved.inputs);
        return private_if(signed_in, next.run(request).await);
    }
    let client = forms
        .trusted_proxies
        .client(peer(&request), request.headers())
        .map_or_else(|| "unknown".to_string(), |ip| ip.to_string());
    let posted = Posted {
        fields,
        visitor,
        client,
        locale: resolved.inputs.layout.locale,
        mailer: forms.mailer.clone(),
        user: resolved.inputs.layout.user.clone(),
    };
    let done = match form {
        Form::SignIn => accounts::sign_in(&posted).await,
        Form::SignOut => accounts::sign_out(&posted).await,
        Form::PasswordReset => accounts::password_reset(&posted).await,
        Form::NewPassword(token) => accounts::new_password(&posted, &token).await,
        Form::PasswordChange => accounts::password_change(&posted).await,
        Form::Renew(copy) => loans::renew(&posted, &copy).await,
        Form::Lend(copy) => loans::lend(&posted, &copy).await,
        Form::Return(copy) => loans::take_back(&posted, &copy).await,
        Form::NewAuthor => authors::create(&posted).await,
        Form::EditAuthor(id) => authors::update(&posted, &id).await,
        Form::DeleteAuthor(id) => authors::delete(&posted, &id).await,
    };
    let signed_in = posted.user.is_some();
    let response = match done {
        Ok(Done::Redirect(location)) => found(&location),
        Ok(Done::Again(submitted, status)) => {
            resolved.inputs.form = Some(submitted);
            request.extensions_mut().insert(resolved.inputs);
            shown_again(next.run(request).await, status, None)
        }
        Ok(Done::TooSoon(submitted, wait)) => {
            resolved.inputs.form = Some(submitted);
            request.extensions_mut().insert(resolved.inputs);
            let status = StatusCode::TOO_MANY_REQUESTS;
            shown_again(next.run(request).await, status, Some(wait))
        }
        Ok(Done::Shown) => {
            let Some(resolving) = pages.resolve(&request, route) else {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            };
            let mut inputs = resolving.await.inputs;
            inputs.form = Some(Submitted::default());
            request.extensions_mut().insert(inputs);
            next.run(request).await
        }
        Err(error) => {
            // The page, showing the error in place of what it shows.
            resolved.inputs.page = PageKind::Catalog(Err(error));
            request.extensions_mut().insert(resolved.inputs);
            next.run(request).await
        }
    };
    private_if(signed_in, response)
}

/// The form's page rendered again, answered with `status` (and, refused
/// for a while, `Retry-After`) unless rendering it failed.
fn shown_again(mut response: Response, status: StatusCode, wait: Option<Duration>) -> Response {
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

#[cfg(test)]
mod tests {
    use super::{Form, FORMS};
    use crate::page_requests::{page_of, PAGES};

    #[test]
    fn every_form_is_posted_to_a_page() {
        for (page, _) in FORMS {
            assert!(
                PAGES.iter().any(|(pattern, _)| pattern == page),
                "{page} is no page"
            );
        }
    }

    #[test]
    fn a_form_is_known_by_its_page_and_takes_its_parameter() {
        assert_eq!(
            Form::of("/copies/5f1c/renew"),
            Some(Form::Renew("5f1c".into()))
        );
        assert_eq!(
            Form::of("/accounts/reset/ab12"),
            Some(Form::NewPassword("ab12".into()))
        );
        assert_eq!(Form::of("/authors/new"), Some(Form::NewAuthor));
        assert_eq!(Form::of("/accounts/login"), Some(Form::SignIn));
        for none in [
            "/accounts/reset/done",
            "/books/7",
            "/copies//renew",
            "/copies/5/renew/x",
            "/nowhere",
        ] {
            assert_eq!(Form::of(none), None, "{none}");
        }
        assert!(page_of("/accounts/reset/done").is_some());
    }
}
