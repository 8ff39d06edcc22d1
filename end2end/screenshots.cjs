// Screenshots of the real site for the README: the home page and a book's
// page, at a desk and on a phone. Run by scripts/screenshots.sh, which
// starts the site; usage: node screenshots.cjs SITE_URL OUTPUT_DIR
const { chromium } = require("@playwright/test");
const path = require("node:path");
const { chromiumLaunchOptions } = require("./chromium.cjs");

const [site, out] = process.argv.slice(2);
const shots = [
  ["home", "/"],
  ["book", "/books/6"],
];
const viewports = [
  ["desktop", { width: 1280, height: 800 }, 1],
  ["phone", { width: 390, height: 844 }, 2],
];

(async () => {
  const browser = await chromium.launch(chromiumLaunchOptions);
  for (const [device, viewport, scale] of viewports) {
    const context = await browser.newContext({ viewport, deviceScaleFactor: scale });
    const page = await context.newPage();
    for (const [name, address] of shots) {
      await page.goto(site + address);
      await page.locator("body[data-hydrated=true]").waitFor();
      const file = path.join(out, `${name}-${device}.png`);
      await page.screenshot({ path: file, fullPage: device === "desktop" });
      console.log(file);
    }
    await context.close();
  }
  await browser.close();
})();
