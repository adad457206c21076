#!/usr/bin/env bash
# Builds the wasm engine and its JavaScript glue into pkg/.
# Needs the wasm32-unknown-unknown target and wasm-bindgen-cli at the
# version of the wasm-bindgen crate in Cargo.lock (scripts/test-all.sh installs both).
set -euo pipefail
cd "$(dirname "$0")"
cargo build -p civic311-wasm --target wasm32-unknown-unknown --release --locked
wasm-bindgen --target web --out-dir pkg --out-name civic311_wasm \
  ../target/wasm32-unknown-unknown/release/civic311_wasm.wasm
