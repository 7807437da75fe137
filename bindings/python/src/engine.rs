//! `Engine`: options in, reports out. Batch calls release the GIL and run the core's parallel
//! `check_many`.

use cleanclaim::{Claim, Date, Error, Severity};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use std::borrow::Cow;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, fence};

use crate::claim::PyClaim;
use crate::convert::{bytes_of, claim_from_mapping, iso_day, str_of, text_of};
use crate::errors::{guard, to_pyerr, to_pyerr_at};
use crate::report::{PyReport, ReportList, untracked};
use crate::tape::{Root, Tape};

/// What the engine was built from; pickling rebuilds it from these.
#[derive(Debug, Clone, Default)]
struct Options {
    as_of: Option<Date>,
    disable: Vec<String>,
    enable: Vec<String>,
    severity: Vec<(String, Severity)>,
    profile: Option<String>,
    ncci_dir: Option<String>,
    releases: Vec<String>,
}

impl Options {
    fn build(&self) -> Result<cleanclaim::Engine, Error> {
        let mut b = cleanclaim::Engine::builder();
        if let Some(p) = &self.profile {
            // A bare name is a built-in, so a typo says "unknown profile" rather than
            // "no such file".
            let profile = if p.ends_with(".toml") || p.ends_with(".json") {
                cleanclaim::Profile::load(p)?
            } else {
                cleanclaim::Profile::builtin(p)?
            };
            b = b.profile(profile);
        }
        if let Some(d) = self.as_of {
            b = b.as_of(d);
        }
        for id in &self.disable {
            b = b.disable(id);
        }
        for id in &self.enable {
            b = b.enable(id);
        }
        for (id, s) in &self.severity {
            b = b.severity(id, *s);
        }
        if let Some(dir) = &self.ncci_dir {
            b = b.ncci(cleanclaim::ncci::Ncci::load_dir(dir)?);
        }
        for spec in &self.releases {
            b = b.release(cleanclaim::ReleaseFile::parse(spec)?);
        }
        b.build()
    }
}

fn config(msg: &str) -> Error {
    Error::Config(msg.to_owned())
}

