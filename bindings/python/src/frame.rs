//! Columns → claims for `Engine.check_frame`, and reports → findings columns. Only reshaping:
//! each row becomes the same dict a caller would pass to `check` (recorded on a tape, or, for
//! Arrow tables, read in that shape straight from the buffers by `arrow::row_claim`), and the
//! core does the rest.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{Int32Builder, StringBuilder};
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{ArrayRef, RecordBatch, RecordBatchIterator};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use cleanclaim::{ClaimId, Error, Report};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyFloat, PyList, PyString};
use smallvec::SmallVec;

use crate::convert::{py_failed, str_of};
use crate::errors::{guard, to_pyerr};
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

/// Diagnosis columns → `diagnoses[0..12].code`, in order.
const DX_COLUMNS: [&str; 12] = ["dx1", "dx2", "dx3", "dx4", "dx5", "dx6", "dx7", "dx8", "dx9", "dx10", "dx11", "dx12"];

/// Whether the frame reads a claims-table column of this name.
pub fn reads_claim_column(name: &str) -> bool {
    name == "claim_id" || CLAIM_COLUMNS.iter().any(|(c, _)| *c == name) || DX_COLUMNS.contains(&name)
}

/// Whether the frame reads a lines-table column of this name.
pub fn reads_line_column(name: &str) -> bool {
    matches!(name, "claim_id" | "line") || LINE_COLUMNS.iter().any(|(c, _)| *c == name)
}

fn input(msg: String) -> Error {
    Error::Invalid { path: "frame".into(), message: msg }
}

/// A table read cell by cell: Python lists of objects ([`Columns`]) or Arrow arrays
/// ([`crate::arrow::ArrowTable`]). Everything after reading a cell (ids, line order, where a
/// value goes in the claim) is [`Frame`]'s, the same for both.
pub trait Table {
    /// A cell that holds a value.
    type Cell;
    /// Why reading a cell failed: a Python exception for Python values; never, for Arrow.
    type Fail;
    fn rows(&self) -> usize;
    /// The index of the column called `name`.
    fn column(&self, name: &str) -> Option<usize>;
    /// Row `row` of column `col`, or `None` when it is null, NaN or an empty string.
    fn cell(&self, col: usize, row: usize) -> Result<Option<Self::Cell>, Self::Fail>;
    /// [`Table::cell`] of a column the table may lack (`None` then).
    fn cell_in(&self, col: Option<usize>, row: usize) -> Result<Option<Self::Cell>, Self::Fail> {
        Ok(match col {
            Some(c) => self.cell(c, row)?,
            None => None,
        })
    }
    /// A claim id as text: a string as it is, a number spelled out. `Err` names the problem.
    fn id_text<'a>(&'a self, cell: &'a Self::Cell) -> Result<Cow<'a, str>, String>;
    /// An integer cell's value (a line number).
    fn integer(&self, cell: &Self::Cell) -> Option<i64>;
    /// Records the cell's value; `list` (modifiers, pointers; `true` for integers) also splits
    /// a comma-separated string into a list.
    fn write(&self, tape: &mut Tape, cell: &Self::Cell, list: Option<bool>);
}

/// A table's columns by name, all of one length: Python lists.
pub struct Columns<'py> {
    cols: Vec<(String, Bound<'py, PyList>)>,
    rows: usize,
}

impl<'py> Columns<'py> {
    pub fn new(d: &Bound<'py, PyDict>, table: &str) -> PyResult<Self> {
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
}

impl<'py> Table for Columns<'py> {
    type Cell = Bound<'py, PyAny>;
    type Fail = PyErr;

    fn rows(&self) -> usize {
        self.rows
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.cols.iter().position(|(n, _)| n == name)
    }

    fn cell(&self, col: usize, row: usize) -> PyResult<Option<Self::Cell>> {
        let v = self.cols[col].1.get_item(row)?;
        let missing = v.is_none()
            || v.cast::<PyFloat>().is_ok_and(|f| f.value().is_nan())
            || v.cast::<PyString>().is_ok() && v.len()? == 0;
        Ok((!missing).then_some(v))
    }

