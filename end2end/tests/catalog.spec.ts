import type { Page } from "@playwright/test";
import { test, expect, newContext, signIn } from "./fixtures";

const heading = (page: Page) => page.getByRole("heading", { level: 1 });
const message = (page: Page) => page.locator(".message");

for (const js of [true, false]) {
  const mode = js ? "with JavaScript" : "without JavaScript";

  test(`a librarian catalogs a new book a visitor then finds, in both languages (${mode})`, async ({
    browser,
    site,
  }) => {
    test.setTimeout(120_000);
    site.addUser("libby", "shelves and stacks", { librarian: true });
    site.addUser("member", "borrowing books");
    const { context, problems } = await newContext(browser, js);
    const page = await context.newPage();
    await signIn(page, site, "libby", "shelves and stacks");

    // A new genre, and the author the book is by.
    await page.goto(`${site.url}/genres/new`);
    await page.getByLabel("Name", { exact: true }).fill("Solarpunk");
    await page.locator("main form button[type=submit]").click();
    await expect(message(page)).toHaveText("Added the genre Solarpunk.");
    await page.goto(`${site.url}/authors/new`);
    await page.getByLabel("First name").fill("Ursula");
    await page.getByLabel("Last name").fill("Quillfeather");
    await page.getByRole("button", { name: "Submit" }).click();
    await expect(heading(page)).toHaveText("Quillfeather, Ursula");

    // The book: its author by a word of the name, an ISBN-10, the genre.
    await page.goto(`${site.url}/books`);
    await page.getByRole("link", { name: "Add a book" }).click();
    await expect(heading(page)).toHaveText("Create book");
    await page.getByLabel("Title", { exact: true }).fill("The Orchard Engine");
    await page.getByLabel("Author", { exact: true }).fill("quillfeather");
    await page.getByLabel("Summary").fill("Gardens that run a city.");
    await page.getByLabel("ISBN").fill("0-06-051275-1");
    await page.getByLabel("Solarpunk").check();
    await page.getByRole("button", { name: "Submit" }).click();
    // A mistyped check digit is said, and nothing typed is lost.
    await expect(page.locator("#field-isbn-problems")).toHaveText(
      "This ISBN's check digit is wrong: a digit is probably mistyped.",
    );
    await expect(page.getByLabel("Title", { exact: true })).toHaveValue("The Orchard Engine");
    await expect(page.getByLabel("Solarpunk")).toBeChecked();
    await page.getByLabel("ISBN").fill("0-06-051275-X");
    await page.getByRole("button", { name: "Submit" }).click();
    await expect(heading(page)).toHaveText("The Orchard Engine");
    await expect(message(page)).toHaveText("Added The Orchard Engine.");
    await expect(page.locator("main")).toContainText("9780060512750");
    await expect(page.locator("main").getByRole("link", { name: "Solarpunk" })).toBeVisible();
    const book = new URL(page.url()).pathname;

    // Two copies at once; one lent.
    await page.getByRole("link", { name: "Add copies" }).click();
    await page.getByLabel("Imprint").fill("Harper, 1974");
    await page.getByLabel("How many copies").fill("2");
    await page.getByRole("button", { name: "Submit" }).click();
    await expect(message(page)).toHaveText("Added 2 copies of The Orchard Engine.");
    await expect(page.locator("main")).toContainText("2 of 2 copies available");
    await page.getByRole("link", { name: "Lend this copy" }).first().click();
    await page.getByLabel("Member's username").fill("member");
    await page.getByRole("button", { name: "Lend" }).click();
    await expect(page.getByText("Borrower: member")).toBeVisible();

    // The title corrected.
    await page.locator(".staff-actions").getByRole("link", { name: "Edit" }).click();
    await expect(heading(page)).toHaveText("Update book: The Orchard Engine");
    await expect(page.getByLabel("Author", { exact: true })).toHaveValue("Quillfeather, Ursula");
    await page.getByLabel("Title", { exact: true }).fill("The Orchard Engines");
    await page.getByRole("button", { name: "Submit" }).click();
    await expect(heading(page)).toHaveText("The Orchard Engines");
    await expect(message(page)).toHaveText("Saved the changes to The Orchard Engines.");
    await expect(page.locator("main")).toContainText("1 of 2 copies available");
    expect(problems).toEqual([]);
    await context.close();

    // A visitor finds it from the search box, in English and in 繁體中文.
    for (const [locale, available] of [
      ["en-US", "1 of 2 available"],
      ["zh-TW", "2 本中有 1 本可借閱"],
    ]) {
      const visitor = await newContext(browser, js, locale);
      const reader = await visitor.context.newPage();
      await reader.goto(`${site.url}/`);
      const search = reader.locator("header input[type=search]");
      await search.fill("orchard engines");
      await search.press("Enter");
      const found = reader.locator("ul.item-list li", { hasText: "The Orchard Engines" });
      await expect(found).toBeVisible();
      await expect(found).toContainText("Quillfeather, Ursula");
      await expect(found).toContainText(available);
      await found.getByRole("link", { name: "The Orchard Engines" }).click();
      await expect(reader).toHaveURL(`${site.url}${book}`);
      expect(visitor.problems).toEqual([]);
      await visitor.context.close();
    }
  });
}
