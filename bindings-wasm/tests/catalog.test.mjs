// The catalog tools ("civic311/catalog") under node --test: a catalog loaded
// from files, every problem reported, errors as Error objects with a name;
// and the engine's module, which pages download, without them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { init, Catalog, checkCatalog } from "../js/catalog.js";
import * as engineModule from "../js/index.js";
import * as engineGlue from "../pkg/civic311_wasm.js";

const here = fileURLToPath(new URL(".", import.meta.url));
await init();

function readCatalog(dir) {
  const files = {};
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(dir, path)] = readFileSync(path, "utf8");
    }
  };
  walk(dir);
  return files;
}

const riverton = readCatalog(join(here, "../../kb-fixtures/riverton"));

test("Riverton loads from its files", () => {
  const catalog = Catalog.fromFiles(riverton);
  assert.equal(catalog.name, "Riverton 311");
  const counts = catalog.counts();
  assert.equal(counts.services, 92);
  assert.equal(counts.articles, 158);
  const services = JSON.parse(catalog.servicesJson());
  assert.equal(services.length, 90);
  assert.ok(services.every((s) => typeof s.service_code === "string"));
  assert.match(catalog.servicesXml(), /^<\?xml version="1.0" encoding="utf-8"\?>\n<services>/);
  catalog.free();
});

test("checkCatalog lists every problem, and nothing for a clean catalog", () => {
  assert.deepEqual(checkCatalog(riverton), []);
  const broken = {
    ...riverton,
    "articles/zz-broken.md": "+++\nid = \"zz\"\ntitle = \"Año\"\nservices = [\"PTH-9\"]\n+++\nCuerpo.\n",
    "articles/zz-empty.md": "",
  };
  const problems = checkCatalog(broken);
  assert.deepEqual(
    problems.map((p) => [p.file, p.line, p.field]),
    [
      ["articles/zz-broken.md", 4, "services[0]"],
      ["articles/zz-empty.md", 1, ""],
    ],
  );
  assert.match(problems[0].message, /unknown service code 'PTH-9'/);
});

test("errors are Error objects with a name and the problems", () => {
  assert.throws(
    () => Catalog.fromFiles({ "articles/a.md": "no front matter" }),
    (err) => {
      assert.ok(err instanceof Error);
      assert.equal(err.name, "CatalogError");
      assert.equal(err.problems.length, 1);
      assert.equal(err.problems[0].file, "articles/a.md");
      assert.deepEqual(err.errors, []);
      return true;
    },
  );
  for (const bad of [42, null, "text", { "a.md": 7 }]) {
    assert.throws(() => Catalog.fromFiles(bad), (err) => err.name === "FormatError");
  }
});

test("the engine's module has no catalog tools, and the catalog's no engine", async () => {
  assert.equal(engineModule.Catalog, undefined);
  assert.equal(engineModule.checkCatalog, undefined);
  assert.equal(engineGlue.Catalog, undefined);
  assert.equal(typeof engineGlue.Engine, "function");
  const catalogGlue = await import("../pkg/civic311_catalog.js");
  assert.equal(catalogGlue.Engine, undefined);
  assert.equal(typeof catalogGlue.checkCatalog, "function");
  // No TOML reader in the engine's wasm: its error messages are not there.
  const engineWasm = readFileSync(join(here, "../pkg/civic311_wasm_bg.wasm"));
  const catalogWasm = readFileSync(join(here, "../pkg/civic311_catalog_bg.wasm"));
  const has = (bytes, text) => bytes.includes(Buffer.from(text));
  assert.ok(has(catalogWasm, "the catalog has no articles"));
  assert.ok(!has(engineWasm, "the catalog has no articles"));
});

test("ids as exports write them load; only ids that cannot work are problems", () => {
  const article = (id) => `+++\nid = ${JSON.stringify(id)}\ntitle = "A"\n+++\nBody.\n`;
  assert.deepEqual(checkCatalog({ "articles/a.md": article("20090318-DD2E5500-13C9-11DE-BCD9-98CDABA93CC6") }), []);
  assert.deepEqual(checkCatalog({ "articles/a.md": article("KB:Roads.Potholes_01") }), []);
  for (const [id, why] of [
    ["roads/potholes", /contains '\/'/],
    ["faq 12", /contains whitespace/],
    ["", /it is empty/],
    ["x".repeat(129), /129 characters, over the 128/],
  ]) {
    const problems = checkCatalog({ "articles/a.md": article(id) });
    assert.deepEqual(problems.map((p) => [p.file, p.line, p.field]), [["articles/a.md", 2, "id"]], id);
    assert.match(problems[0].message, why);
  }
});
