import type { Page } from "@playwright/test";
import { test, expect, hydrated, newContext, signIn } from "./fixtures";

const heading = (page: Page) => page.getByRole("heading", { level: 1 });
const header = (page: Page) => page.locator("header");


for (const js of [true, false]) {
  const mode = js ? "with JavaScript" : "without JavaScript";

  test(`a member signs in, sees their loans, and signs out (${mode})`, async ({ browser, site }) => {
    site.addUser("alice", "correct horse");
    const { context, problems } = await newContext(browser, js);
    const page = await context.newPage();
    const loads: string[] = [];

    // Their loans: nobody signed in is sent to sign in, and back after.
    await page.goto(`${site.url}/loans/mine`);
    await expect(heading(page)).toHaveText("Login");
    expect(new URL(page.url()).searchParams.get("next")).toBe("/loans/mine");
    if (js) await hydrated(page);
    page.on("request", (r) => r.resourceType() === "document" && loads.push(r.url()));

    await page.getByLabel("Username").fill("alice");
    await page.getByLabel("Password").fill("wrong horse");
    await page.locator("main").getByRole("button", { name: "Login" }).click();
    await expect(
      page.getByText("Your username and password didn't match. Please try again."),
    ).toBeVisible();
    await expect(page.getByLabel("Username")).toHaveValue("alice");
    await expect(page.getByLabel("Password")).toHaveValue("");

    await page.getByLabel("Password").fill("correct horse");
    await page.locator("main").getByRole("button", { name: "Login" }).click();
    await expect(heading(page)).toHaveText("Borrowed books");
    expect(new URL(page.url()).pathname).toBe("/loans/mine");
    await expect(page.getByText("There are no books borrowed.")).toBeVisible();
    await expect(header(page).getByText("User: alice")).toBeVisible();
    await expect(header(page).getByRole("link", { name: "All borrowed" })).toHaveCount(0);

    await header(page).getByRole("button", { name: "Sign out" }).click();
    await expect(heading(page)).toHaveText("Logged out!");
    await expect(header(page).getByRole("link", { name: "Login" })).toBeVisible();
    await page.goto(`${site.url}/`);
    await expect(page.getByText("You have visited this page 1 time.")).toBeVisible();

    // With JavaScript, the forms were posted in place: no document load
    // until the last, typed address.
    if (js) expect(loads).toEqual([`${site.url}/`]);
    else expect(loads.length).toBeGreaterThan(3);
    expect(problems).toEqual([]);
    await context.close();
  });

  test(`a librarian lends a copy and renews the loan (${mode})`, async ({ browser, site }) => {
    site.addUser("libby", "shelves and stacks", { librarian: true });
    site.addUser("member", "borrowing books");
    const { context, problems } = await newContext(browser, js);
    const page = await context.newPage();
    await signIn(page, site, "libby", "shelves and stacks");
    for (const link of ["My borrowed", "All borrowed", "New author"]) {
      await expect(header(page).getByRole("link", { name: link })).toBeVisible();
    }

    // Lend the first available copy of the first book that has one.
    await page.goto(`${site.url}/books/4`);
    const lend = page.getByRole("link", { name: "Lend this copy" }).first();
    const copyPath = new URL((await lend.getAttribute("href"))!, site.url).pathname;
    const copy = copyPath.split("/")[2];
    await lend.click();
    await expect(heading(page)).toHaveText(/^Lend: /);
    await page.getByLabel("Member's username").fill("member");
    await page.getByRole("button", { name: "Lend" }).click();
    await expect(page).toHaveURL(`${site.url}/books/4`);
    await expect(page.getByText("Borrower: member")).toBeVisible();

    // Renew it from the list of every loan; a date too far is said wrong.
    await header(page).getByRole("link", { name: "All borrowed" }).click();
    await expect(heading(page)).toHaveText("All Borrowed Books");
    await page.goto(`${site.url}/copies/${copy}/renew`);
    await expect(heading(page)).toHaveText(/^Renew: /);
    const date = (days: number) => {
      const day = new Date(Date.now() + days * 86_400_000);
      return day.toISOString().slice(0, 10);
    };
    await page.getByLabel("Renewal date").fill(date(40));
    await page.getByRole("button", { name: "Submit" }).click();
    await expect(page.getByText("Invalid date - renewal more than 4 weeks ahead")).toBeVisible();
    await page.getByLabel("Renewal date").fill(date(14));
    await page.getByRole("button", { name: "Submit" }).click();
    await expect(heading(page)).toHaveText("All Borrowed Books");

    // Back on the book's page, the copy comes back.
    await page.goto(`${site.url}/books/4`);
    await page.getByRole("button", { name: "Mark returned" }).first().click();
    await expect(page).toHaveURL(`${site.url}/books/4`);
    expect(problems).toEqual([]);
    await context.close();
  });
}

test("a librarian adds an author, who is then in the list", async ({ page, site }) => {
  site.addUser("libby", "shelves and stacks", { librarian: true });
  await signIn(page, site, "libby", "shelves and stacks");
  await page.getByRole("link", { name: "New author" }).click();
  await expect(heading(page)).toHaveText("Create author");
  await page.getByLabel("First name").fill("Ursula");
  // Spaces pass the browser's own check of a required field; not the site's.
  await page.getByLabel("Last name").fill("   ");
  await page.getByRole("button", { name: "Submit" }).click();
  await expect(page.locator("#field-last_name-problems")).toHaveText("This field is required.");
  await expect(page.getByLabel("First name")).toHaveValue("Ursula");
  await page.getByLabel("Last name").fill("Aaronson");
  await page.getByRole("button", { name: "Submit" }).click();
  await expect(heading(page)).toHaveText("Aaronson, Ursula");
  await page.getByRole("navigation", { name: "Site" }).getByRole("link", { name: "Authors" }).click();
  await expect(page.locator("ul.item-list a.item-title").first()).toHaveText("Aaronson, Ursula");
});
