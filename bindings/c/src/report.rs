//! Reports and findings: opaque handles with borrowed string views into them.

use std::ffi::{CString, c_char};

use cleanclaim::{Report, Severity};

use crate::boundary::{arg_ref, out_arg, run, run_or};
use crate::result::{Fail, cleanclaim_result};

/// A borrowed UTF-8 string: `len` bytes at `ptr`, **not** NUL-terminated (print it with
/// `printf("%.*s", (int)s.len, s.ptr)`). Valid while the handle it came from lives.
/// `ptr` is NULL only for an absent value, and then `len` is 0.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cleanclaim_str {
    /// First byte, or NULL for an absent value.
    pub ptr: *const c_char,
    /// Length in bytes.
    pub len: usize,
}

impl cleanclaim_str {
    pub(crate) fn of(s: &str) -> cleanclaim_str {
        cleanclaim_str { ptr: s.as_ptr().cast(), len: s.len() }
    }
    const ABSENT: cleanclaim_str = cleanclaim_str { ptr: std::ptr::null(), len: 0 };
}

/// How bad a finding is. Ordered: a larger value is worse.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cleanclaim_severity {
    /// Worth knowing; never blocks.
    CLEANCLAIM_SEVERITY_INFO = 0,
    /// Likely to be denied or questioned; review.
    CLEANCLAIM_SEVERITY_WARNING = 1,
    /// The claim will be rejected or denied; fix before sending.
    CLEANCLAIM_SEVERITY_ERROR = 2,
}

use cleanclaim_severity::*;

impl cleanclaim_severity {
    pub(crate) fn from_u32(v: u32) -> Option<cleanclaim_severity> {
        [CLEANCLAIM_SEVERITY_INFO, CLEANCLAIM_SEVERITY_WARNING, CLEANCLAIM_SEVERITY_ERROR]
            .into_iter()
            .find(|s| *s as u32 == v)
    }
}

impl From<Severity> for cleanclaim_severity {
    fn from(s: Severity) -> cleanclaim_severity {
        match s {
            Severity::Info => CLEANCLAIM_SEVERITY_INFO,
            Severity::Warning => CLEANCLAIM_SEVERITY_WARNING,
            Severity::Error => CLEANCLAIM_SEVERITY_ERROR,
        }
    }
}

impl From<cleanclaim_severity> for Severity {
    fn from(s: cleanclaim_severity) -> Severity {
        match s {
            CLEANCLAIM_SEVERITY_INFO => Severity::Info,
            CLEANCLAIM_SEVERITY_WARNING => Severity::Warning,
            CLEANCLAIM_SEVERITY_ERROR => Severity::Error,
        }
    }
}

/// One finding, as views into its report (valid while the report lives; nothing to free).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cleanclaim_finding {
    /// Stable rule id, e.g. `line.pointer_invalid`.
    pub rule: cleanclaim_str,
    /// Severity after option overrides.
    pub severity: cleanclaim_severity,
    /// Field path, e.g. `lines[2].pointers[0]` (0-based indices).
    pub path: cleanclaim_str,
    /// What is wrong and how to fix it. Never contains patient data.
    pub message: cleanclaim_str,
    /// 1-based service line number, or 0 when the finding is not about one line.
    pub line: u32,
}

/// The result of checking one claim. Immutable: any number of threads may read it at once.
#[derive(Debug)]
pub struct cleanclaim_report {
    inner: Report,
}

impl cleanclaim_report {
    pub(crate) fn new(inner: Report) -> cleanclaim_report {
        cleanclaim_report { inner }
    }
}

/// The reports of a batch, in input order. Immutable, like a report.
#[derive(Debug)]
pub struct cleanclaim_report_list {
    reports: Vec<cleanclaim_report>,
}

impl cleanclaim_report_list {
    pub(crate) fn new(reports: Vec<Report>) -> cleanclaim_report_list {
        cleanclaim_report_list { reports: reports.into_iter().map(cleanclaim_report::new).collect() }
    }
}

