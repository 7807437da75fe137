//! Engine options and the engine handle: configure once, check from any number of threads.

use std::ffi::c_char;

use cleanclaim::{Date, Engine, EngineBuilder, Profile};

use crate::boundary::{OutBox, arg_bytes, arg_mut, arg_ref, arg_str, out_arg, run, run_or};
use crate::report::{
    cleanclaim_report, cleanclaim_report_list, cleanclaim_severity, cleanclaim_str, json_out, to_json,
};
use crate::result::{Fail, cleanclaim_result};

/// Engine options, filled in with the `cleanclaim_options_*` setters and read by
/// `cleanclaim_engine_new`. Not thread-safe: configure from one thread. The engine copies what
/// it needs, so the options may be freed (or reused) right after `cleanclaim_engine_new`.
///
/// New settings arrive as new setters, so existing programs keep compiling and linking.
#[derive(Debug, Default)]
pub struct cleanclaim_options {
    builder: EngineBuilder,
}

/// A configured, immutable rule engine. Thread-safe: any number of threads may check claims
/// with one engine at once. Free it with `cleanclaim_engine_free` once no call uses it.
#[derive(Debug)]
pub struct cleanclaim_engine {
    inner: Engine,
}

/// Creates default options (every default rule, "today" from the system clock) in `*out`.
/// Free them with `cleanclaim_options_free`.
///
/// # Safety
/// `out` is NULL or a writable pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_options_new(out: *mut *mut cleanclaim_options) -> cleanclaim_result {
    run(|| {
        OutBox::new(out, "out")?.put(cleanclaim_options::default());
        Ok(())
    })
}

/// Frees options from `cleanclaim_options_new`. NULL is a no-op.
///
/// # Safety
/// `opts` is NULL or options from `cleanclaim_options_new` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_options_free(opts: *mut cleanclaim_options) {
    run_or((), || {
        if !opts.is_null() {
            // SAFETY: made by Box::into_raw in cleanclaim_options_new, freed once.
            drop(unsafe { Box::from_raw(opts) });
        }
    })
}

impl cleanclaim_options {
    /// Applies one builder step; the builder API takes `self` by value.
    fn apply(&mut self, f: impl FnOnce(EngineBuilder) -> EngineBuilder) {
        self.builder = f(std::mem::take(&mut self.builder));
    }
}

/// Fixes "today" for date checks (e.g. dates of service in the future) so that runs are
/// reproducible: `YYYY-MM-DD` or `YYYYMMDD`, as `ptr`/`len` UTF-8. A date that does not exist
/// is `CLEANCLAIM_ERR_CONFIG` and leaves the options unchanged.
///
/// # Safety
/// `opts` is NULL or live options; `ptr` is NULL or points to `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_options_set_as_of(
    opts: *mut cleanclaim_options,
    ptr: *const c_char,
    len: usize,
) -> cleanclaim_result {
    run(|| {
        let opts = unsafe { arg_mut(opts, "opts") }?;
        let date = parse_date(unsafe { arg_str(ptr, len, "ptr") }?, "as_of")?;
        opts.apply(|b| b.as_of(date));
        Ok(())
    })
}

/// Turns the rule `ptr`/`len` (e.g. `claim.total_mismatch`) off. An unknown rule id is
/// reported by `cleanclaim_engine_new` as `CLEANCLAIM_ERR_CONFIG`.
///
/// # Safety
/// `opts` is NULL or live options; `ptr` is NULL or points to `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_options_disable_rule(
    opts: *mut cleanclaim_options,
    ptr: *const c_char,
    len: usize,
) -> cleanclaim_result {
    run(|| {
        let opts = unsafe { arg_mut(opts, "opts") }?;
        let id = unsafe { arg_str(ptr, len, "ptr") }?;
        opts.apply(|b| b.disable(id));
        Ok(())
    })
}

/// Turns on the rule `ptr`/`len`, one that is off by default. An unknown rule id is reported
/// by `cleanclaim_engine_new` as `CLEANCLAIM_ERR_CONFIG`.
///
/// # Safety
/// `opts` is NULL or live options; `ptr` is NULL or points to `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_options_enable_rule(
    opts: *mut cleanclaim_options,
    ptr: *const c_char,
    len: usize,
) -> cleanclaim_result {
    run(|| {
        let opts = unsafe { arg_mut(opts, "opts") }?;
        let id = unsafe { arg_str(ptr, len, "ptr") }?;
        opts.apply(|b| b.enable(id));
        Ok(())
    })
}

