// Types of the civic311 npm package.

/** One problem found in a catalog. */
export interface Problem {
  /** The file, relative to the catalog folder, such as "articles/potholes.md". */
  file: string;
  /** The 1-based line, where the problem has one. */
  line: number | null;
  /** The field, such as "services[3].department"; "" for the whole file. */
  field: string;
  /** What is wrong and what would be accepted. */
  message: string;
}

/** One entry of an Open311 error array. */
export interface Open311Error {
  code: number;
  description: string;
}

/**
 * Every error civic311 throws: a JavaScript Error whose `name` is the kind,
 * such as "CatalogError", "FormatError" or "ValidationError".
 */
export interface Civic311Error extends Error {
  name:
    | "CatalogError"
    | "FormatError"
    | "ValidationError"
    | "LifecycleError"
    | "BundleError"
    | "ModelError"
    | "QueryError"
    | "RoutingError"
    | "IoError";
  /** Every problem of a CatalogError; empty otherwise. */
  problems: Problem[];
  /** The Open311 error array of a ValidationError; empty otherwise. */
  errors: Open311Error[];
}

/**
 * Loads the wasm engine once. With no argument, fetches the .wasm beside the
 * glue (in Node, reads it); with bytes or a Response, compiles those.
 * `Engine.fromBundle` calls it. (The catalog tools, `civic311/catalog`,
 * have an `init` of their own.)
 */
export function init(input?: Uint8Array | ArrayBuffer | URL | string | Response): Promise<void>;

/** What an answer is. */
export type AnswerKind = "article" | "service" | "facility";

/** A facility's opening status, with the words to show. */
export interface FacilityHours {
  open_now: boolean;
  /** "Open now, closes at 6 pm" or "Closed now, opens Monday at 9 am". */
  status: string;
  /** The hours of the day asked about (or today), such as "Sunday: 1 pm to 5 pm". */
  day: string;
}

/** One answer to a question. */
export interface Answer {
  /** The article id, service code or facility id. */
  id: string;
  kind: AnswerKind;
  title: string;
  /** HTML: the best passage with matches in <mark>, everything else escaped. Safe to insert. */
  snippet: string;
  url: string | null;
  /** Relevance; comparable within one search only. */
  score: number;
  /** The language of an article; null for services and facilities. */
  lang: string | null;
  department: string | null;
  /** The service to report: the service itself, or the one an article explains. */
  service_code: string | null;
  /** For facilities: open or closed now, and the hours of the day asked about. */
  hours: FacilityHours | null;
}

/** Options of `Engine.search`. */
export interface SearchOptions {
  /** How many answers at most: 0 to 100 (default 5). */
  limit?: number;
  /** Only articles in this language ("en", "es"); the query is analyzed in it. */
  lang?: string;
  /** Only answers of these kinds. */
  kinds?: AnswerKind[];
  /** Only answers of this department. */
  department?: string;
  /** The instant "open now" is computed at (default: now). */
  now?: Date | number | string;
}

/** Options of `Engine.answer`. */
export interface AnswerOptions {
  /** How many answers at most: 1 to 20 (default 3). */
  limit?: number;
  /** The question's language ("en", "es"); detected when absent. */
  lang?: string;
  /** Under this confidence (0 to 1, default 0.5) the question is escalated. */
  minConfidence?: number;
  /** The instant the reply's deadline and "open now" are computed at (default: now). */
  now?: Date | number | string;
}

/** A question no answer covers: the department to ask, why, and by when. */
export interface QuestionEscalation {
  /** null when no department is a likely fit: a call-taker decides. */
  department: string | null;
  department_name: string | null;
  /** The category that named the department. */
  service_code: string | null;
  service_name: string | null;
  classifier_score: number;
  /** The likeliest departments, best first (at most 3), with their shares of the evidence. */
  candidates: { department: string; score: number }[];
  /** Why, in words. */
  reason: string;
  /** "2 business days", or the catalog's `[slas] inquiry`. */
  reply_within: string;
  /** RFC 3339 with offset. */
  reply_by: string | null;
}

