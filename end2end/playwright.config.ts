import { defineConfig } from "@playwright/test";
import { chromiumLaunchOptions } from "./chromium.cjs";

// Each test starts its own LocalLibrary server (see tests/fixtures.ts), so
// no webServer here. The browser is Debian's Chromium: nothing is downloaded.
export default defineConfig({
  testDir: "./tests",
  // Behind nginx (E2E_FRONT=nginx), the suites of what a proxy can change:
  // sessions, forms, sign-in, languages. How pages look and what the
  // keyboard reaches do not depend on what is in front of the servers.
  testIgnore: process.env.E2E_FRONT === "nginx" ? ["**/look.spec.ts"] : [],
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: true,
  retries: 0,
  reporter: [["list"]],
  use: {
    launchOptions: chromiumLaunchOptions,
  },
});
