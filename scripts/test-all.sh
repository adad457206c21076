#!/usr/bin/env bash
# Runs every test of civic311 on a fresh machine, installing what the tests
# need first: the Rust test suite of the whole workspace; the Python package
# built with maturin and tested with pytest; the wasm package built with
# wasm-bindgen and tested under node --test.
#
#   bash scripts/test-all.sh
#
# What it installs goes under target/ (a Python virtual environment, the
# wasm-bindgen command), so a second run reuses it; the one exception is the
# Rust standard library for wasm32, which rustup adds to the toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Rust: every crate's unit, integration and doc tests"
cargo test --workspace --locked

step "Python: build and install the package (pip install ./bindings-python), then pytest"
venv=target/venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "maturin>=1.9,<2" -r bindings-python/tests/requirements.txt
"$venv/bin/python" -m pip install --quiet --force-reinstall --no-deps ./bindings-python
"$venv/bin/python" -m pytest bindings-python/tests -q

step "Routing table: its due dates and rules agree with an independent Python reference"
# tzdata: zoneinfo's time zones, where the machine has none of its own.
"$venv/bin/python" -m pip install --quiet "tzdata>=2024.1"
"$venv/bin/python" core/tests/it/routing_reference.py

step "wasm: build the engine for wasm32 and its JavaScript glue, then node --test"
rustup target add wasm32-unknown-unknown >/dev/null
# wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate in Cargo.lock.
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
tools=$PWD/target/tools
if [ "$("$tools/bin/wasm-bindgen" --version 2>/dev/null)" != "wasm-bindgen $wb_version" ]; then
  cargo install --quiet --root "$tools" wasm-bindgen-cli --version "=$wb_version"
fi
PATH="$tools/bin:$PATH" bash bindings-wasm/build.sh
(cd bindings-wasm && node --test tests/)

step "All tests passed"