    fn id_text<'a>(&'a self, v: &'a Self::Cell) -> Result<Cow<'a, str>, String> {
        match v.cast::<PyString>() {
            Ok(s) => str_of(s).map(Cow::Borrowed).map_err(|e| e.to_string()),
            // The exception's text may quote the value: only its type is kept.
            Err(_) => v
                .str()
                .and_then(|s| Ok(Cow::Owned(s.to_cow()?.into_owned())))
                .map_err(|e| format!("unreadable ({})", py_failed(e, "it"))),
        }
    }

    fn integer(&self, v: &Self::Cell) -> Option<i64> {
        v.extract::<i64>().ok()
    }

    fn write(&self, tape: &mut Tape, v: &Self::Cell, list: Option<bool>) {
        if let Some(ints) = list
            && let Some(text) = v.cast::<PyString>().ok().and_then(|s| str_of(s).ok())
        {
            return write_split(tape, text, ints);
        }
        tape.cell(v)
    }
}

/// A claims table and its lines table, checked and matched up: each claim row's line rows in
/// `line` order. [`Frame::write`] then records any claim row on a tape.
pub struct Frame<T: Table> {
    pub(crate) claims: T,
    pub(crate) lines: T,
    pub(crate) claim_plan: Vec<Planned>,
    pub(crate) line_plan: Vec<Planned>,
    pub(crate) dx_cols: Vec<Option<usize>>,
    /// Each claim row's id, as the claim's `id` (inline up to 24 bytes: no allocation a row).
    pub(crate) ids: Vec<ClaimId>,
    /// The line rows of every claim row, claim by claim, each claim's sorted: claim row `r`'s
    /// are `line_rows[line_starts[r]..line_starts[r + 1]]` ([`Frame::lines_of`]).
    line_rows: Vec<usize>,
    line_starts: Vec<usize>,
}

impl<T: Table> Frame<T>
where
    PyErr: From<T::Fail>,
{
    pub fn new(py: Python<'_>, claims: T, lines: T) -> PyResult<Self> {
        let err = |msg: String| to_pyerr(py, &input(msg));
        let Some(claim_ids) = claims.column("claim_id") else {
            return Err(err("claims: no `claim_id` column".into()));
        };
        let line_ids = lines.column("claim_id");
        if lines.rows() > 0 && line_ids.is_none() {
            return Err(err("lines: no `claim_id` column".into()));
        }

        let mut ids = Vec::with_capacity(claims.rows());
        for r in 0..claims.rows() {
            let id = claims.cell(claim_ids, r)?.ok_or_else(|| err(format!("claims row {r}: claim_id is empty")))?;
            ids.push(ClaimId::from(claims.id_text(&id).map_err(|e| err(format!("claims row {r}: claim_id is {e}")))?));
        }
        let mut by_id: HashMap<&str, usize, foldhash::fast::RandomState> =
            HashMap::with_capacity_and_hasher(ids.len(), Default::default());
        for (r, id) in ids.iter().enumerate() {
            if by_id.insert(id, r).is_some() {
                return Err(err(format!("claims row {r}: duplicate claim_id")));
            }
        }

        // (claim row, `line`, line row) of every line row.
        let mut owned: Vec<(usize, i64, usize)> = Vec::with_capacity(lines.rows());
        let line_order = lines.column("line");
        // Lines usually come grouped by claim, and in the claims' order: a row with the previous
        // row's id, or the next claim's, skips the map.
        let mut prev: Option<usize> = None;
        for r in 0..lines.rows() {
            let id = lines.cell_in(line_ids, r)?;
            let id = id.ok_or_else(|| err(format!("lines row {r}: claim_id is empty")))?;
            let text = lines.id_text(&id).map_err(|e| err(format!("lines row {r}: claim_id is {e}")))?;
            let next = prev.map_or(0, |p| p + 1);
            let owner = match prev {
                Some(p) if ids[p] == text => p,
                _ if ids.get(next).is_some_and(|id| *id == text) => next,
                _ => *by_id.get(&*text).ok_or_else(|| err(format!("lines row {r}: claim_id matches no claim row")))?,
            };
            let order = match lines.cell_in(line_order, r)? {
                Some(n) => lines.integer(&n).ok_or_else(|| err(format!("lines row {r}: `line` is not an integer")))?,
                None => r as i64,
            };
            owned.push((owner, order, r));
            prev = Some(owner);
        }
        // Stable: rows of one claim with the same `line` keep their table order.
        if !owned.is_sorted_by_key(|&(owner, order, _)| (owner, order)) {
            owned.sort_by_key(|&(owner, order, _)| (owner, order));
        }
        let mut line_starts = vec![0; ids.len() + 1];
        for &(owner, _, _) in &owned {
            line_starts[owner + 1] += 1;
        }
        for k in 1..line_starts.len() {
            line_starts[k] += line_starts[k - 1];
        }

        Ok(Frame {
            claim_plan: plan(&claims, CLAIM_COLUMNS, &["billing_provider", "subscriber", "payer"]),
            line_plan: plan(&lines, LINE_COLUMNS, &[]),
            dx_cols: DX_COLUMNS.iter().map(|c| claims.column(c)).collect(),
            claims,
            lines,
            ids,
            line_rows: owned.into_iter().map(|(_, _, r)| r).collect(),
            line_starts,
        })
    }

    /// Claim row `r`'s line rows, in `line` order.
    pub(crate) fn lines_of(&self, r: usize) -> &[usize] {
        &self.line_rows[self.line_starts[r]..self.line_starts[r + 1]]
    }

    /// Claim rows.
    pub fn rows(&self) -> usize {
        self.ids.len()
    }

    /// Records claim row `r` (with its lines) on `tape`. A row's own problems (diagnosis
    /// columns with a gap) are recorded as unreadable values, which the claim reader turns into
    /// the row's error with its path; only a failure to read a cell is returned.
    pub fn write(&self, tape: &mut Tape, r: usize) -> Result<Root, T::Fail> {
        let root = tape.open(false);
        tape.key("id");
        tape.key(&self.ids[r]);
        write_planned(&self.claims, tape, &self.claim_plan, r)?;

        tape.key("diagnoses");
        let mut dx: SmallVec<[T::Cell; 12]> = SmallVec::new();
        let (mut empty, mut gap) = (None, None);
        for (n, &col) in (1..).zip(&self.dx_cols) {
            match self.claims.cell_in(col, r)? {
                Some(code) => {
                    if let Some(e) = empty {
                        gap = gap.or(Some((e, n)));
                    }
                    dx.push(code);
                }
                None => empty = empty.or(Some(n)),
            }
        }
        if let Some((empty, set)) = gap {
            tape.bad_value(&dx_gap(empty, set));
        } else {
            let list = tape.open(true);
            for code in &dx {
                let d = tape.open(false);
                tape.key("code");
                self.claims.write(tape, code, None);
                tape.close(d);
            }
            tape.close(list);
        }

        tape.key("lines");
        let list = tape.open(true);
        for &lr in self.lines_of(r) {
            let l = tape.open(false);
            write_planned(&self.lines, tape, &self.line_plan, lr)?;
            tape.close(l);
        }
        tape.close(list);
        tape.close(root);
        Ok(root)
    }
}

/// The error of a claim row whose `dx{set}` holds a code while `dx{empty}`, before it, does not.
fn dx_gap(empty: usize, set: usize) -> String {
    format!("dx{empty} is empty but dx{set} is set (pointers would shift)")
}

/// Where the table's columns go in a claim or line object, worked out once per table: a value
/// under its key, or a nested object (`billing_provider.npi`, ...) holding several columns.
/// Keys come in the order the claim dict was once built in, so that a row with several
/// problems reports the same one first: the `seeded` objects first, written even when empty,
/// then the columns in table order, another nested object where its first column is.
pub(crate) enum Planned {
    Leaf { key: &'static str, col: usize, list: Option<bool> },
    Group { key: &'static str, fields: Vec<(&'static str, usize)>, always: bool },
}

fn plan<T: Table>(table: &T, columns: &[(&str, &'static [&'static str])], seeded: &[&'static str]) -> Vec<Planned> {
    let mut plan: Vec<Planned> =
        seeded.iter().map(|&key| Planned::Group { key, fields: Vec::new(), always: true }).collect();
    for &(name, path) in columns {
        let Some(col) = table.column(name) else { continue };
        match *path {
            [key] => {
                let list = match key {
                    "modifiers" => Some(false),
                    "pointers" => Some(true),
                    _ => None,
                };
                plan.push(Planned::Leaf { key, col, list });
            }
            [group, key] => {
                match plan.iter_mut().find_map(|p| match p {
                    Planned::Group { key: g, fields, .. } if *g == group => Some(fields),
                    _ => None,
                }) {
                    Some(fields) => fields.push((key, col)),
                    None => plan.push(Planned::Group { key: group, fields: vec![(key, col)], always: false }),
                }
            }
            _ => unreachable!("column paths have one or two parts"),
        }
    }
    plan
}

/// Records row `r`'s cells as `plan` places them, into the object open on `tape`.
fn write_planned<T: Table>(table: &T, tape: &mut Tape, plan: &[Planned], r: usize) -> Result<(), T::Fail> {
    for p in plan {
        match p {
            Planned::Leaf { key, col, list } => {
                if let Some(v) = table.cell(*col, r)? {
                    tape.key(key);
                    table.write(tape, &v, *list);
                }
            }
            Planned::Group { key, fields, always } => {
                let mut open = always.then(|| {
                    tape.key(key);
                    tape.open(false)
                });
                for &(k, col) in fields {
                    if let Some(v) = table.cell(col, r)? {
                        if open.is_none() {
                            tape.key(key);
                            open = Some(tape.open(false));
                        }
                        tape.key(k);
                        table.write(tape, &v, None);
                    }
                }
                if let Some(m) = open {
                    tape.close(m);
                }
            }
        }
    }
    Ok(())
}

/// `"25,59"` → `["25", "59"]`; `"1,2"` → `[1, 2]` for pointers.
pub fn write_split(tape: &mut Tape, text: &str, ints: bool) {
    let list = tape.open(true);
    for item in split(text, ints) {
        match item {
            Item::Int(n) => tape.int_value(n),
            Item::Text(p) => tape.key(p),
        }
    }
    tape.close(list);
}

/// An item of a list written as text.
pub enum Item<'a> {
    Int(i64),
    Text(&'a str),
}

/// The items of a list written as text (modifiers `"25,59"`, pointers `"1,2"`: integers where
/// `ints` and they parse).
pub fn split(text: &str, ints: bool) -> impl Iterator<Item = Item<'_>> {
    text.split([',', ' ', ';']).filter(|p| !p.is_empty()).map(move |p| match p.parse::<i64>() {
        Ok(n) if ints => Item::Int(n),
        _ => Item::Text(p),
    })
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

/// What `check_frame` found, held as the core's reports until the caller's library asks for
/// them: as an Arrow stream (`__arrow_c_stream__`: pyarrow, polars, and pandas through pyarrow),
/// built from the reports with no Python object per cell, or as columns of Python values
/// (`columns()`), for a dict of lists and for pandas without pyarrow.
#[pyclass(frozen, module = "cleanclaim", name = "_Findings")]
pub struct Findings {
    reports: Vec<Report>,
}

impl std::fmt::Debug for Findings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Findings").field("reports", &self.reports.len()).finish_non_exhaustive()
    }
}