fn rule_ids(arg: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<String>> {
    strings(arg, name, "rule ids")
}

/// A lone string or an iterable of strings (`what` names them in errors).
fn strings(arg: &Bound<'_, PyAny>, name: &str, what: &str) -> PyResult<Vec<String>> {
    let py = arg.py();
    // A lone string would otherwise be read as a sequence of one-letter items.
    if let Ok(s) = arg.cast::<PyString>() {
        return Ok(vec![s.to_cow()?.into_owned()]);
    }
    let mut out = Vec::new();
    let iter = arg.try_iter().map_err(|_| to_pyerr(py, &config(&format!("{name}: expected an iterable of {what}"))))?;
    for item in iter {
        let id: String =
            item?.extract().map_err(|_| to_pyerr(py, &config(&format!("{name}: {what} must be strings"))))?;
        out.push(id);
    }
    Ok(out)
}

fn date_arg(arg: &Bound<'_, PyAny>, name: &str) -> Result<Date, Error> {
    let date = if let Ok(s) = arg.cast::<PyString>() {
        str_of(s).ok().and_then(|t| Date::parse(t).ok())
    } else {
        // `datetime.date` and `datetime` (and pandas' Timestamp) answer year, month and day;
        // reading them is a third of the cost of formatting and parsing `isoformat()`, and
        // a per-code call like `icd10cm_valid(code, day)` pays it every time.
        let py = arg.py();
        let part = |attr| arg.getattr(attr).and_then(|v| v.extract::<u16>()).ok();
        match (part(intern!(py, "year")), part(intern!(py, "month")), part(intern!(py, "day"))) {
            (Some(y), Some(m), Some(d)) => {
                u8::try_from(m).ok().zip(u8::try_from(d).ok()).and_then(|(m, d)| Date::new(y, m, d))
            }
            _ => arg
                .call_method0("isoformat")
                .and_then(|s| s.extract::<String>())
                .ok()
                .and_then(|s| Date::parse(iso_day(&s)).ok()),
        }
    };
    date.ok_or_else(|| config(&format!("{name}: not a date (expected datetime.date or YYYY-MM-DD)")))
}

/// Checks claims. Immutable and thread-safe: share one engine across threads, and pickle it
/// to ship it to worker processes (Spark, Dask, multiprocessing).
///
/// ``Engine(*, as_of=None, disable=(), enable=(), severity=None, profile=None, ncci_dir=None,
/// releases=())``
///
/// * ``as_of`` — "today" for date checks (``datetime.date`` or ``"YYYY-MM-DD"``); default: the
///   real date, which makes runs on different days differ.
/// * ``disable`` / ``enable`` — rule ids to turn off, or to turn on when off by default.
/// * ``severity`` — ``{rule_id: "error" | "warning" | "info"}`` overrides.
/// * ``profile`` — a built-in profile name (``medicare-professional``,
///   ``medicare-institutional``, ``commercial-default``) or a path ending in ``.toml``/``.json``;
///   ``enable``/``disable``/``severity`` take precedence over it.
/// * ``ncci_dir`` — a folder of CMS NCCI tables (PTP, MUE, add-on code files) to check
///   against, instead of the embedded sample.
/// * ``releases`` — code-set release files loaded on top of the embedded code sets, in order,
///   each ``"KIND:PATH@YYYY-MM-DD"`` (kinds ``icd10cm-order``, ``icd10cm-tabular``,
///   ``icd10cm-mce``, ``icd10pcs-order``, ``icd10pcs-mce``, ``hcpcs``, ``cpt``).
///
/// Raises ``ConfigError`` for an unknown rule id, severity, date, release kind or a folder
/// without NCCI tables, ``CodeSetError`` for a malformed table or release file and
/// ``CleanclaimError`` (code ``io``) for one that cannot be read.
#[pyclass(frozen, module = "cleanclaim", name = "Engine")]
#[derive(Debug)]
pub struct PyEngine {
    inner: cleanclaim::Engine,
    opts: Options,
    last_day: LastDay,
}

/// The last `str` a per-code call took for its date, with the date it names. A loop such as
/// `[engine.icd10cm_valid(c, "2026-04-01") for c in codes]` passes the same object each time;
/// reading and parsing it was ~150 of a call's ~950 instructions (callgrind). The object is
/// held, so no other can take its address while it is remembered, and a `str` never changes.
///
/// A call reads the remembered address and date with plain loads, checked by a version
/// number (a sequence lock): locking a mutex to read them took two atomic read-modify-writes, a
/// sixth of a call's time once its code look-up stayed in cache. Threads that pass different
/// dates at once (free-threaded builds) replace each other's entry or find it being replaced,
/// and then read the date as before: the answers stay the same.
#[derive(Default)]
struct LastDay {
    /// Even while `text` and `ymd` agree, odd while they are being replaced.
    version: AtomicU64,
    /// Address of the remembered `str` (0: none).
    text: AtomicUsize,
    /// Its date as `Date::ymd`.
    ymd: AtomicU32,
    /// The remembered `str`, held while its address is published (writers take turns here).
    held: std::sync::Mutex<Option<Py<PyString>>>,
}

impl std::fmt::Debug for LastDay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LastDay")
    }
}

impl LastDay {
    /// [`date_arg`], remembered for an exact `str`. Never waits: when another thread is
    /// replacing the memory, the date is read as if there were none.
    fn date(&self, arg: &Bound<'_, PyAny>, name: &str) -> Result<Date, Error> {
        let Ok(text) = arg.cast_exact::<PyString>() else {
            return date_arg(arg, name);
        };
        let v = self.version.load(Acquire);
        let (at, ymd) = (self.text.load(Relaxed), self.ymd.load(Relaxed));
        fence(Acquire);
        // The published address is of a `str` held until another replaces it, and `text` is
        // alive at its own address: the same address is the same object.
        if v.is_multiple_of(2)
            && at == text.as_ptr() as usize
            && self.version.load(Relaxed) == v
            && let Some(date) = Date::from_ymd(ymd)
        {
            return Ok(date);
        }
        let date = date_arg(arg, name)?;
        if let Ok(mut held) = self.held.try_lock() {
            let v = self.version.load(Relaxed);
            self.version.store(v.wrapping_add(1), Relaxed);
            fence(Release);
            self.text.store(text.as_ptr() as usize, Relaxed);
            self.ymd.store(date.ymd(), Relaxed);
            self.version.store(v.wrapping_add(2), Release);
            // The new address is published before the old `str` is let go (and perhaps freed,
            // its address free for another object).
            *held = Some(text.clone().unbind());
        }
        Ok(date)
    }
}

