//! For librarians: `/books/{id}/copies/new`, `/copies/{id}/edit` and
//! `/copies/{id}/delete`.

use leptos::prelude::*;
use leptos_i18n::td_string;

use crate::{
    form_fields::{CurrentValues, DeletePage, Field, FormProblems, Select},
    language::Locale,
    layout::PageTitle,
    model::{BookDetail, CopyEdit, CopyStatus, MAX_IMPRINT_CHARS},
    page_inputs::{locale, submitted},
    pages::{
        reads,
        scaffold::{param, read_then_show},
    },
    problems::Problem,
};

/// The statuses a librarian sets by hand (on loan only by lending).
fn statuses(locale: Locale, current: CopyStatus) -> Vec<(String, String)> {
    let settable = [
        CopyStatus::Available,
        CopyStatus::Maintenance,
        CopyStatus::Reserved,
    ];
    let shown: Vec<CopyStatus> = if current == CopyStatus::OnLoan {
        vec![CopyStatus::OnLoan]
    } else {
        settable.to_vec()
    };
    shown
        .into_iter()
        .map(|status| (status.code().to_string(), status.label(locale).to_string()))
        .collect()
}

/// `/books/{id}/copies/new`: new copies of the book, as many as asked.
#[component]
pub fn CopiesNewPage() -> impl IntoView {
    read_then_show(
        param("id"),
        reads::book,
        |book| view! { <CopiesNew book /> },
    )
}

#[component]
fn CopiesNew(book: BookDetail) -> impl IntoView {
    let locale = locale();
    let submitted = submitted();
    let title = td_string!(locale, copies.add_title, title = &book.title).to_string();
    view! {
        <PageTitle text=title.clone() />
        <h1>{title}</h1>
        <form method="post" action=format!("/books/{}/copies/new", book.id) class="form">
            <FormProblems submitted=submitted.clone() />
            <Field
                name="imprint"
                label=td_string!(locale, copies.imprint)
                required=true
                maxlength=MAX_IMPRINT_CHARS
                help=td_string!(locale, copies.imprint_help)
                submitted=submitted.clone()
            />
            <Select
                name="status"
                label=td_string!(locale, copies.status)
                options=statuses(locale, CopyStatus::Available)
                value=CopyStatus::Available.code()
                submitted=submitted.clone()
            />
            <Field
                name="count"
                label=td_string!(locale, copies.count)
                kind="number"
                value="1"
                required=true
                help=td_string!(locale, copies.count_help)
                submitted
            />
            <button type="submit">{td_string!(locale, copies.submit)}</button>
        </form>
        <p><a href=format!("/books/{}", book.id)>{book.title}</a></p>
    }
}

/// `/copies/{id}/edit`: a copy's imprint and status.
#[component]
pub fn CopyEditPage() -> impl IntoView {
    read_then_show(
        param("id"),
        reads::copy_to_edit,
        |edit| view! { <CopyEditForm edit /> },
    )
}

#[component]
fn CopyEditForm(edit: CopyEdit) -> impl IntoView {
    let locale = locale();
    let submitted = submitted();
    let CopyEdit { copy, version } = edit;
    let title = td_string!(locale, copies.edit_title, title = &copy.title).to_string();
    let status = copy.copy.status;
    let now = vec![
        (
            td_string!(locale, copies.imprint),
            copy.copy.imprint.clone(),
        ),
        (
            td_string!(locale, copies.status),
            status.label(locale).to_string(),
        ),
    ];
    let on_loan = (status == CopyStatus::OnLoan)
        .then(|| view! { <p class="help">{td_string!(locale, copies.on_loan_help)}</p> });
    view! {
        <PageTitle text=title.clone() />
        <h1>{title}</h1>
        <p class="copy-id">{td_string!(locale, book.copy)} " " <code>{copy.copy.id.clone()}</code></p>
        <form method="post" action=format!("/copies/{}/edit", copy.copy.id) class="form">
            <FormProblems submitted=submitted.clone() />
            <CurrentValues submitted=submitted.clone() now />
            <input type="hidden" name="version" value=version.to_string() />
            <Field
                name="imprint"
                label=td_string!(locale, copies.imprint)
                value=copy.copy.imprint.clone()
                required=true
                maxlength=MAX_IMPRINT_CHARS
                help=td_string!(locale, copies.imprint_help)
                submitted=submitted.clone()
            />
            <Select
                name="status"
                label=td_string!(locale, copies.status)
                options=statuses(locale, status)
                value=status.code()
                submitted
            />
            {on_loan}
            <button type="submit">{td_string!(locale, copies.submit)}</button>
        </form>
        <p>
            <a class="button" href=format!("/copies/{}/history", copy.copy.id)>
                {td_string!(locale, history.link)}
            </a>
        </p>
        <p><a href=format!("/books/{}", copy.book_id)>{copy.title}</a></p>
    }
}

/// `/copies/{id}/delete`: the copy and, unless it is on loan, the button
/// that deletes it.
#[component]
pub fn CopyDeletePage() -> impl IntoView {
    read_then_show(
        param("id"),
        reads::copy_to_edit,
        |edit| view! { <CopyDelete edit /> },
    )
}

#[component]
fn CopyDelete(edit: CopyEdit) -> impl IntoView {
    let locale = locale();
    let copy = edit.copy;
    let in_the_way = (copy.copy.status == CopyStatus::OnLoan).then(|| {
        let borrower = copy.copy.borrower.clone().unwrap_or_default();
        let loan = format!("{} {} — {borrower}", copy.copy.id, copy.copy.imprint);
        (Problem::CopyOnLoan.message(locale), vec![(None, loan)])
    });
    view! {
        <DeletePage
            title=td_string!(locale, copies.delete_title, title = &copy.title).to_string()
            page=format!("/copies/{}", copy.copy.id)
            name=copy.title.clone()
            back=format!("/books/{}", copy.book_id)
            confirm=td_string!(locale, copies.delete_confirm)
            button=td_string!(locale, copies.delete)
            in_the_way
        />
    }
}
