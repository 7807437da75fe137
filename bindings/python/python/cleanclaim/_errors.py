"""Exception hierarchy for cleanclaim.

Every error the package raises derives from :class:`CleanclaimError`; each carries ``code``,
the core's stable error code (``json``, ``invalid``, ``x12``, ``limit``, ``codeset``,
``config``, ``io``, ``internal``, ...). Messages never contain patient data. The classes take
a single message argument, so they pickle across process boundaries (multiprocessing, Spark).
"""

from __future__ import annotations

from typing import Optional


class CleanclaimError(Exception):
    """Base class of every cleanclaim error.

    Attributes: ``code`` (stable error code), ``path`` (field path such as
    ``lines[0].units``, when known), ``line`` and ``column`` (1-based position in JSON text,
    when known) and ``index`` (position in a ``check_many`` batch, when relevant).
    """

    code: str = "error"
    path: Optional[str] = None
    line: Optional[int] = None
    column: Optional[int] = None
    index: Optional[int] = None


class InputError(CleanclaimError, ValueError):
    """The claim cannot be used: bad JSON (``json``), a value that does not fit the claim
    model (``invalid``), an X12 file with nothing readable in it (``x12``) or input over a
    safety limit (``limit``).

    A claim that parses but fails checks is a :class:`~cleanclaim.Report`, never an error.
    """

    code = "invalid"


class CodeSetError(CleanclaimError):
    """A code-set or NCCI release file is malformed (``codeset``)."""

    code = "codeset"


class ConfigError(CleanclaimError, ValueError):
    """Bad engine options: unknown rule id, severity, date or profile (``config``)."""

    code = "config"


class InternalError(CleanclaimError):
    """A bug inside cleanclaim (e.g. a caught Rust panic); the process keeps running
    (``internal``)."""

    code = "internal"


__all__ = [
    "CleanclaimError",
    "InputError",
    "CodeSetError",
    "ConfigError",
    "InternalError",
]
