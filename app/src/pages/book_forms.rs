//! For librarians: `/books/new`, `/books/{id}/edit` and
//! `/books/{id}/delete`.

use leptos::prelude::*;
use leptos_i18n::td_string;

use crate::{
    form_fields::{Choices, CurrentValues, DeletePage, Field, FormProblems, Select},
    layout::PageTitle,
    model::{
        BookDetail, BookFormContent, TermRef, AUTHOR_CHOICES, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS,
    },
    page_inputs::{locale, submitted},
    pages::{
        reads,
        scaffold::{param, read_then_show},
    },
    problems::Problem,
};

/// `/books/new` and `/books/{id}/edit`: the book form, empty or with the
/// book as it is (or as posted, with what is wrong with it).
#[component]
pub fn BookFormPage() -> impl IntoView {
    // `/books/new` has no id: an empty form.
    read_then_show(
        param("id"),
        reads::book_form,
        |content| view! { <BookForm content /> },
    )
}

/// Each term as a choice: its id and its name.
fn options(terms: &[TermRef]) -> Vec<(String, String)> {
    terms
        .iter()
        .map(|term| (term.id.to_string(), term.name.clone()))
        .collect()
}

/// The names of the terms whose ids are `ids`, as the page lists them.
fn names(terms: &[TermRef], ids: &[i64]) -> String {
    terms
        .iter()
        .filter(|term| ids.contains(&term.id))
        .map(|term| term.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
fn BookForm(content: BookFormContent) -> impl IntoView {
    let locale = locale();
    let submitted = submitted();
    let BookFormContent {
        book,
        languages,
        genres,
        author_choices,
    } = content;
    let (title, action) = match &book {
        Some(book) => (
            td_string!(locale, book.update_title, title = &book.title).to_string(),
            format!("/books/{}/edit", book.id),
        ),
        None => (
            td_string!(locale, book.create_title).to_string(),
            "/books/new".to_string(),
        ),
    };
    let author_name = book
        .as_ref()
        .and_then(|book| book.author.as_ref())
        .map(|author| author.name.clone())
        .unwrap_or_default();
    let language_id = book.as_ref().and_then(|book| book.language_id);
    let genre_ids = book
        .as_ref()
        .map(|book| book.genre_ids.clone())
        .unwrap_or_default();
    let now = book
        .as_ref()
        .map(|book| {
            let language = language_id.map(|id| names(&languages, &[id]));
            vec![
                (td_string!(locale, book.title_label), book.title.clone()),
                (td_string!(locale, book.author_label), author_name.clone()),
                (td_string!(locale, book.summary_label), book.summary.clone()),
                (td_string!(locale, book.isbn_label), book.isbn.clone()),
                (
                    td_string!(locale, book.language_label),
                    language.unwrap_or_default(),
                ),
                (
                    td_string!(locale, book.genres_label),
                    names(&genres, &genre_ids),
                ),
            ]
        })
        .unwrap_or_default();
    let field = |name: &str| {
        submitted
            .as_ref()
            .and_then(|form| form.value(name).map(str::to_string))
    };
    // The author the form carries: the one it opened with, or as posted
    // (unless the librarian is to choose among several, below).
    let carried = field("author").or_else(|| {
        book.as_ref()
            .and_then(|book| book.author.as_ref())
            .map(|author| author.id.to_string())
    });
    let more = author_choices.len() > AUTHOR_CHOICES;
    let choices: Vec<(String, String)> = author_choices
        .into_iter()
        .take(AUTHOR_CHOICES)
        .map(|author| (author.id.to_string(), author.name))
        .collect();
    let author_choice = if choices.is_empty() {
        carried
            .map(|id| view! { <input type="hidden" name="author" value=id /> })
            .into_any()
    } else {
        view! {
            <Choices
                name="author"
                legend=td_string!(locale, book.author_choices)
                options=choices
                submitted=None
            />
            {more.then(|| view! { <p class="help">{td_string!(locale, book.author_more)}</p> })}
        }
        .into_any()
    };
    let mut language_options = vec![(
        String::new(),
        td_string!(locale, book.no_language).to_string(),
    )];
    language_options.extend(options(&languages));
    // The version the form was opened at; after a refused save, the one
    // just shown, so that saving again replaces it knowingly.
    let version = book.as_ref().map(|book| book.version.to_string());
    let book_value =
        |value: fn(&crate::model::BookEdit) -> String| book.as_ref().map(value).unwrap_or_default();
    view! {
        <PageTitle text=title.clone() />
        <h1>{title}</h1>
        <form method="post" action=action class="form">
            <FormProblems submitted=submitted.clone() />
            <CurrentValues submitted=submitted.clone() now />
            {version.map(|version| view! { <input type="hidden" name="version" value=version /> })}
            <Field
                name="title"
                label=td_string!(locale, book.title_label)
                value=book_value(|book| book.title.clone())
                required=true
                maxlength=MAX_TITLE_CHARS
                submitted=submitted.clone()
            />
            <Field
                name="author_name"
                label=td_string!(locale, book.author_label)
                value=author_name
                required=true
                help=td_string!(locale, book.author_help)
                submitted=submitted.clone()
            />
            {author_choice}
            <p class="help">
                <a href="/authors/new">{td_string!(locale, book.add_author)}</a>
            </p>
            <Field
                name="summary"
                label=td_string!(locale, book.summary_label)
                kind="textarea"
                value=book_value(|book| book.summary.clone())
                required=true
                maxlength=MAX_SUMMARY_CHARS
                help=td_string!(locale, book.summary_help)
                submitted=submitted.clone()
            />
            <Field
                name="isbn"
                label=td_string!(locale, book.isbn_label)
                value=book_value(|book| book.isbn.clone())
                required=true
                help=td_string!(locale, book.isbn_help)
                submitted=submitted.clone()
            />
            <Select
                name="language"
                label=td_string!(locale, book.language_label)
                options=language_options
                value=language_id.map(|id| id.to_string()).unwrap_or_default()
                submitted=submitted.clone()
            />
            <Choices
                name="genres"
                legend=td_string!(locale, book.genres_label)
                options=options(&genres)
                values=genre_ids.iter().map(i64::to_string).collect()
                several=true
                help=td_string!(locale, book.genres_help)
                submitted
            />
            <button type="submit">{td_string!(locale, book.submit)}</button>
        </form>
    }
}

/// `/books/{id}/delete`: the book and, if the library has no copy of it,
/// the button that deletes it; else the copies in the way.
#[component]
pub fn BookDeletePage() -> impl IntoView {
    read_then_show(
        param("id"),
        reads::book,
        |book| view! { <BookDelete book /> },
    )
}

#[component]
fn BookDelete(book: BookDetail) -> impl IntoView {
    let locale = locale();
    let in_the_way = (!book.copies.is_empty()).then(|| {
        let copies = book
            .copies
            .iter()
            .map(|copy| {
                let status = copy.status.label(locale);
                (None, format!("{} {} — {status}", copy.id, copy.imprint))
            })
            .collect();
        (Problem::BookHasCopies.message(locale), copies)
    });
    view! {
        <DeletePage
            title=td_string!(locale, book.delete_title, title = &book.title).to_string()
            page=format!("/books/{}", book.id)
            name=book.title.clone()
            confirm=td_string!(locale, book.delete_confirm)
            button=td_string!(locale, book.delete)
            in_the_way
        />
    }
}
