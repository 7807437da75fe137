//! Arrow tables for `check_frame`. pyarrow, polars and pandas hand a table over through the
//! Arrow C stream interface (`__arrow_c_stream__`, a PyCapsule), and cells are read from the
//! Arrow buffers: no Python object per cell, where `to_pylist` made one for every cell. Reading
//! them needs no GIL, so rows become claims on every core ([`row_claim`]).
//!
//! Only the column types a claims table needs are read; a table with any other type in a column
//! the frame uses is declined (`None`), and the caller reads it through Python values as before,
//! so every table that worked still works the same way.

use std::borrow::Cow;
use std::convert::Infallible;
use std::ops::Range;

use arrow_array::cast::AsArray;
use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::types::{
    Date32Type, Date64Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type,
    UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{
    Array, ArrayRef, Float64Array, Int64Array, LargeStringArray, RecordBatchReader, StringArray, StringViewArray,
};
use arrow_schema::{DataType, TimeUnit};
use cleanclaim::Date;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use cleanclaim::codesets::prefetch;
use cleanclaim::input::{Number, Source, claim_from};
use cleanclaim::{Claim, Error};

use crate::frame::{Frame, Item, Planned, Table, split, write_split};
use crate::tape::Tape;

/// One table's columns (those the frame reads), each as its arrays, one per record batch.
pub struct ArrowTable {
    names: Vec<String>,
    cols: Vec<Vec<Typed>>,
    /// The row each batch starts at.
    starts: Vec<usize>,
    rows: usize,
}

/// A cell that holds a value: its column, batch and index in the batch.
#[derive(Debug, Clone, Copy)]
pub struct ArrowCell {
    col: usize,
    batch: usize,
    i: usize,
}

/// A column's array in one batch, cast to its type once: the types claims tables mostly have
/// are then read without asking the array its type and casting it for every cell (that and the
/// other per-cell steps were ~18 % of `check_frame`'s samples, perf).
enum Typed {
    Utf8(StringArray),
    LargeUtf8(LargeStringArray),
    View(StringViewArray),
    Int64(Int64Array),
    Float64(Float64Array),
    /// Every row missing (a Null array may keep no validity bits).
    Null,
    /// Any other type [`readable`] takes, read by [`value`].
    Other(ArrayRef),
}

impl Typed {
    fn new(a: &ArrayRef) -> Typed {
        match a.data_type() {
            DataType::Utf8 => Typed::Utf8(a.as_string::<i32>().clone()),
            DataType::LargeUtf8 => Typed::LargeUtf8(a.as_string::<i64>().clone()),
            DataType::Utf8View => Typed::View(a.as_string_view().clone()),
            DataType::Int64 => Typed::Int64(a.as_primitive::<Int64Type>().clone()),
            DataType::Float64 => Typed::Float64(a.as_primitive::<Float64Type>().clone()),
            DataType::Null => Typed::Null,
            _ => Typed::Other(a.clone()),
        }
    }

    /// Asks for the cache line of row `i`'s offset (`values: false`), or of the first bytes of
    /// its value, whose offset this reads.
    #[inline]
    fn prefetch(&self, i: usize, values: bool) {
        fn text<O: arrow_array::OffsetSizeTrait>(a: &arrow_array::GenericStringArray<O>, i: usize, values: bool) {
            let offsets = a.value_offsets();
            if i + 1 < offsets.len() {
                if values {
                    prefetch(a.value_data().as_ptr().wrapping_add(offsets[i].as_usize()));
                } else {
                    prefetch(&offsets[i]);
                }
            }
        }
        match self {
            Typed::Utf8(a) => text(a, i, values),
            Typed::LargeUtf8(a) => text(a, i, values),
            Typed::Int64(a) => prefetch(a.values().as_ptr().wrapping_add(i)),
            Typed::Float64(a) => prefetch(a.values().as_ptr().wrapping_add(i)),
            Typed::View(_) | Typed::Null | Typed::Other(_) => {}
        }
    }

    /// Row `i`: `None` when it is null.
    #[inline]
    fn get(&self, i: usize) -> Option<Value<'_>> {
        match self {
            Typed::Utf8(a) => a.is_valid(i).then(|| Value::Str(a.value(i))),
            Typed::LargeUtf8(a) => a.is_valid(i).then(|| Value::Str(a.value(i))),
            Typed::View(a) => a.is_valid(i).then(|| Value::Str(a.value(i))),
            Typed::Int64(a) => a.is_valid(i).then(|| Value::Int(a.value(i))),
            Typed::Float64(a) => a.is_valid(i).then(|| Value::Float(a.value(i))),
            Typed::Null => None,
            Typed::Other(a) => {
                if a.is_null(i) {
                    None
                } else {
                    value(a.as_ref(), i)
                }
            }
        }
    }
}

