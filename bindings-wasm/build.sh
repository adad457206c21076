#!/usr/bin/env bash
# Builds the npm package's two wasm modules and their JavaScript glue into pkg/:
#   civic311_wasm      the engine pages load from a bundle (search, suggest,
#                      classify, triage, route): feature `engine`;
#   civic311_catalog   the catalog tools for authoring (catalogs read from
#                      their files, their problems, the Open311 services
#                      list): feature `catalog`;
#   civic311_hybrid    with --hybrid only, not in the package: the engine
#                      with the sentence encoder (feature `hybrid`).
# Each is built for wasm32 with profile wasm-release (built for size), given
# glue by wasm-bindgen --target web (ES modules usable from a bundler or a
# plain <script type="module">), and shrunk by wasm-opt -Oz from the npm
# binaryen package.
# Installs what it needs when it is missing: the wasm32-unknown-unknown
# target and wasm-bindgen-cli at the version of the wasm-bindgen crate in
# Cargo.lock (scripts/web-tools.sh), and the npm dev dependencies (binaryen's
# wasm-opt among them) when node_modules/ is not there yet. So, on a fresh
# machine with Rust and Node:
#
#   npm install && npm run build && npm test
set -euo pipefail
cd "$(dirname "$0")"
PATH="$(bash ../scripts/web-tools.sh):$PATH"
[ -x node_modules/.bin/wasm-opt ] || npm ci --no-audit --no-fund
out=../target/wasm32-unknown-unknown/wasm-release/civic311_wasm.wasm

module() { # module NAME CARGO-FEATURE-FLAGS...
  local name=$1
  shift
  cargo build -p civic311-wasm --target wasm32-unknown-unknown --profile wasm-release --locked "$@"
  wasm-bindgen --target web --out-dir pkg --out-name "$name" "$out"
  # The features rustc's wasm32 target emits by default, so that wasm-opt may keep using them.
  node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "pkg/${name}_bg.wasm" -o "pkg/${name}_bg.wasm"
  echo "build.sh: $name built and shrunk (${SECONDS} s since the start)"
}
module civic311_wasm
module civic311_catalog --no-default-features --features catalog
# `build.sh --hybrid` also builds the engine with the sentence encoder
# (feature `hybrid`), which the package does not ship: docs/widget.md
# ("Hybrid search in the browser") gives its size and first-answer time,
# measured by benches/compare/wasm_hybrid.mjs.
if [ "${1:-}" = "--hybrid" ]; then
  module civic311_hybrid --features hybrid
fi

# The Riverton bundle that the tests and the demo page load (the browser never
# indexes), written by the workspace's debug CLI: the one `cargo test --workspace`
# builds, so that no second feature set of the core is compiled.
cargo build --quiet --locked --workspace --bins
../target/debug/civic311 bundle ../kb-fixtures/riverton -o demo/riverton.c311
