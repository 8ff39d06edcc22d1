//! The frame every page sits in: site header, the demo-catalog notice,
//! sidebar navigation, content; and the pieces lists and errors share.

use leptos::{either::Either, prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{
    api::{DismissNotice, SetPerPage},
    error::AppError,
    model::{ListPage, MAX_SEARCH_CHARS, PER_PAGE_CHOICES},
    page_inputs::layout_inputs,
};

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <div class="site">
            <header class="site-header">
                <a class="site-name" href="/">"LocalLibrary"</a>
            </header>
            <DemoNotice />
            <div class="site-body">
                <nav class="sidebar" aria-label="Site">
                    <ul>
                        <li><A href="/" exact=true>"Home"</A></li>
                        <li><A href="/books">"All books"</A></li>
                        <li><A href="/authors">"All authors"</A></li>
                        <li><A href="/about">"About"</A></li>
                    </ul>
                </nav>
                <main class="content">{children()}</main>
            </div>
        </div>
    }
}

pub const DEMO_NOTICE: &str =
    "This is a demo catalog: its books, authors and copies are made up, and nothing can be borrowed.";

/// Shown on every page until this browser dismisses it. The server renders
/// it already knowing (no flash); the dismissal is a form, so it works
/// without JavaScript too.
#[component]
fn DemoNotice() -> impl IntoView {
    let dismissed = layout_inputs().preferences.notice_dismissed;
    (!dismissed).then(|| view! { <Notice /> })
}

/// The notice itself: hydrated, "Dismiss" hides it in place.
#[island]
fn Notice() -> impl IntoView {
    let dismiss = ServerAction::<DismissNotice>::new();
    let dismissed_here = move || matches!(dismiss.value().get(), Some(Ok(())));
    view! {
        <Show when=move || !dismissed_here()>
            <aside class="notice" aria-label="Notice">
                <p>{DEMO_NOTICE}</p>
                <ActionForm action=dismiss>
                    <button type="submit">"Dismiss"</button>
                </ActionForm>
            </aside>
        </Show>
    }
}

/// The document title. leptos_meta writes the server-rendered `<title>`
/// without escaping it, so a catalog title containing `</title>` could
/// inject markup: on the server the text is escaped here (the browser
/// decodes the entities); in the browser it is set as plain text already.
#[component]
pub fn PageTitle(#[prop(into)] text: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let text = escape_html(&text);
    view! { <Title text /> }
}

#[cfg(feature = "ssr")]
fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// An error as a page of its own: heading, message, and the HTTP status
/// (404, 400, 503 …) when rendered on the server.
#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_status(error.status_code());
    let title = error.title();
    view! {
        <PageTitle text=title />
        <h1>{title}</h1>
        <p class="error" role="alert">{error.to_string()}</p>
        <p><A href="/">"Go to the home page"</A></p>
    }
}

/// Shows a server function's error inside a page; during server rendering
/// it also gives the page the error's HTTP status.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_status(error.status_code());
    view! { <p class="error" role="alert">{error.to_string()}</p> }
}

/// Sets the HTTP status of the page being rendered on the server; an
/// outage (503) also says when to try again.
#[cfg(feature = "ssr")]
pub fn set_status(code: u16) {
    if let (Some(options), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        options.set_status(status);
        if status == http::StatusCode::SERVICE_UNAVAILABLE {
            options.insert_header(
                http::header::RETRY_AFTER,
                http::HeaderValue::from_static(crate::error::RETRY_AFTER_SECS),
            );
        }
    }
}

/// "Page X of Y" with previous and next links that keep the rest of the
/// query (the search term).
#[component]
pub fn Pager<T: 'static>(list: ListPage<T>, base: String) -> impl IntoView {
    let link = move |page: u32| {
        if base.contains('?') {
            format!("{base}&page={page}")
        } else {
            format!("{base}?page={page}")
        }
    };
    let previous = (list.page > 1).then(|| link(list.page - 1));
    let next = (list.page < list.pages).then(|| link(list.page + 1));
    view! {
        <nav class="pager" aria-label="Pages">
            {previous.map(|href| view! { <A href=href attr:rel="prev">"← Previous"</A> })}
            <span class="page-of">{format!("Page {} of {}", list.page, list.pages)}</span>
            {next.map(|href| view! { <A href=href attr:rel="next">"Next →"</A> })}
        </nav>
    }
}

/// Results per page, remembered in the session: a plain form posted to the
/// server function, which sends the browser back to the list it came from,
/// at its first page (public/navigation.js makes that an update in place).
#[component]
pub fn PerPageForm(current: u32) -> impl IntoView {
    view! {
        <form method="post" action=SetPerPage::url() class="per-page">
            <label>
                "Results per page "
                <select name="per_page">
                    {PER_PAGE_CHOICES
                        .iter()
                        .map(|&n| view! { <option value=n.to_string() selected=n == current>{n}</option> })
                        .collect_view()}
                </select>
            </label>
            " "
            <button type="submit">"Apply"</button>
        </form>
    }
}

/// The search box of the book list: a GET form, so the term is in the
/// address (and survives paging).
#[component]
pub fn SearchForm(term: String) -> impl IntoView {
    view! {
        <form method="get" action="/books" class="search" role="search">
            <label>
                "Search by title or author "
                <input type="search" name="q" value=term maxlength=MAX_SEARCH_CHARS />
            </label>
            " "
            <button type="submit">"Search"</button>
        </form>
    }
}

/// Renders `Ok` with `view`, and `Err` as an error page.
pub fn or_error_page<T, V: IntoView>(
    result: Result<T, AppError>,
    view: impl FnOnce(T) -> V,
) -> Either<V, impl IntoView> {
    match result {
        Ok(value) => Either::Left(view(value)),
        Err(error) => Either::Right(view! { <ErrorPage error /> }),
    }
}
