//! Code lists for the batch look-ups: a list/tuple/iterable of `str` or a numpy `str` array,
//! keyed as it is read (8 bytes a code) so the look-up itself runs without the GIL, or an
//! Arrow string array or dictionary of strings (pyarrow, or anything that exports
//! `__arrow_c_array__` or `__arrow_c_stream__`, as polars does), read in place through the
//! Arrow C data interface. numpy and Arrow
//! arrays are read through their buffers: no Python object per code. A pandas Series, Index
//! or array is read through what it holds: a categorical as its categories and their codes,
//! an Arrow-backed one through Arrow, any other as the list of its values.

use arrow_array::cast::AsArray;
use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi};
use arrow_array::ffi_stream::{ArrayStreamReader, FFI_ArrowArrayStream};
use arrow_array::{Array, ArrayReader, ArrayRef, make_array};
use arrow_schema::DataType;
use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule, PyDict, PyFloat, PyList, PyString, PyTuple};
use pyo3::{Borrowed, ffi};

use cleanclaim::codes::CodeKey;

use crate::convert::str_of;

fn module_of(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().module().map(|m| m.to_string()).unwrap_or_default()
}

/// Many codes: keyed ([`CodeKey`]), in the Arrow arrays they came in, or as places in a table
/// of distinct codes (a pandas categorical). A null is an empty code, which no code set holds.
#[derive(Debug, Default)]
pub struct Codes {
    /// Each `str` keyed where it lies, while the GIL keeps it alive: copying the text into a
    /// buffer that outlives the GIL, and reading it there, was ~90 of a list's ~290
    /// instructions a code.
    keys: Vec<CodeKey>,
    arrays: Vec<ArrayRef>,
    /// A pandas categorical: its categories, and each code's place among them ([`MISSING`]
    /// for a missing value). Each distinct code is looked up once.
    places: Option<(Box<Codes>, Vec<usize>)>,
}

/// How many items of a list ahead of the one being read are asked for ([`Codes::items`]).
const AHEAD: usize = 16;

/// The place of a missing value in [`Codes::places`]: past any table, so never valid.
const MISSING: usize = usize::MAX;

impl Codes {
    fn push(&mut self, code: &str) {
        self.keys.push(CodeKey::of(code));
    }

    /// [`Engine::icd10cm_validity`](cleanclaim::Engine::icd10cm_validity) of the codes, in
    /// input order, read where they are (no list of references is built: for a million codes
    /// that list was 16 MB to allocate and fill on every call). One call per store, each over
    /// its own kind of iterator: one iterator that chained the stores and dispatched on each
    /// array's type took ~8 % of a call from pyarrow.
    pub fn validity(&self, engine: &cleanclaim::Engine, date: cleanclaim::Date) -> Vec<bool> {
        // `read` fills one store or another.
        debug_assert!(
            usize::from(!self.keys.is_empty())
                + usize::from(!self.arrays.is_empty())
                + usize::from(self.places.is_some())
                <= 1
        );
        if let Some((table, places)) = &self.places {
            return answers_at(&table.validity(engine, date), places.iter().copied());
        }
        let mut out = engine.icd10cm_validity_of_keys(&self.keys, date);
        for a in &self.arrays {
            let valid = array_validity(engine, a.as_ref(), date);
            if out.is_empty() {
                out = valid;
            } else {
                out.extend(valid);
            }
        }
        out
    }

    /// How many codes there are.
    pub fn len(&self) -> usize {
        let places = self.places.as_ref().map_or(0, |(_, at)| at.len());
        self.keys.len() + self.arrays.iter().map(|a| a.len()).sum::<usize>() + places
    }

