// Loads one of the package's wasm modules once, on first use: in a browser
// the .wasm beside its glue is fetched; in Node it is read from disk; bytes
// (or a Response) given to `init` are compiled instead.

const inNode = typeof process !== "undefined" && typeof process.versions?.node === "string";

/** An `init(input?)` for one wasm-bindgen module: its default export, its `initSync` and its .wasm's URL. */
export function loader(wasmInit, initSync, wasmUrl) {
  let ready = null;
  return function init(input) {
    if (ready === null) {
      if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
        ready = Promise.resolve().then(() => initSync({ module: input }));
      } else if (input === undefined && inNode) {
        ready = import("node:fs/promises").then((fs) => fs.readFile(wasmUrl)).then((bytes) => initSync({ module: bytes }));
      } else {
        ready = wasmInit({ module_or_path: input === undefined ? wasmUrl : input });
      }
      ready = ready.then(() => undefined);
      // A failed load may be retried (a page that was offline, say).
      ready.catch(() => {
        ready = null;
      });
    }
    return ready;
  };
}
