"""Large batches: dicts converted in chunks under the GIL and checked on the pool while the
next chunk is converted. Same answers as one claim at a time, in order; the first bad claim's
error wins; bad input never hangs, crashes or leaks values."""

from __future__ import annotations

import collections
import datetime
import decimal
import json
import threading
from collections.abc import Mapping

import pytest

import cleanclaim
from conftest import EXAMPLES

CANARY = "Zq7Canary"
# Past the binding's chunk size (256 claims), so several chunks are in flight.
N = 1000


def examples() -> list:
    return [json.loads(p.read_text()) for p in sorted(EXAMPLES.glob("*.json"))]


def batch(n: int = N) -> list:
    base = examples()
    out = []
    for i in range(n):
        c = json.loads(json.dumps(base[i % len(base)]))
        c["id"] = f"B{i:05d}"
        out.append(c)
    return out


def findings(reports) -> list:
    return [(r.claim_id, [f.to_dict() for f in r.findings]) for r in reports]


def reference(engine, claims) -> list:
    # Through the core's JSON parser, not the dict conversion the batch forms share.
    return findings(engine.check(json.dumps(c)) for c in claims)


def test_mixed_forms_over_many_chunks_match_one_at_a_time(engine) -> None:
    claims = batch()
    forms = []
    for i, c in enumerate(claims):
        forms.append([c, json.dumps(c), json.dumps(c).encode(), cleanclaim.Claim(c)][i % 4])
    expected = reference(engine, claims)
    assert findings(engine.check_many(forms)) == expected
    # Any iterable, including one with no length.
    assert findings(engine.check_many(f for f in forms)) == expected
    assert findings(engine.check_many(tuple(claims))) == expected


def test_small_batches_take_the_single_chunk_path(engine) -> None:
    claims = batch(100)
    assert findings(engine.check_many(claims)) == reference(engine, claims)
    assert engine.check_many([]) == []


class ClaimMapping(Mapping):
    """A read-only mapping that is not a dict."""

    def __init__(self, d: dict) -> None:
        self._d = d

    def __getitem__(self, k):
        return self._d[k]

    def __iter__(self):
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)


def exotic(c: dict) -> object:
    """The same claim through mapping types, tuples, dates and Decimals."""
    c = collections.OrderedDict(c)
    c["lines"] = tuple(dict(l) for l in c["lines"])
    for l in c["lines"]:
        if "charge" in l:
            l["charge"] = decimal.Decimal(str(l["charge"]))
        if "date" in l:
            l["date"] = datetime.date.fromisoformat(l["date"])
    c["billing_provider"] = ClaimMapping(c["billing_provider"])
    return c


def test_mappings_tuples_dates_and_decimals_in_big_batches(engine) -> None:
    claims = batch(600)
    expected = reference(engine, claims)
    assert findings(engine.check_many([exotic(c) for c in claims])) == expected


def test_numpy_scalars_in_big_batches(engine) -> None:
    np = pytest.importorskip("numpy")
    claims = batch(300)
    expected = reference(engine, claims)
    for c in claims:
        for l in c["lines"]:
            l["units"] = np.float64(l["units"])
            if "pointers" in l:
                l["pointers"] = [np.int64(p) for p in l["pointers"]]
    assert findings(engine.check_many(claims)) == expected


@pytest.mark.parametrize("bad_at", [0, 255, 256, 700, N - 1])
def test_an_error_in_any_chunk_names_its_index_and_path(engine, bad_at) -> None:
    claims = batch()
    claims[bad_at]["lines"][0]["units"] = "many"
    with pytest.raises(cleanclaim.InputError) as ei:
        engine.check_many(claims)
    assert ei.value.index == bad_at
    assert ei.value.path == "lines[0].units"
    assert str(ei.value).startswith(f"claims[{bad_at}]")


def test_the_first_bad_claim_wins_whatever_its_form(engine) -> None:
    claims = batch()
    forms = list(claims)
    forms[900] = "{not json"
    forms[300] = dict(claims[300], kind="dental")
    forms[600] = json.dumps(dict(claims[600], kind="dental"))
    with pytest.raises(cleanclaim.InputError) as ei:
        engine.check_many(forms)
    assert ei.value.index == 300 and ei.value.path == "kind"


