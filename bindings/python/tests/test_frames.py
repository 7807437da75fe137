"""check_frame with pandas, pyarrow, polars and plain dicts gives the same findings as check."""

from __future__ import annotations

import json

import pytest

import cleanclaim
from cleanclaim import _frame
from conftest import example_claims, flatten, frame_friendly, vector_claims

COLUMNS = ["claim_id", "rule", "severity", "path", "message", "line"]


def source_claims():
    return [frame_friendly(c) for c in example_claims() + vector_claims()
            if len(c.get("diagnoses", [])) <= 12]


def expected(engine, claims):
    rows = []
    for c in claims:
        # Through the core's JSON parser: an independent path from the frame conversion.
        r = engine.check(json.dumps(c))
        rows += [(r.claim_id, f.rule, f.severity, f.path, f.message, f.line) for f in r.findings]
    return sorted(rows, key=repr)


def unique_ids(claims):
    # Vectors reuse claim ids; a table needs them unique.
    for i, c in enumerate(claims):
        c["id"] = f"{c['id']}#{i}"
    return claims


def case(engine):
    """The source claims' columns (unique ids) and the findings `check` gives those claims."""
    claims = unique_ids(source_claims())
    cc, lc = flatten(claims)
    return cc, lc, expected(engine, claims)


def rows_of(cols):
    return sorted(zip(*(cols[k] for k in COLUMNS)), key=repr)


def pandas_rows(frame):
    """A findings DataFrame's rows as `rows_of` gives them (pandas' NA as None)."""
    return sorted(zip(*(frame[k].astype(object).where(frame[k].notna(), None).tolist() for k in COLUMNS)), key=repr)


def forbid_python_values(monkeypatch):
    """Makes reading a table as Python values fail, so a test proves the Arrow path was taken."""
    def no_python_values(table):
        raise AssertionError("check_frame read the table as Python values")

    monkeypatch.setattr(_frame, "columns", no_python_values)


def test_dict_columns(engine) -> None:
    claims = unique_ids(source_claims())
    cc, lc = flatten(claims)
    out = engine.check_frame(cc, lc)
    assert list(out) == COLUMNS
    assert rows_of(out) == expected(engine, claims)


def test_pandas(engine) -> None:
    pd = pytest.importorskip("pandas")
    claims = unique_ids(source_claims())
    cc, lc = flatten(claims)
    cdf, ldf = pd.DataFrame(cc), pd.DataFrame(lc)
    # Real frames carry typed dates and shuffled rows.
    for col in ("statement_from", "statement_to"):
        cdf[col] = pd.to_datetime(cdf[col])
    ldf = ldf.sample(frac=1.0, random_state=7)
    out = engine.check_frame(cdf, ldf)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == COLUMNS
    got = sorted(
        (None if pd.isna(r.claim_id) else r.claim_id, r.rule, r.severity, r.path, r.message,
         None if pd.isna(r.line) else int(r.line))
        for r in out.itertuples()
    )
    assert sorted(got, key=repr) == expected(engine, claims)


def test_pyarrow(engine) -> None:
    pa = pytest.importorskip("pyarrow")
    claims = unique_ids(source_claims())
    cc, lc = flatten(claims)
    ct, lt = pa.table(cc), pa.table(lc)
    out = engine.check_frame(ct, lt)
    assert isinstance(out, pa.Table) and out.column_names == COLUMNS
    assert out.schema.field("line").type == pa.int32()
    assert rows_of(out.to_pydict()) == expected(engine, claims)
    batches = engine.check_frame(ct.to_batches()[0], lt.to_batches()[0])
    assert rows_of(batches.to_pydict()) == expected(engine, claims)


def test_polars(engine) -> None:
    pl = pytest.importorskip("polars")
    claims = unique_ids(source_claims())
    cc, lc = flatten(claims)
    out = engine.check_frame(pl.DataFrame(cc, strict=False), pl.DataFrame(lc, strict=False))
    assert isinstance(out, pl.DataFrame) and out.columns == COLUMNS
    assert rows_of(out.to_dict(as_series=False)) == expected(engine, claims)


