//! `/books` and `/books/{id}`.

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use crate::{
    layout::{or_error_page, PageTitle, Pager, PerPageForm, SearchForm},
    model::{BookDetail, BookSummary, ListPage},
    pages::reads,
};

#[component]
pub fn BookListPage() -> impl IntoView {
    let query = use_query_map();
    let page = move || query.read().get("page");
    let term = move || query.read().get("q").unwrap_or_default();
    let books = Resource::new(
        move || (page(), term()),
        |(page, term)| reads::books(page, (!term.is_empty()).then_some(term)),
    );

    view! {
        <PageTitle text="All books" />
        <h1>"All books"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let term = term();
                or_error_page(books.await, move |list| view! {
                    <SearchForm term=term.clone() />
                    <BookList list term />
                })
            })}
        </Suspense>
    }
}

#[component]
fn BookList(list: ListPage<BookSummary>, term: String) -> impl IntoView {
    let base = if term.is_empty() {
        "/books".to_string()
    } else {
        format!("/books?q={}", urlencode(&term))
    };
    let summary = match (term.is_empty(), list.total) {
        (true, n) => format!("{n} book{} in the catalog.", plural(n)),
        (false, 0) => format!("No books match “{term}”."),
        (false, n) => format!(
            "{n} book{} match{} “{term}”.",
            plural(n),
            if n == 1 { "es" } else { "" }
        ),
    };
    let per_page = list.per_page;
    view! {
        <p class="list-summary">{summary}</p>
        <ul class="item-list">
            {list.items.clone().into_iter().map(|book| view! {
                <li>
                    <A href=format!("/books/{}", book.id)>{book.title}</A>
                    {book.author.map(|author| view! {
                        " (" <A href=format!("/authors/{}", author.id)>{author.name}</A> ")"
                    })}
                </li>
            }).collect_view()}
        </ul>
        <Pager list base />
        <PerPageForm current=per_page />
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
    let genres = if book.genres.is_empty() {
        "—".to_string()
    } else {
        book.genres.join(", ")
    };
    view! {
        <PageTitle text=book.title.clone() />
        <h1>"Title: " {book.title}</h1>
        <p>
            <strong>"Author:"</strong> " "
            {match book.author {
                Some(author) => view! { <A href=format!("/authors/{}", author.id)>{author.name}</A> }.into_any(),
                None => view! { "Unknown" }.into_any(),
            }}
        </p>
        <p><strong>"Summary:"</strong> " " {book.summary}</p>
        <p><strong>"ISBN:"</strong> " " {book.isbn}</p>
        <p><strong>"Language:"</strong> " " {book.language.unwrap_or_else(|| "—".into())}</p>
        <p><strong>"Genre:"</strong> " " {genres}</p>
        <h2>"Copies"</h2>
        {if book.copies.is_empty() {
            view! { <p>"The library has no copies of this book."</p> }.into_any()
        } else {
            view! {
                <ul class="copies">
                    {book.copies.into_iter().map(|copy| view! {
                        <li class="copy">
                            <p class=copy.status.css_class()>{copy.status.label()}</p>
                            {copy.status.is_out().then(|| copy.due_back.clone()).flatten().map(|due| view! {
                                <p><strong>"Due back:"</strong> " " {crate::model::human_date(&due)}</p>
                            })}
                            <p><strong>"Imprint:"</strong> " " {copy.imprint}</p>
                            <p class="copy-id"><strong>"Id:"</strong> " " {copy.id}</p>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

fn plural(n: i64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Percent-encodes a query value (UTF-8, RFC 3986 unreserved kept).
pub fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
