//! Python objects → core claims without a JSON round trip: a serde `Deserializer` that walks
//! dicts, lists and scalars directly (the pythonize approach), so the core's own `Deserialize`
//! impls normalize codes and validate exactly as they do for JSON.
//!
//! Its error type never quotes an input value (values may be patient data): serde's default
//! `invalid_type`/`invalid_value`/`unknown_variant` messages do, so they are overridden.

use std::fmt;

use cleanclaim::{Claim, Error};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::de::{self, DeserializeSeed, Expected, IntoDeserializer, Unexpected, Visitor};

/// A conversion error whose message names the kind of value, never the value.
#[derive(Debug)]
pub struct ConvError(String);

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

fn py_failed(e: PyErr, what: &str) -> ConvError {
    // The Python exception text may echo the value, so only its type is kept.
    Python::attach(|py| {
        let ty = e.get_type(py).qualname().map(|n| n.to_string()).unwrap_or_else(|_| "exception".into());
        ConvError(format!("reading {what} raised {ty}"))
    })
}

unsafe extern "C" {
    // Exported by every CPython 3 (PyPy is not a target); the limited API lists it only from
    // 3.10, so pyo3 hides it in an abi3-py39 build and falls back to a copy per string.
    fn PyUnicode_AsUTF8AndSize(
        unicode: *mut pyo3::ffi::PyObject,
        size: *mut pyo3::ffi::Py_ssize_t,
    ) -> *const std::ffi::c_char;
}

/// The UTF-8 of a `str`, borrowed from the object (CPython keeps it cached): no allocation.
fn str_of<'a>(s: &'a Bound<'_, PyString>) -> Result<&'a str, ConvError> {
    let mut size: pyo3::ffi::Py_ssize_t = 0;
    // SAFETY: `s` is a live str; the returned buffer lives as long as the object, which
    // outlives 'a, and holds `size` bytes of valid UTF-8.
    let p = unsafe { PyUnicode_AsUTF8AndSize(s.as_ptr(), &mut size) };
    if p.is_null() {
        drop(PyErr::take(s.py()));
        return Err(ConvError("a string that is not valid UTF-8 (lone surrogate)".into()));
    }
    // SAFETY: see above.
    let bytes = unsafe { std::slice::from_raw_parts(p.cast::<u8>(), size as usize) };
    // SAFETY: CPython produced the buffer as UTF-8.
    Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
}

/// Missing for conversion purposes: `None`, or a float NaN (pandas' marker for a missing
/// number). A dict entry holding either counts as absent.
fn is_missing(o: &Bound<'_, PyAny>) -> bool {
    o.is_none() || o.cast::<PyFloat>().is_ok_and(|f| f.value().is_nan())
}

/// Reads one Python object as any serde type.
pub struct PyDe<'a, 'py>(pub &'a Bound<'py, PyAny>);

impl<'py> PyDe<'_, 'py> {
    fn type_name(&self) -> String {
        self.0.get_type().qualname().map(|n| n.to_string()).unwrap_or_else(|_| "object".into())
    }

    /// Dates, datetimes and pandas Timestamps as `YYYY-MM-DD`.
    fn iso_date(&self) -> Option<Result<String, ConvError>> {
        let py = self.0.py();
        let f = self.0.getattr_opt(intern!(py, "isoformat")).ok().flatten()?;
        Some(
            f.call0()
                .and_then(|s| s.extract::<String>())
                .map(|mut s| {
                    if s.len() > 10 && matches!(s.as_bytes()[10], b'T' | b' ') {
                        s.truncate(10);
                    }
                    s
                })
                .map_err(|e| py_failed(e, "a date")),
        )
    }

    /// Types with no serde equivalent: numpy scalars, Decimal, dates, mappings, iterables.
    fn fallback<'de, V: Visitor<'de>>(self, v: V) -> Result<V::Value, ConvError> {
        let o = self.0;
        let py = o.py();
        if o.hasattr(intern!(py, "__index__")).unwrap_or(false) {
            let i: i64 = o.extract().map_err(|e| py_failed(e, "an integer"))?;
            return v.visit_i64(i);
        }
        if o.hasattr(intern!(py, "isoformat")).unwrap_or(false) {
            let s = self.iso_date().expect("has isoformat")?;
            return v.visit_str(&s);
        }
        if o.hasattr(intern!(py, "__float__")).unwrap_or(false) {
            let f: f64 = o.extract().map_err(|e| py_failed(e, "a number"))?;
            return v.visit_f64(f);
        }
        if o.hasattr(intern!(py, "keys")).unwrap_or(false) {
            let d = PyDict::new(py);
            d.update(o.cast().map_err(|_| ConvError("expected a mapping".into()))?)
                .map_err(|e| py_failed(e, "a mapping"))?;
            return v.visit_map(DictAccess::new(&d));
        }
        if o.cast::<PyBytes>().is_err()
            && o.cast::<PyByteArray>().is_err()
            && o.hasattr(intern!(py, "__iter__")).unwrap_or(false)
        {
            let list = PyList::empty(py);
            for item in o.try_iter().map_err(|e| py_failed(e, "a sequence"))? {
                list.append(item.map_err(|e| py_failed(e, "a sequence"))?).map_err(|e| py_failed(e, "a sequence"))?;
            }
            return v.visit_seq(ListAccess { list, i: 0 });
        }
        Err(ConvError(format!("invalid type: a Python {}, expected {}", self.type_name(), &v as &dyn Expected)))
    }
}

