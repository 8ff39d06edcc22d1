// Time to hydration of a LocalLibrary page in Debian's Chromium, through the
// Playwright that end2end/ installs.
//
//   node bench/hydration.mjs URL [LOADS]
//
// Loads URL LOADS times (default 15), each in a fresh browser context (no
// cookies, no cache), after one discarded load that starts the browser's
// own machinery. A sample is performance.now() (ms since navigation start)
// when <body> gets data-hydrated="true", which the app sets once hydration
// has finished. Prints {"median", "max", "samples"} as JSON. Exits non-zero
// on any console error or page error: a failed hydration can still leave a
// page that looks right.
import { createRequire } from "node:module";

// Resolved from end2end/, where `npm ci` put Playwright.
const require = createRequire(new URL("../end2end/package.json", import.meta.url));
const { chromium } = require("@playwright/test");
const { chromiumLaunchOptions } = require("./chromium.cjs");

const [url, loadsArg = "15"] = process.argv.slice(2);
const loads = Number.parseInt(loadsArg, 10);
if (!url || !(loads > 0)) {
  console.error("usage: node bench/hydration.mjs URL [LOADS]");
  process.exit(2);
}

const browser = await chromium.launch(chromiumLaunchOptions);

const problems = [];
const samples = [];
try {
  for (let load = 0; load <= loads; load++) {
    const context = await browser.newContext();
    try {
      // Runs before any of the page's scripts, so the change is seen the
      // moment it happens rather than when a poll comes round.
      await context.addInitScript(() => {
        const record = () => {
          if (window.__hydratedAt === undefined && document.body?.dataset.hydrated === "true") {
            window.__hydratedAt = performance.now();
          }
        };
        new MutationObserver(record).observe(document, {
          subtree: true,
          childList: true,
          attributes: true,
          attributeFilter: ["data-hydrated"],
        });
      });
      const page = await context.newPage();
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`console.error: ${message.text()}`);
      });
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      const response = await page.goto(url);
      if (!response || !response.ok()) {
        throw new Error(`GET ${url}: ${response ? response.status() : "no response"}`);
      }
      const handle = await page.waitForFunction(() => window.__hydratedAt, null, {
        timeout: 15_000,
      });
      const at = await handle.jsonValue();
      if (load > 0) samples.push(Math.round(at * 10) / 10);
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
}

if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
const sorted = [...samples].sort((a, b) => a - b);
const middle = Math.floor(sorted.length / 2);
const median =
  sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
console.log(JSON.stringify({ median, max: sorted[sorted.length - 1], samples }));