/// `values` as a list of `bool`: the more common value repeated (CPython fills the list in one
/// loop), then the other one set where it belongs. A list built item by item takes two calls
/// of the stable ABI per item (a reference added, the item set), ~9 % of a batch validity call
/// from pyarrow.
fn bool_list<'py>(py: Python<'py>, values: &[bool]) -> PyResult<Bound<'py, PyList>> {
    let common = values.iter().filter(|v| **v).count() * 2 >= values.len();
    let list = PyList::new(py, [common])?.mul(values.len())?.cast_into::<PyList>()?;
    for (i, _) in values.iter().enumerate().filter(|&(_, &v)| v != common) {
        list.set_item(i, !common)?;
    }
    Ok(list)
}

impl PyEngine {
    pub fn core(&self) -> &cleanclaim::Engine {
        &self.inner
    }
}

enum Slot {
    /// A `Claim` object: checked in place, never copied.
    Obj(Py<PyClaim>),
    /// A dict, recorded on the chunk's tape.
    Tape(Root),
    Text(String),
}

/// Claims per unit of work handed to the pool: large enough that scheduling is noise, small
/// enough that workers start checking while the caller's thread is still converting dicts.
const CHUNK_CLAIMS: usize = 256;
/// Tape text per chunk; keeps tape offsets far from `u32::MAX` whatever the claims hold.
const CHUNK_TEXT: usize = 64 << 20;

/// Claims converted as far as the GIL requires; [`Chunk::claim`] does the rest anywhere.
struct Chunk {
    slots: Vec<Slot>,
    tape: Tape,
}

impl Chunk {
    fn new() -> Self {
        Chunk { slots: Vec::with_capacity(CHUNK_CLAIMS), tape: Tape::new() }
    }

    /// The chunk after `prev`, its buffers sized like `prev`'s.
    fn after(prev: &Chunk) -> Self {
        Chunk { slots: Vec::with_capacity(CHUNK_CLAIMS), tape: Tape::sized_like(&prev.tape) }
    }

    fn full(&self) -> bool {
        self.slots.len() >= CHUNK_CLAIMS || self.tape.text_len() >= CHUNK_TEXT
    }

    /// Records one claim: a `Claim` by reference, JSON text as text, anything else on the tape.
    fn push(&mut self, item: &Bound<'_, PyAny>) -> PyResult<()> {
        let slot = if let Ok(c) = item.cast::<PyClaim>() {
            Slot::Obj(c.clone().unbind())
        } else if let Some(text) = text_of(item) {
            Slot::Text(text?)
        } else {
            Slot::Tape(self.tape.push(item))
        };
        self.slots.push(slot);
        Ok(())
    }

    /// Frees the chunk's copies of its claims once they are checked; only the `Claim` objects
    /// (which must be released under the GIL) stay for the calling thread. Without this, a
    /// `check_many` held every chunk's tape until the end: ~3.6 KB per full claim dict, going by
    /// the peak memory it saved.
    fn checked(&mut self) {
        self.tape = Tape::new();
        for s in &mut self.slots {
            if let Slot::Text(t) = s {
                *t = String::new();
            }
        }
    }

    /// Claim `k` of the chunk: borrowed from a `Claim` object, or built from the tape or text.
    /// Needs no GIL.
    fn claim(&self, k: usize) -> Result<Cow<'_, Claim>, Error> {
        match &self.slots[k] {
            Slot::Obj(o) => Ok(Cow::Borrowed(&o.get().0)),
            Slot::Tape(root) => self.tape.claim(*root).map(Cow::Owned),
            Slot::Text(t) => cleanclaim::parse_claim(t).map(Cow::Owned),
        }
    }
}

