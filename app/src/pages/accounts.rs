//! `/accounts/login` and `/accounts/logout`: signing in and out. The forms
//! are posted to these same addresses (`server::forms`), which answer with
//! a redirect or with the page again, showing what was wrong.

use leptos::prelude::*;
use leptos_i18n::td_string;

use crate::{
    api::is_local_path,
    forms::{Field, FormProblems},
    layout::{or_error_page, PageTitle},
    page_inputs::{address, catalog_inputs, locale, submitted, user},
};

/// Where the sign-in form is: the address of the sign-in page that sends
/// the browser back to `next` once signed in.
pub const SIGN_IN: &str = "/accounts/login";
/// Where the sign-out button posts to.
pub const SIGN_OUT: &str = "/accounts/logout";

/// The sign-in page, coming back to `next` (a path of this site) after.
pub fn sign_in_address(next: &str) -> String {
    if next.is_empty() || next == "/" || next.starts_with("/accounts/") {
        return SIGN_IN.to_string();
    }
    let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    format!("{SIGN_IN}?next={next}")
}

/// Where to send a browser that signed in: `next` if it is a path of this
/// site (`//host`, `/\host`, `https://host`, control characters: not),
/// else the home page; written as a `Location` may be (characters outside
/// printable ASCII percent-encoded).
pub fn after_sign_in(next: Option<&str>) -> String {
    let Some(next) = next.filter(|next| is_local_path(next)) else {
        return "/".to_string();
    };
    let mut location = String::with_capacity(next.len());
    for c in next.chars() {
        if c.is_ascii_graphic() {
            location.push(c);
        } else {
            let mut bytes = [0; 4];
            for byte in c.encode_utf8(&mut bytes).bytes() {
                location.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    location
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let locale = locale();
    let submitted = submitted();
    // `next` as the page was asked for with it, or as the form posted it.
    let next = submitted
        .as_ref()
        .and_then(|form| form.value("next").map(str::to_string))
        .or_else(|| {
            let address = address();
            let query = address
                .split_once('?')
                .map(|(_, query)| query.to_string())?;
            crate::layout::query_value(&query, "next")
        })
        .unwrap_or_default();
    or_error_page(catalog_inputs(), move |_| {
        let title = td_string!(locale, accounts.sign_in_title);
        let signed_in = user().map(|user| {
            view! {
                <p class="note">
                    {td_string!(locale, accounts.signed_in_as, username = user.username)
                        .to_string()}
                </p>
            }
        });
        view! {
            <PageTitle text=title />
            <h1>{title}</h1>
            {signed_in}
            <form method="post" action=SIGN_IN class="form">
                <FormProblems submitted=submitted.clone() />
                <Field
                    name="username"
                    label=td_string!(locale, accounts.username)
                    required=true
                    autocomplete="username"
                    submitted=submitted.clone()
                />
                <Field
                    name="password"
                    label=td_string!(locale, accounts.password)
                    kind="password"
                    required=true
                    autocomplete="current-password"
                    submitted=submitted.clone()
                />
                <input type="hidden" name="next" value=next />
                <button type="submit">{td_string!(locale, accounts.sign_in)}</button>
            </form>
        }
    })
}

/// After a sign-out (a `POST`): "Logged out!". Asked for with a `GET`:
/// 405, with the button that does it.
#[component]
pub fn SignOutPage() -> impl IntoView {
    let locale = locale();
    let signed_out = submitted().is_some();
    or_error_page(catalog_inputs(), move |_| {
        if signed_out {
            let title = td_string!(locale, accounts.signed_out_title);
            return view! {
                <PageTitle text=title />
                <h1>{title}</h1>
                <p><a href=SIGN_IN>{td_string!(locale, accounts.sign_in_again)}</a></p>
            }
            .into_any();
        }
        #[cfg(feature = "ssr")]
        {
            crate::layout::set_status(405);
            if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
                options.insert_header(http::header::ALLOW, http::HeaderValue::from_static("POST"));
            }
        }
        let title = td_string!(locale, accounts.sign_out_title);
        let button = user().map(|_| view! { <SignOutButton /> });
        view! {
            <PageTitle text=title />
            <h1>{title}</h1>
            <p>{td_string!(locale, accounts.sign_out_with_button)}</p>
            {button}
        }
        .into_any()
    })
}

/// The sign-out button: a form, as signing out changes what the server
/// holds (a link would let any page sign a visitor out).
#[component]
pub fn SignOutButton() -> impl IntoView {
    let locale = locale();
    view! {
        <form method="post" action=SIGN_OUT class="sign-out">
            <button type="submit">{td_string!(locale, accounts.sign_out)}</button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_where_a_sign_in_goes_next() {
        assert_eq!(after_sign_in(Some("/loans/mine")), "/loans/mine");
        assert_eq!(after_sign_in(Some("/books?q=a b")), "/books?q=a%20b");
        assert_eq!(
            after_sign_in(Some("/books?q=紅樓")),
            "/books?q=%E7%B4%85%E6%A8%93"
        );
        for away in [
            None,
            Some(""),
            Some("//evil.example"),
            Some("///evil.example"),
            Some("/\\evil.example"),
            Some("https://evil.example/"),
            Some("http:/evil.example"),
            Some("evil.example"),
            Some("/\u{0}x"),
            Some("/x\r\nSet-Cookie: a=b"),
            Some("\t//evil.example"),
        ] {
            assert_eq!(after_sign_in(away), "/", "{away:?}");
        }
    }

    #[test]
    fn the_sign_in_page_comes_back_to_the_page_asked_for() {
        assert_eq!(
            sign_in_address("/loans/mine"),
            "/accounts/login?next=%2Floans%2Fmine"
        );
        assert_eq!(sign_in_address("/"), "/accounts/login");
        assert_eq!(sign_in_address("/accounts/logout"), "/accounts/login");
    }
}
