// The widget's decisions under node --test, no browser: interface text,
// language, report links, hrefs, keys, suggestions, snippets as text,
// fetching with a Cache Storage fallback, the page's side of the engine
// worker, and showing only the answers to the latest text.

import { test } from "node:test";
import assert from "node:assert/strict";

import {
  DEFAULT_LIMIT,
  EngineWorker,
  LANGUAGES,
  LatestOnly,
  STRINGS,
  answersAnnouncement,
  comboboxKey,
  errorFrom,
  errorMessage,
  escapeHtml,
  expandTemplate,
  fetchWithCache,
  hoursState,
  interfaceLanguage,
  isWasmResponse,
  moveActive,
  normalizeQuery,
  parseLimit,
  quotedQuery,
  reportHref,
  safeHref,
  searchLanguage,
  snippetParts,
  snippetWithoutHours,
  strings,
  visibleSuggestions,
} from "../js/widget-logic.js";

test("every interface string exists in English and Spanish, and differs", () => {
  assert.deepEqual(LANGUAGES, ["en", "es"]);
  const keys = Object.keys(STRINGS.en).sort();
  assert.deepEqual(Object.keys(STRINGS.es).sort(), keys);
  for (const key of keys) {
    const en = STRINGS.en[key];
    const es = STRINGS.es[key];
    if (typeof en === "string") {
      assert.ok(en.length > 0 && es.length > 0, key);
      assert.notEqual(en, es, `${key} is not translated`);
    }
  }
  assert.deepEqual(Object.keys(STRINGS.es.kinds).sort(), ["article", "facility", "service"]);
  assert.equal(STRINGS.en.reportThis, "Report this");
  assert.equal(STRINGS.en.loading, "Loading…");
  assert.equal(STRINGS.en.unavailable, "Search is unavailable");
  assert.equal(STRINGS.es.unavailable, "La búsqueda no está disponible");
  assert.ok(Object.isFrozen(STRINGS.en) && Object.isFrozen(STRINGS.es.kinds));
});

test("strings falls back to English for any other language", () => {
  assert.equal(strings("es"), STRINGS.es);
  assert.equal(strings("en"), STRINGS.en);
  for (const other of ["fr", "", undefined, null, "constructor", "__proto__", "toString"]) {
    assert.equal(strings(other), STRINGS.en, String(other));
  }
});

test("announcements count answers and quote the query, in both languages", () => {
  assert.equal(answersAnnouncement("en", 5, "pothole"), "5 answers for “pothole”");
  assert.equal(answersAnnouncement("en", 1, "pothole"), "1 answer for “pothole”");
  assert.equal(answersAnnouncement("en", 0, "  zzz   qqq "), "No answers for “zzz qqq”");
  assert.equal(answersAnnouncement("es", 5, "bache"), "5 respuestas para “bache”");
  assert.equal(answersAnnouncement("es", 1, "bache"), "1 respuesta para “bache”");
  assert.equal(answersAnnouncement("es", 0, "año nuevo"), "No hay respuestas para “año nuevo”");
  assert.equal(answersAnnouncement("de", 2, "müll"), "2 answers for “müll”");
  assert.equal(answersAnnouncement("en", 0, ""), "No answers for “”");
  // The query is text for textContent: nothing in it is escaped or interpreted.
  assert.equal(answersAnnouncement("en", 0, "<img src=x>"), "No answers for “<img src=x>”");
});

test("long queries are cut in announcements, by characters not UTF-16 units", () => {
  const long = "🦝".repeat(100);
  const quoted = quotedQuery(long);
  assert.equal(Array.from(quoted).length, 60);
  assert.ok(quoted.endsWith("…"));
  assert.ok(!quoted.includes("\uFFFD"));
  assert.equal(quotedQuery("a".repeat(60)), "a".repeat(60));
  assert.equal(quotedQuery("word ".repeat(20), 12), "word word w…");
  assert.equal(quotedQuery("abc def", 5), "abc…");
  assert.equal(quotedQuery(""), "");
});

test("normalizeQuery trims and collapses white space of every kind", () => {
  assert.equal(normalizeQuery("  big \t hole\n on  Main  "), "big hole on Main");
  assert.equal(normalizeQuery("\u00a0bache\u3000grande "), "bache grande");
  assert.equal(normalizeQuery(""), "");
  assert.equal(normalizeQuery("   "), "");
  assert.equal(normalizeQuery(undefined), "");
});