impl Findings {
    pub fn new(reports: Vec<Report>) -> Findings {
        Findings { reports }
    }

    /// The findings as record batches of at most `rows_per_batch` rows each ([`BATCH_ROWS`]
    /// outside tests): a text column of one batch has 32-bit offsets, which millions of
    /// messages in one batch would overflow.
    fn record_batches(&self, rows_per_batch: usize) -> Result<Vec<RecordBatch>, arrow_schema::ArrowError> {
        let rows_per_batch = rows_per_batch.max(1);
        let mut batches = Vec::new();
        let mut batch = BatchBuilder::default();
        for r in &self.reports {
            for f in &r.findings {
                batch.push(r.claim_id.as_deref(), f);
                if batch.rows == rows_per_batch {
                    batches.push(batch.finish()?);
                }
            }
        }
        if batch.rows > 0 {
            batches.push(batch.finish()?);
        }
        Ok(batches)
    }
}

/// Findings per Arrow record batch.
const BATCH_ROWS: usize = 65_536;

/// The findings table's column names, in order (`_frame.FINDING_COLUMNS` is this, exported).
pub const FINDING_COLUMNS: [&str; 6] = ["claim_id", "rule", "severity", "path", "message", "line"];

/// One record batch of findings being built.
#[derive(Default)]
struct BatchBuilder {
    claim_id: StringBuilder,
    rule: StringBuilder,
    severity: StringBuilder,
    path: StringBuilder,
    message: StringBuilder,
    line: Int32Builder,
    rows: usize,
}

