//! Columns → claims for `Engine.check_frame`, and reports → findings columns. Only reshaping:
//! each row becomes the same dict a caller would pass to `check`, and the core does the rest.

use std::collections::HashMap;

use cleanclaim::{Error, Report};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::errors::to_pyerr;
use crate::tape::{Root, Tape};

/// Claim column → path in the claim JSON.
const CLAIM_COLUMNS: &[(&str, &[&str])] = &[
    ("kind", &["kind"]),
    ("frequency", &["frequency"]),
    ("billing_npi", &["billing_provider", "npi"]),
    ("billing_tax_id", &["billing_provider", "tax_id"]),
    ("rendering_npi", &["rendering_provider", "npi"]),
    ("referring_npi", &["referring_provider", "npi"]),
    ("payer_id", &["payer", "id"]),
    ("member_id", &["subscriber", "member_id"]),
    ("birth_date", &["subscriber", "birth_date"]),
    ("sex", &["subscriber", "sex"]),
    ("place_of_service", &["place_of_service"]),
    ("type_of_bill", &["type_of_bill"]),
    ("statement_from", &["statement_from"]),
    ("statement_to", &["statement_to"]),
    ("admission_date", &["admission_date"]),
    ("discharge_date", &["discharge_date"]),
    ("discharge_status", &["discharge_status"]),
    ("total_charge", &["total_charge"]),
];

/// Line column → path in a service line's JSON.
const LINE_COLUMNS: &[(&str, &[&str])] = &[
    ("procedure", &["procedure"]),
    ("modifiers", &["modifiers"]),
    ("revenue_code", &["revenue_code"]),
    ("units", &["units"]),
    ("unit_basis", &["unit_basis"]),
    ("charge", &["charge"]),
    ("pointers", &["pointers"]),
    ("date", &["date"]),
    ("date_to", &["date_to"]),
    ("place_of_service", &["place_of_service"]),
    ("rendering_npi", &["rendering_provider", "npi"]),
];

const MAX_DX: usize = 12;

fn input(msg: String) -> Error {
    Error::Invalid { path: "frame".into(), message: msg }
}

struct Columns<'py> {
    cols: HashMap<String, Bound<'py, PyList>>,
    rows: usize,
}

impl<'py> Columns<'py> {
    fn new(d: &Bound<'py, PyDict>, table: &str) -> PyResult<Self> {
        let py = d.py();
        let mut cols = HashMap::new();
        let mut rows = None;
        for (k, v) in d.iter() {
            let name: String = k.extract()?;
            let list = match v.cast_into::<PyList>() {
                Ok(l) => l,
                Err(e) => PyList::new(py, e.into_inner().try_iter()?.collect::<PyResult<Vec<_>>>()?)?,
            };
            match rows {
                None => rows = Some(list.len()),
                Some(n) if n != list.len() => {
                    return Err(to_pyerr(py, &input(format!("{table}: columns have different lengths"))));
                }
                _ => {}
            }
            cols.insert(name, list);
        }
        Ok(Columns { cols, rows: rows.unwrap_or(0) })
    }

    fn cell(&self, name: &str, row: usize) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.cols.get(name) {
            None => Ok(None),
            Some(l) => {
                let v = l.get_item(row)?;
                let missing = v.is_none()
                    || v.cast::<pyo3::types::PyFloat>().is_ok_and(|f| f.value().is_nan())
                    || v.cast::<PyString>().is_ok_and(|s| s.to_cow().is_ok_and(|c| c.is_empty()));
                Ok((!missing).then_some(v))
            }
        }
    }
}

/// Puts `value` at `path` inside `root`, creating nested dicts on the way.
fn put<'py>(root: &Bound<'py, PyDict>, path: &[&str], value: Bound<'py, PyAny>) -> PyResult<()> {
    let mut d = root.clone();
    for key in &path[..path.len() - 1] {
        d = match d.get_item(key)? {
            Some(sub) => sub.cast_into::<PyDict>()?,
            None => {
                let sub = PyDict::new(root.py());
                d.set_item(key, &sub)?;
                sub
            }
        };
    }
    d.set_item(path[path.len() - 1], value)
}

/// `"25,59"` → `["25", "59"]`; `"1,2"` → `[1, 2]` for pointers. Lists pass through.
fn split_list<'py>(v: Bound<'py, PyAny>, ints: bool) -> PyResult<Bound<'py, PyAny>> {
    let Ok(s) = v.cast::<PyString>() else {
        return Ok(v);
    };
    let py = v.py();
    let text = s.to_cow()?;
    let parts = text.split([',', ' ', ';']).filter(|p| !p.is_empty());
    let list = PyList::empty(py);
    for p in parts {
        match p.parse::<i64>() {
            Ok(n) if ints => list.append(n)?,
            _ => list.append(p)?,
        }
    }
    Ok(list.into_any())
}

fn key_of(v: &Bound<'_, PyAny>) -> PyResult<String> {
    match v.cast::<PyString>() {
        Ok(s) => Ok(s.to_cow()?.into_owned()),
        Err(_) => Ok(v.str()?.to_cow()?.into_owned()),
    }
}

