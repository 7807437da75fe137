"""Reliability (issue #10): a panic inside the core engine, also on a rayon worker in
``check_many``, surfaces as ``cleanclaim.InternalError`` and the interpreter keeps running; and
a birth date / postal code / state canary never leaves through findings, reprs or errors.

The core panics on purpose only for an engine built while ``CLEANCLAIM_TEST_PANIC=1`` and only
for the claim id ``__cleanclaim_test_panic__`` (see ``crates/cleanclaim/src/engine.rs``).
"""

from __future__ import annotations

import copy
import json
import os

import pytest

import cleanclaim
from conftest import AS_OF, EXAMPLES

BOMB = "__cleanclaim_test_panic__"


@pytest.fixture(scope="module")
def armed() -> cleanclaim.Engine:
    os.environ["CLEANCLAIM_TEST_PANIC"] = "1"
    try:
        return cleanclaim.Engine(as_of=AS_OF)
    finally:
        # The engine read the variable when it was built; later engines are ordinary.
        del os.environ["CLEANCLAIM_TEST_PANIC"]


def claim(cid: str) -> dict:
    c = json.loads((EXAMPLES / "clean-office-visit.json").read_text())
    c["id"] = cid
    return c


def test_a_core_panic_in_check_is_internal_error(armed) -> None:
    for form in (claim(BOMB), json.dumps(claim(BOMB)), cleanclaim.Claim(claim(BOMB))):
        with pytest.raises(cleanclaim.InternalError) as ei:
            armed.check(form)
        assert ei.value.code == "internal"
    with pytest.raises(cleanclaim.InternalError):
        armed.check_json(json.dumps([claim("A"), claim(BOMB)]))
    # Still working, and other claims are fine on the same engine.
    assert armed.check(claim("OK")).ok


def test_a_panic_on_a_rayon_worker_is_internal_error(armed) -> None:
    batch = [claim(f"C{i}") for i in range(2000)]
    batch[1234] = claim(BOMB)
    with pytest.raises(cleanclaim.InternalError):
        armed.check_many(batch)
    batch[1234] = claim("C1234")
    reports = armed.check_many(batch)
    assert len(reports) == 2000 and all(r.ok for r in reports)


def test_a_panic_in_any_chunk_layout_is_internal_error(armed) -> None:
    # A batch of one chunk is checked from the calling thread; larger ones chunk by chunk on
    # the workers, which hand the chunks (holding the Claim objects) back, or drop them when
    # they panic. Either way the objects stay usable.
    for n, bomb in ((10, 3), (300, 299), (1000, 600)):
        batch = [cleanclaim.Claim(claim(f"C{i}")) for i in range(n)]
        batch[bomb] = cleanclaim.Claim(claim(BOMB))
        with pytest.raises(cleanclaim.InternalError):
            armed.check_many(batch)
        reports = armed.check_many(batch[:bomb])
        assert [r.claim_id for r in reports] == [f"C{i}" for i in range(bomb)]


def test_ordinary_engines_do_not_panic() -> None:
    assert "CLEANCLAIM_TEST_PANIC" not in os.environ
    r = cleanclaim.Engine(as_of=AS_OF).check(claim(BOMB))
    assert r.claim_id == BOMB


CANARY = "Qz8Canary"
BIRTH_FORMS = ("1901-02-03", "19010203", "02/03/1901", "1901")


def planted() -> dict:
    c = claim("CANARY-1")
    for who, tag in (("subscriber", "Sub"), ("patient", "Pat")):
        p = copy.deepcopy(c["subscriber"]) if who == "patient" else c[who]
        p["name"] = {"last": CANARY + tag + "L", "first": CANARY + tag + "F", "middle": CANARY + tag + "M"}
        p["member_id"] = CANARY + tag + "Id"
        p["group_number"] = CANARY + tag + "Grp"
        p["birth_date"] = "1901-02-03"
        p["address"] = {"lines": [CANARY + tag + "A1", CANARY + tag + "A2"], "city": CANARY + tag + "City",
                        "state": CANARY + tag + "St", "postal_code": CANARY + tag + "Zip"}
        c[who] = p
    c["patient"]["relationship"] = "19"
    c["diagnoses"][0]["code"] = "O80"  # maternity code on a 125-year-old: the birth date is used
    c["total_charge"] = 1
    return c


def assert_clean(what: str, text: str) -> None:
    assert CANARY not in text, f"{what}: {text}"
    for b in BIRTH_FORMS:
        assert b not in text, f"{what} shows the birth date: {text}"


def test_birth_date_postal_code_and_state_never_leave(engine) -> None:
    c = planted()
    r = engine.check(c)
    assert "dx.age_conflict" in r.rule_ids()
    assert_clean("report", repr(r) + repr(r.findings) + json.dumps(r.to_dict()))
    assert_clean("claim repr", repr(cleanclaim.Claim(c)))
    bad_values = [
        ("birth_date", CANARY), ("birth_date", 19010203), ("birth_date", "02/03/1901"),
        ("birth_date", "1901-02-30"), ("member_id", 19010203), ("group_number", [CANARY]),
        ("address", CANARY), ("name", CANARY), ("name", 19010203),
    ]
    for field, value in bad_values:
        b = planted()
        b["patient"][field] = value
        for form in (b, json.dumps(b)):
            with pytest.raises(cleanclaim.InputError) as ei:
                engine.check(form)
            e = ei.value
            assert_clean(f"error for {field}={value!r}", str(e) + repr(e) + repr(e.args) + str(e.path))
    for field, value in (("postal_code", 19010203), ("city", [CANARY]), ("lines", CANARY), ("state", {"x": CANARY})):
        b = planted()
        b["subscriber"]["address"][field] = value
        with pytest.raises(cleanclaim.InputError) as ei:
            engine.check(b)
        assert_clean(f"error for address.{field}", str(ei.value) + repr(ei.value))
