//! Python objects → core claims in two steps, so that as little as possible holds the GIL:
//!
//! 1. [`Tape::push`] walks dicts, lists and scalars (GIL held) and copies them into a flat token
//!    tape: one `Vec` of tokens and one string buffer shared by many claims. Exact built-in
//!    types are recognised by their type pointer; nothing is allocated per value except when the
//!    buffers grow.
//! 2. [`Tape::claim`] reads the tape (no Python, so any thread, GIL released) with the core's
//!    claim reader, the one JSON text goes through, or, when it declines (anything but the plain
//!    valid case), with the core's own `Deserialize` impls; both normalize codes and validate
//!    exactly as they do for JSON.
//!
//! Problems that can only be judged against the expected type (a Python object of an unknown
//! type, an integer out of range, a Python exception while reading a value) are recorded as
//! `Bad` tokens and become errors only if the claim model actually reads that value, as the
//! previous direct deserializer did. Messages never quote an input value (values may be
//! patient data): only kinds and type names.

use cleanclaim::codes::push_short;
use cleanclaim::input::{Number, Source, claim_from};
use cleanclaim::{Claim, Error};
use pyo3::Borrowed;
use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::de::{self, DeserializeSeed, Expected, IntoDeserializer, Visitor};

use crate::convert::{ConvError, iso_day, py_failed, str_of};

/// Deeper nesting than any claim has; stops self-referencing or adversarial containers from
/// overflowing the stack.
const MAX_DEPTH: u32 = 64;

#[derive(Debug, Clone, Copy)]
enum Tok {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    /// A byte range of `Tape::text`.
    Str(u32, u32),
    /// Key/value pairs follow (each key then its value) up to `end`, the index after them.
    Map {
        end: u32,
    },
    /// Values follow up to `end`, the index after them.
    Seq {
        end: u32,
    },
    /// An index into `Tape::bad`.
    Bad(u32),
}

impl Tok {
    /// A missing value for an optional field: `None`, or a float NaN (pandas' missing number).
    /// Both of the tape's readers ask this, so that they cannot disagree on it.
    fn is_missing(self) -> bool {
        match self {
            Tok::Null => true,
            Tok::Float(f) => f.is_nan(),
            _ => false,
        }
    }
}

#[derive(Debug)]
enum Bad {
    /// A Python object with no claim-model equivalent: its type name.
    Type(String),
    /// A finished message.
    Msg(String),
}

/// Tokens for any number of claims; [`Tape::push`] returns each claim's root.
#[derive(Debug, Default)]
pub struct Tape {
    toks: Vec<Tok>,
    text: String,
    bad: Vec<Bad>,
}

/// Where one claim starts in a [`Tape`].
#[derive(Debug, Clone, Copy)]
pub struct Root(u32);

/// A value's type when it is one of the exact built-ins json.loads and most callers produce,
/// told by its type pointer alone.
#[derive(Clone, Copy)]
enum Exact {
    Str,
    Float,
    Int,
    Dict,
    List,
    /// Anything else, subclasses of those included.
    Other,
}

impl Exact {
    fn of(o: &Bound<'_, PyAny>) -> Exact {
        let t = o.get_type_ptr();
        if t == &raw mut ffi::PyUnicode_Type {
            Exact::Str
        } else if t == &raw mut ffi::PyFloat_Type {
            Exact::Float
        } else if t == &raw mut ffi::PyLong_Type {
            Exact::Int
        } else if t == &raw mut ffi::PyDict_Type {
            Exact::Dict
        } else if t == &raw mut ffi::PyList_Type {
            Exact::List
        } else {
            Exact::Other
        }
    }
}

/// None, or a float NaN (pandas' marker for a missing number): a dict entry holding either
/// counts as absent.
fn is_missing(o: &Bound<'_, PyAny>, kind: Exact) -> bool {
    match kind {
        // SAFETY: `o` is an exact float.
        Exact::Float => unsafe { ffi::PyFloat_AsDouble(o.as_ptr()) }.is_nan(),
        Exact::Other => o.is_none() || o.cast::<PyFloat>().is_ok_and(|f| f.value().is_nan()),
        _ => false,
    }
}

