// The <civic311-search> widget's decisions, apart from the DOM so that they
// run under `node --test`: interface text in English and Spanish, choosing
// the interface language, report links, which URLs may become an href, the
// combobox's keys, fetching with a Cache Storage fallback, the page's side
// of the engine's worker (EngineWorker), and showing only the answers to
// the text in the box (LatestOnly).
//
// widget.js holds the glue: it reads the DOM, calls these, and writes the
// DOM with textContent (the engine's snippet being the one exception).
// worker.js imports the fetching and the error messages from here too.

/** The interface languages; the first is the fallback. */
export const LANGUAGES = Object.freeze(["en", "es"]);

/** Answers one search shows when `limit` is absent or invalid. */
export const DEFAULT_LIMIT = 5;

/** The most answers one search may ask for (the engine's own cap). */
export const MAX_LIMIT = 100;

/** How long a query is quoted in an announcement before it is cut with "…". */
export const QUOTED_QUERY_CHARS = 60;

/**
 * The interface text. `answers(count, query)` is the announcement after a
 * search; the query arrives already trimmed and cut to size.
 */
export const STRINGS = Object.freeze({
  en: Object.freeze({
    label: "Search city services and information",
    placeholder: "Ask a question or describe a problem",
    suggestions: "Suggestions",
    answersLabel: "Answers",
    reportThis: "Report this",
    loading: "Loading…",
    unavailable: "Search is unavailable",
    kinds: Object.freeze({ article: "Information", service: "Service", facility: "Place" }),
    answers(count, query) {
      if (count === 0) return `No answers for “${query}”`;
      return `${count} ${count === 1 ? "answer" : "answers"} for “${query}”`;
    },
  }),
  es: Object.freeze({
    label: "Buscar servicios e información de la ciudad",
    placeholder: "Haga una pregunta o describa un problema",
    suggestions: "Sugerencias",
    answersLabel: "Respuestas",
    reportThis: "Reportar",
    loading: "Cargando…",
    unavailable: "La búsqueda no está disponible",
    kinds: Object.freeze({ article: "Información", service: "Servicio", facility: "Lugar" }),
    answers(count, query) {
      if (count === 0) return `No hay respuestas para “${query}”`;
      return `${count} ${count === 1 ? "respuesta" : "respuestas"} para “${query}”`;
    },
  }),
});

/** The interface text of a language ("en" or "es"); English for any other. */
export function strings(lang) {
  return Object.hasOwn(STRINGS, lang) ? STRINGS[lang] : STRINGS.en;
}

/**
 * The interface language from the `lang` values that apply, nearest first:
 * the element's own attribute, its nearest ancestor's, the document's.
 * The first one set (not missing, not blank) decides: a Spanish tag ("es",
 * "es-MX", "ES-419") gives Spanish, any other tag English.
 *
 * Note: blank values are skipped rather than read as HTML's "unknown
 * language", so that `lang=""` on a wrapper does not hide the page's language.
 */
export function interfaceLanguage(candidates) {
  for (const candidate of candidates) {
    if (typeof candidate !== "string") continue;
    const tag = candidate.trim();
    if (tag === "") continue;
    const primary = tag.split(/[-_]/, 1)[0].toLowerCase();
    return primary === "es" ? "es" : "en";
  }
  return LANGUAGES[0];
}

/**
 * The `lang` option for `engine.search`: the interface language when the
 * catalog has articles in it, otherwise none (every article is searched and
 * the engine analyzes the query in the catalog's default language).
 */
export function searchLanguage(uiLanguage, catalogLanguages) {
  return Array.isArray(catalogLanguages) && catalogLanguages.includes(uiLanguage) ? uiLanguage : undefined;
}

/** The `limit` attribute as a whole number from 1 to 100; the default for anything else. */
export function parseLimit(value) {
  if (value === null || value === undefined) return DEFAULT_LIMIT;
  const text = String(value).trim();
  if (!/^\d+$/.test(text)) return DEFAULT_LIMIT;
  const n = Number(text);
  return n >= 1 && n <= MAX_LIMIT ? n : DEFAULT_LIMIT;
}

/** A query as it is searched: trimmed, inner runs of white space made one space. */
export function normalizeQuery(query) {
  return String(query ?? "")
    .replace(/\s+/gu, " ")
    .trim();
}

