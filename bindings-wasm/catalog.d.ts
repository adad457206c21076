// Types of the civic311 npm package's catalog tools ("civic311/catalog"):
// a second wasm module, for authoring tools, that pages which only search
// never download.

import type { Problem } from "./index.js";

export type { Civic311Error, Problem } from "./index.js";

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
 * Loads the catalog tools' wasm once; `Catalog` and `checkCatalog` need it
 * first. With no argument, fetches the .wasm beside the glue (in Node, reads
 * it); with bytes or a Response, compiles those.
 */
export function init(input?: Uint8Array | ArrayBuffer | URL | string | Response): Promise<void>;
