//! `/genres` and `/languages`, each genre or language with its number of
//! books; `/genres/{id}` and `/languages/{id}`, a page of its books. A
//! book's page links to its genres and its language.

use leptos::prelude::*;
use leptos_i18n::td_string;

use crate::{
    language::Locale,
    layout::{PageTitle, Pager, PerPageForm},
    model::{Term, TermBooks, Vocabulary},
    page_inputs::locale,
    pages::{
        books::{list_title, BookRow},
        reads,
        scaffold::{param, query, read_then_show},
    },
};

#[component]
pub fn GenreListPage() -> impl IntoView {
    term_list_page(Vocabulary::Genre)
}

#[component]
pub fn LanguageListPage() -> impl IntoView {
    term_list_page(Vocabulary::Language)
}

#[component]
pub fn GenrePage() -> impl IntoView {
    term_page(Vocabulary::Genre)
}

#[component]
pub fn LanguagePage() -> impl IntoView {
    term_page(Vocabulary::Language)
}

fn term_list_page(vocabulary: Vocabulary) -> impl IntoView {
    read_then_show(
        || (),
        move |()| reads::terms(vocabulary),
        move |terms| view! { <TermList vocabulary terms /> },
    )
}

fn term_page(vocabulary: Vocabulary) -> impl IntoView {
    let (id, page) = (param("id"), query("page"));
    read_then_show(
        move || (id(), page()),
        move |(id, page)| reads::term_books(vocabulary, id, page),
        |books| view! { <TermBooksView books /> },
    )
}

fn list_heading(locale: Locale, vocabulary: Vocabulary) -> (&'static str, &'static str) {
    match vocabulary {
        Vocabulary::Genre => (
            td_string!(locale, terms.genres_title),
            td_string!(locale, terms.genres_description),
        ),
        Vocabulary::Language => (
            td_string!(locale, terms.languages_title),
            td_string!(locale, terms.languages_description),
        ),
    }
}

#[component]
fn TermList(vocabulary: Vocabulary, terms: Vec<Term>) -> impl IntoView {
    let locale = locale();
    let (heading, description) = list_heading(locale, vocabulary);
    let body = if terms.is_empty() {
        view! { <p>{td_string!(locale, terms.none)}</p> }.into_any()
    } else {
        view! {
            <ul class="item-list">
                {terms.into_iter().map(|term| {
                    let books = td_string!(locale, authors.book_count, count = term.books).to_string();
                    view! {
                        <li class="item">
                            <a class="item-title" href=format!("{}/{}", vocabulary.path(), term.id)>
                                {term.name}
                            </a>
                            <span class="item-meta"><span>{books}</span></span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <PageTitle text=heading.to_string() description=description.to_string() />
        <h1>{heading}</h1>
        {body}
    }
}

#[component]
fn TermBooksView(books: TermBooks) -> impl IntoView {
    let locale = locale();
    let heading = match books.vocabulary {
        Vocabulary::Genre => td_string!(locale, terms.genre_title, name = &books.name),
        Vocabulary::Language => td_string!(locale, terms.language_title, name = &books.name),
    }
    .to_string();
    let base = format!("{}/{}", books.vocabulary.path(), books.id);
    let list = books.list;
    let per_page = list.per_page;
    let count = list.total;
    let (all, _) = list_heading(locale, books.vocabulary);
    view! {
        <PageTitle text=list_title(locale, &heading, &list) />
        <h1>{heading.clone()}</h1>
        {if list.items.is_empty() {
            view! { <p>{td_string!(locale, terms.no_books)}</p> }.into_any()
        } else {
            view! {
                <p class="list-summary">
                    {td_string!(locale, authors.book_count, count).to_string()}
                </p>
                <ul class="item-list">
                    {list.items.clone().into_iter().map(|book| view! { <BookRow book /> }).collect_view()}
                </ul>
                <Pager list base=base.clone() />
                <PerPageForm current=per_page back=base />
            }
            .into_any()
        }}
        <p><a href=books.vocabulary.path()>{all}</a></p>
    }
}