impl Tape {
    pub fn new() -> Self {
        Tape::default()
    }

    /// An empty tape with room for `like`'s contents (the next chunk is much like the last).
    pub fn sized_like(like: &Tape) -> Self {
        Tape {
            toks: Vec::with_capacity(like.toks.len() + like.toks.len() / 8),
            text: String::with_capacity(like.text.len() + like.text.len() / 8),
            bad: Vec::new(),
        }
    }

    /// Forgets the contents, keeps the buffers.
    pub fn clear(&mut self) {
        self.toks.clear();
        self.text.clear();
        self.bad.clear();
    }

    /// Bytes of string data held so far (chunking keeps offsets within `u32`).
    /// The text of a [`Tok::Str`]; both of the tape's readers take strings from here.
    fn text_at(&self, start: u32, len: u32) -> &str {
        &self.text[start as usize..(start + len) as usize]
    }

    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Records one Python value (a claim dict, or anything else: errors surface in
    /// [`Tape::claim`]). Holds the GIL; calls Python only for types outside the fast path.
    pub fn push(&mut self, obj: &Bound<'_, PyAny>) -> Root {
        let root = Root(self.toks.len() as u32);
        self.value(obj, 0);
        root
    }

    /// The claim recorded at `root`, with the field path of the first problem. Needs no GIL.
    pub fn claim(&self, root: Root) -> Result<Claim, Error> {
        // The core's claim reader first; it declines anything but the plain valid case, which
        // serde then reads (and explains).
        if let Some(c) = claim_from(&mut Toks { tape: self, i: root.0 as usize }) {
            return Ok(c);
        }
        let mut i = root.0 as usize;
        match <Claim as serde::Deserialize>::deserialize(De { tape: self, i: &mut i }) {
            Ok(c) => Ok(c),
            Err(_) => {
                // The path costs a string per key, so it is tracked only to explain a failure.
                let mut i = root.0 as usize;
                let e = serde_path_to_error::deserialize::<_, Claim>(De { tape: self, i: &mut i })
                    .expect_err("a second pass over the same tape fails the same way");
                Err(Error::Invalid { path: e.path().to_string(), message: e.into_inner().to_string() })
            }
        }
    }

    /// Starts a map (`seq == false`) or a sequence written entry by entry ([`Tape::key`],
    /// [`Tape::cell`], nested `open`s); [`Tape::close`] ends it.
    pub fn open(&mut self, seq: bool) -> Root {
        let at = self.toks.len() as u32;
        self.toks.push(if seq { Tok::Seq { end: 0 } } else { Tok::Map { end: 0 } });
        Root(at)
    }

    pub fn close(&mut self, at: Root) {
        let now = self.toks.len() as u32;
        if let Tok::Map { end } | Tok::Seq { end } = &mut self.toks[at.0 as usize] {
            *end = now;
        }
    }

    /// Values from token `i` up to `end`, a nested container counting once: a list's length,
    /// which serde's `size_hint` passes on so that each `Vec` is allocated once. Counted where
    /// the list is read (on the pool), not where it is written (holding the GIL).
    fn items(&self, mut i: usize, end: usize) -> usize {
        let mut n = 0;
        while i < end {
            n += 1;
            i = match self.toks[i] {
                Tok::Map { end } | Tok::Seq { end } => end as usize,
                _ => i + 1,
            };
        }
        n
    }

    /// A map key, or any string value.
    pub fn key(&mut self, s: &str) {
        self.str(s);
    }

    pub fn int_value(&mut self, n: i64) {
        self.toks.push(Tok::Int(n));
    }

    pub fn float_value(&mut self, f: f64) {
        self.toks.push(Tok::Float(f));
    }

    pub fn null_value(&mut self) {
        self.toks.push(Tok::Null);
    }

    /// A value that is there but cannot be read (`message` says why, never quoting it): an
    /// error with its path if the claim model reads it.
    pub fn bad_value(&mut self, message: &str) {
        self.bad(Bad::Msg(message.into()));
    }

    /// Any Python value (a table cell), as [`Tape::push`] records it.
    pub fn cell(&mut self, o: &Bound<'_, PyAny>) {
        self.value(o, 1);
    }

    fn bad(&mut self, b: Bad) {
        self.toks.push(Tok::Bad(self.bad.len() as u32));
        self.bad.push(b);
    }

    #[inline(always)]
    fn str(&mut self, s: &str) {
        let start = self.text.len();
        if start + s.len() > u32::MAX as usize {
            return self.bad(Bad::Msg("input too large for one batch".into()));
        }
        push_short(&mut self.text, s);
        self.toks.push(Tok::Str(start as u32, s.len() as u32));
    }

    #[inline(always)]
    fn py_str(&mut self, s: &Bound<'_, PyString>) {
        match str_of(s) {
            Ok(s) => self.str(s),
            Err(e) => self.bad(Bad::Msg(e.to_string())),
        }
    }

    fn int(&mut self, o: &Bound<'_, PyAny>) {
        let mut overflow = 0;
        // SAFETY: `o` is an int (exact or subclass); the call sets `overflow` instead of
        // raising when the value does not fit.
        let n = unsafe { ffi::PyLong_AsLongLongAndOverflow(o.as_ptr(), &mut overflow) };
        if overflow == 0 && !(n == -1 && PyErr::occurred(o.py())) {
            return self.toks.push(Tok::Int(n));
        }
        drop(PyErr::take(o.py()));
        match o.extract::<u64>() {
            Ok(n) => self.toks.push(Tok::UInt(n)),
            Err(_) => self.bad(Bad::Msg("integer out of range".into())),
        }
    }

    /// [`Tape::value`] for a borrowed reference whose exact type is `kind` (see [`Tape::dict`]).
    fn item(&mut self, o: Borrowed<'_, '_, PyAny>, kind: Exact, depth: u32) {
        // Read at once, without running Python code: the borrow suffices.
        if !self.scalar(&o, kind) {
            // Reading may run Python code, which could free a borrowed object.
            self.typed(&o.to_owned(), kind, depth);
        }
    }

    /// Records `o` when its exact type `kind` is `str`, `float` or `int`, which run no Python
    /// code; `false` for anything else. Inlined into the walk with the string copy: a claim
    /// dict holds ~120 strings, keys included, and the calls from value to string to copy
    /// (each saving and restoring registers) cost about as much as copying.
    #[inline(always)]
    fn scalar(&mut self, o: &Bound<'_, PyAny>, kind: Exact) -> bool {
        // SAFETY (casts and reads): `kind` is `o`'s exact type.
        match kind {
            Exact::Str => self.py_str(unsafe { o.cast_unchecked() }),
            Exact::Float => self.toks.push(Tok::Float(unsafe { ffi::PyFloat_AsDouble(o.as_ptr()) })),
            Exact::Int => self.int(o),
            _ => return false,
        }
        true
    }

    fn value(&mut self, o: &Bound<'_, PyAny>, depth: u32) {
        self.typed(o, Exact::of(o), depth)
    }

    /// [`Tape::value`] for an object whose exact type is `kind`.
    fn typed(&mut self, o: &Bound<'_, PyAny>, kind: Exact, depth: u32) {
        if self.scalar(o, kind) {
            return;
        }
        // Only containers and the slow path recurse.
        if depth > MAX_DEPTH {
            return self.bad(Bad::Msg("nested too deeply".into()));
        }
        // SAFETY (both casts): `kind` is `o`'s exact type.
        match kind {
            Exact::Dict => self.dict(unsafe { o.cast_unchecked() }, depth),
            Exact::List => self.list(unsafe { o.cast_unchecked() }, depth),
            _ if o.is_none() => self.toks.push(Tok::Null),
            _ => self.slow(o, depth),
        }
    }

    /// Subclasses of the built-ins, then the types with no serde equivalent: numpy scalars,
    /// Decimal, dates, other mappings and iterables.
    fn slow(&mut self, o: &Bound<'_, PyAny>, depth: u32) {
        let py = o.py();
        if let Ok(s) = o.cast::<PyString>() {
            return self.py_str(s);
        }
        if let Ok(d) = o.cast::<PyDict>() {
            return self.dict(d, depth);
        }
        if let Ok(b) = o.cast::<PyBool>() {
            return self.toks.push(Tok::Bool(b.is_true()));
        }
        if o.cast::<PyInt>().is_ok() {
            return self.int(o);
        }
        if let Ok(f) = o.cast::<PyFloat>() {
            return self.toks.push(Tok::Float(f.value()));
        }
        if let Ok(l) = o.cast::<PyList>() {
            return self.list(l, depth);
        }
        if let Ok(t) = o.cast::<PyTuple>() {
            return self.list(&t.to_list(), depth);
        }
        if o.hasattr(intern!(py, "__index__")).unwrap_or(false) {
            return match o.extract::<i64>() {
                Ok(i) => self.toks.push(Tok::Int(i)),
                Err(e) => self.bad(Bad::Msg(py_failed(e, "an integer").to_string())),
            };
        }
        if let Some(f) = o.getattr_opt(intern!(py, "isoformat")).ok().flatten() {
            // Dates, datetimes and pandas Timestamps as `YYYY-MM-DD`.
            return match f.call0().and_then(|s| s.extract::<String>()) {
                Ok(s) => self.str(iso_day(&s)),
                Err(e) => self.bad(Bad::Msg(py_failed(e, "a date").to_string())),
            };
        }
        if o.hasattr(intern!(py, "__float__")).unwrap_or(false) {
            return match o.extract::<f64>() {
                Ok(f) => self.toks.push(Tok::Float(f)),
                Err(e) => self.bad(Bad::Msg(py_failed(e, "a number").to_string())),
            };
        }
        if o.hasattr(intern!(py, "keys")).unwrap_or(false) {
            let d = PyDict::new(py);
            return match o.cast::<pyo3::types::PyMapping>() {
                Ok(m) => match d.update(m) {
                    Ok(()) => self.dict(&d, depth),
                    Err(e) => self.bad(Bad::Msg(py_failed(e, "a mapping").to_string())),
                },
                Err(_) => self.bad(Bad::Msg("expected a mapping".into())),
            };
        }
        if o.cast::<PyBytes>().is_err()
            && o.cast::<PyByteArray>().is_err()
            && o.hasattr(intern!(py, "__iter__")).unwrap_or(false)
        {
            let items: PyResult<Vec<Bound<'_, PyAny>>> = o.try_iter().and_then(|it| it.collect());
            return match items.and_then(|v| PyList::new(py, v)) {
                Ok(l) => self.list(&l, depth),
                Err(e) => self.bad(Bad::Msg(py_failed(e, "a sequence").to_string())),
            };
        }
        let name = o.get_type().qualname().map(|n| n.to_string()).unwrap_or_else(|_| "object".into());
        self.bad(Bad::Type(name))
    }

    fn dict(&mut self, d: &Bound<'_, PyDict>, depth: u32) {
        let at = self.open(false);
        let mut pos: ffi::Py_ssize_t = 0;
        let mut k: *mut ffi::PyObject = std::ptr::null_mut();
        let mut v: *mut ffi::PyObject = std::ptr::null_mut();
        let py = d.py();
        // SAFETY: `d` is a live dict and PyDict_Next hands out borrowed references. A key or
        // value of an exact scalar type is read at once and no Python code runs meanwhile, so
        // the borrow suffices; anything else becomes an owned reference first, so that Python
        // code run while reading it (a date's isoformat, say) cannot free it under us.
        while unsafe { ffi::PyDict_Next(d.as_ptr(), &mut pos, &mut k, &mut v) } != 0 {
            let v = unsafe { Borrowed::from_ptr(py, v) };
            let kind = Exact::of(&v);
            // None means "absent", as a DataFrame null does; JSON callers never send None.
            if is_missing(&v, kind) {
                continue;
            }
            let k = unsafe { Borrowed::from_ptr(py, k) };
            self.item(k, Exact::of(&k), depth + 1);
            self.item(v, kind, depth + 1);
        }
        self.close(at);
    }

    fn list(&mut self, l: &Bound<'_, PyList>, depth: u32) {
        let at = self.open(true);
        let mut k = 0;
        // The length is re-read every step: Python code run for an item may shrink the list.
        while k < l.len() {
            match l.get_item(k) {
                Ok(item) => self.value(&item, depth + 1),
                Err(e) => self.bad(Bad::Msg(py_failed(e, "a list item").to_string())),
            }
            k += 1;
        }
        self.close(at);
    }
}

/// The tape as a [`Source`] for the core's claim reader: the tokens read as `De` hands them to
/// serde's visitors (integers as `i64` unless only `u64` holds them, NaN as missing), so that
/// the reader, which takes only what serde would read the same, gives the same claim.
struct Toks<'a> {
    tape: &'a Tape,
    i: usize,
}

