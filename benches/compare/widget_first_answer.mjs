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
// page (where workers cannot run). Prints medians with the range, and the
// longest main-thread task (over 50 ms) until the first answer.

import { chromium } from "../../bindings-wasm/node_modules/playwright-core/index.mjs";
import { start } from "../../bindings-wasm/demo/serve.mjs";

const RUNS = Number(process.argv[2] ?? 15);
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

function recorder() {
  window.__timing = { events: [], longTasks: [] };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__timing.longTasks.push(entry.duration);
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
  await page.locator("civic311-search input").focus();
  await page.keyboard.type("potholes");
  await page.waitForFunction(() =>
    window.__timing.events.some(
      (e) => e.type === "civic311-answers" && e.detail.query === "potholes" && e.detail.count > 0 && e.frame !== null,
    ),
  );
  return page.evaluate(() => {
    const ready = window.__timing.events.find((e) => e.type === "civic311-ready");
    const answered = window.__timing.events.find((e) => e.type === "civic311-answers" && e.detail.query === "potholes");
    return {
      first: answered.frame,
      load: ready.detail.ms,
      longest: Math.max(0, ...window.__timing.longTasks),
      worker: ready.detail.worker,
    };
  });
}

const site = await start({ port: 0 });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const version = browser.version();
const results = { worker: { cold: [], warm: [] }, page: { cold: [], warm: [] } };
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
console.log("| | first answer | engine load (focus to ready) | longest main-thread task |");
console.log("|---|---|---|---|");
for (const visit of ["cold", "warm"]) {
  for (const mode of ["worker", "page"]) {
    const runs = results[mode][visit];
    console.log(`| ${visit}, engine in ${mode === "worker" ? "its worker" : "the page"} | ${figure(runs, "first")} | ${figure(runs, "load")} | ${figure(runs, "longest")} |`);
  }
}