def test_comma_separated_lists_and_empty_results(engine) -> None:
    claims = unique_ids([frame_friendly(c) for c in example_claims()[:1]])
    cc, lc = flatten(claims)
    lc["modifiers"] = [",".join(m) for m in lc["modifiers"]]
    lc["pointers"] = [",".join(map(str, p)) for p in lc["pointers"]]
    out = engine.check_frame(cc, lc)
    assert rows_of(out) == expected(engine, claims)
    assert out["rule"] == [] or all(out[k] is not None for k in COLUMNS)


def test_bad_tables_raise_input_errors(engine) -> None:
    claims = unique_ids([frame_friendly(c) for c in example_claims()[:2]])
    cc, lc = flatten(claims)
    with pytest.raises(cleanclaim.InputError, match="no claim row|matches no claim"):
        engine.check_frame(cc, {**lc, "claim_id": ["nope"] * len(lc["claim_id"])})
    bad = dict(cc)
    bad["claim_id"] = [cc["claim_id"][0]] * len(cc["claim_id"])
    with pytest.raises(cleanclaim.InputError, match="duplicate"):
        engine.check_frame(bad, lc)
    bad = {**lc, "units": ["lots"] * len(lc["units"])}
    with pytest.raises(cleanclaim.InputError) as ei:
        engine.check_frame(cc, bad)
    assert ei.value.row == 0 and ei.value.path == "lines[0].units"
    with pytest.raises(TypeError):
        engine.check_frame([1, 2], lc)


def copies(base, n, prefix):
    """`n` claims cycling through `base`, each with its own id."""
    return [{**base[i % len(base)], "id": f"{prefix}{i:05d}"} for i in range(n)]


def test_many_rows_and_nested_columns(engine) -> None:
    claims = copies(unique_ids(source_claims()), 700, "F")
    cc, lc = flatten(claims)
    out = engine.check_frame(cc, lc)
    assert rows_of(out) == expected(engine, claims)


def test_frame_errors_name_row_and_path_never_the_value(engine) -> None:
    canary = "Zq7Canary"
    claims = unique_ids(source_claims())
    cc, lc = flatten(claims)
    row = len(claims) - 1
    bad = dict(cc)
    bad["birth_date"] = list(cc.get("birth_date", [None] * len(claims)))
    bad["birth_date"][row] = canary
    bad["member_id"] = [canary + "Member"] * len(claims)
    with pytest.raises(cleanclaim.InputError) as ei:
        engine.check_frame(bad, lc)
    e = ei.value
    assert e.row == row and e.path == "subscriber.birth_date"
    assert canary not in str(e) + repr(e.args)
    bad = dict(cc)
    bad["sex"] = [canary] * len(claims)
    with pytest.raises(cleanclaim.InputError) as ei:
        engine.check_frame(bad, lc)
    assert ei.value.row == 0 and ei.value.path == "subscriber.sex" and canary not in str(ei.value)


def test_claim_ids_match_by_text_in_any_row_order(engine) -> None:
    # Integer ids in the claims table, their text in the lines table, lines interleaved so
    # that consecutive rows both repeat and change claims.
    claims = [c for c in unique_ids(source_claims()) if c.get("lines")][:6]
    for i, c in enumerate(claims):
        c["id"] = str(100 + i)
    cc, lc = flatten(claims)
    cc["claim_id"] = [int(i) for i in cc["claim_id"]]
    order = sorted(range(len(lc["claim_id"])), key=lambda r: (lc["line"][r], lc["claim_id"][r]))
    lc = {k: [v[r] for r in order] for k, v in lc.items()}
    out = engine.check_frame(cc, lc)
    assert rows_of(out) == expected(engine, claims)


def test_a_bad_row_past_the_first_chunk_is_named_by_its_own_number(engine) -> None:
    # Rows are checked in chunks of a few hundred; the error must still name the first bad
    # row of the whole table.
    claims = copies([c for c in unique_ids(source_claims()) if c.get("lines")], 900, "R")
    cc, lc = flatten(claims)
    for bad in (611, 840):
        rows = [r for r, cid in enumerate(lc["claim_id"]) if cid == f"R{bad:05d}"]
        lc["units"] = [("lots" if r == rows[0] else u) for r, u in enumerate(lc["units"])]
    with pytest.raises(cleanclaim.InputError) as ei:
        engine.check_frame(cc, lc)
    assert ei.value.row == 611 and ei.value.path == "lines[0].units"


