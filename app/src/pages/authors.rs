//! `/authors` and `/authors/{id}`.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    layout::{or_error_page, PageTitle, Pager, PerPageForm},
    model::{AuthorDetail, AuthorSummary},
    pages::reads,
};

#[component]
pub fn AuthorListPage() -> impl IntoView {
    let query = use_query_map();
    let authors = Resource::new(move || query.read().get("page"), reads::authors);

    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                or_error_page(authors.await, move |list| {
                    let per_page = list.per_page;
                    let title = if list.pages > 1 {
                        format!("All authors (page {} of {})", list.page, list.pages)
                    } else {
                        "All authors".to_string()
                    };
                    let n = list.total;
                    view! {
                        <PageTitle text=title />
                        <h1>"All authors"</h1>
                        <p class="list-summary">
                            {format!("{n} author{} in the catalog, by last name.", if n == 1 { "" } else { "s" })}
                        </p>
                        <ul class="item-list">
                            {list.items.clone().into_iter().map(|author| view! { <AuthorRow author /> }).collect_view()}
                        </ul>
                        <Pager list base="/authors".to_string() />
                        <PerPageForm current=per_page back="/authors".to_string() />
                    }
                })
            })}
        </Suspense>
    }
}

#[component]
fn AuthorRow(author: AuthorSummary) -> impl IntoView {
    let dates = author.life_dates();
    view! {
        <li class="item">
            <a class="item-title" href=format!("/authors/{}", author.id)>{author.name()}</a>
            <span class="item-meta">
                {(!dates.is_empty()).then(|| view! { <span>{dates}</span> })}
                <span>{author.book_count()}</span>
            </span>
        </li>
    }
}

#[component]
pub fn AuthorDetailPage() -> impl IntoView {
    let params = use_params_map();
    let author = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        reads::author,
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                or_error_page(author.await, |detail| view! { <AuthorDetailView detail /> })
            })}
        </Suspense>
    }
}

#[component]
fn AuthorDetailView(detail: AuthorDetail) -> impl IntoView {
    let author = detail.author;
    let name = author.name();
    let dates = author.life_dates();
    let description = format!("Books by {name} at LocalLibrary.");
    view! {
        <PageTitle text=name.clone() description />
        <h1>{name}</h1>
        {(!dates.is_empty()).then(|| view! { <p class="life-dates">{dates}</p> })}
        <h2>{format!("Books ({})", detail.books.len())}</h2>
        {if detail.books.is_empty() {
            view! { <p>"The library has no books by this author."</p> }.into_any()
        } else {
            view! {
                <dl class="author-books">
                    {detail.books.into_iter().map(|book| view! {
                        <dt><a href=format!("/books/{}", book.id)>{book.title}</a></dt>
                        <dd>{book.summary}</dd>
                    }).collect_view()}
                </dl>
            }.into_any()
        }}
    }
}
