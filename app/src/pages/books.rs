//! `/books` and `/books/{id}`.

use leptos::prelude::*;
use leptos_i18n::td_string;

use crate::{
    language::{human_date, Locale},
    layout::{PageTitle, Pager, PerPageForm},
    model::{Availability, BookCopy, BookDetail, BookSummary, CopyStatus, ListPage},
    page_inputs::{catalog_inputs, locale, user},
    pages::{
        reads,
        scaffold::{param, query, read_then_show},
    },
};

#[component]
pub fn BookListPage() -> impl IntoView {
    let (page, term) = (query("page"), query("q"));
    let shown_term = term.clone();
    read_then_show(
        move || (page(), term().unwrap_or_default()),
        |(page, term)| reads::books(page, (!term.trim().is_empty()).then_some(term)),
        move |list| {
            let term = shown_term().unwrap_or_default().trim().to_string();
            view! { <BookList list term /> }
        },
    )
}

#[component]
fn BookList(list: ListPage<BookSummary>, term: String) -> impl IntoView {
    let locale = locale();
    let searching = !term.is_empty();
    let heading = if searching {
        td_string!(locale, books.matching, term = &term).to_string()
    } else {
        td_string!(locale, books.all).to_string()
    };
    let title = list_title(locale, &heading, &list);
    let base = if searching {
        format!("/books?q={}", urlencode(&term))
    } else {
        "/books".to_string()
    };
    let summary = match (searching, list.total) {
        (false, 0) => td_string!(locale, books.catalog_empty).to_string(),
        (false, count) => td_string!(locale, books.in_catalog, count).to_string(),
        (true, 0) => td_string!(locale, books.no_match, term = &term).to_string(),
        (true, count) => td_string!(locale, books.matches, count).to_string(),
    };
    let empty = list.items.is_empty();
    let per_page = list.per_page;
    let staff = user().is_some_and(|user| user.librarian).then(|| {
        view! {
            <p class="staff-actions">
                <a class="button" href="/books/new">{td_string!(locale, book.new)}</a>
            </p>
        }
    });
    view! {
        <PageTitle text=title />
        <h1>{heading}</h1>
        {staff}
        <p class="list-summary" role="status">{summary}</p>
        {if empty {
            searching.then(|| view! {
                <p>
                    {td_string!(locale, books.try_again)}
                    <a class="button" href="/books">{td_string!(locale, books.show_all)}</a>
                </p>
            }).into_any()
        } else {
            view! {
                <ul class="item-list">
                    {list.items.clone().into_iter().map(|book| view! { <BookRow book /> }).collect_view()}
                </ul>
                <Pager list base=base.clone() />
                <PerPageForm current=per_page back=base />
            }.into_any()
        }}
    }
}

#[component]
pub fn BookRow(book: BookSummary) -> impl IntoView {
    let availability = book.availability(locale());
    let badge = if book.available > 0 {
        "badge status-available"
    } else {
        "badge status-none"
    };
    view! {
        <li class="item">
            <a class="item-title" href=format!("/books/{}", book.id)>{book.title}</a>
            <span class="item-meta">
                {book.author.map(|author| view! {
                    <a href=format!("/authors/{}", author.id)>{author.name}</a>
                })}
                <span class=badge>{availability}</span>
            </span>
        </li>
    }
}

#[component]
pub fn BookDetailPage() -> impl IntoView {
    read_then_show(
        param("id"),
        reads::book,
        |book| view! { <BookDetailView book /> },
    )
}

#[component]
fn BookDetailView(book: BookDetail) -> impl IntoView {
    let locale = locale();
    // What is overdue: the page's inputs always have today.
    let today = catalog_inputs().map_or(time::Date::MIN, |inputs| inputs.today);
    let availability = book.availability(today);
    let genres = if book.genres.is_empty() {
        view! { "—" }.into_any()
    } else {
        let last = book.genres.len() - 1;
        book.genres
            .into_iter()
            .enumerate()
            .map(|(n, genre)| {
                view! {
                    <a href=format!("/genres/{}", genre.id)>{genre.name}</a>
                    {(n < last).then_some(", ")}
                }
            })
            .collect_view()
            .into_any()
    };
    let title = &book.title;
    let description = match &book.author {
        Some(author) => {
            td_string!(locale, book.description, title, author = &author.name).to_string()
        }
        None => td_string!(locale, book.description_no_author, title).to_string(),
    };
    let staff = user().is_some_and(|user| user.librarian).then(|| {
        view! {
            <p class="staff-actions">
                <a class="button" href=format!("/books/{}/edit", book.id)>
                    {td_string!(locale, book.edit)}
                </a>
                <a class="button" href=format!("/books/{}/delete", book.id)>
                    {td_string!(locale, book.delete)}
                </a>
                <a class="button" href=format!("/books/{}/copies/new", book.id)>
                    {td_string!(locale, copies.add)}
                </a>
                <a class="button" href=format!("/books/{}/history", book.id)>
                    {td_string!(locale, history.link)}
                </a>
            </p>
        }
    });
    view! {
        <PageTitle text=book.title.clone() description />
        <article class="book">
            <h1>{book.title}</h1>
            <p class="byline">
                {match book.author {
                    Some(author) => view! {
                        {td_string!(locale, book.by)}
                        <a href=format!("/authors/{}", author.id)>{author.name}</a>
                    }.into_any(),
                    None => td_string!(locale, book.author_unknown).into_any(),
                }}
            </p>
            <AvailabilitySummary availability locale />
            {staff}
            <p class="summary">{book.summary}</p>
            <dl class="facts">
                <dt>{td_string!(locale, book.isbn)}</dt><dd>{book.isbn}</dd>
                <dt>{td_string!(locale, book.language)}</dt>
                <dd>
                    {match book.language {
                        Some(language) => view! {
                            <a href=format!("/languages/{}", language.id)>{language.name}</a>
                        }.into_any(),
                        None => view! { "—" }.into_any(),
                    }}
                </dd>
                <dt>{td_string!(locale, book.genre)}</dt><dd>{genres}</dd>
            </dl>
            <h2>{td_string!(locale, book.copies)}</h2>
            {if book.copies.is_empty() {
                view! { <p>{td_string!(locale, book.no_copies)}</p> }.into_any()
            } else {
                view! {
                    <ul class="copies">
                        {book
                            .copies
                            .into_iter()
                            .map(|copy| view! { <CopyRow copy today locale /> })
                            .collect_view()}
                    </ul>
                }.into_any()
            }}
        </article>
    }
}

