//! The frame every page sits in: skip link, a header with the search box
//! and the navigation, the demo-catalog notice, content, footer; and the
//! pieces lists and errors share.

use leptos::{either::Either, prelude::*, server_fn::ServerFn};
use leptos_i18n::td_string;
use leptos_meta::{Meta, Title};

use crate::{
    api::{DismissNotice, SetLanguage, SetPerPage},
    error::AppError,
    language::{self, human_date, Locale},
    model::{ListPage, MemberChange, Message, Vocabulary, MAX_SEARCH_CHARS, PER_PAGE_CHOICES},
    page_inputs::{address, layout_inputs, locale, message, user},
    paths::{query_value, sign_in_address, PASSWORD_CHANGE, SIGN_IN, SIGN_OUT},
};

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let address = address();
    let locale = locale();
    let (path, query) = address.split_once('?').unwrap_or((&address, ""));
    let term = (path == "/books")
        .then(|| query_value(query, "q"))
        .flatten();
    let path = path.to_string();
    view! {
        <a class="skip-link" href="#content">{td_string!(locale, layout.skip_link)}</a>
        <header class="site-header">
            <div class="header-bar">
                <a class="site-name" href="/">"LocalLibrary"</a>
                <LanguageSwitcher current=locale back=address.clone() />
                <SearchForm term=term.unwrap_or_default() />
            </div>
            <nav class="site-nav" aria-label=td_string!(locale, layout.site_navigation)>
                <ul>
                    <NavLink href="/" path=path.clone() label=td_string!(locale, layout.home) />
                    <NavLink href="/books" path=path.clone() label=td_string!(locale, layout.books) />
                    <NavLink href="/authors" path=path.clone() label=td_string!(locale, layout.authors) />
                    <NavLink href="/about" path=path.clone() label=td_string!(locale, layout.about) />
                </ul>
            </nav>
            <AccountNav path address=address.clone() />
        </header>
        <DemoNotice />
        <main id="content" class="content" tabindex="-1">
            <SaidMessage />
            {children()}
        </main>
        <footer class="site-footer">
            <p>
                <strong>"LocalLibrary"</strong>
                " · " {td_string!(locale, layout.footer)} " · "
                <a href="/about">{td_string!(locale, layout.footer_about)}</a>
            </p>
        </footer>
    }
}

/// Who is signed in, and their pages: "User: NAME", their loans, for a
/// librarian every loan and a new author, and the sign-out button; for
/// nobody, a link to sign in that comes back to this page.
#[component]
fn AccountNav(path: String, address: String) -> impl IntoView {
    let locale = locale();
    let content = match user() {
        Some(user) => {
            let staff = user.librarian.then(|| {
                view! {
                    <NavLink href="/loans" path=path.clone() label=td_string!(locale, layout.all_loans) />
                    <NavLink href="/members" path=path.clone() label=td_string!(locale, layout.members) />
                    <NavLink href="/history" path=path.clone() label=td_string!(locale, layout.history) />
                    <NavLink
                        href="/authors/new"
                        path=path.clone()
                        label=td_string!(locale, layout.new_author)
                    />
                }
            });
            Either::Left(view! {
                <ul>
                    <li class="user">
                        {td_string!(locale, layout.user, username = user.username).to_string()}
                    </li>
                    <NavLink href="/loans/mine" path=path.clone() label=td_string!(locale, layout.my_loans) />
                    {staff}
                    <NavLink
                        href=PASSWORD_CHANGE
                        path=path.clone()
                        label=td_string!(locale, layout.change_password)
                    />
                    <li><SignOutButton /></li>
                </ul>
            })
        }
        None => {
            let href = sign_in_address(&address);
            let current = (path == SIGN_IN).then_some("page");
            Either::Right(view! {
                <ul>
                    <li><a href=href aria-current=current>{td_string!(locale, layout.sign_in)}</a></li>
                </ul>
            })
        }
    };
    view! {
        <nav class="account-nav" aria-label=td_string!(locale, layout.account_navigation)>
            {content}
        </nav>
    }
}

/// The site's languages, each named in itself: the one shown as text, the
/// others as buttons of a plain form that posts the choice to the server
/// function, which keeps it in the session and sends the browser back to
/// `back`, this page (with JavaScript, swapped in without a reload:
/// public/navigation.js).
#[component]
fn LanguageSwitcher(current: Locale, back: String) -> impl IntoView {
    view! {
        <form
            method="post"
            action=SetLanguage::url()
            class="language-switcher"
            aria-label=td_string!(current, language.switcher)
        >
            <input type="hidden" name="back" value=back />
            {language::all()
                .iter()
                .map(|&locale| {
                    let (name, tag) = (td_string!(locale, language.name), language::tag(locale));
                    if locale == current {
                        Either::Left(view! {
                            <span class="current-language" lang=tag>
                                {name}
                            </span>
                        })
                    } else {
                        Either::Right(view! {
                            <button type="submit" name="language" value=tag lang=tag>
                                {name}
                            </button>
                        })
                    }
                })
                .collect_view()}
        </form>
    }
}