/// True when no finding has severity error (the claim can go out). NULL gives false.
///
/// # Safety
/// `report` is NULL or a live report.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_report_ok(report: *const cleanclaim_report) -> bool {
    // SAFETY: NULL or live by the caller's promise.
    run_or(false, || unsafe { report.as_ref() }.is_some_and(|r| r.inner.ok))
}

/// The number of findings. NULL gives 0.
///
/// # Safety
/// `report` is NULL or a live report.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_report_findings_len(report: *const cleanclaim_report) -> usize {
    // SAFETY: NULL or live by the caller's promise.
    run_or(0, || unsafe { report.as_ref() }.map_or(0, |r| r.inner.findings.len()))
}

/// Stores finding `index` (0-based, in rule-catalogue order) of `report` in `*out`. An index
/// at or past `cleanclaim_report_findings_len` is `CLEANCLAIM_ERR_OUT_OF_RANGE`.
///
/// # Safety
/// `report` is NULL or a live report; `out` is NULL or points to a writable
/// `cleanclaim_finding`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_report_finding(
    report: *const cleanclaim_report,
    index: usize,
    out: *mut cleanclaim_finding,
) -> cleanclaim_result {
    run(|| {
        let report = unsafe { arg_ref(report, "report") }?;
        let out = out_arg(out, "out")?;
        let count = report.inner.findings.len();
        let f = report
            .inner
            .findings
            .get(index)
            .ok_or_else(|| Fail::out_of_range(format!("finding index {index} (the report has {count})")))?;
        let view = cleanclaim_finding {
            rule: cleanclaim_str::of(&f.rule),
            severity: f.severity.into(),
            path: cleanclaim_str::of(&f.path),
            message: cleanclaim_str::of(&f.message),
            line: f.line.unwrap_or(0),
        };
        // SAFETY: checked non-NULL; writable by the caller's promise.
        unsafe { out.write(view) };
        Ok(())
    })
}

/// Stores the claim id (CLM01) in `*out`, or `{NULL, 0}` when the claim had none.
///
/// # Safety
/// `report` is NULL or a live report; `out` is NULL or points to a writable `cleanclaim_str`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_report_claim_id(
    report: *const cleanclaim_report,
    out: *mut cleanclaim_str,
) -> cleanclaim_result {
    run(|| {
        let report = unsafe { arg_ref(report, "report") }?;
        let out = out_arg(out, "out")?;
        let id = report.inner.claim_id.as_deref().map_or(cleanclaim_str::ABSENT, cleanclaim_str::of);
        // SAFETY: checked non-NULL; writable by the caller's promise.
        unsafe { out.write(id) };
        Ok(())
    })
}

/// Moves `json` into a C string for the caller to free with `cleanclaim_string_free`.
pub(crate) fn json_out(json: String, out: *mut *mut c_char, len: *mut usize) -> Result<(), Fail> {
    let n = json.len();
    // serde_json escapes NUL inside strings, so the text never holds one.
    let s = CString::new(json).map_err(|_| Fail::new(cleanclaim_result::CLEANCLAIM_ERR_INTERNAL, "NUL in JSON"))?;
    // SAFETY: both checked non-NULL by the callers; writable by the caller's promise.
    unsafe {
        out.write(s.into_raw());
        len.write(n);
    }
    Ok(())
}

pub(crate) fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, Fail> {
    serde_json::to_string(value)
        .map_err(|e| Fail::new(cleanclaim_result::CLEANCLAIM_ERR_INTERNAL, format!("serializing JSON: {e}")))
}

/// Serializes the report as JSON (`{"claim_id", "ok", "findings": [{"rule", "severity",
/// "path", "message", "line"}]}`, as every binding prints it) into `*out`, a NUL-terminated
/// string owned by the caller (free it with `cleanclaim_string_free`), with its length without
/// the NUL in `*len`.
///
/// # Safety
/// `report` is NULL or a live report; `out` and `len` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_report_to_json(
    report: *const cleanclaim_report,
    out: *mut *mut c_char,
    len: *mut usize,
) -> cleanclaim_result {
    run(|| {
        let report = unsafe { arg_ref(report, "report") }?;
        let (out, len) = (out_arg(out, "out")?, out_arg(len, "len")?);
        json_out(to_json(&report.inner)?, out, len)
    })
}

/// Frees a report. NULL is a no-op. Views taken from it become invalid.
///
/// # Safety
/// `report` is NULL or a report from `cleanclaim_engine_check_json` not yet freed (never one
/// borrowed from a list).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_report_free(report: *mut cleanclaim_report) {
    run_or((), || {
        if !report.is_null() {
            // SAFETY: made by Box::into_raw in cleanclaim_engine_check_json, freed once.
            drop(unsafe { Box::from_raw(report) });
        }
    })
}

/// The number of reports in the list (the number of claims in the input). NULL gives 0.
///
/// # Safety
/// `list` is NULL or a live report list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_report_list_len(list: *const cleanclaim_report_list) -> usize {
    // SAFETY: NULL or live by the caller's promise.
    run_or(0, || unsafe { list.as_ref() }.map_or(0, |l| l.reports.len()))
}

/// Stores a pointer to report `index` (0-based, input order) in `*out`. The report is borrowed:
/// valid while the list lives; never pass it to `cleanclaim_report_free`.
///
/// # Safety
/// `list` is NULL or a live report list; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_report_list_get(
    list: *const cleanclaim_report_list,
    index: usize,
    out: *mut *const cleanclaim_report,
) -> cleanclaim_result {
    run(|| {
        let list = unsafe { arg_ref(list, "list") }?;
        let out = out_arg(out, "out")?;
        let count = list.reports.len();
        let r = list
            .reports
            .get(index)
            .ok_or_else(|| Fail::out_of_range(format!("report index {index} (the list has {count})")))?;
        // SAFETY: checked non-NULL; writable by the caller's promise.
        unsafe { out.write(r) };
        Ok(())
    })
}

/// Serializes the list as a JSON array of reports; otherwise as `cleanclaim_report_to_json`.
///
/// # Safety
/// `list` is NULL or a live report list; `out` and `len` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_report_list_to_json(
    list: *const cleanclaim_report_list,
    out: *mut *mut c_char,
    len: *mut usize,
) -> cleanclaim_result {
    run(|| {
        let list = unsafe { arg_ref(list, "list") }?;
        let (out, len) = (out_arg(out, "out")?, out_arg(len, "len")?);
        let reports: Vec<&Report> = list.reports.iter().map(|r| &r.inner).collect();
        json_out(to_json(&reports)?, out, len)
    })
}

/// Frees a report list and every report in it. NULL is a no-op.
///
/// # Safety
/// `list` is NULL or a list from `cleanclaim_engine_check_many_json` or `cleanclaim_engine_check_x12`
/// not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_report_list_free(list: *mut cleanclaim_report_list) {
    run_or((), || {
        if !list.is_null() {
            // SAFETY: made by Box::into_raw in cleanclaim_engine_check_many_json, freed once.
            drop(unsafe { Box::from_raw(list) });
        }
    })
}

/// Frees a string this library returned (`cleanclaim_report_to_json`, ...). NULL is a no-op.
///
/// # Safety
/// `s` is NULL or a string from this library not yet freed (never one from `malloc`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_string_free(s: *mut c_char) {
    run_or((), || {
        if !s.is_null() {
            // SAFETY: made by CString::into_raw in json_out, freed once.
            drop(unsafe { CString::from_raw(s) });
        }
    })
}

/// The lower-case name of a `cleanclaim_severity` (`"error"`, `"warning"`, `"info"`) as a
/// static NUL-terminated string, or NULL for another number.
#[unsafe(no_mangle)]
pub extern "C" fn cleanclaim_severity_name(severity: u32) -> *const c_char {
    run_or(std::ptr::null(), || match cleanclaim_severity::from_u32(severity) {
        Some(CLEANCLAIM_SEVERITY_INFO) => c"info".as_ptr(),
        Some(CLEANCLAIM_SEVERITY_WARNING) => c"warning".as_ptr(),
        Some(CLEANCLAIM_SEVERITY_ERROR) => c"error".as_ptr(),
        None => std::ptr::null(),
    })
}
