#!/usr/bin/env bash
# Builds and runs tests/test_reliability.c (core panics → CLEANCLAIM_ERR_PANIC, patient-data
# canary) against the library test.sh installed, plainly and under valgrind. Called at the
# end of test.sh; runnable alone after `cargo build --release -p cleanclaim-c` and install.sh.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PREFIX="$CARGO_TARGET_DIR/cleanclaim-c"
B="$CARGO_TARGET_DIR/ctest"
mkdir -p "$B"
[[ -f "$PREFIX/lib/libcleanclaim.so" ]] || "$HERE/../install.sh" "$PREFIX"
gcc -std=c11 -Wall -Wextra -Werror -g -I"$PREFIX/include" "$HERE/test_reliability.c" \
  -L"$PREFIX/lib" -lcleanclaim -Wl,-rpath,"$PREFIX/lib" -o "$B/test_reliability"
echo "::: c test_reliability"
"$B/test_reliability" >"$B/test_reliability.log" 2>&1 || { cat "$B/test_reliability.log"; exit 1; }
tail -n 1 "$B/test_reliability.log"
echo "::: c test_reliability under valgrind"
# RUST_BACKTRACE=0: with backtraces on, the default panic hook keeps its symbolization caches
# for the life of the process, which valgrind lists as "still reachable" after the deliberate panics.
RUST_BACKTRACE=0 valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all --error-exitcode=99 \
  --num-callers=100 --suppressions="$HERE/valgrind.supp" "$B/test_reliability" >"$B/test_reliability.valgrind.log" 2>&1 ||
  { cat "$B/test_reliability.valgrind.log"; echo "test_reliability failed under valgrind" >&2; exit 1; }
tail -n 1 "$B/test_reliability.valgrind.log"
