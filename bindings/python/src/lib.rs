//! Python bindings for cleanclaim: the native half (`cleanclaim._native`) of the `cleanclaim`
//! package. Conversions and error mapping only; every check is the core's.

// Claims are many small strings: mimalloc allocates and frees them ~25 % faster than glibc's
// malloc on the parse and check paths (benches/compare, docs/performance.md). Only this
// library's own Rust allocations use it; the host's allocator is untouched.
#[global_allocator]
static GLOBAL: cleanclaim_alloc::MiMalloc = cleanclaim_alloc::MiMalloc;

use std::time::Instant;

use pyo3::prelude::*;
use pyo3::types::PyList;

mod arrow;
mod claim;
mod codes;
mod convert;
mod engine;
mod errors;
mod frame;
mod report;
mod tape;

use claim::{PyClaim, to_claim};
use engine::PyEngine;
use report::{PyFinding, PyReport};

/// The rule catalogue: one dict per rule with ``id, severity, summary, source,
/// default_enabled, applies_to``.
#[pyfunction]
fn rules(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let out = PyList::empty(py);
    for r in cleanclaim::rules::catalogue() {
        let m = r.meta();
        let d = pyo3::types::PyDict::new(py);
        d.set_item("id", m.id)?;
        d.set_item("severity", m.severity.as_str())?;
        d.set_item("summary", m.summary)?;
        d.set_item("source", m.source)?;
        d.set_item("default_enabled", m.default_enabled)?;
        let applies: Vec<&str> = m
            .applies_to
            .iter()
            .map(|t| match t {
                cleanclaim::ClaimType::Professional => "professional",
                cleanclaim::ClaimType::Inpatient => "inpatient",
                cleanclaim::ClaimType::Outpatient => "outpatient",
            })
            .collect();
        d.set_item("applies_to", applies)?;
        out.append(d)?;
    }
    Ok(out)
}

/// Seconds per pass of the core's `check_many` on already converted claims, with no Python
/// in the loop: the baseline the binding's overhead is measured against (bench support).
#[pyfunction]
fn _bench_core_check_many(
    py: Python<'_>,
    engine: &Bound<'_, PyEngine>,
    claims: &Bound<'_, PyAny>,
    repeat: usize,
) -> PyResult<f64> {
    let claims: Vec<cleanclaim::Claim> = claims.try_iter()?.map(|c| to_claim(&c?)).collect::<PyResult<_>>()?;
    let e = engine.get().core();
    Ok(py.detach(|| {
        let t = Instant::now();
        for _ in 0..repeat.max(1) {
            std::hint::black_box(e.check_many(std::hint::black_box(&claims)));
        }
        t.elapsed().as_secs_f64() / repeat.max(1) as f64
    }))
}

/// Seconds per call of the core's `check` on one converted claim (bench support).
#[pyfunction]
fn _bench_core_check(engine: &Bound<'_, PyEngine>, claim: &Bound<'_, PyAny>, n: usize) -> PyResult<f64> {
    let c = to_claim(claim)?;
    let e = engine.get().core();
    let t = Instant::now();
    for _ in 0..n.max(1) {
        std::hint::black_box(e.check(std::hint::black_box(&c)));
    }
    Ok(t.elapsed().as_secs_f64() / n.max(1) as f64)
}

/// Seconds per pass of each half of the dict conversion on `claims` (bench support): walking
/// the Python objects onto a tape (GIL held), and building core claims from the tape.
#[pyfunction]
fn _bench_convert(claims: &Bound<'_, PyList>, repeat: usize) -> PyResult<(f64, f64)> {
    let (mut walk, mut build) = (0.0, 0.0);
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        let mut tape = tape::Tape::new();
        let roots: Vec<tape::Root> = claims.iter().map(|c| tape.push(&c)).collect();
        walk += t.elapsed().as_secs_f64();
        let t = Instant::now();
        for r in roots {
            std::hint::black_box(tape.claim(r).map_err(|e| errors::to_pyerr(claims.py(), &e))?);
        }
        build += t.elapsed().as_secs_f64();
    }
    Ok((walk / repeat.max(1) as f64, build / repeat.max(1) as f64))
}

/// Whether `check_frame` reads a column of this name in its `claims` or `lines` table: the
/// Python side exports only those columns to Arrow.
#[pyfunction]
fn _frame_reads(table: &str, name: &str) -> PyResult<bool> {
    match table {
        "claims" => Ok(frame::reads_claim_column(name)),
        "lines" => Ok(frame::reads_line_column(name)),
        _ => Err(pyo3::exceptions::PyValueError::new_err("table is 'claims' or 'lines'")),
    }
}

/// Panics inside the panic boundary, so tests can see it surface as `InternalError`.
#[pyfunction]
fn _panic_for_test(py: Python<'_>) -> PyResult<()> {
    errors::guard(py, || -> PyResult<()> { panic!("deliberate test panic") })
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("CORE_VERSION", cleanclaim::VERSION)?;
    m.add("FINDING_COLUMNS", pyo3::types::PyTuple::new(m.py(), frame::FINDING_COLUMNS)?)?;
    m.add_class::<PyEngine>()?;
    m.add_class::<PyClaim>()?;
    m.add_class::<PyReport>()?;
    m.add_class::<PyFinding>()?;
    m.add_class::<frame::Findings>()?;
    m.add_function(wrap_pyfunction!(rules, m)?)?;
    m.add_function(wrap_pyfunction!(_bench_core_check_many, m)?)?;
    m.add_function(wrap_pyfunction!(_bench_core_check, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_test, m)?)?;
    m.add_function(wrap_pyfunction!(_frame_reads, m)?)?;
    m.add_function(wrap_pyfunction!(_bench_convert, m)?)?;
    Ok(())
}
