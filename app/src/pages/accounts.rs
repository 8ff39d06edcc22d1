//! `/accounts/login` and `/accounts/logout`: signing in and out. The forms
//! are posted to these same addresses (`server::forms`), which answer with
//! a redirect or with the page again, showing what was wrong.

use leptos::prelude::*;
use leptos_i18n::td_string;

use crate::{
    form_fields::{Field, FormProblems},
    layout::{or_error_page, PageTitle, SignOutButton},
    page_inputs::{address, catalog_inputs, locale, submitted, user},
    pages::{
        reads,
        scaffold::{param, read_then_show},
    },
    paths::{query_value, PASSWORD_CHANGE, PASSWORD_RESET, SIGN_IN},
    problems::Submitted,
};

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
            query_value(&query, "next")
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
    read_then_show(param("token"), reads::reset_link_user, |user| {
        view! { <PasswordResetConfirm user /> }
    })
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
