// Time from navigation start to the first answer of <civic311-search> on the
// Riverton demo page, in Debian's headless Chromium driven by playwright-core
// (bindings-wasm's own devDependency; run bindings-wasm/build.sh first):
//
//   node benches/compare/widget_first_answer.mjs [RUNS]      (default 15)
//
// Each run opens a fresh browser context (cold: nothing cached), focuses the
// box, types "potholes" and stops the clock at the animation frame after the
// first answers are drawn; then reloads the page in the same context (warm:
// wasm and bundle from the caches) and does it again. Runs alternate between
// the engine in its Web Worker (what the widget does where it can) and in the
// page (where workers cannot run). Prints medians with the range of: the
// first answer, the engine's load, the longest main-thread task (over 50 ms;
// 0 when none) from navigation start and from the focus that starts the
// engine's load, to the first answer; and, with the engine loaded, the time
// of each search as one types "how do i get rid of an old couch" at a fast
// typist's pace (one key every 30 ms).

import { chromium } from "../../bindings-wasm/node_modules/playwright-core/index.mjs";
import { start } from "../../bindings-wasm/demo/serve.mjs";

const RUNS = Number(process.argv[2] ?? 15);
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

function recorder() {
  window.__timing = { events: [], longTasks: [] };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__timing.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: "longtask", buffered: true });
  for (const type of ["civic311-ready", "civic311-answers"]) {
    document.addEventListener(type, (event) => {
      const record = { type, detail: event.detail, frame: null };
      window.__timing.events.push(record);
      requestAnimationFrame(() => {
        record.frame = performance.now();
      });
    });
  }
}

async function firstAnswer(page) {
  const focused = await page.evaluate(() => performance.now());
  await page.locator("civic311-search input").focus();
  await page.keyboard.type("potholes");
  await page.waitForFunction(() =>
    window.__timing.events.some(
      (e) => e.type === "civic311-answers" && e.detail.query === "potholes" && e.detail.count > 0 && e.frame !== null,
    ),
  );
  return page.evaluate((focused) => {
    const ready = window.__timing.events.find((e) => e.type === "civic311-ready");
    const answered = window.__timing.events.find((e) => e.type === "civic311-answers" && e.detail.query === "potholes");
    const tasks = window.__timing.longTasks.filter((t) => t.start <= answered.frame);
    return {
      first: answered.frame,
      load: ready.detail.ms,
      longest: Math.max(0, ...tasks.map((t) => t.duration)),
      longestAfterFocus: Math.max(0, ...tasks.filter((t) => t.start + t.duration >= focused).map((t) => t.duration)),
      worker: ready.detail.worker,
    };
  }, focused);
}

/** With the engine loaded: the engine's time for each search while a sentence is typed. */
async function searchAsYouType(page) {
  const box = page.locator("civic311-search input");
  const sentence = "how do i get rid of an old couch";
  await box.fill("");
  await page.evaluate(() => (window.__timing.events.length = 0));
  await box.pressSequentially(sentence, { delay: 30 });
  await page.waitForFunction(
    (sentence) => window.__timing.events.some((e) => e.type === "civic311-answers" && e.detail.query === sentence),
    sentence,
  );
  return page.evaluate(() => window.__timing.events.filter((e) => e.type === "civic311-answers").map((e) => e.detail.ms));
}

const site = await start({ port: 0 });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const version = browser.version();
const results = { worker: { cold: [], warm: [] }, page: { cold: [], warm: [] } };
const perKey = { worker: [], page: [] };
try {
  for (let i = 0; i < RUNS; i++) {
    for (const mode of i % 2 === 0 ? ["worker", "page"] : ["page", "worker"]) {
      const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
      await context.addInitScript(recorder);
      if (mode === "page") await context.addInitScript(() => delete globalThis.Worker);
      const page = await context.newPage();
      for (const visit of ["cold", "warm"]) {
        await page.goto(site.demoUrl, { waitUntil: "load" });
        const m = await firstAnswer(page);
        if (m.worker !== (mode === "worker")) throw new Error(`expected the engine ${mode === "worker" ? "in a worker" : "in the page"}`);
        results[mode][visit].push(m);
      }
      perKey[mode].push(...(await searchAsYouType(page)));
      await context.close();
    }
  }
} finally {
  await browser.close();
  site.server.close();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const figure = (runs, key) => {
  const values = runs.map((r) => r[key]);
  return `${Math.round(median(values))} ms (${Math.round(Math.min(...values))} to ${Math.round(Math.max(...values))})`;
};
console.log(`Chromium ${version} (${CHROMIUM}, headless); ${RUNS} runs of each`);
console.log("| | first answer | engine load (focus to ready) | longest main-thread task | from the focus |");
console.log("|---|---|---|---|---|");
for (const visit of ["cold", "warm"]) {
  for (const mode of ["worker", "page"]) {
    const runs = results[mode][visit];
    const cells = ["first", "load", "longest", "longestAfterFocus"].map((key) => figure(runs, key));
    console.log(`| ${visit}, engine in ${mode === "worker" ? "its worker" : "the page"} | ${cells.join(" | ")} |`);
  }
}
for (const mode of ["worker", "page"]) {
  const ms = perKey[mode];
  const p = (q) => [...ms].sort((a, b) => a - b)[Math.min(ms.length - 1, Math.floor(q * ms.length))];
  console.log(
    `search as you type, engine in ${mode === "worker" ? "its worker" : "the page"}: ${ms.length} searches, median ${p(0.5).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms`,
  );
}
