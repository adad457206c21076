// The engine worker's protocol (js/worker.js) under node --test, through its
// request handler: loading from a compiled module and bytes or from URLs,
// answers matched to requests by id and in order, plain objects that a
// postMessage can carry, and errors as {name, message}.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";

import { Engine } from "../js/index.js";
import { createHandler } from "../js/worker.js";

const wasmUrl = new URL("../pkg/civic311_wasm_bg.wasm", import.meta.url);
const bundleUrl = new URL("../demo/riverton.c311", import.meta.url);
const wasmBytes = await readFile(wasmUrl);
const bundleBytes = await readFile(bundleUrl);
const wasmModule = await WebAssembly.compile(wasmBytes);
// The engine the answers are compared with, outside any worker.
const direct = await Engine.fromBundle(bundleBytes);

const bundleBuffer = () => bundleBytes.buffer.slice(bundleBytes.byteOffset, bundleBytes.byteOffset + bundleBytes.byteLength);

/**
 * A worker's handler with the messages it posts kept in order, each passed
 * through structuredClone as postMessage would (a message that cannot be
 * cloned fails the test).
 */
function worker({ fetch = () => Promise.reject(new Error("no network in this test")), caches } = {}) {
  const posted = [];
  let closed = false;
  const handle = createHandler({
    fetch,
    caches,
    post: (message) => posted.push(structuredClone(message)),
    close: () => {
      closed = true;
    },
  });
  return { handle, posted, closed: () => closed };
}

test("load from a compiled module and transferred bytes, then search and suggest", async () => {
  const { handle, posted } = worker();
  await handle({ id: 1, type: "load", wasm: wasmModule, bundle: bundleBuffer() });
  assert.deepEqual(posted.shift(), {
    id: 1,
    type: "load",
    catalogName: direct.catalogName,
    languages: ["en", "es"],
    answerCount: direct.answerCount,
  });

  await handle({ id: 2, type: "search", query: "potholes", options: { limit: 5 } });
  const search = posted.shift();
  assert.equal(search.id, 2);
  assert.equal(search.type, "search");
  assert.ok(Number.isFinite(search.ms) && search.ms >= 0, `ms: ${search.ms}`);
  // The same answers as the engine outside a worker, as plain objects.
  assert.deepEqual(search.answers, direct.search("potholes", { limit: 5 }));
  assert.equal(search.answers[0].id, "ST-POTHOLE");

  await handle({ id: 3, type: "search", query: "como reporto un bache", options: { limit: 3, lang: "es" } });
  assert.deepEqual(posted.shift().answers, direct.search("como reporto un bache", { limit: 3, lang: "es" }));

  // Dates cross a postMessage; "open now" is computed at the instant sent.
  const now = new Date("2026-11-22T10:00:00-06:00");
  await handle({ id: 4, type: "search", query: "is the main library open on sunday", options: { limit: 1, now } });
  assert.equal(posted.shift().answers[0].hours.status, "Closed now, opens today at 1 pm");

  await handle({ id: 5, type: "suggest", prefix: "bulky it", limit: 4 });
  assert.deepEqual(posted.shift(), { id: 5, type: "suggest", completions: direct.suggest("bulky it", 4) });
  assert.deepEqual(posted, []);
});

test("requests sent before the load has finished wait for it, and are answered in order", async () => {
  const { handle, posted } = worker();
  const handled = [
    handle({ id: 7, type: "load", wasm: new Uint8Array(wasmBytes), bundle: new Uint8Array(bundleBytes) }),
    handle({ id: 8, type: "suggest", prefix: "pot", limit: 3 }),
    handle({ id: 9, type: "search", query: "graffiti", options: { limit: 2 } }),
  ];
  await Promise.all(handled);
  assert.deepEqual(
    posted.map((m) => [m.id, m.type]),
    [
      [7, "load"],
      [8, "suggest"],
      [9, "search"],
    ],
  );
  assert.deepEqual(posted[2].answers, direct.search("graffiti", { limit: 2 }));
});

