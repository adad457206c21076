// The hostile-input table of docs/reliability.md, JavaScript rows (J01 ...):
// malformed, oversized and crafted input through the npm package gives an
// Error with a name, never a wasm trap ("unreachable") that would leave the
// engine unusable. After every row the engine still answers.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { Engine } from "../js/index.js";
import { init as initCatalog, checkCatalog, Catalog } from "../js/catalog.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const bundle = readFileSync(join(here, "../demo/riverton.c311"));
const engine = await Engine.fromBundle(bundle);

function named(fn, name) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Error, `an Error, not ${err}`);
    assert.equal(err.name, name, err.message);
    assert.ok(!/unreachable|RuntimeError/.test(String(err)), "no trap");
    return true;
  });
}

function stillAnswers() {
  assert.equal(engine.search("potholes", { limit: 1 })[0].id, "ST-POTHOLE");
}

test("J01 bundles that are not bundles", async () => {
  for (const bad of [new Uint8Array(0), new TextEncoder().encode("CIVIC311"), new Uint8Array(4096), bundle.subarray(0, 100)]) {
    await assert.rejects(Engine.fromBundle(bad), (err) => err.name === "BundleError");
  }
  for (const bad of [undefined, null, 42, "riverton.c311", { length: 5 }]) {
    await assert.rejects(Engine.fromBundle(bad), (err) => err.name === "BundleError" && /bytes/.test(err.message));
  }
  stillAnswers();
});

test("J02 a bundle whose index file is damaged, its checksum redone", async () => {
  // The bundle's xxh3 is not computable here without a library; a damaged
  // index whose bundle checksum still matches is tested natively
  // (core/tests/it/bundles.rs). Here: one bit flipped anywhere is refused.
  for (const at of [40, bundle.length >> 1, bundle.length - 40]) {
    const altered = new Uint8Array(bundle);
    altered[at] ^= 1;
    await assert.rejects(Engine.fromBundle(altered), (err) => err.name === "BundleError");
  }
  stillAnswers();
});

test("J03 queries oversized, binary, or with lone surrogates", () => {
  const megabyte = "where do i report a pothole ".repeat(40_000);
  assert.equal(engine.search(megabyte)[0].id, "ST-POTHOLE");
  for (const q of ["\u0000\u0001\u007f", "pot\ud800hole", "\udfff", "title:* AND (((", "é".repeat(100_000), "<img src=x onerror=alert(1)>"]) {
    const answers = engine.search(q);
    for (const a of answers) assert.ok(!/<(?!\/?mark>)/.test(a.snippet), a.snippet);
    engine.suggest(q);
  }
  stillAnswers();
});

test("J04 options of the wrong type or out of range", () => {
  named(() => engine.search("x", { limit: 1e12 }), "QueryError");
  named(() => engine.search("x", { limit: NaN }), "QueryError");
  named(() => engine.search("x", { limit: 2.5 }), "QueryError");
  named(() => engine.search("x", { lang: 7 }), "QueryError");
  named(() => engine.search("x", { department: { toString: () => "streets" } }), "QueryError");
  named(() => engine.search("x", { now: "2026-13-45T99:00:00Z" }), "FormatError");
  named(() => engine.search("x", Object.create({ limit: 5 }, { kinds: { value: ["nope"], enumerable: true } })), "QueryError");
  stillAnswers();
});

test("J05 requests that are not Open311, oversized, or nest without end", () => {
  named(() => engine.route(null), "FormatError");
  named(() => engine.route({ service_code: "ST-POTHOLE", attribute: { SIZE: 10n } }), "FormatError");
  let deep = {};
  const top = deep;
  for (let i = 0; i < 5000; i++) deep = deep.a = {};
  named(() => engine.route({ service_code: "ST-POTHOLE", attribute: top }), "FormatError");
  named(() => engine.route({ service_code: "ST-POTHOLE", lat: 38.95, long: -90.94, attribute: { SIZE: "small" }, description: "x".repeat(1_000_000) }), "ValidationError");
  named(() => engine.route({ service_code: "ST-POTHOLE", lat: Infinity, long: 0 }), "ValidationError");
  const cyclic = { service_code: "ST-POTHOLE", attribute: {} };
  cyclic.attribute.self = cyclic;
  named(() => engine.route(cyclic), "FormatError");
  stillAnswers();
});

test("J06 texts to classify, oversized or empty", () => {
  assert.equal(engine.classify("my trash was not picked up ".repeat(40_000), 3).length, 3);
  assert.ok(Array.isArray(engine.classify("", 3)));
  assert.ok(["emergency", "report", "question"].includes(engine.triage("\u0000".repeat(10_000)).kind));
  stillAnswers();
});

test("J07 catalog files of the wrong type or broken", async () => {
  await initCatalog();
  // (An array of [path, text] pairs reads as the object it lists.)
  for (const bad of [42, null, "text", { "articles/a.md": 7 }, [["articles/a.md", 7]]]) {
    named(() => checkCatalog(bad), "FormatError");
  }
  const problems = checkCatalog({ "catalog.toml": "[catalog\n", "articles/a.md": "+++\nid = \"a\"\ntitle = \"A\"\nurl = \"javascript:alert(1)\"\n+++\nx" });
  assert.deepEqual(problems.map((p) => p.file).sort(), ["articles/a.md", "catalog.toml"]);
  named(() => Catalog.fromFiles({ "boundaries.geojson": "[".repeat(100_000), "articles/a.md": "+++\nid = \"a\"\ntitle = \"A\"\n+++\nx" }), "CatalogError");
});
