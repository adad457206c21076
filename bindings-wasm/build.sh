#!/usr/bin/env bash
# Builds the npm package's wasm engine and its JavaScript glue into pkg/:
#   1. the Rust crate for wasm32, profile wasm-release (built for size);
#   2. wasm-bindgen --target web (ES module glue usable from a bundler or a
#      plain <script type="module">);
#   3. wasm-opt -Oz from the npm binaryen package.
# Needs the wasm32-unknown-unknown target, wasm-bindgen-cli at the version of
# the wasm-bindgen crate in Cargo.lock, and `npm ci` here (scripts/test-all.sh
# does all three).
set -euo pipefail
cd "$(dirname "$0")"
cargo build -p civic311-wasm --target wasm32-unknown-unknown --profile wasm-release --locked
wasm-bindgen --target web --out-dir pkg --out-name civic311_wasm \
  ../target/wasm32-unknown-unknown/wasm-release/civic311_wasm.wasm
# The features rustc's wasm32 target emits by default, so that wasm-opt may keep using them.
node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  pkg/civic311_wasm_bg.wasm -o pkg/civic311_wasm_bg.wasm
# The Riverton bundle that the tests and the demo page load (the browser never
# indexes), written by the workspace's debug CLI: the one `cargo test --workspace`
# builds, so that no second feature set of the core is compiled.
cargo build --quiet --locked --workspace --bins
../target/debug/civic311 bundle ../kb-fixtures/riverton -o demo/riverton.c311
