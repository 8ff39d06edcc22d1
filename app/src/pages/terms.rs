//! `/genres` and `/languages`, each genre or language with its number of
//! books; `/genres/{id}` and `/languages/{id}`, a page of its books. A
//! book's page links to its genres and its language. For librarians,
//! `…/new`, `…/{id}/edit` (rename) and `…/{id}/delete` under each.

use leptos::prelude::*;
use leptos_i18n::td_string;

use crate::{
    form_fields::{CurrentValues, DeletePage, Field, FormProblems},
    language::Locale,
    layout::{PageTitle, Pager, PerPageForm},
    model::{Term, TermBooks, TermEdit, Vocabulary, MAX_NAME_CHARS},
    page_inputs::{locale, submitted, user},
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

#[component]
pub fn GenreFormPage() -> impl IntoView {
    term_form_page(Vocabulary::Genre)
}

#[component]
pub fn LanguageFormPage() -> impl IntoView {
    term_form_page(Vocabulary::Language)
}

#[component]
pub fn GenreDeletePage() -> impl IntoView {
    term_delete_page(Vocabulary::Genre)
}

#[component]
pub fn LanguageDeletePage() -> impl IntoView {
    term_delete_page(Vocabulary::Language)
}

/// `…/new` (no id: an empty form) and `…/{id}/edit`.
fn term_form_page(vocabulary: Vocabulary) -> impl IntoView {
    read_then_show(
        param("id"),
        move |id| reads::term_to_edit(vocabulary, id),
        move |term| view! { <TermFormView vocabulary term /> },
    )
}

fn term_delete_page(vocabulary: Vocabulary) -> impl IntoView {
    let id = param("id");
    read_then_show(
        id,
        move |id| reads::term_books(vocabulary, id, None),
        |books| view! { <TermDeleteView books /> },
    )
}

/// What a librarian may do with a genre or a language, on its page.
fn staff_actions(locale: Locale, vocabulary: Vocabulary, id: i64) -> impl IntoView {
    let base = format!("{}/{id}", vocabulary.path());
    user().is_some_and(|user| user.librarian).then(|| {
        view! {
            <p class="staff-actions">
                <a class="button" href=format!("{base}/edit")>{td_string!(locale, terms.rename)}</a>
                <a class="button" href=format!("{base}/delete")>{td_string!(locale, terms.delete)}</a>
                <a class="button" href=format!("{base}/history")>{td_string!(locale, history.link)}</a>
            </p>
        }
    })
}

#[component]
fn TermFormView(vocabulary: Vocabulary, term: Option<TermEdit>) -> impl IntoView {
    let locale = locale();
    let submitted = submitted();
    let (title, action) = match (&term, vocabulary) {
        (Some(term), Vocabulary::Genre) => (
            td_string!(locale, terms.rename_genre, name = &term.name).to_string(),
            format!("/genres/{}/edit", term.id),
        ),
        (Some(term), Vocabulary::Language) => (
            td_string!(locale, terms.rename_language, name = &term.name).to_string(),
            format!("/languages/{}/edit", term.id),
        ),
        (None, Vocabulary::Genre) => (
            td_string!(locale, terms.create_genre).to_string(),
            "/genres/new".to_string(),
        ),
        (None, Vocabulary::Language) => (
            td_string!(locale, terms.create_language).to_string(),
            "/languages/new".to_string(),
        ),
    };
    let name = term
        .as_ref()
        .map(|term| term.name.clone())
        .unwrap_or_default();
    let now = vec![(td_string!(locale, terms.name), name.clone())];
    let version = term.map(|term| term.version.to_string());
    view! {
        <PageTitle text=title.clone() />
        <h1>{title}</h1>
        <form method="post" action=action class="form">
            <FormProblems submitted=submitted.clone() />
            <CurrentValues submitted=submitted.clone() now />
            {version.map(|version| view! { <input type="hidden" name="version" value=version /> })}
            <Field
                name="name"
                label=td_string!(locale, terms.name)
                value=name
                required=true
                maxlength=MAX_NAME_CHARS
                submitted
            />
            <button type="submit">{td_string!(locale, terms.save)}</button>
        </form>
    }
}

#[component]
fn TermDeleteView(books: TermBooks) -> impl IntoView {
    let locale = locale();
    let (title, confirm) = match books.vocabulary {
        Vocabulary::Genre => (
            td_string!(locale, terms.delete_genre, name = &books.name).to_string(),
            td_string!(locale, terms.delete_genre_confirm),
        ),
        Vocabulary::Language => (
            td_string!(locale, terms.delete_language, name = &books.name).to_string(),
            td_string!(locale, terms.delete_language_confirm),
        ),
    };
    let page = format!("{}/{}", books.vocabulary.path(), books.id);
    // A language some book is in stays: the books in the way are listed.
    let in_the_way = (books.vocabulary == Vocabulary::Language && !books.list.items.is_empty())
        .then(|| {
            let titles = books
                .list
                .items
                .into_iter()
                .map(|book| (Some(format!("/books/{}", book.id)), book.title))
                .collect();
            (
                td_string!(locale, forms.language_has_books).to_string(),
                titles,
            )
        });
    view! {
        <DeletePage
            title
            page
            name=books.name
            confirm
            button=td_string!(locale, terms.delete)
            in_the_way
        />
    }
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
    let new = user().is_some_and(|user| user.librarian).then(|| {
        let label = match vocabulary {
            Vocabulary::Genre => td_string!(locale, terms.new_genre),
            Vocabulary::Language => td_string!(locale, terms.new_language),
        };
        view! {
            <p class="staff-actions">
                <a class="button" href=format!("{}/new", vocabulary.path())>{label}</a>
            </p>
        }
    });
    view! {
        <PageTitle text=heading.to_string() description=description.to_string() />
        <h1>{heading}</h1>
        {new}
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
    let staff = staff_actions(locale, books.vocabulary, books.id);
    view! {
        <PageTitle text=list_title(locale, &heading, &list) />
        <h1>{heading.clone()}</h1>
        {staff}
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
