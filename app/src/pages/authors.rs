//! `/authors` and `/authors/{id}`.

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use crate::{
    layout::{or_error_page, PageTitle, Pager, PerPageForm},
    model::AuthorDetail,
    pages::reads,
};

#[component]
pub fn AuthorListPage() -> impl IntoView {
    let query = use_query_map();
    let authors = Resource::new(move || query.read().get("page"), reads::authors);

    view! {
        <PageTitle text="All authors" />
        <h1>"All authors"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                or_error_page(authors.await, move |list| {
                    let per_page = list.per_page;
                    view! {
                        <ul class="item-list">
                            {list.items.clone().into_iter().map(|author| {
                                let dates = author.life_dates();
                                view! {
                                    <li>
                                        <A href=format!("/authors/{}", author.id)>
                                            {format!("{}, {}", author.last_name, author.first_name)}
                                        </A>
                                        {(!dates.is_empty()).then(|| format!(" ({dates})"))}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <Pager list base="/authors".to_string() />
                        <PerPageForm current=per_page />
                    }
                })
            })}
        </Suspense>
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
    let name = format!("{}, {}", author.last_name, author.first_name);
    let dates = author.life_dates();
    view! {
        <PageTitle text=name.clone() />
        <h1>"Author: " {name}</h1>
        {(!dates.is_empty()).then(|| view! { <p class="life-dates">{dates}</p> })}
        <h2>"Books"</h2>
        {if detail.books.is_empty() {
            view! { <p>"The library has no books by this author."</p> }.into_any()
        } else {
            view! {
                <dl class="author-books">
                    {detail.books.into_iter().map(|book| view! {
                        <dt><A href=format!("/books/{}", book.id)>{book.title}</A></dt>
                        <dd>{book.summary}</dd>
                    }).collect_view()}
                </dl>
            }.into_any()
        }}
    }
}
