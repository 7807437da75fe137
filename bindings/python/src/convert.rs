//! Python objects → core claims without a JSON round trip (through [`crate::tape`], so the
//! core's own `Deserialize` impls normalize codes and validate exactly as they do for JSON),
//! and text arguments for the JSON entry points.
//!
//! The conversion error type never quotes an input value (values may be patient data): serde's default
//! `invalid_type`/`invalid_value`/`unknown_variant` messages do, so they are overridden.

use std::fmt;

use cleanclaim::{Claim, Error};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView, PyString};
use serde::de::{self, Expected, Unexpected};

use crate::tape::Tape;

/// A conversion error whose message names the kind of value, never the value.
#[derive(Debug)]
pub struct ConvError(pub String);

impl fmt::Display for ConvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConvError {}

fn kind_of(u: &Unexpected<'_>) -> String {
    match u {
        Unexpected::Bool(_) => "a boolean".into(),
        Unexpected::Unsigned(_) | Unexpected::Signed(_) | Unexpected::Float(_) => "a number".into(),
        Unexpected::Char(_) | Unexpected::Str(_) => "a string".into(),
        Unexpected::Bytes(_) => "bytes".into(),
        Unexpected::Unit => "None".into(),
        Unexpected::Option => "an optional value".into(),
        Unexpected::NewtypeStruct => "a newtype struct".into(),
        Unexpected::Seq => "a sequence".into(),
        Unexpected::Map => "a mapping".into(),
        Unexpected::Enum => "an enum".into(),
        Unexpected::UnitVariant | Unexpected::NewtypeVariant | Unexpected::TupleVariant | Unexpected::StructVariant => {
            "an enum variant".into()
        }
        Unexpected::Other(s) => (*s).to_owned(),
    }
}

impl de::Error for ConvError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ConvError(msg.to_string())
    }
    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        ConvError(format!("invalid type: {}, expected {exp}", kind_of(&unexp)))
    }
    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        ConvError(format!("invalid value: {}, expected {exp}", kind_of(&unexp)))
    }
    fn unknown_variant(_variant: &str, expected: &'static [&'static str]) -> Self {
        ConvError(format!("unknown variant, expected one of {}", one_of(expected)))
    }
}

fn one_of(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

pub fn py_failed(e: PyErr, what: &str) -> ConvError {
    // The Python exception text may echo the value, so only its type is kept.
    Python::attach(|py| {
        let ty = e.get_type(py).qualname().map(|n| n.to_string()).unwrap_or_else(|_| "exception".into());
        ConvError(format!("reading {what} raised {ty}"))
    })
}

/// The day of an `isoformat()`: a datetime's `YYYY-MM-DDTHH:MM...` (or with a space) cut to
/// its date; anything else as it is, for the date parser to judge.
pub fn iso_day(s: &str) -> &str {
    match s.as_bytes().get(10) {
        Some(b'T' | b' ') => &s[..10],
        _ => s,
    }
}

/// The UTF-8 of a `str`, borrowed from the object (CPython keeps it cached): no allocation.
/// Called straight rather than through pyo3's `to_str`, whose `PyResult` went through memory
/// and then was converted into this function's result, on every string of every claim.
#[inline]
pub fn str_of<'a>(s: &'a Bound<'_, PyString>) -> Result<&'a str, ConvError> {
    let mut size: pyo3::ffi::Py_ssize_t = 0;
    // SAFETY: `s` is a live `str`; the UTF-8 buffer CPython returns lives as long as the object,
    // which `'a` borrows.
    let data = unsafe { pyo3::ffi::PyUnicode_AsUTF8AndSize(s.as_ptr(), &mut size) };
    if data.is_null() {
        drop(PyErr::take(s.py()));
        return Err(ConvError("a string that is not valid UTF-8 (lone surrogate)".into()));
    }
    // SAFETY: CPython hands back `size` bytes of UTF-8 at `data`.
    Ok(unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(data.cast::<u8>(), size as usize)) })
}

/// A claim from a dict (or any mapping), with the field path of the first problem.
pub fn claim_from_mapping(obj: &Bound<'_, PyAny>) -> Result<Claim, Error> {
    thread_local! {
        // One claim at a time: the buffers are reused instead of grown from empty each call.
        static SPARE: std::cell::RefCell<Tape> = std::cell::RefCell::new(Tape::new());
    }
    let mut tape = SPARE.with(|s| s.take());
    tape.clear();
    let root = tape.push(obj);
    let claim = tape.claim(root);
    // A huge claim's buffers are not worth keeping for the next, ordinary one.
    if tape.text_len() < 1 << 20 {
        SPARE.with(|s| s.replace(tape));
    }
    claim
}

/// The bytes of a `bytes`, `bytearray` or `memoryview` argument; `None` for anything else.
pub fn bytes_of(arg: &Bound<'_, PyAny>) -> PyResult<Option<PyBackedBytes>> {
    if arg.is_instance_of::<PyBytes>() || arg.is_instance_of::<PyByteArray>() {
        return Ok(Some(arg.extract()?));
    }
    if arg.is_instance_of::<PyMemoryView>() {
        return Ok(Some(arg.call_method0("tobytes")?.extract()?));
    }
    Ok(None)
}

/// Text for the JSON entry points: `str`, `bytes`, `bytearray` or `memoryview` (UTF-8).
pub fn text_of(obj: &Bound<'_, PyAny>) -> Option<PyResult<String>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Some(s.to_cow().map(|c| c.into_owned()));
    }
    let bytes = match bytes_of(obj) {
        Ok(Some(b)) => b.to_vec(),
        Ok(None) => return None,
        Err(e) => return Some(Err(e)),
    };
    Some(String::from_utf8(bytes).map_err(|e| {
        crate::errors::to_pyerr(
            obj.py(),
            &Error::Json {
                source_name: None,
                line: 1,
                column: e.utf8_error().valid_up_to() + 1,
                path: None,
                message: "input is not valid UTF-8".into(),
            },
        )
    }))
}