test("the interface language: the first lang set decides, es* is Spanish", () => {
  // The element's own attribute, then the nearest ancestor's, then the document's.
  assert.equal(interfaceLanguage(["es", "en", "en"]), "es");
  assert.equal(interfaceLanguage([null, "es-MX", "en"]), "es");
  assert.equal(interfaceLanguage([null, null, "ES-419"]), "es");
  assert.equal(interfaceLanguage(["es_US"]), "es");
  assert.equal(interfaceLanguage(["en", "es", "es"]), "en");
  assert.equal(interfaceLanguage(["fr-CA", "es"]), "en");
  // Blank values are skipped, as if unset.
  assert.equal(interfaceLanguage(["", "  ", "es"]), "es");
  assert.equal(interfaceLanguage([null, undefined, null]), "en");
  assert.equal(interfaceLanguage([]), "en");
  // A tag that only starts with the letters is not Spanish.
  assert.equal(interfaceLanguage(["est"]), "en");
  assert.equal(interfaceLanguage(["eső"]), "en");
});

test("the search language is the interface's when the catalog has it", () => {
  assert.equal(searchLanguage("es", ["en", "es"]), "es");
  assert.equal(searchLanguage("en", ["en", "es"]), "en");
  assert.equal(searchLanguage("es", ["en"]), undefined);
  assert.equal(searchLanguage("en", []), undefined);
  assert.equal(searchLanguage("en", undefined), undefined);
});

test("limit: a whole number from 1 to 100, else the default", () => {
  assert.equal(DEFAULT_LIMIT, 5);
  assert.equal(parseLimit(null), 5);
  assert.equal(parseLimit("8"), 8);
  assert.equal(parseLimit(" 12 "), 12);
  assert.equal(parseLimit("1"), 1);
  assert.equal(parseLimit("100"), 100);
  for (const bad of ["", "0", "101", "-3", "2.5", "1e2", "five", "٣", "7px", "Infinity"]) {
    assert.equal(parseLimit(bad), 5, bad);
  }
});

test("safeHref admits http, https and relative URLs only", () => {
  for (const good of [
    "https://www.riverton.example/potholes",
    "http://city.example/a?b=c#d",
    "HTTPS://CITY.EXAMPLE/",
    "/report?service=ST-POTHOLE",
    "report.html",
    "../es/reportar-un-bache",
    "?q=año",
    "#hours",
    "//city.example/path",
    "https://ciudad.example/año/baño",
  ]) {
    assert.equal(safeHref(good), good, good);
  }
  for (const bad of [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "\u0001javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "jav&#x09;ascript:alert(1)".replace("&#x09;", "\t"),
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "blob:https://city.example/uuid",
    "file:///etc/passwd",
    "mailto:311@city.example",
    "http://[not-an-ip/",
    "",
    "   ",
  ]) {
    assert.equal(safeHref(bad), null, JSON.stringify(bad));
  }
  for (const notAString of [null, undefined, 42, {}, ["https://x.example"]]) {
    assert.equal(safeHref(notAString), null);
  }
  // Surrounding spaces and controls are trimmed as a browser would.
  assert.equal(safeHref("  https://city.example/ \n"), "https://city.example/");
});

const pothole = {
  id: "ST-POTHOLE",
  kind: "service",
  title: "Pothole",
  url: "https://www.riverton.example/potholes",
  lang: null,
  department: "streets",
  service_code: "ST-POTHOLE",
};

test("report templates are filled with URL-encoded fields", () => {
  assert.equal(
    expandTemplate("https://city.example/report?service={service_code}", pothole),
    "https://city.example/report?service=ST-POTHOLE",
  );
  const odd = { ...pothole, service_code: "A&B/ñ ?#=" };
  assert.equal(
    expandTemplate("https://city.example/report?service={service_code}", odd),
    "https://city.example/report?service=A%26B%2F%C3%B1%20%3F%23%3D",
  );
  assert.equal(expandTemplate("/r/{department}/{id}?k={kind}", pothole), "/r/streets/ST-POTHOLE?k=service");
  assert.equal(expandTemplate("/no-fields", pothole), "/no-fields");
  assert.equal(expandTemplate("", pothole), "");
  // A field the answer lacks, or one the template language does not know.
  assert.equal(expandTemplate("/r?lang={lang}", pothole), null);
  assert.equal(expandTemplate("/r?x={title}", pothole), null);
  assert.equal(expandTemplate("/r?x={}", pothole), null);
});

