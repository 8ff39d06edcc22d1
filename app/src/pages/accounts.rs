//! `/accounts/login` and `/accounts/logout`: signing in and out. The forms
//! are posted to these same addresses (`server::forms`), which answer with
//! a redirect or with the page again, showing what was wrong.

use leptos::prelude::*;
use leptos_i18n::td_string;

use leptos_router::hooks::use_params_map;

use crate::{
    api::is_local_path,
    forms::{Field, FormProblems, Submitted},
    layout::{or_error_page, PageTitle},
    page_inputs::{address, catalog_inputs, locale, submitted, user},
    pages::{books::Loading, reads},
};

/// Where the sign-in form is: the address of the sign-in page that sends
/// the browser back to `next` once signed in.
pub const SIGN_IN: &str = "/accounts/login";
/// Where the sign-out button posts to.
pub const SIGN_OUT: &str = "/accounts/logout";
/// Where a forgotten password is reset.
pub const PASSWORD_RESET: &str = "/accounts/password-reset";
/// Where a signed-in user changes their password.
pub const PASSWORD_CHANGE: &str = "/accounts/password-change";

/// The sign-in page, coming back to `next` (a path of this site) after;
/// written as Django writes it, slashes as they are
/// (`/accounts/login?next=/loans/mine`), the rest of the query encoded.
pub fn sign_in_address(next: &str) -> String {
    if next.is_empty() || next == "/" || next.starts_with("/accounts/") {
        return SIGN_IN.to_string();
    }
    let next: String = form_urlencoded::byte_serialize(next.as_bytes())
        .collect::<String>()
        .replace("%2F", "/");
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
            <p><a href=PASSWORD_RESET>{td_string!(locale, accounts.lost_password)}</a></p>
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

/// `/accounts/password-reset`: the address to send a reset link to.
#[component]
pub fn PasswordResetPage() -> impl IntoView {
    let locale = locale();
    let submitted = submitted();
    or_error_page(catalog_inputs(), move |_| {
        let title = td_string!(locale, accounts.reset_title);
        view! {
            <PageTitle text=title />
            <h1>{title}</h1>
            <p>{td_string!(locale, accounts.reset_intro)}</p>
            <form method="post" action=PASSWORD_RESET class="form">
                <FormProblems submitted=submitted.clone() />
                <Field
                    name="email"
                    label=td_string!(locale, accounts.email)
                    kind="email"
                    required=true
                    autocomplete="email"
                    submitted
                />
                <button type="submit">{td_string!(locale, accounts.reset_send)}</button>
            </form>
        }
    })
}

/// `/accounts/password-reset/done`: the same answer whether or not the
/// address is a user's.
#[component]
pub fn PasswordResetSentPage() -> impl IntoView {
    let locale = locale();
    or_error_page(catalog_inputs(), move |_| {
        let title = td_string!(locale, accounts.reset_sent_title);
        view! {
            <PageTitle text=title />
            <h1>{title}</h1>
            <p>{td_string!(locale, accounts.reset_sent)}</p>
            <p>{td_string!(locale, accounts.reset_sent_spam)}</p>
        }
    })
}

/// `/accounts/reset/{token}`: the new password, twice; or, for a link that
/// does not work (any more), why and what to do.
#[component]
pub fn PasswordResetConfirmPage() -> impl IntoView {
    let params = use_params_map();
    let user = Resource::new(
        move || params.read().get("token").unwrap_or_default(),
        reads::reset_link_user,
    );
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                or_error_page(user.await, |user| view! { <PasswordResetConfirm user /> })
            })}
        </Suspense>
    }
}

#[component]
fn PasswordResetConfirm(user: Option<String>) -> impl IntoView {
    let locale = locale();
    let Some(_) = user else {
        let title = td_string!(locale, accounts.reset_invalid_title);
        return view! {
            <PageTitle text=title />
            <h1>{title}</h1>
            <p>{td_string!(locale, accounts.reset_invalid)}</p>
            <p><a href=PASSWORD_RESET>{td_string!(locale, accounts.reset_again)}</a></p>
        }
        .into_any();
    };
    let title = td_string!(locale, accounts.reset_confirm_title);
    view! {
        <PageTitle text=title />
        <h1>{title}</h1>
        <p>{td_string!(locale, accounts.reset_confirm_intro)}</p>
        <form method="post" action=address() class="form">
            <NewPasswordFields submitted=submitted() />
            <button type="submit">{td_string!(locale, accounts.change_password)}</button>
        </form>
    }
    .into_any()
}

/// The new password, twice, with the rules it must follow.
#[component]
fn NewPasswordFields(submitted: Option<Submitted>) -> impl IntoView {
    let locale = locale();
    view! {
        <FormProblems submitted=submitted.clone() />
        <Field
            name="new_password1"
            label=td_string!(locale, accounts.new_password)
            kind="password"
            help=td_string!(locale, accounts.password_rules)
            required=true
            autocomplete="new-password"
            submitted=submitted.clone()
        />
        <Field
            name="new_password2"
            label=td_string!(locale, accounts.new_password_again)
            kind="password"
            required=true
            autocomplete="new-password"
            submitted
        />
    }
}

/// `/accounts/reset/done`.
#[component]
pub fn PasswordResetCompletePage() -> impl IntoView {
    let locale = locale();
    or_error_page(catalog_inputs(), move |_| {
        let title = td_string!(locale, accounts.reset_complete_title);
        view! {
            <PageTitle text=title />
            <h1>{title}</h1>
            <p>{td_string!(locale, accounts.reset_complete)}</p>
            <p><a href=SIGN_IN>{td_string!(locale, accounts.sign_in)}</a></p>
        }
    })
}

/// `/accounts/password-change`: the password now, and the new one twice.
#[component]
pub fn PasswordChangePage() -> impl IntoView {
    let locale = locale();
    let submitted = submitted();
    or_error_page(catalog_inputs(), move |_| {
        let title = td_string!(locale, accounts.change_title);
        view! {
            <PageTitle text=title />
            <h1>{title}</h1>
            <form method="post" action=PASSWORD_CHANGE class="form">
                <Field
                    name="old_password"
                    label=td_string!(locale, accounts.old_password)
                    kind="password"
                    required=true
                    autocomplete="current-password"
                    submitted=submitted.clone()
                />
                <NewPasswordFields submitted=submitted.clone() />
                <button type="submit">{td_string!(locale, accounts.change_password)}</button>
            </form>
        }
    })
}

/// `/accounts/password-change/done`.
#[component]
pub fn PasswordChangeDonePage() -> impl IntoView {
    let locale = locale();
    or_error_page(catalog_inputs(), move |_| {
        let title = td_string!(locale, accounts.change_done_title);
        view! {
            <PageTitle text=title />
            <h1>{title}</h1>
            <p>{td_string!(locale, accounts.change_done)}</p>
        }
    })
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
            "/accounts/login?next=/loans/mine"
        );
        assert_eq!(
            sign_in_address("/books?q=a b&page=2"),
            "/accounts/login?next=/books%3Fq%3Da+b%26page%3D2"
        );
        assert_eq!(sign_in_address("/"), "/accounts/login");
        assert_eq!(sign_in_address("/accounts/logout"), "/accounts/login");
    }
}
