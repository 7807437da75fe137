"""Every shared vector (tests/vectors/*.json) gives exactly the Rust core's rule ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cleanclaim
from conftest import VECTORS

FILES = sorted(VECTORS.glob("*.json"))


def test_the_vector_folder_is_found() -> None:
    assert len(FILES) >= 10, f"too few vectors in {VECTORS}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_vector(path: Path) -> None:
    v = json.loads(path.read_text())
    engine = cleanclaim.Engine(as_of=v["as_of"], profile=v.get("profile"))
    for form in (v["claim"], json.dumps(v["claim"]), cleanclaim.Claim(v["claim"])):
        report = engine.check(form)
        assert report.rule_ids() == v["expect"], [f.to_dict() for f in report.findings]
        assert sorted({f.rule for f in report.findings}) == v["expect"]
        assert report.ok == all(f.severity != "error" for f in report.findings)
