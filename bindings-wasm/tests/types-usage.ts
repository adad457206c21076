// Not run: `tsc --noEmit -p tests/tsconfig.json` checks that the hand-written
// types (index.d.ts) describe a real use of the package, and that misuses
// are refused (the @ts-expect-error lines fail the check if they compile).

import { Engine, init, type Answer, type Completion, type Reply, type Routing, type Triage } from "../index.js";

export async function use(bytes: Uint8Array): Promise<string> {
  await init();
  const engine: Engine = await Engine.fromBundle(bytes);
  const answers: Answer[] = engine.search("potholes", { limit: 3, lang: "en", kinds: ["service"], now: new Date() });
  const first: string | null = answers[0].hours?.status ?? null;
  const completions: Completion[] = engine.suggest("bulky it", 5);
  const reply: Reply = engine.answer("do I need a permit for a garage sale", { minConfidence: 0.6 });
  const department: string | null = reply.escalation ? reply.escalation.department : null;
  console.log(reply.confidence, department);
  const triage: Triage = engine.triage("I smell gas");
  const emergency: boolean = triage.kind === "emergency";
  const routing: Routing = engine.route({ service_code: "ST-POTHOLE", lat: 38.95, long: -90.95, attribute: { SIZE: "small" } });
  const due: string | null = routing.expected_datetime;
  // @ts-expect-error: kinds are "article", "service" or "facility"
  engine.search("x", { kinds: ["faq"] });
  // @ts-expect-error: a request needs its service_code
  engine.route({ lat: 1 });
  try {
    await Engine.fromBundle(bytes.subarray(0, 10));
  } catch (err) {
    if (err instanceof Error && err.name === "BundleError") return err.message;
  }
  return `${first} ${completions.length} ${emergency} ${due}`;
}

// The widget's types: the element, its properties and its events.
import type { Civic311Search } from "../widget.js";

export function watch(): number {
  const box: Civic311Search | null = document.querySelector("civic311-search");
  if (box === null) return 0;
  box.reportUrl = "https://city.example/report?service={service_code}";
  box.limit = 8;
  box.addEventListener("civic311-answers", (event) => {
    const count: number = event.detail.count;
    console.log(event.detail.query, count);
  });
  document.addEventListener("civic311-error", (event) => console.warn(event.detail.name));
  box.addEventListener("civic311-ready", (event) => {
    const where: string = event.detail.worker ? "worker" : "page";
    // @ts-expect-error: worker is a boolean
    const wrong: string = event.detail.worker;
    console.log(where, wrong, event.detail.ms);
  });
  // @ts-expect-error: `ready` is read-only
  box.ready = true;
  return box.limit;
}

// The catalog tools: a module of their own.
import { Catalog, checkCatalog, init as initCatalog, type Problem } from "../catalog.js";

export async function author(files: Record<string, string>): Promise<string[]> {
  await initCatalog();
  const problems: Problem[] = checkCatalog(files);
  const catalog = Catalog.fromFiles(files);
  const services: number = catalog.counts().services;
  // @ts-expect-error: files are text, not numbers
  checkCatalog({ "catalog.toml": 7 });
  // @ts-expect-error: the engine is not part of the catalog tools
  await import("../catalog.js").then((m) => m.Engine);
  return problems.map((p) => `${p.file}:${p.line ?? ""} ${p.message} (${services})`);
}
