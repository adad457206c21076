#!/usr/bin/env bash
# Runs every test of civic311 on a fresh machine, installing what the tests
# need first: the Rust test suite of the whole workspace, then the Python
# package built with maturin and tested with pytest.
#
#   bash scripts/test-all.sh
#
# Everything it installs goes under target/ (a Python virtual environment),
# so a second run reuses it and nothing outside the checkout changes.
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
"$venv/bin/python" -m pip install --quiet "maturin>=1.9,<2" "pytest>=8"
"$venv/bin/python" -m pip install --quiet --force-reinstall --no-deps ./bindings-python
"$venv/bin/python" -m pytest bindings-python/tests -q

step "All tests passed"
