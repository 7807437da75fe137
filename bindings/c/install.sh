#!/usr/bin/env bash
# Installs the built C library under PREFIX with its C names:
#   PREFIX/include/cleanclaim.h
#   PREFIX/lib/libcleanclaim.so.0.1 (the SONAME), libcleanclaim.so -> it, libcleanclaim.a
#   PREFIX/lib/pkgconfig/cleanclaim.pc
# Cargo names the artifacts after the crate (libcleanclaim_c.*) because the lib name
# `cleanclaim` is taken by the core crate; this step is where they get their C names.
# Run `cargo build --release -p cleanclaim-c` first.
#
# usage: bindings/c/install.sh PREFIX
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PREFIX=${1:?usage: install.sh PREFIX}
mkdir -p "$PREFIX"
PREFIX=$(cd "$PREFIX" && pwd)
LIBDIR_IN="${CARGO_TARGET_DIR:-$ROOT/target}/release"
for f in libcleanclaim_c.so libcleanclaim_c.a; do
  [[ -f "$LIBDIR_IN/$f" ]] || { echo "install.sh: $LIBDIR_IN/$f missing; run cargo build --release -p cleanclaim-c" >&2; exit 1; }
done

HEADER="$HERE/include/cleanclaim.h"
VERSION=$(sed -n 's/^#define CLEANCLAIM_VERSION_STRING "\(.*\)"$/\1/p' "$HEADER")
SONAME=$(readelf -d "$LIBDIR_IN/libcleanclaim_c.so" 2>/dev/null | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
SONAME=${SONAME:-libcleanclaim.so}

mkdir -p "$PREFIX/include" "$PREFIX/lib/pkgconfig"
install -m 0644 "$HEADER" "$PREFIX/include/cleanclaim.h"
install -m 0755 "$LIBDIR_IN/libcleanclaim_c.so" "$PREFIX/lib/$SONAME"
[[ "$SONAME" == libcleanclaim.so ]] || ln -sfn "$SONAME" "$PREFIX/lib/libcleanclaim.so"
install -m 0644 "$LIBDIR_IN/libcleanclaim_c.a" "$PREFIX/lib/libcleanclaim.a"
sed -e "s|@PREFIX@|$PREFIX|g" -e "s|@VERSION@|$VERSION|g" "$HERE/cleanclaim.pc.in" \
  > "$PREFIX/lib/pkgconfig/cleanclaim.pc"
echo "installed cleanclaim $VERSION into $PREFIX ($SONAME)"
