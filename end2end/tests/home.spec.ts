import { test, expect, hydrated, watchForErrors } from "./fixtures";

const visits = (n: number) => `You have visited this page ${n} ${n === 1 ? "time" : "times"}.`;

test("the home page shows the catalog and counts each load once", async ({ page, site }) => {
  await page.goto(site.url);
  await expect(page.getByRole("heading", { name: "Local Library Home" })).toBeVisible();
  await expect(page.getByText("Books: 20")).toBeVisible();
  await expect(page.getByText("Copies: 50")).toBeVisible();
  await expect(page.locator(".count-card", { hasText: "Copies available" }).locator(".count-figure")).toHaveText("23");
  await expect(page.getByText("Authors: 10")).toBeVisible();
  await expect(page.getByText(visits(1))).toBeVisible();
  await hydrated(page);
  // Hydrating reuses the server's answer: still 1, not a second count.
  await expect(page.getByText(visits(1))).toBeVisible();

  await page.reload();
  await hydrated(page);
  await expect(page.getByText(visits(2))).toBeVisible();
});

test("another browser has its own count", async ({ page, site, browser }) => {
  await page.goto(site.url);
  await page.reload();
  await expect(page.getByText(visits(2))).toBeVisible();

  const other = await browser.newContext();
  const otherPage = await other.newPage();
  const problems = await watchForErrors(otherPage);
  await otherPage.goto(site.url);
  await hydrated(otherPage);
  await expect(otherPage.getByText(visits(1))).toBeVisible();
  expect(problems).toEqual([]);
  await other.close();
});

test("navigating back to the home page in the app counts the visit without a page load", async ({
  page,
  site,
}) => {
  await page.goto(site.url);
  await hydrated(page);
  await expect(page.getByText(visits(1))).toBeVisible();

  const documentLoads: string[] = [];
  page.on("request", (request) => {
    if (request.resourceType() === "document") documentLoads.push(request.url());
  });
  await page.evaluate(() => ((window as any).sameDocument = true));

  await page.getByRole("navigation", { name: "Site" }).getByRole("link", { name: "About" }).click();
  await expect(page.getByRole("heading", { name: "About LocalLibrary" })).toBeVisible();
  await page.getByRole("navigation", { name: "Site" }).getByRole("link", { name: "Home" }).click();
  await expect(page.getByText(visits(2))).toBeVisible();

  expect(documentLoads).toEqual([]);
  expect(await page.evaluate(() => (window as any).sameDocument)).toBe(true);

  // A full load afterwards continues from there: nothing was counted twice.
  await page.reload();
  await hydrated(page);
  await expect(page.getByText(visits(3))).toBeVisible();
});

test("the home page's controls work on a home page reached in the app, and Home on Home counts", async ({
  page,
  site,
}) => {
  await page.goto(`${site.url}/about`);
  await hydrated(page);
  const documentLoads: string[] = [];
  page.on("request", (request) => {
    if (request.resourceType() === "document") documentLoads.push(request.url());
  });
  const home = page.getByRole("navigation", { name: "Site" }).getByRole("link", { name: "Home" });

  await home.click();
  await expect(page.getByText(visits(1))).toBeVisible();
  await expect(page).toHaveTitle("Home — LocalLibrary");
  // The page came in without a load: its controls must have been hydrated.
  await page.getByRole("button", { name: "Reset visit count" }).click();
  await expect(page.getByText(visits(0))).toBeVisible();

  // Home again while on it is another view, and the page shows its count.
  await home.click();
  await expect(page.getByText(visits(1))).toBeVisible();
  await home.click();
  await expect(page.getByText(visits(2))).toBeVisible();
  expect(documentLoads).toEqual([]);
});

test("the count goes on after the server restarts", async ({ page, site }) => {
  await page.goto(site.url);
  await page.reload();
  await expect(page.getByText(visits(2))).toBeVisible();
  // The browser leaves the site while the server is down, as a visitor
  // would: the page's own late loads (Chromium fetches the icon after the
  // page has loaded) must not meet the stopped server, which is a console
  // error of this test's making.
  await page.goto("about:blank");

  await site.restart();

  await page.goto(site.url);
  await hydrated(page);
  await expect(page.getByText(visits(3))).toBeVisible();
});
