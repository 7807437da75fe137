#!/usr/bin/env bash
# Seeds the corpora (fuzz/seed.py, from examples/, tests/vectors and ../shared/corpus) and runs
# cargo-fuzz targets, two at a time, each for SECONDS (default 600). Logs go to
# $CARGO_TARGET_DIR/fuzzlogs/<target>.log; a crasher lands in fuzz/artifacts/<target>/.
#   fuzz/run.sh                    # every target, 10 minutes each
#   SECONDS_EACH=60 fuzz/run.sh x12_837 json_claims
# Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain RUSTC_BOOTSTRAP=1 lets
# it use the nightly-only sanitizer flags.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HERE/target}"
export RUSTC_BOOTSTRAP=1
SECS="${SECONDS_EACH:-600}"
JOBS="${FUZZ_PARALLEL:-2}"
LOGS="$CARGO_TARGET_DIR/fuzzlogs"
mkdir -p "$LOGS"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
python3 "$HERE/seed.py"
cd "$ROOT"
# Build once, then run the binaries directly: `cargo fuzz run` rebuilds on every source edit.
cargo fuzz build -O --fuzz-dir fuzz
BIN="$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release"
targets=("$@")
((${#targets[@]})) || mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
run() {
  local t=$1 max=16384
  case $t in x12_*|json_claims|fhir) max=65536 ;; esac
  mkdir -p "$HERE/artifacts/$t"
  local start rc=0
  start=$(date +%s)
  "$BIN/$t" "$HERE/corpus/$t" -artifact_prefix="$HERE/artifacts/$t/" -max_total_time="$SECS" -max_len="$max" \
    -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 >"$LOGS/$t.log" 2>&1 || rc=$?
  local runs
  runs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$LOGS/$t.log" | tail -n 1 || true)
  echo "$t: exit $rc, $(( $(date +%s) - start )) s, ${runs:-no final stats (crash? see $LOGS/$t.log)}"
}
for t in "${targets[@]}"; do
  while (( $(jobs -rp | wc -l) >= JOBS )); do wait -n || true; done
  run "$t" &
done
wait
