//! Everything the server renders and the browser hydrates: the page shell,
//! routes, pages, server functions and, behind the `ssr` feature, the
//! server-only pieces they call (database queries and the typed session).
//!
//! Pages are rendered on the server only; the browser hydrates just the
//! components marked `#[island]`, and moves between pages with a small
//! script (public/navigation.js) that fetches the next page and swaps it in.

pub mod api;
pub mod assets;
pub mod dates;
pub mod error;
pub mod form_fields;
pub mod islands;
pub mod language;
pub mod layout;
pub mod model;
pub mod page_inputs;
pub mod pages;
pub mod paging;
pub mod paths;
pub mod problems;
pub mod visit_count;

#[cfg(feature = "ssr")]
pub mod accounts;
#[cfg(feature = "ssr")]
pub mod catalog;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod history;
#[cfg(feature = "ssr")]
pub mod loans;
#[cfg(feature = "ssr")]
pub mod members;
#[cfg(feature = "ssr")]
pub mod password_reset;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod session_id;
#[cfg(feature = "ssr")]
pub mod throttle;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode, StaticSegment,
};

use crate::{
    assets::AssetNames,
    islands::IslandScripts,
    layout::Layout,
    pages::{
        about::AboutPage,
        accounts::{
            PasswordChangeDonePage, PasswordChangePage, PasswordResetCompletePage,
            PasswordResetConfirmPage, PasswordResetPage, PasswordResetSentPage, SignInPage,
            SignOutPage,
        },
        authors::{AuthorDeletePage, AuthorDetailPage, AuthorFormPage, AuthorListPage},
        book_forms::{BookDeletePage, BookFormPage},
        books::{BookDetailPage, BookListPage},
        copy_forms::{CopiesNewPage, CopyDeletePage, CopyEditPage},
        history::{
            AuthorHistoryPage, BookHistoryPage, CopyHistoryPage, GenreHistoryPage, HistoryPage,
            LanguageHistoryPage, MemberHistoryPage,
        },
        home::HomePage,
        loans::{AllLoansPage, LendPage, MyLoansPage, RenewPage, ReturnPage},
        members::{MemberListPage, MemberNewPage, MemberPage},
        not_found::NotFound,
        terms::{
            GenreDeletePage, GenreFormPage, GenreListPage, GenrePage, LanguageDeletePage,
            LanguageFormPage, LanguageListPage, LanguagePage,
        },
    },
};