/// What a visitor comes to a book's page for: can it be borrowed?
#[component]
fn AvailabilitySummary(availability: Availability, locale: Locale) -> impl IntoView {
    let (class, text, due) = match availability {
        Availability::Available { available, copies } => (
            "availability availability-yes",
            td_string!(locale, book.available_count, available, count = copies).to_string(),
            None,
        ),
        Availability::NoneAvailable {
            copies,
            due,
            overdue,
        } => (
            "availability availability-no",
            if copies == 1 {
                td_string!(locale, book.only_copy_out).to_string()
            } else {
                td_string!(locale, book.none_available, copies).to_string()
            },
            due.map(|due| (due, overdue)),
        ),
        Availability::NoCopies => (
            "availability availability-no",
            td_string!(locale, book.no_copies_summary).to_string(),
            None,
        ),
    };
    view! {
        <div class=class>
            <p class="availability-count">{text}</p>
            {due.map(|(due, overdue)| {
                view! {
                    <p>
                        {td_string!(locale, book.earliest_due)} {human_date(locale, &due)}
                        {overdue.then(|| view! { " " <OverdueBadge locale /> })}
                    </p>
                }
            })}
        </div>
    }
}

#[component]
fn CopyRow(copy: BookCopy, today: time::Date, locale: Locale) -> impl IntoView {
    let overdue = copy.is_overdue(today);
    let due = copy.due().map(|due| human_date(locale, due));
    let staff = user()
        .is_some_and(|user| user.librarian)
        .then(|| view! { <CopyActions copy=copy.clone() locale /> });
    view! {
        <li class="copy">
            <p class="copy-status">
                <span class=copy.status.css_class()>{copy.status.label(locale)}</span>
                {overdue.then(|| view! { " " <OverdueBadge locale /> })}
                {due.map(|due| view! { <span class="due">{td_string!(locale, book.due_back)} {due}</span> })}
            </p>
            <p class="imprint">{copy.imprint}</p>
            <p class="copy-id">{td_string!(locale, book.copy)} <code>{copy.id}</code></p>
            {staff}
        </li>
    }
}

/// What a librarian can do with a copy from its book's page: lend it if it
/// is available (a form of its own: to whom, until when), mark it returned
/// if it is on loan (one button), and see who has it; edit it, and delete
/// it unless it is on loan.
#[component]
fn CopyActions(copy: BookCopy, locale: Locale) -> impl IntoView {
    let manage = view! {
        <p class="copy-actions">
            <a class="button" href=format!("/copies/{}/edit", copy.id)>
                {td_string!(locale, copies.edit)}
            </a>
            {(copy.status != CopyStatus::OnLoan).then(|| view! {
                <a class="button" href=format!("/copies/{}/delete", copy.id)>
                    {td_string!(locale, copies.delete)}
                </a>
            })}
        </p>
    };
    let circulation = match copy.status {
        CopyStatus::Available => view! {
            <p class="copy-actions">
                <a class="button" href=format!("/copies/{}/lend", copy.id)>
                    {td_string!(locale, loans.lend_copy)}
                </a>
            </p>
        }
        .into_any(),
        CopyStatus::OnLoan => {
            let borrower = copy
                .borrower
                .unwrap_or_else(|| td_string!(locale, loans.borrower_unknown).to_string());
            view! {
                <form
                    method="post"
                    action=format!("/copies/{}/return", copy.id)
                    class="copy-actions"
                >
                    <span class="borrower">{td_string!(locale, loans.borrower)} {borrower}</span>
                    <button type="submit">{td_string!(locale, loans.mark_returned)}</button>
                </form>
            }
            .into_any()
        }
        _ => ().into_any(),
    };
    view! { {circulation} {manage} }
}

/// A late loan, in words as well as in red.
#[component]
pub fn OverdueBadge(locale: Locale) -> impl IntoView {
    view! { <span class="badge status-overdue">{td_string!(locale, book.overdue)}</span> }
}

/// What a list's page is titled: its heading, and where it is in the list
/// when there is more than one page.
pub fn list_title<T>(locale: Locale, heading: &str, list: &ListPage<T>) -> String {
    if list.pages > 1 {
        let (page, pages) = (list.page, list.pages);
        td_string!(locale, lists.title_with_page, heading, page, pages).to_string()
    } else {
        heading.to_string()
    }
}

/// Encodes a query value (as a form would).
pub fn urlencode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