/** A query as an announcement quotes it: normalized and cut to `max` characters with "…". */
export function quotedQuery(query, max = QUOTED_QUERY_CHARS) {
  const text = normalizeQuery(query);
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("").trimEnd()}…`;
}

/** The announcement after a search, in the interface language. */
export function answersAnnouncement(lang, count, query) {
  return strings(lang).answers(count, quotedQuery(query));
}

/**
 * Whether a URL may go into an href: http, https, or relative (which a page
 * served over http(s) resolves to http(s)). `javascript:`, `data:`,
 * `vbscript:`, `blob:`, `file:` and anything the URL parser rejects are
 * refused. The URL is checked the way a browser reads it, so tabs, new
 * lines and leading control characters hide nothing ("java\tscript:").
 * Returns the URL to use (trimmed), or null.
 */
export function safeHref(url) {
  if (typeof url !== "string") return null;
  // Note: a URL parser strips leading and trailing C0 controls and spaces,
  // and removes tabs and new lines anywhere; trim the same for the href.
  const href = url.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/gu, "");
  if (href === "") return null;
  let parsed;
  try {
    parsed = new URL(href, "https://relative.invalid/");
  } catch {
    return null;
  }
  return parsed.protocol === "https:" || parsed.protocol === "http:" ? href : null;
}

const TEMPLATE_FIELDS = Object.freeze(["service_code", "id", "kind", "lang", "department"]);

/**
 * Fills a report-link template such as
 * `https://city.example/report?service={service_code}` from an answer:
 * each `{field}` (service_code, id, kind, lang, department) becomes the
 * answer's value, URL-encoded. Returns null when the template names a field
 * the answer lacks, or a field it does not know.
 */
export function expandTemplate(template, answer) {
  let missing = false;
  const out = String(template).replace(/\{([^{}]*)\}/gu, (_, field) => {
    const value = TEMPLATE_FIELDS.includes(field) ? answer?.[field] : undefined;
    if (value === null || value === undefined || value === "") {
      missing = true;
      return "";
    }
    return encodeURIComponent(String(value));
  });
  return missing ? null : out;
}

/**
 * The href of a service answer's "Report this" link: the `report-url`
 * template filled from the answer, or else the answer's own url; null when
 * neither gives a safe URL, and for articles and facilities.
 */
export function reportHref(answer, template) {
  if (answer?.kind !== "service") return null;
  if (typeof template === "string" && template.trim() !== "") {
    const filled = expandTemplate(template.trim(), answer);
    if (filled !== null) return safeHref(filled);
  }
  return safeHref(answer.url);
}

/**
 * The active option after an arrow key, Home or End, wrapping around; -1
 * means none is active. Returns null for any other key, or an empty list.
 */
export function moveActive(active, count, key) {
  if (!Number.isInteger(count) || count <= 0) return null;
  const last = count - 1;
  const current = Number.isInteger(active) && active >= 0 && active <= last ? active : -1;
  switch (key) {
    case "ArrowDown":
      return current === -1 || current === last ? 0 : current + 1;
    case "ArrowUp":
      return current <= 0 ? last : current - 1;
    case "Home":
      return 0;
    case "End":
      return last;
    default:
      return null;
  }
}

/**
 * What a key pressed in the combobox does (the ARIA 1.2 combobox with list
 * autocomplete, focus staying in the input). `state` is
 * `{open, active, count, value}`: whether the suggestions are shown, the
 * active one (-1 for none), how many there are, the input's text. Returns
 * null to leave the key to the input, or `{type, preventDefault, ...}`:
 *
 * - `move` (`active`): show the suggestions and make `active` the active one;
 * - `pick` (`index`): put that suggestion in the input and search it;
 * - `submit`: search the text now and announce at once;
 * - `close`: hide the suggestions, keeping the text;
 * - `clear`: empty the input;
 * - `deactivate`: no active suggestion; the key still moves the caret.
 */
