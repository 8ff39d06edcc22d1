//! For librarians: `/members` (found by name or address), `/members/new`
//! and `/members/{id}` (their loans; make them inactive or active,
//! librarian or not).

use leptos::prelude::*;
use leptos_i18n::td_string;

use crate::{
    form_fields::{Field, FormProblems},
    language::human_date,
    layout::{PageTitle, Pager, PerPageForm},
    model::{ListPage, MemberChange, MemberDetail, MemberSummary},
    page_inputs::{catalog_inputs, locale, submitted, user},
    pages::{
        books::{list_title, urlencode},
        reads,
        scaffold::{param, query, read_then_show},
    },
};

#[component]
pub fn MemberListPage() -> impl IntoView {
    let (page, term) = (query("page"), query("q"));
    let shown_term = term.clone();
    read_then_show(
        move || (page(), term().unwrap_or_default()),
        |(page, term)| reads::members(page, (!term.trim().is_empty()).then_some(term)),
        move |list| {
            let term = shown_term().unwrap_or_default().trim().to_string();
            view! { <MemberList list term /> }
        },
    )
}

#[component]
fn MemberList(list: ListPage<MemberSummary>, term: String) -> impl IntoView {
    let locale = locale();
    let heading = if term.is_empty() {
        td_string!(locale, members.all).to_string()
    } else {
        td_string!(locale, members.matching, term = &term).to_string()
    };
    let base = if term.is_empty() {
        "/members".to_string()
    } else {
        format!("/members?q={}", urlencode(&term))
    };
    let summary = if list.total == 0 {
        td_string!(locale, members.none).to_string()
    } else {
        td_string!(locale, members.count, count = list.total).to_string()
    };
    let per_page = list.per_page;
    view! {
        <PageTitle text=list_title(locale, &heading, &list) />
        <h1>{heading}</h1>
        <p class="staff-actions">
            <a class="button" href="/members/new">{td_string!(locale, members.new)}</a>
        </p>
        <form method="get" action="/members" class="member-search">
            <label for="member-q">{td_string!(locale, members.search_label)}</label>
            <input id="member-q" type="search" name="q" value=term maxlength="100" />
            <button type="submit">{td_string!(locale, members.search)}</button>
        </form>
        <p class="list-summary" role="status">{summary}</p>
        <ul class="item-list">
            {list.items.clone().into_iter().map(|member| view! { <MemberRow member /> }).collect_view()}
        </ul>
        <Pager list base=base.clone() />
        <PerPageForm current=per_page back=base />
    }
}

#[component]
fn MemberRow(member: MemberSummary) -> impl IntoView {
    let locale = locale();
    view! {
        <li class="item">
            <a class="item-title" href=format!("/members/{}", member.id)>{member.username.clone()}</a>
            <span class="item-meta">
                <span>{member.email.clone()}</span>
                <MemberBadges member=member.clone() />
                {(member.on_loan > 0).then(|| view! {
                    <span>{td_string!(locale, members.on_loan, n = member.on_loan).to_string()}</span>
                })}
            </span>
        </li>
    }
}

/// A member's role and state, in words.
#[component]
fn MemberBadges(member: MemberSummary) -> impl IntoView {
    let locale = locale();
    view! {
        {member.librarian.then(|| view! {
            <span class="badge status-reserved">{td_string!(locale, members.librarian)}</span>
        })}
        {(!member.active).then(|| view! {
            <span class="badge status-none">{td_string!(locale, members.inactive)}</span>
        })}
    }
}

#[component]
pub fn MemberPage() -> impl IntoView {
    read_then_show(
        param("id"),
        reads::member,
        |detail| view! { <MemberView detail /> },
    )
}

