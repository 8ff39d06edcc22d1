import { test as base, expect, type Page } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(__dirname, "..", "..");

/** The server binary of the latest `cargo leptos build` (debug or release),
 *  which is the one that matches the wasm in target/site. */
function serverBinary(): string {
  if (process.env.LOCALLIBRARY_BIN) return process.env.LOCALLIBRARY_BIN;
  const built = ["release", "debug"]
    .map((profile) => path.join(root, "target", profile, "locallibrary"))
    .filter((file) => existsSync(file))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (built.length === 0) throw new Error("build the site first: cargo leptos build");
  return built[0];
}

/** One LocalLibrary server on a free port with its own SQLite database. */
export class Site {
  url = "";
  private process?: ChildProcess;
  private readonly dir = mkdtempSync(path.join(tmpdir(), "locallibrary-e2e-"));

  async start(): Promise<void> {
    const child = spawn(serverBinary(), ["serve"], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: `sqlite://${path.join(this.dir, "site.sqlite3")}`,
        LEPTOS_SITE_ADDR: "127.0.0.1:0",
        LEPTOS_SITE_ROOT: path.join(root, "target", "site"),
        RUST_LOG: "warn,server=info",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.process = child;
    let log = "";
    this.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 20_000);
      child.stderr!.on("data", (chunk: Buffer) => {
        log += chunk.toString();
        const match = log.match(/listening on (http:\/\/[\d.:]+)/);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.on("exit", (code) => reject(new Error(`server exited (${code}):\n${log}`)));
    });
    // The readiness probe: not a page, so not a visit.
    const health = await fetch(`${this.url}/health`);
    expect(health.status).toBe(200);
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Fails the test on any console error or warning and any page error:
 *  a hydration failure shows up there even when clicks still work. */
export function watchForErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") {
      problems.push(`console.${message.type()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return problems;
}

export const test = base.extend<{ site: Site }>({
  site: async ({}, use) => {
    const site = new Site();
    await site.start();
    await use(site);
    await site.stop();
    site.remove();
  },
  page: async ({ page }, use) => {
    const problems = watchForErrors(page);
    await use(page);
    expect(problems, "console and page errors").toEqual([]);
  },
});

/** Waits until the wasm has hydrated the page. */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

export { expect };
