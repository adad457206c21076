// The package API under node --test: a catalog loaded from files, every
// problem reported, errors as Error objects with a name.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { init, Catalog, checkCatalog } from "../js/index.js";

const here = fileURLToPath(new URL(".", import.meta.url));
await init(readFileSync(join(here, "../pkg/civic311_wasm_bg.wasm")));

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
