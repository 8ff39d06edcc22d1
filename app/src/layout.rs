//! The frame every page sits in: site header, sidebar navigation, content.

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <div class="site">
            <header class="site-header">
                <a class="site-name" href="/">"LocalLibrary"</a>
            </header>
            <div class="site-body">
                <nav class="sidebar" aria-label="Site">
                    <ul>
                        <li><A href="/" exact=true>"Home"</A></li>
                        <li><A href="/about">"About"</A></li>
                    </ul>
                </nav>
                <main class="content">{children()}</main>
            </div>
        </div>
    }
}

/// Shows a server function's error to the visitor; during server rendering
/// it also gives the page the error's HTTP status.
#[component]
pub fn ErrorNotice(error: crate::error::AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_status(error.status_code());
    view! { <p class="error" role="alert">{error.to_string()}</p> }
}

/// Sets the HTTP status of the page being rendered on the server.
#[cfg(feature = "ssr")]
pub fn set_status(code: u16) {
    if let (Some(options), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        options.set_status(status);
    }
}
