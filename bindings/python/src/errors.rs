//! Core errors → the `cleanclaim` exception hierarchy (defined in `cleanclaim/_errors.py` so
//! the classes can also subclass `ValueError`), and the panic boundary.

use std::panic::{AssertUnwindSafe, catch_unwind};

use cleanclaim::Error;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

/// The Python class for an error code. Codes added to the core later land on the base class
/// with `.code` set, so callers can still tell them apart.
fn class_name(code: &str) -> &'static str {
    match code {
        "json" | "invalid" | "limit" | "x12" => "InputError",
        "codeset" => "CodeSetError",
        "config" => "ConfigError",
        "internal" => "InternalError",
        _ => "CleanclaimError",
    }
}

fn class<'py>(py: Python<'py>, name: &'static str) -> PyResult<Bound<'py, PyType>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    let m = MODULE.get_or_try_init(py, || py.import("cleanclaim._errors").map(Bound::unbind))?;
    m.bind(py).getattr(name)?.cast_into().map_err(Into::into)
}

/// Builds the exception for a core error; `index` (position in a batch) is prefixed and kept
/// as an attribute.
pub fn to_pyerr_at(py: Python<'_>, e: &Error, index: Option<usize>) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let msg = match index {
            Some(i) => format!("claims[{i}]: {e}"),
            None => e.to_string(),
        };
        let exc = class(py, class_name(e.code()))?.call1((msg,))?;
        exc.setattr("code", e.code())?;
        let (path, line, column) = match e {
            Error::Json { path, line, column, .. } => (path.clone(), Some(*line), Some(*column)),
            Error::Invalid { path, .. } => (Some(path.clone()), None, None),
            _ => (None, None, None),
        };
        exc.setattr("path", path)?;
        exc.setattr("line", line)?;
        exc.setattr("column", column)?;
        exc.setattr("index", index)?;
        Ok(PyErr::from_value(exc))
    };
    build().unwrap_or_else(|import_failed| import_failed)
}

/// [`to_pyerr_at`] without a batch position.
pub fn to_pyerr(py: Python<'_>, e: &Error) -> PyErr {
    to_pyerr_at(py, e, None)
}

/// Runs a binding entry point; a Rust panic becomes `cleanclaim.InternalError` rather than
/// pyo3's `PanicException`, which derives from `BaseException` and escapes `except Exception`.
pub fn guard<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    // The default hook prints the panic message to stderr, and a message may quote input
    // (patient data). The extension has its own Rust runtime, so this hook is its own.
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => Err(to_pyerr(
            py,
            &Error::Internal("cleanclaim panicked (a bug; please report it); the input was not checked".into()),
        )),
    }
}
