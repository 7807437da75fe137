#!/usr/bin/env bash
# Builds the Node binding from the workspace and runs its tests: npm ci, napi build (release),
# a check that the committed index.js / index.d.ts are what the build generates, tsc over the
# typed example, then `node --test`. Idempotent; runs from any cwd.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# napi always builds with `--target <triple>`, so its artifacts sit in
# $CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/ and share nothing with plain `cargo build`.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
cd "$HERE"

command -v node >/dev/null || { echo "node (>= 20.17) is required" >&2; exit 1; }
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=17)?0:1)' ||
  { echo "node >= 20.17 is required, found $(node --version)" >&2; exit 1; }

echo "::: node: npm ci"
npm ci --no-audit --no-fund --loglevel=error

echo "::: node: napi build --platform --release"
npx napi build --platform --release -- --locked

echo "::: node: generated index.js / index.d.ts are committed and current"
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git -C "$ROOT" diff --exit-code -- bindings/node/index.js bindings/node/index.d.ts ||
    { echo "index.js / index.d.ts are stale: commit the regenerated files" >&2; exit 1; }
else
  echo "(not a git checkout: skipped)"
fi

echo "::: node: tsc --noEmit (types.d.ts, index.d.ts, examples/node/typed.ts)"
npx tsc --noEmit -p tsconfig.json

echo "::: node: node --test"
node --test __test__/
