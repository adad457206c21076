#!/usr/bin/env bash
# Installs the peer engines for benches/compare/search_quality.py:
#   - tantivy-py into a virtual environment at <repo>/target/compare-venv
#   - minisearch (npm) into benches/compare/node_modules
# With --minilm, also the peers of hybrid_side_by_side.py and
# encoder_reference.py: sentence-transformers (with PyTorch from PyPI, a
# download of some gigabytes) and rank-bm25.
# Needs only python3 (with pip), node and npm. Safe to run again.
set -euo pipefail
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1

TANTIVY_VERSION="0.27.0"
# The classification reference (../shared/eval/sklearn_reference.py).
SKLEARN_VERSION=1.9.1
# The hybrid search's peers (--minilm).
SENTENCE_TRANSFORMERS_VERSION=6.3.0
RANK_BM25_VERSION=0.2.2

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$repo/target/compare-venv"
python="${PYTHON:-python3}"

command -v "$python" >/dev/null || { echo "setup.sh: $python not found" >&2; exit 1; }
command -v node >/dev/null || { echo "setup.sh: node not found" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup.sh: npm not found" >&2; exit 1; }

mkdir -p "$repo/target"

if [ ! -x "$venv/bin/python" ]; then
    echo "setup.sh: creating $venv"
    if ! "$python" -m venv "$venv"; then
        # Debian/Ubuntu without python3-venv: ensurepip is missing. Make the
        # venv without pip and install into it with the system's pip below.
        rm -rf "$venv"
        "$python" -m venv --without-pip "$venv"
    fi
fi

# Wheels only: tantivy ships prebuilt wheels; never fall back to a Rust
# source build.
if "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        --only-binary=:all: "tantivy==$TANTIVY_VERSION" "scikit-learn==$SKLEARN_VERSION"
else
    site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    "$python" -m pip install --quiet --disable-pip-version-check \
        --only-binary=:all: --target "$site" "tantivy==$TANTIVY_VERSION" "scikit-learn==$SKLEARN_VERSION"
fi
"$venv/bin/python" -c 'import tantivy' 

if [ "${1:-}" = "--minilm" ]; then
    echo "setup.sh: sentence-transformers and rank-bm25 into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "sentence-transformers==$SENTENCE_TRANSFORMERS_VERSION" "rank-bm25==$RANK_BM25_VERSION"
fi

echo "setup.sh: npm install in $here"
(cd "$here" && npm install --no-audit --no-fund)
node -e 'require.resolve("minisearch", { paths: [process.argv[1]] })' "$here"

echo "setup.sh: done."
echo "  run: $venv/bin/python $here/search_quality.py [--civic311 \"CMD\"] [--out PATH]"
