// The wasm engine under node --test: loaded from the Riverton bundle that
// build.sh writes, it answers as the native engine does, and every error is
// an Error with a name.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { Engine } from "../js/index.js";
import { expandTemplate } from "../js/widget-logic.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = join(here, "../..");
const bundle = readFileSync(join(here, "../demo/riverton.c311"));
const engine = await Engine.fromBundle(bundle);
const questions = readFileSync(join(repo, "eval/riverton/questions.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));

function throwsNamed(fn, name, pattern) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Error, "an Error object");
    assert.equal(err.name, name, err.message);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

test("an engine loads from the bundle bytes", async () => {
  assert.equal(engine.catalogName, "Riverton 311");
  assert.equal(engine.answerCount, 261);
  assert.deepEqual(engine.languages, ["en", "es"]);
  const fromBuffer = await Engine.fromBundle(bundle.buffer.slice(bundle.byteOffset, bundle.byteOffset + bundle.byteLength));
  assert.equal(fromBuffer.answerCount, 261);
  fromBuffer.free();
});

test("search answers with plain objects and escaped snippets", () => {
  const answers = engine.search("how do i report a potole on maple");
  assert.equal(answers[0].id, "ST-POTHOLE");
  const top = answers[0];
  assert.deepEqual(Object.keys(top).sort(), [
    "department", "hours", "id", "kind", "lang", "score", "service_code", "snippet", "title", "url",
  ]);
  assert.equal(top.kind, "service");
  assert.equal(top.department, "streets");
  assert.match(top.snippet, /<mark>/);
  assert.equal(Object.getPrototypeOf(top), Object.prototype, "a plain object, not a Map");
  for (const a of engine.search('<img src=x onerror="alert(1)"> graffiti', { limit: 10 })) {
    assert.doesNotMatch(a.snippet.replace(/<\/?mark>/g, ""), /[<>]/);
  }
});

test("the wasm engine answers the golden questions as the native one does", () => {
  const queries = questions.map((q) => q.query.replace(/\n/g, " "));
  // The native CLI: CIVIC311_BIN when set (scripts/test-all.sh sets the one build.sh built).
  const [command, ...prefix] = process.env.CIVIC311_BIN
    ? [process.env.CIVIC311_BIN]
    : ["cargo", "run", "--quiet", "--locked", "-p", "civic311-cli", "--"];
  const native = execFileSync(command, [...prefix, "ask", "--json", "--limit", "5"], {
    cwd: repo,
    input: queries.join("\n") + "\n",
    encoding: "utf8",
    maxBuffer: 64 << 20,
  })
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l));
  assert.equal(native.length, queries.length);
  let hits = 0;
  queries.forEach((q, i) => {
    const ours = engine.search(q, { limit: 5 }).map((a) => `${a.kind}:${a.id}`);
    assert.deepEqual(ours, native[i].answers.map((a) => `${a.kind}:${a.id}`), q);
    hits += questions[i].expected.some((e) => ours.slice(0, 3).includes(e)) ? 1 : 0;
  });
  assert.ok(hits / queries.length > 0.9, `hit@3 ${hits}/${queries.length}`);
});

test("search options narrow the answers", () => {
  assert.equal(engine.search("trash", { limit: 2 }).length, 2);
  const spanish = engine.search("como reporto un bache", { lang: "es" });
  assert.ok(spanish.length > 0 && spanish.every((a) => a.lang === null || a.lang === "es"));
  assert.ok(engine.search("library", { kinds: ["service"], limit: 10 }).every((a) => a.kind === "service"));
  assert.ok(engine.search("hole in the road", { department: "streets" }).every((a) => a.department === "streets"));
  const sundayNoon = "2026-11-22T12:00:00-06:00";
  for (const now of [sundayNoon, new Date(sundayNoon), Date.parse(sundayNoon)]) {
    const [library] = engine.search("is the main library open on sunday", { limit: 1, now });
    assert.equal(library.id, "main-library");
    assert.equal(library.hours.open_now, false);
    assert.equal(library.hours.status, "Closed now, opens today at 1 pm");
  }
  assert.equal(engine.search("is the main library open on sunday", { limit: 1, now: "2026-11-22T14:00:00-06:00" })[0].hours.open_now, true);
});

test("options that cannot be honoured are QueryErrors", () => {
  throwsNamed(() => engine.search("x", { limt: 5 }), "QueryError", /unknown search option 'limt'/);
  throwsNamed(() => engine.search("x", { limit: 101 }), "QueryError", /limit must be a whole number from 0 to 100/);
  throwsNamed(() => engine.search("x", { limit: -1 }), "QueryError");
  throwsNamed(() => engine.search("x", { limit: "5" }), "QueryError", /not "5"/);
  throwsNamed(() => engine.search("x", { kinds: ["faq"] }), "QueryError", /unknown kind 'faq'/);
  throwsNamed(() => engine.search("x", { kinds: "service" }), "QueryError", /array/);
  throwsNamed(() => engine.search("x", { lang: "fr" }), "QueryError");
  throwsNamed(() => engine.search("x", { now: "yesterday" }), "FormatError", /RFC 3339/);
  throwsNamed(() => engine.search("x", { now: {} }), "FormatError");
  throwsNamed(() => engine.search("x", [5]), "QueryError", /an array/);
  throwsNamed(() => engine.suggest("x", 1000), "QueryError");
});

test("no query string throws", () => {
  for (const q of ["", "   ", '"""', "AND OR NOT", "*~:()[]{}", "x".repeat(100000), "\u0000\uffff", "🚧🕳️", 42, null]) {
    assert.ok(Array.isArray(engine.search(q)), String(q).slice(0, 20));
    assert.ok(Array.isArray(engine.suggest(q)));
  }
});

test("suggest completes the last word", () => {
  const found = engine.suggest("bulky it");
  assert.deepEqual(found[0], { text: "Bulky item pickup", kind: "service", id: "SW-BULKY", score: 1 });
  assert.equal(engine.suggest("b", 2).length, 2);
  assert.deepEqual(engine.suggest(""), []);
});

test("classify and triage", () => {
  const [top] = engine.classify("car with no plates parked in front of my house for two weeks");
  assert.equal(top.service_code, "VH-ABANDONED");
  assert.equal(top.department, "parking");
  assert.equal(engine.classify("pothole", 1).length, 1);
  const gas = engine.triage("I smell gas in my basement");
  assert.equal(gas.kind, "emergency");
  assert.match(gas.advice, /911/);
  const question = engine.triage("when is bulky item pickup?");
  assert.equal(question.kind, "question");
  assert.equal(question.answers[0].id, "schedule-a-bulky-item-pickup");
});

test("answer or escalate", () => {
  const answered = engine.answer("how do i report a pothole");
  assert.equal(answered.answered, true);
  assert.equal(answered.escalation, null);
  assert.equal(answered.answers[0].id, "ST-POTHOLE");
  const friday = "2026-12-04T16:00:00-06:00";
  const asked = engine.answer("do I need a permit for a garage sale", { now: friday, limit: 2 });
  assert.equal(asked.answered, false);
  assert.ok(asked.confidence < 0.5);
  assert.equal(asked.escalation.department, "permits");
  assert.equal(asked.escalation.reply_by, "2026-12-08T17:00:00-06:00");
  assert.match(asked.escalation.reason, /Development Services/);
  assert.ok(asked.answers.length <= 2);
  assert.equal(engine.answer("do I need a permit for a garage sale", { minConfidence: 0 }).answered, true);
  assert.match(engine.answer("my neighbor collapsed and is not breathing").emergency, /911/);
  assert.throws(() => engine.answer("potholes", { minConfidence: 3 }), /from 0 to 1/);
  assert.throws(() => engine.answer("potholes", { minConfidence: "high" }), /minConfidence must be a number/);
  assert.throws(() => engine.answer("potholes", { min_confidence: 0.2 }), /min_confidence/);
});

const mainBreak = {
  service_code: "WS-MAIN-BREAK",
  lat: 38.955,
  long: -90.95,
  attribute: { FLOWING: "yes", AMOUNT: "gushing" },
  requested_datetime: "2026-07-03T02:00:00-05:00",
};