#[pymethods]
impl PyEngine {
    #[new]
    #[pyo3(signature = (
        *, as_of=None, disable=None, enable=None, severity=None, profile=None, ncci_dir=None, releases=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
        disable: Option<&Bound<'_, PyAny>>,
        enable: Option<&Bound<'_, PyAny>>,
        severity: Option<&Bound<'_, PyAny>>,
        profile: Option<String>,
        ncci_dir: Option<&Bound<'_, PyAny>>,
        releases: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guard(py, || {
            let mut opts = Options { profile, ..Options::default() };
            if let Some(d) = ncci_dir.filter(|d| !d.is_none()) {
                opts.ncci_dir = Some(
                    path_arg(d)
                        .map_err(|_| to_pyerr(py, &config("ncci_dir: expected a folder path (str or os.PathLike)")))?,
                );
            }
            if let Some(r) = releases {
                opts.releases = strings(r, "releases", "release specs")?;
            }
            if let Some(d) = as_of.filter(|d| !d.is_none()) {
                opts.as_of = Some(date_arg(d, "as_of").map_err(|e| to_pyerr(py, &e))?);
            }
            if let Some(d) = disable {
                opts.disable = rule_ids(d, "disable")?;
            }
            if let Some(e) = enable {
                opts.enable = rule_ids(e, "enable")?;
            }
            if let Some(s) = severity.filter(|s| !s.is_none()) {
                let d = s
                    .cast::<PyDict>()
                    .map_err(|_| to_pyerr(py, &config("severity: expected a dict {rule_id: severity}")))?;
                for (k, v) in d.iter() {
                    let id: String = k.extract()?;
                    let sev: String = v.extract()?;
                    let sev = Severity::parse(&sev).ok_or_else(|| {
                        to_pyerr(
                            py,
                            &config(&format!("severity for `{id}`: expected \"error\", \"warning\" or \"info\"")),
                        )
                    })?;
                    opts.severity.push((id, sev));
                }
            }
            Self::from_opts(py, opts)
        })
    }

    /// Checks one claim (a dict, JSON ``str``/``bytes`` or :class:`Claim`) → :class:`Report`.
    ///
    /// Raises ``InputError`` (with ``.path``, ``.line``, ``.column``) when the claim does not
    /// fit the claim model. A claim that fails checks is a report, never an exception.
    fn check<'py>(&self, py: Python<'py>, claim: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyReport>> {
        guard(py, || {
            if let Ok(c) = claim.cast::<PyClaim>() {
                return untracked(py, self.inner.check(&c.get().0));
            }
            if let Some(text) = text_of(claim) {
                let text = text?;
                let parsed = py.detach(|| cleanclaim::parse_claim(&text));
                let c = parsed.map_err(|e| to_pyerr(py, &e))?;
                return untracked(py, self.inner.check(&c));
            }
            let c = claim_from_mapping(claim).map_err(|e| to_pyerr(py, &e))?;
            untracked(py, self.inner.check(&c))
        })
    }

    /// Checks many claims on every core with the GIL released; reports in input order.
    ///
    /// ``claims`` is any iterable of dicts, JSON ``str``/``bytes`` or :class:`Claim`. Dicts
    /// are converted while holding the GIL; JSON text is parsed in parallel without it. An
    /// unusable claim raises ``InputError`` with ``.index`` set to its position.
    fn check_many<'py>(&self, py: Python<'py>, claims: &Bound<'py, PyAny>) -> PyResult<ReportList> {
        guard(py, || {
            let mut iter = claims.try_iter()?;
            let checked = self.check_chunks(py, |chunk| match iter.next() {
                Some(item) => chunk.push(&item?).map(|()| true),
                None => Ok(false),
            })?;
            checked.map(ReportList).map_err(|(i, e)| to_pyerr_at(py, &e, Some(i)))
        })
    }

    /// Parses a whole document — one claim, a JSON array of claims, or JSON lines — and
    /// checks every claim with the GIL released. ``text`` is ``str`` or UTF-8 ``bytes``, or
    /// the path of a file (``os.PathLike``, such as ``pathlib.Path``; a ``str`` is text), read
    /// in Rust: JSON lines a piece at a time, so the file is never held whole.
    fn check_json(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<ReportList> {
        guard(py, || {
            let engine = &self.inner;
            let reports = match text_of(text) {
                Some(t) => {
                    let t = t?;
                    py.detach(|| engine.check_json(&t))
                }
                None if text.hasattr(intern!(py, "__fspath__"))? => {
                    let path = path_arg(text)?;
                    py.detach(|| {
                        cleanclaim_x12::file_reports(&path, |file, sink| engine.check_json_read_with(file, sink))
                    })
                }
                None => {
                    return Err(pyo3::exceptions::PyTypeError::new_err("check_json expects str, bytes or os.PathLike"));
                }
            };
            reports.map(ReportList).map_err(|e| to_pyerr(py, &e))
        })
    }

    /// Reads an X12 837 (5010: 837P or 837I) and checks every claim in it with the GIL
    /// released; reports in file order. ``data`` is the file's content (``bytes``,
    /// ``bytearray``, ``memoryview``) or its path (``str``, ``os.PathLike``), read in Rust.
    ///
    /// A transaction set the reader rejects becomes a report with ``claim_id=None`` and an
    /// ``x12.structure`` finding; interchange findings (control numbers, counts) come last in
    /// a report with no claim id. Raises ``InputError`` (code ``x12`` or ``limit``) when
    /// nothing in the input is readable, e.g. not X12 or an unsupported version such as 4010.
    fn check_x12(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<ReportList> {
        guard(py, || {
            let engine = &self.inner;
            let reports = if let Some(bytes) = bytes_of(data)? {
                py.detach(|| cleanclaim_x12::check_837(engine, &bytes, None))
            } else {
                let path = path_arg(data).map_err(|_| {
                    pyo3::exceptions::PyTypeError::new_err(
                        "check_x12 expects bytes, bytearray, memoryview, str or os.PathLike",
                    )
                })?;
                py.detach(|| {
                    cleanclaim_x12::file_reports(&path, |file, sink| {
                        cleanclaim_x12::check_837_with(engine, file, Some(&path), sink)
                    })
                })
            };
            reports.map(ReportList).map_err(|e| to_pyerr(py, &e))
        })
    }

    /// Checks every claim of a file in any format cleanclaim reads, told from its content:
    /// claim JSON (one claim, an array or JSON lines), an X12 837P/837I, or a FHIR R4 Claim or
    /// Bundle; reports in file order, with the GIL released. ``path`` is a ``str`` or
    /// ``os.PathLike``. JSON lines and 837s are read as they are checked, so the file is never
    /// held whole. An 835, a 999 or 277CA, or X12 segments without their interchange raise
    /// ``InputError`` (code ``x12``) saying what the file is.
    fn check_file(&self, py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<ReportList> {
        guard(py, || {
            let engine = &self.inner;
            let path = path_arg(path)
                .map_err(|_| pyo3::exceptions::PyTypeError::new_err("check_file expects str or os.PathLike"))?;
            py.detach(|| cleanclaim_x12::check_file(engine, &path)).map(ReportList).map_err(|e| to_pyerr(py, &e))
        })
    }

    /// Checks a table of claims plus a table of service lines → a findings table.
    ///
    /// ``claims`` and ``lines`` are pandas or polars DataFrames, pyarrow Tables/RecordBatches,
    /// or dicts of equal-length lists. The result has the input's library type (a dict of
    /// lists for dict input) with columns ``claim_id, rule, severity, path, message, line``.
    /// Tables are read through the Arrow C stream interface where their column types allow
    /// (on every core, with the GIL released), else as Python values; the findings are the same
    /// either way.
    ///
    /// Claim columns (only ``claim_id`` and ``kind`` are required; nulls count as absent):
    /// ``claim_id, kind, frequency, billing_npi, billing_tax_id, rendering_npi,
    /// referring_npi, payer_id, member_id, birth_date, sex, place_of_service, type_of_bill,
    /// statement_from, statement_to, admission_date, discharge_date, discharge_status,
    /// total_charge, dx1 .. dx12``.
    ///
    /// Line columns: ``claim_id, line`` (1-based order within the claim), ``procedure,
    /// modifiers`` (list or comma-separated), ``units, charge, pointers`` (list of 1-based
    /// diagnosis numbers or comma-separated), ``date`` and optionally ``revenue_code,
    /// unit_basis, date_to, place_of_service, rendering_npi``. Other columns are ignored.
    /// Dates may be ``datetime.date``, timestamps or ``"YYYY-MM-DD"`` strings.
    fn check_frame<'py>(
        slf: &Bound<'py, Self>,
        claims: &Bound<'py, PyAny>,
        lines: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        py.import("cleanclaim._frame")?.call_method1("check_frame", (slf, claims, lines))
    }

    /// Column form of ``check_frame`` used by ``cleanclaim._frame``: ``dict[str, list]`` in,
    /// the findings (``_Findings``) out.
    fn _check_columns<'py>(
        &self,
        py: Python<'py>,
        claims: &Bound<'py, PyDict>,
        lines: &Bound<'py, PyDict>,
    ) -> PyResult<crate::frame::Findings> {
        guard(py, || {
            let frame = crate::frame::Frame::new(
                py,
                crate::frame::Columns::new(claims, "claims")?,
                crate::frame::Columns::new(lines, "lines")?,
            )?;
            self.check_frame_rows(py, &frame)
        })
    }

    /// Arrow form of ``check_frame``: two ``arrow_array_stream`` capsules (from
    /// ``__arrow_c_stream__``) in, the findings (``_Findings``) out; ``None`` when a column has a
    /// type only the column form reads.
    fn _check_arrow<'py>(
        &self,
        py: Python<'py>,
        claims: &Bound<'py, PyAny>,
        lines: &Bound<'py, PyAny>,
    ) -> PyResult<Option<crate::frame::Findings>> {
        use crate::arrow::ArrowTable;
        use crate::frame::{reads_claim_column, reads_line_column};
        guard(py, || {
            let Some(claims) = ArrowTable::from_capsule(claims, reads_claim_column)? else { return Ok(None) };
            let Some(lines) = ArrowTable::from_capsule(lines, reads_line_column)? else { return Ok(None) };
            let frame = crate::frame::Frame::new(py, claims, lines)?;
            // No Python object is read: rows become claims on every core, the GIL released.
            let engine = &self.inner;
            let checked = py.detach(|| {
                engine.try_check_each(frame.rows(), |r| crate::arrow::row_claim(&frame, r).map_err(|e| (r, e)))
            });
            match checked {
                Ok(reports) => Ok(Some(crate::frame::Findings::new(reports))),
                Err((r, e)) => Err(crate::frame::row_error(py, r, e)),
            }
        })
    }
    /// Everything known about a code (ICD-10-CM, ICD-10-PCS, HCPCS, modifier or CPT shape) on
    /// ``date`` (``datetime.date`` or ``"YYYY-MM-DD"``) or across all dates, as a dict:
    /// ``system, code, display, description, valid, header, chapter, section, parent,
    /// children, flags, valid_periods, seventh_characters, notes, incomplete, release``.
    /// ``None`` when the code is unknown.
    #[pyo3(signature = (code, date=None))]
    fn lookup<'py>(
        &self,
        py: Python<'py>,
        code: &str,
        date: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let date = match date.filter(|d| !d.is_none()) {
                Some(d) => Some(self.last_day.date(d, "date").map_err(|e| to_pyerr(py, &e))?),
                None => None,
            };
            match self.inner.lookup(code, date) {
                Some(found) => to_python(py, &found),
                None => Ok(py.None().into_bound(py)),
            }
        })
    }

    /// Ranked ICD-10-CM search over descriptions and inclusion terms: a list of dicts with
    /// ``code, display, description, billable, score``, best first.
    #[pyo3(signature = (words, limit=20))]
    fn search<'py>(&self, py: Python<'py>, words: &str, limit: usize) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let engine = &self.inner;
            let found = py.detach(|| engine.search(words, limit));
            to_python(py, &found)
        })
    }

    /// Whether each ICD-10-CM code is valid (billable) on ``date``, in input order.
    ///
    /// ``codes`` is a list, tuple or any iterable of ``str``, a numpy ``str`` array, a
    /// pyarrow ``string``/``large_string``/``string_view`` array, dictionary array or chunked
    /// array, or anything that exports an Arrow array or stream of strings, such as a polars
    /// Series (read through its buffers: no Python object per code; a null is ``False``), or a
    /// pandas Series, Index or Categorical (a categorical's distinct codes are looked up once;
    /// a missing value is ``False``). Codes may be dotted or not.
    fn icd10cm_validity<'py>(
        &self,
        py: Python<'py>,
        codes: &Bound<'py, PyAny>,
        date: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        guard(py, || {
            let date = date_arg(date, "date").map_err(|e| to_pyerr(py, &e))?;
            let codes = crate::codes::Codes::read(codes)?;
            let engine = &self.inner;
            // Releasing and retaking the GIL costs more than a few thousand look-ups.
            let valid = if codes.len() < 4096 {
                codes.validity(engine, date)
            } else {
                py.detach(|| codes.validity(engine, date))
            };
            bool_list(py, &valid)
        })
    }

    /// Whether one ICD-10-CM code (``str``, dotted or not) is valid (billable) on ``date``:
    /// :meth:`icd10cm_validity` for a single code, without building lists.
    fn icd10cm_valid(&self, py: Python<'_>, code: &Bound<'_, PyAny>, date: &Bound<'_, PyAny>) -> PyResult<bool> {
        guard(py, || {
            let date = self.last_day.date(date, "date").map_err(|e| to_pyerr(py, &e))?;
            let code =
                code.cast::<PyString>().map_err(|_| pyo3::exceptions::PyTypeError::new_err("code: expected str"))?;
            let code = str_of(code).map_err(|_| pyo3::exceptions::PyTypeError::new_err("code: not valid UTF-8"))?;
            Ok(self.inner.icd10cm_valid(code, date))
        })
    }

    /// The rules this engine runs, as ``(rule_id, severity)`` pairs in catalogue order.
    fn rules(&self) -> Vec<(&'static str, &'static str)> {
        self.inner.rules().into_iter().map(|(m, s)| (m.id, s.as_str())).collect()
    }

    /// The options this engine was built with, as keyword arguments for ``Engine(**...)``.
    #[getter]
    fn options<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let o = &self.opts;
        let d = PyDict::new(py);
        d.set_item("as_of", o.as_of.map(|d| d.to_string()))?;
        d.set_item("disable", PyTuple::new(py, &o.disable)?)?;
        d.set_item("enable", PyTuple::new(py, &o.enable)?)?;
        let sev = PyDict::new(py);
        for (id, s) in &o.severity {
            sev.set_item(id, s.as_str())?;
        }
        d.set_item("severity", sev)?;
        d.set_item("profile", o.profile.as_deref())?;
        d.set_item("ncci_dir", o.ncci_dir.as_deref())?;
        d.set_item("releases", PyTuple::new(py, &o.releases)?)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let o = &self.opts;
        let mut parts = Vec::new();
        if let Some(d) = o.as_of {
            parts.push(format!("as_of='{d}'"));
        }
        if !o.disable.is_empty() {
            parts.push(format!("disable={:?}", o.disable));
        }
        if !o.enable.is_empty() {
            parts.push(format!("enable={:?}", o.enable));
        }
        if !o.severity.is_empty() {
            let s: Vec<String> = o.severity.iter().map(|(id, s)| format!("{id:?}: {:?}", s.as_str())).collect();
            parts.push(format!("severity={{{}}}", s.join(", ")));
        }
        if let Some(d) = &o.ncci_dir {
            parts.push(format!("ncci_dir={d:?}"));
        }
        if !o.releases.is_empty() {
            parts.push(format!("releases={:?}", o.releases));
        }
        format!("Engine({})", parts.join(", "))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyDict>,))> {
        let py = slf.py();
        Ok((slf.get_type().getattr("_from_options")?, (slf.get().options(py)?,)))
    }

    /// Rebuilds an engine from ``Engine.options`` (used by pickle).
    #[staticmethod]
    fn _from_options<'py>(py: Python<'py>, options: &Bound<'py, PyDict>) -> PyResult<Self> {
        let get = |k: &str| -> PyResult<Option<Bound<'py, PyAny>>> { options.get_item(k) };
        Self::new(
            py,
            get("as_of")?.as_ref(),
            get("disable")?.as_ref(),
            get("enable")?.as_ref(),
            get("severity")?.as_ref(),
            get("profile")?.and_then(|p| p.extract().ok()),
            get("ncci_dir")?.as_ref(),
            get("releases")?.as_ref(),
        )
    }
}

