"""Patient data never shows up in findings, error messages or reprs."""

from __future__ import annotations

import json

import pytest

import cleanclaim
from conftest import EXAMPLES

CANARY = "Zq7Canary"


def planted(c: dict) -> dict:
    """Plants the canary in every patient field of the subscriber and patient."""
    for who in ("subscriber", "patient"):
        p = c.setdefault(who, {})
        p["name"] = {"last": CANARY + "Last", "first": CANARY + "First", "middle": CANARY}
        p["member_id"] = CANARY + "Member"
        p["group_number"] = CANARY + "Group"
        p["address"] = {"lines": [CANARY + " Street"], "city": CANARY + "City",
                        "state": "IL", "postal_code": "62704"}
    return c


def test_findings_and_reprs_do_not_leak(engine) -> None:
    for path in sorted(EXAMPLES.glob("*.json")):
        c = planted(json.loads(path.read_text()))
        claim = cleanclaim.Claim(c)
        for r in [engine.check(c), engine.check(json.dumps(c)), engine.check(claim)]:
            text = repr(r) + repr(r.findings) + json.dumps(r.to_dict())
            assert CANARY not in text
        assert CANARY not in repr(claim)
    assert CANARY not in repr(engine)


@pytest.mark.parametrize("field,value", [
    (("subscriber", "birth_date"), CANARY),
    (("subscriber", "sex"), CANARY),
    (("subscriber", "member_id"), [CANARY]),
    (("subscriber", "name"), CANARY),
    (("subscriber", "address"), [CANARY]),
    (("subscriber", "name", "last"), {"x": CANARY}),
    (("subscriber", CANARY + "field"), 1),
])
def test_error_messages_do_not_leak(engine, field, value) -> None:
    c = planted(json.loads((EXAMPLES / "clean-office-visit.json").read_text()))
    target = c
    for k in field[:-1]:
        target = target[k]
    target[field[-1]] = value
    for form in (c, json.dumps(c)):
        with pytest.raises(cleanclaim.InputError) as ei:
            engine.check(form)
        e = ei.value
        shown = str(e) + repr(e) + repr(e.args) + str(e.path)
        # An unknown *key* is named (it is schema, not data); values never are.
        if CANARY + "field" not in str(field):
            assert CANARY not in shown, shown
