//! The browser entry point: the server-rendered page's islands hydrate.

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // The islands are exported from the `app` crate; naming it links them in.
    #[allow(unused_imports)]
    use app::*;
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    mark_hydrated();
}

/// Sets `data-hydrated` on `<body>` once the page's islands have hydrated:
/// end-to-end tests and the benchmark wait for it. The loader
/// (app/src/islands.rs) hydrates the islands right after this entry
/// returns, in the same task; a timer's callback runs only after that.
#[cfg(feature = "hydrate")]
fn mark_hydrated() {
    leptos::prelude::set_timeout(
        || {
            if let Some(body) = leptos::prelude::document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}