/// The HTML document around the app. Rendered on the server only, so the
/// stylesheet is a plain `<link>` here rather than a hydrated component.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let assets = AssetNames::current(&options);
    view! {
        <!DOCTYPE html>
        <html lang=language::tag(page_inputs::locale())>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href=assets.stylesheet.clone() />
                <link rel="icon" href=assets.icon.clone() type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <IslandScripts module=assets.module.clone() wasm=assets.wasm.clone() />
                // Navigation without page loads (public/navigation.js). Not
                // Leptos' own islands router: it patches the next page into
                // this one node by node, guided by markers it adds around
                // every element (they made the home page's HTML several
                // times larger), and in 0.8 it leaves islands out of the
                // patch (a navigation to the page you are on kept its old
                // visit count) and stopped patching after a keyed list.
                // Swapping the body whole always shows what the server
                // rendered. A file of its own, so browsers cache it; async,
                // so that fetching it holds up neither the page nor the
                // islands' hydration.
                <script type="module" async=true src=assets.navigation></script>
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    // Async: the visit is recorded, and the session saved, before
                    // the first byte leaves; streaming would let the response
                    // headers (and the session cookie) go out first.
                    <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async />
                    // Async everywhere: the HTTP status (404, 400) and the
                    // notice's state must be known before the response starts.
                    <Route path=path!("/books") view=BookListPage ssr=SsrMode::Async />
                    <Route path=path!("/books/new") view=BookFormPage ssr=SsrMode::Async />
                    <Route path=path!("/books/:id") view=BookDetailPage ssr=SsrMode::Async />
                    <Route path=path!("/books/:id/edit") view=BookFormPage ssr=SsrMode::Async />
                    <Route path=path!("/books/:id/delete") view=BookDeletePage ssr=SsrMode::Async />
                    <Route path=path!("/books/:id/copies/new") view=CopiesNewPage ssr=SsrMode::Async />
                    <Route path=path!("/books/:id/history") view=BookHistoryPage ssr=SsrMode::Async />
                    <Route path=path!("/authors") view=AuthorListPage ssr=SsrMode::Async />
                    // Before `/authors/:id`, which "new" would match too.
                    <Route path=path!("/authors/new") view=AuthorFormPage ssr=SsrMode::Async />
                    <Route path=path!("/authors/:id") view=AuthorDetailPage ssr=SsrMode::Async />
                    <Route path=path!("/authors/:id/edit") view=AuthorFormPage ssr=SsrMode::Async />
                    <Route path=path!("/authors/:id/delete") view=AuthorDeletePage ssr=SsrMode::Async />
                    <Route path=path!("/authors/:id/history") view=AuthorHistoryPage ssr=SsrMode::Async />
                    <Route path=path!("/history") view=HistoryPage ssr=SsrMode::Async />
                    <Route path=path!("/members") view=MemberListPage ssr=SsrMode::Async />
                    <Route path=path!("/members/new") view=MemberNewPage ssr=SsrMode::Async />
                    <Route path=path!("/members/:id") view=MemberPage ssr=SsrMode::Async />
                    <Route path=path!("/members/:id/history") view=MemberHistoryPage ssr=SsrMode::Async />
                    <Route path=path!("/genres") view=GenreListPage ssr=SsrMode::Async />
                    <Route path=path!("/genres/new") view=GenreFormPage ssr=SsrMode::Async />
                    <Route path=path!("/genres/:id") view=GenrePage ssr=SsrMode::Async />
                    <Route path=path!("/genres/:id/edit") view=GenreFormPage ssr=SsrMode::Async />
                    <Route path=path!("/genres/:id/delete") view=GenreDeletePage ssr=SsrMode::Async />
                    <Route path=path!("/genres/:id/history") view=GenreHistoryPage ssr=SsrMode::Async />
                    <Route path=path!("/languages") view=LanguageListPage ssr=SsrMode::Async />
                    <Route path=path!("/languages/new") view=LanguageFormPage ssr=SsrMode::Async />
                    <Route path=path!("/languages/:id") view=LanguagePage ssr=SsrMode::Async />
                    <Route path=path!("/languages/:id/edit") view=LanguageFormPage ssr=SsrMode::Async />
                    <Route path=path!("/languages/:id/delete") view=LanguageDeletePage ssr=SsrMode::Async />
                    <Route path=path!("/languages/:id/history") view=LanguageHistoryPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("about") view=AboutPage ssr=SsrMode::Async />
                    <Route path=path!("/accounts/login") view=SignInPage ssr=SsrMode::Async />
                    <Route path=path!("/accounts/logout") view=SignOutPage ssr=SsrMode::Async />
                    <Route path=path!("/accounts/password-reset") view=PasswordResetPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/accounts/password-reset/done")
                        view=PasswordResetSentPage
                        ssr=SsrMode::Async
                    />
                    // Before `/accounts/reset/:token`, which "done" would match too.
                    <Route path=path!("/accounts/reset/done") view=PasswordResetCompletePage ssr=SsrMode::Async />
                    <Route path=path!("/accounts/reset/:token") view=PasswordResetConfirmPage ssr=SsrMode::Async />
                    <Route path=path!("/accounts/password-change") view=PasswordChangePage ssr=SsrMode::Async />
                    <Route
                        path=path!("/accounts/password-change/done")
                        view=PasswordChangeDonePage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/loans/mine") view=MyLoansPage ssr=SsrMode::Async />
                    <Route path=path!("/loans") view=AllLoansPage ssr=SsrMode::Async />
                    <Route path=path!("/copies/:id/renew") view=RenewPage ssr=SsrMode::Async />
                    <Route path=path!("/copies/:id/edit") view=CopyEditPage ssr=SsrMode::Async />
                    <Route path=path!("/copies/:id/delete") view=CopyDeletePage ssr=SsrMode::Async />
                    <Route path=path!("/copies/:id/history") view=CopyHistoryPage ssr=SsrMode::Async />
                    <Route path=path!("/copies/:id/lend") view=LendPage ssr=SsrMode::Async />
                    <Route path=path!("/copies/:id/return") view=ReturnPage ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}