export function comboboxKey(state, event) {
  if (event.isComposing) return null;
  const { open, count, value } = state;
  const active = open ? state.active : -1;
  const modified = event.ctrlKey || event.metaKey;
  switch (event.key) {
    case "ArrowDown":
    case "ArrowUp": {
      if (modified || count === 0) return null;
      if (event.altKey) {
        // Alt+Down shows the list without choosing; Alt+Up hides it.
        return event.key === "ArrowDown"
          ? { type: "move", active, preventDefault: true }
          : { type: "close", preventDefault: true };
      }
      return { type: "move", active: moveActive(active, count, event.key), preventDefault: true };
    }
    case "Home":
    case "End":
      // With no active option these move the caret, as in any text field.
      if (!open || active < 0 || modified || event.shiftKey) return null;
      return { type: "move", active: moveActive(active, count, event.key), preventDefault: true };
    case "ArrowLeft":
    case "ArrowRight":
      return open && active >= 0 ? { type: "deactivate", preventDefault: false } : null;
    case "Enter":
      if (open && active >= 0 && active < count) return { type: "pick", index: active, preventDefault: true };
      return { type: "submit", preventDefault: true };
    case "Escape":
      if (open) return { type: "close", preventDefault: true };
      // Note: the default is prevented in both cases because Chromium's own
      // Escape in a search field would clear it on the first press.
      return value !== "" ? { type: "clear", preventDefault: true } : { type: "close", preventDefault: true };
    default:
      return null;
  }
}

/**
 * The completions to offer: at most `max`, without repeats (compared
 * case-insensitively) and without the text already typed.
 */
export function visibleSuggestions(completions, typed, max = 6) {
  const seen = new Set([normalizeQuery(typed).toLocaleLowerCase()]);
  const out = [];
  for (const completion of Array.isArray(completions) ? completions : []) {
    if (typeof completion?.text !== "string") continue;
    const key = normalizeQuery(completion.text).toLocaleLowerCase();
    if (key === "" || seen.has(key)) continue;
    seen.add(key);
    out.push(completion);
    if (out.length === max) break;
  }
  return out;
}

const ENTITIES = Object.freeze({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" });

/**
 * A snippet as text runs, each marked or not: `<mark>` and `</mark>` split
 * it, and the entities the engine writes (&amp; &lt; &gt; &quot; &#39;, and
 * any numeric one) become their characters. For pages where HTML cannot be
 * inserted at all; any other tag stays literal text.
 */
export function snippetParts(snippet) {
  const parts = [];
  let marked = false;
  for (const piece of String(snippet ?? "").split(/(<mark>|<\/mark>)/u)) {
    if (piece === "<mark>") marked = true;
    else if (piece === "</mark>") marked = false;
    else if (piece !== "") parts.push({ text: decodeEntities(piece), marked });
  }
  return parts;
}

function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]+);/giu, (entity, name) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : entity;
    }
    return Object.hasOwn(ENTITIES, name) ? ENTITIES[name] : entity;
  });
}

/**
 * Text as the engine escapes it (core/src/search/snippet.rs,
 * escape_html_into): the five HTML-significant characters as entities,
 * line breaks and tabs as one space, runs of spaces as one.
 */
export function escapeHtml(text) {
  let out = "";
  for (const c of String(text)) {
    if (c === "\n" || c === "\r" || c === "\t" || c === " ") {
      if (!out.endsWith(" ")) out += " ";
    } else {
      out += ESCAPES[c] ?? c;
    }
  }
  return out;
}

