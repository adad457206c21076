// The civic311 npm package: the wasm engine, loaded once, on first use.
//
//   import { Engine } from "civic311";
//   const engine = await Engine.fromBundle(await (await fetch("riverton.c311")).arrayBuffer());
//   engine.search("potholes on maple", { limit: 5 });   // [{ id, kind, title, snippet, url, ... }]
//
// In a browser the .wasm beside pkg/'s glue is fetched; in Node it is read
// from disk; `init(bytes)` gives it bytes you already have. Catalogs read
// from their files, for authoring tools, are in "civic311/catalog", a
// second wasm module that pages which only search never download.

import wasmInit, { initSync, Engine as WasmEngine } from "../pkg/civic311_wasm.js";
import { loader } from "./load.js";

/**
 * Loads the wasm engine once. With no argument, fetches the `.wasm` file
 * beside the glue (browsers and bundlers) or reads it (Node); with bytes (a
 * Uint8Array or ArrayBuffer) or a Response, compiles those.
 */
export const init = loader(wasmInit, initSync, new URL("../pkg/civic311_wasm_bg.wasm", import.meta.url));

function bytesOf(input) {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const err = new Error(
    `a bundle is bytes (a Uint8Array or ArrayBuffer, such as (await fetch(url)).arrayBuffer()), not ${typeof input}`,
  );
  err.name = "BundleError";
  throw err;
}

/**
 * An engine over one catalog, loaded from a bundle built by
 * `civic311 bundle DIR -o FILE`: the browser never indexes.
 */
export class Engine {
  #inner;

  constructor(inner) {
    if (!(inner instanceof WasmEngine)) {
      throw new TypeError("use `await Engine.fromBundle(bytes)` to make an Engine");
    }
    this.#inner = inner;
  }

  /** Loads the wasm (once) and an engine from bundle bytes. */
  static async fromBundle(bytes) {
    const data = bytesOf(bytes);
    await init();
    return new Engine(WasmEngine.fromBundle(data));
  }

  /** The catalog's name. */
  get catalogName() {
    return this.#inner.catalogName;
  }

  /** The languages of the catalog's articles; the first is the default. */
  get languages() {
    return this.#inner.languages;
  }

  /** How many answers (articles, services, facilities) it searches. */
  get answerCount() {
    return this.#inner.answerCount;
  }

  /** Answers to a question, best first: `{limit, lang, kinds, department, now}`. */
  search(query, options) {
    return this.#inner.search(String(query), options);
  }

  /**
   * Answers a question, or names the department to ask:
   * `{limit, lang, minConfidence, now}` → `{answered, confidence, answers,
   * escalation, emergency, signals}`.
   */
  answer(question, options) {
    return this.#inner.answer(String(question), options);
  }

  /** Completions of what a resident is typing. */
  suggest(prefix, limit) {
    return this.#inner.suggest(String(prefix), limit);
  }

  /** The most likely categories of a text, with probabilities. */
  classify(text, limit) {
    return this.#inner.classify(String(text), limit);
  }

  /** Emergency, report or question, with advice, categories and answers. */
  triage(text) {
    return this.#inner.triage(String(text));
  }

  /** Who delivers a request, by when and why. */
  route(request, now) {
    return this.#inner.route(request, now);
  }

  /** Frees the engine's memory in the wasm heap; the engine is unusable after. */
  free() {
    this.#inner.free();
  }
}