impl<'de> de::Deserializer<'de> for PyDe<'_, '_> {
    type Error = ConvError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, ConvError> {
        let o = self.0;
        if let Ok(s) = o.cast::<PyString>() {
            return v.visit_str(str_of(s)?);
        }
        if let Ok(d) = o.cast::<PyDict>() {
            return v.visit_map(DictAccess::new(d));
        }
        if let Ok(b) = o.cast::<PyBool>() {
            return v.visit_bool(b.is_true());
        }
        if let Ok(i) = o.cast::<PyInt>() {
            return match i.extract::<i64>() {
                Ok(n) => v.visit_i64(n),
                Err(_) => match i.extract::<u64>() {
                    Ok(n) => v.visit_u64(n),
                    Err(_) => Err(ConvError("integer out of range".into())),
                },
            };
        }
        if let Ok(f) = o.cast::<PyFloat>() {
            return v.visit_f64(f.value());
        }
        if let Ok(l) = o.cast::<PyList>() {
            return v.visit_seq(ListAccess { list: l.clone(), i: 0 });
        }
        if let Ok(t) = o.cast::<PyTuple>() {
            return v.visit_seq(ListAccess { list: t.to_list(), i: 0 });
        }
        if o.is_none() {
            return v.visit_unit();
        }
        self.fallback(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, ConvError> {
        if is_missing(self.0) { v.visit_none() } else { v.visit_some(self) }
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, ConvError> {
        if self.0.cast::<PyString>().is_err()
            && let Some(s) = self.iso_date()
        {
            return v.visit_str(&s?);
        }
        self.deserialize_any(v)
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, ConvError> {
        self.deserialize_str(v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, ConvError> {
        match self.0.cast::<PyString>() {
            Ok(s) => v.visit_enum(IntoDeserializer::<ConvError>::into_deserializer(str_of(s)?)),
            Err(_) => {
                Err(ConvError(format!("invalid type: a Python {}, expected {}", self.type_name(), &v as &dyn Expected)))
            }
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, ConvError> {
        v.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map struct identifier
    }
}

struct DictAccess<'py> {
    iter: pyo3::types::dict::BoundDictIterator<'py>,
    value: Option<Bound<'py, PyAny>>,
}

impl<'py> DictAccess<'py> {
    fn new(d: &Bound<'py, PyDict>) -> Self {
        DictAccess { iter: d.iter(), value: None }
    }
}

impl<'de> de::MapAccess<'de> for DictAccess<'_> {
    type Error = ConvError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, ConvError> {
        for (k, v) in self.iter.by_ref() {
            // None means "absent", as a DataFrame null does; JSON callers never send None.
            if is_missing(&v) {
                continue;
            }
            self.value = Some(v);
            return seed.deserialize(PyDe(&k)).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, ConvError> {
        let v = self.value.take().expect("next_key_seed ran first");
        seed.deserialize(PyDe(&v))
    }
}

struct ListAccess<'py> {
    list: Bound<'py, PyList>,
    i: usize,
}

impl<'de> de::SeqAccess<'de> for ListAccess<'_> {
    type Error = ConvError;

    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>, ConvError> {
        if self.i >= self.list.len() {
            return Ok(None);
        }
        let item = self.list.get_item(self.i).map_err(|e| py_failed(e, "a list item"))?;
        self.i += 1;
        seed.deserialize(PyDe(&item)).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.list.len().saturating_sub(self.i))
    }
}

/// A claim from a dict (or any mapping), with the field path of the first problem.
pub fn claim_from_mapping(obj: &Bound<'_, PyAny>) -> Result<Claim, Error> {
    serde_path_to_error::deserialize(PyDe(obj))
        .map_err(|e| Error::Invalid { path: e.path().to_string(), message: e.into_inner().0 })
}

/// Text for the JSON entry points: `str`, `bytes`, `bytearray` or `memoryview` (UTF-8).
pub fn text_of(obj: &Bound<'_, PyAny>) -> Option<PyResult<String>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Some(s.to_cow().map(|c| c.into_owned()));
    }
    let bytes: Vec<u8> = if let Ok(b) = obj.cast::<PyBytes>() {
        b.as_bytes().to_vec()
    } else if let Ok(b) = obj.cast::<PyByteArray>() {
        b.to_vec()
    } else if obj.get_type().name().is_ok_and(|n| n == "memoryview") {
        match obj.call_method0("tobytes") {
            Ok(b) => match b.cast_into::<PyBytes>() {
                Ok(b) => b.as_bytes().to_vec(),
                Err(e) => return Some(Err(e.into())),
            },
            Err(e) => return Some(Err(e)),
        }
    } else {
        return None;
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