    pub fn read(obj: &Bound<'_, PyAny>) -> PyResult<Codes> {
        if obj.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err("codes: expected a list of str, not a single str"));
        }
        let mut out = Codes::default();
        if let Ok(l) = obj.cast::<PyList>() {
            return out.items(l.len(), |i| Self::list_item(l, i), None);
        }
        if let Ok(t) = obj.cast::<PyTuple>() {
            return out.items(t.len(), |i| t.get_borrowed_item(i), None);
        }
        let module = module_of(obj);
        if module.starts_with("pandas")
            && let Some(out) = Self::pandas(obj)?
        {
            return Ok(out);
        }
        if out.arrow_any(obj)? || out.arrow_stream(obj)? {
            return Ok(out);
        }
        if module == "numpy" && out.numpy(obj)? {
            return Ok(out);
        }
        out.iterable(obj)
    }

    /// The items of a list or tuple, read as references the sequence holds: pyo3's iterators
    /// add a reference to each item and drop it, and a list's asks for its length, three calls
    /// of the stable ABI per item on top of reading it. With `na` (pandas' `NA`), an item that
    /// is None, NaN or `na` is an empty code.
    fn items<'a, 'py: 'a>(
        mut self,
        n: usize,
        get: impl Fn(usize) -> PyResult<Borrowed<'a, 'py, PyAny>>,
        na: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Codes> {
        self.keys.reserve(n);
        // Each `str` lies wherever it was made: unless it is asked for ahead, reading it is a
        // wait on memory. A shuffled list of a million fresh codes read at ~10 M codes/s, 8
        // items ahead ~23 M, 16 ahead with both cache lines a short `str` may span (its header
        // is 40-48 bytes, its text follows) ~28 M; strings in list order ~45-50 M either way.
        let mut ahead: [Option<Borrowed<'a, 'py, PyAny>>; AHEAD] = [None; AHEAD];
        let fetch = |i: usize| {
            get(i).inspect(|item| {
                cleanclaim::codesets::prefetch(item.as_ptr());
                cleanclaim::codesets::prefetch(item.as_ptr().cast::<u8>().wrapping_add(56));
            })
        };
        for (i, slot) in ahead.iter_mut().enumerate().take(n) {
            *slot = Some(fetch(i)?);
        }
        for i in 0..n {
            let slot = &mut ahead[i % AHEAD];
            let item = slot.take().expect("fetched ahead");
            if i + AHEAD < n {
                *slot = Some(fetch(i + AHEAD)?);
            }
            let missing =
                |na| item.is_none() || item.is(na) || item.cast::<PyFloat>().is_ok_and(|f| f.value().is_nan());
            if na.is_some_and(|na| !item.is_instance_of::<PyString>() && missing(na)) {
                self.push("");
            } else {
                self.item(&item, i)?;
            }
        }
        Ok(self)
    }

    /// Item `i` of `list`, borrowed.
    fn list_item<'a, 'py>(list: &'a Bound<'py, PyList>, i: usize) -> PyResult<Borrowed<'a, 'py, PyAny>> {
        // SAFETY: the GIL is held (the module is built for the stable ABI, which no
        // free-threaded CPython loads), and reading an item runs no Python code (a type check,
        // a `str`'s UTF-8, an error built but not raised), so no other code can change the list
        // while `items` reads it: the item stays referenced by the list until the loop is done
        // with it. `PyList_GetItem` checks the index and gives a borrowed reference, or null
        // with an error set.
        let item = unsafe { ffi::PyList_GetItem(list.as_ptr(), i as ffi::Py_ssize_t) };
        if item.is_null() {
            return Err(PyErr::fetch(list.py()));
        }
        // SAFETY: `item` is a live object the list holds (above).
        Ok(unsafe { Borrowed::from_ptr(list.py(), item) })
    }

    fn item(&mut self, item: &Bound<'_, PyAny>, i: usize) -> PyResult<()> {
        match item.cast::<PyString>() {
            Ok(s) => {
                self.push(str_of(s).map_err(|_| PyTypeError::new_err(format!("codes[{i}]: not valid UTF-8")))?);
                Ok(())
            }
            Err(_) => Err(PyTypeError::new_err(format!("codes[{i}]: expected str"))),
        }
    }

    fn iterable(mut self, obj: &Bound<'_, PyAny>) -> PyResult<Codes> {
        self.keys.clear();
        self.arrays.clear();
        self.places = None;
        let py = obj.py();
        if module_of(obj).starts_with("pyarrow") {
            // Iterating a pyarrow array yields pyarrow scalars; its Python values are str/None.
            let values = obj.call_method0(intern!(py, "to_pylist"))?;
            for (i, item) in values.try_iter()?.enumerate() {
                let item = item?;
                if item.is_none() {
                    self.push("");
                } else {
                    self.item(&item, i)?;
                }
            }
            return Ok(self);
        }
        let iter = obj.try_iter().map_err(|_| PyTypeError::new_err("codes: expected an iterable of str"))?;
        for (i, item) in iter.enumerate() {
            self.item(&item?, i)?;
        }
        Ok(self)
    }

    /// A pandas Series, Index or array, read through what it holds: a categorical as its
    /// categories (each looked up once) and their codes, pandas' Arrow-backed strings through
    /// Arrow, anything else as the list of its values as objects, with pandas' missing values
    /// (None, NaN, `pd.NA`) as empty codes, as Arrow's nulls are.
    /// Iterating a Series made a Python call per item. `None` for a pandas object that offers
    /// none of these (a DataFrame), which is then iterated as any other object.
    fn pandas(obj: &Bound<'_, PyAny>) -> PyResult<Option<Codes>> {
        let py = obj.py();
        // A Series' or an Index's values; an extension array is its own.
        let array = obj.getattr_opt(intern!(py, "array"))?.unwrap_or_else(|| obj.clone());
        // Categories that are not all `str` are read with the values below, so that the error
        // names the value's own index, not its category's.
        if let (Some(categories), Some(codes)) =
            (array.getattr_opt(intern!(py, "categories"))?, array.getattr_opt(intern!(py, "codes"))?)
            && let Some(places) = category_places(&codes)?
            && let Ok(table) = Codes::read(&categories)
        {
            return Ok(Some(Codes { places: Some((Box::new(table), places)), ..Codes::default() }));
        }
        // pandas' Arrow-backed arrays (its `string[pyarrow]`, pandas 3's default `str`, an
        // `ArrowDtype`) hand over their Arrow arrays. Converting any other array to Arrow
        // copies every string, slower than `to_numpy` below (64 ms against 30 for a million
        // codes of `string[python]`).
        let dtype = array.getattr_opt(intern!(py, "dtype"))?;
        let storage = dtype.as_ref().map(|d| d.getattr_opt(intern!(py, "storage"))).transpose()?.flatten();
        let arrow_backed =
            dtype.as_ref().map(|d| d.hasattr(intern!(py, "pyarrow_dtype"))).transpose()?.unwrap_or(false)
                || storage.is_some_and(|s| s.eq("pyarrow").unwrap_or(false));
        if arrow_backed && let Some(export) = array.getattr_opt(intern!(py, "__arrow_array__"))? {
            let mut out = Codes::default();
            if out.arrow_any(&export.call0()?)? {
                return Ok(Some(out));
            }
        }
        // The values as objects, then as a list: `tolist` alone iterates an extension array in
        // Python.
        let values = match obj.getattr_opt(intern!(py, "to_numpy"))? {
            Some(to_numpy) => {
                let kwargs = PyDict::new(py);
                kwargs.set_item(intern!(py, "dtype"), intern!(py, "object"))?;
                to_numpy.call((), Some(&kwargs))?
            }
            None => obj.clone(),
        };
        let Some(tolist) = values.getattr_opt(intern!(py, "tolist"))? else { return Ok(None) };
        let list = tolist.call0()?;
        let Ok(list) = list.cast::<PyList>() else { return Ok(None) };
        // pandas marks a missing value with None, NaN or `pd.NA`.
        let na = py.import(intern!(py, "pandas"))?.getattr(intern!(py, "NA"))?;
        Codes::default().items(list.len(), |i| Self::list_item(list, i), Some(&na)).map(Some)
    }

    /// A pyarrow array or chunked array of strings (or dictionaries of them), or any object
    /// with `__arrow_c_array__`: false, and nothing kept, for anything else.
    fn arrow_any(&mut self, obj: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = obj.py();
        if module_of(obj).starts_with("pyarrow")
            && let Some(chunks) = obj.getattr_opt(intern!(py, "chunks"))?
        {
            for chunk in chunks.try_iter()? {
                if !self.arrow(&chunk?)? {
                    self.arrays.clear();
                    return Ok(false);
                }
            }
            return Ok(true);
        }
        self.arrow(obj)
    }

    /// An array that exports itself through the Arrow PyCapsule interface, kept when it holds
    /// strings (`string`, `large_string`, `string_view`): false for other types and for
    /// objects without the interface, which are then read item by item.
    fn arrow(&mut self, arr: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = arr.py();
        let Some(export) = arr.getattr_opt(intern!(py, "__arrow_c_array__"))? else { return Ok(false) };
        let exported = match export.call0() {
            Ok(v) => v,
            // An object that offers the interface but cannot export this array (pyarrow's
            // own errors are real ones) is read item by item, as before the interface.
            Err(_) if !module_of(arr).starts_with("pyarrow") => return Ok(false),
            Err(e) => return Err(e),
        };
        let (schema, array): (Bound<'_, PyAny>, Bound<'_, PyAny>) = exported.extract()?;
        let (schema, array) = (schema.cast::<PyCapsule>()?, array.cast::<PyCapsule>()?);
        let schema = schema.pointer_checked(Some(c"arrow_schema"))?;
        let array = array.pointer_checked(Some(c"arrow_array"))?;
        // SAFETY: the capsules are named as the Arrow PyCapsule interface names a schema and an
        // array, so they point at an `ArrowSchema` and an `ArrowArray`; `from_raw` moves each
        // out and leaves a released one behind, which the capsules' destructors then skip.
        let (schema, array) = unsafe {
            (FFI_ArrowSchema::from_raw(schema.as_ptr().cast()), FFI_ArrowArray::from_raw(array.as_ptr().cast()))
        };
        // The interface has the consumer check this: capsules handed out twice (a producer that
        // caches them) hold released structs, whose fields must not be read.
        if schema.release().is_none() || array.is_released() {
            return Err(PyTypeError::new_err("codes: the Arrow capsules were already consumed"));
        }
        if !DataType::try_from(&schema).is_ok_and(|t| holds_codes(&t)) {
            return Ok(false);
        }
        // SAFETY: the array and its schema come from the same export, as the C data interface
        // pairs them. As for `check_frame`'s streams, the producer is trusted for what the
        // interface promises and nothing can check: that each buffer is as long as the array
        // declares, and that it is not written to while the array is alive (the codes are read
        // in place, with the GIL released for large lists). Everything the buffers' contents
        // could get wrong is checked next.
        let data = unsafe { from_ffi(array, &schema) }.map_err(malformed)?;
        // Offsets in order and in bounds, and the whole text span UTF-8 (null slots included,
        // as arrow-rs validates it), before any string is read.
        data.validate_full().map_err(malformed)?;
        self.arrays.push(make_array(data));
        Ok(true)
    }

    /// An object that exports a stream of arrays through the Arrow PyCapsule interface
    /// (`__arrow_c_stream__`: a polars Series) when they hold codes, each array checked and
    /// kept as [`Codes::arrow`] keeps one: iterating a polars Series made a Python `str` per
    /// code (8.5 M codes/s for a million codes, a categorical 11.7 M). False, and nothing kept,
    /// for streams of other types and exports that fail or do not import; the object is then
    /// iterated.
    fn arrow_stream(&mut self, obj: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = obj.py();
        let Some(export) = obj.getattr_opt(intern!(py, "__arrow_c_stream__"))? else { return Ok(false) };
        let Ok(capsule) = export.call0() else { return Ok(false) };
        let Ok(capsule) = capsule.cast::<PyCapsule>() else { return Ok(false) };
        let stream = capsule.pointer_checked(Some(c"arrow_array_stream"))?;
        // SAFETY: the capsule is named as the Arrow PyCapsule interface names a stream, so it
        // points at an `ArrowArrayStream`; `from_raw` moves it out and leaves a released one
        // behind, which the capsule's destructor then skips. The producer is trusted for the
        // buffers' lengths, as in `arrow`.
        let Ok(reader) = (unsafe { ArrayStreamReader::from_raw(stream.as_ptr().cast::<FFI_ArrowArrayStream>()) })
        else {
            return Ok(false);
        };
        if !holds_codes(reader.field().data_type()) {
            return Ok(false);
        }
        for array in reader {
            let Ok(array) = array else {
                self.arrays.clear();
                return Ok(false);
            };
            // As for one array: offsets and the text checked before any string is read.
            array.to_data().validate_full().map_err(malformed)?;
            self.arrays.push(array);
        }
        Ok(true)
    }

    /// A numpy array of dtype `<U…` (fixed-width UCS-4) through `tobytes`; false for other
    /// dtypes (object arrays of str are read item by item).
    fn numpy(&mut self, arr: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = arr.py();
        let ndim: usize = arr.getattr(intern!(py, "ndim"))?.extract()?;
        let Some((kind, itemsize)) = numpy_elements(arr)? else { return Ok(false) };
        if kind != "U" || ndim != 1 {
            return Ok(false);
        }
        let raw = arr.call_method0(intern!(py, "tobytes"))?.cast_into::<PyBytes>()?;
        let raw = raw.as_bytes();
        if itemsize == 0 {
            for _ in 0..arr.len()? {
                self.push("");
            }
            return Ok(true);
        }
        let mut code = String::new();
        for (i, item) in raw.chunks_exact(itemsize).enumerate() {
            code.clear();
            for c in item.chunks_exact(4) {
                let u = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                if u == 0 {
                    break;
                }
                code.push(char::from_u32(u).ok_or_else(|| PyTypeError::new_err(format!("codes[{i}]: not text")))?);
            }
            self.push(&code);
        }
        Ok(true)
    }
}

