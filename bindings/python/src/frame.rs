//! Columns → claims for `Engine.check_frame`, and reports → findings columns. Only reshaping:
//! each row becomes the same dict a caller would pass to `check`, and the core does the rest.

use std::borrow::Cow;
use std::collections::HashMap;

use cleanclaim::{Error, Report};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyList, PyString};

use crate::convert::str_of;
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

/// A table's columns by name, all of one length.
struct Columns<'py> {
    cols: Vec<(String, Bound<'py, PyList>)>,
    rows: usize,
}

impl<'py> Columns<'py> {
    fn new(d: &Bound<'py, PyDict>, table: &str) -> PyResult<Self> {
        let py = d.py();
        let mut cols = Vec::with_capacity(d.len());
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
            cols.push((name, list));
        }
        Ok(Columns { cols, rows: rows.unwrap_or(0) })
    }

    /// The column called `name`. Found once per call, not once per cell: a table has tens of
    /// columns and tens of thousands of rows.
    fn get(&self, name: &str) -> Option<&Bound<'py, PyList>> {
        self.cols.iter().find(|(n, _)| n == name).map(|(_, l)| l)
    }
}

/// Row `row` of `col`, or `None` when the column is absent or the cell is null, NaN or an
/// empty string.
fn cell<'py>(col: Option<&Bound<'py, PyList>>, row: usize) -> PyResult<Option<Bound<'py, PyAny>>> {
    let Some(col) = col else { return Ok(None) };
    let v = col.get_item(row)?;
    let missing = v.is_none()
        || v.cast::<PyFloat>().is_ok_and(|f| f.value().is_nan())
        || v.cast::<PyString>().is_ok() && v.len()? == 0;
    Ok((!missing).then_some(v))
}

/// A claim id's text: borrowed from a `str` (the usual case), spelled out for other types.
fn id_text<'a>(v: &'a Bound<'_, PyAny>, table: &str, row: usize) -> PyResult<Cow<'a, str>> {
    let text = match v.cast::<PyString>() {
        Ok(s) => str_of(s).map(Cow::Borrowed),
        Err(_) => Ok(Cow::Owned(v.str()?.to_cow()?.into_owned())),
    };
    text.map_err(|e| to_pyerr(v.py(), &input(format!("{table} row {row}: claim_id is {e}"))))
}

/// Records one claim per row of `claims` on a tape, attaching the rows of `lines` with the
/// same `claim_id` in `line` order. Building the core claims ([`Tape::claim`], then
/// [`row_error`] for a failure) needs no GIL, so it runs on the pool.
pub fn tape_from_columns(claims: &Bound<'_, PyDict>, lines: &Bound<'_, PyDict>) -> PyResult<(Tape, Vec<Root>)> {
    let py = claims.py();
    let cc = Columns::new(claims, "claims")?;
    let lc = Columns::new(lines, "lines")?;
    let Some(claim_ids) = cc.get("claim_id") else {
        return Err(to_pyerr(py, &input("claims: no `claim_id` column".into())));
    };
    let line_ids = lc.get("claim_id");
    if lc.rows > 0 && line_ids.is_none() {
        return Err(to_pyerr(py, &input("lines: no `claim_id` column".into())));
    }

    let id_cells = (0..cc.rows)
        .map(|r| {
            cell(Some(claim_ids), r)?.ok_or_else(|| to_pyerr(py, &input(format!("claims row {r}: claim_id is empty"))))
        })
        .collect::<PyResult<Vec<_>>>()?;
    let ids = id_cells.iter().enumerate().map(|(r, v)| id_text(v, "claims", r)).collect::<PyResult<Vec<_>>>()?;
    let mut by_id: HashMap<&str, usize> = HashMap::with_capacity(cc.rows);
    for (r, id) in ids.iter().enumerate() {
        if by_id.insert(id, r).is_some() {
            return Err(to_pyerr(py, &input(format!("claims row {r}: duplicate claim_id"))));
        }
    }

    let mut lines_of: Vec<Vec<(i64, usize)>> = vec![Vec::new(); cc.rows];
    let line_order = lc.get("line");
    // Lines usually come grouped by claim: a row with the previous row's id skips the map.
    let mut prev: Option<(Bound<'_, PyAny>, usize)> = None;
    for r in 0..lc.rows {
        let id = cell(line_ids, r)?.ok_or_else(|| to_pyerr(py, &input(format!("lines row {r}: claim_id is empty"))))?;
        let owner = match &prev {
            Some((p, owner)) if p.is(&id) || id_text(p, "lines", r)? == id_text(&id, "lines", r)? => *owner,
            _ => *by_id
                .get(&*id_text(&id, "lines", r)?)
                .ok_or_else(|| to_pyerr(py, &input(format!("lines row {r}: claim_id matches no claim row"))))?,
        };
        let order = match cell(line_order, r)? {
            Some(n) => n
                .extract::<i64>()
                .map_err(|_| to_pyerr(py, &input(format!("lines row {r}: `line` is not an integer"))))?,
            None => r as i64,
        };
        lines_of[owner].push((order, r));
        prev = Some((id, owner));
    }

    let claim_cols: Vec<_> = CLAIM_COLUMNS.iter().map(|(col, path)| (*path, cc.get(col))).collect();
    let line_cols: Vec<_> = LINE_COLUMNS.iter().map(|(col, path)| (*path, lc.get(col))).collect();
    let dx_cols: Vec<_> = (1..=MAX_DX).map(|n| cc.get(&format!("dx{n}"))).collect();
    let mut tape = Tape::new();
    let mut out = Vec::with_capacity(cc.rows);
    for (r, id) in ids.iter().enumerate() {
        // Entries in the order the claim dict used to be built in, so that a row with several
        // problems reports the same one first.
        let mut entries: Vec<Entry<'_>> =
            ["billing_provider", "subscriber", "payer"].into_iter().map(|g| Entry::Group(g, Vec::new())).collect();
        for &(path, col) in &claim_cols {
            if let Some(v) = cell(col, r)? {
                place(&mut entries, path, v);
            }
        }
        let mut dx = Vec::new();
        let mut gap = None;
        for (n, &col) in (1..).zip(&dx_cols) {
            match cell(col, r)? {
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
        tape.key(id);
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
            for &(path, col) in &line_cols {
                if let Some(v) = cell(col, lr)? {
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
    let Ok(text) = str_of(s) else {
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
pub fn findings_columns<'py, 'r>(py: Python<'py>, reports: &'r [Report]) -> PyResult<Bound<'py, PyDict>> {
    let n: usize = reports.iter().map(|r| r.findings.len()).sum();
    let mut claim_id = Vec::with_capacity(n);
    let mut rule = Vec::with_capacity(n);
    let mut severity = Vec::with_capacity(n);
    let mut path = Vec::with_capacity(n);
    let mut message = Vec::with_capacity(n);
    let mut line = Vec::with_capacity(n);
    // Rule ids, severities and paths repeat across findings: one `str` object per distinct
    // value instead of one per finding.
    let mut made: HashMap<&'r str, Bound<'py, PyString>> = HashMap::new();
    let mut shared = |s: &'r str| made.entry(s).or_insert_with(|| PyString::new(py, s)).clone();
    for r in reports {
        let id = r.claim_id.as_deref().map(|id| PyString::new(py, id));
        for f in &r.findings {
            claim_id.push(id.clone());
            rule.push(shared(f.rule.as_str()));
            severity.push(shared(f.severity.as_str()));
            path.push(shared(f.path.as_str()));
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
