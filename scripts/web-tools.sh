#!/usr/bin/env bash
# Installs the Rust side of what the web package's build needs, and prints
# the folder to put on PATH for it:
#   - the wasm32-unknown-unknown target of the Rust toolchain (rustup);
#   - wasm-bindgen-cli at exactly the version of the wasm-bindgen crate in
#     Cargo.lock (the two must match), under target/tools.
# bindings-wasm/build.sh runs it first, so `npm install && npm run build`
# works on a fresh machine with nothing else set up. A second run finds
# both and installs nothing.
#
#   PATH="$(bash scripts/web-tools.sh):$PATH"
set -euo pipefail
cd "$(dirname "$0")/.."
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown >&2
fi
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ -z "$wb_version" ]; then
  echo "web-tools.sh: Cargo.lock names no wasm-bindgen crate; run cargo generate-lockfile" >&2
  exit 1
fi
tools=$PWD/target/tools
if [ "$("$tools/bin/wasm-bindgen" --version 2>/dev/null)" != "wasm-bindgen $wb_version" ]; then
  echo "web-tools.sh: installing wasm-bindgen-cli $wb_version under target/tools (a few minutes, once)" >&2
  cargo install --quiet --root "$tools" wasm-bindgen-cli --version "=$wb_version" >&2
fi
echo "$tools/bin"