test("load by URL: fetched in the worker, a copy in Cache Storage, any content type", async () => {
  const fetched = [];
  const store = new Map();
  const caches = {
    async open(name) {
      assert.equal(name, "civic311");
      return {
        async put(url, response) {
          store.set(url, await response.arrayBuffer());
        },
        async match(url) {
          return store.has(url) ? new Response(store.get(url).slice(0), { headers: { "content-type": "application/wasm" } }) : undefined;
        },
      };
    },
  };
  let online = true;
  const fetch = async (url) => {
    fetched.push(url);
    if (!online) throw new TypeError("Failed to fetch");
    // Served as octet-stream: streaming compilation needs the response relabelled.
    return new Response(await readFile(new URL(url)), { headers: { "content-type": "application/octet-stream" } });
  };
  const first = worker({ fetch, caches });
  await first.handle({ id: 1, type: "load", wasm: wasmUrl.href, bundle: bundleUrl.href });
  assert.equal(first.posted[0].type, "load", JSON.stringify(first.posted[0]));
  assert.deepEqual(fetched.sort(), [bundleUrl.href, wasmUrl.href].sort());
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual([...store.keys()].sort(), [bundleUrl.href, wasmUrl.href].sort());

  // Offline: the copies answer.
  online = false;
  const second = worker({ fetch, caches });
  await second.handle({ id: 1, type: "load", wasm: wasmUrl.href, bundle: bundleUrl.href });
  assert.equal(second.posted[0].answerCount, direct.answerCount);

  // Offline with nothing cached: a NetworkError naming the URL.
  const third = worker({ fetch, caches: undefined });
  await third.handle({ id: 1, type: "load", wasm: wasmModule, bundle: "https://city.example/missing.c311" });
  assert.equal(third.posted[0].id, 1);
  assert.equal(third.posted[0].error.name, "NetworkError");
  assert.match(third.posted[0].error.message, /could not fetch https:\/\/city\.example\/missing\.c311/);
});

test("errors are {name, message}: bad requests, a damaged bundle, a search before any load", async () => {
  const { handle, posted, closed } = worker();
  await handle({ id: 1, type: "search", query: "potholes" });
  assert.equal(posted.shift().error.name, "StateError");

  const damaged = new Uint8Array(bundleBytes.subarray(0, bundleBytes.length >> 1));
  await handle({ id: 2, type: "load", wasm: wasmModule, bundle: damaged });
  assert.deepEqual(Object.keys(posted[0].error).sort(), ["message", "name"]);
  assert.equal(posted.shift().error.name, "BundleError");
  await handle({ id: 3, type: "suggest", prefix: "pot" });
  const noEngine = posted.shift();
  assert.equal(noEngine.error.name, "StateError");
  assert.match(noEngine.error.message, /did not load/);

  // A failed load may be retried; a loaded engine is kept.
  await handle({ id: 4, type: "load", wasm: wasmModule, bundle: bundleBuffer() });
  assert.equal(posted.shift().type, "load");
  await handle({ id: 5, type: "load", wasm: wasmModule, bundle: bundleBuffer() });
  assert.equal(posted.shift().error.name, "StateError");

  await handle({ id: 6, type: "search", query: "x", options: { limit: 101 } });
  assert.deepEqual(posted.shift(), {
    id: 6,
    error: { name: "QueryError", message: queryErrorMessage({ limit: 101 }) },
  });
  await handle({ id: 7, type: "classify", text: "x" });
  assert.deepEqual(posted.shift(), { id: 7, error: { name: "TypeError", message: 'unknown request type: "classify"' } });
  await handle({ id: 8, type: "load", wasm: 42, bundle: bundleBuffer() });
  assert.equal(posted.shift().error.name, "StateError", "a loaded worker refuses before reading the request");

  for (const request of [{ type: "search", query: "x" }, { id: 0, type: "search" }, { id: "1", type: "search" }, null, "search"]) {
    await handle(request);
    const answer = posted.shift();
    assert.equal(answer.id, undefined, JSON.stringify(request));
    assert.equal(answer.error.name, "TypeError");
  }
  // The engine still answers after all that.
  await handle({ id: 9, type: "search", query: "potholes", options: { limit: 1 } });
  assert.equal(posted.shift().answers[0].id, "ST-POTHOLE");
  assert.equal(closed(), false);
  assert.deepEqual(posted, []);
});