def test_an_iterable_that_raises_midway_propagates(engine) -> None:
    claims = batch()

    def gen():
        for i, c in enumerate(claims):
            if i == 700:
                raise KeyError("from the caller's generator")
            yield c

    with pytest.raises(KeyError):
        engine.check_many(gen())
    # The engine is still usable afterwards.
    assert len(engine.check_many(claims)) == N


def test_self_referencing_and_deep_containers_are_input_errors(engine) -> None:
    c = batch(1)[0]
    loop: list = []
    loop.append(loop)
    c["diagnoses"] = loop
    with pytest.raises(cleanclaim.InputError) as ei:
        engine.check(c)
    assert ei.value.path.startswith("diagnoses")
    deep: dict = {}
    d = deep
    for _ in range(10_000):
        d["x"] = {}
        d = d["x"]
    c = batch(1)[0]
    c["billing_provider"] = deep
    with pytest.raises(cleanclaim.InputError):
        engine.check(c)
    claims = batch(400)
    claims[399]["diagnoses"] = loop
    with pytest.raises(cleanclaim.InputError) as ei:
        engine.check_many(claims)
    assert ei.value.index == 399


def test_unknown_python_types_name_the_type_not_the_value(engine) -> None:
    class Secret:
        def __repr__(self) -> str:
            return CANARY

    claims = batch(400)
    claims[350]["subscriber"]["member_id"] = Secret()
    with pytest.raises(cleanclaim.InputError) as ei:
        engine.check_many(claims)
    e = ei.value
    assert e.index == 350 and e.path == "subscriber.member_id"
    assert "Secret" in str(e) and CANARY not in str(e) + repr(e.args)


@pytest.mark.parametrize("field,value", [
    (("subscriber", "birth_date"), CANARY),
    (("subscriber", "sex"), CANARY),
    (("subscriber", "member_id"), [CANARY]),
    (("subscriber", "name"), CANARY),
    (("lines", 0, "units"), CANARY),
    (("kind",), CANARY),
    (("subscriber", "member_id"), 10**30),
])
def test_batch_error_messages_do_not_leak(engine, field, value) -> None:
    claims = batch(600)
    for c in claims:
        c["subscriber"]["member_id"] = CANARY + "Member"
        c["subscriber"]["name"] = {"last": CANARY + "Last", "first": CANARY}
    target = claims[450]
    for k in field[:-1]:
        target = target[k]
    target[field[-1]] = value
    for forms in (claims, [json.dumps(c) for c in claims]):
        with pytest.raises(cleanclaim.InputError) as ei:
            engine.check_many(forms)
        e = ei.value
        shown = str(e) + repr(e) + repr(e.args) + str(e.path)
        assert e.index == 450
        assert CANARY not in shown and "1000000000000000000000000000000" not in shown, shown


def test_threads_run_big_batches_together(engine) -> None:
    claims = batch()
    expected = reference(engine, claims)
    results: list = []

    def run() -> None:
        results.append(findings(engine.check_many(claims)))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


def test_reports_are_not_tracked_by_the_cyclic_gc() -> None:
    """A report references only its class (a cycle through a class attribute is an accepted
    leak, see report.rs); tracked, a batch of them made the collector sweep the caller's objects
    again and again (a third of the time). Unpickled reports are untracked too."""
    import gc

    engine = cleanclaim.Engine()
    claims = batch(300)
    text = "\n".join(json.dumps(c) for c in claims)
    for reports in (engine.check_many(claims), engine.check_json(text), [engine.check(claims[0])]):
        assert reports and not any(gc.is_tracked(r) for r in reports)
    # Still whole objects: their findings and equality work as before.
    reports = engine.check_many(claims)
    assert reports == engine.check_many(claims)
    assert findings(reports) == findings(engine.check(c) for c in claims)
    import pickle

    back = pickle.loads(pickle.dumps(reports))
    assert back == reports and not any(gc.is_tracked(r) for r in back)
