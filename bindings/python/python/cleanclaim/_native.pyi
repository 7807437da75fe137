"""Type stubs for the native half of cleanclaim (``cleanclaim._native``)."""

import datetime
import os
from typing import Any, Dict, Iterable, List, Literal, Mapping, Optional, Tuple, Union

__version__: str
CORE_VERSION: str
FINDING_COLUMNS: Tuple[str, ...]

Severity = Literal["error", "warning", "info"]
JsonText = Union[str, bytes, bytearray, memoryview]
ClaimLike = Union["Claim", Mapping[str, Any], JsonText]
X12Input = Union[bytes, bytearray, memoryview, str, "os.PathLike[str]"]

class Finding:
    """One problem found on a claim."""

    @property
    def rule(self) -> str:
        """Stable rule id, e.g. ``line.pointer_invalid``."""
    @property
    def severity(self) -> Severity:
        """``"error"``, ``"warning"`` or ``"info"``."""
    @property
    def path(self) -> str:
        """Field path, e.g. ``lines[2].pointers[0]`` (0-based indices)."""
    @property
    def message(self) -> str:
        """What is wrong and how to fix it; never contains patient data."""
    @property
    def line(self) -> Optional[int]:
        """1-based service line number, or ``None`` for claim-level findings."""
    def to_dict(self) -> Dict[str, Any]:
        """The finding as a dict with keys ``rule, severity, path, message, line``."""

class Report:
    """The result of checking one claim."""

    @property
    def ok(self) -> bool:
        """True when no finding has severity ``"error"``."""
    @property
    def claim_id(self) -> Optional[str]:
        """The claim id (CLM01), when the claim had one."""
    @property
    def findings(self) -> List[Finding]:
        """The findings, in rule-catalogue order."""
    def rule_ids(self) -> List[str]:
        """The sorted, distinct rule ids of the findings."""
    def to_dict(self) -> Dict[str, Any]:
        """The report as a dict shaped like the Report JSON."""
    def __len__(self) -> int:
        """The number of findings."""

class Claim:
    """A claim in the shared JSON model, parsed and validated once."""

    def __init__(self, data: ClaimLike) -> None:
        """Builds a claim from a dict, JSON text or another ``Claim``."""
    @staticmethod
    def from_json(text: JsonText) -> "Claim":
        """Parses a claim from JSON text."""
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> "Claim":
        """Builds a claim from a dict shaped like the claim JSON."""
    @property
    def id(self) -> str:
        """The claim id (patient control number, CLM01)."""
    @property
    def kind(self) -> Literal["professional", "institutional"]:
        """The claim form."""
    @property
    def claim_type(self) -> Literal["professional", "inpatient", "outpatient"]:
        """What rules apply to."""
    def to_json(self) -> str:
        """The claim as normalized JSON (contains patient data)."""
    def to_dict(self) -> Dict[str, Any]:
        """The claim as a dict of plain values (contains patient data)."""

class Engine:
    """Checks claims; immutable, thread-safe and picklable."""

    def __init__(
        self,
        *,
        as_of: Union[datetime.date, str, None] = None,
        disable: Iterable[str] = (),
        enable: Iterable[str] = (),
        severity: Optional[Mapping[str, Severity]] = None,
        profile: Optional[str] = None,
        ncci_dir: Union[str, "os.PathLike[str]", None] = None,
        releases: Iterable[str] = (),
    ) -> None:
        """Builds an engine; raises ``ConfigError`` for unknown rule ids or bad options."""
    def check(self, claim: ClaimLike) -> Report:
        """Checks one claim."""
    def check_many(self, claims: Iterable[ClaimLike]) -> List[Report]:
        """Checks many claims on every core with the GIL released."""
    def check_json(self, text: Union[JsonText, "os.PathLike[str]"]) -> List[Report]:
        """Checks a document: one claim, a JSON array or JSON lines; a PathLike is a file,
        read as it is checked (a str is text)."""
    def check_file(self, path: Union[str, "os.PathLike[str]"]) -> List[Report]:
        """Checks every claim of a file: claim JSON, JSON lines, X12 837 or FHIR, told by
        content; JSON lines and 837s are read as they are checked."""
    def check_x12(self, data: X12Input) -> List[Report]:
        """Checks every claim in an X12 837: bytes are the content, str/PathLike a path."""
    def check_frame(self, claims: Any, lines: Any) -> Any:
        """Checks tables of claims and lines; returns a findings table."""
    def lookup(
        self, code: str, date: Union[datetime.date, str, None] = None
    ) -> Optional[Dict[str, Any]]:
        """Everything known about a code, or ``None`` when unknown."""
    def search(self, words: str, limit: int = 20) -> List[Dict[str, Any]]:
        """Ranked ICD-10-CM search, best first."""
    def icd10cm_validity(
        self, codes: Iterable[str], date: Union[datetime.date, str]
    ) -> List[bool]:
        """Whether each ICD-10-CM code is valid on ``date``, in input order.

        ``codes``: a list/tuple/iterable of str, a numpy str array, a pyarrow string or
        dictionary array or a polars Series (read through its buffers; a null is ``False``),
        or a pandas Series, Index or Categorical (a missing value is ``False``)."""
    def icd10cm_valid(self, code: str, date: Union[datetime.date, str]) -> bool:
        """Whether one ICD-10-CM code is valid on ``date`` (no list built)."""
    def rules(self) -> List[Tuple[str, Severity]]:
        """The rules this engine runs, with effective severities."""
    @property
    def options(self) -> Dict[str, Any]:
        """The options this engine was built with."""
    def _check_columns(self, claims: Dict[str, List[Any]], lines: Dict[str, List[Any]]) -> "_Findings": ...
    def _check_arrow(self, claims: Any, lines: Any) -> Optional["_Findings"]: ...
    @staticmethod
    def _from_options(options: Dict[str, Any]) -> "Engine": ...

class _Findings:
    """What ``check_frame`` found, until the caller's library builds its table."""
    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        """The findings as an ``arrow_array_stream`` PyCapsule."""
    def _stream(self, rows_per_batch: int) -> Any:
        """``__arrow_c_stream__`` with batches of ``rows_per_batch`` rows (tests)."""
    def columns(self) -> Dict[str, List[Any]]:
        """The findings as ``{column: list}``."""
    def __len__(self) -> int: ...

def rules() -> List[Dict[str, Any]]:
    """The rule catalogue."""

def _bench_core_check_many(engine: Engine, claims: Iterable[ClaimLike], repeat: int) -> float: ...
def _bench_core_check(engine: Engine, claim: ClaimLike, n: int) -> float: ...
def _panic_for_test() -> None: ...
def _bench_convert(claims: List[ClaimLike], repeat: int) -> Tuple[float, float]: ...
def _frame_reads(table: str, name: str) -> bool:
    """Whether ``check_frame`` reads a column of this name in its ``claims`` or ``lines`` table."""