/// Whether arrays of type `t` hold codes the batch reads in place: strings, or a dictionary
/// of them.
fn holds_codes(t: &DataType) -> bool {
    let strings = |t: &DataType| matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
    match t {
        DataType::Dictionary(_, values) => strings(values),
        t => strings(t),
    }
}

fn malformed(e: arrow_schema::ArrowError) -> PyErr {
    PyTypeError::new_err(format!("codes: malformed Arrow array: {e}"))
}

/// The answers for `a`, an array [`Codes::arrow`] kept: a null is an empty code, and a
/// dictionary's values are looked up once each.
fn array_validity(engine: &cleanclaim::Engine, a: &dyn Array, date: cleanclaim::Date) -> Vec<bool> {
    match a.data_type() {
        DataType::Utf8 => engine.icd10cm_validity(a.as_string::<i32>().iter().map(Option::unwrap_or_default), date),
        DataType::LargeUtf8 => {
            engine.icd10cm_validity(a.as_string::<i64>().iter().map(Option::unwrap_or_default), date)
        }
        DataType::Dictionary(..) => {
            let d = a.as_any_dictionary();
            // No values: every key is null (`normalized_keys` needs a value to point at).
            if d.values().is_empty() {
                return vec![false; a.len()];
            }
            let valid = array_validity(engine, d.values().as_ref(), date);
            let nulls = d.keys().logical_nulls();
            let places = d.normalized_keys().into_iter().enumerate();
            answers_at(
                &valid,
                places.map(|(i, k)| if nulls.as_ref().is_some_and(|n| n.is_null(i)) { MISSING } else { k }),
            )
        }
        _ => engine.icd10cm_validity(a.as_string_view().iter().map(Option::unwrap_or_default), date),
    }
}

