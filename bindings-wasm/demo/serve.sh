#!/usr/bin/env bash
# The Riverton demo of <civic311-search>: builds the web package and the
# Riverton bundle, then serves bindings-wasm/ at http://127.0.0.1:8311/demo/
#
#   bash bindings-wasm/demo/serve.sh [--port N]
set -euo pipefail
cd "$(dirname "$0")/../.."
(cd bindings-wasm && npm ci --no-audit --no-fund && npm run build)
exec node bindings-wasm/demo/serve.mjs "$@"