/// What a cell holds, read from its array.
enum Value<'a> {
    Str(&'a str),
    Int(i64),
    Float(f64),
    Date(Date),
    /// The list's items: rows `range` of `items`, borrowed (`ListArray::value` made a new
    /// array for every cell, and `cell` and `write` each read it).
    List(&'a ArrayRef, std::ops::Range<usize>),
    /// A value the claim model has no form for (a date outside years 1 to 9999): an error
    /// where the claim reads it, never a missing value.
    Unreadable(&'static str),
}

impl ArrowTable {
    /// Reads the stream in `capsule` (an `arrow_array_stream` PyCapsule), keeping the columns
    /// `reads` names. `None` when one of those has a type this reader does not take, or when
    /// the stream does not import (polars exports all-null columns with a buffer arrow-rs
    /// refuses, which `_frame.py` casts to text first): the Python path reads those tables.
    pub fn from_capsule(capsule: &Bound<'_, PyAny>, reads: fn(&str) -> bool) -> PyResult<Option<Self>> {
        let capsule = capsule.cast::<PyCapsule>()?;
        let stream = capsule.pointer_checked(Some(c"arrow_array_stream"))?;
        // SAFETY: the capsule is named as the Arrow PyCapsule interface names a stream, so it
        // points at an `ArrowArrayStream`; `from_raw` moves it out and leaves a released one
        // behind, which the capsule's destructor then skips.
        let Ok(reader) = (unsafe { RecordBatchStreamReader::from_raw(stream.as_ptr().cast::<FFI_ArrowArrayStream>()) })
        else {
            return Ok(None);
        };
        let schema = reader.schema();
        let mut names = Vec::new();
        let mut keep = Vec::new();
        for (k, f) in schema.fields().iter().enumerate() {
            if reads(f.name()) {
                if !readable(f.data_type(), f.name() == "claim_id") {
                    return Ok(None);
                }
                names.push(f.name().clone());
                keep.push(k);
            }
        }
        let mut cols: Vec<Vec<Typed>> = keep.iter().map(|_| Vec::new()).collect();
        let (mut starts, mut rows) = (Vec::new(), 0);
        for batch in reader {
            let Ok(batch) = batch else { return Ok(None) };
            for (col, &k) in cols.iter_mut().zip(&keep) {
                col.push(Typed::new(batch.column(k)));
            }
            starts.push(rows);
            rows += batch.num_rows();
        }
        Ok(Some(ArrowTable { names, cols, starts, rows }))
    }

    fn value(&self, c: ArrowCell) -> Option<Value<'_>> {
        self.cols[c.col][c.batch].get(c.i)
    }

    /// The batch that holds `row`, and the row's index in it.
    fn locate(&self, row: usize) -> (usize, usize) {
        let batch = self.starts.partition_point(|&s| s <= row).saturating_sub(1);
        (batch, row - self.starts.get(batch).copied().unwrap_or(0))
    }

    /// [`Typed::prefetch`] for every column of `row`.
    fn prefetch(&self, row: usize, values: bool) {
        if row < self.rows {
            let (batch, i) = self.locate(row);
            self.cols.iter().for_each(|col| col[batch].prefetch(i, values));
        }
    }
}

/// Whether this reader takes a column of type `t` (a claim id: text or integers only, so that
/// it spells the id exactly as Python's `str()` would).
fn readable(t: &DataType, id: bool) -> bool {
    use DataType::*;
    let text = |t: &DataType| matches!(t, Utf8 | LargeUtf8 | Utf8View);
    let int = |t: &DataType| matches!(t, Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32);
    match t {
        Null => true,
        t if text(t) || int(t) => true,
        Dictionary(k, v) => k.is_dictionary_key_type() && text(v),
        _ if id => false,
        Float32 | Float64 | Date32 | Date64 | Timestamp(_, None) => true,
        // Lists of nothing but nulls (no line has a modifier, say) come typed as lists of Null.
        List(f) | LargeList(f) => matches!(f.data_type(), Null) || text(f.data_type()) || int(f.data_type()),
        _ => false,
    }
}

/// The values of dictionary array `a` and row `i`'s key into them.
fn dictionary_entry(a: &dyn Array, i: usize) -> Option<(&ArrayRef, usize)> {
    macro_rules! keys {
        ($($t:ty),*) => {
            $(if let Some(d) = a.as_dictionary_opt::<$t>() {
                return Some((d.values(), d.keys().value(i) as usize));
            })*
        };
    }
    keys!(Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type);
    None
}

/// Row `i` of `a`, which is not null there.
fn value(a: &dyn Array, i: usize) -> Option<Value<'_>> {
    use DataType::*;
    let int = |v: i64| Some(Value::Int(v));
    let day = |days: i64| {
        Some(Date::from_days_since_epoch(days).map_or(Value::Unreadable("a date outside years 1 to 9999"), Value::Date))
    };
    match a.data_type() {
        Utf8 => Some(Value::Str(a.as_string::<i32>().value(i))),
        LargeUtf8 => Some(Value::Str(a.as_string::<i64>().value(i))),
        Utf8View => Some(Value::Str(a.as_string_view().value(i))),
        Dictionary(..) => {
            let (values, k) = dictionary_entry(a, i)?;
            if values.is_null(k) { None } else { value(values.as_ref(), k) }
        }
        Int8 => int(a.as_primitive::<Int8Type>().value(i).into()),
        Int16 => int(a.as_primitive::<Int16Type>().value(i).into()),
        Int32 => int(a.as_primitive::<Int32Type>().value(i).into()),
        Int64 => int(a.as_primitive::<Int64Type>().value(i)),
        UInt8 => int(a.as_primitive::<UInt8Type>().value(i).into()),
        UInt16 => int(a.as_primitive::<UInt16Type>().value(i).into()),
        UInt32 => int(a.as_primitive::<UInt32Type>().value(i).into()),
        Float32 => Some(Value::Float(a.as_primitive::<Float32Type>().value(i).into())),
        Float64 => Some(Value::Float(a.as_primitive::<Float64Type>().value(i))),
        Date32 => day(a.as_primitive::<Date32Type>().value(i).into()),
        Date64 => day(a.as_primitive::<Date64Type>().value(i).div_euclid(86_400_000)),
        Timestamp(unit, None) => {
            let (v, per_day) = match unit {
                TimeUnit::Second => (a.as_primitive::<TimestampSecondType>().value(i), 86_400),
                TimeUnit::Millisecond => (a.as_primitive::<TimestampMillisecondType>().value(i), 86_400_000),
                TimeUnit::Microsecond => (a.as_primitive::<TimestampMicrosecondType>().value(i), 86_400_000_000),
                TimeUnit::Nanosecond => (a.as_primitive::<TimestampNanosecondType>().value(i), 86_400_000_000_000),
            };
            day(v.div_euclid(per_day))
        }
        List(_) => {
            let l = a.as_list::<i32>();
            let o = l.value_offsets();
            Some(Value::List(l.values(), o[i] as usize..o[i + 1] as usize))
        }
        LargeList(_) => {
            let l = a.as_list::<i64>();
            let o = l.value_offsets();
            Some(Value::List(l.values(), o[i] as usize..o[i + 1] as usize))
        }
        // A Null array may keep no validity bits (its rows then not `is_null`): missing here.
        Null => None,
        // `readable` admits no other type; were one added there and not here, it must not
        // read as missing.
        _ => Some(Value::Unreadable("a value of a type the Arrow reader does not take")),
    }
}