/// Overrides the severity of the rule `ptr`/`len` with a `cleanclaim_severity` value; another
/// number is `CLEANCLAIM_ERR_OUT_OF_RANGE`.
///
/// # Safety
/// `opts` is NULL or live options; `ptr` is NULL or points to `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_options_set_severity(
    opts: *mut cleanclaim_options,
    ptr: *const c_char,
    len: usize,
    severity: u32,
) -> cleanclaim_result {
    run(|| {
        let opts = unsafe { arg_mut(opts, "opts") }?;
        let id = unsafe { arg_str(ptr, len, "ptr") }?;
        let severity = cleanclaim_severity::from_u32(severity)
            .ok_or_else(|| Fail::out_of_range(format!("severity {severity} is not a cleanclaim_severity")))?;
        opts.apply(|b| b.severity(id, severity.into()));
        Ok(())
    })
}

/// Applies a profile: a built-in name (`medicare-professional`, `medicare-institutional`,
/// `commercial-default`) or the path of a `.toml` / `.json` profile file, as `ptr`/`len`
/// UTF-8. The profile's rule selection, severities and payer rules apply; the other setters
/// take precedence over it. An unknown name or a bad file is `CLEANCLAIM_ERR_CONFIG`, an
/// unreadable file `CLEANCLAIM_ERR_IO`, a malformed JSON one `CLEANCLAIM_ERR_JSON`; the options
/// are then unchanged. Setting a profile again replaces the previous one.
///
/// # Safety
/// `opts` is NULL or live options; `ptr` is NULL or points to `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_options_set_profile(
    opts: *mut cleanclaim_options,
    ptr: *const c_char,
    len: usize,
) -> cleanclaim_result {
    run(|| {
        let opts = unsafe { arg_mut(opts, "opts") }?;
        let profile = Profile::load(unsafe { arg_str(ptr, len, "ptr") }?)?;
        opts.apply(|b| b.profile(profile));
        Ok(())
    })
}

/// Loads the CMS NCCI tables (PTP, MUE and add-on code files: `.txt`, `.tsv`, `.csv`) in the
/// folder `ptr`/`len` (UTF-8 path; subfolders are not read) and checks against them instead of
/// the embedded sample. The folder is read now: a folder without any table is
/// `CLEANCLAIM_ERR_CONFIG`, an unreadable one `CLEANCLAIM_ERR_IO`, a malformed table
/// `CLEANCLAIM_ERR_CODESET`; the options are then unchanged. Setting it again replaces the
/// tables.
///
/// # Safety
/// `opts` is NULL or live options; `ptr` is NULL or points to `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_options_set_ncci_dir(
    opts: *mut cleanclaim_options,
    ptr: *const c_char,
    len: usize,
) -> cleanclaim_result {
    run(|| {
        let opts = unsafe { arg_mut(opts, "opts") }?;
        let tables = cleanclaim::ncci::Ncci::load_dir(unsafe { arg_str(ptr, len, "ptr") }?)?;
        opts.apply(|b| b.ncci(tables));
        Ok(())
    })
}

/// Adds a code-set release file to load on top of the embedded code sets, as `ptr`/`len`
/// UTF-8 `KIND:PATH@YYYY-MM-DD`; kinds `icd10cm-order`, `icd10cm-tabular`, `icd10cm-mce`,
/// `icd10pcs-order`, `icd10pcs-mce`, `hcpcs`, `cpt` (the date is optional for `cpt` only).
/// Files load in the order added, when `cleanclaim_engine_new` runs: a bad spec is
/// `CLEANCLAIM_ERR_CONFIG` here (options unchanged); an unreadable file
/// (`CLEANCLAIM_ERR_IO`) or a malformed one (`CLEANCLAIM_ERR_CODESET`) is reported by
/// `cleanclaim_engine_new`.
///
/// # Safety
/// `opts` is NULL or live options; `ptr` is NULL or points to `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_options_add_release(
    opts: *mut cleanclaim_options,
    ptr: *const c_char,
    len: usize,
) -> cleanclaim_result {
    run(|| {
        let opts = unsafe { arg_mut(opts, "opts") }?;
        let file = cleanclaim::ReleaseFile::parse(unsafe { arg_str(ptr, len, "ptr") }?)?;
        opts.apply(|b| b.release(file));
        Ok(())
    })
}