def _arrow(engine, claims_table, lines_table):
    """The Arrow path alone (no fallback to Python values), findings as columns."""
    found = engine._check_arrow(claims_table.__arrow_c_stream__(), lines_table.__arrow_c_stream__())
    return None if found is None else found.columns()


def test_arrow_tables_are_read_from_their_buffers_in_every_layout(engine) -> None:
    pa = pytest.importorskip("pyarrow")
    claims = unique_ids(source_claims())
    cc, lc = flatten(claims)
    want = expected(engine, claims)
    ct, lt = pa.table(cc), pa.table(lc)

    def strings_as(t, typ):
        return t.cast(pa.schema([pa.field(f.name, typ) if f.type == pa.string() else f for f in t.schema]))

    def dictionary(t):
        return pa.table({n: (c.dictionary_encode() if c.type == pa.string() else c)
                         for n, c in zip(t.column_names, t.columns)})

    def typed_dates(t, typ):
        cols = {n: c for n, c in zip(t.column_names, t.columns)}
        for n in ("birth_date", "statement_from", "statement_to", "date"):
            if n in cols:
                cols[n] = cols[n].cast(pa.date32()).cast(typ)
        return pa.table(cols)

    layouts = {
        "as built": lambda t: t,
        "several batches": lambda t: pa.concat_tables([t.slice(0, 2), t.slice(2, 3), t.slice(5)]),
        "large strings": lambda t: strings_as(t, pa.large_string()),
        "string views": lambda t: strings_as(t, pa.string_view()),
        "dictionary strings": dictionary,
        "date32": lambda t: typed_dates(t, pa.date32()),
        "date64": lambda t: typed_dates(t, pa.date64()),
        "timestamps": lambda t: typed_dates(t, pa.timestamp("us")),
    }
    # No line with a modifier: a list<null> column.
    lines_without_modifiers = pa.table({**lc, "modifiers": [[] for _ in lc["modifiers"]]})
    claims_without = [{**c, "lines": [{k: v for k, v in line.items() if k != "modifiers"} for line in c["lines"]]}
                      for c in claims]
    assert lines_without_modifiers.schema.field("modifiers").type == pa.list_(pa.null())
    out = _arrow(engine, ct, lines_without_modifiers)
    assert out is not None and rows_of(out) == expected(engine, claims_without)
    for name, layout in layouts.items():
        out = _arrow(engine, layout(ct), layout(lt))
        assert out is not None, name
        assert rows_of(out) == want, name


def test_pandas_and_polars_tables_take_the_arrow_path(engine, monkeypatch) -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    claims = unique_ids(source_claims())
    cc, lc = flatten(claims)
    want = expected(engine, claims)
    cdf, ldf = pd.DataFrame(cc), pd.DataFrame(lc).sample(frac=1.0, random_state=3)
    cdf["statement_from"] = pd.to_datetime(cdf["statement_from"])
    assert rows_of(_arrow(engine, cdf, ldf)) == want
    # polars' string views are read directly, and its all-null columns (dx2..dx12 here, typed
    # Null, which polars exports in a form arrow-rs refuses) are cast to text first.
    pc, plines = pl.DataFrame(cc, strict=False), pl.DataFrame(lc, strict=False)
    assert any(t == pl.Null for t in pc.dtypes)
    # And check_frame takes that path: the Python-values reader is not reached.
    forbid_python_values(monkeypatch)
    got = engine.check_frame(cdf, ldf)
    assert pandas_rows(got) == want
    assert rows_of(engine.check_frame(pc, plines).to_dict(as_series=False)) == want


def test_arrow_columns_of_other_types_fall_back_to_python_values(engine) -> None:
    pa = pytest.importorskip("pyarrow")
    claims = unique_ids(source_claims())
    cc, lc = flatten(claims)
    # Decimal charges: not read from Arrow, but the Python path takes them.
    from decimal import Decimal

    lc = {**lc, "charge": [Decimal(str(c)) for c in lc["charge"]]}
    ct, lt = pa.table(cc), pa.table(lc)
    assert _arrow(engine, ct, lt) is None
    assert rows_of(engine.check_frame(ct, lt).to_pydict()) == rows_of(engine.check_frame(cc, lc))


