import AxeBuilder from "@axe-core/playwright";
import type { BrowserContext, Page } from "@playwright/test";
import { test, expect, hydrated, signIn, watchForErrors, type Site } from "./fixtures";

/** Every kind of page the site has, with its HTTP status. */
const PAGES: [string, number][] = [
  ["/", 200],
  ["/books", 200],
  ["/books?page=2", 200],
  ["/books?q=zimmermann+farid", 200],
  ["/books?q=no+such+book", 200],
  ["/books/1", 200],
  ["/books/6", 200],
  ["/authors", 200],
  ["/authors/1", 200],
  ["/genres", 200],
  ["/genres/1", 200],
  ["/languages", 200],
  ["/languages/1", 200],
  ["/about", 200],
  ["/accounts/login?next=/books", 200],
  ["/accounts/password-reset", 200],
  ["/accounts/password-reset/done", 200],
  ["/accounts/reset/no-such-token", 200],
  ["/nowhere", 404],
  ["/books/999", 404],
  ["/books?page=abc", 400],
];

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** Opens `url` with JavaScript and waits for hydration. */
async function open(page: Page, url: string, status = 200): Promise<void> {
  const response = await page.goto(url);
  expect(response?.status(), url).toBe(status);
  await hydrated(page);
}

/** The problems on pages of a new context; an error page's own status is
 *  logged by Chromium as a failed load, which is expected. */
async function watched(context: BrowserContext): Promise<string[]> {
  return watchForErrors(context);
}

const unexpected = (problems: string[]) =>
  problems.filter((problem) => !/Failed to load resource: .*status of (404|400)/.test(problem));

/** What every page must be, as open in `page`: in `lang`, axe-clean, with
 *  one heading and a site title. */
async function checkPage(page: Page, path: string, lang: string): Promise<void> {
  await expect(page.locator("html"), path).toHaveAttribute("lang", lang);
  const results = await new AxeBuilder({ page }).analyze();
  const violations = results.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`,
  );
  expect(violations, path).toEqual([]);
  await expect(page.locator("h1"), `${path}: one heading`).toHaveCount(1);
  await expect(page).toHaveTitle(/ — LocalLibrary$/);
}

/** The controls of the page open in `page` shorter than 44 px. */
async function smallControls(page: Page): Promise<(readonly [string, number])[]> {
  return page
    .locator("button, select, input:not([type=hidden]), .site-nav a, .account-nav a, .pager a, .button")
    .evaluateAll((controls) =>
      controls
        .filter((control) => (control as HTMLElement).offsetParent !== null)
        .map((control) => [control.outerHTML.slice(0, 80), control.getBoundingClientRect().height] as const)
        .filter(([, height]) => height < 44),
    );
}

for (const [name, viewport] of [
  ["desktop", DESKTOP],
  ["phone", PHONE],
] as const) {
  // English, and 繁體中文 as a browser set to it asks for it.
  for (const lang of ["en", "zh-TW"]) {
    test(`every page is accessible and error-free (${name}, ${lang})`, async ({ browser, site }) => {
      test.setTimeout(120_000);
      const context = await browser.newContext({ viewport, locale: lang });
      const problems = await watched(context);
      for (const [path, status] of PAGES) {
        const page = await context.newPage();
        await open(page, `${site.url}${path}`, status);
        await checkPage(page, path, lang);
        expect(unexpected(problems), path).toEqual([]);
        await page.close();
      }
      await context.close();
    });
  }
}

/** A librarian's pages (the member's among them), with the addresses of
 *  a copy on loan and one available found on the site itself. */
async function librarianPages(page: Page, site: Site): Promise<string[]> {
  // Book 4 of the small catalog has copies available and on loan.
  await page.goto(`${site.url}/books/4`);
  const lend = await page.locator("a[href$='/lend']").first().getAttribute("href");
  await page.goto(`${site.url}/loans`);
  const renew = await page.locator("a[href$='/renew']").first().getAttribute("href");
  const copy = renew!.split("/")[2];
  return [
    "/loans/mine",
    "/loans",
    renew!,
    lend!,
    `/copies/${copy}/return`,
    "/books/new",
    "/books/4/edit",
    "/books/4/delete",
    "/books/4/copies/new",
    `/copies/${copy}/edit`,
    `/copies/${copy}/delete`,
    "/authors/new",
    "/authors/1/edit",
    "/authors/1/delete",
    "/accounts/password-change",
    "/books/4",
    "/authors/1",
    "/history",
    "/members",
    "/members/new",
    "/members/1",
    "/members/1/history",
    "/books/4/history",
    `/copies/${copy}/history`,
    "/authors/1/history",
    "/genres/new",
    "/genres/1/edit",
    "/genres/1/delete",
    "/languages/1/delete",
    "/genres/1/history",
  ];
}

for (const [name, viewport] of [
  ["desktop", DESKTOP],
  ["phone", PHONE],
] as const) {
  for (const lang of ["en", "zh-TW"]) {
    test(`a librarian's pages are accessible and error-free (${name}, ${lang})`, async ({ browser, site }) => {
      test.setTimeout(120_000);
      site.addUser("libby", "shelves and stacks", { librarian: true });
      const context = await browser.newContext({ viewport, locale: lang });
      const problems = await watched(context);
      const page = await context.newPage();
      await signIn(page, site, "libby", "shelves and stacks");
      for (const path of await librarianPages(page, site)) {
        await open(page, `${site.url}${path}`);
        await checkPage(page, path, lang);
        if (viewport === PHONE) expect(await smallControls(page), path).toEqual([]);
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect(overflow, `${path}: nothing sideways`).toBeLessThanOrEqual(0);
      }
      expect(unexpected(problems)).toEqual([]);
      await context.close();
    });
  }
}

