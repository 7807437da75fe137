"""Errors: the class hierarchy, codes, paths, positions, pickling, and the panic boundary."""

from __future__ import annotations

import json
import pickle

import pytest

import cleanclaim
from cleanclaim import CleanclaimError, ConfigError, InputError, InternalError
from conftest import EXAMPLES


def clean() -> dict:
    return json.loads((EXAMPLES / "clean-office-visit.json").read_text())


def test_hierarchy() -> None:
    for cls in (InputError, ConfigError, cleanclaim.CodeSetError, InternalError):
        assert issubclass(cls, CleanclaimError) and issubclass(cls, Exception)
    assert issubclass(InputError, ValueError) and issubclass(ConfigError, ValueError)


def test_bad_json_is_an_input_error_with_a_position(engine) -> None:
    with pytest.raises(InputError) as ei:
        engine.check('{\n  "id": "A",\n  "kind": }')
    e = ei.value
    assert e.code == "json" and e.line == 3 and e.column > 0
    with pytest.raises(InputError):
        engine.check_json("[1, 2")
    with pytest.raises(InputError):
        engine.check(b"\xff\xfe")


def test_model_mismatch_names_the_path(engine) -> None:
    c = clean()
    del c["lines"][1]["units"]
    with pytest.raises(InputError) as ei:
        engine.check(c)
    assert ei.value.code == "invalid" and ei.value.path == "lines[1]"
    assert "units" in str(ei.value)
    c = clean()
    c["lines"][0]["units"] = "many"
    with pytest.raises(InputError) as ei:
        engine.check(c)
    assert ei.value.path == "lines[0].units"
    c = clean()
    c["kind"] = "dental"
    with pytest.raises(InputError) as ei:
        engine.check(c)
    assert ei.value.path == "kind" and "dental" not in str(ei.value)
    with pytest.raises(InputError):
        engine.check(["not", "a", "claim"])
    with pytest.raises(InputError):
        engine.check(42)


def test_a_lone_surrogate_is_an_input_error_and_leaves_no_pending_exception(engine) -> None:
    # A `str` with no UTF-8 form: CPython's conversion fails (and sets an exception the binding
    # must clear); the error names the field, never the value.
    claim = clean()
    claim["diagnoses"][0]["code"] = "\ud800"
    with pytest.raises(InputError) as ei:
        engine.check(claim)
    assert ei.value.path == "diagnoses[0].code" and "\ud800" not in str(ei.value)
    with pytest.raises(InputError, match=r"claims\[1\]"):
        engine.check_many([clean(), claim])
    with pytest.raises(TypeError, match="UTF-8"):
        engine.icd10cm_valid("\ud800", "2026-04-01")
    with pytest.raises(TypeError, match=r"codes\[1\]"):
        engine.icd10cm_validity(["E11.9", "\ud800"], "2026-04-01")
    # The interpreter goes on as if nothing happened.
    assert engine.check(clean()).ok and engine.icd10cm_valid("E11.9", "2026-04-01")


def test_batch_errors_carry_the_index(engine) -> None:
    good = clean()
    bad = clean()
    bad["lines"][0]["charge"] = [1]
    with pytest.raises(InputError) as ei:
        engine.check_many([good, good, bad])
    assert ei.value.index == 2 and str(ei.value).startswith("claims[2]")
    with pytest.raises(InputError) as ei:
        engine.check_many([json.dumps(good), "{nope"])
    assert ei.value.index == 1 and ei.value.code == "json"


def test_config_errors() -> None:
    with pytest.raises(ConfigError) as ei:
        cleanclaim.Engine(disable=["no.such_rule"])
    assert ei.value.code == "config"
    with pytest.raises(ConfigError):
        cleanclaim.Engine(severity={"line.units_invalid": "fatal"})
    with pytest.raises(ConfigError):
        cleanclaim.Engine(as_of="30/11/2026")
    with pytest.raises(ConfigError):
        cleanclaim.Engine(profile="no-such-profile")
    with pytest.raises(TypeError):
        cleanclaim.Engine("2026-11-30")  # options are keyword-only


def test_a_panic_surfaces_as_internal_error() -> None:
    from cleanclaim import _native

    with pytest.raises(InternalError) as ei:
        _native._panic_for_test()
    assert ei.value.code == "internal"
    assert isinstance(ei.value, Exception)


def test_errors_pickle(engine) -> None:
    with pytest.raises(InputError) as ei:
        engine.check("{")
    e2 = pickle.loads(pickle.dumps(ei.value))
    assert type(e2) is InputError and str(e2) == str(ei.value)
    assert e2.code == "json" and e2.line == ei.value.line