/** What `Engine.answer` returns. */
export interface Reply {
  /** Whether the answers are likely to answer the question. */
  answered: boolean;
  /** The chance (0 to 1) that one of the answers answers it. */
  confidence: number;
  /** The best answers, given even when escalated. */
  answers: Answer[];
  escalation: QuestionEscalation | null;
  /** 911's advice for a question that reads as an emergency. */
  emergency: string | null;
  /** What the confidence was computed from. */
  signals: { coverage: number; top_score: number; runner_up: number; unknown: number; words: number };
}

/** A completion of what a resident is typing. */
export interface Completion {
  /** The phrase to show and to search for. */
  text: string;
  kind: AnswerKind;
  /** The answer it comes from. */
  id: string;
  /** 1 for the best of the list. */
  score: number;
}

/** A category suggested for a text. */
export interface Suggestion {
  service_code: string;
  service_name: string | null;
  department: string | null;
  /** A probability; over all categories they sum to 1. */
  score: number;
}

/** Emergency (call 911), report or question. */
export interface Triage {
  kind: "emergency" | "report" | "question";
  /** A report or question that mentions danger: ask whether anyone is in danger now. */
  possible_emergency: boolean;
  emergency_probability: number;
  /** What to tell the resident, for emergencies and possible ones. */
  advice: string | null;
  reasons: string[];
  suggestions: Suggestion[];
  answers: Answer[];
}

/** A request to route: Open311 field names. */
export interface Request {
  service_code: string;
  lat?: number;
  long?: number;
  address_string?: string;
  address_id?: string;
  email?: string;
  device_id?: string;
  account_id?: string;
  first_name?: string;
  last_name?: string;
  phone?: string;
  description?: string;
  media_url?: string;
  /** Answers by attribute code; several values as an array. */
  attribute?: Record<string, string | string[]>;
  jurisdiction_id?: string;
  channel?: string;
  reporter?: "resident" | "staff";
  /** RFC 3339 with an offset. */
  requested_datetime?: string;
}

/** Who delivers a request, by when, and why. */
export interface Routing {
  service_code: string;
  jurisdiction: string;
  department: string | null;
  priority: "emergency" | "urgent" | "high" | "normal" | "low";
  /** RFC 3339 with offset. */
  requested_datetime: string;
  /** The deadline, RFC 3339 at the delivering calendar's offset. */
  expected_datetime: string | null;
  /** Such as "3 business days". */
  sla: string | null;
  escalation: { to: string; at: string } | null;
  referral: {
    jurisdiction: string;
    name: string;
    phone: string | null;
    email: string | null;
    url: string | null;
    message: string;
  } | null;
  notices: string[];
  /** The rule that decided, "default" or "referral". */
  rule: string;
  /** Why, in words. */
  trace: string[];
}

/** An engine over one catalog, loaded from a bundle (`civic311 bundle DIR -o FILE`). */
export class Engine {
  private constructor();
  /** Loads the wasm (once) and an engine from bundle bytes; a damaged bundle throws a BundleError. */
  static fromBundle(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): Promise<Engine>;
  /** The catalog's name. */
  readonly catalogName: string;
  /** The languages of the catalog's articles; the first is the default. */
  readonly languages: string[];
  /** How many answers it searches. */
  readonly answerCount: number;
  /** Answers to a question, best first. */
  search(query: string, options?: SearchOptions): Answer[];
  /** Answers a question, or names the department to ask; the first call trains the classifier. */
  answer(question: string, options?: AnswerOptions): Reply;
  /** Completions of what a resident is typing (default 5). */
  suggest(prefix: string, limit?: number): Completion[];
  /** The most likely categories (default 3); the first call trains the zero-shot model. */
  classify(text: string, limit?: number): Suggestion[];
  /** Emergency, report or question. */
  triage(text: string): Triage;
  /** Routes a request; throws a ValidationError with the Open311 errors, or a RoutingError. */
  route(request: Request, now?: Date | number | string): Routing;
  /** Frees the engine's memory in the wasm heap. */
  free(): void;
}
