//! `/loans/mine` (a member's copies on loan), `/loans` (every copy on loan,
//! for librarians), and a librarian's forms for a copy:
//! `/copies/{id}/renew`, `/copies/{id}/lend`, `/copies/{id}/return`.
//! Who may see them is checked by the server before any of them is read.

use leptos::prelude::*;
use leptos_i18n::td_string;

use crate::{
    form_fields::{Field, FormProblems},
    language::{human_date, Locale},
    layout::{PageTitle, Pager},
    model::{CopyDetail, CopyStatus, ListPage, Loan},
    page_inputs::{catalog_inputs, locale, submitted},
    pages::{
        books::{list_title, OverdueBadge},
        reads,
        scaffold::{param, query, read_then_show},
    },
    problems::Problem,
};

#[component]
pub fn MyLoansPage() -> impl IntoView {
    read_then_show(
        query("page"),
        reads::my_loans,
        |list| view! { <LoanList list everyone=false /> },
    )
}

#[component]
pub fn AllLoansPage() -> impl IntoView {
    read_then_show(
        query("page"),
        reads::all_loans,
        |list| view! { <LoanList list everyone=true /> },
    )
}

/// A page of loans, soonest due first, each with its book and due date,
/// the late ones marked; for `everyone` (a librarian's list), with the
/// borrower and a link to renew.
#[component]
fn LoanList(list: ListPage<Loan>, everyone: bool) -> impl IntoView {
    let locale = locale();
    let today = catalog_inputs().map_or(time::Date::MIN, |inputs| inputs.today);
    let (heading, base) = if everyone {
        (td_string!(locale, loans.all_title), "/loans")
    } else {
        (td_string!(locale, loans.mine_title), "/loans/mine")
    };
    let title = list_title(locale, heading, &list);
    let rows = list
        .items
        .clone()
        .into_iter()
        .map(|loan| view! { <LoanRow loan today everyone locale /> })
        .collect_view();
    view! {
        <PageTitle text=title />
        <h1>{heading}</h1>
        {if list.items.is_empty() {
            view! { <p>{td_string!(locale, loans.none)}</p> }.into_any()
        } else {
            view! {
                <ul class="item-list loans">{rows}</ul>
                <Pager list base=base.to_string() />
            }
            .into_any()
        }}
    }
}

#[component]
fn LoanRow(loan: Loan, today: time::Date, everyone: bool, locale: Locale) -> impl IntoView {
    let overdue = loan.is_overdue(today);
    let due = loan
        .due_back
        .as_deref()
        .map_or_else(|| "—".to_string(), |due| human_date(locale, due));
    let borrower = everyone.then(|| {
        let name = loan
            .borrower
            .clone()
            .unwrap_or_else(|| td_string!(locale, loans.borrower_unknown).to_string());
        view! { <span class="borrower">{td_string!(locale, loans.borrower)} {name}</span> }
    });
    let renew = everyone.then(|| {
        view! {
            <a class="button" href=format!("/copies/{}/renew", loan.copy)>
                {td_string!(locale, loans.renew)}
            </a>
        }
    });
    view! {
        <li class=if overdue { "item loan overdue" } else { "item loan" }>
            <a class="item-title" href=format!("/books/{}", loan.book_id)>{loan.title}</a>
            <span class="item-meta">
                <span class="due">{td_string!(locale, loans.due)} {due}</span>
                {overdue.then(|| view! { <OverdueBadge locale /> })}
                {borrower}
                {renew}
            </span>
        </li>
    }
}

#[component]
pub fn RenewPage() -> impl IntoView {
    read_then_show(param("id"), reads::loan_to_renew, |(loan, suggested)| {
        view! { <RenewForm loan suggested /> }
    })
}

/// "Renew: TITLE", who has it and until when, and the one field: the new
/// due date, three weeks from today unless posted otherwise.
#[component]
fn RenewForm(loan: Loan, suggested: String) -> impl IntoView {
    let locale = locale();
    let submitted = submitted();
    let title = td_string!(locale, loans.renew_title, title = &loan.title).to_string();
    let borrower = loan
        .borrower
        .clone()
        .unwrap_or_else(|| td_string!(locale, loans.borrower_unknown).to_string());
    let due = loan
        .due_back
        .as_deref()
        .map_or_else(|| "—".to_string(), |due| human_date(locale, due));
    view! {
        <PageTitle text=title.clone() />
        <h1>{title}</h1>
        <dl class="facts">
            <dt>{td_string!(locale, loans.borrower_label)}</dt><dd>{borrower}</dd>
            <dt>{td_string!(locale, loans.due_label)}</dt><dd>{due}</dd>
        </dl>
        <form method="post" action=format!("/copies/{}/renew", loan.copy) class="form">
            <FormProblems submitted=submitted.clone() />
            <Field
                name="renewal_date"
                label=td_string!(locale, loans.renewal_date)
                kind="date"
                value=suggested
                help=td_string!(locale, loans.renewal_help)
                required=true
                submitted
            />
            <button type="submit">{td_string!(locale, loans.submit)}</button>
        </form>
    }
}

