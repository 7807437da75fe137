//! Code lists for the batch look-ups: a list/tuple/iterable of `str` or a numpy `str` array,
//! keyed as it is read (8 bytes a code) so the look-up itself runs without the GIL, or an
//! Arrow string array (pyarrow, or anything that exports `__arrow_c_array__`), read in place
//! through the Arrow C data interface. numpy and Arrow arrays are read through their
//! buffers: no Python object per code.

use arrow_array::cast::AsArray;
use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi};
use arrow_array::{Array, ArrayRef, make_array};
use arrow_schema::DataType;
use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule, PyList, PyString, PyTuple};
use pyo3::{Borrowed, ffi};

use cleanclaim::codes::CodeKey;

use crate::convert::str_of;

fn module_of(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().module().map(|m| m.to_string()).unwrap_or_default()
}

/// Many codes: keyed ([`CodeKey`]), or (for Arrow input) in the Arrow arrays they came in. A
/// null is an empty code, which no code set holds.
#[derive(Debug, Default)]
pub struct Codes {
    /// Each `str` keyed where it lies, while the GIL keeps it alive: copying the text into a
    /// buffer that outlives the GIL, and reading it there, was ~90 of a list's ~290
    /// instructions a code.
    keys: Vec<CodeKey>,
    arrays: Vec<ArrayRef>,
}

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
        // `read` fills one store or the other.
        debug_assert!(self.keys.is_empty() || self.arrays.is_empty());
        let mut out = engine.icd10cm_validity_of_keys(&self.keys, date);
        for a in &self.arrays {
            // `arrow` kept only these three types; a null is an empty code.
            let valid = match a.data_type() {
                DataType::Utf8 => {
                    engine.icd10cm_validity(a.as_string::<i32>().iter().map(Option::unwrap_or_default), date)
                }
                DataType::LargeUtf8 => {
                    engine.icd10cm_validity(a.as_string::<i64>().iter().map(Option::unwrap_or_default), date)
                }
                _ => engine.icd10cm_validity(a.as_string_view().iter().map(Option::unwrap_or_default), date),
            };
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
        self.keys.len() + self.arrays.iter().map(|a| a.len()).sum::<usize>()
    }

    pub fn read(obj: &Bound<'_, PyAny>) -> PyResult<Codes> {
        if obj.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err("codes: expected a list of str, not a single str"));
        }
        let mut out = Codes::default();
        if let Ok(l) = obj.cast::<PyList>() {
            return out.items(l.len(), |i| Self::list_item(l, i));
        }
        if let Ok(t) = obj.cast::<PyTuple>() {
            return out.items(t.len(), |i| t.get_borrowed_item(i));
        }
        let py = obj.py();
        let module = module_of(obj);
        if module.starts_with("pyarrow")
            && let Some(chunks) = obj.getattr_opt(intern!(py, "chunks"))?
        {
            for chunk in chunks.try_iter()? {
                if !out.arrow(&chunk?)? {
                    return out.iterable(obj);
                }
            }
            return Ok(out);
        }
        if out.arrow(obj)? {
            return Ok(out);
        }
        if module == "numpy" && out.numpy(obj)? {
            return Ok(out);
        }
        out.iterable(obj)
    }

    /// The items of a list or tuple, read as references the sequence holds: pyo3's iterators
    /// add a reference to each item and drop it, and a list's asks for its length, three calls
    /// of the stable ABI per item on top of reading it.
    fn items<'a, 'py: 'a>(
        mut self,
        n: usize,
        get: impl Fn(usize) -> PyResult<Borrowed<'a, 'py, PyAny>>,
    ) -> PyResult<Codes> {
        self.keys.reserve(n);
        for i in 0..n {
            self.item(&*get(i)?, i)?;
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
        let malformed =
            |e: arrow_schema::ArrowError| PyTypeError::new_err(format!("codes: malformed Arrow array: {e}"));
        if !matches!(DataType::try_from(&schema), Ok(DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)) {
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

    /// A numpy array of dtype `<U…` (fixed-width UCS-4) through `tobytes`; false for other
    /// dtypes (object arrays of str are read item by item).
    fn numpy(&mut self, arr: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = arr.py();
        let dtype = arr.getattr(intern!(py, "dtype"))?;
        let kind: String = dtype.getattr(intern!(py, "kind"))?.extract()?;
        let byteorder: String = dtype.getattr(intern!(py, "byteorder"))?.extract()?;
        let ndim: usize = arr.getattr(intern!(py, "ndim"))?.extract()?;
        let native_le = cfg!(target_endian = "little") && matches!(byteorder.as_str(), "=" | "<" | "|");
        if kind != "U" || ndim != 1 || !native_le {
            return Ok(false);
        }
        let itemsize: usize = dtype.getattr(intern!(py, "itemsize"))?.extract()?;
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
