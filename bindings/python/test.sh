#!/usr/bin/env bash
# Builds the cleanclaim wheel from the workspace, installs it into a venv and runs pytest
# (shared vectors, errors, pickling, threads, DataFrames, PySpark in local mode, examples), then
# runs the tests again with pandas 3.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="${CLEANCLAIM_VENV:-$CARGO_TARGET_DIR/venv}"
PY="$VENV/bin/python"

[ -x "$PY" ] || python3 -m venv "$VENV"
# Pinned to versions that install as wheels on this machine (pyspark is an sdist of jars).
"$PY" -m pip install -q --disable-pip-version-check \
  'maturin==1.16.0' 'pytest==9.2.0' 'pandas==2.3.3' 'pyarrow==26.0.1' 'polars==2.1.0' \
  'matplotlib==3.11.2' 'pyspark==4.3.0'

# Spark 4 needs Java 17+; .ci/run installs it on a fresh machine, this covers direct runs.
if ! command -v java >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless
fi

WHEELS="$CARGO_TARGET_DIR/wheels"
rm -f "$WHEELS"/cleanclaim-*.whl
(cd "$HERE" && "$VENV/bin/maturin" build --release --locked --quiet --out "$WHEELS")
"$PY" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$WHEELS"/cleanclaim-*.whl

# Spark's Python workers must use the venv's interpreter, not python3 from PATH.
export PYSPARK_PYTHON="$PY" PYSPARK_DRIVER_PYTHON="$PY"
cd "$HERE"
"$PY" -m pytest -q -p no:cacheprovider tests "$@"

# pandas 3 (its own string dtype, copy-on-write) is what a notebook installs today, but PySpark
# 4.3 asks for pandas < 3: the same wheel and tests again in a venv with pandas 3 and no Spark
# (the Spark tests skip themselves there).
VENV3="$VENV-pandas3"
PY3="$VENV3/bin/python"
[ -x "$PY3" ] || python3 -m venv "$VENV3"
"$PY3" -m pip install -q --disable-pip-version-check \
  'pytest==9.2.0' 'pandas==3.1.1' 'pyarrow==26.0.1' 'polars==2.1.0' 'matplotlib==3.11.2'
"$PY3" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$WHEELS"/cleanclaim-*.whl
echo "::: python: the tests again with pandas $("$PY3" -c 'import pandas; print(pandas.__version__)')"
"$PY3" -m pytest -q -p no:cacheprovider tests "$@"
