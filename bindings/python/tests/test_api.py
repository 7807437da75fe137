"""Engine options, the claim forms check accepts, batches, reports and pickling."""

from __future__ import annotations

import datetime
import json
import pickle
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

import cleanclaim
from conftest import AS_OF, EXAMPLES, example_claims, vector_claims


def dumps(reports):
    return [r.to_dict() for r in reports]


def test_version_comes_from_cargo() -> None:
    cargo = (EXAMPLES.parents[1] / "Cargo.toml").read_text()
    assert f'version = "{cleanclaim.__version__}"' in cargo


def test_every_public_name_has_a_docstring() -> None:
    for name in cleanclaim.__all__:
        obj = getattr(cleanclaim, name)
        if isinstance(obj, str):
            continue
        assert obj.__doc__, name
        for attr, member in vars(obj).items() if isinstance(obj, type) else []:
            is_api = callable(member) or hasattr(member, "__get__") and not isinstance(member, (str, type(None)))
            if not attr.startswith("_") and is_api:
                assert getattr(member, "__doc__", None), f"{name}.{attr}"


def test_forms_agree(engine, claims) -> None:
    for c in claims:
        text = json.dumps(c)
        want = engine.check(c).to_dict()
        assert engine.check(text).to_dict() == want
        assert engine.check(text.encode()).to_dict() == want
        assert engine.check(cleanclaim.Claim(c)).to_dict() == want
        assert engine.check(cleanclaim.Claim.from_json(text)).to_dict() == want


def test_report_and_finding_attributes(engine) -> None:
    c = json.loads((EXAMPLES / "defective-pointer-and-units.json").read_text())
    r = engine.check(c)
    assert not r.ok and r.claim_id == c["id"] and len(r) == len(r.findings) > 0
    f = r.findings[0]
    assert isinstance(f, cleanclaim.Finding)
    assert f.to_dict() == {
        "rule": f.rule, "severity": f.severity, "path": f.path, "message": f.message, "line": f.line,
    }
    assert f.severity in ("error", "warning", "info")
    assert "Report(" in repr(r) and "Finding(" in repr(f)


def test_none_and_nan_count_as_absent(engine) -> None:
    c = json.loads((EXAMPLES / "clean-office-visit.json").read_text())
    c["referring_provider"] = None
    c["lines"][0]["date_to"] = float("nan")
    assert engine.check(c).to_dict() == engine.check(json.loads((EXAMPLES / "clean-office-visit.json").read_text())).to_dict()


def test_python_dates_and_decimals_are_accepted(engine) -> None:
    from decimal import Decimal

    c = json.loads((EXAMPLES / "clean-office-visit.json").read_text())
    want = engine.check(c).to_dict()
    c["statement_from"] = datetime.date(2026, 3, 2)
    c["statement_to"] = datetime.datetime(2026, 3, 2, 0, 0)
    c["lines"][0]["charge"] = Decimal("185.00")
    c["lines"][0]["pointers"] = (1, 2, 3)
    assert engine.check(c).to_dict() == want


def test_check_json_reads_one_array_and_json_lines(engine, claims) -> None:
    want = dumps(engine.check(c) for c in claims)
    assert dumps(engine.check_json(json.dumps(claims))) == want
    assert dumps(engine.check_json("\n".join(json.dumps(c) for c in claims))) == want
    assert dumps(engine.check_json(json.dumps(claims[0]))) == want[:1]
    assert dumps(engine.check_json(json.dumps(claims).encode())) == want


def test_check_many_matches_check(engine) -> None:
    claims = vector_claims() * 20
    want = dumps(engine.check(c) for c in claims)
    assert dumps(engine.check_many(claims)) == want
    assert dumps(engine.check_many(json.dumps(c) for c in claims)) == want
    assert dumps(engine.check_many([cleanclaim.Claim(c) for c in claims])) == want
    mixed = [c if i % 3 == 0 else json.dumps(c) if i % 3 == 1 else cleanclaim.Claim(c)
             for i, c in enumerate(claims)]
    assert dumps(engine.check_many(mixed)) == want
    assert engine.check_many([]) == []


def test_threads_share_one_engine(engine) -> None:
    claims = vector_claims() * 10
    want = dumps(engine.check(c) for c in claims)

    def work(i: int):
        if i % 2:
            return dumps(engine.check_many(claims))
        return dumps(engine.check(c) for c in claims)

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(work, range(12)))
    assert all(r == want for r in results)


