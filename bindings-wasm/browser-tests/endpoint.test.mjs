// <civic311-search endpoint="..."> in headless Chromium: a `civic311 serve`
// process answers (on a free loopback port, over a store in a temporary
// folder), and the page downloads no wasm, no bundle and no worker. The
// server is the CLI named by CIVIC311_BIN, or target/debug/civic311.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

import { start } from "../demo/serve.mjs";

const packageRoot = fileURLToPath(new URL("..", import.meta.url));
const civic311 = process.env.CIVIC311_BIN ?? join(packageRoot, "..", "target", "debug", "civic311");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const LAUNCH = {
  executablePath: CHROMIUM,
  // The page and the server are both on 127.0.0.1 (two ports): Chromium's
  // Local Network Access checks ask the user before such a request, and a
  // headless browser cannot be asked. A city's page and its 311 server are
  // on public addresses, where the check does not apply.
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-features=LocalNetworkAccessChecks"],
};
const TIMEOUT = { timeout: 120_000 };
const ADMIN_KEY = "analyst-key-for-the-widget-test";

let browser;
let site;
let server;
let endpoint;
let folder;

before(async () => {
  if (!existsSync(civic311)) throw new Error(`${civic311} is missing; build it with cargo build -p civic311-cli`);
  site = await start({ port: 0, root: packageRoot });
  folder = await mkdtemp(join(tmpdir(), "civic311-endpoint-"));
  // The demo site's origin may call the server from its pages.
  const origin = new URL(site.url).origin;
  const keys = join(folder, "keys.toml");
  const hash = createHash("sha256").update("unused-key").digest("hex");
  const admin = createHash("sha256").update(ADMIN_KEY).digest("hex");
  await writeFile(
    keys,
    `cors_origins = ["${origin}"]\n[[keys]]\nname = "x"\nrole = "client"\nsha256 = "${hash}"\n` +
      `[[keys]]\nname = "analyst"\nrole = "admin"\nsha256 = "${admin}"\n`,
  );
  server = spawn(civic311, ["serve", "--store", `sqlite:${join(folder, "store.db")}`, "--keys", keys, "--listen", "127.0.0.1:0"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: server.stdout }).once("line", resolve);
    server.once("exit", (code) => reject(new Error(`civic311 serve exited with ${code}`)));
  });
  endpoint = line.replace("listening on ", "").trim() + "/";
  browser = await chromium.launch(LAUNCH);
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  await new Promise((resolve) => (site ? site.server.close(resolve) : resolve()));
  if (folder) await rm(folder, { recursive: true, force: true });
});

function recordEvents() {
  window.__civic311 = { events: [] };
  for (const type of ["civic311-ready", "civic311-answers", "civic311-error"]) {
    document.addEventListener(type, (event) => {
      const { error, ...detail } = event.detail ?? {};
      window.__civic311.events.push({ type, detail });
    });
  }
}

async function widgetPage(attributes) {
  const context = await browser.newContext();
  await context.addInitScript(recordEvents);
  await context.route("**/demo/endpoint.html", (route) =>
    route.fulfill({
      status: 200,
      contentType: "text/html; charset=utf-8",
      body: `<!doctype html><html lang="en"><body><civic311-search ${attributes}></civic311-search><script type="module" src="../js/widget.js"></script></body></html>`,
    }),
  );
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error));
  if (process.env.DEBUG_ENDPOINT) page.on("console", (m) => console.log("console:", m.text()));
  const requests = [];
  page.on("request", (request) => requests.push(request.url()));
  await page.goto(`${site.url}demo/endpoint.html`, { waitUntil: "load" });
  return { context, page, errors, requests };
}

/** The status line, once it says what `pattern` matches (it is announced when typing pauses). */
async function statusText(page, pattern) {
  await page.waitForFunction(
    ({ source, flags }) =>
      new RegExp(source, flags).test(document.querySelector("civic311-search").shadowRoot.querySelector('[role="status"]').textContent),
    { source: pattern.source, flags: pattern.flags },
    { timeout: 30_000 },
  );
  return page.evaluate(() => document.querySelector("civic311-search").shadowRoot.querySelector('[role="status"]').textContent);
}