test("nothing scrolls sideways at 320 px", async ({ browser, site }) => {
  // Every page in two languages, as the other whole-site walks.
  test.setTimeout(120_000);
  for (const lang of ["en", "zh-TW"]) {
    const context = await browser.newContext({ viewport: { width: 320, height: 640 }, locale: lang });
    const problems = await watched(context);
    const page = await context.newPage();
    for (const [path, status] of PAGES) {
      await open(page, `${site.url}${path}`, status);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, `${path} (${lang})`).toBeLessThanOrEqual(0);
      // The navigation fits one row.
      const rows = await page
        .locator(".site-nav a")
        .evaluateAll((links) => new Set(links.map((link) => link.getBoundingClientRect().top)).size);
      expect(rows, `${path} (${lang}): navigation in one row`).toBe(1);
    }
    expect(unexpected(problems)).toEqual([]);
    await context.close();
  }
});

test("every control is at least 44 px tall on a phone", async ({ browser, site }) => {
  const context = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true });
  const problems = await watched(context);
  const page = await context.newPage();
  for (const path of ["/", "/books", "/books/1", "/authors", "/accounts/login"]) {
    await open(page, `${site.url}${path}`);
    expect(await smallControls(page), path).toEqual([]);
  }
  expect(problems).toEqual([]);
  await context.close();
});

