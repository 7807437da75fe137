//! `Claim`: a claim converted and validated once, to check many times or under many engines.

use pyo3::prelude::*;

use crate::convert::{claim_from_mapping, text_of};
use crate::errors::{guard, to_pyerr};

/// A claim in the shared JSON model (``docs/claim.schema.json``), parsed and validated.
///
/// Build one from a dict, a JSON ``str``/``bytes`` or another ``Claim``. Codes are normalized
/// (upper case, no dots), amounts become exact cents. ``repr`` never shows patient data.
#[pyclass(frozen, module = "cleanclaim", name = "Claim")]
#[derive(Debug)]
pub struct PyClaim(pub cleanclaim::Claim);

/// Converts any accepted claim form (Claim, dict or mapping, JSON text) to a core claim.
pub fn to_claim(obj: &Bound<'_, PyAny>) -> PyResult<cleanclaim::Claim> {
    let py = obj.py();
    if let Ok(c) = obj.cast::<PyClaim>() {
        return Ok(c.get().0.clone());
    }
    if let Some(text) = text_of(obj) {
        return cleanclaim::parse_claim(&text?).map_err(|e| to_pyerr(py, &e));
    }
    claim_from_mapping(obj).map_err(|e| to_pyerr(py, &e))
}

#[pymethods]
impl PyClaim {
    /// ``Claim(data)`` where ``data`` is a dict, a JSON ``str``/``bytes`` or a ``Claim``.
    ///
    /// Raises ``InputError`` (with ``.path``) when the data does not fit the claim model.
    #[new]
    fn new(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(py, || to_claim(data).map(PyClaim))
    }

    /// Parses a claim from JSON text (``str`` or UTF-8 ``bytes``).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(py, || match text_of(text) {
            Some(t) => cleanclaim::parse_claim(&t?).map(PyClaim).map_err(|e| to_pyerr(py, &e)),
            None => Err(pyo3::exceptions::PyTypeError::new_err("from_json expects str or bytes")),
        })
    }

    /// Builds a claim from a dict shaped like the claim JSON (``None`` values count as absent).
    #[staticmethod]
    fn from_dict(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(py, || claim_from_mapping(data).map(PyClaim).map_err(|e| to_pyerr(py, &e)))
    }

    /// The claim id (patient control number, CLM01).
    #[getter]
    fn id(&self) -> &str {
        &self.0.id
    }

    /// ``"professional"`` or ``"institutional"``.
    #[getter]
    fn kind(&self) -> &'static str {
        match self.0.kind {
            cleanclaim::ClaimKind::Professional => "professional",
            cleanclaim::ClaimKind::Institutional => "institutional",
        }
    }

    /// ``"professional"``, ``"inpatient"`` or ``"outpatient"`` (what rules apply to).
    #[getter]
    fn claim_type(&self) -> &'static str {
        match self.0.claim_type() {
            cleanclaim::ClaimType::Professional => "professional",
            cleanclaim::ClaimType::Inpatient => "inpatient",
            cleanclaim::ClaimType::Outpatient => "outpatient",
        }
    }

    /// The claim as normalized JSON (contains patient data: handle it as such).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.0).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
    }

    /// The claim as a dict of plain Python values (contains patient data).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("json")?.call_method1("loads", (self.to_json()?,))
    }

    fn __repr__(&self) -> String {
        format!("Claim(id={:?}, kind={:?}, lines={})", self.0.id, self.kind(), self.0.lines.len())
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        Ok((slf.get_type().getattr("from_json")?, (slf.get().to_json()?,)))
    }
}
