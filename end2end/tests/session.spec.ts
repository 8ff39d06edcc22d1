import type { BrowserContext, Page } from "@playwright/test";
import { test, expect, hydrated, watchForErrors } from "./fixtures";

const visits = (n: number) => `You have visited this page ${n} ${n === 1 ? "time" : "times"}.`;

async function sessionCookie(context: BrowserContext): Promise<string | undefined> {
  return (await context.cookies()).find((c) => c.name === "sessionid")?.value;
}

/** Records document loads from now on; a client-side update makes none. */
function documentLoads(page: Page): string[] {
  const loads: string[] = [];
  page.on("request", (r) => r.resourceType() === "document" && loads.push(r.url()));
  return loads;
}

test("reset visit count zeroes the count in place and keeps the session", async ({ page, site, context }) => {
  await page.goto(site.url);
  await page.reload();
  await hydrated(page);
  await expect(page.getByText(visits(2))).toBeVisible();
  const id = await sessionCookie(context);

  const loads = documentLoads(page);
  await page.getByRole("button", { name: "Reset visit count" }).click();
  await expect(page.getByText(visits(0))).toBeVisible();
  expect(loads).toEqual([]);

  await page.reload();
  await expect(page.getByText(visits(1))).toBeVisible();
  expect(await sessionCookie(context)).toBe(id);
});

test("forget me deletes the session and its cookie", async ({ page, site, context }) => {
  await page.goto(site.url);
  await page.reload();
  await hydrated(page);
  const id = await sessionCookie(context);
  expect(id).toBeTruthy();

  const loads = documentLoads(page);
  await page.getByRole("button", { name: "Forget me" }).click();
  await expect(page.getByText("This browser's session has been deleted.")).toBeVisible();
  expect(loads).toEqual([]);
  expect(await sessionCookie(context)).toBeUndefined();

  await page.reload();
  await expect(page.getByText(visits(1))).toBeVisible();
  expect(await sessionCookie(context)).not.toBe(id);
});

test("a browser that refuses cookies is told its visits can't be counted", async ({ browser, site }) => {
  const context = await browser.newContext();
  // Refuse cookies: whatever the site set is gone before the next request.
  await context.route("**/*", async (route) => {
    await context.clearCookies();
    await route.continue();
  });
  const page = await context.newPage();
  const problems = await watchForErrors(page);

  for (let load = 0; load < 2; load++) {
    if (load === 0) await page.goto(site.url);
    else await page.reload();
    await hydrated(page);
    await expect(page.getByText("visits can't be counted")).toBeVisible();
    await expect(page.getByText(visits(1))).toHaveCount(0);
  }
  expect(problems).toEqual([]);
  await context.close();
});

test("the controls work without JavaScript", async ({ browser, site }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(site.url);
  await page.reload();
  await expect(page.getByText(visits(2))).toBeVisible();
  await expect(page.locator("body")).not.toHaveAttribute("data-hydrated", "true");
  const id = await sessionCookie(context);

  // Each form posts and comes back to the home page showing its outcome,
  // as the page does in place with JavaScript: the count reset to 0 ...
  await page.getByRole("button", { name: "Reset visit count" }).click();
  await expect(page.getByText(visits(0))).toBeVisible();
  expect(await sessionCookie(context)).toBe(id);
  await page.getByRole("link", { name: "Home" }).click();
  await expect(page.getByText(visits(1))).toBeVisible();

  // ... and the session forgotten, with no new one started.
  await page.getByRole("button", { name: "Forget me" }).click();
  await expect(page.getByText("This browser's session has been deleted.")).toBeVisible();
  expect(await sessionCookie(context)).toBeUndefined();
  await page.getByRole("link", { name: "Home" }).click();
  await expect(page.getByText(visits(1))).toBeVisible();
  await context.close();
});