/// Records one claim per row of `claims` on a tape, attaching the rows of `lines` with the
/// same `claim_id` in `line` order. Building the core claims ([`Tape::claim`], then
/// [`row_error`] for a failure) needs no GIL, so it runs on the pool.
pub fn tape_from_columns(claims: &Bound<'_, PyDict>, lines: &Bound<'_, PyDict>) -> PyResult<(Tape, Vec<Root>)> {
    let py = claims.py();
    let cc = Columns::new(claims, "claims")?;
    let lc = Columns::new(lines, "lines")?;
    if !cc.cols.contains_key("claim_id") {
        return Err(to_pyerr(py, &input("claims: no `claim_id` column".into())));
    }
    if lc.rows > 0 && !lc.cols.contains_key("claim_id") {
        return Err(to_pyerr(py, &input("lines: no `claim_id` column".into())));
    }

    let mut ids = Vec::with_capacity(cc.rows);
    let mut by_id: HashMap<String, usize> = HashMap::with_capacity(cc.rows);
    for r in 0..cc.rows {
        let id = cc
            .cell("claim_id", r)?
            .ok_or_else(|| to_pyerr(py, &input(format!("claims row {r}: claim_id is empty"))))?;
        let key = key_of(&id)?;
        if by_id.insert(key.clone(), r).is_some() {
            return Err(to_pyerr(py, &input(format!("claims row {r}: duplicate claim_id"))));
        }
        ids.push(key);
    }

    let mut lines_of: Vec<Vec<(i64, usize)>> = vec![Vec::new(); cc.rows];
    for r in 0..lc.rows {
        let id =
            lc.cell("claim_id", r)?.ok_or_else(|| to_pyerr(py, &input(format!("lines row {r}: claim_id is empty"))))?;
        let owner = *by_id
            .get(&key_of(&id)?)
            .ok_or_else(|| to_pyerr(py, &input(format!("lines row {r}: claim_id matches no claim row"))))?;
        let order = match lc.cell("line", r)? {
            Some(n) => n
                .extract::<i64>()
                .map_err(|_| to_pyerr(py, &input(format!("lines row {r}: `line` is not an integer"))))?,
            None => r as i64,
        };
        lines_of[owner].push((order, r));
    }

    let mut tape = Tape::new();
    let mut out = Vec::with_capacity(cc.rows);
    for (r, id) in ids.into_iter().enumerate() {
        let d = PyDict::new(py);
        d.set_item("id", id)?;
        for part in ["billing_provider", "subscriber", "payer"] {
            d.set_item(part, PyDict::new(py))?;
        }
        for (col, path) in CLAIM_COLUMNS {
            if let Some(v) = cc.cell(col, r)? {
                put(&d, path, v)?;
            }
        }
        let dx = PyList::empty(py);
        let mut gap = None;
        for n in 1..=MAX_DX {
            match cc.cell(&format!("dx{n}"), r)? {
                Some(code) => {
                    if let Some(g) = gap {
                        return Err(to_pyerr(
                            py,
                            &input(format!("claims row {r}: dx{g} is empty but dx{n} is set (pointers would shift)")),
                        ));
                    }
                    let e = PyDict::new(py);
                    e.set_item("code", code)?;
                    dx.append(e)?;
                }
                None => gap = gap.or(Some(n)),
            }
        }
        d.set_item("diagnoses", dx)?;

        let rows = &mut lines_of[r];
        rows.sort_by_key(|&(order, _)| order);
        let ls = PyList::empty(py);
        for &(_, lr) in rows.iter() {
            let l = PyDict::new(py);
            for (col, path) in LINE_COLUMNS {
                if let Some(v) = lc.cell(col, lr)? {
                    let v = match *col {
                        "modifiers" => split_list(v, false)?,
                        "pointers" => split_list(v, true)?,
                        _ => v,
                    };
                    put(&l, path, v)?;
                }
            }
            ls.append(l)?;
        }
        d.set_item("lines", ls)?;

        out.push(tape.push(d.as_any()));
    }
    Ok((tape, out))
}

/// The error for row `r` of the claims table: the claim path is kept in `.path`, the row in
/// `.row`.
pub fn row_error(py: Python<'_>, r: usize, e: Error) -> PyErr {
    let (path, message) = match e {
        Error::Invalid { path, message } => (path, message),
        other => (String::new(), other.to_string()),
    };
    let err = to_pyerr(py, &Error::Invalid { path: format!("claims row {r}: {path}"), message });
    let v = err.value(py);
    let _ = v.setattr("path", path);
    let _ = v.setattr("row", r);
    err
}

/// Findings of every report as columns `claim_id, rule, severity, path, message, line`.
pub fn findings_columns<'py>(py: Python<'py>, reports: &[Report]) -> PyResult<Bound<'py, PyDict>> {
    let n: usize = reports.iter().map(|r| r.findings.len()).sum();
    let mut claim_id = Vec::with_capacity(n);
    let mut rule = Vec::with_capacity(n);
    let mut severity = Vec::with_capacity(n);
    let mut path = Vec::with_capacity(n);
    let mut message = Vec::with_capacity(n);
    let mut line = Vec::with_capacity(n);
    for r in reports {
        for f in &r.findings {
            claim_id.push(r.claim_id.as_deref());
            rule.push(f.rule.as_str());
            severity.push(f.severity.as_str());
            path.push(f.path.as_str());
            message.push(f.message.as_str());
            line.push(f.line);
        }
    }
    let d = PyDict::new(py);
    d.set_item("claim_id", claim_id)?;
    d.set_item("rule", rule)?;
    d.set_item("severity", severity)?;
    d.set_item("path", path)?;
    d.set_item("message", message)?;
    d.set_item("line", line)?;
    Ok(d)
}