test("report links: services only, template first, then the answer's url, safe only", () => {
  const template = "https://city.example/report?service={service_code}";
  assert.equal(reportHref(pothole, template), "https://city.example/report?service=ST-POTHOLE");
  assert.equal(reportHref(pothole, null), "https://www.riverton.example/potholes");
  assert.equal(reportHref(pothole, "   "), "https://www.riverton.example/potholes");
  // A template that cannot be filled falls back to the answer's url.
  assert.equal(reportHref(pothole, "https://city.example/report?x={nope}"), "https://www.riverton.example/potholes");
  assert.equal(reportHref({ ...pothole, url: null }, null), null);
  assert.equal(reportHref({ ...pothole, url: "javascript:alert(1)" }, null), null);
  assert.equal(reportHref(pothole, "javascript:report('{service_code}')"), null);
  const article = { ...pothole, kind: "article", id: "streets-report-a-pothole" };
  assert.equal(reportHref(article, template), null);
  assert.equal(reportHref({ ...pothole, kind: "facility" }, template), null);
  assert.equal(reportHref(undefined, template), null);
});

test("moveActive wraps through the options with arrows, Home and End", () => {
  assert.equal(moveActive(-1, 3, "ArrowDown"), 0);
  assert.equal(moveActive(0, 3, "ArrowDown"), 1);
  assert.equal(moveActive(2, 3, "ArrowDown"), 0);
  assert.equal(moveActive(-1, 3, "ArrowUp"), 2);
  assert.equal(moveActive(0, 3, "ArrowUp"), 2);
  assert.equal(moveActive(2, 3, "ArrowUp"), 1);
  assert.equal(moveActive(1, 3, "Home"), 0);
  assert.equal(moveActive(1, 3, "End"), 2);
  assert.equal(moveActive(0, 1, "ArrowDown"), 0);
  assert.equal(moveActive(0, 1, "ArrowUp"), 0);
  // An out-of-range active option counts as none.
  assert.equal(moveActive(7, 3, "ArrowDown"), 0);
  assert.equal(moveActive(1, 0, "ArrowDown"), null);
  assert.equal(moveActive(1, 3, "Enter"), null);
  assert.equal(moveActive(1, 3, "a"), null);
});

const key = (key, more = {}) => ({ key, altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, ...more });

test("combobox keys: arrows open and move, Enter picks or searches", () => {
  const closed = { open: false, active: -1, count: 3, value: "bulky it" };
  const open = { open: true, active: -1, count: 3, value: "bulky it" };
  assert.deepEqual(comboboxKey(closed, key("ArrowDown")), { type: "move", active: 0, preventDefault: true });
  assert.deepEqual(comboboxKey(closed, key("ArrowUp")), { type: "move", active: 2, preventDefault: true });
  assert.deepEqual(comboboxKey({ ...open, active: 1 }, key("ArrowDown")), { type: "move", active: 2, preventDefault: true });
  assert.deepEqual(comboboxKey({ ...open, active: 2 }, key("ArrowDown")), { type: "move", active: 0, preventDefault: true });
  // Alt+Down shows the list without choosing; Alt+Up hides it.
  assert.deepEqual(comboboxKey(closed, key("ArrowDown", { altKey: true })), { type: "move", active: -1, preventDefault: true });
  assert.deepEqual(comboboxKey(open, key("ArrowUp", { altKey: true })), { type: "close", preventDefault: true });
  // No suggestions: the arrows are the input's.
  assert.equal(comboboxKey({ ...closed, count: 0 }, key("ArrowDown")), null);
  assert.equal(comboboxKey(open, key("ArrowDown", { ctrlKey: true })), null);

  assert.deepEqual(comboboxKey({ ...open, active: 1 }, key("Enter")), { type: "pick", index: 1, preventDefault: true });
  assert.deepEqual(comboboxKey(open, key("Enter")), { type: "submit", preventDefault: true });
  // An active option of a list that has since closed is not picked.
  assert.deepEqual(comboboxKey({ ...closed, active: 1 }, key("Enter")), { type: "submit", preventDefault: true });
  assert.deepEqual(comboboxKey({ ...closed, value: "", count: 0 }, key("Enter")), { type: "submit", preventDefault: true });
});

