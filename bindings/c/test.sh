#!/usr/bin/env bash
# Builds libcleanclaim (shared + static), checks the committed header is current, runs the C
# tests against both libraries plainly and under valgrind, and builds and runs the C example.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
B="$CARGO_TARGET_DIR/ctest"          # test binaries and split vectors
PREFIX="$CARGO_TARGET_DIR/cleanclaim-c"  # install.sh's output: include/, lib/, lib/pkgconfig/
T0=$(date +%s); step() { echo "::: c [$(( $(date +%s) - T0 ))s] $*"; }

step "tools"
need=()
command -v valgrind >/dev/null || need+=(valgrind)
command -v pkg-config >/dev/null || need+=(pkgconf)
command -v make >/dev/null || need+=(make)
command -v gcc >/dev/null || need+=(gcc)
command -v python3 >/dev/null || need+=(python3)
if ((${#need[@]})); then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

step "cargo build (build.rs regenerates include/cleanclaim.h)"
cargo build --release --locked -p cleanclaim-c

step "header in sync"
if [[ -n "$(git status --porcelain -- bindings/c/include/)" ]]; then
  git --no-pager diff -- bindings/c/include/ || true
  git status --short -- bindings/c/include/
  echo "bindings/c/include/cleanclaim.h changed or is not committed: commit the regenerated header" >&2
  exit 1
fi
git diff --exit-code -- bindings/c/include/

step "install into $PREFIX"
"$HERE/install.sh" "$PREFIX"
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
echo "pkg-config: cleanclaim $(pkg-config --modversion cleanclaim)"

step "example (examples/c/Makefile, shared and static)"
make -s -C examples/c clean all OUT="$B/example"
for kind in shared static; do
  for f in examples/claims/*.json; do
    rc=0; "$B/example/check_claims_$kind" "$f" >"$B/example/out.txt" || rc=$?
    # 0: every claim can go out; 1: a claim has errors; anything else is a failure.
    if ((rc > 1)); then cat "$B/example/out.txt"; echo "check_claims_$kind $f: exit $rc" >&2; exit 1; fi
    [[ $kind == shared ]] && { echo "--- $f (exit $rc)"; cat "$B/example/out.txt"; }
  done
done

step "C tests"
python3 "$HERE/split_vectors.py" tests/vectors "$B/vectors"
CFLAGS=(-std=c11 -Wall -Wextra -Werror -g -pthread)
# Shared: through pkg-config, as a user of the installed library would.
# shellcheck disable=SC2046
gcc "${CFLAGS[@]}" $(pkg-config --cflags cleanclaim) "$HERE/tests/test_cleanclaim.c" \
  $(pkg-config --libs cleanclaim) -Wl,-rpath,"$PREFIX/lib" -o "$B/test_shared"
# Static: the archive itself plus the system libraries pkg-config lists for static use.
SYSLIBS=()
for l in $(pkg-config --static --libs-only-l cleanclaim); do [[ $l == -lcleanclaim ]] || SYSLIBS+=("$l"); done
# shellcheck disable=SC2046
gcc "${CFLAGS[@]}" $(pkg-config --cflags cleanclaim) "$HERE/tests/test_cleanclaim.c" \
  "$PREFIX/lib/libcleanclaim.a" "${SYSLIBS[@]}" -o "$B/test_static"
if readelf -d "$B/test_static" | grep -q 'libcleanclaim'; then
  echo "test_static links libcleanclaim dynamically" >&2; exit 1
fi
VALGRIND=(valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all
          --error-exitcode=99 --num-callers=100 --suppressions="$HERE/tests/valgrind.supp")
for t in test_shared test_static; do
  step "$t"
  "$B/$t" "$B/vectors" >"$B/$t.log" || { cat "$B/$t.log"; echo "$t failed" >&2; exit 1; }
  tail -n 1 "$B/$t.log"
  step "$t under valgrind"
  "${VALGRIND[@]}" "$B/$t" "$B/vectors" >"$B/$t.valgrind.log" || { cat "$B/$t.valgrind.log"; echo "$t failed under valgrind" >&2; exit 1; }
done
cat "$B/test_static.valgrind.log"
"$HERE/tests/reliability.sh"  # core panics → CLEANCLAIM_ERR_PANIC, patient-data canary (issue #10)