const ESCAPES = Object.freeze({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" });

/**
 * A facility's snippet without the hours it starts with. The engine opens a
 * facility's snippet with "{status}. {day}." (escaped) for pages that show
 * only snippets; the widget shows the hours on a line of their own, so it
 * drops that opening. What remains is the rest of the engine's own escaped
 * snippet, cut at a space. A snippet that does not open so is returned whole.
 */
export function snippetWithoutHours(snippet, hours) {
  if (typeof snippet !== "string" || typeof hours?.status !== "string" || typeof hours?.day !== "string") {
    return snippet;
  }
  const opening = escapeHtml(`${hours.status}. ${hours.day}.`);
  if (snippet === opening) return "";
  return snippet.startsWith(`${opening} `) ? snippet.slice(opening.length + 1) : snippet;
}

/** "open" or "closed": the class of a facility's hours line. */
export function hoursState(hours) {
  return hours?.open_now === true ? "open" : "closed";
}

/**
 * Whether a response holds wasm that `WebAssembly.instantiateStreaming` will
 * take: it insists on the `application/wasm` content type, and anything
 * else must be read into bytes first.
 */
export function isWasmResponse(response) {
  const type = response?.headers?.get?.("content-type") ?? "";
  return type.split(";", 1)[0].trim().toLowerCase() === "application/wasm";
}

/**
 * Fetches a URL, network first, keeping a copy in Cache Storage: when the
 * network fails (no connection, or an HTTP error), the cached copy answers
 * instead, so that a page loaded once keeps working offline. `caches` is
 * optional (absent outside secure contexts and in Node); `fetch` and
 * `caches` are passed in so that this runs anywhere.
 *
 * Resolves with a Response whose body is unread; rejects with an Error
 * naming the URL when neither the network nor the cache has it.
 */
export async function fetchWithCache(url, { fetch, caches, cacheName = "civic311" }) {
  const key = String(url);
  const cache = await openCache(caches, cacheName);
  let failure;
  try {
    const response = await fetch(key);
    if (response.ok) {
      if (cache !== null) {
        // A full cache (quota) or a refused put only costs the offline copy.
        cache.put(key, response.clone()).catch(() => {});
      }
      return response;
    }
    failure = new Error(`could not fetch ${key}: HTTP ${response.status}`);
  } catch (error) {
    failure = new Error(`could not fetch ${key}: ${error?.message ?? error}`, { cause: error });
  }
  if (cache !== null) {
    const cached = await cache.match(key).catch(() => undefined);
    if (cached) return cached;
  }
  failure.name = "NetworkError";
  throw failure;
}

async function openCache(caches, cacheName) {
  if (!caches || typeof caches.open !== "function") return null;
  try {
    return await caches.open(cacheName);
  } catch {
    // Private windows and sandboxed frames may refuse Cache Storage.
    return null;
  }
}

/** An error as a worker message carries it: `{name, message}`, plain strings. */
export function errorMessage(error) {
  if (error !== null && typeof error === "object") {
    const name = typeof error.name === "string" && error.name !== "" ? error.name : "Error";
    return { name, message: typeof error.message === "string" ? error.message : String(error) };
  }
  return { name: "Error", message: String(error) };
}

/** An Error from a message's `{name, message}`. */
export function errorFrom(data) {
  const error = new Error(typeof data?.message === "string" ? data.message : "unknown error");
  error.name = typeof data?.name === "string" && data.name !== "" ? data.name : "Error";
  return error;
}

function workerError(message) {
  const error = new Error(message);
  error.name = "WorkerError";
  return error;
}

/**
 * The page's side of an engine worker (worker.js): requests get ids, and
 * answers settle the request with the same id. Takes a started Worker (or
 * anything with postMessage, addEventListener and terminate).
 *
 * - `started` resolves when the worker says its modules have loaded, and
 *   rejects (a WorkerError) if it fails before: blocked by a Content
 *   Security Policy, a script that does not load, module workers
 *   unsupported. Nothing has been fetched for the engine then.
 * - `failed` resolves with the error when the worker stops after it
 *   started: an uncaught error, a message that cannot be read, a trap.
 *   Every request still waiting is rejected with that error, and any later
 *   one at once.
 *
 * After `load`, `languages`, `catalogName` and `answerCount` describe the
 * catalog, as on an Engine.
 */
export class EngineWorker {
  /** Where the engine runs: off the page's main thread. */
  worker = true;
  catalogName = "";
  languages = [];
  answerCount = 0;
  started;
  failed;

  #worker;
  #pending = new Map();
  #nextId = 1;
  #running = false;
  #failure = null;
  #startedSettle;
  #failedResolve;

  constructor(worker) {
    this.#worker = worker;
    this.started = new Promise((resolve, reject) => {
      this.#startedSettle = { resolve, reject };
    });
    // A start failure is read by whoever awaits `started`; no unhandled rejection otherwise.
    this.started.catch(() => {});
    this.failed = new Promise((resolve) => {
      this.#failedResolve = resolve;
    });
    worker.addEventListener("message", (event) => this.#onMessage(event.data));
    worker.addEventListener("error", (event) => {
      // Reported once, by the widget, rather than again as the page's own error.
      event.preventDefault?.();
      const detail = typeof event?.message === "string" && event.message !== "" ? `: ${event.message}` : "";
      this.#stop(
        workerError(this.#running ? `the search engine's worker failed${detail}` : `the search engine's worker could not start${detail}`),
      );
    });
    worker.addEventListener("messageerror", () => {
      this.#stop(workerError("a message from the search engine's worker could not be read"));
    });
  }

  #onMessage(data) {
    if (data === null || typeof data !== "object") return;
    if (data.id === undefined) {
      if (data.type === "started" && !this.#running && this.#failure === null) {
        this.#running = true;
        this.#startedSettle.resolve();
      } else if (data.type === "failed") {
        const cause = errorFrom(data.error);
        this.#stop(workerError(`the search engine's worker stopped: ${cause.name}: ${cause.message}`));
      }
      return;
    }
    const pending = this.#pending.get(data.id);
    if (pending === undefined) return;
    this.#pending.delete(data.id);
    if (data.error !== undefined) pending.reject(errorFrom(data.error));
    else pending.resolve(data);
  }

  #stop(error) {
    if (this.#failure !== null) return;
    this.#failure = error;
    this.#worker.terminate();
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
    if (this.#running) this.#failedResolve(error);
    else this.#startedSettle.reject(error);
  }

  #request(message, transfer = []) {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    const id = this.#nextId;
    this.#nextId += 1;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      try {
        this.#worker.postMessage({ ...message, id }, transfer);
      } catch (error) {
        // Options that cannot be cloned (a function, say) fail this request only.
        this.#pending.delete(id);
        reject(error);
      }
    });
  }

  /**
   * Loads the engine from `wasm` (a WebAssembly.Module, its bytes, or its
   * URL) and `bundle` (its bytes or its URL). An ArrayBuffer bundle is
   * transferred, not copied: it is unusable here afterwards.
   */
  async load(wasm, bundle) {
    const url = (value) => (value instanceof URL ? value.href : value);
    const transfer = bundle instanceof ArrayBuffer ? [bundle] : [];
    const loaded = await this.#request({ type: "load", wasm: url(wasm), bundle: url(bundle) }, transfer);
    this.catalogName = loaded.catalogName;
    this.languages = loaded.languages;
    this.answerCount = loaded.answerCount;
  }

  /** Resolves with `{answers, ms}`: the answers and the engine's search time. */
  async search(query, options) {
    const { answers, ms } = await this.#request({ type: "search", query: String(query), options });
    return { answers, ms };
  }

  /** Resolves with the completions of `prefix`. */
  async suggest(prefix, limit) {
    return (await this.#request({ type: "suggest", prefix: String(prefix), limit })).completions;
  }

  /** Stops the worker; requests still waiting are rejected. */
  terminate() {
    this.#stop(workerError("the search engine's worker was stopped"));
  }
}

