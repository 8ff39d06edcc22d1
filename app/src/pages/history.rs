//! For librarians: `/history`, every change newest first, and each
//! record's own (`/books/{id}/history`, with its copies' loans;
//! `/authors/{id}/history`): who changed what, when, and each field's value
//! before and after.

use leptos::prelude::*;
use leptos_i18n::td_string;

use crate::{
    language::{human_date, Locale},
    layout::{PageTitle, Pager},
    model::{ChangeAction, FieldChange, HistoryEntry, ListPage, RecordHistory, RecordKind},
    page_inputs::locale,
    pages::{
        books::list_title,
        reads,
        scaffold::{param, query, read_then_show},
    },
};

#[component]
pub fn HistoryPage() -> impl IntoView {
    read_then_show(
        query("page"),
        reads::history,
        |list| view! { <History list /> },
    )
}

#[component]
fn History(list: ListPage<HistoryEntry>) -> impl IntoView {
    let locale = locale();
    let heading = td_string!(locale, history.title);
    view! {
        <PageTitle text=list_title(locale, heading, &list) />
        <h1>{heading}</h1>
        <Entries list base="/history".to_string() />
    }
}

#[component]
pub fn BookHistoryPage() -> impl IntoView {
    record_history_page(RecordKind::Book)
}

#[component]
pub fn AuthorHistoryPage() -> impl IntoView {
    record_history_page(RecordKind::Author)
}

#[component]
pub fn CopyHistoryPage() -> impl IntoView {
    record_history_page(RecordKind::Copy)
}

#[component]
pub fn MemberHistoryPage() -> impl IntoView {
    record_history_page(RecordKind::Member)
}

#[component]
pub fn GenreHistoryPage() -> impl IntoView {
    record_history_page(RecordKind::Genre)
}

#[component]
pub fn LanguageHistoryPage() -> impl IntoView {
    record_history_page(RecordKind::Language)
}

/// The history page of the record of `kind` the address names.
fn record_history_page(kind: RecordKind) -> impl IntoView {
    let (id, page) = (param("id"), query("page"));
    read_then_show(
        move || (id(), page()),
        move |(id, page)| reads::record_history(kind, id, page),
        |history| view! { <RecordHistoryView history /> },
    )
}

#[component]
fn RecordHistoryView(history: RecordHistory) -> impl IntoView {
    let locale = locale();
    let heading = td_string!(locale, history.of_record, name = &history.name).to_string();
    let page = history.kind.page(&history.id);
    // A copy has no page of its own: its history is under `/copies`.
    let base = match &page {
        Some(page) => format!("{page}/history"),
        None => format!("/copies/{}/history", history.id),
    };
    view! {
        <PageTitle text=list_title(locale, &heading, &history.list) />
        <h1>{heading}</h1>
        <Entries list=history.list base />
        {page.map(|page| view! { <p><a href=page>{history.name}</a></p> })}
    }
}

/// The entries of a page of history, newest first, and the pager.
#[component]
fn Entries(list: ListPage<HistoryEntry>, base: String) -> impl IntoView {
    let locale = locale();
    if list.items.is_empty() {
        return view! { <p>{td_string!(locale, history.none)}</p> }.into_any();
    }
    let entries = list
        .items
        .clone()
        .into_iter()
        .map(|entry| view! { <Entry entry locale /> })
        .collect_view();
    view! {
        <ol class="history">{entries}</ol>
        <Pager list base />
    }
    .into_any()
}

