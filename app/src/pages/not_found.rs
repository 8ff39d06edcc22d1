//! The page for any address the site does not have, with HTTP status 404.

use leptos::prelude::*;

use crate::{
    error::{AppError, Missing},
    layout::ErrorPage,
};

#[component]
pub fn NotFound() -> impl IntoView {
    let error = AppError::NotFound(Missing::Page);
    view! { <ErrorPage error /> }
}
