"""cleanclaim: check medical claims before they leave.

Checks claims for invalid or incomplete codes, bad NPIs, diagnosis pointers to nothing,
totals that do not add up and more. Every finding carries a stable rule id, a severity, the
path of the field at fault and a message that never contains patient data.

>>> import cleanclaim
>>> engine = cleanclaim.Engine(as_of="2026-11-30")
>>> report = engine.check(claim_dict)          # doctest: +SKIP
>>> report.ok, [f.rule for f in report.findings]  # doctest: +SKIP

Batches: :meth:`Engine.check_many` (any iterable of claims, all cores, GIL released),
:meth:`Engine.check_json` (a whole file: one claim, an array or JSON lines) and
:meth:`Engine.check_frame` (pandas / polars / pyarrow tables of claims and lines).
"""

from __future__ import annotations

from ._errors import (
    CleanclaimError,
    CodeSetError,
    ConfigError,
    InputError,
    InternalError,
)
from ._native import CORE_VERSION, Claim, Engine, Finding, Report, __version__, rules

__all__ = [
    "__version__",
    "CORE_VERSION",
    "Engine",
    "Claim",
    "Report",
    "Finding",
    "rules",
    "CleanclaimError",
    "InputError",
    "CodeSetError",
    "ConfigError",
    "InternalError",
]