impl<'a> Toks<'a> {
    fn tok(&self) -> Option<Tok> {
        self.tape.toks.get(self.i).copied()
    }

    /// The entries of the map or list that starts here, up to its `end`: `Some` once `read`
    /// has consumed exactly them.
    fn entries(&mut self, end: u32, mut read: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.i += 1;
        while self.i < end as usize {
            read(self)?;
        }
        (self.i == end as usize).then_some(())
    }
}

impl<'a> Source<'a> for Toks<'a> {
    fn null(&mut self) -> bool {
        let missing = self.tok().is_some_and(Tok::is_missing);
        self.i += usize::from(missing);
        missing
    }

    fn str(&mut self) -> Option<&'a str> {
        let Tok::Str(start, len) = self.tok()? else {
            return None;
        };
        self.i += 1;
        Some(self.tape.text_at(start, len))
    }

    fn is_str(&mut self) -> Option<bool> {
        Some(matches!(self.tok()?, Tok::Str(..)))
    }

    fn number(&mut self) -> Option<Number> {
        let n = match self.tok()? {
            Tok::Int(n) => Number::I64(n),
            Tok::UInt(n) => Number::U64(n),
            Tok::Float(f) => Number::F64(f),
            _ => return None,
        };
        self.i += 1;
        Some(n)
    }

    fn object(&mut self, mut field: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        let Tok::Map { end } = self.tok()? else {
            return None;
        };
        self.entries(end, |t| {
            let key = t.str()?;
            field(t, key)
        })
    }

    fn items(&mut self, item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        let Tok::Seq { end } = self.tok()? else {
            return None;
        };
        self.entries(end, item)
    }
}