for (const [name, viewport] of [
  ["desktop", DESKTOP],
  ["phone", PHONE],
] as const) {
  test(`the keyboard reaches everything in order, starting with the skip link (${name})`, async ({ page, site }) => {
    await page.setViewportSize(viewport);
    await open(page, `${site.url}/books`);
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement as HTMLElement;
        return (element.getAttribute("aria-label") || element.textContent || element.getAttribute("name") || "")
          .trim()
          .replace(/\s+/g, " ");
      });

    await page.keyboard.press("Tab");
    expect(await focused()).toBe("Skip to main content");
    await expect(page.getByRole("link", { name: "Skip to main content" })).toBeInViewport();
    const order = [];
    for (let i = 0; i < 11; i++) {
      await page.keyboard.press("Tab");
      order.push(await focused());
    }
    expect(order).toEqual([
      "LocalLibrary",
      "繁體中文",
      "q",
      "Search",
      "Home",
      "Books",
      "Authors",
      "About",
      "Login",
      "Dismiss",
      "A Garden for Dmitri",
    ]);

    // Every link and control is reached by Tab.
    const expected = await page
      .locator("a[href], button, input:not([type=hidden]), select")
      .evaluateAll((all) => all.filter((e) => (e as HTMLElement).offsetParent !== null || e.classList.contains("skip-link")).length);
    await open(page, `${site.url}/books`);
    await page.evaluate(() =>
      document.querySelectorAll("*").forEach((element, i) => element.setAttribute("data-n", String(i))),
    );
    const reached: number[] = [];
    for (let i = 0; i < expected + 5; i++) {
      await page.keyboard.press("Tab");
      const n = await page.evaluate(() => {
        const element = document.activeElement;
        return !element || element === document.body ? -1 : Number(element.getAttribute("data-n"));
      });
      if (n < 0 || reached.includes(n)) break;
      reached.push(n);
    }
    const names = await page.evaluate(
      (ns) => ns.map((n) => document.querySelector(`[data-n="${n}"]`)!.outerHTML.slice(0, 60)),
      reached,
    );
    expect(reached.length, names.join("\n")).toBe(expected);
    expect(reached, "in document order").toEqual([...reached].sort((a, b) => a - b));

    // The skip link moves focus to the content.
    await page.goto(`${site.url}/books`);
    await hydrated(page);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("content");
  });
}

test("after the notice is dismissed, focus goes to the content", async ({ page, site }) => {
  await open(page, `${site.url}/books`);
  await page.getByRole("button", { name: "Dismiss" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("complementary", { name: "Notice" })).toHaveCount(0);
  await expect(page.locator("main")).toBeFocused();
});

test("only the current page's link is marked current", async ({ page, site }) => {
  for (const [path, current] of [
    ["/", "Home"],
    ["/books?page=2", "Books"],
    ["/authors", "Authors"],
    ["/books/1", null],
  ] as const) {
    await page.goto(`${site.url}${path}`);
    const marked = await page.locator("[aria-current]").allTextContents();
    expect(marked, path).toEqual(current ? [current] : []);
  }
});

test("the header's search box works from any page", async ({ page, site }) => {
  await open(page, `${site.url}/authors/1`);
  await page.getByRole("searchbox", { name: "Search books by title or author" }).fill("garcia");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Books matching “garcia”");
  await expect(page.locator("main .item-title")).toHaveText(["Cien años de soledad", "Notes from the Letter"]);
});

test("the page's static files come under hashed names, kept a year", async ({ page, site }) => {
  const files: { url: string; cacheControl: string | undefined }[] = [];
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (/\.(css|js|wasm|svg)$/.test(url.pathname)) {
      files.push({ url: url.pathname, cacheControl: response.headers()["cache-control"] });
    }
  });
  const response = await page.goto(site.url);
  expect(response?.headers()["cache-control"]).toBe("no-cache");
  await hydrated(page);
  const kinds = new Set(files.map((file) => file.url.split(".").pop()));
  expect([...kinds]).toEqual(expect.arrayContaining(["css", "js", "wasm"]));
  for (const file of files) {
    expect(file.url, "name.HASH.extension").toMatch(/\.[0-9a-f]{16}\.(css|js|wasm|svg)$/);
    expect(file.cacheControl, file.url).toBe("public, max-age=31536000, immutable");
  }
});

test("a slim bar shows while the next page is on its way", async ({ page, site }) => {
  await open(page, `${site.url}/books`);
  // The next page takes a moment to come.
  await page.route("**/authors", async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 600));
    await route.continue();
  });
  await page.getByRole("navigation", { name: "Site" }).getByRole("link", { name: "Authors" }).click();
  await expect(page.locator(".loading-bar")).toBeAttached();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("All authors");
  await expect(page.locator(".loading-bar")).not.toBeAttached();
});
