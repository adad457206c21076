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

/** A catalog's files: paths relative to the catalog folder, mapped to their text. */
export type CatalogFiles = Record<string, string>;

export interface CatalogCounts {
  jurisdictions: number;
  departments: number;
  services: number;
  articles: number;
  facilities: number;
  calendars: number;
  boundaries: number;
}

/** A validated catalog. */
export class Catalog {
  private constructor();
  /** Loads a catalog from its files; throws a CatalogError listing every problem. */
  static fromFiles(files: CatalogFiles): Catalog;
  /** The catalog's name. */
  readonly name: string;
  /** How many of each thing the catalog holds. */
  counts(): CatalogCounts;
  /** The Open311 services list as JSON text. */
  servicesJson(): string;
  /** The Open311 services list as XML text. */
  servicesXml(): string;
  /** Frees the catalog's memory in the wasm heap. */
  free(): void;
}

/** Every problem of a catalog's files; an empty array when it is clean. */
export function checkCatalog(files: CatalogFiles): Problem[];

/**
 * Loads the wasm engine once. With no argument, fetches the .wasm beside the
 * glue; with bytes, compiles those.
 */
export function init(input?: Uint8Array | ArrayBuffer | URL | string): Promise<void>;