impl Table for ArrowTable {
    type Cell = ArrowCell;
    type Fail = Infallible;

    fn rows(&self) -> usize {
        self.rows
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    fn cell(&self, col: usize, row: usize) -> Result<Option<ArrowCell>, Infallible> {
        let (batch, i) = self.locate(row);
        let c = ArrowCell { col, batch, i };
        // Missing as in a Python cell: null, NaN and the empty string.
        Ok(match self.value(c) {
            None | Some(Value::Str("")) => None,
            Some(Value::Float(f)) if f.is_nan() => None,
            Some(_) => Some(c),
        })
    }

    fn id_text<'a>(&'a self, c: &'a ArrowCell) -> Result<Cow<'a, str>, String> {
        match self.value(*c) {
            Some(Value::Str(s)) => Ok(Cow::Borrowed(s)),
            Some(Value::Int(n)) => Ok(Cow::Owned(n.to_string())),
            _ => Err("neither text nor an integer".into()),
        }
    }

    fn integer(&self, c: &ArrowCell) -> Option<i64> {
        match self.value(*c) {
            Some(Value::Int(n)) => Some(n),
            _ => None,
        }
    }

    fn write(&self, tape: &mut Tape, c: &ArrowCell, list: Option<bool>) {
        match self.value(*c) {
            Some(Value::Str(s)) => match list {
                Some(ints) => write_split(tape, s, ints),
                None => tape.key(s),
            },
            Some(Value::Int(n)) => tape.int_value(n),
            Some(Value::Float(f)) => tape.float_value(f),
            Some(Value::Date(d)) => tape.key(&d.to_string()),
            Some(Value::Unreadable(why)) => tape.bad_value(why),
            Some(Value::List(items, range)) => {
                let l = tape.open(true);
                for k in range {
                    match (!items.is_null(k)).then(|| value(items.as_ref(), k)).flatten() {
                        Some(Value::Str(s)) => tape.key(s),
                        Some(Value::Int(n)) => tape.int_value(n),
                        _ => tape.null_value(),
                    }
                }
                tape.close(l);
            }
            None => tape.null_value(),
        }
    }
}

/// Claim row `r` of an Arrow frame, on any thread: read straight from the Arrow buffers by the
/// core's claim reader ([`Row`]), or, for a row it declines (a typed date, a value it cannot
/// take, a problem to explain), recorded on a tape as on the Python values' path and read from
/// there, so that every row builds the claim, or fails with the error, that its tape gives.
pub fn row_claim(frame: &Frame<ArrowTable>, r: usize) -> Result<Claim, Error> {
    prefetch_row(frame, r + 2 * ROWS_AHEAD, false);
    prefetch_row(frame, r + ROWS_AHEAD, true);
    if let Some(c) = claim_from(&mut Row { frame, next: Next::Claim(r) }) {
        return Ok(c);
    }
    let mut tape = Tape::new();
    let Ok(root) = frame.write(&mut tape, r);
    tape.claim(root)
}

/// How many rows ahead of the one being read its cells are fetched, in two stages: the offsets
/// of text cells twice as far ahead, then the bytes the offsets point to. Without the hints the
/// reader waited on a claim's ~60 cells one cache miss after another (`Date::parse`'s first load
/// took 61 % of its samples), and reading rows took more CPU than recording them on a tape and
/// reading that (MCE rules: 460-500 k claims per CPU-second against 520-550 k; with them, 540 k;
/// one stage alone, 500 k; 8 rows ahead, the same).
const ROWS_AHEAD: usize = 4;

/// Asks for claim row `r`'s cells and its line rows' ([`Typed::prefetch`]).
fn prefetch_row(frame: &Frame<ArrowTable>, r: usize, values: bool) {
    if r < frame.rows() {
        frame.claims.prefetch(r, values);
        frame.lines_of(r).iter().for_each(|&lr| frame.lines.prefetch(lr, values));
    }
}

/// A claim row as a [`Source`]: the keys and values [`Frame::write`] records for it, in the
/// same order, without recording them. A tape was written on the calling thread holding the GIL
/// and read again on the pool; the Arrow buffers need neither.
struct Row<'a> {
    frame: &'a Frame<ArrowTable>,
    /// The value the reader reads next.
    next: Next<'a>,
}