/**
 * Runs a box's requests one at a time and shows only the answer to the
 * latest one asked, so that what the box shows always answers the text in
 * it. A request asked while another runs waits, replacing any request
 * already waiting; when the running one finishes, its answer is shown only
 * if nothing newer was asked since, else it is dropped and the newest
 * waiting one runs. A request that asks the same as the one wanted already
 * (`same(wanted, request)`) is folded into it with `merge(wanted, request)`
 * instead of running again.
 *
 * `run(request)` returns a promise of the answer; `show(request, answer)`
 * puts it in the page. A `run` that rejects is reported to `fail(request,
 * error)` for the request still wanted, and dropped otherwise.
 */
export class LatestOnly {
  #run;
  #show;
  #fail;
  #same;
  #merge;
  #running = null;
  #wanted = null;

  constructor({ run, show, fail, same = () => false, merge = () => {} }) {
    this.#run = run;
    this.#show = show;
    this.#fail =
      fail ??
      ((request, error) => {
        queueMicrotask(() => {
          throw error;
        });
      });
    this.#same = same;
    this.#merge = merge;
  }

  /** Whether a request is running. */
  get busy() {
    return this.#running !== null;
  }

  /** The request whose answer will be shown next, or null. */
  get wanted() {
    return this.#wanted;
  }

  /** Wants `request` answered, and no earlier one. */
  ask(request) {
    if (this.#wanted !== null && this.#same(this.#wanted, request)) {
      this.#merge(this.#wanted, request);
      return;
    }
    this.#wanted = request;
    if (this.#running === null) this.#start(request);
  }

  /** Wants nothing: the answer of the running request, if any, is dropped. */
  cancel() {
    this.#wanted = null;
  }

  async #start(request) {
    this.#running = request;
    let answer;
    let failure;
    let failed = false;
    try {
      answer = await this.#run(request);
    } catch (error) {
      failed = true;
      failure = error;
    }
    this.#running = null;
    const wanted = this.#wanted;
    if (wanted !== null && (wanted === request || this.#same(wanted, request))) {
      // The answer answers what is wanted now (the same request, or one asking the same).
      if (wanted !== request) this.#merge(wanted, request);
      this.#wanted = null;
      if (failed) this.#fail(wanted, failure);
      else this.#show(wanted, answer);
    }
    if (this.#wanted !== null && this.#running === null) this.#start(this.#wanted);
  }
}