test("a load request with neither a module, bytes nor a URL is a TypeError", async () => {
  const { handle, posted } = worker();
  await handle({ id: 1, type: "load", wasm: { not: "wasm" }, bundle: bundleBuffer() });
  assert.equal(posted[0].error.name, "TypeError");
  await handle({ id: 2, type: "load", wasm: wasmModule, bundle: 12 });
  assert.equal(posted[1].error.name, "TypeError");
});

test("a fresh worker's wasm loads from a module, from bytes, or from a URL served as any type", async () => {
  // The wasm loads once per realm, so each way is tried in a process of its own.
  const script = `
    import { readFile } from "node:fs/promises";
    import { createHandler } from ${JSON.stringify(new URL("../js/worker.js", import.meta.url).href)};
    const [how, wasmUrl, bundleUrl] = process.argv.slice(1);
    const posted = [];
    const handle = createHandler({
      fetch: async (url) => new Response(await readFile(new URL(url)), { headers: { "content-type": "application/octet-stream" } }),
      caches: undefined,
      post: (message) => posted.push(message),
    });
    const bytes = await readFile(new URL(wasmUrl));
    const wasm = how === "module" ? await WebAssembly.compile(bytes) : how === "bytes" ? bytes : wasmUrl;
    await handle({ id: 1, type: "load", wasm, bundle: bundleUrl });
    await handle({ id: 2, type: "search", query: "potholes", options: { limit: 1 } });
    console.log(JSON.stringify(posted.map((m) => m.error ?? m.answers?.[0]?.id ?? m.answerCount)));
  `;
  for (const how of ["module", "bytes", "url"]) {
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script, how, wasmUrl.href, bundleUrl.href]);
    assert.deepEqual(JSON.parse(stdout), [direct.answerCount, "ST-POTHOLE"], how);
  }
});

test("a trap in the engine: the request fails, the worker says it failed and closes", async () => {
  // A JavaScript exception unwinding through the wasm may leave that
  // instance unusable, so this runs in a process of its own. A getter that
  // throws a RuntimeError, read while the engine reads its options, stands
  // in for a panic.
  const script = `
    import { readFile } from "node:fs/promises";
    import { createHandler } from ${JSON.stringify(new URL("../js/worker.js", import.meta.url).href)};
    const [wasmUrl, bundleUrl] = process.argv.slice(1);
    const posted = [];
    let closed = false;
    const handle = createHandler({ fetch, caches: undefined, post: (m) => posted.push(m), close: () => (closed = true) });
    await handle({ id: 1, type: "load", wasm: await readFile(new URL(wasmUrl)), bundle: await readFile(new URL(bundleUrl)) });
    const options = { get limit() { throw new WebAssembly.RuntimeError("unreachable"); } };
    await handle({ id: 2, type: "search", query: "potholes", options });
    await handle({ id: 3, type: "search", query: "potholes" });
    console.log(JSON.stringify({ posted: posted.slice(1), closed }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script, wasmUrl.href, bundleUrl.href]);
  assert.deepEqual(JSON.parse(stdout), {
    posted: [
      { id: 2, error: { name: "RuntimeError", message: "unreachable" } },
      { type: "failed", error: { name: "RuntimeError", message: "unreachable" } },
      { id: 3, error: { name: "StateError", message: "the engine stopped after a failure" } },
    ],
    closed: true,
  });
});

function queryErrorMessage(options) {
  try {
    direct.search("x", options);
  } catch (error) {
    return error.message;
  }
  throw new Error("no QueryError");
}
