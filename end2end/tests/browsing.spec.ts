import type { BrowserContext, Page } from "@playwright/test";
import { test, expect, hydrated, newContext } from "./fixtures";

const siteNav = (page: Page) => page.getByRole("navigation", { name: "Site" });
const listItems = (page: Page) => page.locator("main ul.item-list > li");
const notice = (page: Page) => page.getByRole("complementary", { name: "Notice" });

/** Opens a page in a context with JavaScript on or off; with it on, waits
 *  for hydration. */
async function open(context: BrowserContext, url: string, js: boolean): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  if (js) await hydrated(page);
  return page;
}

/** Records the page's document loads from now on; moving around the site
 *  with JavaScript makes none. */
function documentLoads(page: Page): string[] {
  const loads: string[] = [];
  page.on("request", (r) => r.resourceType() === "document" && loads.push(r.url()));
  return loads;
}

for (const js of [true, false]) {
  const mode = js ? "with JavaScript" : "without JavaScript";

  test(`home → books → a book → its author → back (${mode})`, async ({ browser, site }) => {
    const { context, problems } = await newContext(browser, js);
    const page = await open(context, site.url, js);
    const loads = documentLoads(page);

    await siteNav(page).getByRole("link", { name: "Books" }).click();
    await expect(page.getByRole("heading", { name: "All books" })).toBeVisible();
    await expect(page.getByText("Page 1 of 2")).toBeVisible();

    await page.getByRole("link", { name: "Cien años de soledad" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Cien años de soledad");
    await expect(page.getByText("None of the library's 2 copies is available")).toBeVisible();
    await expect(page.getByText("Due back 9 Dec 2024")).toBeVisible();
    await expect(page).toHaveTitle("Cien años de soledad — LocalLibrary");

    await page.getByRole("link", { name: "García Márquez, Gabriel" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("García Márquez, Gabriel");
    await expect(page.getByText("Ñ, é and ü must survive the round trip.")).toBeVisible();

    await page.goBack();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Cien años de soledad");
    await page.goBack();
    await expect(page.getByRole("heading", { name: "All books" })).toBeVisible();

    if (js) expect(loads, "client-side navigation only").toEqual([]);
    else expect(loads.length).toBeGreaterThanOrEqual(3);
    expect(problems).toEqual([]);
    await context.close();
  });

  test(`paging and search (${mode})`, async ({ browser, site }) => {
    const { context, problems } = await newContext(browser, js);
    const page = await open(context, `${site.url}/books`, js);
    const loads = documentLoads(page);
    await expect(listItems(page)).toHaveCount(10);
    await page.getByRole("link", { name: "Next →" }).click();
    await expect(page.getByText("Page 2 of 2")).toBeVisible();
    await expect(listItems(page)).toHaveCount(10);
    await page.getByRole("link", { name: "← Previous" }).click();
    await expect(page.getByText("Page 1 of 2")).toBeVisible();

    await page.getByRole("searchbox").fill("ТОЛСТОЙ");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Books matching “ТОЛСТОЙ”");
    await expect(listItems(page).first()).toContainText("Tolstoy / Толстой");

    await page.getByRole("searchbox").fill("Zimmermann, Farid");
    await page.getByRole("searchbox").press("Enter");
    await expect(page.getByText("4 books match")).toBeVisible();
    await expect(page).toHaveTitle("Books matching “Zimmermann, Farid” — LocalLibrary");
    await expect(page.getByRole("searchbox")).toHaveValue("Zimmermann, Farid");
    expect(new URL(page.url()).searchParams.get("q")).toBe("Zimmermann, Farid");

    await page.getByRole("searchbox").fill("no such book");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page.getByText("No books match “no such book”.")).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Pages" })).toHaveCount(0);
    await expect(page.getByLabel("Results per page")).toHaveCount(0);
    await page.getByRole("link", { name: "Show all books" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("All books");

    await page.goBack();
    await page.goBack();
    await expect(page.getByText("4 books match")).toBeVisible();
    await expect(page.getByRole("searchbox")).toHaveValue("Zimmermann, Farid");
    if (js) expect(loads, "client-side navigation only").toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  test(`results per page persist for this browser only (${mode})`, async ({ browser, site }) => {
    const { context, problems } = await newContext(browser, js);
    const page = await open(context, `${site.url}/books?page=2`, js);
    const loads = documentLoads(page);
    const entries = await page.evaluate(() => history.length);
    await page.getByLabel("Results per page").selectOption("25");
    // With JavaScript the choice applies at once; without, by its button.
    if (js) await expect(page.getByRole("button", { name: "Apply" })).toBeHidden();
    else await page.getByRole("button", { name: "Apply" }).click();
    await expect(page.getByText("Page 1 of 1")).toBeVisible();
    expect(await page.evaluate(() => history.length), "one history entry").toBe(entries + 1);
    await expect(listItems(page)).toHaveCount(20);
    // Back at the list's first page, its address without the old page.
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe("/books");
    if (js) expect(loads, "updated in place").toEqual([]);

    await page.reload();
    if (js) await hydrated(page);
    await expect(listItems(page)).toHaveCount(20);
    await expect(page.getByLabel("Results per page")).toHaveValue("25");

    const other = await browser.newContext({ javaScriptEnabled: js });
    const otherPage = await open(other, `${site.url}/books`, js);
    await expect(listItems(otherPage)).toHaveCount(10);
    await other.close();
    expect(problems).toEqual([]);
    await context.close();
  });

  test(`the dismissed notice stays dismissed (${mode})`, async ({ browser, site }) => {
    const { context, problems } = await newContext(browser, js);
    const page = await open(context, `${site.url}/authors`, js);
    const loads = documentLoads(page);
    await expect(notice(page)).toContainText("This is a demo catalog");
    await notice(page).getByRole("button", { name: "Dismiss" }).click();
    await expect(notice(page)).toHaveCount(0);
    if (js) expect(loads, "dismissed in place").toEqual([]);

    for (const path of ["/", "/books", "/authors/3"]) {
      const next = await context.newPage();
      // Server-rendered without the notice: no flash before hydration.
      const response = await next.request.get(`${site.url}${path}`);
      expect(await response.text()).not.toContain("This is a demo catalog");
      await next.goto(`${site.url}${path}`);
      await expect(notice(next)).toHaveCount(0);
      await next.close();
    }
    const other = await browser.newContext({ javaScriptEnabled: js });
    const otherPage = await open(other, `${site.url}/books`, js);
    await expect(notice(otherPage)).toBeVisible();
    await other.close();
    expect(problems).toEqual([]);
    await context.close();
  });
}

test("the home page's counts link to the lists", async ({ page, site }) => {
  await page.goto(site.url);
  await hydrated(page);
  await page.getByRole("link", { name: "Browse all books" }).click();
  await expect(page.getByRole("heading", { name: "All books" })).toBeVisible();
  await page.goBack();
  await page.getByRole("link", { name: "Browse all authors" }).click();
  await expect(page.getByRole("heading", { name: "All authors" })).toBeVisible();
});
