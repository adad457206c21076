// <civic311-search>: a city's search box that answers residents, offline
// once loaded. One script tag and a bundle URL:
//
//   <script type="module" src="https://example.org/civic311/js/widget.js"></script>
//   <civic311-search bundle="/311/riverton.c311"></civic311-search>
//
// Nothing is fetched until the box is first focused or typed in; then the
// wasm engine and the bundle are fetched in parallel (kept in Cache Storage
// for offline use) while a Web Worker (worker.js) starts, and the worker
// loads the bundle and answers every search, off the page's main thread.
// Where workers cannot run (a Content Security Policy that forbids them,
// say) the engine runs in the page instead. With an `endpoint` attribute
// (`<civic311-search endpoint="https://311.example.org/">`) a civic311
// server answers instead, and the page downloads no wasm and no bundle. The decisions live in widget-logic.js; this file is the DOM
// glue. All text goes in with textContent; the engine's snippet, whose every
// character but <mark> is escaped, is the only HTML inserted.

import {
  EngineWorker,
  LatestOnly,
  answersAnnouncement,
  comboboxKey,
  fetchWithCache,
  hoursState,
  interfaceLanguage,
  isWasmResponse,
  normalizeQuery,
  parseLimit,
  reportHref,
  safeHref,
  searchLanguage,
  snippetParts,
  snippetWithoutHours,
  strings,
  visibleSuggestions,
} from "./widget-logic.js";

const TAG_NAME = "civic311-search";
/** How long a search's answers stay on show before it counts as settled (record-searches). */
const RECORD_AFTER_MS = 2000;
const CACHE_NAME = "civic311";
const DEFAULT_WASM_URL = new URL("../pkg/civic311_wasm_bg.wasm", import.meta.url).href;
// worker.js beside this file. Note: a variable, not a literal, so that
// bundlers see only the `new Worker(new URL("./worker.js", ...))` below.
const WORKER_FILE = "./worker.js";
// Whether this file is served as the package's own js/widget.js (not
// inlined by a bundler, whose output has other names and rewrites the
// worker's URL in the Worker expression it recognizes).
const SERVED_AS_FILES = (() => {
  const url = new URL(import.meta.url);
  return (url.protocol === "https:" || url.protocol === "http:") && url.pathname.endsWith("/widget.js");
})();
const SUGGESTION_LIMIT = 6;
// Screen readers hear the count once typing pauses, not at every key.
const ANNOUNCE_DELAY_MS = 300;

const STYLE = `
:host {
  --_font: var(--civic311-font, inherit);
  --_fg: var(--civic311-fg, #1f2328);
  --_muted: var(--civic311-muted, #57606a);
  --_bg: var(--civic311-bg, #ffffff);
  --_accent: var(--civic311-accent, #0b5cad);
  --_accent-fg: var(--civic311-accent-fg, #ffffff);
  --_border: var(--civic311-border, #767676);
  --_radius: var(--civic311-radius, 6px);
  --_mark-bg: var(--civic311-mark-bg, #ffe58a);
  --_focus: var(--civic311-focus, #0b5cad);
  --_open: var(--civic311-open, #1a7f37);
  --_closed: var(--civic311-closed, #b42318);
  display: block;
  font-family: var(--_font);
  color: var(--_fg);
  line-height: 1.45;
}
:host([hidden]) { display: none; }
.visually-hidden {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; border: 0;
  overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap;
}
.field { position: relative; }
input {
  box-sizing: border-box; width: 100%; margin: 0;
  padding: 0.65em 0.85em;
  font: inherit; font-size: max(1em, 16px);
  color: var(--_fg); background: var(--_bg);
  border: 2px solid var(--_border); border-radius: var(--_radius);
}
input::placeholder { color: var(--_muted); opacity: 1; }
input:focus { outline: none; }
input:focus-visible { outline: 3px solid var(--_focus); outline-offset: 2px; }
[role="listbox"] {
  position: absolute; z-index: 10; top: calc(100% + 4px); left: 0; right: 0;
  box-sizing: border-box; max-height: 20em; overflow-y: auto;
  margin: 0; padding: 4px 0; list-style: none;
  background: var(--_bg); color: var(--_fg);
  border: 1px solid var(--_border); border-radius: var(--_radius);
  box-shadow: 0 6px 16px rgb(0 0 0 / 0.15);
}
[role="listbox"][hidden] { display: none; }
[role="option"] { padding: 0.5em 0.85em; cursor: pointer; }
[role="option"]:hover { background: color-mix(in srgb, var(--_accent) 12%, var(--_bg)); }
[role="option"][aria-selected="true"] { background: var(--_accent); color: var(--_accent-fg); }
.status { margin: 0.5em 0 0; min-height: 1.45em; font-size: 0.875em; color: var(--_muted); }
.status.error { color: var(--_closed); font-weight: 600; }
.answers { display: grid; gap: 0.75em; margin: 0.75em 0 0; padding: 0; list-style: none; }
.answers:empty { display: none; }
.answer {
  padding: 0.75em 1em; background: var(--_bg);
  border: 1px solid color-mix(in srgb, var(--_border) 45%, transparent); border-radius: var(--_radius);
}
.kind { display: block; font-size: 0.75em; letter-spacing: 0.04em; text-transform: uppercase; color: var(--_muted); }
.title { font-size: 1.05em; font-weight: 600; }
a { color: var(--_accent); text-underline-offset: 0.15em; }
a:hover { text-decoration-thickness: 2px; }
a:focus { outline: none; }
a:focus-visible { outline: 3px solid var(--_focus); outline-offset: 2px; border-radius: 2px; }
.snippet { margin: 0.3em 0 0; }
mark { background: var(--_mark-bg); color: inherit; padding: 0 0.1em; border-radius: 2px; }
.hours { margin: 0.4em 0 0; font-size: 0.925em; }
.hours .state { font-weight: 600; }
.hours.open .state { color: var(--_open); }
.hours.closed .state { color: var(--_closed); }
.hours .day { color: var(--_muted); }
.report { display: inline-block; margin-top: 0.5em; font-weight: 600; }
@media (forced-colors: active) {
  [role="option"][aria-selected="true"] { outline: 2px solid Highlight; outline-offset: -2px; }
  mark { forced-color-adjust: none; background: Mark; color: MarkText; }
}
`;