/// Builds an engine from `opts` (NULL means defaults) into `*out`. Unknown rule ids in the
/// options are `CLEANCLAIM_ERR_CONFIG` (see `cleanclaim_last_error_message` for which); a
/// release file that cannot be read is `CLEANCLAIM_ERR_IO`, a malformed one
/// `CLEANCLAIM_ERR_CODESET`.
///
/// # Safety
/// `opts` is NULL or live options; `out` is NULL or a writable pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_engine_new(
    opts: *const cleanclaim_options,
    out: *mut *mut cleanclaim_engine,
) -> cleanclaim_result {
    run(|| {
        let out = OutBox::new(out, "out")?;
        // SAFETY: NULL or live options by the caller's promise.
        let builder = match unsafe { opts.as_ref() } {
            Some(o) => o.builder.clone(),
            None => Engine::builder(),
        };
        out.put(cleanclaim_engine { inner: builder.build()? });
        Ok(())
    })
}

/// Frees an engine. NULL is a no-op. No other call may be using the engine.
///
/// # Safety
/// `engine` is NULL or an engine from `cleanclaim_engine_new` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_engine_free(engine: *mut cleanclaim_engine) {
    run_or((), || {
        if !engine.is_null() {
            // SAFETY: made by Box::into_raw in cleanclaim_engine_new, freed once.
            drop(unsafe { Box::from_raw(engine) });
        }
    })
}

/// Checks one claim given as a JSON object (`ptr`/`len`, UTF-8) and stores its report in
/// `*out` (free it with `cleanclaim_report_free`). A claim that fails checks is a report with
/// findings, not an error: errors are for unusable input (`CLEANCLAIM_ERR_JSON`,
/// `CLEANCLAIM_ERR_INVALID_UTF8`, ...), with line, column and field path in
/// `cleanclaim_last_error_message`.
///
/// # Safety
/// `engine` is NULL or a live engine; `ptr` is NULL or points to `len` readable bytes;
/// `out` is NULL or a writable pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_engine_check_json(
    engine: *const cleanclaim_engine,
    ptr: *const c_char,
    len: usize,
    out: *mut *mut cleanclaim_report,
) -> cleanclaim_result {
    run(|| {
        let engine = unsafe { arg_ref(engine, "engine") }?;
        let text = unsafe { arg_str(ptr, len, "ptr") }?;
        let out = OutBox::new(out, "out")?;
        let claim = cleanclaim::parse_claim(text)?;
        out.put(cleanclaim_report::new(engine.inner.check(&claim)));
        Ok(())
    })
}

/// Checks every claim in `ptr`/`len`: one claim object, a JSON array of claims, or JSON lines
/// (one claim object per line). Claims are checked in parallel on a worker pool that lives
/// for the rest of the process; the list in `*out` keeps input order. Free it with
/// `cleanclaim_report_list_free`. Errors as for `cleanclaim_engine_check_json`: if any claim
/// is unusable, no report is returned.
///
/// # Safety
/// As for `cleanclaim_engine_check_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_engine_check_many_json(
    engine: *const cleanclaim_engine,
    ptr: *const c_char,
    len: usize,
    out: *mut *mut cleanclaim_report_list,
) -> cleanclaim_result {
    run(|| {
        let engine = unsafe { arg_ref(engine, "engine") }?;
        let text = unsafe { arg_str(ptr, len, "ptr") }?;
        let out = OutBox::new(out, "out")?;
        out.put(cleanclaim_report_list::new(engine.inner.check_json(text)?));
        Ok(())
    })
}

