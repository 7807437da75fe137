"""PySpark in local mode checks a DataFrame of claims with mapInArrow on a pickled engine.

Skipped only when pyspark is not installed (test.sh installs it)."""

from __future__ import annotations

import json
import os
import sys

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")

import cleanclaim  # noqa: E402
from conftest import AS_OF, ROOT, example_claims, vector_claims  # noqa: E402

sys.path.insert(0, str(ROOT / "examples" / "python"))
import spark_check  # noqa: E402

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (SparkSession.builder.master("local[2]").appName("cleanclaim-test")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    yield session
    session.stop()


def test_map_in_arrow_matches_local_checks(spark) -> None:
    engine = cleanclaim.Engine(as_of=AS_OF)
    claims = example_claims() + vector_claims()
    docs = [(f"doc{i}", json.dumps(c)) for i, c in enumerate(claims)]
    docs.append(("broken", "{not json"))
    df = spark.createDataFrame(docs, "source string, value string").repartition(3)
    rows = spark_check.check_dataframe(df, engine).collect()

    want = []
    for i, c in enumerate(claims):
        r = engine.check(c)
        want += [(f"doc{i}", r.claim_id, f.rule, f.severity, f.path, f.message, f.line)
                 for f in r.findings]
    got = [tuple(r) for r in rows if r.source != "broken"]
    assert sorted(got, key=repr) == sorted(want, key=repr)
    broken = [r for r in rows if r.source == "broken"]
    assert len(broken) == 1 and broken[0].rule == "input.error"