/// Reads the value at `*i` and moves `*i` past it.
struct De<'a, 'c> {
    tape: &'a Tape,
    i: &'c mut usize,
}

impl<'a> De<'a, '_> {
    fn tok(&self) -> Tok {
        self.tape.toks[*self.i]
    }

    /// The Python type a token came from, for "expected" messages.
    fn type_name(&self) -> &'a str {
        match self.tok() {
            Tok::Null => "NoneType",
            Tok::Bool(_) => "bool",
            Tok::Int(_) | Tok::UInt(_) => "int",
            Tok::Float(_) => "float",
            Tok::Str(..) => "str",
            Tok::Map { .. } => "dict",
            Tok::Seq { .. } => "list",
            Tok::Bad(b) => match &self.tape.bad[b as usize] {
                Bad::Type(name) => name,
                Bad::Msg(_) => "object",
            },
        }
    }

    fn bad_error(&self, b: u32, exp: &dyn Expected) -> ConvError {
        match &self.tape.bad[b as usize] {
            Bad::Type(name) => ConvError(format!("invalid type: a Python {name}, expected {exp}")),
            Bad::Msg(m) => ConvError(m.clone()),
        }
    }
}

impl<'de> de::Deserializer<'de> for De<'de, '_> {
    type Error = ConvError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, ConvError> {
        let t = self.tok();
        *self.i += 1;
        match t {
            Tok::Null => v.visit_unit(),
            Tok::Bool(b) => v.visit_bool(b),
            Tok::Int(n) => v.visit_i64(n),
            Tok::UInt(n) => v.visit_u64(n),
            Tok::Float(f) => v.visit_f64(f),
            Tok::Str(s, n) => v.visit_borrowed_str(self.tape.text_at(s, n)),
            Tok::Map { end } => {
                let out = v.visit_map(Items { tape: self.tape, i: &mut *self.i, end })?;
                *self.i = end as usize;
                Ok(out)
            }
            Tok::Seq { end } => {
                let out = v.visit_seq(Items { tape: self.tape, i: &mut *self.i, end })?;
                *self.i = end as usize;
                Ok(out)
            }
            Tok::Bad(b) => Err(self.bad_error(b, &v)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, ConvError> {
        if self.tok().is_missing() {
            *self.i += 1;
            return v.visit_none();
        }
        v.visit_some(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, ConvError> {
        match self.tok() {
            Tok::Str(s, n) => {
                *self.i += 1;
                v.visit_enum(IntoDeserializer::<ConvError>::into_deserializer(self.tape.text_at(s, n)))
            }
            _ => {
                Err(ConvError(format!("invalid type: a Python {}, expected {}", self.type_name(), &v as &dyn Expected)))
            }
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, ConvError> {
        *self.i = match self.tok() {
            Tok::Map { end, .. } | Tok::Seq { end, .. } => end as usize,
            _ => *self.i + 1,
        };
        v.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map struct identifier
    }
}

/// The entries of a map or the items of a list: the values from `*i` up to `end`.
struct Items<'a, 'c> {
    tape: &'a Tape,
    i: &'c mut usize,
    end: u32,
}

impl<'de> Items<'de, '_> {
    /// The next value (a map's key), or `None` at `end`.
    fn next<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>, ConvError> {
        if *self.i >= self.end as usize {
            return Ok(None);
        }
        seed.deserialize(De { tape: self.tape, i: &mut *self.i }).map(Some)
    }
}

impl<'de> de::MapAccess<'de> for Items<'de, '_> {
    type Error = ConvError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, ConvError> {
        self.next(seed)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, ConvError> {
        seed.deserialize(De { tape: self.tape, i: &mut *self.i })
    }
}

impl<'de> de::SeqAccess<'de> for Items<'de, '_> {
    type Error = ConvError;

    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>, ConvError> {
        self.next(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.tape.items(*self.i, self.end as usize))
    }
}

#[cfg(test)]
mod tests {
    //! The tape's two readers against each other, with no Python: tapes are written through the
    //! GIL-free entry points `check_frame` uses (and `Tok::Bool`, which only the walk writes).

    use std::path::{Path, PathBuf};

    use serde::Deserialize;
    use serde_json::Value;

    use super::*;

    fn write(t: &mut Tape, v: &Value) {
        match v {
            Value::Null => t.null_value(),
            Value::Bool(b) => t.toks.push(Tok::Bool(*b)),
            Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                // As `Tape::int` records a Python int: signed unless only `u64` holds it.
                (Some(i), _) => t.int_value(i),
                (None, Some(u)) => t.toks.push(Tok::UInt(u)),
                _ => t.float_value(n.as_f64().expect("a JSON number")),
            },
            Value::String(s) => t.key(s),
            Value::Array(a) => {
                let at = t.open(true);
                a.iter().for_each(|x| write(t, x));
                t.close(at);
            }
            Value::Object(m) => {
                let at = t.open(false);
                for (k, x) in m {
                    t.key(k);
                    write(t, x);
                }
                t.close(at);
            }
        }
    }

    /// The contract on one tape: serde over the tape refuses => the claim reader declines; serde
    /// reads a claim => the reader declines or reads the same. Returns whether it accepted.
    fn contract(t: &Tape) -> bool {
        let fast = claim_from(&mut Toks { tape: t, i: 0 });
        let serde = Claim::deserialize(De { tape: t, i: &mut 0 });
        match (serde, fast) {
            (_, None) => false,
            (Ok(mut a), Some(mut b)) => {
                assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
                // A NaN in a line's `units` is read alike by both, but is never `==` itself.
                assert_eq!(a.lines.len(), b.lines.len());
                for (x, y) in a.lines.iter_mut().zip(&mut b.lines) {
                    assert_eq!(x.units.to_bits(), y.units.to_bits());
                    (x.units, y.units) = (0.0, 0.0);
                }
                assert_eq!(a, b);
                true
            }
            (Err(e), Some(_)) => panic!("the claim reader accepted what serde refuses ({e})"),
        }
    }

    fn tape_of(v: &Value) -> Tape {
        let mut t = Tape::new();
        write(&mut t, v);
        t
    }

    fn claims() -> Vec<Value> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let files = |dir: PathBuf| {
            let mut f: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
            f.retain(|p| p.extension().is_some_and(|e| e == "json"));
            f.sort();
            f
        };
        let mut out: Vec<Value> = files(root.join("examples/claims"))
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect();
        for p in files(root.join("tests/vectors")) {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
            out.push(v["claim"].clone());
        }
        assert!(out.len() > 20, "{} claims", out.len());
        out
    }

    /// Every value's path in `v`, as JSON pointers.
    fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, x)| pointers(x, format!("{at}/{k}"), out)),
            Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| pointers(x, format!("{at}/{i}"), out)),
            _ => {}
        }
        out.push(at);
    }