def test_arrow_path_matches_ids_by_text_and_raises_the_frame_errors(engine) -> None:
    # The Arrow path alone: integer claim ids matched by their text in the lines table, each
    # input error of the row logic, and a column the frame does not read (`dx01` is not `dx1`)
    # whose type it could not read either, which must not send the table to Python values.
    pa = pytest.importorskip("pyarrow")
    from decimal import Decimal

    claims = [c for c in unique_ids(source_claims()) if c.get("lines")][:6]
    for i, c in enumerate(claims):
        c["id"] = str(100 + i)
    cc, lc = flatten(claims)
    cc["claim_id"] = [int(i) for i in cc["claim_id"]]
    unread = pa.array([Decimal("1.5")] * len(cc["claim_id"]))
    out = _arrow(engine, pa.table(cc).append_column("dx01", unread), pa.table(lc))
    assert out is not None and rows_of(out) == expected(engine, claims)
    n = len(lc["claim_id"])
    for claims_table, lines_table, message in (
        (cc, {**lc, "claim_id": ["nope"] * n}, "matches no claim"),
        ({**cc, "claim_id": [cc["claim_id"][0]] * len(cc["claim_id"])}, lc, "duplicate"),
        (cc, {**lc, "line": ["x"] * n}, "`line` is not an integer"),
    ):
        with pytest.raises(cleanclaim.InputError, match=message):
            _arrow(engine, pa.table(claims_table), pa.table(lines_table))


def _outcome(check):
    """What a check_frame path gives: its findings, or its error's row, path and message."""
    try:
        found = check()
    except cleanclaim.InputError as e:
        return ("raised", getattr(e, "row", None), getattr(e, "path", None), str(e))
    assert found is not None
    return ("found", rows_of(found.columns()))


def test_arrow_rows_read_as_their_python_values_do(engine) -> None:
    # The Arrow path reads rows straight from the buffers, on the pool, and records on a tape
    # only the rows that reader declines; the Python-values path records every row. Each cell of
    # a small table in turn, with values of each kind its column can hold, must give both paths
    # the same findings or the same error.
    pa = pytest.importorskip("pyarrow")
    claims = [c for c in unique_ids(source_claims()) if c.get("lines")][:5]
    cc, lc = flatten(claims)
    texts = [None, "", "x", " ", "2026-02-30", "20260301", "e11.9", "E11.9", "99", "-3", "1,2", "12.50"]
    numbers = [None, float("nan"), 0.0, -1.0, 2.5, 1e20]
    lists = [[], [None], ["x"], ["25", "59"], ["25", "", "59", "25", "59", "25"]]
    int_lists = [[], [None], [0], [1, 2], [9], [1, 2, 3, 4, 5]]
    arrow_types = {"units": pa.float64(), "charge": pa.float64(), "total_charge": pa.float64(),
                   "modifiers": pa.list_(pa.string()), "pointers": pa.list_(pa.int64())}
    # Modifiers and pointers also as text ("25,59"), which both paths split.
    split = [None, "", "25,59", "25 59;76", "1,2", "1,,2", "x", "3"]
    cases = [(which, name, arrow_types.get(name, pa.string()))
             for which, cols in (("claims", cc), ("lines", lc)) for name in cols if name not in ("claim_id", "line")]
    cases += [("lines", "modifiers", pa.string()), ("lines", "pointers", pa.string())]
    kinds = {"found": 0, "raised": 0}
    for which, name, typ in cases:
        if typ == pa.string() and name in ("modifiers", "pointers"):
            values = split
            text = {name: [",".join(map(str, x)) for x in lc[name]]}
        else:
            values = {pa.float64(): numbers, pa.string(): texts}.get(typ, int_lists if name == "pointers" else lists)
            text = {}
        types = {**arrow_types, name: typ}
        for row in (0, 2):
            for v in values:
                c2, l2 = {k: list(x) for k, x in cc.items()}, {k: list(x) for k, x in {**lc, **text}.items()}
                (c2 if which == "claims" else l2)[name][row] = v
                table = lambda cols: pa.table({k: pa.array(x, types.get(k)) for k, x in cols.items()})
                arrow = _outcome(lambda: engine._check_arrow(table(c2).__arrow_c_stream__(),
                                                             table(l2).__arrow_c_stream__()))
                python = _outcome(lambda: engine._check_columns(c2, l2))
                assert arrow == python, (which, name, row, v)
                kinds[arrow[0]] += 1
    # Both outcomes occur, or the test says nothing about one of them.
    assert kinds["found"] > 100 and kinds["raised"] > 20, kinds


