//! What loads the wasm and hydrates the page's islands in the browser.

use leptos::prelude::*;

/// In place of Leptos' `<HydrationScripts islands=true>`, whose loader waits
/// for the browser's first idle moment before it even imports the module:
/// measured here in Chromium, that wait was 50–190 ms after the page had
/// been parsed, with the JS and wasm already fetched. This loader starts at
/// once: the module and the wasm are preloaded from `<head>`, and the
/// script (a module, so it runs once the page is parsed) instantiates the
/// wasm, runs the entry point and hydrates each `<leptos-island>` in
/// document order, as Leptos' loader does (no island here takes children).
/// `window.__hydrateIsland` is kept for islands that arrive later
/// (public/navigation.js swaps pages in).
#[component]
pub fn IslandScripts(module: String, wasm: String) -> impl IntoView {
    // Outside the islands the server renders no hydration markers; Leptos'
    // own component switches this off the same way.
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    let script = format!(
        r#"import init, * as islands from "{module}";
await init({{ module_or_path: "{wasm}" }});
window.__hydrateIsland = (element, id) => {{
  if (islands[id]) islands[id](element);
  else console.warn(`no island named ${{id}} in the wasm`);
}};
islands.hydrate();
for (const island of document.querySelectorAll("leptos-island")) {{
  window.__hydrateIsland(island, island.dataset.component);
}}"#
    );
    view! {
        <link rel="modulepreload" href=module />
        <link rel="preload" href=wasm r#as="fetch" r#type="application/wasm" crossorigin="" />
        // The response's nonce: the Content-Security-Policy allows no other
        // inline script.
        <script type="module" nonce=leptos::nonce::use_nonce()>{script}</script>
    }
}
