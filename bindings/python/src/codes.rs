//! Code lists for the batch look-ups: a list/tuple/iterable of `str`, a numpy `str` array or a
//! pyarrow string array, copied into one buffer so the look-up itself runs without the GIL.
//! numpy and pyarrow arrays are read through their buffers: no Python object per code.

use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple};

use crate::convert::str_of;

fn module_of(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().module().map(|m| m.to_string()).unwrap_or_default()
}

/// Many codes in one buffer; a null (pyarrow) is an empty code, which no code set holds.
#[derive(Debug, Default)]
pub struct Codes {
    text: String,
    ends: Vec<usize>,
}

impl Codes {
    fn push(&mut self, code: &str) {
        self.text.push_str(code);
        self.ends.push(self.text.len());
    }

    /// The codes, in input order.
    pub fn refs(&self) -> Vec<&str> {
        let mut start = 0;
        self.ends
            .iter()
            .map(|&end| {
                let s = &self.text[start..end];
                start = end;
                s
            })
            .collect()
    }

    pub fn read(obj: &Bound<'_, PyAny>) -> PyResult<Codes> {
        if obj.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err("codes: expected a list of str, not a single str"));
        }
        let mut out = Codes::default();
        if let Ok(l) = obj.cast::<PyList>() {
            return out.items(l.iter());
        }
        if let Ok(t) = obj.cast::<PyTuple>() {
            return out.items(t.iter());
        }
        let py = obj.py();
        let module = module_of(obj);
        if module.starts_with("pyarrow") {
            if let Some(chunks) = obj.getattr_opt(intern!(py, "chunks"))? {
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
        } else if module == "numpy" && out.numpy(obj)? {
            return Ok(out);
        }
        out.iterable(obj)
    }

    /// The items of a list or tuple, whose length is known up front.
    fn items<'py>(mut self, items: impl ExactSizeIterator<Item = Bound<'py, PyAny>>) -> PyResult<Codes> {
        self.text.reserve(items.len() * 8);
        self.ends.reserve(items.len());
        for (i, item) in items.enumerate() {
            self.item(&item, i)?;
        }
        Ok(self)
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
        self.text.clear();
        self.ends.clear();
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

    /// A pyarrow `string`/`large_string` array through its offsets and data buffers; false for
    /// other array types (read item by item instead).
    fn arrow(&mut self, arr: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = arr.py();
        let ty = arr.getattr(intern!(py, "type"))?.str()?.to_cow()?.into_owned();
        let wide = match ty.as_str() {
            "string" => false,
            "large_string" => true,
            _ => return Ok(false),
        };
        let len: usize = arr.len()?;
        let offset: usize = arr.getattr(intern!(py, "offset"))?.extract()?;
        let buffers = arr.call_method0(intern!(py, "buffers"))?;
        let bytes_of = |i: usize| -> PyResult<Option<Bound<'_, PyBytes>>> {
            let b = buffers.get_item(i)?;
            if b.is_none() {
                return Ok(None);
            }
            Ok(Some(b.call_method0(intern!(py, "to_pybytes"))?.cast_into::<PyBytes>()?))
        };
        let validity = bytes_of(0)?;
        let (Some(offsets), data) = (bytes_of(1)?, bytes_of(2)?) else {
            return Ok(false);
        };
        let (offsets, data) = (offsets.as_bytes(), data.as_ref().map_or(&[][..], |d| d.as_bytes()));
        let validity = validity.as_ref().map(|v| v.as_bytes());
        let width = if wide { 8 } else { 4 };
        let at = |k: usize| -> Option<usize> {
            let b = offsets.get(k * width..(k + 1) * width)?;
            let n = if wide {
                i64::from_le_bytes(b.try_into().ok()?)
            } else {
                i32::from_le_bytes(b.try_into().ok()?) as i64
            };
            usize::try_from(n).ok()
        };
        let malformed = || PyTypeError::new_err("codes: malformed arrow string array");
        self.ends.reserve(len);
        for i in offset..offset + len {
            let valid = validity.is_none_or(|v| v.get(i / 8).is_some_and(|b| b & (1 << (i % 8)) != 0));
            if !valid {
                self.push("");
                continue;
            }
            let (start, end) = (at(i).ok_or_else(malformed)?, at(i + 1).ok_or_else(malformed)?);
            let bytes = data.get(start..end).ok_or_else(malformed)?;
            self.push(std::str::from_utf8(bytes).map_err(|_| malformed())?);
        }
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