test("combobox keys: Home and End move only within an active list", () => {
  const open = { open: true, active: 1, count: 4, value: "como rep" };
  assert.deepEqual(comboboxKey(open, key("Home")), { type: "move", active: 0, preventDefault: true });
  assert.deepEqual(comboboxKey(open, key("End")), { type: "move", active: 3, preventDefault: true });
  // Otherwise they move the caret in the text.
  assert.equal(comboboxKey({ ...open, active: -1 }, key("Home")), null);
  assert.equal(comboboxKey({ ...open, open: false }, key("End")), null);
  assert.equal(comboboxKey(open, key("End", { shiftKey: true })), null);
  assert.deepEqual(comboboxKey(open, key("ArrowLeft")), { type: "deactivate", preventDefault: false });
  assert.equal(comboboxKey({ ...open, active: -1 }, key("ArrowRight")), null);
});

test("combobox keys: Escape closes, then clears; typing is left alone", () => {
  const open = { open: true, active: 2, count: 3, value: "pothole" };
  assert.deepEqual(comboboxKey(open, key("Escape")), { type: "close", preventDefault: true });
  assert.deepEqual(comboboxKey({ ...open, open: false }, key("Escape")), { type: "clear", preventDefault: true });
  assert.deepEqual(comboboxKey({ ...open, open: false, value: "" }, key("Escape")), { type: "close", preventDefault: true });
  for (const other of ["a", "ñ", " ", "Backspace", "Tab", "Delete", "PageDown"]) {
    assert.equal(comboboxKey(open, key(other)), null, other);
  }
  // Keys composing a character in an input method belong to it.
  assert.equal(comboboxKey(open, key("Enter", { isComposing: true })), null);
  assert.equal(comboboxKey(open, key("Escape", { isComposing: true })), null);
});

test("suggestions: no repeats, not what was typed, at most max", () => {
  const completions = [
    { text: "Bulky item pickup", kind: "service", id: "SW-BULKY", score: 1 },
    { text: "bulky item pickup", kind: "article", id: "a", score: 0.9 },
    { text: "bulky it", kind: "article", id: "b", score: 0.8 },
    { text: "Recoger muebles y objetos grandes", kind: "article", id: "c", score: 0.7 },
    { text: "  ", kind: "article", id: "d", score: 0.6 },
    { text: 42, kind: "article", id: "e", score: 0.5 },
    { text: "Schedule a bulky item pickup", kind: "article", id: "f", score: 0.4 },
  ];
  assert.deepEqual(
    visibleSuggestions(completions, " Bulky  It ").map((c) => c.id),
    ["SW-BULKY", "c", "f"],
  );
  assert.deepEqual(
    visibleSuggestions(completions, "bulky it", 2).map((c) => c.id),
    ["SW-BULKY", "c"],
  );
  assert.deepEqual(visibleSuggestions([], "x"), []);
  assert.deepEqual(visibleSuggestions(undefined, ""), []);
});

test("snippetParts reads the engine's snippet as text runs", () => {
  assert.deepEqual(snippetParts("Crews &lt;b&gt;fill&lt;/b&gt; <mark>potholes</mark> fast &amp; say &quot;hi&quot; &#39;ok&#39;."), [
    { text: "Crews <b>fill</b> ", marked: false },
    { text: "potholes", marked: true },
    { text: ` fast & say "hi" 'ok'.`, marked: false },
  ]);
  assert.deepEqual(snippetParts("<mark>Baches</mark> en la <mark>calle</mark> año"), [
    { text: "Baches", marked: true },
    { text: " en la ", marked: false },
    { text: "calle", marked: true },
    { text: " año", marked: false },
  ]);
  assert.deepEqual(snippetParts("&#x1F99D; &#241; &bogus; &#0; &#xD800;"), [
    { text: "🦝 ñ &bogus; &#0; &#xD800;", marked: false },
  ]);
  // Any other tag stays literal text.
  assert.deepEqual(snippetParts('<img src=x onerror="alert(1)">'), [
    { text: '<img src=x onerror="alert(1)">', marked: false },
  ]);
  assert.deepEqual(snippetParts(""), []);
  assert.deepEqual(snippetParts(null), []);
});

