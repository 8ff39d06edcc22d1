// Moving between pages without a page load: a click on a link to this site,
// or a form submitted to it, fetches the next page's HTML and swaps its body,
// title and language in; the islands in it are then hydrated. Without
// JavaScript the same links and forms load pages as usual, and whenever the
// answer is not a page (or there is no answer) the browser is left to do
// just that.
(() => {
  const sameSite = (url) => url.origin === location.origin;
  let shown = location.pathname + location.search;
  // Styles that apply only with this script (the results-per-page form
  // applies a choice at once, so its Apply button is hidden).
  document.documentElement.classList.add("js");

  // A slim bar at the top while the next page is on its way.
  const bar = document.createElement("div");
  bar.className = "loading-bar";
  bar.setAttribute("aria-hidden", "true");
  const loading = (on) => {
    if (on) {
      document.documentElement.append(bar);
      requestAnimationFrame(() => bar.classList.add("running"));
    } else {
      bar.classList.remove("running");
      bar.remove();
    }
  };

  // The navigation under way: a newer one (Back pressed twice, a second
  // click) cancels it, so a late answer never covers the page asked for last.
  let current = null;

  async function go(request, push, fallback) {
    current?.abort();
    const navigation = (current = new AbortController());
    let response;
    let html;
    loading(true);
    try {
      response = await fetch(request, { signal: navigation.signal });
      html = await response.text();
    } catch {
      if (navigation.signal.aborted) return;
      loading(false);
      return fallback();
    }
    if (navigation.signal.aborted) return;
    loading(false);
    if (!(response.headers.get("content-type") || "").startsWith("text/html")) return fallback();
    const next = new DOMParser().parseFromString(html, "text/html");
    // The next page may be in another language (the switcher's answer).
    document.documentElement.lang = next.documentElement.lang;
    document.title = next.title;
    document.body.replaceChildren(...next.body.childNodes);
    if (push) {
      history.pushState(null, "", response.url);
      scrollTo(0, 0);
      // Where a page load would leave a screen reader: at the new page.
      const heading = document.querySelector("main h1");
      if (heading) {
        heading.tabIndex = -1;
        heading.focus({ preventScroll: true });
      }
    }
    shown = location.pathname + location.search;
    // Until the wasm has loaded, its own first pass hydrates what is there.
    if (document.body.dataset.hydrated === "true") {
      for (const island of document.body.querySelectorAll("leptos-island")) {
        window.__hydrateIsland(island, island.dataset.component);
      }
    }
  }

  // A page to show next, by address (a link, a GET form).
  const visit = (url) => go(new Request(url), true, () => location.assign(url));

  addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest("a[href]");
    if (!link || link.target || link.hasAttribute("download")) return;
    const url = new URL(link.href);
    if (!sameSite(url)) return;
    // A jump within this page stays the browser's.
    if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
    event.preventDefault();
    visit(url);
  });

  addEventListener("submit", (event) => {
    if (event.defaultPrevented) return; // a hydrated island's form
    const form = event.target;
    const url = new URL(form.action);
    const method = form.method.toUpperCase();
    if (!sameSite(url) || form.target) return;
    const fields = new URLSearchParams(new FormData(form, event.submitter));
    event.preventDefault();
    if (method === "GET") {
      url.search = fields.toString();
      visit(url);
    } else {
      // Accept: HTML, as a browser's own form post says: the server answers
      // with the page to show next.
      const request = new Request(url, { method, body: fields, headers: { Accept: "text/html" } });
      go(request, true, () => form.submit());
    }
  });

  // Results per page apply as soon as they are chosen.
  addEventListener("change", (event) => {
    const select = event.target;
    if (select.matches && select.matches("form.per-page select")) select.form.requestSubmit();
  });

  addEventListener("popstate", () => {
    if (location.pathname + location.search === shown) return; // a jump within the page
    go(new Request(location.href), false, () => location.reload());
  });
})();
