//! `/books` and `/books/{id}`.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    layout::{or_error_page, PageTitle, Pager, PerPageForm},
    model::{human_date, Availability, BookCopy, BookDetail, BookSummary, ListPage},
    pages::reads,
};

#[component]
pub fn BookListPage() -> impl IntoView {
    let query = use_query_map();
    let page = move || query.read().get("page");
    let term = move || query.read().get("q").unwrap_or_default();
    let books = Resource::new(
        move || (page(), term()),
        |(page, term)| reads::books(page, (!term.trim().is_empty()).then_some(term)),
    );

    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let term = term().trim().to_string();
                or_error_page(books.await, move |list| view! { <BookList list term /> })
            })}
        </Suspense>
    }
}

#[component]
fn BookList(list: ListPage<BookSummary>, term: String) -> impl IntoView {
    let searching = !term.is_empty();
    let heading = if searching {
        format!("Books matching “{term}”")
    } else {
        "All books".to_string()
    };
    let title = if list.pages > 1 {
        format!("{heading} (page {} of {})", list.page, list.pages)
    } else {
        heading.clone()
    };
    let base = if searching {
        format!("/books?q={}", urlencode(&term))
    } else {
        "/books".to_string()
    };
    let n = list.total;
    let summary = match (searching, n) {
        (false, 0) => "The catalog has no books yet.".to_string(),
        (false, n) => format!("{n} book{} in the catalog, by title.", plural(n)),
        (true, 0) => format!("No books match “{term}”."),
        (true, n) => format!(
            "{n} book{} match{}, best matches first.",
            plural(n),
            if n == 1 { "es" } else { "" }
        ),
    };
    let empty = list.items.is_empty();
    let per_page = list.per_page;
    view! {
        <PageTitle text=title />
        <h1>{heading}</h1>
        <p class="list-summary" role="status">{summary}</p>
        {if empty {
            searching.then(|| view! {
                <p>
                    "Check the spelling, or search with fewer words. "
                    <a class="button" href="/books">"Show all books"</a>
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
fn BookRow(book: BookSummary) -> impl IntoView {
    let availability = book.availability();
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
    let params = use_params_map();
    let book = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        reads::book,
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                or_error_page(book.await, |book| view! { <BookDetailView book /> })
            })}
        </Suspense>
    }
}

#[component]
fn BookDetailView(book: BookDetail) -> impl IntoView {
    let availability = book.availability();
    let genres = if book.genres.is_empty() {
        "—".to_string()
    } else {
        book.genres.join(", ")
    };
    let byline = book.author.as_ref().map(|author| author.name.clone());
    let description = match &byline {
        Some(author) => format!(
            "{} by {author}: availability and copies at LocalLibrary.",
            book.title
        ),
        None => format!("{}: availability and copies at LocalLibrary.", book.title),
    };
    let today = book.today.clone();
    view! {
        <PageTitle text=book.title.clone() description />
        <article class="book">
            <h1>{book.title}</h1>
            <p class="byline">
                {match book.author {
                    Some(author) => view! {
                        "by " <a href=format!("/authors/{}", author.id)>{author.name}</a>
                    }.into_any(),
                    None => view! { "Author unknown" }.into_any(),
                }}
            </p>
            <AvailabilitySummary availability />
            <p class="summary">{book.summary}</p>
            <dl class="facts">
                <dt>"ISBN"</dt><dd>{book.isbn}</dd>
                <dt>"Language"</dt><dd>{book.language.unwrap_or_else(|| "—".into())}</dd>
                <dt>"Genre"</dt><dd>{genres}</dd>
            </dl>
            <h2>"Copies"</h2>
            {if book.copies.is_empty() {
                view! { <p>"The library has no copies of this book."</p> }.into_any()
            } else {
                view! {
                    <ul class="copies">
                        {book.copies.into_iter().map(|copy| view! { <CopyRow copy today=today.clone() /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </article>
    }
}

/// What a visitor comes to a book's page for: can it be borrowed?
#[component]
fn AvailabilitySummary(availability: Availability) -> impl IntoView {
    let (class, text, due) = match availability {
        Availability::Available { available, copies } => (
            "availability availability-yes",
            format!("{available} of {copies} {} available", copies_word(copies)),
            None,
        ),
        Availability::NoneAvailable {
            copies,
            due,
            overdue,
        } => (
            "availability availability-no",
            if copies == 1 {
                "The library's only copy is not available".to_string()
            } else {
                format!("None of the library's {copies} copies is available")
            },
            due.map(|due| (due, overdue)),
        ),
        Availability::NoCopies => (
            "availability availability-no",
            "The library has no copies of this book".to_string(),
            None,
        ),
    };
    view! {
        <div class=class>
            <p class="availability-count">{text}</p>
            {due.map(|(due, overdue)| {
                view! {
                    <p>
                        "Earliest due back: " {human_date(&due)}
                        {overdue.then(|| view! { " " <span class="badge status-overdue">"Overdue"</span> })}
                    </p>
                }
            })}
        </div>
    }
}

fn copies_word(copies: usize) -> &'static str {
    if copies == 1 {
        "copy"
    } else {
        "copies"
    }
}

#[component]
fn CopyRow(copy: BookCopy, today: String) -> impl IntoView {
    let overdue = copy.is_overdue(&today);
    let due = copy.due().map(human_date);
    view! {
        <li class="copy">
            <p class="copy-status">
                <span class=copy.status.css_class()>{copy.status.label()}</span>
                {overdue.then(|| view! { " " <span class="badge status-overdue">"Overdue"</span> })}
                {due.map(|due| view! { <span class="due">" Due back " {due}</span> })}
            </p>
            <p class="imprint">{copy.imprint}</p>
            <p class="copy-id">"Copy " <code>{copy.id}</code></p>
        </li>
    }
}

fn plural(n: i64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Encodes a query value (as a form would).
pub fn urlencode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
