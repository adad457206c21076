#!/usr/bin/env bash
# Runs fuzz targets with cargo-fuzz (nightly), each for SECONDS, JOBS at a time:
#
#   bash fuzz/run.sh SECONDS [JOBS] [TARGET...]      (default: every target, 2 at a time)
#
# Each target's corpus starts from seeds/TARGET (committed) and, for the
# Open311 targets, the real cities' payloads in kb-fixtures/open311.
# What a run finds goes to artifacts/TARGET;
# its log, with libFuzzer's final statistics, to logs/TARGET.log.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:?usage: run.sh SECONDS [JOBS] [TARGET...]}
jobs=${2:-2}
shift $(( $# >= 2 ? 2 : 1 ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(catalog_toml catalog_geojson catalog_article query open311_json open311_xml bundle classify route store_import)
payloads=../kb-fixtures/open311
cargo +nightly fuzz build -O
mkdir -p logs
prepare() { # the corpus of one target
  local t=$1
  mkdir -p "corpus/$t"
  cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null || true
  if [ -d "$payloads" ]; then
    # The payload readers: the selector byte says which reader gets the file.
    local i=0
    for f in "$payloads"/*; do
      i=$((i + 1))
      case "$t:$(basename "$f")" in
        open311_json:*services.json|open311_json:*service_list.json) printf '\x00' ;;
        open311_json:*definition*.json) printf '\x01' ;;
        open311_json:*requests*.json) printf '\x02' ;;
        open311_xml:*services*.xml|open311_xml:*service_list*.xml) printf '\x00' ;;
        open311_xml:*requests*.xml) printf '\x02' ;;
        *) continue ;;
      esac > "corpus/$t/payload-$i"
      cat "$f" >> "corpus/$t/payload-$i"
    done
  fi
}
max_len() {
  case $1 in
    bundle) echo 65536 ;;
    catalog_*) echo 65536 ;;
    *) echo 8192 ;;
  esac
}
run() {
  local t=$1
  prepare "$t"
  mkdir -p "artifacts/$t"
  cargo +nightly fuzz run -O "$t" "corpus/$t" -- \
    -max_total_time="$seconds" -max_len="$(max_len "$t")" -rss_limit_mb=4096 -timeout=30 \
    -print_final_stats=1 -artifact_prefix="artifacts/$t/" > "logs/$t.log" 2>&1 && rc=0 || rc=$?
  # A panic the library caught (bundle loading, natively) is a finding too:
  # the bundle target's hook prints it instead of aborting.
  echo "$t: exit $rc, $(grep -E '^stat::number_of_executed_units' "logs/$t.log" | awk '{print $2}') runs, $(ls "artifacts/$t" | wc -l) findings, $(grep -c '^caught inside civic311' "logs/$t.log") panics caught"
}
running=0
for t in "${targets[@]}"; do
  run "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait
