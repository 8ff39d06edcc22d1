//! `/authors` and `/authors/{id}`; for librarians, `/authors/new`,
//! `/authors/{id}/edit` and `/authors/{id}/delete`.

use leptos::prelude::*;
use leptos_i18n::td_string;

use crate::{
    form_fields::{CurrentValues, DeletePage, Field, FormProblems},
    layout::{PageTitle, Pager, PerPageForm},
    model::{AuthorDetail, AuthorSummary, ListPage, MAX_NAME_CHARS},
    page_inputs::{catalog_inputs, locale, submitted, user},
    pages::{
        books::list_title,
        reads,
        scaffold::{param, query, read_then_show},
    },
    problems::Problem,
};

#[component]
pub fn AuthorListPage() -> impl IntoView {
    read_then_show(
        query("page"),
        reads::authors,
        |list| view! { <AuthorList list /> },
    )
}

#[component]
fn AuthorList(list: ListPage<AuthorSummary>) -> impl IntoView {
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
    read_then_show(
        param("id"),
        reads::author,
        |detail| view! { <AuthorDetailView detail /> },
    )
}

#[component]
fn AuthorDetailView(detail: AuthorDetail) -> impl IntoView {
    let locale = locale();
    let author = detail.author;
    let name = author.name();
    let dates = author.life_dates(locale);
    let description = td_string!(locale, authors.description, name = &name).to_string();
    let count = detail.books.len();
    let staff = user().is_some_and(|user| user.librarian).then(|| {
        view! {
            <p class="staff-actions">
                <a class="button" href=format!("/authors/{}/edit", author.id)>
                    {td_string!(locale, authors.edit)}
                </a>
                <a class="button" href=format!("/authors/{}/delete", author.id)>
                    {td_string!(locale, authors.delete)}
                </a>
                <a class="button" href=format!("/authors/{}/history", author.id)>
                    {td_string!(locale, history.link)}
                </a>
            </p>
        }
    });
    view! {
        <PageTitle text=name.clone() description />
        <h1>{name}</h1>
        {(!dates.is_empty()).then(|| view! { <p class="life-dates">{dates}</p> })}
        {staff}
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

/// `/authors/new` and `/authors/{id}/edit`: the author form, empty or with
/// the author as they are (or as posted, with what is wrong with it).
#[component]
pub fn AuthorFormPage() -> impl IntoView {
    // `/authors/new` has no id: an empty form.
    read_then_show(
        param("id"),
        |id| async move {
            if id.is_empty() {
                catalog_inputs().map(|_| None)
            } else {
                reads::author(id).await.map(|detail| Some(detail.author))
            }
        },
        |author| view! { <AuthorForm author /> },
    )
}

#[component]
fn AuthorForm(author: Option<AuthorSummary>) -> impl IntoView {
    let locale = locale();
    let submitted = submitted();
    let (title, action) = match &author {
        Some(author) => (
            td_string!(locale, authors.update_title, name = author.name()).to_string(),
            format!("/authors/{}/edit", author.id),
        ),
        None => (
            td_string!(locale, authors.create_title).to_string(),
            "/authors/new".to_string(),
        ),
    };
    let current = |value: fn(&AuthorSummary) -> Option<String>| {
        author.as_ref().and_then(value).unwrap_or_default()
    };
    let now = vec![
        (
            td_string!(locale, authors.first_name),
            current(|a| Some(a.first_name.clone())),
        ),
        (
            td_string!(locale, authors.last_name),
            current(|a| Some(a.last_name.clone())),
        ),
        (
            td_string!(locale, authors.date_of_birth),
            current(|a| a.date_of_birth.clone()),
        ),
        (
            td_string!(locale, authors.date_of_death),
            current(|a| a.date_of_death.clone()),
        ),
    ];
    // The version the form was opened at; after a refused save, the one
    // just shown, so that saving again replaces it knowingly.
    let version = author.as_ref().map(|author| author.version.to_string());
    view! {
        <PageTitle text=title.clone() />
        <h1>{title}</h1>
        <form method="post" action=action class="form">
            <FormProblems submitted=submitted.clone() />
            <CurrentValues submitted=submitted.clone() now />
            {version.map(|version| view! { <input type="hidden" name="version" value=version /> })}
            <Field
                name="first_name"
                label=td_string!(locale, authors.first_name)
                value=current(|a| Some(a.first_name.clone()))
                required=true
                maxlength=MAX_NAME_CHARS
                submitted=submitted.clone()
            />
            <Field
                name="last_name"
                label=td_string!(locale, authors.last_name)
                value=current(|a| Some(a.last_name.clone()))
                required=true
                maxlength=MAX_NAME_CHARS
                submitted=submitted.clone()
            />
            <Field
                name="date_of_birth"
                label=td_string!(locale, authors.date_of_birth)
                kind="date"
                value=current(|a| a.date_of_birth.clone())
                help=td_string!(locale, authors.date_help)
                submitted=submitted.clone()
            />
            <Field
                name="date_of_death"
                label=td_string!(locale, authors.date_of_death)
                kind="date"
                value=current(|a| a.date_of_death.clone())
                help=td_string!(locale, authors.death_help)
                submitted
            />
            <button type="submit">{td_string!(locale, authors.submit)}</button>
        </form>
    }
}

/// `/authors/{id}/delete`: the author and, if the library has no books of
/// theirs, the button that deletes them; else the books in the way.
#[component]
pub fn AuthorDeletePage() -> impl IntoView {
    read_then_show(
        param("id"),
        reads::author,
        |detail| view! { <AuthorDelete detail /> },
    )
}

#[component]
fn AuthorDelete(detail: AuthorDetail) -> impl IntoView {
    let locale = locale();
    let author = detail.author;
    let in_the_way = (!detail.books.is_empty()).then(|| {
        let books = detail
            .books
            .into_iter()
            .map(|book| (Some(format!("/books/{}", book.id)), book.title))
            .collect();
        (Problem::AuthorHasBooks.message(locale), books)
    });
    view! {
        <DeletePage
            title=td_string!(locale, authors.delete_title, name = author.name()).to_string()
            page=format!("/authors/{}", author.id)
            name=author.name()
            confirm=td_string!(locale, authors.delete_confirm)
            button=td_string!(locale, authors.delete)
            in_the_way
        />
    }
}