#[component]
fn Entry(entry: HistoryEntry, locale: Locale) -> impl IntoView {
    let actor = if entry.by_command {
        td_string!(locale, history.by_command, command = &entry.actor).to_string()
    } else {
        entry.actor.clone()
    };
    let change = entry.change;
    let record = format!("{} {}", kind_label(locale, change.kind), change.label);
    let record = match change.page() {
        Some(page) => view! { <a href=page>{record}</a> }.into_any(),
        None => view! { <span>{record}</span> }.into_any(),
    };
    let changes = (!change.changes.is_empty()).then(|| {
        view! {
            <table class="changes">
                <thead>
                    <tr>
                        <th scope="col">{td_string!(locale, history.field)}</th>
                        <th scope="col">{td_string!(locale, history.before)}</th>
                        <th scope="col">{td_string!(locale, history.after)}</th>
                    </tr>
                </thead>
                <tbody>
                    {change.changes.into_iter().map(|change| view! { <ChangeRow change locale /> }).collect_view()}
                </tbody>
            </table>
        }
    });
    view! {
        <li class="history-entry">
            <p>
                <time>{when(locale, entry.at)}</time> " · " <strong>{actor}</strong> " "
                {action_label(locale, change.action)} " " {record}
            </p>
            {changes}
        </li>
    }
}

#[component]
fn ChangeRow(change: FieldChange, locale: Locale) -> impl IntoView {
    // A copy's status is stored as its code: shown as its word.
    let is_status = change.field == "status";
    let value = move |value: Option<String>| match value {
        None => "—".to_string(),
        Some(code) if is_status => crate::model::CopyStatus::from_code(&code)
            .map_or(code, |status| status.label(locale).to_string()),
        Some(value) => value,
    };
    view! {
        <tr>
            <th scope="row">{field_label(locale, &change.field)}</th>
            <td>{value(change.before)}</td>
            <td>{value(change.after)}</td>
        </tr>
    }
}

/// "6 December 2026, 22:15 UTC": the day as the site writes days, the time
/// in UTC, as stored.
fn when(locale: Locale, at: i64) -> String {
    let Ok(moment) = time::OffsetDateTime::from_unix_timestamp(at.div_euclid(1000)) else {
        return at.to_string();
    };
    let day = crate::dates::iso_date(moment.date());
    format!(
        "{}, {:02}:{:02} UTC",
        human_date(locale, &day),
        moment.hour(),
        moment.minute()
    )
}

fn action_label(locale: Locale, action: ChangeAction) -> &'static str {
    match action {
        ChangeAction::Create => td_string!(locale, history.created),
        ChangeAction::Update => td_string!(locale, history.updated),
        ChangeAction::Delete => td_string!(locale, history.deleted),
        ChangeAction::Lend => td_string!(locale, history.lent),
        ChangeAction::Return => td_string!(locale, history.returned),
        ChangeAction::Renew => td_string!(locale, history.renewed),
    }
}

fn kind_label(locale: Locale, kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Book => td_string!(locale, history.kind_book),
        RecordKind::Copy => td_string!(locale, history.kind_copy),
        RecordKind::Author => td_string!(locale, history.kind_author),
        RecordKind::Genre => td_string!(locale, history.kind_genre),
        RecordKind::Language => td_string!(locale, history.kind_language),
        RecordKind::Member => td_string!(locale, history.kind_member),
    }
}

/// A field as its form labels it.
fn field_label(locale: Locale, field: &str) -> String {
    match field {
        "first_name" => td_string!(locale, authors.first_name).to_string(),
        "last_name" => td_string!(locale, authors.last_name).to_string(),
        "date_of_birth" => td_string!(locale, authors.date_of_birth).to_string(),
        "date_of_death" => td_string!(locale, authors.date_of_death).to_string(),
        "borrower" => td_string!(locale, loans.borrower_label).to_string(),
        "due_back" => td_string!(locale, loans.due_label).to_string(),
        "title" => td_string!(locale, history.field_title).to_string(),
        "summary" => td_string!(locale, history.field_summary).to_string(),
        "isbn" => td_string!(locale, history.field_isbn).to_string(),
        "imprint" => td_string!(locale, history.field_imprint).to_string(),
        "status" => td_string!(locale, history.field_status).to_string(),
        "genre_ids" => td_string!(locale, history.field_genres).to_string(),
        "author_id" => td_string!(locale, history.field_author).to_string(),
        "language_id" => td_string!(locale, history.field_language).to_string(),
        "book_id" => td_string!(locale, history.field_book).to_string(),
        "name" => td_string!(locale, history.field_name).to_string(),
        other => other.to_string(),
    }
}