#[component]
fn MemberView(detail: MemberDetail) -> impl IntoView {
    let locale = locale();
    let member = detail.member;
    let me = user().is_some_and(|user| user.id == member.id);
    let page = format!("/members/{}", member.id);
    let change = |what: MemberChange, label: &'static str| {
        view! { <button type="submit" name="change" value=what.code()>{label}</button> }
    };
    let actions = if me {
        view! { <p class="help">{td_string!(locale, members.oneself)}</p> }.into_any()
    } else {
        view! {
            <form method="post" action=page.clone() class="staff-actions">
                {if member.active {
                    change(MemberChange::Deactivate, td_string!(locale, members.deactivate))
                } else {
                    change(MemberChange::Activate, td_string!(locale, members.activate))
                }}
                {if member.librarian {
                    change(MemberChange::Revoke, td_string!(locale, members.revoke))
                } else {
                    change(MemberChange::Grant, td_string!(locale, members.grant))
                }}
            </form>
        }
        .into_any()
    };
    let never = td_string!(locale, members.never).to_string();
    let last_login = detail
        .last_login
        .map_or(never, |day| human_date(locale, &day));
    view! {
        <PageTitle text=member.username.clone() />
        <h1>{member.username.clone()}</h1>
        <FormProblems submitted=submitted() />
        <dl class="facts">
            <dt>{td_string!(locale, members.email)}</dt><dd>{member.email.clone()}</dd>
            <dt>{td_string!(locale, members.joined)}</dt><dd>{human_date(locale, &detail.joined)}</dd>
            <dt>{td_string!(locale, members.last_login)}</dt><dd>{last_login}</dd>
            <dt>{td_string!(locale, members.roles)}</dt>
            <dd>
                {(member.active && !member.librarian)
                    .then(|| td_string!(locale, members.active_member))}
                <MemberBadges member=member.clone() />
            </dd>
        </dl>
        {actions}
        <p>
            <a class="button" href=format!("{page}/history")>{td_string!(locale, history.link)}</a>
        </p>
        <h2>{td_string!(locale, members.loans)}</h2>
        {if detail.loans.is_empty() {
            view! { <p>{td_string!(locale, members.no_loans)}</p> }.into_any()
        } else {
            let date = move |day: Option<String>| day.map(|day| human_date(locale, &day)).unwrap_or_else(|| "—".to_string());
            view! {
                <table class="changes member-loans">
                    <thead>
                        <tr>
                            <th scope="col">{td_string!(locale, book.copy)}</th>
                            <th scope="col">{td_string!(locale, members.lent_on)}</th>
                            <th scope="col">{td_string!(locale, members.due)}</th>
                            <th scope="col">{td_string!(locale, members.returned)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {detail.loans.into_iter().map(|loan| {
                            let title = match loan.book_id {
                                Some(book) => view! { <a href=format!("/books/{book}")>{loan.title}</a> }.into_any(),
                                None => view! { {loan.title} }.into_any(),
                            };
                            let returned = match loan.ended_on {
                                Some(day) => human_date(locale, &day),
                                None => td_string!(locale, members.out).to_string(),
                            };
                            view! {
                                <tr>
                                    <th scope="row">{title}</th>
                                    <td>{date(loan.lent_on)}</td>
                                    <td>{date(loan.due_back)}</td>
                                    <td>{returned}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}

/// `/members/new`: a username and an address; the new member is mailed a
/// link to choose their password.
#[component]
pub fn MemberNewPage() -> impl IntoView {
    // Nothing to read but whether the page may be shown (its inputs say).
    read_then_show(
        || (),
        |()| async { catalog_inputs().map(|_| ()) },
        |()| view! { <MemberNew /> },
    )
}

#[component]
fn MemberNew() -> impl IntoView {
    let locale = locale();
    let submitted = submitted();
    let title = td_string!(locale, members.create_title);
    view! {
        <PageTitle text=title.to_string() />
        <h1>{title}</h1>
        <form method="post" action="/members/new" class="form">
            <FormProblems submitted=submitted.clone() />
            <p class="help">{td_string!(locale, members.create_help)}</p>
            <Field
                name="username"
                label=td_string!(locale, members.username)
                required=true
                maxlength=150
                autocomplete="off"
                submitted=submitted.clone()
            />
            <Field
                name="email"
                label=td_string!(locale, members.email)
                kind="email"
                required=true
                autocomplete="off"
                submitted
            />
            <button type="submit">{td_string!(locale, members.submit)}</button>
        </form>
    }
}
