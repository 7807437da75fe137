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
        // Entries in the order the claim dict used to be built in, so that a row with several
        // problems reports the same one first.
        let mut entries: Vec<Entry<'_>> =
            ["billing_provider", "subscriber", "payer"].into_iter().map(|g| Entry::Group(g, Vec::new())).collect();
        for (col, path) in CLAIM_COLUMNS {
            if let Some(v) = cc.cell(col, r)? {
                place(&mut entries, path, v);
            }
        }
        let mut dx = Vec::new();
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
                    dx.push(code);
                }
                None => gap = gap.or(Some(n)),
            }
        }

        let root = tape.open(false);
        tape.key("id");
        tape.key(&id);
        write_entries(&mut tape, &entries);
        tape.key("diagnoses");
        let list = tape.open(true);
        for code in &dx {
            let d = tape.open(false);
            tape.key("code");
            tape.cell(code);
            tape.close(d);
        }
        tape.close(list);

        let rows = &mut lines_of[r];
        rows.sort_by_key(|&(order, _)| order);
        tape.key("lines");
        let list = tape.open(true);
        for &(_, lr) in rows.iter() {
            let mut entries = Vec::new();
            for (col, path) in LINE_COLUMNS {
                if let Some(v) = lc.cell(col, lr)? {
                    place(&mut entries, path, v);
                }
            }
            let l = tape.open(false);
            write_entries(&mut tape, &entries);
            tape.close(l);
        }
        tape.close(list);
        tape.close(root);
        out.push(root);
    }
    Ok((tape, out))
}

/// A top-level field of a claim or line being written: a value, or a nested object
/// (`billing_provider.npi`, ...).
enum Entry<'py> {
    Leaf(&'static str, Bound<'py, PyAny>),
    Group(&'static str, Vec<(&'static str, Bound<'py, PyAny>)>),
}

/// Adds `value` at a one- or two-part column path.
fn place<'py>(entries: &mut Vec<Entry<'py>>, path: &[&'static str], value: Bound<'py, PyAny>) {
    match path {
        [key] => entries.push(Entry::Leaf(key, value)),
        [group, key] => {
            for e in entries.iter_mut() {
                if let Entry::Group(g, fields) = e
                    && g == group
                {
                    fields.push((key, value));
                    return;
                }
            }
            entries.push(Entry::Group(group, vec![(key, value)]));
        }
        _ => unreachable!("column paths have one or two parts"),
    }
}

fn write_entries(tape: &mut Tape, entries: &[Entry<'_>]) {
    for e in entries {
        match e {
            Entry::Leaf(key, v) => {
                tape.key(key);
                match *key {
                    "modifiers" => write_list(tape, v, false),
                    "pointers" => write_list(tape, v, true),
                    _ => tape.cell(v),
                }
            }
            Entry::Group(key, fields) => {
                tape.key(key);
                let m = tape.open(false);
                for (k, v) in fields {
                    tape.key(k);
                    tape.cell(v);
                }
                tape.close(m);
            }
        }
    }
}

/// `"25,59"` → `["25", "59"]`; `"1,2"` → `[1, 2]` for pointers. Lists pass through.
fn write_list(tape: &mut Tape, v: &Bound<'_, PyAny>, ints: bool) {
    let Ok(s) = v.cast::<PyString>() else {
        return tape.cell(v);
    };
    let Ok(text) = s.to_cow() else {
        return tape.cell(v);
    };
    let list = tape.open(true);
    for p in text.split([',', ' ', ';']).filter(|p| !p.is_empty()) {
        match p.parse::<i64>() {
            Ok(i) if ints => tape.int_value(i),
            _ => tape.key(p),
        }
    }
    tape.close(list);
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