def test_options(claims) -> None:
    e = cleanclaim.Engine(as_of=datetime.date(2026, 11, 30), disable=["line.units_invalid"],
                          severity={"line.pointer_invalid": "warning"})
    c = json.loads((EXAMPLES / "defective-pointer-and-units.json").read_text())
    r = e.check(c)
    assert "line.units_invalid" not in r.rule_ids()
    assert all(f.severity == "warning" for f in r.findings if f.rule == "line.pointer_invalid")
    assert ("line.pointer_invalid", "warning") in e.rules()
    assert all(rid != "line.units_invalid" for rid, _ in e.rules())
    assert e.options["as_of"] == AS_OF
    assert cleanclaim.Engine(disable="line.units_invalid").options["disable"] == ("line.units_invalid",)
    ids = {r["id"] for r in cleanclaim.rules()}
    assert {"line.units_invalid", "line.pointer_invalid", "claim.total_mismatch"} <= ids


def test_engine_pickles_with_its_options(claims) -> None:
    e = cleanclaim.Engine(as_of=AS_OF, disable=["line.units_invalid"],
                          severity={"claim.total_mismatch": "info"})
    e2 = pickle.loads(pickle.dumps(e))
    assert e2.options == e.options and repr(e2) == repr(e)
    assert dumps(e2.check_many(claims)) == dumps(e.check_many(claims))
    for proto in range(0, pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(e, protocol=proto)).options == e.options


def test_reports_claims_and_findings_pickle(engine, claims) -> None:
    for c in claims:
        r = engine.check(c)
        r2 = pickle.loads(pickle.dumps(r))
        assert r2 == r and r2.to_dict() == r.to_dict()
        claim = cleanclaim.Claim(c)
        assert engine.check(pickle.loads(pickle.dumps(claim))).to_dict() == r.to_dict()
        for f in r.findings:
            assert pickle.loads(pickle.dumps(f)) == f


def _check_in_worker(args):
    engine, claim = args
    return engine.check(claim).to_dict()


def test_engine_ships_to_worker_processes(engine, claims) -> None:
    with ProcessPoolExecutor(max_workers=2) as pool:
        got = list(pool.map(_check_in_worker, [(engine, c) for c in claims]))
    assert got == dumps(engine.check(c) for c in claims)


def test_claim_repr_and_properties(claims) -> None:
    c = cleanclaim.Claim(claims[0])
    assert c.id == claims[0]["id"] and c.kind in ("professional", "institutional")
    assert c.claim_type in ("professional", "inpatient", "outpatient")
    assert repr(c).startswith("Claim(")
    assert json.loads(c.to_json())["id"] == c.id == c.to_dict()["id"]


def test_profiles_pickle_and_apply(claims) -> None:
    e = cleanclaim.Engine(as_of=AS_OF, profile="medicare-professional")
    assert e.options["profile"] == "medicare-professional"
    e2 = pickle.loads(pickle.dumps(e))
    assert dumps(e2.check_many(claims)) == dumps(e.check_many(claims))


def test_lookup_search_and_validity(engine) -> None:
    found = engine.lookup("E11.65", date="2026-03-02")
    assert found["code"] == "E1165" and found["display"] == "E11.65" and found["valid"] is True
    assert found["system"] == "icd10cm"
    assert engine.lookup("E11.65")["code"] == "E1165"
    assert engine.lookup("not-a-code") is None
    hits = engine.search("diabetes hyperglycemia", limit=5)
    assert 0 < len(hits) <= 5 and {"code", "display", "description", "billable", "score"} <= set(hits[0])
    assert engine.icd10cm_validity(["E11.65", "E11", "ZZZ"], datetime.date(2026, 3, 2)) == [True, False, False]
    with pytest.raises(cleanclaim.ConfigError):
        engine.lookup("E11.65", date="March 2")


def test_strings_of_every_length_read_back_whole() -> None:
    """Dict strings are copied onto the tape by word-sized pieces up to 16 bytes: every length
    from 0 to 40, ASCII and multi-byte, side by side in one claim, must read back as written."""
    base = json.loads((EXAMPLES / "clean-office-visit.json").read_text())
    for n in range(41):
        for unit in ("x", "é", "€", "🦷"):
            # `n` bytes of ASCII, or as many whole 2-, 3- or 4-byte characters as fit in `n`.
            text = "".join(chr(ord("a") + i % 26) for i in range(n)) if unit == "x" else unit * (n // len(unit.encode()))
            c = json.loads(json.dumps(base))
            c["id"] = text + "1"
            c["billing_provider"]["name"] = text
            c["billing_provider"]["taxonomy"] = text[::-1]
            c["payer"]["name"] = text + "22"
            c["subscriber"]["member_id"] = "333" + text
            back = cleanclaim.Claim.from_dict(c).to_dict()
            assert (back["id"], back["billing_provider"]["name"], back["billing_provider"]["taxonomy"]) == (
                text + "1", text, text[::-1]), (n, unit)
            assert (back["payer"]["name"], back["subscriber"]["member_id"]) == (text + "22", "333" + text), (n, unit)
            assert back == json.loads(cleanclaim.Claim.from_json(json.dumps(c)).to_json()), (n, unit)