/// A link of the site's navigation, marked as the current page only on
/// that page itself.
#[component]
fn NavLink(href: &'static str, path: String, label: &'static str) -> impl IntoView {
    let current = (path == href).then_some("page");
    view! { <li><a href=href aria-current=current>{label}</a></li> }
}

/// The sign-out button: a form, as signing out changes what the server
/// holds (a link would let any page sign a visitor out).
#[component]
pub fn SignOutButton() -> impl IntoView {
    let locale = locale();
    view! {
        <form method="post" action=SIGN_OUT class="sign-out">
            <button type="submit">{td_string!(locale, accounts.sign_out)}</button>
        </form>
    }
}

/// Shown on every page until this browser dismisses it. The server renders
/// it already knowing (no flash); the dismissal is a form, so it works
/// without JavaScript too.
#[component]
fn DemoNotice() -> impl IntoView {
    let layout = layout_inputs();
    (!layout.preferences.notice_dismissed).then(|| view! { <Notice locale=layout.locale /> })
}

/// The notice itself: hydrated, "Dismiss" hides it in place.
#[island]
fn Notice(locale: Locale) -> impl IntoView {
    let dismiss = ServerAction::<DismissNotice>::new();
    let dismissed_here = move || matches!(dismiss.value().get(), Some(Ok(())));
    // The button that had focus is gone: focus goes on to the page's main
    // content, where reading and tabbing continue, not back to the top.
    Effect::new(move |_| {
        if dismissed_here() {
            focus_main_content();
        }
    });
    view! {
        <Show when=move || !dismissed_here()>
            <div class="notice-band">
                <aside class="notice" aria-label=td_string!(locale, layout.notice)>
                    <p>{td_string!(locale, layout.demo_notice)}</p>
                    <ActionForm action=dismiss>
                        <button type="submit">{td_string!(locale, layout.dismiss)}</button>
                    </ActionForm>
                </aside>
            </div>
        </Show>
    }
}

fn focus_main_content() {
    use leptos::wasm_bindgen::JsCast;
    if let Some(main) = document()
        .get_element_by_id("content")
        .and_then(|main| main.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    {
        let _ = main.focus();
    }
}

/// The document title, "TEXT — LocalLibrary", and the page's description.
/// leptos_meta writes the server-rendered `<title>` without escaping it,
/// so a catalog title containing `</title>` could inject markup: on the
/// server the text is escaped here (the browser decodes the entities); in
/// the browser it is set as plain text already.
#[component]
pub fn PageTitle(
    #[prop(into)] text: String,
    #[prop(optional, into)] description: Option<String>,
) -> impl IntoView {
    let text = format!("{text} — LocalLibrary");
    #[cfg(feature = "ssr")]
    let text = escape_html(&text);
    // What a search engine or a shared link shows of a page with no
    // description of its own.
    let description =
        description.unwrap_or_else(|| td_string!(locale(), layout.description).to_string());
    view! {
        <Title text />
        <Meta name="description" content=description />
    }
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
    let locale = locale();
    let title = error.title(locale);
    view! {
        <PageTitle text=title />
        <h1>{title}</h1>
        <p class="error" role="alert">{error.message(locale)}</p>
        <p><a href="/">{td_string!(locale, layout.go_home)}</a></p>
    }
}

/// Shows a server function's error inside a page; during server rendering
/// it also gives the page the error's HTTP status.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_status(error.status_code());
    view! { <p class="error" role="alert">{error.message(locale())}</p> }
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
/// query (the search term). Plain links: neither is the current page.
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
    let locale = locale();
    let (page, pages) = (list.page, list.pages);
    view! {
        <nav class="pager" aria-label=td_string!(locale, lists.pages)>
            {previous.map(|href| view! {
                <a class="button" href=href rel="prev">{td_string!(locale, lists.previous)}</a>
            })}
            <span class="page-of">{td_string!(locale, lists.page_of, page, pages).to_string()}</span>
            {next.map(|href| view! {
                <a class="button" href=href rel="next">{td_string!(locale, lists.next)}</a>
            })}
        </nav>
    }
}