/// The answer at each of `places` in `answers`, false past its end ([`MISSING`]).
fn answers_at(answers: &[bool], places: impl Iterator<Item = usize>) -> Vec<bool> {
    places.map(|i| answers.get(i).copied().unwrap_or(false)).collect()
}

/// Each code's place among a pandas categorical's categories, from `codes` (a numpy array
/// of signed integers, -1 for a missing value); `None` for any other array, whose values
/// `tolist` then reads.
fn category_places(codes: &Bound<'_, PyAny>) -> PyResult<Option<Vec<usize>>> {
    let py = codes.py();
    let Some((kind, size)) = numpy_elements(codes)? else { return Ok(None) };
    if kind != "i" || !matches!(size, 1 | 2 | 4 | 8) {
        return Ok(None);
    }
    let raw = codes.call_method0(intern!(py, "tobytes"))?.cast_into::<PyBytes>()?;
    let place = |c: i64| usize::try_from(c).unwrap_or(MISSING);
    let words = raw.as_bytes().chunks_exact(size);
    Ok(Some(match size {
        1 => words.map(|b| place(i64::from(i8::from_le_bytes([b[0]])))).collect(),
        2 => words.map(|b| place(i64::from(i16::from_le_bytes([b[0], b[1]])))).collect(),
        4 => words.map(|b| place(i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])))).collect(),
        _ => words.map(|b| place(i64::from_le_bytes(b.try_into().expect("8 bytes")))).collect(),
    }))
}

/// A numpy array's element kind (`dtype.kind`) and size in bytes; `None` for an object
/// without a dtype, or elements not in this machine's byte order (little-endian), which
/// `tobytes` would hand over as they are.
fn numpy_elements(arr: &Bound<'_, PyAny>) -> PyResult<Option<(String, usize)>> {
    let py = arr.py();
    let Some(dtype) = arr.getattr_opt(intern!(py, "dtype"))? else { return Ok(None) };
    let byteorder: String = dtype.getattr(intern!(py, "byteorder"))?.extract()?;
    if !(cfg!(target_endian = "little") && matches!(byteorder.as_str(), "=" | "<" | "|")) {
        return Ok(None);
    }
    Ok(Some((dtype.getattr(intern!(py, "kind"))?.extract()?, dtype.getattr(intern!(py, "itemsize"))?.extract()?)))
}
