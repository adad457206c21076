// The HTML report (`civic311 report --format html`) as a person sees it,
// in headless Chromium: real NYC 311 requests of 1 to 3 March 2011, with
// their due dates and channels (kb-fixtures/requests), are imported into a
// store, the report is written by day,
// and the page is opened from its file. It loads nothing else, runs no
// script, shows its four charts and its tables without sideways
// scrolling, prints on A4, and leaves screenshots in target/report:
// report.png (the whole page) and report-top.png (its first screen, of
// which docs/analytics.png is a copy). The CLI is the
// one CIVIC311_BIN names, or target/debug/civic311.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { chromium } from "playwright-core";

const packageRoot = fileURLToPath(new URL("..", import.meta.url));
const repo = join(packageRoot, "..");
const civic311 = process.env.CIVIC311_BIN ?? join(repo, "target", "debug", "civic311");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const LAUNCH = {
  executablePath: CHROMIUM,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
};
const TIMEOUT = { timeout: 120_000 };
const outputDir = join(repo, "target", "report");

let browser;
let folder;
let page;

before(async () => {
  if (!existsSync(civic311)) throw new Error(`${civic311} is missing; build it with cargo build -p civic311-cli`);
  folder = await mkdtemp(join(tmpdir(), "civic311-report-"));
  const store = `sqlite:${join(folder, "store.db")}`;
  const run = (args) => execFileSync(civic311, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  run(["import", "--store", store, join(repo, "kb-fixtures", "requests", "nyc311-sample-2011.csv"), "--mapping", "nyc311"]);
  page = join(folder, "report.html");
  run([
    "report", "--store", store, "--from", "2011-03-01", "--to", "2011-03-03", "--by", "day",
    "--at", "2011-03-10T17:00:00Z", "--format", "html", "--title", "NYC 311, 1 to 3 March 2011", "-o", page,
  ]);
  browser = await chromium.launch(LAUNCH);
});

after(async () => {
  await browser?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

test("the report loads nothing else, shows its charts and tables, fits the page, and prints", TIMEOUT, async () => {
  const context = await browser.newContext({ viewport: { width: 1024, height: 800 }, javaScriptEnabled: false });
  const tab = await context.newPage();
  const requests = [];
  const errors = [];
  tab.on("request", (r) => requests.push(r.url()));
  tab.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  const url = pathToFileURL(page).href;
  await tab.goto(url);
  assert.deepEqual(requests, [url], "the page is one file: nothing else is fetched");
  assert.deepEqual(errors, []);

  assert.equal(await tab.title(), "NYC 311, 1 to 3 March 2011");
  const charts = await tab.$$eval("figure svg", (svgs) =>
    svgs.map((s) => {
      const box = s.getBoundingClientRect();
      return { width: box.width, height: box.height, texts: s.querySelectorAll("text").length, lines: s.querySelectorAll("polyline, path, rect, line").length };
    }),
  );
  assert.equal(charts.length, 4, JSON.stringify(charts));
  for (const c of charts) {
    assert.ok(c.width > 300 && c.height > 100, `a chart is drawn at a readable size: ${JSON.stringify(c)}`);
    assert.ok(c.texts > 3 && c.lines > 3, `a chart has its labels and its marks: ${JSON.stringify(c)}`);
  }
  const headings = await tab.$$eval("h2", (hs) => hs.map((h) => h.textContent));
  for (const h of ["Trend", "By category", "By department", "Service levels", "Service levels by department", "Backlog by age", "By channel"]) {
    assert.ok(headings.includes(h), `${h} in ${headings}`);
  }
  const rows = await tab.$$eval("table tr", (trs) => trs.length);
  assert.ok(rows > 20, `tables with rows: ${rows}`);
  // Nothing wider than the window, on a desktop and on a phone.
  for (const width of [1024, 390]) {
    await tab.setViewportSize({ width, height: 800 });
    const scroll = await tab.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scroll <= width, `no sideways scrolling at ${width} px (${scroll})`);
  }
  await tab.setViewportSize({ width: 1024, height: 800 });
  mkdirSync(outputDir, { recursive: true });
  await tab.screenshot({ path: join(outputDir, "report.png"), fullPage: true });
  // The first screen (docs/analytics.png is a copy).
  await tab.screenshot({ path: join(outputDir, "report-top.png"), clip: { x: 0, y: 0, width: 1024, height: 1500 } });
  assert.ok(statSync(join(outputDir, "report.png")).size > 20_000, "a screenshot of the report");
  // It prints: A4 pages, with the charts in them.
  const pdf = await tab.pdf({ format: "A4", printBackground: true });
  const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  assert.ok(pages >= 2 && pages <= 12, `printed on ${pages} A4 pages`);
  await context.close();
});
