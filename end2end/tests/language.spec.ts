import type { Page } from "@playwright/test";
import { test, expect, hydrated, newContext } from "./fixtures";

const heading = (page: Page) => page.getByRole("heading", { level: 1 });
const switcher = (page: Page) => page.locator("form.language-switcher");


test("a browser that asks for Traditional Chinese gets it, on every page", async ({ browser, site }) => {
  const { context, problems } = await newContext(browser, true, "zh-TW");
  const page = await context.newPage();
  await page.goto(site.url);
  await hydrated(page);
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-TW");
  await expect(heading(page)).toHaveText("LocalLibrary 首頁");
  await expect(page.getByText("您已造訪本頁 1 次。")).toBeVisible();
  await expect(page).toHaveTitle("首頁 — LocalLibrary");
  await page.getByRole("navigation", { name: "網站" }).getByRole("link", { name: "書籍" }).click();
  await expect(heading(page)).toHaveText("所有書籍");
  await expect(page.getByText("第 1 頁，共 2 頁")).toBeVisible();
  expect(problems).toEqual([]);
  await context.close();
});

for (const js of [true, false]) {
  const mode = js ? "with JavaScript" : "without JavaScript";

  test(`the switcher changes the language and keeps the count (${mode})`, async ({ browser, site }) => {
    const { context, problems } = await newContext(browser, js);
    const page = await context.newPage();
    const loads: string[] = [];
    await page.goto(site.url);
    if (js) await hydrated(page);
    await expect(page.getByText("You have visited this page 1 time.")).toBeVisible();
    page.on("request", (r) => r.resourceType() === "document" && loads.push(r.url()));
    // Set on this document: still there after the switch if it was not reloaded.
    if (js) await page.evaluate(() => ((window as unknown as { kept: number }).kept = 42));

    await switcher(page).getByRole("button", { name: "繁體中文" }).click();
    await expect(heading(page)).toHaveText("LocalLibrary 首頁");
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-TW");
    // The switch counted nothing: the count as it stood.
    await expect(page.getByText("您已造訪本頁 1 次。")).toBeVisible();
    await expect(page).toHaveTitle("首頁 — LocalLibrary");
    await expect(switcher(page).getByRole("button", { name: "English" })).toBeVisible();

    if (js) {
      expect(loads, "no document load").toEqual([]);
      expect(await page.evaluate(() => (window as unknown as { kept: number }).kept)).toBe(42);
      // The page's islands, hydrated again, work in the new language.
      await page.getByRole("button", { name: "重設造訪次數" }).click();
      await expect(page.getByText("您已造訪本頁 0 次。")).toBeVisible();
      await page.getByRole("navigation", { name: "網站" }).getByRole("link", { name: "首頁" }).click();
      await expect(page.getByText("您已造訪本頁 1 次。")).toBeVisible();
    } else {
      await page.getByRole("navigation", { name: "網站" }).getByRole("link", { name: "首頁" }).click();
      await expect(page.getByText("您已造訪本頁 2 次。")).toBeVisible();
    }

    // On another page, back to the page it was on, in English again.
    await page.getByRole("navigation", { name: "網站" }).getByRole("link", { name: "作者" }).click();
    await expect(heading(page)).toHaveText("所有作者");
    await switcher(page).getByRole("button", { name: "English" }).click();
    await expect(heading(page)).toHaveText("All authors");
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    expect(new URL(page.url()).pathname).toBe("/authors");
    if (js) expect(loads, "no document load").toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
}

test("the choice is this browser's, and outlives a restart", async ({ browser, site }) => {
  const { context, problems } = await newContext(browser, true);
  const page = await context.newPage();
  await page.goto(`${site.url}/books`);
  await hydrated(page);
  await switcher(page).getByRole("button", { name: "繁體中文" }).click();
  await expect(heading(page)).toHaveText("所有書籍");

  const other = await newContext(browser, true);
  const elsewhere = await other.context.newPage();
  await elsewhere.goto(`${site.url}/books`);
  await hydrated(elsewhere);
  await expect(heading(elsewhere)).toHaveText("All books");
  expect(other.problems).toEqual([]);
  await other.context.close();

  await site.restart();
  await page.reload();
  await hydrated(page);
  await expect(heading(page)).toHaveText("所有書籍");
  expect(problems).toEqual([]);
  await context.close();
});