test("route explains who delivers, by when", () => {
  const routing = engine.route(mainBreak);
  assert.equal(routing.jurisdiction, "rrwsa");
  assert.equal(routing.department, "rrwsa-ops");
  assert.equal(routing.priority, "emergency");
  assert.equal(routing.rule, "water-main-gushing");
  assert.equal(routing.expected_datetime, "2026-07-03T04:00:00-05:00");
  assert.deepEqual(routing.escalation, { to: "police", at: "2026-07-03T03:00:00-05:00" });
  assert.ok(routing.trace.some((t) => t.includes("applies")));
  const { requested_datetime, ...undated } = mainBreak;
  const at = engine.route(undated, new Date("2026-07-03T07:00:00Z")).requested_datetime;
  assert.equal(at, "2026-07-03T02:00:00-05:00", "the instant, at the delivering calendar's offset");
  assert.equal(engine.route({ ...mainBreak, lat: 39.1, long: -90.75 }).referral.jurisdiction, "mercer-county");
});

test("a request that cannot be routed throws with the reason", () => {
  assert.throws(
    () => engine.route({ service_code: "ST-POTHOLE" }),
    (err) => {
      assert.equal(err.name, "ValidationError");
      assert.ok(err.errors.some((e) => e.code === 400 && /attribute\[SIZE\]/.test(e.description)));
      return true;
    },
  );
  throwsNamed(() => engine.route({ ...mainBreak, lat: 38.95, long: -90.6, service_code: "ST-POTHOLE", attribute: { SIZE: "small", LANE_POSITION: "edge" } }), "RoutingError");
  throwsNamed(() => engine.route(["ST-POTHOLE"]), "FormatError", /object with Open311 field names/);
  throwsNamed(() => engine.route("ST-POTHOLE"), "FormatError");
  throwsNamed(() => engine.route({ ...mainBreak, servce_code: "x" }), "FormatError", /servce_code/);
  throwsNamed(() => engine.route({ ...mainBreak, requested_datetime: "July 3rd" }), "FormatError", /RFC 3339/);
});

test("a damaged bundle is refused, never half-loaded", async () => {
  await assert.rejects(Engine.fromBundle(new Uint8Array([1, 2, 3])), (err) => err.name === "BundleError");
  await assert.rejects(Engine.fromBundle(bundle.subarray(0, bundle.length >> 1)), (err) => err.name === "BundleError");
  const altered = new Uint8Array(bundle);
  altered[altered.length >> 1] ^= 1;
  await assert.rejects(Engine.fromBundle(altered), (err) => err.name === "BundleError");
  await assert.rejects(Engine.fromBundle("riverton.c311"), (err) => err.name === "BundleError" && /bytes/.test(err.message));
  assert.throws(() => new Engine({}), TypeError);
});

test("ids as real exports write them come through the bundle, search and report links unchanged", async () => {
  const ids = ["20090318-DD2E5500-13C9-11DE-BCD9-98CDABA93CC6", "KB:Roads.Potholes_01", `FAQ.${"Ab9:".repeat(31)}`];
  const titles = ["Potholes on my street", "Bulky item pickup", "Library opening hours"];
  const dir = mkdtempSync(join(tmpdir(), "civic311-ids-"));
  try {
    mkdirSync(join(dir, "catalog/articles"), { recursive: true });
    ids.forEach((id, i) =>
      writeFileSync(join(dir, `catalog/articles/a${i}.md`), `+++\nid = ${JSON.stringify(id)}\ntitle = ${JSON.stringify(titles[i])}\n+++\n${titles[i]}.\n`),
    );
    const [command, ...prefix] = process.env.CIVIC311_BIN
      ? [process.env.CIVIC311_BIN]
      : ["cargo", "run", "--quiet", "--locked", "-p", "civic311-cli", "--"];
    execFileSync(command, [...prefix, "bundle", join(dir, "catalog"), "-o", join(dir, "ids.c311")], { cwd: repo });
    const exported = await Engine.fromBundle(readFileSync(join(dir, "ids.c311")));
    for (const [i, q] of ["potholes", "bulky pickup", "library hours"].entries()) {
      const [top] = exported.search(q);
      assert.equal(top.id, ids[i], q);
      assert.equal(expandTemplate("https://city.example/faq/{id}", top), `https://city.example/faq/${encodeURIComponent(ids[i])}`);
    }
    assert.equal(ids[2].length, 128);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
