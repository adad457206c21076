#!/usr/bin/env bash
# Installs what the web package's build needs, under target/ and
# bindings-wasm/node_modules: the wasm32 target of the Rust toolchain,
# wasm-bindgen-cli at exactly the version of the wasm-bindgen crate in
# Cargo.lock, and the npm dev dependencies (binaryen's wasm-opt, TypeScript,
# playwright-core). Prints the PATH entry for wasm-bindgen.
#
#   PATH="$(bash scripts/setup-web.sh):$PATH" bash bindings-wasm/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-unknown-unknown >/dev/null 2>&1
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
tools=$PWD/target/tools
if [ "$("$tools/bin/wasm-bindgen" --version 2>/dev/null)" != "wasm-bindgen $wb_version" ]; then
  cargo install --quiet --root "$tools" wasm-bindgen-cli --version "=$wb_version" >&2
fi
(cd bindings-wasm && npm ci --no-audit --no-fund --silent >&2)
echo "$tools/bin"
