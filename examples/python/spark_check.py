"""Check claim files with PySpark: one engine built on the driver, shipped to every executor.

    python examples/python/spark_check.py [claims glob] [--master local[2]]

Each input file (one claim, a JSON array or JSON lines) becomes one row; `mapInArrow` hands
executors Arrow batches of those rows, and each batch is checked with `Engine.check_json`
(parallel, GIL released). The same code runs on a cluster: see bindings/python/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Iterator

import pyarrow as pa

import cleanclaim

FINDINGS_SCHEMA = (
    "source string, claim_id string, rule string, severity string, path string, "
    "message string, line int"
)


def check_batches(engine: cleanclaim.Engine, text_column: str = "value"):
    """A `mapInArrow` function: batches of JSON documents in, batches of findings out.

    `engine` is pickled with the closure (it rebuilds from its options on each executor).
    Rows whose JSON is unusable produce one finding with rule ``input.error`` instead of
    failing the whole job; its message is the error text, which never holds patient data.
    """

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            cols = {k: [] for k in ("source", "claim_id", "rule", "severity", "path", "message", "line")}
            sources = batch.column("source").to_pylist() if "source" in batch.schema.names else [None] * batch.num_rows
            for source, text in zip(sources, batch.column(text_column).to_pylist()):
                try:
                    reports = engine.check_json(text)
                except cleanclaim.InputError as e:
                    rows = [(None, "input.error", "error", e.path or "", str(e), None)]
                else:
                    rows = [(r.claim_id, f.rule, f.severity, f.path, f.message, f.line)
                            for r in reports for f in r.findings]
                for row in rows:
                    for k, v in zip(cols, (source, *row)):
                        cols[k].append(v)
            yield pa.RecordBatch.from_pydict(cols, schema=pa.schema([
                ("source", pa.string()), ("claim_id", pa.string()), ("rule", pa.string()),
                ("severity", pa.string()), ("path", pa.string()), ("message", pa.string()),
                ("line", pa.int32()),
            ]))

    return run


def check_dataframe(df, engine: cleanclaim.Engine, text_column: str = "value"):
    """Findings for a Spark DataFrame with one JSON document per row in `text_column`."""
    return df.mapInArrow(check_batches(engine, text_column), FINDINGS_SCHEMA)


def main(argv=None) -> int:
    from pyspark.sql import SparkSession, functions as F

    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "claims", "*.json")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("claims", nargs="?", default=default, help="glob of claim files")
    ap.add_argument("--master", default=os.environ.get("SPARK_MASTER", "local[2]"))
    ap.add_argument("--as-of", default=None, help="'today' for date checks (YYYY-MM-DD)")
    args = ap.parse_args(argv)

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = SparkSession.builder.master(args.master).appName("cleanclaim").getOrCreate()
    try:
        engine = cleanclaim.Engine(as_of=args.as_of)
        docs = (spark.read.text(args.claims, wholetext=True)
                .withColumn("source", F.input_file_name()))
        findings = check_dataframe(docs, engine)
        findings.groupBy("rule", "severity").count().orderBy("rule").show(truncate=False)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
