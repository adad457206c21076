// Hybrid search in the browser: what it costs a page to rank by meaning in
// wasm, in Debian's headless Chromium (playwright-core, bindings-wasm's own
// devDependency). Needs the hybrid module and a bundle with vectors:
//
//   (cd bindings-wasm && bash build.sh --hybrid)
//   bash scripts/fetch-encoder.sh target/encoder
//   cargo run --release -p civic311-cli -- bundle kb-fixtures/riverton --encoder target/encoder -o target/riverton-hybrid.c311
//   node benches/compare/wasm_hybrid.mjs [RUNS]        (default 5)
//
// Prints the download of each module and file (raw, gzip -9, brotli 11), then
// for RUNS cold page loads (a fresh browser context each time, served from
// localhost, so network time is not counted: add the download at the
// visitor's bandwidth) the median and range of: the lexical engine's first
// answer (wasm + bundle + one search), and the hybrid's: its wasm and the
// hybrid bundle, the encoder's files fetched, the Encoder made from them, the
// engine made, the first search, then the p50 of later searches. It checks
// the browser's hybrid ranking against the lexical one on Riverton's golden
// paraphrases (MRR@5), so that the figures are of a working engine.

import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

import { chromium } from "../../bindings-wasm/node_modules/playwright-core/index.mjs";
import { start } from "../../bindings-wasm/demo/serve.mjs";

const RUNS = Number(process.argv[2] ?? 5);
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const repo = fileURLToPath(new URL("../..", import.meta.url));
const pkg = join(repo, "bindings-wasm/pkg");
const encoderDir = process.env.CIVIC311_ENCODER ?? join(repo, "target/encoder");
const hybridBundle = process.env.HYBRID_BUNDLE ?? join(repo, "target/riverton-hybrid.c311");
const lexicalBundle = join(repo, "bindings-wasm/demo/riverton.c311");

// The golden questions in other words (eval/riverton/questions.jsonl, English).
const golden = (await readFile(join(repo, "eval/riverton/questions.jsonl"), "utf8"))
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l))
  .filter((q) => (q.lang ?? "en") === "en");

const root = await mkdtemp(join(tmpdir(), "civic311-hybrid-"));
const files = {
  "civic311_wasm.js": join(pkg, "civic311_wasm.js"),
  "civic311_wasm_bg.wasm": join(pkg, "civic311_wasm_bg.wasm"),
  "civic311_hybrid.js": join(pkg, "civic311_hybrid.js"),
  "civic311_hybrid_bg.wasm": join(pkg, "civic311_hybrid_bg.wasm"),
  "lexical.c311": lexicalBundle,
  "hybrid.c311": hybridBundle,
  "config.json": join(encoderDir, "config.json"),
  "tokenizer.json": join(encoderDir, "tokenizer.json"),
  "model.safetensors": join(encoderDir, "model.safetensors"),
};
for (const [name, path] of Object.entries(files)) await cp(path, join(root, name));
await writeFile(join(root, "index.html"), "<!doctype html><title>hybrid</title>");

const sizes = [];
for (const name of Object.keys(files)) {
  if (name.endsWith(".js")) continue;
  const data = await readFile(join(root, name));
  const brotli = brotliCompressSync(data, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24 },
  }).length;
  sizes.push({ name, raw: data.length, gzip: gzipSync(data, { level: 9 }).length, brotli });
}
console.log("| file | raw | gzip -9 | brotli 11 |\n|---|---|---|---|");
for (const s of sizes) console.log(`| ${s.name} | ${s.raw.toLocaleString("en")} | ${s.gzip.toLocaleString("en")} | ${s.brotli.toLocaleString("en")} |`);

const site = await start({ port: 0, root });
const base = `http://127.0.0.1:${site.server.address().port}/`;
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});

async function lexicalRun() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + "index.html");
  const r = await page.evaluate(async () => {
    const t0 = performance.now();
    const glue = await import("/civic311_wasm.js");
    await glue.default({ module_or_path: "/civic311_wasm_bg.wasm" });
    const bundle = new Uint8Array(await (await fetch("/lexical.c311")).arrayBuffer());
    const engine = glue.Engine.fromBundle(bundle);
    const answers = engine.search("who do I call about a car that has not moved in weeks", { limit: 5 });
    return { first: performance.now() - t0, top: answers[0]?.id };
  });
  await context.close();
  return r;
}

