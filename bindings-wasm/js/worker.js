// The civic311 engine in a dedicated module worker, so that loading a bundle
// (a few hundred milliseconds of parsing inside the wasm) and searching never
// block the page's main thread. <civic311-search> starts one per bundle:
//
//   const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
//
// The messages are plain objects. Requests carry an `id` (a positive
// integer); the answer to each carries the same id, and every request gets
// exactly one answer, in the order the requests were sent:
//
//   {id, type: "load", wasm, bundle}       ->  {id, type: "load", catalogName, languages, answerCount}
//   {id, type: "search", query, options}   ->  {id, type: "search", answers, ms}
//   {id, type: "suggest", prefix, limit}   ->  {id, type: "suggest", completions}
//   any request that fails                 ->  {id, error: {name, message}}
//
// and, with no id:
//
//   {type: "started"}           the worker's modules have loaded and it reads requests
//   {type: "failed", error}     the wasm trapped; the worker closes and answers nothing more
//   {error}                     a request without a valid id (a TypeError)
//
// `wasm` is the engine: a WebAssembly.Module, its bytes, or its URL.
// `bundle` is the bundle's bytes (an ArrayBuffer, best transferred) or its
// URL. A URL is fetched here, network first with a copy in Cache Storage
// (which a worker shares with its page). The widget sends a Module compiled
// in the page and transferred bundle bytes: it fetches both while the worker
// starts, and Chromium keeps the compiled code of a module for the next
// visit only when a page compiles it, never when a worker does (measured:
// a warm load in a worker that compiles for itself runs unoptimized code,
// 3 to 4 times slower). A worker holds one engine: a second `load` is
// refused once one has loaded. Searches and suggestions sent before the
// load has finished wait for it. `ms` is the engine's search time.

import { Engine, init } from "./index.js";
import { errorMessage, fetchWithCache, isWasmResponse } from "./widget-logic.js";

const CACHE_NAME = "civic311";

function stateError(message) {
  const error = new Error(message);
  error.name = "StateError";
  return error;
}

/**
 * The request handler, apart from the worker's global scope so that it runs
 * under `node --test`: `fetch` and `caches` as in fetchWithCache, `post`
 * sends a message to the page, `close` ends the worker. Returns
 * `handle(request)`, which answers one request through `post` and resolves
 * once it has.
 */
export function createHandler({ fetch, caches, post, close = () => {} }) {
  let loading = null;
  let broken = false;
  const fetchOptions = { fetch, caches, cacheName: CACHE_NAME };

  async function wasmOf(wasm) {
    if (wasm instanceof WebAssembly.Module || wasm instanceof ArrayBuffer || ArrayBuffer.isView(wasm)) return wasm;
    if (typeof wasm !== "string") {
      throw new TypeError("a load request's wasm is a WebAssembly.Module, its bytes, or its URL");
    }
    const response = await fetchWithCache(wasm, fetchOptions);
    // Streaming compilation insists on the application/wasm type; a server
    // that sends another gets its response relabelled.
    return isWasmResponse(response)
      ? response
      : new Response(response.body, { headers: { "content-type": "application/wasm" } });
  }

  async function bundleOf(bundle) {
    if (bundle instanceof ArrayBuffer || ArrayBuffer.isView(bundle)) return bundle;
    if (typeof bundle !== "string") throw new TypeError("a load request's bundle is its bytes or its URL");
    return (await fetchWithCache(bundle, fetchOptions)).arrayBuffer();
  }

  async function load({ wasm, bundle }) {
    const [engineWasm, bytes] = await Promise.all([wasmOf(wasm), bundleOf(bundle)]);
    await init(engineWasm);
    return Engine.fromBundle(bytes);
  }

  async function engine() {
    if (loading === null) throw stateError("no engine: send a load request first");
    try {
      return await loading;
    } catch (error) {
      throw stateError(`no engine: it did not load (${errorMessage(error).message})`);
    }
  }

  async function answer(request) {
    switch (request.type) {
      case "load": {
        if (loading !== null) {
          // A failed load may be retried; a loaded or loading engine is kept.
          const previous = await loading.then(
            () => true,
            () => false,
          );
          if (previous) throw stateError("this worker has its engine already; start another worker for another bundle");
        }
        const current = load(request);
        loading = current;
        const loaded = await current;
        return {
          type: "load",
          catalogName: loaded.catalogName,
          languages: loaded.languages,
          answerCount: loaded.answerCount,
        };
      }
      case "search": {
        const found = await engine();
        const started = performance.now();
        const answers = found.search(request.query, request.options ?? undefined);
        return { type: "search", answers, ms: performance.now() - started };
      }
      case "suggest": {
        const found = await engine();
        return { type: "suggest", completions: found.suggest(request.prefix, request.limit) };
      }
      default:
        throw new TypeError(`unknown request type: ${JSON.stringify(request.type)}`);
    }
  }

  return async function handle(request) {
    const id = request?.id;
    if (!Number.isInteger(id) || id <= 0) {
      // Nothing to answer to; say so without an id rather than drop it silently.
      post({ error: { name: "TypeError", message: "a request needs an id: a positive integer" } });
      return;
    }
    if (broken) {
      post({ id, error: { name: "StateError", message: "the engine stopped after a failure" } });
      return;
    }
    try {
      post({ id, ...(await answer(request)) });
    } catch (error) {
      post({ id, error: errorMessage(error) });
      // A trap (a panic inside the engine) leaves the wasm instance unusable:
      // say so, and stop, so that the page can start a fresh worker.
      if (error instanceof WebAssembly.RuntimeError && !broken) {
        broken = true;
        post({ type: "failed", error: errorMessage(error) });
        close();
      }
    }
  };
}

const inWorker = typeof WorkerGlobalScope === "function" && globalThis instanceof WorkerGlobalScope;
if (inWorker) {
  const handle = createHandler({
    fetch: (url) => fetch(url),
    caches: globalThis.caches,
    post: (message) => postMessage(message),
    close: () => globalThis.close(),
  });
  globalThis.onmessage = (event) => {
    handle(event.data);
  };
  postMessage({ type: "started" });
}