let sheet = null;

/** Adopts the style sheet (no inline <style>, so a strict style-src CSP needs nothing) or falls back to <style>. */
function applyStyle(root) {
  if (typeof CSSStyleSheet === "function" && "adoptedStyleSheets" in root) {
    try {
      sheet ??= new CSSStyleSheet();
      if (sheet.cssRules.length === 0) sheet.replaceSync(STYLE);
      root.adoptedStyleSheets = [sheet];
      return;
    } catch {
      // Constructable style sheets are refused here; fall back below.
    }
  }
  const style = document.createElement("style");
  style.textContent = STYLE;
  root.append(style);
}

// Note: a page that enforces Trusted Types refuses strings as innerHTML and
// as a Worker's script URL; a policy named "civic311" passes the engine's
// snippet, which is escaped HTML by contract, and the URLs of the widget's
// own worker, and nothing else. Pages allow it with `trusted-types civic311`.
let policy;
const workerScriptUrls = new Set();
function trustedTypesPolicy() {
  if (policy === undefined) {
    policy = null;
    if (globalThis.trustedTypes?.createPolicy) {
      try {
        policy = globalThis.trustedTypes.createPolicy("civic311", {
          createHTML: (html) => html,
          createScriptURL: (url) => {
            if (workerScriptUrls.has(url)) return url;
            throw new TypeError(`civic311: not the search engine's worker: ${url}`);
          },
        });
      } catch {
        // The page does not allow the policy; plain strings are all there is.
      }
    }
  }
  return policy;
}

function snippetHtml(snippet) {
  const trusted = trustedTypesPolicy();
  return trusted ? trusted.createHTML(snippet) : snippet;
}

/** A script URL of the widget's worker, as a TrustedScriptURL where the policy exists, else the string. */
function workerScriptUrl(url) {
  workerScriptUrls.add(url);
  const trusted = trustedTypesPolicy();
  return trusted ? trusted.createScriptURL(url) : url;
}

/**
 * Puts a snippet into an element: the one HTML insertion, as the engine
 * escapes every character of a snippet but its <mark> tags. Where Trusted
 * Types refuse it (the page does not allow the "civic311" policy), the
 * snippet is rebuilt as text and <mark> elements instead.
 */
