//! `Report` and `Finding`: thin, immutable wrappers over the core's types. Python objects for
//! findings are made on access, so a clean claim costs one allocation.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// What `__reduce__` returns: a constructor and its arguments.
type Reduced<'py, A> = (Bound<'py, PyAny>, A);
/// rule, severity, path, message, line.
type FindingParts = (String, String, String, String, Option<u32>);
/// claim_id, ok, findings.
type ReportParts = (Option<String>, bool, Vec<PyFinding>);

/// One problem found on a claim.
///
/// Attributes: ``rule`` (stable dotted id), ``severity`` (``"error"``, ``"warning"`` or
/// ``"info"``), ``path`` (field path such as ``lines[2].pointers[0]``, 0-based), ``message``
/// (never contains patient data) and ``line`` (1-based service line number or ``None``).
#[pyclass(frozen, module = "cleanclaim", name = "Finding", eq, from_py_object)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyFinding(pub cleanclaim::Finding);

#[pymethods]
impl PyFinding {
    /// Stable rule id, e.g. ``line.pointer_invalid``.
    #[getter]
    fn rule(&self) -> &str {
        &self.0.rule
    }

    /// ``"error"``, ``"warning"`` or ``"info"``.
    #[getter]
    fn severity(&self) -> &'static str {
        self.0.severity.as_str()
    }

    /// Field path, e.g. ``lines[2].pointers[0]`` (0-based indices).
    #[getter]
    fn path(&self) -> &str {
        &self.0.path
    }

    /// What is wrong and how to fix it; never contains patient data.
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }

    /// 1-based service line number, or ``None`` for claim-level findings.
    #[getter]
    fn line(&self) -> Option<u32> {
        self.0.line
    }

    /// The finding as a dict with keys ``rule, severity, path, message, line``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        finding_dict(py, &self.0)
    }

    fn __repr__(&self) -> String {
        format!(
            "Finding(rule={}, severity={}, path={}, line={})",
            py_str(&self.0.rule),
            py_str(self.0.severity.as_str()),
            py_str(&self.0.path),
            self.0.line.map_or("None".into(), |l| l.to_string())
        )
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py, FindingParts>> {
        let f = &slf.get().0;
        Ok((
            slf.get_type().getattr("_from_parts")?,
            (f.rule.clone(), f.severity.as_str().to_owned(), f.path.clone(), f.message.clone(), f.line),
        ))
    }

    /// Rebuilds a finding when unpickling.
    #[staticmethod]
    fn _from_parts(rule: String, severity: &str, path: String, message: String, line: Option<u32>) -> PyResult<Self> {
        let severity = cleanclaim::Severity::parse(severity)
            .ok_or_else(|| pyo3::exceptions::PyValueError::new_err("unknown severity"))?;
        Ok(PyFinding(cleanclaim::Finding { rule, severity, path, message, line }))
    }
}

/// A string as Python's `repr` would show it (single quotes).
pub fn py_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn finding_dict<'py>(py: Python<'py>, f: &cleanclaim::Finding) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("rule", &f.rule)?;
    d.set_item("severity", f.severity.as_str())?;
    d.set_item("path", &f.path)?;
    d.set_item("message", &f.message)?;
    d.set_item("line", f.line)?;
    Ok(d)
}

/// A new `Report` object that Python's cyclic garbage collector does not track.
pub fn untracked(py: Python<'_>, report: cleanclaim::Report) -> PyResult<Bound<'_, PyReport>> {
    let obj = Bound::new(py, PyReport(report))?;
    // Left tracked, a batch of reports makes the collector run again and again over all of the
    // caller's live objects (measured: a third of `check_many`'s CPU time on 20,000 dict claims).
    // A report's only Python reference is to its type, so the one cycle it could close runs
    // through the class (`Report.last = report`): such a cycle is never collected, a leak we
    // accept for a frozen class nobody has reason to hang instances on.
    debug_assert!(unsafe { pyo3::ffi::PyType_IS_GC(pyo3::ffi::Py_TYPE(obj.as_ptr())) } != 0);
    // SAFETY: `obj` is a new, live object we own, of a type with Py_TPFLAGS_HAVE_GC (every
    // pyclass has it); untracking an untracked object, as the type's dealloc does, is a no-op.
    unsafe { pyo3::ffi::PyObject_GC_UnTrack(obj.as_ptr().cast()) };
    Ok(obj)
}

/// Reports on their way to Python: a list of [`untracked`] `Report` objects.
pub struct ReportList(pub Vec<cleanclaim::Report>);

impl<'py> IntoPyObject<'py> for ReportList {
    type Target = PyList;
    type Output = Bound<'py, PyList>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let reports: Vec<_> = self.0.into_iter().map(|r| untracked(py, r)).collect::<PyResult<_>>()?;
        PyList::new(py, reports)
    }
}

/// The result of checking one claim.
///
/// Attributes: ``ok`` (no finding has severity ``"error"``), ``claim_id`` (the claim's id or
/// ``None``) and ``findings`` (a list of :class:`Finding` in rule-catalogue order).
#[pyclass(frozen, module = "cleanclaim", name = "Report")]
#[derive(Debug)]
pub struct PyReport(pub cleanclaim::Report);

#[pymethods]
impl PyReport {
    /// True when no finding has severity ``"error"``.
    #[getter]
    fn ok(&self) -> bool {
        self.0.ok
    }

    /// The claim id (CLM01), when the claim had one.
    #[getter]
    fn claim_id(&self) -> Option<&str> {
        self.0.claim_id.as_deref()
    }

    /// The findings, in rule-catalogue order.
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.0.findings.iter().cloned().map(PyFinding))
    }

    /// The sorted, distinct rule ids of the findings (what the shared test vectors compare).
    fn rule_ids(&self) -> Vec<&str> {
        self.0.rule_ids()
    }

    /// The report as a dict shaped like the Report JSON:
    /// ``{"claim_id", "ok", "findings": [{"rule", "severity", "path", "message", "line"}]}``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("claim_id", self.0.claim_id.as_deref())?;
        d.set_item("ok", self.0.ok)?;
        let fs = PyList::empty(py);
        for f in &self.0.findings {
            fs.append(finding_dict(py, f)?)?;
        }
        d.set_item("findings", fs)?;
        Ok(d)
    }

    fn __len__(&self) -> usize {
        self.0.findings.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "Report(claim_id={}, ok={}, findings={})",
            self.0.claim_id.as_ref().map_or("None".into(), |c| format!("{c:?}")),
            if self.0.ok { "True" } else { "False" },
            self.0.findings.len()
        )
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyReport>().is_ok_and(|o| o.get().0 == self.0)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py, ReportParts>> {
        let r = &slf.get().0;
        Ok((
            slf.get_type().getattr("_from_parts")?,
            (r.claim_id.as_deref().map(str::to_owned), r.ok, r.findings.iter().cloned().map(PyFinding).collect()),
        ))
    }

    /// Rebuilds a report when unpickling.
    #[staticmethod]
    fn _from_parts(
        py: Python<'_>,
        claim_id: Option<String>,
        ok: bool,
        findings: Vec<PyFinding>,
    ) -> PyResult<Bound<'_, PyReport>> {
        // Reports shipped back in bulk (Spark, multiprocessing) are untracked like checked ones.
        untracked(
            py,
            cleanclaim::Report {
                claim_id: claim_id.map(Into::into),
                ok,
                findings: findings.into_iter().map(|f| f.0).collect(),
            },
        )
    }
}
