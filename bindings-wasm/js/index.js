// The civic311 npm package: the wasm engine, loaded once, on first use.
//
//   import { init, Catalog } from "civic311";
//   await init();                      // in a browser: fetches the .wasm beside this file
//   await init(bytes);                 // anywhere: from bytes you already have
//   const catalog = Catalog.fromFiles({"articles/a.md": "+++\nid = \"a\"\ntitle = \"A\"\n+++\nBody.\n"});

import wasmInit, { initSync, Catalog, checkCatalog } from "../pkg/civic311_wasm.js";

let ready = null;

/**
 * Loads the wasm engine once. With no argument, fetches the `.wasm` file
 * beside the glue (browsers and bundlers); with bytes (a Uint8Array or
 * ArrayBuffer), compiles those (Node, or a page that cached them).
 */
export function init(input) {
  if (ready === null) {
    if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
      initSync({ module: input });
      ready = Promise.resolve();
    } else {
      ready = wasmInit(input === undefined ? undefined : { module_or_path: input });
    }
  }
  return ready;
}

export { Catalog, checkCatalog };