#[component]
pub fn LendPage() -> impl IntoView {
    view! { <CopyPage form=|copy, suggested| view! { <LendForm copy suggested /> }.into_any() /> }
}

#[component]
pub fn ReturnPage() -> impl IntoView {
    view! { <CopyPage form=|copy, _| view! { <ReturnForm copy /> }.into_any() /> }
}

/// A librarian's page about one copy (`/copies/{id}/…`): the copy, read,
/// given to `form` with the due date a loan of it would have by default.
#[component]
fn CopyPage(form: fn(CopyDetail, String) -> AnyView) -> impl IntoView {
    read_then_show(
        param("id"),
        reads::copy_to_lend,
        move |(copy, suggested)| form(copy, suggested),
    )
}

/// "Lend: TITLE": the copy, then the member it goes to and until when
/// (three weeks from today unless said otherwise); for a copy that is not
/// available, why it cannot be lent.
#[component]
fn LendForm(copy: CopyDetail, suggested: String) -> impl IntoView {
    let locale = locale();
    let submitted = submitted();
    let title = td_string!(locale, loans.lend_title, title = &copy.title).to_string();
    let form = if copy.copy.status == CopyStatus::Available {
        view! {
            <form method="post" action=format!("/copies/{}/lend", copy.copy.id) class="form">
                <FormProblems submitted=submitted.clone() />
                <Field
                    name="username"
                    label=td_string!(locale, loans.member)
                    help=td_string!(locale, loans.member_help)
                    required=true
                    autocomplete="off"
                    submitted=submitted.clone()
                />
                <Field
                    name="due_back"
                    label=td_string!(locale, loans.due_label)
                    kind="date"
                    value=suggested
                    help=td_string!(locale, loans.due_help)
                    required=true
                    submitted
                />
                <button type="submit">{td_string!(locale, loans.lend)}</button>
            </form>
        }
        .into_any()
    } else {
        cannot(Problem::NotAvailable(copy.copy.status), locale)
    };
    view! { <CopyForm title copy>{form}</CopyForm> }
}

/// "Return: TITLE": who has the copy and until when, and the button that
/// marks it returned; for a copy not on loan, why it cannot be.
#[component]
fn ReturnForm(copy: CopyDetail) -> impl IntoView {
    let locale = locale();
    let title = td_string!(locale, loans.return_title, title = &copy.title).to_string();
    let form = if copy.copy.status == CopyStatus::OnLoan {
        view! {
            <form method="post" action=format!("/copies/{}/return", copy.copy.id) class="form">
                <FormProblems submitted=submitted() />
                <button type="submit">{td_string!(locale, loans.mark_returned)}</button>
            </form>
        }
        .into_any()
    } else {
        cannot(Problem::NotOnLoan(copy.copy.status), locale)
    };
    view! { <CopyForm title copy>{form}</CopyForm> }
}

/// Why a copy's form is not there.
fn cannot(problem: Problem, locale: Locale) -> AnyView {
    view! { <p class="error" role="alert">{problem.message(locale)}</p> }.into_any()
}

/// A copy's form (or why there is none) under its title and the copy's
/// facts, with the way back to its book.
#[component]
fn CopyForm(title: String, copy: CopyDetail, children: Children) -> impl IntoView {
    let locale = locale();
    view! {
        <PageTitle text=title.clone() />
        <h1>{title}</h1>
        <CopyFacts copy=copy.clone() locale />
        {children()}
        <BackToBook copy locale />
    }
}

/// A copy's id, imprint, status and, on loan, borrower and due date.
#[component]
fn CopyFacts(copy: CopyDetail, locale: Locale) -> impl IntoView {
    let copy = copy.copy;
    let due = copy.due().map(|due| human_date(locale, due));
    let on_loan = copy.status == CopyStatus::OnLoan;
    let borrower = on_loan.then(|| {
        copy.borrower
            .clone()
            .unwrap_or_else(|| td_string!(locale, loans.borrower_unknown).to_string())
    });
    view! {
        <dl class="facts">
            <dt>{td_string!(locale, loans.copy_label)}</dt><dd><code>{copy.id}</code></dd>
            <dt>{td_string!(locale, loans.imprint_label)}</dt><dd>{copy.imprint}</dd>
            <dt>{td_string!(locale, loans.status_label)}</dt><dd>{copy.status.label(locale)}</dd>
            {borrower.map(|borrower| view! {
                <dt>{td_string!(locale, loans.borrower_label)}</dt><dd>{borrower}</dd>
            })}
            {due.map(|due| view! { <dt>{td_string!(locale, loans.due_label)}</dt><dd>{due}</dd> })}
        </dl>
    }
}

#[component]
fn BackToBook(copy: CopyDetail, locale: Locale) -> impl IntoView {
    view! {
        <p>
            <a href=format!("/books/{}", copy.book_id)>
                {td_string!(locale, loans.back_to_book, title = &copy.title).to_string()}
            </a>
        </p>
    }
}
