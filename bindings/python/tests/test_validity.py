"""Batch ICD-10-CM validity from lists, iterables, numpy and pyarrow arrays."""

from __future__ import annotations

import datetime

import pytest

import cleanclaim

CODES = ["E11.65", "E11", "ZZZ", "e1165", "A00.0", "", "S72.001A"]
ON = datetime.date(2026, 3, 2)


@pytest.fixture
def expected() -> list:
    # E11 is a header, ZZZ unknown; lower case and dots are normalized.
    return [True, False, False, True, True, False, True]


def test_lists_tuples_and_iterables_agree(engine, expected) -> None:
    assert engine.icd10cm_validity(CODES, ON) == expected
    assert engine.icd10cm_validity(tuple(CODES), "2026-03-02") == expected
    assert engine.icd10cm_validity((c for c in CODES), ON) == expected
    assert engine.icd10cm_validity([], ON) == []


@pytest.mark.parametrize("valid_share", [0, 1, 2, 3, 5, 6])
def test_mostly_valid_or_mostly_not_answers_in_place(engine, valid_share) -> None:
    # The list is built from its more common answer; the rarer one goes where it belongs,
    # whichever of the two it is, ties included (3 of 6).
    codes = ["E11.65"] * valid_share + ["E11"] * (6 - valid_share)
    codes = [codes[(i * 5) % 6] for i in range(6)] * 50
    got = engine.icd10cm_validity(codes, ON)
    assert got == [engine.icd10cm_valid(c, ON) for c in codes]
    assert all(type(v) is bool for v in got)
    assert sum(got) == valid_share * 50


def test_one_code_per_call(engine, expected) -> None:
    assert [engine.icd10cm_valid(c, ON) for c in CODES] == expected
    assert engine.icd10cm_valid("E11.65", "2026-03-02") is True
    with pytest.raises(TypeError):
        engine.icd10cm_valid(42, ON)
    with pytest.raises(cleanclaim.ConfigError):
        engine.icd10cm_valid("E11.65", "March 2")


def test_every_form_of_date_gives_the_same_day(engine) -> None:
    class Iso:
        def __init__(self, text: str) -> None:
            self.text = text

        def isoformat(self) -> str:
            return self.text

    def forms(y: int, m: int, d: int):
        return (datetime.date(y, m, d), datetime.datetime(y, m, d, 8, 0), f"{y:04}-{m:02}-{d:02}",
                Iso(f"{y:04}-{m:02}-{d:02}T08:00:00"), Iso(f"{y:04}-{m:02}-{d:02}"))

    # E11.65 is valid on 2026-03-02; B88.01 only from FY2026 (2025-10-01), so every form of
    # the day before and the day itself must be read exactly, day and month not swapped.
    for day in forms(2026, 3, 2):
        assert engine.icd10cm_valid("E11.65", day) is True, day
    for day in forms(2025, 10, 1):
        assert engine.icd10cm_valid("B88.01", day) is True, day
    for day in forms(2025, 9, 30):
        assert engine.icd10cm_valid("B88.01", day) is False, day
    for bad in ("2026-02-30", "March 2", 20260302, object()):
        with pytest.raises(cleanclaim.ConfigError):
            engine.icd10cm_valid("E11.65", bad)


def test_a_remembered_date_is_never_taken_for_another(engine) -> None:
    # A new string each call, the day before and the day B88.01 becomes valid in turn: were
    # the engine to remember a date by the address of a string it let go, the next string
    # (often at that address) would be read as the day before it.
    # A temporary argument is freed after each call.
    answers = [engine.icd10cm_valid("B88.01", f"2025-{10 if i % 2 else 9:02}-{1 if i % 2 else 30:02}")
               for i in range(2000)]
    assert answers == [i % 2 == 1 for i in range(2000)]
    before, on = "2025-09-30", "2025-10-01"
    for day, want in ((on, True), (before, False), (on, True), (datetime.date(2025, 9, 30), False), (on, True)):
        assert engine.icd10cm_valid("B88.01", day) is want, day

    # `lookup` remembers its date the same way.
    found = [engine.lookup("B88.01", f"2025-{10 if i % 2 else 9:02}-{1 if i % 2 else 30:02}")["valid"]
             for i in range(200)]
    assert found == [i % 2 == 1 for i in range(200)]

    class Day(str):
        pass

    assert engine.icd10cm_valid("B88.01", Day(before)) is False
    assert engine.icd10cm_valid("B88.01", Day(on)) is True