def test_a_gap_in_the_diagnosis_columns_is_the_rows_error_on_both_paths(engine) -> None:
    pa = pytest.importorskip("pyarrow")
    claims = [c for c in unique_ids(source_claims()) if len(c.get("diagnoses", [])) >= 2][:4]
    cc, lc = flatten(claims)
    cc["dx1"][3] = None
    for check in (lambda: engine._check_columns(cc, lc),
                  lambda: _arrow(engine, pa.table(cc), pa.table(lc))):
        with pytest.raises(cleanclaim.InputError, match="dx1 is empty but dx2 is set") as ei:
            check()
        assert ei.value.row == 3 and ei.value.path == "diagnoses"


def test_an_arrow_date_past_year_9999_is_an_error_not_a_missing_date(engine) -> None:
    # The Python-values path cannot hold such a date either; the Arrow path must not drop it.
    pa = pytest.importorskip("pyarrow")
    claims = unique_ids(source_claims())
    cc, lc = flatten(claims)
    far = pa.array([3_000_000] * len(cc["claim_id"]), pa.int32()).cast(pa.date32())
    ct = pa.table(cc)
    ct = ct.set_column(ct.column_names.index("statement_from"), "statement_from", far)
    with pytest.raises(cleanclaim.InputError) as ei:
        _arrow(engine, ct, pa.table(lc))
    assert ei.value.row == 0 and ei.value.path == "statement_from"