/// Reads an X12 837 (5010 837P or 837I) from the `len` bytes at `ptr` and checks every claim
/// in it; the list in `*out` is in file order (free it with `cleanclaim_report_list_free`).
/// A transaction set the reader rejects becomes a report with no claim id
/// (`cleanclaim_report_claim_id` gives `{NULL, 0}`) and an `x12.structure` finding; interchange findings
/// (control numbers, counts) come last in a report with no claim id. Input with nothing
/// readable in it (not X12, an unsupported version such as 4010) is `CLEANCLAIM_ERR_X12` or
/// `CLEANCLAIM_ERR_LIMIT`, with the segment and reason in `cleanclaim_last_error_message`.
///
/// # Safety
/// `engine` is NULL or a live engine; `ptr` is NULL or points to `len` readable bytes;
/// `out` is NULL or a writable pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_engine_check_x12(
    engine: *const cleanclaim_engine,
    ptr: *const u8,
    len: usize,
    out: *mut *mut cleanclaim_report_list,
) -> cleanclaim_result {
    run(|| {
        let engine = unsafe { arg_ref(engine, "engine") }?;
        let bytes = unsafe { arg_bytes(ptr, len, "ptr") }?;
        let out = OutBox::new(out, "out")?;
        out.put(cleanclaim_report_list::new(cleanclaim_x12::check_837(&engine.inner, bytes, None)?));
        Ok(())
    })
}

/// Checks every claim of the file at the `len`-byte UTF-8 path `path`, in any format
/// cleanclaim reads, told from its content: claim JSON (one claim, an array or JSON lines), an
/// X12 837P/837I, or a FHIR R4 Claim or Bundle; the list in `*out` is in file order (free it
/// with `cleanclaim_report_list_free`). JSON lines and 837s are read as they are checked, so
/// the file is never held in memory whole. A file that cannot be opened or read is
/// `CLEANCLAIM_ERR_IO`; an 835, a 999 or 277CA, or X12 segments without their interchange are
/// `CLEANCLAIM_ERR_X12`, and `cleanclaim_last_error_message` says what the file is.
///
/// # Safety
/// `engine` is NULL or a live engine; `path` is NULL or points to `len` readable bytes;
/// `out` is NULL or a writable pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_engine_check_file(
    engine: *const cleanclaim_engine,
    path: *const c_char,
    len: usize,
    out: *mut *mut cleanclaim_report_list,
) -> cleanclaim_result {
    run(|| {
        let engine = unsafe { arg_ref(engine, "engine") }?;
        let path = unsafe { arg_str(path, len, "path") }?;
        let out = OutBox::new(out, "out")?;
        out.put(cleanclaim_report_list::new(cleanclaim_x12::check_file(&engine.inner, path)?));
        Ok(())
    })
}

fn parse_date(text: &str, what: &str) -> Result<Date, Fail> {
    Date::parse(text).map_err(|e| Fail::from(cleanclaim::Error::Config(format!("{what}: {e}"))))
}

/// Looks a code up (ICD-10-CM, then ICD-10-PCS, then HCPCS/CPT and modifiers) and stores
/// everything known about it as a JSON object in `*out` (free it with
/// `cleanclaim_string_free`), its length in `*out_len`. `date` (`YYYY-MM-DD`, may be NULL for
/// "any date") decides validity and flags. An unknown code is not an error: `*out` is NULL
/// and `*out_len` 0.
///
/// # Safety
/// `engine` is NULL or a live engine; `code` points to `code_len` readable bytes; `date` is
/// NULL or points to `date_len` readable bytes; `out` and `out_len` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_engine_lookup_json(
    engine: *const cleanclaim_engine,
    code: *const c_char,
    code_len: usize,
    date: *const c_char,
    date_len: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> cleanclaim_result {
    run(|| {
        let engine = unsafe { arg_ref(engine, "engine") }?;
        let code = unsafe { arg_str(code, code_len, "code") }?;
        let date = match date.is_null() {
            true => None,
            false => Some(parse_date(unsafe { arg_str(date, date_len, "date") }?, "date")?),
        };
        let (out, out_len) = (out_arg(out, "out")?, out_arg(out_len, "out_len")?);
        match engine.inner.lookup(code, date) {
            Some(found) => json_out(to_json(&found)?, out, out_len),
            None => {
                // SAFETY: both checked non-NULL; writable by the caller's promise.
                unsafe {
                    out.write(std::ptr::null_mut());
                    out_len.write(0);
                }
                Ok(())
            }
        }
    })
}

