//! `/authors` and `/authors/{id}`.

use leptos::prelude::*;
use leptos_i18n::td_string;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    layout::{or_error_page, PageTitle, Pager, PerPageForm},
    model::{AuthorDetail, AuthorSummary},
    page_inputs::locale,
    pages::{
        books::{list_title, Loading},
        reads,
    },
};

#[component]
pub fn AuthorListPage() -> impl IntoView {
    let query = use_query_map();
    let authors = Resource::new(move || query.read().get("page"), reads::authors);

    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                or_error_page(authors.await, move |list| {
                    let locale = locale();
                    let per_page = list.per_page;
                    let heading = td_string!(locale, authors.all);
                    let title = list_title(locale, heading, &list);
                    let count = list.total;
                    view! {
                        <PageTitle text=title />
                        <h1>{heading}</h1>
                        <p class="list-summary">
                            {td_string!(locale, authors.in_catalog, count).to_string()}
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
    let locale = locale();
    let dates = author.life_dates(locale);
    view! {
        <li class="item">
            <a class="item-title" href=format!("/authors/{}", author.id)>{author.name()}</a>
            <span class="item-meta">
                {(!dates.is_empty()).then(|| view! { <span>{dates}</span> })}
                <span>{author.book_count(locale)}</span>
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
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                or_error_page(author.await, |detail| view! { <AuthorDetailView detail /> })
            })}
        </Suspense>
    }
}

#[component]
fn AuthorDetailView(detail: AuthorDetail) -> impl IntoView {
    let locale = locale();
    let author = detail.author;
    let name = author.name();
    let dates = author.life_dates(locale);
    let description = td_string!(locale, authors.description, name = &name).to_string();
    let count = detail.books.len();
    view! {
        <PageTitle text=name.clone() description />
        <h1>{name}</h1>
        {(!dates.is_empty()).then(|| view! { <p class="life-dates">{dates}</p> })}
        <h2>{td_string!(locale, authors.books, count).to_string()}</h2>
        {if detail.books.is_empty() {
            view! { <p>{td_string!(locale, authors.no_books)}</p> }.into_any()
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