function fillSnippet(element, snippet) {
  try {
    element.innerHTML = snippetHtml(snippet);
    return;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
  element.replaceChildren(
    ...snippetParts(snippet).map(({ text, marked }) => {
      if (!marked) return document.createTextNode(text);
      const mark = document.createElement("mark");
      mark.textContent = text;
      return mark;
    }),
  );
}

// One engine per bundle URL, shared by every widget of the page: a worker
// (EngineWorker) where workers run, else the engine in the page
// (PageEngine). Either way the page fetches the .wasm and the bundle (with
// Cache Storage as the offline copy) and compiles the .wasm, streaming, off
// the main thread: Chromium keeps compiled code for the next visit only for
// modules a page compiles, not those a worker does. A worker gets the
// compiled module and the bundle's bytes, and does the slow part: parsing
// the bundle, and every search. A failed load, or an engine that stops, is
// forgotten so that the next focus retries.
const engineLoads = new Map();
// The compiled .wasm, once per page: the first load's `wasm` URL decides.
let wasmLoad = null;
// Set once a worker could not start: the page's later engines run in the page.
let workersUnavailable = false;

function cacheOptions() {
  return { fetch: (url) => fetch(url), caches: globalThis.caches, cacheName: CACHE_NAME };
}

function compileWasm(wasmUrl) {
  if (wasmLoad === null) {
    const load = (async () => {
      const response = await fetchWithCache(wasmUrl, cacheOptions());
      if (typeof WebAssembly.compileStreaming !== "function") {
        return WebAssembly.compile(await response.arrayBuffer());
      }
      // Streaming compilation insists on the application/wasm type; a server
      // that sends another gets its response relabelled rather than read
      // into memory first.
      const wasm = isWasmResponse(response)
        ? response
        : new Response(response.body, { headers: { "content-type": "application/wasm" } });
      return WebAssembly.compileStreaming(wasm);
    })();
    wasmLoad = load;
    load.catch(() => {
      if (wasmLoad === load) wasmLoad = null;
    });
  }
  return wasmLoad;
}

async function fetchBundle(bundleUrl) {
  return (await fetchWithCache(bundleUrl, cacheOptions())).arrayBuffer();
}

/**
 * Starts worker.js. Served as the package's files, same origin as the page:
 * from its URL (a TrustedScriptURL under Trusted Types, so that a page that
 * enforces them and allows the civic311 policy reports no violation).
 * Served from another origin, which a Worker cannot load directly: through
 * a one-line module on a blob: URL that imports it (the widget's own
 * files need CORS there already). Otherwise, as in a bundler's build: the
 * expression bundlers recognize, which they rewrite to their worker.
 */
function newWorker() {
  if (SERVED_AS_FILES) {
    const url = new URL(WORKER_FILE, import.meta.url).href;
    if (new URL(url).origin !== globalThis.origin) {
      const source = `import ${JSON.stringify(url)};\n`;
      const blobUrl = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
      try {
        const worker = new Worker(workerScriptUrl(blobUrl), { type: "module", name: "civic311" });
        return { worker, done: () => URL.revokeObjectURL(blobUrl) };
      } catch (error) {
        URL.revokeObjectURL(blobUrl);
        throw error;
      }
    }
    if (trustedTypesPolicy() !== null) {
      return { worker: new Worker(workerScriptUrl(url), { type: "module", name: "civic311" }), done: () => {} };
    }
  }
  return {
    worker: new Worker(new URL("./worker.js", import.meta.url), { type: "module", name: "civic311" }),
    done: () => {},
  };
}

function workersFailed(error) {
  if (workersUnavailable) return;
  workersUnavailable = true;
  console.info(`civic311-search: the search engine runs in the page, as its worker could not start (${error?.message ?? error}).`);
}

/** An engine worker, starting; null where workers cannot run (none, refused at once, or failed before on this page). */
function startEngineWorker() {
  if (workersUnavailable || typeof Worker !== "function") return null;
  let started;
  try {
    started = newWorker();
  } catch (error) {
    // Refused at once: Trusted Types without the civic311 policy, say.
    workersFailed(error);
    return null;
  }
  const engine = new EngineWorker(started.worker);
  engine.started.then(started.done, started.done);
  return engine;
}

/** The engine in the page, with the worker's interface: answers as promises. */
class PageEngine {
  worker = false;
  // An engine in the page stops only with the page.
  failed = new Promise(() => {});
  #engine;

  constructor(engine) {
    this.#engine = engine;
    this.catalogName = engine.catalogName;
    this.languages = engine.languages;
    this.answerCount = engine.answerCount;
  }

  async search(query, options) {
    const started = performance.now();
    const answers = this.#engine.search(query, options);
    return { answers, ms: performance.now() - started };
  }

  async suggest(prefix, limit) {
    return this.#engine.suggest(prefix, limit);
  }
}

async function loadInPage(engineModule, wasm, bytes) {
  const { init, Engine } = await engineModule;
  await init(wasm);
  return new PageEngine(await Engine.fromBundle(bytes));
}

function loadEngine(bundleUrl, wasmUrl) {
  let load = engineLoads.get(bundleUrl);
  if (load === undefined) {
    load = (async () => {
      // The worker starts while the page fetches and compiles.
      const worker = startEngineWorker();
      const engineModule = worker === null ? import("./index.js") : null;
      engineModule?.catch(() => {});
      let wasm;
      let bytes;
      try {
        [wasm, bytes] = await Promise.all([compileWasm(wasmUrl), fetchBundle(bundleUrl)]);
      } catch (error) {
        worker?.terminate();
        throw error;
      }
      if (worker === null) return loadInPage(engineModule, wasm, bytes);
      try {
        await worker.started;
      } catch (error) {
        // Nothing was sent to it: the same module and bytes load in the page.
        workersFailed(error);
        return loadInPage(import("./index.js"), wasm, bytes);
      }
      try {
        await worker.load(wasm, bytes);
      } catch (error) {
        worker.terminate();
        throw error;
      }
      return worker;
    })();
    engineLoads.set(bundleUrl, load);
    const forget = () => {
      if (engineLoads.get(bundleUrl) === load) engineLoads.delete(bundleUrl);
    };
    load.then((engine) => engine.failed.then(forget), forget);
  }
  return load;
}

/**
 * The engine on a civic311 server (the `endpoint` attribute), with the
 * worker's interface: each search and completion is one request to the
 * server's /api/search and /api/suggest, and the page downloads no wasm
 * and no bundle.
 */
class RemoteEngine {
  worker = false;
  remote = true;
  // A server that fails fails one request at a time, not the engine.
  failed = new Promise(() => {});
  #base;

  constructor(base, info) {
    this.#base = base;
    this.catalogName = String(info.catalog ?? "");
    this.languages = Array.isArray(info.languages) ? info.languages.map(String) : [];
    this.answerCount = Number(info.answers ?? 0);
  }

  async search(query, options) {
    const started = performance.now();
    const url = new URL("api/search", this.#base);
    url.searchParams.set("q", query);
    if (options?.limit !== undefined) url.searchParams.set("limit", String(options.limit));
    if (options?.lang !== undefined) url.searchParams.set("lang", options.lang);
    // Searches run as the resident types: the server records none of these
    // half-typed words. A page that opts in (record-searches) sends the
    // settled ones to /api/events instead.
    url.searchParams.set("record", "0");
    const json = await getJson(url);
    return { answers: Array.isArray(json.answers) ? json.answers : [], ms: performance.now() - started };
  }

  async suggest(prefix, limit) {
    const url = new URL("api/suggest", this.#base);
    url.searchParams.set("q", prefix);
    url.searchParams.set("limit", String(limit));
    const json = await getJson(url);
    return Array.isArray(json.completions) ? json.completions : [];
  }
}

/** A JSON answer of the server; an EndpointError naming the status and the server's own words otherwise. */
async function getJson(url) {
  let response;
  try {
    response = await fetch(url, { headers: { accept: "application/json" }, credentials: "omit" });
  } catch (cause) {
    const error = new Error(`civic311-search: the server at ${url.origin} could not be reached (${cause?.message ?? cause})`);
    error.name = "NetworkError";
    throw error;
  }
  if (!response.ok) {
    let said = "";
    try {
      said = (await response.json())?.[0]?.description ?? "";
    } catch {
      // Not the server's error array: the status says enough.
    }
    const error = new Error(`civic311-search: ${url.pathname} answered ${response.status}${said ? `: ${said}` : ""}`);
    error.name = "EndpointError";
    throw error;
  }
  return response.json();
}

/** The server's engine, once per page and endpoint: its catalog's name and languages from /api/info. */
function loadRemote(endpoint) {
  const key = `endpoint:${endpoint}`;
  let load = engineLoads.get(key);
  if (load === undefined) {
    load = getJson(new URL("api/info", endpoint)).then((info) => new RemoteEngine(endpoint, info));
    engineLoads.set(key, load);
    load.catch(() => {
      if (engineLoads.get(key) === load) engineLoads.delete(key);
    });
  }
  return load;
}

/** An endpoint attribute as a base URL ending in "/", so that api/search resolves under it. */
function endpointBase(value, base) {
  const url = new URL(value.trim(), base);
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  url.search = "";
  url.hash = "";
  return url.href;
}

/** The parent element, or the host when the parent is a shadow root. */
function parentOrHost(element) {
  if (element.parentElement) return element.parentElement;
  const parent = element.parentNode;
  return parent && parent.nodeType === Node.DOCUMENT_FRAGMENT_NODE && parent.host ? parent.host : null;
}

let instances = 0;

export class Civic311Search extends HTMLElement {
  static observedAttributes = ["bundle", "endpoint", "wasm", "lang", "report-url", "limit"];

  #ids;
  #wrapper;
  #label;
  #input;
  #listbox;
  #status;
  #answersList;

  #ui = "en";
  // The engine (an EngineWorker or a PageEngine) once loaded; its answers come as promises.
  #engine = null;
  // The catalog's languages, the first its default (read once per engine).
  #catalogLanguages = [];
  #loadToken = null;
  #retryOnFocusOnly = false;

  #completions = [];
  #active = -1;
  #dismissed = false;
  #answers = [];
  // The search the answers on show answer (language, limit, query).
  #searched = null;
  // The search on show, to record once it has settled (record-searches).
  #pendingRecord = null;
  #recordTimer = 0;
  // One engine request at a time; only the answers to the text in the box are shown.
  #requests = new LatestOnly({
    run: (request) => this.#ask(request),
    show: (request, answer) => this.#show(request, answer),
    same: (a, b) => a.engine === b.engine && a.typed === b.typed && a.key === b.key,
    merge: (kept, newer) => {
      kept.announceNow ||= newer.announceNow;
    },
  });
  // What the status line says: null, {kind: "loading" | "error"} or {kind: "answers", count, query}.
  #statusState = null;
  #announceTimer = 0;
  #langObserver = null;

  constructor() {
    super();
    instances += 1;
    const prefix = `civic311-${instances}`;
    this.#ids = { input: `${prefix}-input`, listbox: `${prefix}-listbox`, option: `${prefix}-option` };

    const root = this.attachShadow({ mode: "open" });
    applyStyle(root);

    this.#wrapper = document.createElement("div");
    this.#wrapper.className = "search";
    this.#wrapper.setAttribute("part", "search");

    this.#label = document.createElement("label");
    this.#label.className = "visually-hidden";
    this.#label.htmlFor = this.#ids.input;

    const field = document.createElement("div");
    field.className = "field";

    this.#input = document.createElement("input");
    const input = this.#input;
    input.id = this.#ids.input;
    input.type = "search";
    input.setAttribute("part", "input");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.#ids.listbox);
    input.setAttribute("autocomplete", "off");
    input.setAttribute("autocapitalize", "off");
    input.setAttribute("enterkeyhint", "search");

    this.#listbox = document.createElement("ul");
    this.#listbox.id = this.#ids.listbox;
    this.#listbox.setAttribute("role", "listbox");
    this.#listbox.setAttribute("part", "suggestions");
    this.#listbox.hidden = true;

    this.#status = document.createElement("p");
    this.#status.className = "status";
    this.#status.setAttribute("role", "status");
    this.#status.setAttribute("part", "status");

    this.#answersList = document.createElement("ol");
    this.#answersList.className = "answers";
    this.#answersList.setAttribute("part", "answers");

    field.append(input, this.#listbox);
    this.#wrapper.append(this.#label, field, this.#status, this.#answersList);
    root.append(this.#wrapper);

    input.addEventListener("focus", () => {
      this.#retryOnFocusOnly = false;
      this.#load();
      this.#renderSuggestions();
    });
    input.addEventListener("blur", () => this.#renderSuggestions());
    input.addEventListener("input", () => {
      this.#dismissed = false;
      if (!this.#retryOnFocusOnly) this.#load();
      this.#update();
    });
    input.addEventListener("keydown", (event) => this.#onKeydown(event));
    // Clicking a suggestion must not take focus from the input.
    this.#listbox.addEventListener("mousedown", (event) => event.preventDefault());
    this.#listbox.addEventListener("click", (event) => {
      const option = event.target instanceof Element ? event.target.closest('[role="option"]') : null;
      if (option) this.#pick(Number(option.dataset.index));
    });
    // An answer followed: with record-searches, the search and the follow are sent.
    this.#answersList.addEventListener("click", (event) => {
      const link = event.target instanceof Element ? event.target.closest("a") : null;
      const item = link?.closest(".answer");
      if (!item || this.#pendingRecord === null) return;
      const query = this.#pendingRecord.query;
      this.#flushRecord();
      this.#sendEvent({ kind: "follow", query, followed: `${item.dataset.kind}:${item.dataset.id}` });
    });
  }

  /**
   * Where search events go: the `record-searches` attribute's URL, or the
   * endpoint's /api/events when it is empty; null (nothing sent) when the
   * page has not opted in, or gives no place to send them.
   */
  #eventsUrl() {
    const value = this.getAttribute("record-searches");
    if (value === null) return null;
    try {
      if (value.trim() !== "") return new URL(value, this.ownerDocument.baseURI);
      const endpoint = this.getAttribute("endpoint");
      if (endpoint !== null && endpoint.trim() !== "") return new URL("api/events", endpointBase(endpoint, this.ownerDocument.baseURI));
    } catch {
      // Not a URL: nothing is sent.
    }
    return null;
  }

  /** Sends one event; fire and forget, with no cookie and no answer read. */
  #sendEvent(event) {
    const url = this.#eventsUrl();
    if (url === null) return;
    const page = `${location.origin}${location.pathname}`;
    const body = JSON.stringify({ ...event, page });
    // Note: a text/plain body needs no CORS preflight, and keepalive lets a
    // follow event leave as the page navigates away.
    fetch(url, { method: "POST", body, mode: "no-cors", credentials: "omit", keepalive: true }).catch(() => {});
  }

  /** Sends the search on show now, if it is still waiting to settle. */
  #flushRecord() {
    clearTimeout(this.#recordTimer);
    const pending = this.#pendingRecord;
    this.#pendingRecord = null;
    if (pending !== null && !pending.sent) this.#sendEvent(pending.event);
    if (pending !== null) this.#pendingRecord = { ...pending, sent: true };
  }

  connectedCallback() {
    // A page that switches language on <html> switches the widget too.
    this.#langObserver ??= new MutationObserver(() => this.#applyLanguage());
    const html = this.ownerDocument.documentElement;
    if (html) this.#langObserver.observe(html, { attributes: true, attributeFilter: ["lang"] });
    this.#applyLanguage(true);
  }

  disconnectedCallback() {
    this.#langObserver?.disconnect();
    clearTimeout(this.#announceTimer);
    clearTimeout(this.#recordTimer);
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue) return;
    switch (name) {
      case "lang":
        this.#applyLanguage();
        break;
      case "bundle":
      case "endpoint":
        this.#engine = null;
        this.#requests.cancel();
        this.#catalogLanguages = [];
        this.#loadToken = null;
        this.#retryOnFocusOnly = false;
        this.#searched = null;
        this.#completions = [];
        this.#answers = [];
        this.#answersList.replaceChildren();
        this.#renderSuggestions();
        this.#setStatus(null);
        if (this.isConnected && (this.#hasFocus() || this.#input.value !== "")) {
          this.#load();
          this.#update();
        }
        break;
      case "limit":
        this.#update();
        break;
      case "report-url":
        this.#renderAnswers();
        break;
      default:
        // `wasm`: read at the next load; the page's engine is loaded once.
        break;
    }
  }

  /** The URL of the bundle (the `bundle` attribute). */
  get bundle() {
    return this.getAttribute("bundle") ?? "";
  }
  set bundle(value) {
    this.setAttribute("bundle", value);
  }

  /** The URL of a `civic311 serve` server (the `endpoint` attribute); null to search offline from the bundle. */
  get endpoint() {
    return this.getAttribute("endpoint");
  }
  set endpoint(value) {
    if (value === null || value === undefined) this.removeAttribute("endpoint");
    else this.setAttribute("endpoint", value);
  }

  /** The URL of the .wasm file (the `wasm` attribute); null for the one beside the package. */
  get wasm() {
    return this.getAttribute("wasm");
  }
  set wasm(value) {
    if (value === null || value === undefined) this.removeAttribute("wasm");
    else this.setAttribute("wasm", value);
  }

  /** The report-link template (the `report-url` attribute). */
  get reportUrl() {
    return this.getAttribute("report-url");
  }
  set reportUrl(value) {
    if (value === null || value === undefined) this.removeAttribute("report-url");
    else this.setAttribute("report-url", value);
  }

  /** How many answers a search shows (the `limit` attribute, 1 to 100, default 5). */
  get limit() {
    return parseLimit(this.getAttribute("limit"));
  }
  set limit(value) {
    this.setAttribute("limit", String(value));
  }

  /** The text in the search box; setting it loads the engine if needed and searches. */
  get query() {
    return this.#input.value;
  }
  set query(value) {
    this.#input.value = String(value ?? "");
    this.#dismissed = true;
    this.#load();
    this.#update({ announceNow: true });
  }

  /** Whether the engine is loaded and searches answer. */
  get ready() {
    return this.#engine !== null;
  }

  #hasFocus() {
    return this.shadowRoot.activeElement === this.#input;
  }

  #dispatch(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  // Loading: the package and the bundle in parallel, once per page and bundle.

  #load() {
    if (this.#engine !== null || this.#loadToken !== null || !this.isConnected) return;
    const token = {};
    this.#loadToken = token;
    const started = performance.now();
    // "Loading…" only for a resident who has typed; a focus alone stays quiet.
    this.#setStatus(normalizeQuery(this.#input.value) !== "" ? { kind: "loading" } : null, true);

    const base = this.ownerDocument.baseURI;
    const bundle = this.getAttribute("bundle");
    const endpoint = this.getAttribute("endpoint");
    const wasm = this.getAttribute("wasm");
    let load;
    if (endpoint !== null && endpoint.trim() !== "") {
      // A server answers: no wasm, no bundle.
      load = loadRemote(endpointBase(endpoint, base));
    } else if (bundle === null || bundle.trim() === "") {
      const error = new Error(
        "<civic311-search> needs a bundle attribute (the URL of a file made by `civic311 bundle DIR -o FILE`) " +
          "or an endpoint attribute (the URL of a `civic311 serve` server)",
      );
      error.name = "BundleError";
      load = Promise.reject(error);
    } else {
      load = loadEngine(new URL(bundle, base).href, wasm ? new URL(wasm, base).href : DEFAULT_WASM_URL);
    }
    load.then(
      (engine) => {
        if (this.#loadToken !== token) return;
        this.#loadToken = null;
        this.#engine = engine;
        this.#catalogLanguages = engine.languages;
        engine.failed.then((error) => {
          if (this.#engine === engine) this.#engineStopped(error);
        });
        this.#dispatch("civic311-ready", { ms: performance.now() - started, worker: engine.worker, server: engine.remote === true });
        this.#setStatus(null, true);
        this.#update({ announceNow: true });
      },
      (error) => {
        if (this.#loadToken !== token) return;
        this.#loadToken = null;
        // Typing keeps working as plain typing; the next focus tries again.
        this.#retryOnFocusOnly = true;
        console.error("civic311-search: could not load the search engine:", error);
        this.#setStatus({ kind: "error" }, true);
        this.#dispatchError(error);
      },
    );
  }

  /** The engine stopped (its worker failed): as a failed load, and the answers go, as they no longer follow the box. */
  #engineStopped(error) {
    this.#engine = null;
    this.#retryOnFocusOnly = true;
    this.#clearResults();
    console.error("civic311-search: the search engine stopped:", error);
    this.#setStatus({ kind: "error" }, true);
    this.#dispatchError(error);
  }

  /** No pending request, no suggestions, no answers. */
  #clearResults() {
    this.#requests.cancel();
    this.#searched = null;
    this.#completions = [];
    this.#answers = [];
    this.#active = -1;
    this.#renderSuggestions();
    this.#renderAnswers();
  }

  #dispatchError(error) {
    this.#dispatch("civic311-error", {
      name: error?.name ?? "Error",
      message: error?.message ?? String(error),
      error,
    });
  }

  // Searching.

  #update({ announceNow = false } = {}) {
    const typed = this.#input.value;
    const query = normalizeQuery(typed);
    if (query === "") {
      this.#clearResults();
      if (this.#statusState?.kind !== "error") this.#setStatus(null);
      return;
    }
    if (this.#engine === null) {
      this.#requests.cancel();
      if (this.#loadToken !== null) this.#setStatus({ kind: "loading" }, true);
      return;
    }
    const lang = searchLanguage(this.#ui, this.#catalogLanguages);
    const limit = this.limit;
    const key = `${lang ?? ""}\u0000${limit}\u0000${query}`;
    if (this.#statusState?.kind === "answers" && this.#statusState.query !== query) {
      // An announcement still waiting is of a query no longer in the box.
      clearTimeout(this.#announceTimer);
    }
    this.#requests.ask({ engine: this.#engine, typed, query, lang, limit, key, announceNow });
  }

  /** Runs a request in the engine: the suggestions, and the search unless its answers are on show. */
  async #ask({ engine, typed, query, lang, limit, key }) {
    const search = key !== this.#searched;
    // A worker that stopped is reported once, by #engineStopped.
    const report = (what, error) => {
      if (error?.name !== "WorkerError") console.error(`civic311-search: ${what} failed:`, error);
    };
    const [completions, found] = await Promise.all([
      engine.suggest(typed, SUGGESTION_LIMIT + 1).catch((error) => {
        report("suggestions", error);
        return [];
      }),
      search
        ? engine.search(query, lang === undefined ? { limit } : { limit, lang }).catch((error) => {
            report("search", error);
            return { answers: [], ms: 0 };
          })
        : null,
    ]);
    return { completions, found };
  }

  /** Shows the answer to the request that is still the box's text. */
  #show({ engine, typed, query, lang, key, announceNow }, { completions, found }) {
    // Answers of an engine no longer this box's (a new bundle, a stopped worker) never show.
    if (engine !== this.#engine) return;
    this.#completions = visibleSuggestions(completions, typed, SUGGESTION_LIMIT);
    this.#active = -1;
    this.#renderSuggestions();
    if (found === null) {
      // The answers on show are this search's already.
      this.#searched = key;
      if (announceNow) this.#setStatus(this.#statusState, true);
      return;
    }
    this.#searched = key;
    this.#answers = found.answers;
    this.#renderAnswers();
    this.#setStatus({ kind: "answers", count: found.answers.length, query }, announceNow);
    this.#dispatch("civic311-answers", { query, count: found.answers.length, ms: found.ms });
    this.#scheduleRecord(query, lang, found.answers);
  }

  /**
   * With record-searches, a search is sent once it has settled: its answers
   * on show for two seconds, or one of them followed. The words typed on the
   * way there are never sent.
   */
  #scheduleRecord(query, lang, answers) {
    clearTimeout(this.#recordTimer);
    this.#pendingRecord = null;
    if (this.#eventsUrl() === null || query.trim() === "") return;
    const top = answers[0];
    const event = {
      kind: "search",
      query,
      lang: lang ?? undefined,
      answers: answers.length,
      top: top ? `${top.kind}:${top.id}` : undefined,
      top_score: top && Number.isFinite(top.score) ? top.score : undefined,
    };
    this.#pendingRecord = { query, event, sent: false };
    this.#recordTimer = setTimeout(() => this.#flushRecord(), RECORD_AFTER_MS);
  }

  #pick(index) {
    const completion = this.#completions[index];
    if (!completion) return;
    this.#input.value = completion.text;
    this.#dismissed = true;
    this.#update({ announceNow: true });
    this.#renderSuggestions();
  }

  #onKeydown(event) {
    const action = comboboxKey(
      { open: this.#popupOpen(), active: this.#active, count: this.#completions.length, value: this.#input.value },
      event,
    );
    if (action === null) return;
    if (action.preventDefault) event.preventDefault();
    switch (action.type) {
      case "move":
        this.#dismissed = false;
        this.#active = action.active;
        this.#renderSuggestions();
        break;
      case "pick":
        this.#pick(action.index);
        break;
      case "submit":
        this.#dismissed = true;
        if (!this.#retryOnFocusOnly) this.#load();
        this.#update({ announceNow: true });
        this.#renderSuggestions();
        break;
      case "close":
        this.#dismissed = true;
        this.#active = -1;
        this.#renderSuggestions();
        break;
      case "clear":
        this.#input.value = "";
        this.#update();
        break;
      case "deactivate":
        this.#active = -1;
        this.#renderSuggestions();
        break;
    }
  }

  // Rendering: createElement and textContent throughout, but for the snippet.

  #popupOpen() {
    return this.#completions.length > 0 && !this.#dismissed && this.#hasFocus();
  }

  #renderSuggestions() {
    const open = this.#popupOpen();
    if (!open) this.#active = -1;
    const options = this.#completions.map((completion, index) => {
      const option = document.createElement("li");
      option.id = `${this.#ids.option}-${index}`;
      option.setAttribute("role", "option");
      option.setAttribute("part", "option");
      option.setAttribute("aria-selected", String(index === this.#active));
      option.dataset.index = String(index);
      option.textContent = completion.text;
      return option;
    });
    this.#listbox.replaceChildren(...options);
    this.#listbox.hidden = !open;
    this.#input.setAttribute("aria-expanded", String(open));
    if (open && this.#active >= 0) {
      this.#input.setAttribute("aria-activedescendant", options[this.#active].id);
      options[this.#active].scrollIntoView?.({ block: "nearest" });
    } else {
      this.#input.removeAttribute("aria-activedescendant");
    }
  }

  #renderAnswers() {
    // Keep keyboard focus on the same link when the list is redrawn (a
    // language switch while tabbing through the answers).
    const links = () => Array.from(this.#answersList.querySelectorAll("a"));
    const focusedLink = links().indexOf(this.shadowRoot.activeElement);

    const text = strings(this.#ui);
    const template = this.getAttribute("report-url");
    const contentLang = this.#catalogLanguages[0] ?? null;
    const items = this.#answers.map((answer) => {
      const item = document.createElement("li");
      item.className = `answer ${answer.kind}`;
      item.setAttribute("part", `answer ${answer.kind}`);
      item.dataset.id = answer.id;
      item.dataset.kind = answer.kind;

      const kind = document.createElement("span");
      kind.className = "kind";
      kind.setAttribute("part", "kind");
      kind.textContent = text.kinds[answer.kind] ?? answer.kind;

      const href = safeHref(answer.url);
      const title = document.createElement(href === null ? "span" : "a");
      title.className = "title";
      title.setAttribute("part", "title");
      if (href !== null) title.setAttribute("href", href);
      title.textContent = answer.title;

      const snippet = document.createElement("p");
      snippet.className = "snippet";
      snippet.setAttribute("part", "snippet");
      // A facility's hours get their own line below, so not twice.
      const html = answer.kind === "facility" ? snippetWithoutHours(answer.snippet, answer.hours) : answer.snippet;
      fillSnippet(snippet, html);

      const lang = answer.lang ?? contentLang;
      if (lang) {
        title.lang = lang;
        snippet.lang = lang;
      }
      item.append(kind, title);
      if (html) item.append(snippet);

      if (answer.kind === "facility" && answer.hours) {
        const hours = document.createElement("p");
        hours.className = `hours ${hoursState(answer.hours)}`;
        hours.setAttribute("part", "hours");
        const state = document.createElement("span");
        state.className = "state";
        state.textContent = answer.hours.status;
        const day = document.createElement("span");
        day.className = "day";
        day.textContent = answer.hours.day;
        const separator = document.createElement("span");
        separator.setAttribute("aria-hidden", "true");
        separator.textContent = " · ";
        hours.append(state, separator, day);
        item.append(hours);
      }

      const report = reportHref(answer, template);
      if (report !== null) {
        const link = document.createElement("a");
        link.className = "report";
        link.setAttribute("part", "report");
        link.setAttribute("href", report);
        link.textContent = text.reportThis;
        item.append(link);
      }
      return item;
    });
    this.#answersList.replaceChildren(...items);
    if (focusedLink >= 0) links()[Math.min(focusedLink, links().length - 1)]?.focus();
  }

  #setStatus(state, now = false) {
    this.#statusState = state;
    clearTimeout(this.#announceTimer);
    if (now || state === null || state.kind !== "answers") this.#renderStatus();
    else this.#announceTimer = setTimeout(() => this.#renderStatus(), ANNOUNCE_DELAY_MS);
  }

  #renderStatus() {
    const state = this.#statusState;
    const text = strings(this.#ui);
    let message = "";
    if (state?.kind === "loading") message = text.loading;
    else if (state?.kind === "error") message = text.unavailable;
    else if (state?.kind === "answers") message = answersAnnouncement(this.#ui, state.count, state.query);
    this.#status.classList.toggle("error", state?.kind === "error");
    if (this.#status.textContent !== message) this.#status.textContent = message;
  }

  // Language: the interface text, and the language searches run in.

  #applyLanguage(force = false) {
    const candidates = [this.getAttribute("lang")];
    for (let element = parentOrHost(this); element; element = parentOrHost(element)) {
      const lang = element.getAttribute("lang");
      if (lang !== null && lang.trim() !== "") {
        candidates.push(lang);
        break;
      }
    }
    candidates.push(this.ownerDocument.documentElement?.getAttribute("lang"));
    const ui = interfaceLanguage(candidates);
    if (ui === this.#ui && !force) return;
    this.#ui = ui;

    const text = strings(ui);
    this.#wrapper.lang = ui;
    this.#label.textContent = text.label;
    this.#input.placeholder = text.placeholder;
    this.#listbox.setAttribute("aria-label", text.suggestions);
    this.#answersList.setAttribute("aria-label", text.answersLabel);
    this.#renderStatus();
    // The search language follows; re-run the search in it.
    this.#searched = null;
    this.#renderAnswers();
    this.#update({ announceNow: true });
  }
}

if (!customElements.get(TAG_NAME)) {
  customElements.define(TAG_NAME, Civic311Search);
}