/// Ranked ICD-10-CM search over descriptions and inclusion terms: stores a JSON array of at
/// most `limit` results (`{"code", "display", "description", "billable", "score"}`, best
/// first) in `*out` (free it with `cleanclaim_string_free`), its length in `*out_len`.
///
/// # Safety
/// `engine` is NULL or a live engine; `words` points to `words_len` readable bytes; `out` and
/// `out_len` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_engine_search_json(
    engine: *const cleanclaim_engine,
    words: *const c_char,
    words_len: usize,
    limit: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> cleanclaim_result {
    run(|| {
        let engine = unsafe { arg_ref(engine, "engine") }?;
        let words = unsafe { arg_str(words, words_len, "words") }?;
        let (out, out_len) = (out_arg(out, "out")?, out_arg(out_len, "out_len")?);
        json_out(to_json(&engine.inner.search(words, limit))?, out, out_len)
    })
}

/// Whether each of the `count` ICD-10-CM codes in `codes` is valid (billable) on `date`
/// (`YYYY-MM-DD`): `out[i]` answers `codes[i]`; `out` has room for `count` values. A code that
/// is not UTF-8 is `CLEANCLAIM_ERR_INVALID_UTF8` (the detail names its index) and nothing is
/// written.
///
/// # Safety
/// `engine` is NULL or a live engine; `codes` is NULL or points to `count` views, each to
/// readable bytes; `date` points to `date_len` readable bytes; `out` is NULL or points to
/// `count` writable `bool`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_engine_icd10cm_validity(
    engine: *const cleanclaim_engine,
    codes: *const cleanclaim_str,
    count: usize,
    date: *const c_char,
    date_len: usize,
    out: *mut bool,
) -> cleanclaim_result {
    run(|| {
        let engine = unsafe { arg_ref(engine, "engine") }?;
        if codes.is_null() {
            return Err(Fail::null("codes"));
        }
        let date = parse_date(unsafe { arg_str(date, date_len, "date") }?, "date")?;
        let out = out_arg(out, "out")?;
        // SAFETY: non-NULL; `count` views readable by the caller's promise.
        let views = unsafe { std::slice::from_raw_parts(codes, count) };
        let mut list = Vec::with_capacity(count);
        for (i, v) in views.iter().enumerate() {
            let code = unsafe { arg_str(v.ptr, v.len, "codes[i]") }.map_err(|f| f.at_index(i))?;
            list.push(code);
        }
        let valid = engine.inner.icd10cm_validity(&list, date);
        // SAFETY: `count` writable bools by the caller's promise; the core answers each code.
        unsafe { std::ptr::copy_nonoverlapping(valid.as_ptr(), out, valid.len().min(count)) };
        Ok(())
    })
}

/// Whether one ICD-10-CM code (`code`, dotted or not) is valid (billable) on `date`
/// (`YYYY-MM-DD`), in `*out`: `cleanclaim_engine_icd10cm_validity` for a single code, with no
/// list built. A code that is not UTF-8 is `CLEANCLAIM_ERR_INVALID_UTF8` and `*out` is not
/// written.
///
/// # Safety
/// `engine` is NULL or a live engine; `code` points to `code_len` readable bytes; `date` points
/// to `date_len` readable bytes; `out` is NULL or points to a writable `bool`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_engine_icd10cm_valid(
    engine: *const cleanclaim_engine,
    code: *const c_char,
    code_len: usize,
    date: *const c_char,
    date_len: usize,
    out: *mut bool,
) -> cleanclaim_result {
    run(|| {
        let engine = unsafe { arg_ref(engine, "engine") }?;
        let code = unsafe { arg_str(code, code_len, "code") }?;
        let date = parse_date(unsafe { arg_str(date, date_len, "date") }?, "date")?;
        let out = out_arg(out, "out")?;
        // SAFETY: non-NULL, and writable by the caller's promise.
        unsafe { out.write(engine.inner.icd10cm_valid(code, date)) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn engine_handle_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<super::cleanclaim_engine>();
    }
}
