"""The core's other inputs: X12 837 files, NCCI tables from a folder, code-set release files."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest

import cleanclaim

from conftest import AS_OF, EXAMPLES, ROOT

X12_FIXTURE = ROOT / "tests" / "x12" / "defective-pointer-and-units.837"
NCCI_TABLES = ROOT / "crates" / "cleanclaim" / "tests" / "fixtures" / "ncci" / "tables"


def corpus() -> Path:
    return Path(os.environ.get("CLEANCLAIM_CORPUS", ROOT.parent / "shared" / "corpus"))


def json_rule_ids(engine: cleanclaim.Engine) -> list:
    return engine.check((EXAMPLES / "defective-pointer-and-units.json").read_text()).rule_ids()


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview", "str", "pathlike"])
def test_x12_gives_the_json_claims_rule_ids(engine, kind) -> None:
    data = X12_FIXTURE.read_bytes()
    arg = {
        "bytes": data,
        "bytearray": bytearray(data),
        "memoryview": memoryview(data),
        "str": str(X12_FIXTURE),
        "pathlike": X12_FIXTURE,
    }[kind]
    reports = engine.check_x12(arg)
    assert [r.claim_id for r in reports] == ["PCN-2026-0003"]
    assert reports[0].rule_ids() == json_rule_ids(engine)
    assert reports[0].rule_ids() == ["line.pointer_invalid", "line.units_invalid"]
    assert not reports[0].ok
    # Engine findings point back into the file.
    assert all("[X12 " in f.message for f in reports[0].findings)


def test_x12_4010_is_an_input_error_naming_the_version(engine) -> None:
    data = X12_FIXTURE.read_bytes().replace(b"005010X222A1", b"004010X098A1")
    with pytest.raises(cleanclaim.InputError) as e:
        engine.check_x12(data)
    assert e.value.code == "x12"
    assert "004010X098A1" in str(e.value)


def test_x12_garbage_is_an_input_error(engine) -> None:
    with pytest.raises(cleanclaim.InputError) as e:
        engine.check_x12(b"\x00\xff this is not an interchange \x01" * 10)
    assert e.value.code in ("x12", "limit")


def test_x12_missing_file_and_wrong_type(engine, tmp_path) -> None:
    with pytest.raises(cleanclaim.CleanclaimError) as e:
        engine.check_x12(tmp_path / "nope.837")
    assert e.value.code == "io"
    with pytest.raises(TypeError):
        engine.check_x12(837)


def test_json_lines_from_a_path_are_the_texts_reports(engine, tmp_path) -> None:
    claims = [json.loads((EXAMPLES / name).read_text()) for name in
              ("clean-office-visit.json", "defective-pointer-and-units.json", "defective-dates.json")]
    lines = []
    for i in range(3000):
        claim = dict(claims[i % 3], id=f"P{i}")
        lines.append(json.dumps(claim))
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n")
    from_text = engine.check_json(path.read_text())
    from_path = engine.check_json(path)
    assert [(r.claim_id, r.rule_ids()) for r in from_path] == [(r.claim_id, r.rule_ids()) for r in from_text]
    assert len(from_path) == 3000 and sum(not r.ok for r in from_path) == 2000
    # A str is text, never a path.
    with pytest.raises(cleanclaim.InputError):
        engine.check_json(str(path))
    # A bad line is an error naming the file and the line, and no reports come back.
    path.write_text("\n".join(lines[:2500] + ['{"id": 7}'] + lines[2500:]))
    with pytest.raises(cleanclaim.InputError) as e:
        engine.check_json(path)
    assert str(e.value).startswith(f"{path}:2501:"), str(e.value)
    with pytest.raises(cleanclaim.CleanclaimError) as e:
        engine.check_json(tmp_path / "nope.jsonl")
    assert e.value.code == "io" and "nope.jsonl" in str(e.value)
    with pytest.raises(TypeError):
        engine.check_json(837)


def test_check_file_tells_the_format_by_content(engine, tmp_path) -> None:
    # An 837, claim JSON and JSON lines, whatever their names say.
    for name, data in (("a.txt", X12_FIXTURE.read_bytes()),
                       ("b.837", (EXAMPLES / "defective-pointer-and-units.json").read_bytes())):
        path = tmp_path / name
        path.write_bytes(data)
        for arg in (path, str(path)):
            reports = engine.check_file(arg)
            assert [r.rule_ids() for r in reports] == [json_rule_ids(engine)]
    lines = tmp_path / "day"
    lines.write_text("\n".join((EXAMPLES / n).read_text().replace("\n", "") for n in
                               ("clean-office-visit.json", "defective-dates.json")))
    assert [r.ok for r in engine.check_file(lines)] == [True, False]
    remit = tmp_path / "day.835"
    remit.write_text("ISA*00*          *00*          *ZZ*S              *ZZ*R              *260101*1200*^*00501*"
                     "000000001*0*T*:~GS*HP*S*R*20260101*1200*1*X*005010X221A1~ST*835*0001~")
    with pytest.raises(cleanclaim.InputError) as e:
        engine.check_file(remit)
    assert e.value.code == "x12" and "an 835 remittance, not claims" in str(e.value)
    with pytest.raises(cleanclaim.CleanclaimError) as e:
        engine.check_file(tmp_path / "nope")
    assert e.value.code == "io"
    with pytest.raises(TypeError):
        engine.check_file(837)


def ptp_claim() -> dict:
    claim = json.loads((EXAMPLES / "clean-office-visit.json").read_text())
    # Arthrocentesis (20610) with ultrasound guidance (76942) on one date: a PTP pair.
    claim["lines"][1]["procedure"] = "20610"
    claim["lines"][2]["procedure"] = "76942"
    return claim


def test_ncci_tables_from_a_folder(engine) -> None:
    assert "ncci.ptp" not in engine.check(ptp_claim()).rule_ids()
    with_tables = cleanclaim.Engine(as_of=AS_OF, ncci_dir=NCCI_TABLES)
    report = with_tables.check(ptp_claim())
    ptp = [f for f in report.findings if f.rule == "ncci.ptp"]
    assert [f.path for f in ptp] == ["lines[2].procedure"]
    assert with_tables.options["ncci_dir"] == str(NCCI_TABLES)
    # Pickling keeps the tables (the folder is re-read on the other side).
    again = pickle.loads(pickle.dumps(with_tables))
    assert again.check(ptp_claim()).rule_ids() == report.rule_ids()


def test_ncci_folder_without_tables_is_a_config_error(tmp_path) -> None:
    with pytest.raises(cleanclaim.ConfigError):
        cleanclaim.Engine(as_of=AS_OF, ncci_dir=str(tmp_path))
    with pytest.raises(cleanclaim.ConfigError):
        cleanclaim.Engine(as_of=AS_OF, ncci_dir=42)


def test_release_files() -> None:
    order = corpus() / "codesets" / "icd10cm" / "FY2021-Jan_icd10cm-order-Jan-2021.txt"
    if not order.exists():
        if os.environ.get("CI"):
            pytest.fail(f"corpus missing at {order}")
        pytest.skip(f"no corpus at {order}")
    spec = f"icd10cm-order:{order}@2021-01-01"
    engine = cleanclaim.Engine(as_of=AS_OF, releases=[spec])
    assert engine.options["releases"] == (spec,)
    found = engine.lookup("A00.0", "2021-01-15")
    assert found is not None and found["valid"]
    again = pickle.loads(pickle.dumps(engine))
    assert again.options == engine.options


def test_bad_release_specs() -> None:
    with pytest.raises(cleanclaim.ConfigError):
        cleanclaim.Engine(releases=["icd10cm-nope:/x.txt@2021-01-01"])
    with pytest.raises(cleanclaim.ConfigError):
        cleanclaim.Engine(releases=["icd10cm-order:/x.txt"])
    with pytest.raises(cleanclaim.CleanclaimError) as e:
        cleanclaim.Engine(releases=["icd10cm-order:/definitely/not/here.txt@2021-01-01"])
    assert e.value.code == "io"