impl BatchBuilder {
    fn push(&mut self, claim_id: Option<&str>, f: &cleanclaim::Finding) {
        self.claim_id.append_option(claim_id);
        self.rule.append_value(f.rule.as_str());
        self.severity.append_value(f.severity.as_str());
        self.path.append_value(&f.path);
        self.message.append_value(&f.message);
        // Lines are numbered within one claim: a number past i32 cannot come from a claim.
        self.line.append_option(f.line.and_then(|l| i32::try_from(l).ok()));
        self.rows += 1;
    }

    /// The rows pushed since the last call, as a batch; the builders start over empty.
    fn finish(&mut self) -> Result<RecordBatch, arrow_schema::ArrowError> {
        self.rows = 0;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.claim_id.finish()),
            Arc::new(self.rule.finish()),
            Arc::new(self.severity.finish()),
            Arc::new(self.path.finish()),
            Arc::new(self.message.finish()),
            Arc::new(self.line.finish()),
        ];
        RecordBatch::try_new(findings_schema(), columns)
    }
}

/// The findings table's schema: text columns and an int32 `line`. Every column is nullable, as
/// the tables built from Python values were, so tables from either path concatenate.
fn findings_schema() -> SchemaRef {
    let field = |name: &str| {
        let kind = if name == "line" { DataType::Int32 } else { DataType::Utf8 };
        Field::new(name, kind, true)
    };
    Arc::new(Schema::new(FINDING_COLUMNS.map(field).to_vec()))
}