    #[test]
    fn plain_claims_are_read_by_the_claim_reader() {
        for c in claims() {
            assert!(contract(&tape_of(&c)), "declined {c}");
        }
    }

    /// Every value of every sample claim replaced by values of every kind, every key removed;
    /// and NaN, which only a tape holds (pandas' missing value), put everywhere.
    #[test]
    fn changed_claims_keep_the_contract() {
        let kinds: Vec<Value> = [
            "null",
            "true",
            "false",
            "0",
            "7",
            "-5",
            "1.5",
            "-0.0",
            "18446744073709551615",
            "\"\"",
            "\"x\"",
            "\"12.50\"",
            "\"M\"",
            "\"professional\"",
            "\"2026-03-02\"",
            "\"e11.9\"",
            "[]",
            "[1]",
            "[\"25\"]",
            "{}",
            "{\"code\":\"E11.9\"}",
        ]
        .iter()
        .map(|s| serde_json::from_str(s).unwrap())
        .collect();
        let (mut accepted, mut total) = (0, 0);
        for (f, c) in claims().iter().enumerate() {
            let mut all = Vec::new();
            pointers(c, String::new(), &mut all);
            for (n, p) in all.iter().enumerate().filter(|(_, p)| !p.is_empty()) {
                // Each claim tries a different quarter of the (value, kind) pairs, so the sample
                // claims cover them all between them (debug builds read ~1,500 tapes a second).
                for (_, k) in kinds.iter().enumerate().filter(|(i, _)| (n + i + f) % 4 == 0) {
                    let mut v = c.clone();
                    *v.pointer_mut(p).unwrap() = k.clone();
                    accepted += usize::from(contract(&tape_of(&v)));
                    total += 1;
                }
                // NaN where the value was: written as the value's token, then replaced.
                let mut t = Tape::new();
                let mut marked = c.clone();
                *marked.pointer_mut(p).unwrap() = Value::String("\u{1}nan".into());
                write(&mut t, &marked);
                let at = t.toks.iter().position(
                    |tok| matches!(tok, Tok::Str(s, n) if &t.text[*s as usize..(*s + *n) as usize] == "\u{1}nan"),
                );
                if let Some(at) = at {
                    t.toks[at] = Tok::Float(f64::NAN);
                    accepted += usize::from(contract(&t));
                    total += 1;
                }
                let (parent, key) = p.rsplit_once('/').unwrap();
                let mut v = c.clone();
                if let Some(Value::Object(m)) = v.pointer_mut(parent) {
                    m.remove(key);
                    accepted += usize::from(contract(&tape_of(&v)));
                    total += 1;
                }
            }
        }
        // Both outcomes must occur, or the test says nothing about one of them.
        assert!(accepted > total / 10 && accepted < total, "{accepted} of {total} accepted");
    }
}
