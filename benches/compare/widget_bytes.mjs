// The bytes a page fetches for <civic311-search> to answer "potholes", in
// each of its two modes, in Debian's headless Chromium driven by
// playwright-core (bindings-wasm's devDependency):
//
//   - offline: the page downloads the engine (.wasm), its glue and worker,
//     and the Riverton bundle, then answers on its own;
//   - endpoint: a `civic311 serve` process answers /api/search and
//     /api/suggest, and the page downloads only the widget's scripts.
//
//   bash bindings-wasm/build.sh
//   cargo run -p civic311-cli -- bundle kb-fixtures/riverton -o bindings-wasm/demo/riverton.c311
//   cargo build --release -p civic311-cli
//   node benches/compare/widget_bytes.mjs
//
// Counts every response after the page itself, from the first focus to the
// answers of the whole word: the body bytes as served (the demo server and
// civic311 serve send them uncompressed) and as brotli would send them
// (quality 11), for comparison with Pagefind's 135 to 172 kB. CIVIC311_BIN
// names the server binary (default target/release/civic311).

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants } from "node:zlib";

import { chromium } from "../../bindings-wasm/node_modules/playwright-core/index.mjs";
import { start } from "../../bindings-wasm/demo/serve.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const civic311 = process.env.CIVIC311_BIN ?? join(root, "target/release/civic311");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

const site = await start({ port: 0, root: join(root, "bindings-wasm") });
const folder = await mkdtemp(join(tmpdir(), "civic311-bytes-"));
const keys = join(folder, "keys.toml");
const hash = createHash("sha256").update("unused").digest("hex");
await writeFile(keys, `cors_origins = ["${new URL(site.url).origin}"]\n[[keys]]\nname = "x"\nrole = "client"\nsha256 = "${hash}"\n`);
const server = spawn(civic311, ["serve", "--store", `sqlite:${join(folder, "s.db")}`, "--keys", keys, "--listen", "127.0.0.1:0"], {
  stdio: ["ignore", "pipe", "ignore"],
});
const line = await new Promise((resolve) => createInterface({ input: server.stdout }).once("line", resolve));
const endpoint = line.replace("listening on ", "").trim() + "/";

// The page and the server are two loopback ports: see browser-tests/endpoint.test.mjs.
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-features=LocalNetworkAccessChecks"],
});

async function measure(attributes) {
  const context = await browser.newContext();
  await context.route("**/demo/bytes.html", (route) =>
    route.fulfill({
      status: 200,
      contentType: "text/html; charset=utf-8",
      body: `<!doctype html><html lang="en"><body><civic311-search ${attributes}></civic311-search><script type="module" src="../js/widget.js"></script></body></html>`,
    }),
  );
  await context.addInitScript(() => {
    window.__answers = [];
    document.addEventListener("civic311-answers", (e) => window.__answers.push(e.detail));
  });
  const page = await context.newPage();
  const bodies = [];
  page.on("response", async (response) => {
    if (response.url().endsWith("/demo/bytes.html")) return;
    try {
      bodies.push({ url: response.url(), body: await response.body() });
    } catch {
      // A response without a body (a preflight, a redirect).
    }
  });
  await page.goto(`${site.url}demo/bytes.html`, { waitUntil: "load" });
  await page.locator("civic311-search input").focus();
  await page.keyboard.type("potholes", { delay: 30 });
  await page.waitForFunction(() => window.__answers.some((a) => a.query === "potholes" && a.count > 0));
  await page.waitForTimeout(300);
  await context.close();
  const raw = bodies.reduce((n, b) => n + b.body.length, 0);
  const brotli = bodies.reduce(
    (n, b) => n + brotliCompressSync(b.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    0,
  );
  const largest = [...bodies].sort((a, b) => b.body.length - a.body.length).slice(0, 3);
  return { files: bodies.length, raw, brotli, largest: largest.map((b) => `${new URL(b.url).pathname} ${b.body.length}`) };
}

const kB = (n) => (n / 1000).toFixed(1);
console.log("| mode | responses | bytes as served | brotli 11 | largest |");
console.log("|---|---|---|---|---|");
for (const [mode, attributes] of [
  ["offline (bundle)", `bundle="riverton.c311"`],
  ["endpoint (civic311 serve)", `endpoint="${endpoint}"`],
]) {
  const m = await measure(attributes);
  console.log(`| ${mode} | ${m.files} | ${kB(m.raw)} kB | ${kB(m.brotli)} kB | ${m.largest.join("; ")} |`);
}
await browser.close();
server.kill("SIGTERM");
await new Promise((resolve) => site.server.close(resolve));
await rm(folder, { recursive: true, force: true });
