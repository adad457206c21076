// The catalog tools of the civic311 npm package, for authoring: a catalog
// read from its files, every problem of those files (for an editor that
// checks as the author types), and the Open311 services list. A wasm module
// of its own, so that pages which only search never download the TOML,
// Markdown and GeoJSON readers.
//
//   import { init, checkCatalog } from "civic311/catalog";
//   await init();
//   checkCatalog({ "catalog.toml": "...", "articles/potholes.md": "..." });   // [{ file, line, field, message }]

import wasmInit, { initSync, Catalog, checkCatalog } from "../pkg/civic311_catalog.js";
import { loader } from "./load.js";

/**
 * Loads the catalog tools' wasm once; `Catalog` and `checkCatalog` need it
 * first. With no argument, fetches the `.wasm` beside the glue (in Node,
 * reads it); with bytes or a Response, compiles those.
 */
export const init = loader(wasmInit, initSync, new URL("../pkg/civic311_catalog_bg.wasm", import.meta.url));

export { Catalog, checkCatalog };
