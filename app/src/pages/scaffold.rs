//! What every page that reads the catalog is made of: the route's
//! parameter (or a query value), what is read for it, and the page shown
//! from that, or the error page in its place.

use leptos::prelude::*;
use leptos_i18n::td_string;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{de::DeserializeOwned, Serialize};

use std::future::Future;

use crate::{error::AppError, layout::or_error_page, page_inputs::locale};

/// The page showing what `read` gives for `source()` (a route parameter,
/// a query value: [`param`], [`query`]), once read: `show` draws it, or
/// the error page stands in its place. The server renders it whole (every
/// route waits for its reads), and the browser reuses what was read.
pub fn read_then_show<S, T, Read, V>(
    source: impl Fn() -> S + Send + Sync + 'static,
    read: impl Fn(S) -> Read + Send + Sync + 'static,
    show: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
    Read: Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    let read = Resource::new(source, read);
    view! {
        <Suspense fallback=Loading>
            {move || {
                let show = show.clone();
                Suspend::new(async move { or_error_page(read.await, show) })
            }}
        </Suspense>
    }
}

/// The route's parameter `name` (`id` of `/books/{id}`), empty if none.
pub fn param(name: &'static str) -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get(name).unwrap_or_default()
}

/// The query's value `name` (`page` of `/books?page=2`), if any.
pub fn query(name: &'static str) -> impl Fn() -> Option<String> + Clone + Send + Sync + 'static {
    let query = use_query_map();
    move || query.read().get(name)
}

/// Shown while a page's data is read (never by the server, which renders
/// every page whole).
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p>{td_string!(locale(), layout.loading)}</p> }
}