test("with an endpoint, the server answers and the page fetches no wasm, bundle or worker", TIMEOUT, async () => {
  const { context, page, errors, requests } = await widgetPage(`endpoint="${endpoint}" bundle="riverton.c311"`);
  try {
    const box = page.locator("civic311-search input");
    await box.focus();
    await page.waitForFunction(() => window.__civic311.events.some((e) => e.type === "civic311-ready"));
    await box.pressSequentially("potholes");
    await page.waitForFunction(() =>
      window.__civic311.events.some((e) => e.type === "civic311-answers" && e.detail.query === "potholes"),
    );
    const ready = await page.evaluate(() => window.__civic311.events.find((e) => e.type === "civic311-ready").detail);
    assert.equal(ready.server, true);
    assert.equal(ready.worker, false);
    const shown = await page.evaluate(() =>
      Array.from(document.querySelector("civic311-search").shadowRoot.querySelectorAll(".answer")).map((item) => ({
        id: item.dataset.id,
        kind: item.dataset.kind,
        marked: Array.from(item.querySelectorAll(".snippet mark")).map((m) => m.textContent),
      })),
    );
    assert.deepEqual([shown[0].id, shown[0].kind], ["ST-POTHOLE", "service"]);
    assert.ok(shown.some((a) => a.marked.some((m) => /pothole/i.test(m))), `the server's snippets keep their <mark>: ${JSON.stringify(shown)}`);
    assert.match(await statusText(page, /answers? for/), /answers? for “potholes”/);
    const engineFiles = requests.filter((u) => /\.wasm$|\.c311$|civic311_wasm\.js$|\/js\/index\.js$|\/js\/worker\.js$/.test(u));
    assert.deepEqual(engineFiles, [], "no engine is downloaded: the bundle attribute is not used with an endpoint");
    assert.deepEqual(page.workers(), []);
    assert.ok(requests.some((u) => u.startsWith(`${endpoint}api/info`)));
    assert.ok(requests.some((u) => u.startsWith(`${endpoint}api/search?q=potholes`)));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("Spanish through the endpoint: lang goes to the server", TIMEOUT, async () => {
  const { context, page, requests } = await widgetPage(`endpoint="${endpoint}" lang="es"`);
  try {
    const box = page.locator("civic311-search input");
    await box.focus();
    await box.pressSequentially("basura");
    await page.waitForFunction(() =>
      window.__civic311.events.some((e) => e.type === "civic311-answers" && e.detail.query === "basura" && e.detail.count > 0),
    );
    assert.ok(requests.some((u) => u.includes("/api/search?") && u.includes("lang=es")), requests.join("\n"));
    assert.match(await statusText(page, /respuestas? para/), /para “basura”/);
  } finally {
    await context.close();
  }
});

test("an endpoint that does not answer: the widget says so and fires civic311-error", TIMEOUT, async () => {
  // A port that was free a moment ago: nothing listens on it.
  const port = await new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  const { context, page } = await widgetPage(`endpoint="http://127.0.0.1:${port}/"`);
  try {
    const box = page.locator("civic311-search input");
    await box.focus();
    await box.pressSequentially("potholes");
    await page.waitForFunction(() => window.__civic311.events.some((e) => e.type === "civic311-error"));
    const error = await page.evaluate(() => window.__civic311.events.find((e) => e.type === "civic311-error").detail);
    assert.equal(error.name, "NetworkError");
    assert.match(await statusText(page, /unavailable/), /Search is unavailable/);
  } finally {
    await context.close();
  }
});

/** The server's report of today (UTC) and the days around it, as the admin reads it. */
async function questionsReport() {
  const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const response = await fetch(`${endpoint}api/stats?from=${day(-1)}&to=${day(1)}`, { headers: { "x-api-key": ADMIN_KEY } });
  assert.equal(response.status, 200);
  return (await response.json()).questions;
}

test("a page that opts in records settled searches and answers followed, never the words typed on the way", TIMEOUT, async () => {
  const before = await questionsReport();
  const { context, page, requests } = await widgetPage(`endpoint="${endpoint}" record-searches`);
  // The answer's own page, so that following it goes nowhere real.
  await context.route("https://www.riverton.example/**", (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<p>ok</p>" }));
  try {
    const box = page.locator("civic311-search input");
    await box.focus();
    await page.waitForFunction(() => window.__civic311.events.some((e) => e.type === "civic311-ready"));
    await box.pressSequentially("where do i get a recycling cart", { delay: 40 });
    await page.waitForFunction(() =>
      window.__civic311.events.some((e) => e.type === "civic311-answers" && e.detail.query === "where do i get a recycling cart"),
    );
    // Every search while typing asked the server not to record it.
    const searches = requests.filter((u) => u.includes("/api/search?"));
    assert.ok(searches.length > 1 && searches.every((u) => u.includes("record=0")), searches.join("\n"));
    // Settled: sent after two seconds on show.
    await page.waitForRequest((r) => r.url().endsWith("/api/events") && r.method() === "POST", { timeout: 10_000 });
    // Then an answer is followed.
    const followed = page.waitForRequest((r) => r.url().endsWith("/api/events") && (r.postData() ?? "").includes('"follow"'));
    await page.locator("civic311-search .answer a.title").first().click();
    const follow = JSON.parse((await followed).postData());
    assert.equal(follow.query, "where do i get a recycling cart");
    assert.match(follow.followed, /^(article|service|facility):/);
    assert.equal(follow.page, `${new URL(site.url).origin}/demo/endpoint.html`);
    const after = await questionsReport();
    assert.equal(after.searches - before.searches, 1, JSON.stringify(after));
    assert.equal(after.follows - before.follows, 1, JSON.stringify(after));
    assert.ok(after.top.some((g) => g.question === "where do i get a recycling cart"), JSON.stringify(after.top));
  } finally {
    await context.close();
  }
});

test("a page that does not opt in sends no event", TIMEOUT, async () => {
  const before = await questionsReport();
  const { context, page, requests } = await widgetPage(`endpoint="${endpoint}"`);
  try {
    const box = page.locator("civic311-search input");
    await box.focus();
    await box.pressSequentially("bulky item pickup");
    await page.waitForFunction(() => window.__civic311.events.some((e) => e.type === "civic311-answers" && e.detail.query === "bulky item pickup"));
    await page.waitForTimeout(2_500);
    assert.deepEqual(requests.filter((u) => u.includes("/api/events")), []);
    const after = await questionsReport();
    assert.equal(after.searches, before.searches);
  } finally {
    await context.close();
  }
});
