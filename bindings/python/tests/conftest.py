"""Shared fixtures: repository paths, example claims, and claims flattened into tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

import cleanclaim

ROOT = Path(__file__).resolve().parents[3]
VECTORS = ROOT / "tests" / "vectors"
EXAMPLES = ROOT / "examples" / "claims"
AS_OF = "2026-11-30"


@pytest.fixture(scope="session")
def engine() -> cleanclaim.Engine:
    return cleanclaim.Engine(as_of=AS_OF)


def example_claims() -> List[Dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(EXAMPLES.glob("*.json"))]


def vector_claims() -> List[Dict[str, Any]]:
    out = []
    for p in sorted(VECTORS.glob("*.json")):
        v = json.loads(p.read_text())
        if "profile" not in v:
            out.append(v["claim"])
    return out


@pytest.fixture(scope="session")
def claims() -> List[Dict[str, Any]]:
    return example_claims()


def flatten(claims: List[Dict[str, Any]]) -> Tuple[Dict[str, list], Dict[str, list]]:
    """Claims → (claim columns, line columns) in the check_frame layout. Only the columns the
    layout has; claims using other fields are left out by `frame_friendly`."""
    cc: Dict[str, list] = {k: [] for k in (
        "claim_id kind frequency billing_npi rendering_npi payer_id member_id birth_date sex "
        "place_of_service type_of_bill statement_from statement_to total_charge".split()
    )}
    for n in range(1, 13):
        cc[f"dx{n}"] = []
    lc: Dict[str, list] = {k: [] for k in (
        "claim_id line procedure modifiers revenue_code units charge pointers date".split()
    )}
    for c in claims:
        sub = c.get("subscriber", {})
        row = {
            "claim_id": c["id"],
            "kind": c["kind"],
            "frequency": c.get("frequency"),
            "billing_npi": c.get("billing_provider", {}).get("npi"),
            "rendering_npi": (c.get("rendering_provider") or {}).get("npi"),
            "payer_id": c.get("payer", {}).get("id"),
            "member_id": sub.get("member_id"),
            "birth_date": sub.get("birth_date"),
            "sex": sub.get("sex"),
            "place_of_service": c.get("place_of_service"),
            "type_of_bill": c.get("type_of_bill"),
            "statement_from": c.get("statement_from"),
            "statement_to": c.get("statement_to"),
            "total_charge": c.get("total_charge"),
        }
        dx = [d["code"] for d in c.get("diagnoses", [])]
        for n in range(1, 13):
            row[f"dx{n}"] = dx[n - 1] if n <= len(dx) else None
        for k, v in row.items():
            cc[k].append(v)
        for i, line in enumerate(c.get("lines", []), start=1):
            lrow = {
                "claim_id": c["id"],
                "line": i,
                "procedure": line.get("procedure"),
                "modifiers": line.get("modifiers", []),
                "revenue_code": line.get("revenue_code"),
                "units": float(line["units"]),
                "charge": float(line["charge"]),
                "pointers": line.get("pointers", []),
                "date": line.get("date"),
            }
            for k, v in lrow.items():
                lc[k].append(v)
    return cc, lc


def frame_friendly(c: Dict[str, Any]) -> Dict[str, Any]:
    """The claim reduced to what the table layout carries (so table and dict agree)."""
    sub = {k: v for k, v in c.get("subscriber", {}).items() if k in ("member_id", "birth_date", "sex")}
    out: Dict[str, Any] = {
        "id": c["id"],
        "kind": c["kind"],
        "billing_provider": {k: v for k, v in c["billing_provider"].items() if k == "npi"},
        "subscriber": sub,
        "payer": {k: v for k, v in c["payer"].items() if k == "id"},
        "diagnoses": [{"code": d["code"]} for d in c.get("diagnoses", [])][:12],
        "lines": [
            {k: v for k, v in line.items()
             if k in ("procedure", "modifiers", "revenue_code", "units", "charge", "pointers", "date")}
            for line in c["lines"]
        ],
        "total_charge": c["total_charge"],
    }
    for k in ("frequency", "place_of_service", "type_of_bill", "statement_from", "statement_to"):
        if k in c:
            out[k] = c[k]
    if c.get("rendering_provider", {}).get("npi"):
        out["rendering_provider"] = {"npi": c["rendering_provider"]["npi"]}
    return out
