// Types of the <civic311-search> element (`import "civic311/widget"`).

/** `civic311-ready`: the engine and bundle are loaded and searches answer. */
export interface Civic311ReadyDetail {
  /** Milliseconds from the start of the load (first focus or typing) to ready. */
  ms: number;
  /**
   * Where the engine runs: true in a Web Worker, off the page's main
   * thread; false in the page, where workers cannot run (a Content Security
   * Policy that forbids them, say), or on a server.
   */
  worker: boolean;
  /** Whether a civic311 server answers (the `endpoint` attribute). */
  server: boolean;
}

/** `civic311-answers`: one search ran and its answers are in the page. */
export interface Civic311AnswersDetail {
  /** The query as searched: trimmed, inner white space made single spaces. */
  query: string;
  /** How many answers are shown. */
  count: number;
  /** Milliseconds the search took in the engine (in its worker, or in the page), or the round trip to the server. */
  ms: number;
}

/** `civic311-error`: the engine or the bundle could not be loaded, or the engine stopped. */
export interface Civic311ErrorDetail {
  /**
   * The error's kind, such as "NetworkError" or "BundleError" (a load that
   * failed), "EndpointError" (the server answered an error), or
   * "WorkerError" (the engine's worker stopped).
   */
  name: string;
  message: string;
  /** The error itself. */
  error: unknown;
}

/**
 * `<civic311-search bundle="city.c311">`: a search box that answers
 * residents from a civic311 bundle, in the page, offline once loaded.
 *
 * Attributes: `bundle` (or `endpoint`, a civic311 server that answers
 * instead), `wasm`, `lang`, `report-url`, `limit`, and `record-searches`
 * (the page opts in to sending settled searches and answers followed to
 * the server's `/api/events`, or to the URL it gives).
 * Events (bubbling and composed): `civic311-ready`, `civic311-answers`,
 * `civic311-error`.
 */
export declare class Civic311Search extends HTMLElement {
  static readonly observedAttributes: string[];
  /** The URL of the bundle (the `bundle` attribute), relative to the page. */
  bundle: string;
  /**
   * The URL of a `civic311 serve` server (the `endpoint` attribute): given,
   * the server answers every search and the page downloads no wasm and no
   * bundle; null to search offline from the bundle.
   */
  endpoint: string | null;
  /** The URL of the .wasm file (the `wasm` attribute); null for the one beside the package. */
  wasm: string | null;
  /**
   * The template of "Report this" links (the `report-url` attribute), such
   * as "https://city.example/report?service={service_code}"; null for each
   * service's own url.
   */
  reportUrl: string | null;
  /** Answers per search (the `limit` attribute): 1 to 100, default 5. */
  limit: number;
  /** The text in the search box; setting it loads the engine if needed and searches. */
  query: string;
  /** Whether the engine is loaded and searches answer. */
  readonly ready: boolean;
}

declare global {
  interface HTMLElementTagNameMap {
    "civic311-search": Civic311Search;
  }
  // The events bubble out of the element, composed, so a listener on a
  // container or the document sees them too.
  interface HTMLElementEventMap {
    "civic311-ready": CustomEvent<Civic311ReadyDetail>;
    "civic311-answers": CustomEvent<Civic311AnswersDetail>;
    "civic311-error": CustomEvent<Civic311ErrorDetail>;
  }
  interface DocumentEventMap {
    "civic311-ready": CustomEvent<Civic311ReadyDetail>;
    "civic311-answers": CustomEvent<Civic311AnswersDetail>;
    "civic311-error": CustomEvent<Civic311ErrorDetail>;
  }
}