/// A `str` or `os.PathLike` argument as a path string.
fn path_arg(arg: &Bound<'_, PyAny>) -> PyResult<String> {
    let p = arg.py().import("os")?.call_method1("fspath", (arg,))?;
    Ok(p.cast::<PyString>()?.to_cow()?.into_owned())
}

/// A core value as plain Python data (through its serde JSON form).
fn to_python<'py, T: serde::Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value)
        .map_err(|e| to_pyerr(py, &Error::Internal(format!("serializing a result: {e}"))))?;
    py.import("json")?.call_method1("loads", (text,))
}

impl PyEngine {
    fn from_opts(py: Python<'_>, opts: Options) -> PyResult<Self> {
        let inner = opts.build().map_err(|e| to_pyerr(py, &e))?;
        Ok(PyEngine { inner, opts, last_day: LastDay::default() })
    }
}

impl PyEngine {
    /// Checks the claims `fill` adds to chunks, one at a time (`Ok(false)` when there are no
    /// more). Filling needs the GIL (dicts, table cells), so it runs on this thread, a chunk at
    /// a time, while the pool builds and checks the chunks already filled and frees each one's
    /// tape once checked. The chunks (and the `Claim` references they hold) come back to this
    /// thread and are dropped here.
    fn check_chunks(
        &self,
        py: Python<'_>,
        mut fill: impl FnMut(&mut Chunk) -> PyResult<bool>,
    ) -> PyResult<Result<Vec<cleanclaim::Report>, (usize, Error)>> {
        self.inner.try_check_batches(
            |send| {
                let mut chunk = Chunk::new();
                while fill(&mut chunk)? {
                    if chunk.full() {
                        let next = Chunk::after(&chunk);
                        send(std::mem::replace(&mut chunk, next));
                    }
                }
                if !chunk.slots.is_empty() {
                    send(chunk);
                }
                PyResult::Ok(())
            },
            |chunk| chunk.slots.len(),
            |chunk, k| chunk.claim(k),
            Chunk::checked,
            // Other Python threads run meanwhile. A panic on a worker is resumed here, once
            // every chunk is done, and `guard` turns it into InternalError.
            |check| py.detach(check),
        )
    }

    /// Checks every row of a frame of Python values on the pool (each recorded on a tape here,
    /// holding the GIL) and returns the findings; a row that does not make a claim raises with
    /// its row number.
    fn check_frame_rows<'py>(
        &self,
        py: Python<'py>,
        frame: &crate::frame::Frame<crate::frame::Columns<'py>>,
    ) -> PyResult<crate::frame::Findings> {
        let mut r = 0;
        let reports = self.check_chunks(py, |chunk| {
            if r == frame.rows() {
                return Ok(false);
            }
            let root = frame.write(&mut chunk.tape, r)?;
            chunk.slots.push(Slot::Tape(root));
            r += 1;
            Ok(true)
        })?;
        match reports {
            Ok(reports) => Ok(crate::frame::Findings::new(reports)),
            Err((r, e)) => Err(crate::frame::row_error(py, r, e)),
        }
    }
}
