//! The page for any address the site does not have, with HTTP status 404.

use leptos::prelude::*;

use crate::{error::AppError, layout::ErrorPage};

#[component]
pub fn NotFound() -> impl IntoView {
    let error = AppError::NotFound("There is no page at this address.".to_string());
    view! { <ErrorPage error /> }
}