/// Results per page, remembered in the session: a plain form posted to the
/// server function, which sends the browser back to `back` (the list it is
/// under, at its first page: the page it was on may not exist at the new
/// size). With JavaScript a change applies at once (public/navigation.js).
#[component]
pub fn PerPageForm(current: u32, back: String) -> impl IntoView {
    let locale = locale();
    view! {
        <form method="post" action=SetPerPage::url() class="per-page">
            <input type="hidden" name="back" value=back />
            <label for="per-page">{td_string!(locale, lists.per_page)}</label>
            <select id="per-page" name="per_page">
                {PER_PAGE_CHOICES
                    .iter()
                    .map(|&n| view! { <option value=n.to_string() selected=n == current>{n}</option> })
                    .collect_view()}
            </select>
            <button type="submit">{td_string!(locale, lists.apply)}</button>
        </form>
    }
}

/// The search box in the header of every page: a GET form to the book
/// list, so the term is in the address (and survives paging).
#[component]
pub fn SearchForm(term: String) -> impl IntoView {
    let locale = locale();
    view! {
        <form method="get" action="/books" class="search" role="search">
            <label for="search" class="visually-hidden">{td_string!(locale, layout.search_label)}</label>
            <input
                id="search"
                type="search"
                name="q"
                value=term
                maxlength=MAX_SEARCH_CHARS
                placeholder=td_string!(locale, layout.search_placeholder)
                // The box shows the term of the results below it, also
                // after Back (the browser would restore what was typed).
                autocomplete="off"
            />
            <button type="submit">{td_string!(locale, layout.search)}</button>
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

/// What the browser's last action did, said once at the top of the page
/// (a status, which screen readers announce).
#[component]
fn SaidMessage() -> impl IntoView {
    let locale = locale();
    message().map(|message| {
        view! {
            <div class="message" role="status">
                <p>{message_text(locale, &message)}</p>
            </div>
        }
    })
}

/// A message as its page's language says it.
pub fn message_text(locale: Locale, message: &Message) -> String {
    let nobody = || td_string!(locale, messages.borrower_unknown).to_string();
    match message {
        Message::AuthorCreated { name } => {
            td_string!(locale, messages.author_created, name).to_string()
        }
        Message::AuthorUpdated { name } => {
            td_string!(locale, messages.author_updated, name).to_string()
        }
        Message::AuthorDeleted { name } => {
            td_string!(locale, messages.author_deleted, name).to_string()
        }
        Message::BookCreated { title } => {
            td_string!(locale, messages.book_created, title).to_string()
        }
        Message::BookUpdated { title } => {
            td_string!(locale, messages.book_updated, title).to_string()
        }
        Message::BookDeleted { title } => {
            td_string!(locale, messages.book_deleted, title).to_string()
        }
        Message::CopiesAdded { title, count } => {
            td_string!(locale, messages.copies_added, title, count = *count).to_string()
        }
        Message::CopyUpdated { title } => {
            td_string!(locale, messages.copy_updated, title).to_string()
        }
        Message::CopyDeleted { title } => {
            td_string!(locale, messages.copy_deleted, title).to_string()
        }
        Message::MemberCreated { username, email } => {
            td_string!(locale, messages.member_created, username, email).to_string()
        }
        Message::MemberChanged { username, change } => match change {
            MemberChange::Activate => td_string!(locale, messages.member_activated, username),
            MemberChange::Deactivate => td_string!(locale, messages.member_deactivated, username),
            MemberChange::Grant => td_string!(locale, messages.member_granted, username),
            MemberChange::Revoke => td_string!(locale, messages.member_revoked, username),
        }
        .to_string(),
        Message::Lent {
            title,
            borrower,
            due,
        } => {
            let due = human_date(locale, due);
            td_string!(locale, messages.lent, title, borrower, due).to_string()
        }
        Message::Returned { title, borrower } => {
            let borrower = borrower.clone().unwrap_or_else(nobody);
            td_string!(locale, messages.returned, title, borrower).to_string()
        }
        Message::TermCreated { vocabulary, name } => match vocabulary {
            Vocabulary::Genre => td_string!(locale, messages.genre_created, name).to_string(),
            Vocabulary::Language => td_string!(locale, messages.language_created, name).to_string(),
        },
        Message::TermRenamed {
            vocabulary,
            before,
            name,
        } => match vocabulary {
            Vocabulary::Genre => {
                td_string!(locale, messages.genre_renamed, before, name).to_string()
            }
            Vocabulary::Language => {
                td_string!(locale, messages.language_renamed, before, name).to_string()
            }
        },
        Message::TermDeleted { vocabulary, name } => match vocabulary {
            Vocabulary::Genre => td_string!(locale, messages.genre_deleted, name).to_string(),
            Vocabulary::Language => td_string!(locale, messages.language_deleted, name).to_string(),
        },
        Message::Renewed {
            title,
            borrower,
            due,
        } => {
            let borrower = borrower.clone().unwrap_or_else(nobody);
            let due = human_date(locale, due);
            td_string!(locale, messages.renewed, title, borrower, due).to_string()
        }
    }
}