def test_threads_with_their_own_dates_get_their_own_answers(engine) -> None:
    # With the GIL no two calls are inside the engine at once; on a free-threaded build they
    # are, and contend for the one remembered date.
    import threading

    days = {"2025-09-30": False, "2025-10-01": True}
    wrong = []

    def run(day: str, want: bool) -> None:
        for _ in range(20000):
            if engine.icd10cm_valid("B88.01", day) is not want:
                wrong.append(day)
                return

    threads = [threading.Thread(target=run, args=item) for item in list(days.items()) * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_big_lists_take_the_same_answers(engine, expected) -> None:
    # 14,000 codes: past the size at which the list is read with the GIL released.
    assert engine.icd10cm_validity(CODES * 2000, ON) == expected * 2000


def test_list_items_of_any_str_kind(engine) -> None:
    # A list is read through the references it holds: subclasses of str, non-ASCII text (its
    # UTF-8 made on demand) and the same object twice read as their own values.
    class Code(str):
        pass

    same = "E11.65"
    codes = [Code("E11.65"), "é11.65", "E11.65\u00a0", same, same, Code("E11")] * 1000
    assert engine.icd10cm_validity(codes, ON) == [engine.icd10cm_valid(str(c), ON) for c in codes]
    assert engine.icd10cm_validity(codes, ON)[:6] == [True, False, True, True, True, False]


def test_bad_code_arguments(engine) -> None:
    with pytest.raises(TypeError):
        engine.icd10cm_validity("E11.65", ON)
    with pytest.raises(TypeError) as ei:
        engine.icd10cm_validity(["E11.65", 42], ON)
    assert "codes[1]" in str(ei.value)
    with pytest.raises(TypeError):
        engine.icd10cm_validity(["E11.65", None], ON)
    with pytest.raises(TypeError):
        engine.icd10cm_validity(7, ON)


def test_numpy_str_arrays(engine, expected) -> None:
    np = pytest.importorskip("numpy")
    assert engine.icd10cm_validity(np.array(CODES), ON) == expected
    assert engine.icd10cm_validity(np.array(CODES, dtype=object), ON) == expected
    assert engine.icd10cm_validity(np.array(CODES)[::2], ON) == expected[::2]
    assert engine.icd10cm_validity(np.array(["é" + c for c in CODES]), ON) == [False] * len(CODES)


def test_pyarrow_string_arrays(engine, expected) -> None:
    pa = pytest.importorskip("pyarrow")
    arr = pa.array(CODES)
    assert engine.icd10cm_validity(arr, ON) == expected
    assert engine.icd10cm_validity(pa.array(CODES, pa.large_string()), ON) == expected
    assert engine.icd10cm_validity(arr.slice(2, 4), ON) == expected[2:6]
    assert engine.icd10cm_validity(pa.chunked_array([CODES[:3], CODES[3:]]), ON) == expected
    with_nulls = pa.array(["E11.65", None, "E11"])
    assert engine.icd10cm_validity(with_nulls, ON) == [True, False, False]
    assert engine.icd10cm_validity(with_nulls.slice(1), ON) == [False, False]
    assert engine.icd10cm_validity(pa.array(CODES, pa.string_view()), ON) == expected
    assert engine.icd10cm_validity(pa.array([], pa.string()), ON) == []


def test_pyarrow_dictionary_arrays(engine, expected) -> None:
    pa = pytest.importorskip("pyarrow")
    encoded = pa.array(CODES * 3).dictionary_encode()
    assert engine.icd10cm_validity(encoded, ON) == expected * 3
    assert engine.icd10cm_validity(encoded.slice(7, 7), ON) == expected
    assert engine.icd10cm_validity(pa.chunked_array([encoded, encoded.slice(0, 2)]), ON) == expected * 3 + expected[:2]
    # Any key width, and values of every string type.
    for key in (pa.int8(), pa.uint16(), pa.int64()):
        for value in (pa.string(), pa.large_string(), pa.string_view()):
            arr = pa.DictionaryArray.from_arrays(pa.array([6, 0, 1, 0], key), pa.array(CODES, value))
            assert engine.icd10cm_validity(arr, ON) == [True, True, False, True]
    # A null key, and a null among the values, are empty codes; so is every key of a
    # dictionary with no values.
    arr = pa.DictionaryArray.from_arrays(pa.array([0, None, 1, 2], pa.int32()), pa.array(["E11.65", None, "A00.0"]))
    assert engine.icd10cm_validity(arr, ON) == [True, False, False, True]
    empty = pa.DictionaryArray.from_arrays(pa.array([None, None], pa.int32()), pa.array([], pa.string()))
    assert engine.icd10cm_validity(empty, ON) == [False, False]
    # Dictionaries of anything but strings are read item by item, and refused there.
    with pytest.raises(TypeError, match=r"codes\[0\]"):
        engine.icd10cm_validity(pa.array([1, 2]).dictionary_encode(), ON)


def test_pandas_series_index_and_categoricals(engine, expected, monkeypatch) -> None:
    pd = pytest.importorskip("pandas")

    def no_iteration(self):
        raise AssertionError("read item by item, not through its values")

    # Each form must be read through its values, never by iterating it in Python.
    for cls in (pd.Series, pd.Index, pd.Categorical):
        monkeypatch.setattr(cls, "__iter__", no_iteration)
    for dtype in (object, "string", "category"):
        assert engine.icd10cm_validity(pd.Series(CODES, dtype=dtype), ON) == expected, dtype
        assert engine.icd10cm_validity(pd.Index(CODES, dtype=dtype), ON) == expected, dtype
    assert engine.icd10cm_validity(pd.Categorical(CODES * 2), ON) == expected * 2
    assert engine.icd10cm_validity(pd.Series(CODES * 2, dtype="category")[3:10], ON) == (expected * 2)[3:10]
    # Missing values of every pandas kind are empty codes, whatever the dtype.
    gaps = ["E11.65", None, float("nan"), pd.NA, "A00.0"]
    for dtype in (object, "string", "category"):
        assert engine.icd10cm_validity(pd.Series(gaps, dtype=dtype), ON) == [True, False, False, False, True], dtype
    # An item that is neither a code nor missing is named by its own index, in a categorical too.
    for dtype in (object, "category"):
        with pytest.raises(TypeError, match=r"codes\[2\]"):
            engine.icd10cm_validity(pd.Series(["E11.65", None, 42, "A00.0"], dtype=dtype), ON)
    assert engine.icd10cm_validity(pd.Series([], dtype=object), ON) == []


def test_pandas_arrow_backed_strings(engine, expected) -> None:
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    for dtype in ("string[pyarrow]", pd.ArrowDtype(pa.string()), pd.ArrowDtype(pa.large_string())):
        series = pd.Series(CODES + [None], dtype=dtype)
        assert engine.icd10cm_validity(series, ON) == expected + [False], dtype
    dictionary = pd.ArrowDtype(pa.dictionary(pa.int32(), pa.string()))
    series = pd.Series(pa.array(CODES).dictionary_encode(), dtype=dictionary)
    assert engine.icd10cm_validity(series, ON) == expected


def producer(interface: str, export, fail: bool = False):
    """Not pyarrow: only `interface` (an Arrow PyCapsule method) over `export`, and iteration
    only when the export fails, so that each answer shows which way the codes were read."""

    def exported(self, requested_schema=None):
        if fail:
            raise NotImplementedError("cannot export")
        return export()

    def iterate(self):
        if not fail:
            raise AssertionError(f"read item by item, not through {interface}")
        return iter(CODES)

    return type("Producer", (), {interface: exported, "__iter__": iterate})()


def test_any_arrow_producer_is_read_and_a_failing_one_is_iterated(engine, expected) -> None:
    pa = pytest.importorskip("pyarrow")
    arr = pa.array(CODES)
    assert engine.icd10cm_validity(producer("__arrow_c_array__", arr.__arrow_c_array__), ON) == expected
    assert engine.icd10cm_validity(producer("__arrow_c_array__", arr.__arrow_c_array__, fail=True), ON) == expected


def test_polars_series_and_arrow_streams(engine, expected) -> None:
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    for dtype in (pl.String, pl.Categorical):
        series = pl.Series(CODES * 2 + [None], dtype=dtype)
        assert engine.icd10cm_validity(series, ON) == expected * 2 + [False], dtype
        assert engine.icd10cm_validity(series.slice(3, 9), ON) == (expected * 2 + [False])[3:12], dtype
    assert engine.icd10cm_validity(pl.Series([], dtype=pl.String), ON) == []
    # A stream of anything but codes is iterated, and refused item by item.
    with pytest.raises(TypeError, match=r"codes\[0\]"):
        engine.icd10cm_validity(pl.Series([1, 2]), ON)
    # Any stream of string arrays, empty ones among them.
    def stream():
        return pa.chunked_array([CODES[:3], [], CODES[3:]]).__arrow_c_stream__()

    assert engine.icd10cm_validity(producer("__arrow_c_stream__", stream), ON) == expected
    assert engine.icd10cm_validity(producer("__arrow_c_stream__", stream, fail=True), ON) == expected


def test_arrow_capsules_handed_out_twice_are_refused(engine, expected) -> None:
    pa = pytest.importorskip("pyarrow")

    class Cached:
        """A producer that caches its capsules: the second export hands over consumed ones."""

        def __init__(self):
            self.capsules = pa.array(CODES).__arrow_c_array__()

        def __arrow_c_array__(self, requested_schema=None):
            return self.capsules

    cached = Cached()
    assert engine.icd10cm_validity(cached, ON) == expected
    with pytest.raises(TypeError, match="already consumed"):
        engine.icd10cm_validity(cached, ON)