#[pymethods]
impl Findings {
    /// The findings as Arrow record batches in an `arrow_array_stream` PyCapsule (the Arrow
    /// PyCapsule interface). `requested_schema` is ignored: the schema is fixed.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        self._stream(py, BATCH_ROWS)
    }

    /// `__arrow_c_stream__` with batches of `rows_per_batch` rows, for tests of several batches.
    fn _stream<'py>(&self, py: Python<'py>, rows_per_batch: usize) -> PyResult<Bound<'py, PyCapsule>> {
        guard(py, || {
            let batches = py
                .detach(|| self.record_batches(rows_per_batch))
                .map_err(|e| to_pyerr(py, &Error::Internal(e.to_string())))?;
            let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), findings_schema());
            // The capsule owns the stream; a consumer moves it out (leaving a released one
            // behind), and dropping an unconsumed one releases it.
            PyCapsule::new_with_value(py, FFI_ArrowArrayStream::new(Box::new(reader)), c"arrow_array_stream")
        })
    }

    /// The findings as ``{column: list}``, in the order of ``__arrow_c_stream__``.
    fn columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        findings_columns(py, &self.reports)
    }

    fn __len__(&self) -> usize {
        self.reports.iter().map(|r| r.findings.len()).sum()
    }
}

/// Findings of every report as columns of Python values, named by [`FINDING_COLUMNS`].
fn findings_columns<'py, 'r>(py: Python<'py>, reports: &'r [Report]) -> PyResult<Bound<'py, PyDict>> {
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
    for r in reports.iter().filter(|r| !r.findings.is_empty()) {
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
    let [c_id, c_rule, c_severity, c_path, c_message, c_line] = FINDING_COLUMNS;
    let d = PyDict::new(py);
    d.set_item(c_id, claim_id)?;
    d.set_item(c_rule, rule)?;
    d.set_item(c_severity, severity)?;
    d.set_item(c_path, path)?;
    d.set_item(c_message, message)?;
    d.set_item(c_line, line)?;
    Ok(d)
}