/// A value waiting to be read, or `Taken` once it has been.
enum Next<'a> {
    Taken,
    Null,
    Str(&'a str),
    Int(i64),
    Float(f64),
    /// The claim of a row.
    Claim(usize),
    /// A nested object of one of the tables' rows (`lines`: the lines table's).
    Group(&'a [(&'static str, usize)], usize, bool),
    Diagnoses(usize),
    /// `{"code": ...}` of one diagnosis cell.
    Diagnosis(ArrowCell),
    Lines(usize),
    Line(usize),
    /// A list cell's items.
    List(&'a ArrayRef, Range<usize>),
    /// A text cell read as a list (`"25,59"`), of integers for `true`.
    Split(&'a str, bool),
    /// A value only the tape records (a typed date, an unreadable value): the reader declines.
    Decline,
}

impl<'a> Row<'a> {
    /// The value of a cell that holds one, as [`ArrowTable::write`] records it.
    fn cell(table: &'a ArrowTable, c: ArrowCell, list: Option<bool>) -> Next<'a> {
        match table.value(c) {
            Some(Value::Str(s)) => match list {
                Some(ints) => Next::Split(s, ints),
                None => Next::Str(s),
            },
            Some(Value::Int(n)) => Next::Int(n),
            Some(Value::Float(f)) => Next::Float(f),
            Some(Value::List(items, range)) => Next::List(items, range),
            Some(Value::Date(_) | Value::Unreadable(_)) => Next::Decline,
            None => Next::Null,
        }
    }

    /// Hands `key` to `field` with `value` to read; `None` unless `field` read it.
    fn hand<F: FnMut(&mut Self, &'a str) -> Option<()>>(
        &mut self,
        field: &mut F,
        key: &'a str,
        value: Next<'a>,
    ) -> Option<()> {
        self.next = value;
        field(self, key)?;
        matches!(self.next, Next::Taken).then_some(())
    }

    /// The entries `plan` places for row `r` of `table`, as [`crate::frame::write_planned`] writes
    /// them.
    fn planned<F: FnMut(&mut Self, &'a str) -> Option<()>>(
        &mut self,
        field: &mut F,
        table: &'a ArrowTable,
        plan: &'a [Planned],
        r: usize,
        lines: bool,
    ) -> Option<()> {
        for p in plan {
            match p {
                Planned::Leaf { key, col, list } => {
                    let Ok(c) = table.cell(*col, r);
                    if let Some(c) = c {
                        self.hand(field, key, Self::cell(table, c, *list))?;
                    }
                }
                Planned::Group { key, fields, always } => {
                    if *always || fields.iter().any(|&(_, col)| matches!(table.cell(col, r), Ok(Some(_)))) {
                        self.hand(field, key, Next::Group(fields, r, lines))?;
                    }
                }
            }
        }
        Some(())
    }
}

impl<'a> Source<'a> for Row<'a> {
    fn null(&mut self) -> bool {
        let missing = match self.next {
            Next::Null => true,
            Next::Float(f) => f.is_nan(),
            _ => false,
        };
        if missing {
            self.next = Next::Taken;
        }
        missing
    }

    fn str(&mut self) -> Option<&'a str> {
        let Next::Str(s) = self.next else { return None };
        self.next = Next::Taken;
        Some(s)
    }

    fn is_str(&mut self) -> Option<bool> {
        Some(matches!(self.next, Next::Str(_)))
    }

    fn number(&mut self) -> Option<Number> {
        let n = match self.next {
            Next::Int(n) => Number::I64(n),
            Next::Float(f) => Number::F64(f),
            _ => return None,
        };
        self.next = Next::Taken;
        Some(n)
    }

    fn object(&mut self, mut field: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        let frame = self.frame;
        match std::mem::replace(&mut self.next, Next::Taken) {
            Next::Claim(r) => {
                self.hand(&mut field, "id", Next::Str(&frame.ids[r]))?;
                self.planned(&mut field, &frame.claims, &frame.claim_plan, r, false)?;
                self.hand(&mut field, "diagnoses", Next::Diagnoses(r))?;
                self.hand(&mut field, "lines", Next::Lines(r))?;
            }
            Next::Line(r) => self.planned(&mut field, &frame.lines, &frame.line_plan, r, true)?,
            Next::Group(fields, r, lines) => {
                let table = if lines { &frame.lines } else { &frame.claims };
                for &(key, col) in fields {
                    let Ok(c) = table.cell(col, r);
                    if let Some(c) = c {
                        self.hand(&mut field, key, Self::cell(table, c, None))?;
                    }
                }
            }
            Next::Diagnosis(c) => self.hand(&mut field, "code", Self::cell(&frame.claims, c, None))?,
            _ => return None,
        }
        self.next = Next::Taken;
        Some(())
    }

    fn items(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        let frame = self.frame;
        let mut one = |row: &mut Self, value: Next<'a>| {
            row.next = value;
            item(row)?;
            matches!(row.next, Next::Taken).then_some(())
        };
        match std::mem::replace(&mut self.next, Next::Taken) {
            Next::Diagnoses(r) => {
                // A gap in the diagnosis columns is an error, which the tape explains.
                let mut empty = false;
                for &col in &frame.dx_cols {
                    let Ok(c) = frame.claims.cell_in(col, r);
                    match c {
                        Some(_) if empty => return None,
                        Some(c) => one(self, Next::Diagnosis(c))?,
                        None => empty = true,
                    }
                }
            }
            Next::Lines(r) => {
                for &lr in frame.lines_of(r) {
                    one(self, Next::Line(lr))?;
                }
            }
            Next::List(items, range) => {
                for k in range {
                    let v = match (!items.is_null(k)).then(|| value(items.as_ref(), k)).flatten() {
                        Some(Value::Str(s)) => Next::Str(s),
                        Some(Value::Int(n)) => Next::Int(n),
                        _ => Next::Null,
                    };
                    one(self, v)?;
                }
            }
            Next::Split(text, ints) => {
                for item in split(text, ints) {
                    one(
                        self,
                        match item {
                            Item::Int(n) => Next::Int(n),
                            Item::Text(p) => Next::Str(p),
                        },
                    )?;
                }
            }
            _ => return None,
        }
        self.next = Next::Taken;
        Some(())
    }
}