test("escapeHtml escapes as the engine does", () => {
  // The engine's own test string (core/src/search/snippet.rs).
  assert.equal(escapeHtml(`Crews <b>fill</b> & say "it's"`), "Crews &lt;b&gt;fill&lt;/b&gt; &amp; say &quot;it&#39;s&quot;");
  assert.equal(escapeHtml("a\n\nb\t c  d"), "a b c d");
  assert.equal(escapeHtml("Sábado: 10:00 a 17:00"), "Sábado: 10:00 a 17:00");
  assert.equal(escapeHtml(""), "");
});

test("a facility's snippet loses the hours it opens with, and nothing else", () => {
  const hours = { open_now: false, status: "Closed now, opens tomorrow at 9 am", day: "Sunday 2026-11-22: 1 pm to 5 pm" };
  // As the engine writes it for Riverton's main library.
  const snippet =
    "Closed now, opens tomorrow at 9 am. Sunday 2026-11-22: 1 pm to 5 pm. The city&#39;s central <mark>library</mark> downtown.";
  assert.equal(snippetWithoutHours(snippet, hours), "The city&#39;s central <mark>library</mark> downtown.");
  assert.equal(snippetWithoutHours("Closed now, opens tomorrow at 9 am. Sunday 2026-11-22: 1 pm to 5 pm.", hours), "");
  const spanish = { open_now: true, status: "Abierto ahora, cierra a las 17:00", day: "Sábado 2026-11-28: 10:00 a 17:00 (\"feriado\")" };
  assert.equal(
    snippetWithoutHours("Abierto ahora, cierra a las 17:00. Sábado 2026-11-28: 10:00 a 17:00 (&quot;feriado&quot;). La <mark>biblioteca</mark>.", spanish),
    "La <mark>biblioteca</mark>.",
  );
  // Anything else is left whole: another opening, hours in the middle, no hours.
  for (const other of [
    "The city&#39;s central <mark>library</mark>.",
    "Closed now, opens tomorrow at 9 am. Sunday 2026-11-22: 1 pm to 5 pm.The rest",
    "Open now. Closed now, opens tomorrow at 9 am. Sunday 2026-11-22: 1 pm to 5 pm. x",
    "",
  ]) {
    assert.equal(snippetWithoutHours(other, hours), other);
  }
  assert.equal(snippetWithoutHours(snippet, null), snippet);
  assert.equal(snippetWithoutHours(snippet, { status: "x" }), snippet);
});

test("hoursState reads open_now", () => {
  assert.equal(hoursState({ open_now: true, status: "Open now, closes at 6 pm", day: "" }), "open");
  assert.equal(hoursState({ open_now: false, status: "Cerrado ahora", day: "" }), "closed");
  assert.equal(hoursState(null), "closed");
});

test("isWasmResponse checks the content type", () => {
  const withType = (type) => new Response("", { headers: type === null ? {} : { "content-type": type } });
  assert.equal(isWasmResponse(withType("application/wasm")), true);
  assert.equal(isWasmResponse(withType("Application/WASM; charset=binary")), true);
  assert.equal(isWasmResponse(withType("application/octet-stream")), false);
  assert.equal(isWasmResponse(withType(null)), false);
  assert.equal(isWasmResponse(undefined), false);
});

