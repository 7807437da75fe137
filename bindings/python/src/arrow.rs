//! Arrow tables for `check_frame`. pyarrow, polars and pandas hand a table over through the
//! Arrow C stream interface (`__arrow_c_stream__`, a PyCapsule), and cells are read from the
//! Arrow buffers: no Python object per cell, where `to_pylist` made one for every cell.
//!
//! Only the column types a claims table needs are read; a table with any other type in a column
//! the frame uses is declined (`None`), and the caller reads it through Python values as before,
//! so every table that worked still works the same way.

use std::borrow::Cow;

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

use crate::frame::{Table, write_split};
use crate::tape::Tape;

/// One table's columns (those the frame reads), each as its arrays, one per record batch.
pub struct ArrowTable<'py> {
    py: Python<'py>,
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

impl<'py> ArrowTable<'py> {
    /// Reads the stream in `capsule` (an `arrow_array_stream` PyCapsule), keeping the columns
    /// `reads` names. `None` when one of those has a type this reader does not take, or when
    /// the stream does not import (polars exports all-null columns with a buffer arrow-rs
    /// refuses, which `_frame.py` casts to text first): the Python path reads those tables.
    pub fn from_capsule(capsule: &Bound<'py, PyAny>, reads: fn(&str) -> bool) -> PyResult<Option<Self>> {
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
        Ok(Some(ArrowTable { py: capsule.py(), names, cols, starts, rows }))
    }

    fn value(&self, c: ArrowCell) -> Option<Value<'_>> {
        self.cols[c.col][c.batch].get(c.i)
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

impl<'py> Table for ArrowTable<'py> {
    type Cell = ArrowCell;

    fn py(&self) -> Python<'_> {
        self.py
    }

    fn rows(&self) -> usize {
        self.rows
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    fn cell(&self, col: usize, row: usize) -> PyResult<Option<ArrowCell>> {
        let batch = self.starts.partition_point(|&s| s <= row).saturating_sub(1);
        let c = ArrowCell { col, batch, i: row - self.starts.get(batch).copied().unwrap_or(0) };
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