async function hybridRun(checkQuality) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + "index.html");
  const r = await page.evaluate(
    async ({ golden, checkQuality }) => {
      const mark = [];
      const t0 = performance.now();
      const lap = (name) => mark.push([name, performance.now() - t0]);
      const glue = await import("/civic311_hybrid.js");
      await glue.default({ module_or_path: "/civic311_hybrid_bg.wasm" });
      const bundle = new Uint8Array(await (await fetch("/hybrid.c311")).arrayBuffer());
      lap("wasm and bundle");
      const [config, tokenizer, weights] = await Promise.all([
        fetch("/config.json").then((r) => r.text()),
        fetch("/tokenizer.json").then((r) => r.text()),
        fetch("/model.safetensors").then((r) => r.arrayBuffer()),
      ]);
      lap("encoder files fetched");
      const encoder = new glue.Encoder(config, tokenizer, new Uint8Array(weights));
      lap("Encoder made");
      const engine = glue.Engine.fromBundleWithEncoder(bundle, encoder);
      if (!engine.isHybrid) throw new Error("the engine is not hybrid: the bundle's vectors were not made by this encoder");
      lap("engine made");
      const answers = engine.search("who do I call about a car that has not moved in weeks", { limit: 5 });
      lap("first answer");
      const times = [];
      for (const q of ["raccoon acting strange in my yard during the day", "my trash was not picked up", "couch on the curb", "when does the pool open", "water coming out of the street"]) {
        const t = performance.now();
        engine.search(q, { limit: 5 });
        times.push(performance.now() - t);
      }
      let mrr = null;
      let lexicalMrr = null;
      if (checkQuality) {
        const lexical = (await import("/civic311_wasm.js"));
        await lexical.default({ module_or_path: "/civic311_wasm_bg.wasm" });
        const plain = lexical.Engine.fromBundle(new Uint8Array(await (await fetch("/lexical.c311")).arrayBuffer()));
        const score = (e) => {
          let sum = 0;
          for (const q of golden) {
            const keys = e.search(q.query, { limit: 5 }).map((a) => `${a.kind}:${a.id}`);
            const rank = keys.findIndex((k) => q.expected.includes(k));
            sum += rank < 0 ? 0 : 1 / (rank + 1);
          }
          return sum / golden.length;
        };
        mrr = score(engine);
        lexicalMrr = score(plain);
      }
      times.sort((a, b) => a - b);
      return { mark, top: answers[0]?.id, searchP50: times[Math.floor(times.length / 2)], mrr, lexicalMrr, memory: performance.memory?.usedJSHeapSize };
    },
    { golden: golden.map((q) => ({ query: q.query ?? q.text, expected: q.expected ?? q.answers })), checkQuality },
  );
  await context.close();
  return r;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

try {
  const lexical = [];
  const hybrid = [];
  for (let i = 0; i < RUNS; i++) {
    lexical.push(await lexicalRun());
    hybrid.push(await hybridRun(i === 0));
  }
  const firsts = lexical.map((r) => r.first);
  console.log(`\nlexical engine, first answer: ${median(firsts).toFixed(0)} ms (${range(firsts)}), top answer ${lexical[0].top}`);
  console.log("hybrid engine, from navigation's script start (ms, median and range over runs):");
  for (let k = 0; k < hybrid[0].mark.length; k++) {
    const xs = hybrid.map((r) => r.mark[k][1]);
    console.log(`  ${hybrid[0].mark[k][0]}: ${median(xs).toFixed(0)} (${range(xs)})`);
  }
  const p50s = hybrid.map((r) => r.searchP50);
  console.log(`  a later search, p50: ${median(p50s).toFixed(1)} ms; top answer ${hybrid[0].top}`);
  console.log(`golden questions (English, ${golden.length}) in the browser: MRR@5 lexical ${hybrid[0].lexicalMrr.toFixed(3)}, hybrid ${hybrid[0].mrr.toFixed(3)}`);
} finally {
  await browser.close();
  await new Promise((resolve) => site.server.close(resolve));
  await rm(root, { recursive: true, force: true });
}