/** A Cache Storage stand-in: one Map per cache name, keyed by URL. */
function fakeCaches({ refuseOpen = false } = {}) {
  const stores = new Map();
  return {
    stores,
    async open(name) {
      if (refuseOpen) throw new DOMException("denied", "SecurityError");
      if (!stores.has(name)) stores.set(name, new Map());
      const store = stores.get(name);
      return {
        async put(url, response) {
          store.set(url, await response.arrayBuffer());
        },
        async match(url) {
          return store.has(url) ? new Response(store.get(url).slice(0)) : undefined;
        },
      };
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test("fetchWithCache: network first, a copy kept, the copy when offline", async () => {
  const caches = fakeCaches();
  const url = "https://city.example/riverton.c311";
  let online = true;
  let calls = 0;
  const fetch = async (requested) => {
    calls += 1;
    assert.equal(requested, url);
    if (!online) throw new TypeError("Failed to fetch");
    return new Response(new Uint8Array([1, 2, 3]), { status: 200 });
  };
  const first = await fetchWithCache(url, { fetch, caches, cacheName: "t" });
  assert.deepEqual(new Uint8Array(await first.arrayBuffer()), new Uint8Array([1, 2, 3]));
  await settle();
  assert.ok(caches.stores.get("t").has(url), "the copy is kept");

  online = false;
  const offline = await fetchWithCache(url, { fetch, caches, cacheName: "t" });
  assert.deepEqual(new Uint8Array(await offline.arrayBuffer()), new Uint8Array([1, 2, 3]));
  assert.equal(calls, 2, "the network is tried first");
});

test("fetchWithCache: an HTTP error falls back to the copy, or names the URL", async () => {
  const caches = fakeCaches();
  const url = "https://city.example/engine.wasm";
  let status = 200;
  const fetch = async () => new Response(status === 200 ? "new" : "gone", { status });
  await fetchWithCache(url, { fetch, caches });
  await settle();
  status = 503;
  const fallback = await fetchWithCache(url, { fetch, caches });
  assert.equal(await fallback.text(), "new");
  // Errors are not cached over the good copy.
  assert.equal(new TextDecoder().decode(caches.stores.get("civic311").get(url)), "new");

  await assert.rejects(fetchWithCache("https://city.example/missing.c311", { fetch, caches }), (error) => {
    assert.equal(error.name, "NetworkError");
    assert.match(error.message, /could not fetch https:\/\/city\.example\/missing\.c311: HTTP 503/);
    return true;
  });
});

test("fetchWithCache: works without Cache Storage, and when it is refused", async () => {
  const fetch = async () => new Response("ok");
  for (const caches of [undefined, null, {}, fakeCaches({ refuseOpen: true })]) {
    assert.equal(await (await fetchWithCache("https://x.example/a", { fetch, caches })).text(), "ok");
  }
  const offline = async () => {
    throw new TypeError("Failed to fetch");
  };
  await assert.rejects(fetchWithCache("https://x.example/ñ.c311", { fetch: offline, caches: undefined }), (error) => {
    assert.equal(error.name, "NetworkError");
    assert.match(error.message, /could not fetch https:\/\/x\.example\/ñ\.c311: Failed to fetch/);
    assert.ok(error.cause instanceof TypeError);
    return true;
  });
});

test("fetchWithCache: a failing cache write does not fail the fetch", async () => {
  const caches = {
    async open() {
      return {
        put: () => Promise.reject(new DOMException("quota", "QuotaExceededError")),
        match: async () => undefined,
      };
    },
  };
  const response = await fetchWithCache("https://x.example/big.c311", { fetch: async () => new Response("big"), caches });
  assert.equal(await response.text(), "big");
});

test("errors cross a postMessage as {name, message}", () => {
  const query = new Error("limit must be a whole number from 0 to 100");
  query.name = "QueryError";
  assert.deepEqual(errorMessage(query), { name: "QueryError", message: "limit must be a whole number from 0 to 100" });
  assert.deepEqual(errorMessage(new TypeError("x")), { name: "TypeError", message: "x" });
  assert.deepEqual(errorMessage("plain"), { name: "Error", message: "plain" });
  assert.deepEqual(errorMessage(undefined), { name: "Error", message: "undefined" });
  assert.deepEqual(errorMessage({ name: "", message: 3 }), { name: "Error", message: "[object Object]" });
  const back = errorFrom({ name: "BundleError", message: "truncated" });
  assert.ok(back instanceof Error);
  assert.equal(back.name, "BundleError");
  assert.equal(back.message, "truncated");
  assert.equal(errorFrom(undefined).name, "Error");
});

/**
 * A Worker stand-in: what the page posts is kept (with its transfer list),
 * and `reply` / `fail` / `unreadable` play the worker's side.
 */
class FakeWorker extends EventTarget {
  sent = [];
  terminated = false;
  refuse = null;
  postMessage(message, transfer = []) {
    if (this.refuse) throw this.refuse;
    this.sent.push({ message: structuredClone(message), transfer });
  }
  terminate() {
    this.terminated = true;
  }
  reply(data) {
    this.dispatchEvent(new MessageEvent("message", { data }));
  }
  fail(message) {
    const event = new Event("error", { cancelable: true });
    if (message !== undefined) event.message = message;
    this.dispatchEvent(event);
    return event;
  }
  unreadable() {
    this.dispatchEvent(new MessageEvent("messageerror"));
  }
}

test("EngineWorker: answers are matched to requests by id, in any order", async () => {
  const fake = new FakeWorker();
  const engine = new EngineWorker(fake);
  assert.equal(engine.worker, true);
  fake.reply({ type: "started" });
  await engine.started;

  const bundle = new ArrayBuffer(8);
  const loaded = engine.load(new URL("https://city.example/e.wasm"), bundle);
  const [load] = fake.sent;
  assert.deepEqual(load.message, { type: "load", wasm: "https://city.example/e.wasm", bundle: new ArrayBuffer(8), id: 1 });
  assert.deepEqual(load.transfer, [bundle], "the bundle's bytes are transferred, not copied");
  fake.reply({ id: 1, type: "load", catalogName: "Riverton 311", languages: ["en", "es"], answerCount: 261 });
  await loaded;
  assert.deepEqual([engine.catalogName, engine.languages, engine.answerCount], ["Riverton 311", ["en", "es"], 261]);

  const first = engine.search("potholes", { limit: 5 });
  const second = engine.suggest("bulky it", 7);
  const third = engine.search("graffiti", { limit: 2, lang: "en" });
  assert.deepEqual(
    fake.sent.slice(1).map((s) => s.message),
    [
      { type: "search", query: "potholes", options: { limit: 5 }, id: 2 },
      { type: "suggest", prefix: "bulky it", limit: 7, id: 3 },
      { type: "search", query: "graffiti", options: { limit: 2, lang: "en" }, id: 4 },
    ],
  );
  fake.reply({ id: 4, type: "search", answers: [{ id: "graffiti" }], ms: 2 });
  fake.reply({ id: 99, type: "search", answers: [{ id: "stray" }], ms: 1 }); // no such request: ignored
  fake.reply({ id: 2, type: "search", answers: [{ id: "ST-POTHOLE" }], ms: 1.5 });
  fake.reply({ id: 3, error: { name: "QueryError", message: "limit too high" } });
  assert.deepEqual(await third, { answers: [{ id: "graffiti" }], ms: 2 });
  assert.deepEqual(await first, { answers: [{ id: "ST-POTHOLE" }], ms: 1.5 });
  await assert.rejects(second, (error) => error instanceof Error && error.name === "QueryError" && error.message === "limit too high");
  assert.equal(fake.terminated, false);
});

test("EngineWorker: a worker that fails before it starts rejects `started` and every request", async () => {
  const fake = new FakeWorker();
  const engine = new EngineWorker(fake);
  const load = engine.load("https://city.example/e.wasm", "https://city.example/c.c311");
  const event = fake.fail(); // a blocked or missing script: an Event with no message
  assert.equal(event.defaultPrevented, true, "reported once, by the widget");
  for (const promise of [engine.started, load, engine.search("x")]) {
    await assert.rejects(promise, (error) => error.name === "WorkerError" && /could not start/.test(error.message));
  }
  assert.equal(fake.terminated, true);
  // A late "started" changes nothing.
  fake.reply({ type: "started" });
  await assert.rejects(engine.started);
});

test("EngineWorker: a worker that fails after it started resolves `failed` and rejects what waits", async () => {
  for (const [how, pattern] of [
    [(fake) => fake.fail("Uncaught Error: boom"), /worker failed: Uncaught Error: boom/],
    [(fake) => fake.unreadable(), /could not be read/],
    [(fake) => fake.reply({ type: "failed", error: { name: "RuntimeError", message: "unreachable" } }), /stopped: RuntimeError: unreachable/],
  ]) {
    const fake = new FakeWorker();
    const engine = new EngineWorker(fake);
    let failed = null;
    engine.failed.then((error) => (failed = error));
    fake.reply({ type: "started" });
    await engine.started;
    const waiting = engine.search("potholes");
    how(fake);
    await assert.rejects(waiting, (error) => error.name === "WorkerError" && pattern.test(error.message));
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.ok(failed, "failed resolved");
    assert.match(failed.message, pattern);
    assert.equal(fake.terminated, true);
    await assert.rejects(engine.suggest("x"), (error) => error === failed, "later requests fail at once");
    assert.equal(fake.sent.length, 1, "and are not sent");
  }
});

test("EngineWorker: a request that cannot be posted fails alone; terminate rejects what waits", async () => {
  const fake = new FakeWorker();
  const engine = new EngineWorker(fake);
  fake.reply({ type: "started" });
  fake.refuse = new DOMException("could not be cloned", "DataCloneError");
  await assert.rejects(engine.search("x", { limit: () => 5 }), (error) => error.name === "DataCloneError");
  fake.refuse = null;
  const waiting = engine.search("potholes");
  engine.terminate();
  await assert.rejects(waiting, (error) => error.name === "WorkerError");
  assert.equal(fake.terminated, true);
});

/** A LatestOnly whose runs finish when the test says: `finish(i, answer)` or `refuse(i, error)`. */
function latest({ same, merge } = {}) {
  const runs = [];
  const shown = [];
  const failed = [];
  const requests = new LatestOnly({
    run: (request) =>
      new Promise((resolve, reject) => {
        runs.push({ request, resolve, reject });
      }),
    show: (request, answer) => shown.push([request.text, answer]),
    fail: (request, error) => failed.push([request.text, error.message]),
    same,
    merge,
  });
  const finish = async (index, answer) => {
    runs[index].resolve(answer);
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  const refuse = async (index, message) => {
    runs[index].reject(new Error(message));
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { requests, runs, shown, failed, finish, refuse };
}

test("LatestOnly: one run at a time; answers to superseded text are dropped, the latest shown", async () => {
  const { requests, runs, shown, finish } = latest();
  requests.ask({ text: "p" });
  requests.ask({ text: "po" });
  requests.ask({ text: "pot" });
  requests.ask({ text: "poth" });
  assert.equal(runs.length, 1, "one run at a time");
  assert.equal(requests.busy, true);
  assert.equal(requests.wanted.text, "poth");
  await finish(0, "answers for p");
  assert.deepEqual(shown, [], "p is no longer the text: dropped");
  assert.deepEqual(
    runs.map((r) => r.request.text),
    ["p", "poth"],
    "the waiting requests in between never run",
  );
  requests.ask({ text: "potho" });
  await finish(1, "answers for poth");
  assert.deepEqual(shown, []);
  await finish(2, "answers for potho");
  assert.deepEqual(shown, [["potho", "answers for potho"]]);
  assert.equal(requests.busy, false);
  assert.equal(requests.wanted, null);
});

test("LatestOnly: a request asking the same is merged, not run again", async () => {
  const same = (a, b) => a.text === b.text;
  const merge = (kept, newer) => {
    kept.now ||= newer.now;
  };
  const { requests, runs, shown, finish } = latest({ same, merge });
  const first = { text: "pot", now: false };
  requests.ask(first);
  requests.ask({ text: "pot", now: true });
  assert.equal(runs.length, 1);
  assert.equal(first.now, true, "merged into the request already wanted");
  await finish(0, "A");
  assert.deepEqual(shown, [["pot", "A"]]);

  // The running request's answer serves a later request asking the same,
  // after another one in between: the one in between never runs.
  requests.ask({ text: "bus", now: false });
  requests.ask({ text: "bulk", now: false });
  requests.ask({ text: "bus", now: true });
  assert.equal(runs.length, 2);
  await finish(1, "B");
  assert.deepEqual(shown.at(-1), ["bus", "B"]);
  assert.equal(runs.length, 2);
});

test("LatestOnly: cancel drops the answer on its way; failures reach fail for the wanted request only", async () => {
  const { requests, runs, shown, failed, finish, refuse } = latest();
  requests.ask({ text: "pot" });
  requests.cancel();
  assert.equal(requests.wanted, null);
  await finish(0, "A");
  assert.deepEqual(shown, []);
  assert.equal(runs.length, 1, "nothing more runs");

  requests.ask({ text: "x" });
  await refuse(1, "engine stopped");
  assert.deepEqual(failed, [["x", "engine stopped"]]);

  requests.ask({ text: "y" });
  requests.ask({ text: "z" });
  await refuse(2, "y failed");
  assert.deepEqual(failed, [["x", "engine stopped"]], "y was superseded: its failure is dropped");
  await finish(3, "Z");
  assert.deepEqual(shown, [["z", "Z"]]);
});

test("LatestOnly: a show that asks again starts one run, not two", async () => {
  const runs = [];
  let requests;
  requests = new LatestOnly({
    run: (request) => {
      runs.push(request.text);
      return Promise.resolve(request.text.toUpperCase());
    },
    show: (request) => {
      if (request.text === "a") requests.ask({ text: "b" });
    },
  });
  requests.ask({ text: "a" });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(runs, ["a", "b"]);
});
