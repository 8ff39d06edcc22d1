import { test as base, expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer, type AddressInfo } from "node:net";
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

/** One `locallibrary serve` process. */
class Server {
  address = "";
  private process?: ChildProcess;

  /** `behindProxy`: nginx on this machine forwards to it, and is trusted
   *  to say who the client is (`[connections] trusted-proxies`). */
  constructor(
    private readonly databaseUrl: string,
    private readonly behindProxy = false,
  ) {}

  /** Starts on `address` (by default a free port) and waits until it listens. */
  async start(address = "127.0.0.1:0"): Promise<void> {
    const child = spawn(serverBinary(), ["serve"], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: this.databaseUrl,
        LEPTOS_SITE_ADDR: address,
        LEPTOS_SITE_ROOT: path.join(root, "target", "site"),
        RUST_LOG: "warn,server=info",
        ...(this.behindProxy ? { LOCALLIBRARY_CONNECTIONS__TRUSTED_PROXIES: "127.0.0.1" } : {}),
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.process = child;
    let log = "";
    const url = await new Promise<string>((resolve, reject) => {
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
    this.address = url.replace("http://", "");
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
}

/** The site under test, on a new database of its own: one server on
 *  SQLite, or, with E2E_FRONT=nginx, two servers on one PostgreSQL
 *  database (on the server TEST_DATABASE_URL names) behind nginx
 *  configured by deploy/nginx.conf. */
export class Site {
  url = "";
  private servers: Server[] = [];
  private nginx?: ChildProcess;
  private database?: string;
  /** The database the servers share. */
  private databaseUrl = "";
  private readonly dir = mkdtempSync(path.join(tmpdir(), "locallibrary-e2e-"));

  async start(): Promise<void> {
    if (process.env.E2E_FRONT === "nginx") {
      await this.startBehindNginx();
    } else {
      this.databaseUrl = `sqlite://${path.join(this.dir, "site.sqlite3")}`;
      const server = new Server(this.databaseUrl);
      await server.start();
      this.servers = [server];
      this.url = `http://${server.address}`;
    }
    // The readiness probe: not a page, so not a visit.
    const health = await fetch(`${this.url}/readyz`);
    expect(health.status).toBe(200);
  }

  private async startBehindNginx(): Promise<void> {
    const admin = process.env.TEST_DATABASE_URL;
    if (!admin) throw new Error("E2E_FRONT=nginx needs TEST_DATABASE_URL (a PostgreSQL server)");
    this.database = `locallibrary_e2e_${randomUUID().replaceAll("-", "")}`;
    psql(admin, `CREATE DATABASE "${this.database}"`);
    const url = new URL(admin);
    url.pathname = `/${this.database}`;
    this.databaseUrl = url.toString();
    // One after the other: the first creates the schema and the catalog.
    for (let i = 0; i < 2; i++) {
      const server = new Server(this.databaseUrl, true);
      await server.start();
      this.servers.push(server);
    }
    const port = await freePort();
    const config = path.join(this.dir, "nginx.conf");
    writeFileSync(config, nginxConfiguration(this.servers.map((s) => s.address), port));
    mkdirSync(path.join(this.dir, "logs"));
    this.nginx = spawn(
      nginxBinary(),
      ["-p", this.dir, "-c", config, "-e", path.join(this.dir, "logs", "error.log"),
        "-g", `daemon off; pid ${path.join(this.dir, "nginx.pid")};`],
      { stdio: "ignore" },
    );
    this.url = `http://127.0.0.1:${port}`;
    await this.frontPassesThrough();
  }

  /** Waits until nginx passes /readyz through to a server. A request that
   *  met a stopped server leaves it out of turn for fail_timeout (10 s in
   *  deploy/nginx.conf), so after a restart this can take that long. */
  private async frontPassesThrough(): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const ready = await fetch(`${this.url}/readyz`).then((r) => r.ok, () => false);
      if (ready) return;
      if (Date.now() > deadline) throw new Error("nginx did not pass /readyz through");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.stop()));
  }

  /** Every server stops and starts again on its address. */
  async restart(): Promise<void> {
    await this.stop();
    for (const server of this.servers) await server.start(server.address);
    // Behind nginx, a request the browser made while the servers were
    // down (a favicon, say) may have left both out of turn.
    if (this.nginx) await this.frontPassesThrough();
  }

  /** Adds a user, as an operator does (`locallibrary adduser`). */
  addUser(username: string, password: string, { librarian = false } = {}): void {
    const args = ["adduser", username, "--email", `${username}@example.com`];
    if (librarian) args.push("--librarian");
    execFileSync(serverBinary(), args, {
      cwd: root,
      input: `${password}\n`,
      env: { ...process.env, DATABASE_URL: this.databaseUrl },
      stdio: ["pipe", "ignore", "pipe"],
    });
  }

  /** Stops everything and removes the database and files. */
  async close(): Promise<void> {
    await this.stop();
    const nginx = this.nginx;
    if (nginx && nginx.exitCode === null) {
      // TERM: the master process stops its workers before it exits.
      const exited = new Promise((resolve) => nginx.once("exit", resolve));
      nginx.kill("SIGTERM");
      await exited;
      // What nginx said went wrong, for the report of a failing test.
      const errors = readFileSync(path.join(this.dir, "logs", "error.log"), "utf8")
        .split("\n")
        .filter((line) => /\[(error|crit|alert|emerg)\]/.test(line));
      if (errors.length > 0) console.error(`nginx:\n${errors.join("\n")}`);
    }
    if (this.database) {
      psql(process.env.TEST_DATABASE_URL!, `DROP DATABASE IF EXISTS "${this.database}" WITH (FORCE)`);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function psql(url: string, sql: string): void {
  execFileSync("psql", [url, "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-c", sql]);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function nginxBinary(): string {
  return ["/usr/sbin/nginx", "/usr/local/sbin/nginx"].find((file) => existsSync(file)) ?? "nginx";
}

/** deploy/nginx.conf with its example servers replaced by `upstreams` and its
 *  listening address by 127.0.0.1:`port` (as server/tests/postgres/front.rs
 *  does for the Rust tests). */
function nginxConfiguration(upstreams: string[], port: number): string {
  const shipped = readFileSync(path.join(root, "deploy", "nginx.conf"), "utf8");
  let servers = 0;
  const lines = shipped.split("\n").flatMap((line) => {
    const trimmed = line.trimStart();
    if (trimmed.startsWith("server 127.0.0.1:")) {
      servers += 1;
      if (servers > 1) return [];
      const rest = trimmed.slice("server ".length);
      const space = rest.indexOf(" ");
      const options = space < 0 ? ";" : rest.slice(space + 1);
      return upstreams.map((upstream) => `        server ${upstream} ${options}`);
    }
    if (trimmed.startsWith("listen ")) return [`        listen 127.0.0.1:${port};`];
    return [line];
  });
  if (servers !== 2) throw new Error("deploy/nginx.conf no longer has its two example servers");
  return lines.join("\n");
}

/** Fails the test on any console error or warning, any page error and
 *  any Content-Security-Policy violation: a hydration failure shows up
 *  there even when clicks still work. Every document must come with a
 *  policy, so that a clean run proves the site works under it. Watches
 *  one page, or every page of a browser context (say whether it runs
 *  JavaScript); the problems go to `problems`, which is returned. */
export async function watchForErrors(
  target: Page | BrowserContext,
  problems: string[] = [],
  { javaScript = true }: { javaScript?: boolean } = {},
): Promise<string[]> {
  const watch = (page: Page) => {
    page.on("console", (message) => {
      if (message.type() !== "error" && message.type() !== "warning") return;
      // With JavaScript off, the wasm the page preloads for its islands is
      // never used, and Chromium says so if the page stays open a while.
      if (!javaScript && message.text().includes("was preloaded using link preload but not used")) {
        return;
      }
      problems.push(`console.${message.type()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("response", (response) => {
      if (response.request().resourceType() !== "document") return;
      if (!response.headers()["content-security-policy"]) {
        problems.push(`no Content-Security-Policy on ${response.url()}`);
      }
    });
  };
  if ("newPage" in target) {
    target.pages().forEach(watch);
    target.on("page", watch);
  } else {
    watch(target);
  }
  // The browser's own report of each violation, whatever it logs.
  await target.exposeFunction("__reportCspViolation", (violation: string) => {
    problems.push(`CSP violation: ${violation}`);
  });
  await target.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as { __reportCspViolation: (v: string) => void })
        .__reportCspViolation;
      report(
        `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ` +
          `${event.sourceFile}:${event.lineNumber}`,
      );
    });
  });
  return problems;
}

export const test = base.extend<{ site: Site }>({
  site: async ({}, use) => {
    const site = new Site();
    await site.start();
    await use(site);
    await site.close();
  },
  // The page depends on the site so that it is checked (and closed) while
  // the site still runs: requests a page makes as its test ends must not
  // meet a stopped server.
  page: async ({ page, site: _site }, use) => {
    const problems = await watchForErrors(page);
    await use(page);
    expect(problems, "console and page errors").toEqual([]);
  },
});

/** A new browser context, with or without JavaScript, in `locale`, its
 *  pages watched for errors (returned as they come). */
export async function newContext(browser: Browser, js: boolean, locale = "en-US") {
  const context = await browser.newContext({ javaScriptEnabled: js, locale });
  const problems = await watchForErrors(context, [], { javaScript: js });
  return { context, problems };
}

/** Signs `page` in through the sign-in form, and waits for the page it
 *  goes to next. */
export async function signIn(page: Page, site: Site, username: string, password: string): Promise<void> {
  await page.goto(`${site.url}/accounts/login`);
  // By the fields' ids: the page may be in either language.
  await page.locator("#field-username").fill(username);
  await page.locator("#field-password").fill(password);
  await page.locator("main form button[type=submit]").click();
  await expect(page.locator("header .user")).toContainText(username);
}

/** Waits until the wasm has hydrated the page. */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

export { expect };
