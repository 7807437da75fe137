"""DataFrame support for :meth:`cleanclaim.Engine.check_frame`.

Hands pandas, polars or pyarrow tables to the native engine through the Arrow C stream
interface, or as columns of Python values when a column has a type that path does not take,
and builds the findings table in the caller's library. No checking happens here.
"""

from __future__ import annotations

from typing import Any, Dict, List

from ._native import FINDING_COLUMNS, _frame_reads


def _library(table: Any) -> str:
    mod = type(table).__module__.split(".", 1)[0]
    if mod in ("pandas", "polars", "pyarrow"):
        return mod
    if isinstance(table, dict):
        return "dict"
    raise TypeError(
        "check_frame expects pandas or polars DataFrames, pyarrow Tables/RecordBatches "
        f"or dicts of lists, not {type(table).__name__}"
    )


def _pandas_column(series: Any) -> List[Any]:
    # NaN/NaT/pd.NA become None; object dtype keeps Python scalars (ints stay ints).
    return series.astype(object).where(series.notna(), None).tolist()


def _names(table: Any, lib: str) -> List[Any]:
    """The column names of a pyarrow, polars or pandas table, in order (repeats kept)."""
    return table.column_names if lib == "pyarrow" else list(table.columns)


def columns(table: Any) -> Dict[str, List[Any]]:
    """The table as ``{column name: list of Python values}``, with nulls as ``None``. Columns
    are taken by position, and of a repeated name the first, as the Arrow path reads it."""
    lib = _library(table)
    if lib == "dict":
        return {str(k): list(v) for k, v in table.items()}
    out: Dict[str, List[Any]] = {}
    for i, name in enumerate(_names(table, lib)):
        if str(name) in out:
            continue
        if lib == "pyarrow":
            out[str(name)] = table.column(i).to_pylist()
        elif lib == "polars":
            out[str(name)] = table.to_series(i).to_list()
        else:
            out[str(name)] = _pandas_column(table.iloc[:, i])
    return out


def _from_stream(pa: Any) -> Any:
    """pyarrow's reader of an Arrow PyCapsule stream (pyarrow 15 and later), or None."""
    return getattr(pa.RecordBatchReader, "from_stream", None)


def _pyarrow_table(found: Any) -> Any:
    """The findings as a pyarrow Table, or None without pyarrow."""
    try:
        import pyarrow as pa
    except ImportError:
        return None
    from_stream = _from_stream(pa)
    if from_stream is None:
        # pyarrow 14: no public reader of a capsule yet, only the one behind its own protocol.
        return pa.RecordBatchReader._import_from_c_capsule(found.__arrow_c_stream__()).read_all()
    return from_stream(found).read_all()


def _build(lib: str, found: Any) -> Any:
    """The findings (a native ``_Findings``) as a table of the caller's library: imported
    through the Arrow stream, which is built in Rust with no Python object per cell, where the
    library reads one; as Python values for a dict, and for pandas without pyarrow."""
    if lib == "pyarrow":
        return _pyarrow_table(found)
    if lib == "polars":
        import polars as pl

        try:
            return pl.DataFrame(found)
        except TypeError:
            # A polars from before its constructor read the Arrow PyCapsule interface
            # (pola-rs/polars#17693, mid-2024).
            schema = {name: pl.Utf8 for name in FINDING_COLUMNS[:-1]}
            schema["line"] = pl.Int32
            return pl.DataFrame(found.columns(), schema=schema)
    if lib == "pandas":
        import pandas as pd

        table = _pyarrow_table(found)
        if table is not None:
            # The same frame as below with no Python object per cell on our side: 3.4-3.7 ->
            # 2.6-2.8 us per claim with pandas 2.3 (5.3 findings per claim).
            import pyarrow as pa

            return table.to_pandas(types_mapper={pa.string(): pd.StringDtype(), pa.int32(): pd.Int32Dtype()}.get)
        cols = found.columns()
        frame = pd.DataFrame({k: cols[k] for k in FINDING_COLUMNS[:-1]}, dtype=object)
        frame["line"] = pd.array(cols["line"], dtype="Int32")
        for name in FINDING_COLUMNS[:-1]:
            frame[name] = frame[name].astype("string")
        return frame
    return found.columns()


def _read_columns(table: Any, lib: str, which: str) -> Any:
    """The table cut to the columns ``check_frame`` reads from it. The native reader skips the
    others anyway; the cut is for the export: pandas converts every column it exports (an
    analyst's frame has many more, and one it cannot convert would stop the export), polars and
    pyarrow select without copying. Columns are picked by position, so a repeated name stays as
    the table has it. A dict is returned as it is."""
    if lib == "dict":
        return table
    names = _names(table, lib)
    keep = [i for i, name in enumerate(names) if _frame_reads(which, str(name))]
    if len(keep) == len(names):
        return table
    if lib == "pandas":
        return table.iloc[:, keep]
    return table.select(keep) if lib == "pyarrow" else table[:, keep]


def _arrow_stream(table: Any, lib: str) -> Any:
    """The table's Arrow C stream (a PyCapsule), or None when its library cannot export it (a
    pandas object column pyarrow cannot type, say)."""
    if lib == "polars":
        import polars as pl

        # polars exports a column of nothing but nulls (type Null) with a buffer arrow-rs
        # refuses (pola-rs/polars#22934); as text its nulls read the same.
        table = table.with_columns(pl.col(pl.Null).cast(pl.String))
    try:
        return table.__arrow_c_stream__()
    except Exception:
        return None


def check_frame(engine: Any, claims: Any, lines: Any) -> Any:
    """See :meth:`cleanclaim.Engine.check_frame`."""
    tables = []
    for table, which in ((claims, "claims"), (lines, "lines")):
        lib = _library(table)
        # A stream can be read once; the Python-values path may need the table after the Arrow
        # path declined it.
        if lib == "pyarrow" and type(table).__name__ == "RecordBatchReader":
            table = table.read_all()
        tables.append((_read_columns(table, lib, which), lib))
    (claims, claims_lib), (lines, lines_lib) = tables
    # Arrow buffers are read in Rust with no Python object per cell; a table with a column
    # type that path does not take (None back) goes through Python values instead. The lines
    # are exported only once the claims are: an export can be a whole conversion (pandas).
    found = None
    if all(hasattr(t, "__arrow_c_stream__") for t in (claims, lines)):
        claim_stream = _arrow_stream(claims, claims_lib)
        line_stream = None if claim_stream is None else _arrow_stream(lines, lines_lib)
        if line_stream is not None:
            found = engine._check_arrow(claim_stream, line_stream)
    if found is None:
        found = engine._check_columns(columns(claims), columns(lines))
    return _build(claims_lib, found)