def test_findings_are_built_in_arrow_and_read_the_same_by_every_library(engine, monkeypatch) -> None:
    pa = pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    cc, lc, want = case(engine)
    found = engine._check_columns(cc, lc)
    assert len(found) == len(want) > 0
    # The stream Rust builds holds exactly the Python values' rows, with the schema the tables
    # built from Python values had (all columns nullable, line an int32).
    table = pa.RecordBatchReader.from_stream(found).read_all()
    assert table.schema == pa.schema([(k, pa.string()) for k in COLUMNS[:-1]] + [("line", pa.int32())])
    assert rows_of(table.to_pydict()) == rows_of(found.columns()) == want
    assert rows_of(pl.DataFrame(found).to_dict(as_series=False)) == want
    # pandas: the frame read through pyarrow equals the one built from Python values.
    through_arrow = _frame._build("pandas", found)
    monkeypatch.setattr(_frame, "_pyarrow_table", lambda found: None)  # as without pyarrow
    from_values = _frame._build("pandas", found)
    monkeypatch.undo()
    pd.testing.assert_frame_equal(through_arrow, from_values)
    assert list(through_arrow.dtypes.astype(str)) == ["string"] * 5 + ["Int32"]
    # pyarrow 14 (no RecordBatchReader.from_stream) imports the capsule itself: the same table.
    monkeypatch.setattr(_frame, "_from_stream", lambda pa: None)
    assert _frame._pyarrow_table(found).equals(table)
    pd.testing.assert_frame_equal(_frame._build("pandas", found), through_arrow)
    monkeypatch.undo()
    # No findings: an empty table of the same schema, in every library.
    empty = engine._check_columns({k: [] for k in cc}, {k: [] for k in lc})
    assert len(empty) == 0
    assert pa.RecordBatchReader.from_stream(empty).read_all().schema == table.schema
    assert list(_frame._build("pandas", empty).columns) == COLUMNS
    assert pl.DataFrame(empty).columns == COLUMNS
    # A polars whose constructor does not read the Arrow PyCapsule interface gets the same table
    # from Python values.
    real = pl.DataFrame

    def old_polars(data=None, *args, **kwargs):
        if hasattr(data, "__arrow_c_stream__"):
            raise TypeError("DataFrame constructor called with unsupported type")
        return real(data, *args, **kwargs)

    monkeypatch.setattr(pl, "DataFrame", old_polars)
    old = _frame._build("polars", found)
    monkeypatch.undo()
    assert old.schema == pl.DataFrame(found).schema
    assert rows_of(old.to_dict(as_series=False)) == want
    # Several record batches (65,536 findings each outside this test) read as one table.
    class Batches:
        def __arrow_c_stream__(self, requested_schema=None):
            return found._stream(3)

    batched = pa.RecordBatchReader.from_stream(Batches()).read_all()
    assert batched.column("rule").num_chunks == -(-len(want) // 3) and batched.equals(table)
    # Reading the stream moves it out of its capsule: a second read finds it released (so the
    # capsule's destructor has nothing left to release).
    capsule = found.__arrow_c_stream__()
    assert rows_of(pa.RecordBatchReader._import_from_c_capsule(capsule).read_all().to_pydict()) == want
    with pytest.raises(Exception):
        pa.RecordBatchReader._import_from_c_capsule(capsule)


def test_only_the_columns_check_frame_reads_are_exported(engine, monkeypatch) -> None:
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    cc, lc, want = case(engine)
    n = len(cc["claim_id"])
    # An analyst's frame carries columns check_frame does not read; one here is a pandas object
    # column of mixed types that pyarrow cannot export, which used to send the whole table
    # down the Python-values path.
    cdf = pd.DataFrame(cc)
    cdf["notes"] = [1 if i % 2 else "one" for i in range(n)]
    # And an unread `dx01` of decimals, a type the Arrow path refuses: were it taken for `dx1`,
    # the table would go down the Python-values path.
    from decimal import Decimal

    cdf["dx01"] = [Decimal("1.5")] * n
    with pytest.raises(Exception):
        pa.Table.from_pandas(cdf)
    forbid_python_values(monkeypatch)
    got = engine.check_frame(cdf, pd.DataFrame(lc))
    assert pandas_rows(got) == want
    # pyarrow and polars tables are cut the same way (selecting columns copies nothing).
    wide = pa.table({**cc, "notes": [str(i) for i in range(n)]})
    assert rows_of(engine.check_frame(wide, pa.table(lc)).to_pydict()) == want
    assert _frame._read_columns(wide, "pyarrow", "claims").column_names == list(cc)
    pwide = pl.DataFrame({**cc, "notes": [str(i) for i in range(n)]}, strict=False)
    assert _frame._read_columns(pwide, "polars", "claims").columns == list(cc)
    assert rows_of(engine.check_frame(pwide, pl.DataFrame(lc, strict=False)).to_dict(as_series=False)) == want
    with pytest.raises(ValueError):
        _frame._frame_reads("codes", "claim_id")


def test_repeated_column_names_and_record_batch_readers(engine) -> None:
    pa = pytest.importorskip("pyarrow")
    cc, lc, want = case(engine)
    ct = pa.table(cc)
    # A repeated read column beside an unread one: columns are picked by position, so the cut
    # table keeps both copies as the input had them, and both paths read the first copy (the
    # second would make every claim fail `kind`).
    names = ct.column_names + ["kind", "notes"]
    bogus = pa.array(["neither"] * len(ct))
    twice = pa.Table.from_arrays(ct.columns + [bogus, pa.array(["x"] * len(ct))], names=names)
    assert _frame._read_columns(twice, "pyarrow", "claims").column_names == ct.column_names + ["kind"]
    assert rows_of(engine.check_frame(twice, pa.table(lc)).to_pydict()) == want
    assert rows_of(engine._check_columns(_frame.columns(twice), lc).columns()) == want
    # A RecordBatchReader is read once into a table, so the Python-values path can still read
    # it when the Arrow path declines the other table (a dict of lines here).
    reader = pa.RecordBatchReader.from_batches(ct.schema, ct.to_batches())
    assert rows_of(engine.check_frame(reader, pa.table(lc)).to_pydict()) == want
    reader = pa.RecordBatchReader.from_batches(ct.schema, ct.to_batches())
    assert rows_of(engine.check_frame(reader, lc).to_pydict()) == want
