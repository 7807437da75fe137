//! Engine options and the engine handle: configure once, check from any number of threads.

use std::ffi::c_char;

use cleanclaim::{Date, Engine, EngineBuilder};

use crate::boundary::{arg_mut, arg_ref, arg_str, out_arg, run, run_or};
use crate::report::{cleanclaim_report, cleanclaim_report_list, cleanclaim_severity};
use crate::result::{Fail, cleanclaim_result};

/// Engine options, filled in with the `cleanclaim_options_*` setters and read by
/// `cleanclaim_engine_new`. Not thread-safe: configure from one thread. The engine copies what
/// it needs, so the options may be freed (or reused) right after `cleanclaim_engine_new`.
///
/// New settings (a profile, code-set release files, NCCI tables) arrive as new setters, so
/// existing programs keep compiling and linking.
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
        let out = out_arg(out, "out")?;
        let opts = Box::into_raw(Box::default());
        // SAFETY: checked non-NULL; writable by the caller's promise.
        unsafe { out.write(opts) };
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

/// Applies one builder step to the options; the builder API takes `self` by value.
///
/// # Safety
/// `opts` is NULL or live options used by no other thread.
unsafe fn update(
    opts: *mut cleanclaim_options,
    f: impl FnOnce(EngineBuilder) -> Result<EngineBuilder, Fail>,
) -> Result<(), Fail> {
    let opts = unsafe { arg_mut(opts, "opts") }?;
    opts.builder = f(std::mem::take(&mut opts.builder))?;
    Ok(())
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
        let text = unsafe { arg_str(ptr, len, "ptr") }?;
        let date = Date::parse(text).map_err(|e| Fail::from(cleanclaim::Error::Config(format!("as_of: {e}"))))?;
        unsafe { update(opts, |b| Ok(b.as_of(date))) }
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
        let id = unsafe { arg_str(ptr, len, "ptr") }?;
        unsafe { update(opts, |b| Ok(b.disable(id))) }
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
        let id = unsafe { arg_str(ptr, len, "ptr") }?;
        unsafe { update(opts, |b| Ok(b.enable(id))) }
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
        let id = unsafe { arg_str(ptr, len, "ptr") }?;
        let severity = cleanclaim_severity::from_u32(severity)
            .ok_or_else(|| Fail::out_of_range(format!("severity {severity} is not a cleanclaim_severity")))?;
        unsafe { update(opts, |b| Ok(b.severity(id, severity.into()))) }
    })
}

/// Builds an engine from `opts` (NULL means defaults) into `*out`. Unknown rule ids in the
/// options are `CLEANCLAIM_ERR_CONFIG` (see `cleanclaim_last_error_message` for which).
///
/// # Safety
/// `opts` is NULL or live options; `out` is NULL or a writable pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_engine_new(
    opts: *const cleanclaim_options,
    out: *mut *mut cleanclaim_engine,
) -> cleanclaim_result {
    run(|| {
        let out = out_arg(out, "out")?;
        // SAFETY: NULL or live options by the caller's promise.
        let builder = match unsafe { opts.as_ref() } {
            Some(o) => o.builder.clone(),
            None => Engine::builder(),
        };
        let engine = Box::new(cleanclaim_engine { inner: builder.build()? });
        // SAFETY: checked non-NULL; writable by the caller's promise.
        unsafe { out.write(Box::into_raw(engine)) };
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
        let out = out_arg(out, "out")?;
        let claim = cleanclaim::parse_claim(text)?;
        let report = cleanclaim_report::new(engine.inner.check(&claim));
        // SAFETY: checked non-NULL; writable by the caller's promise.
        unsafe { out.write(Box::into_raw(Box::new(report))) };
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
        let out = out_arg(out, "out")?;
        let list = cleanclaim_report_list::new(engine.inner.check_json(text)?);
        // SAFETY: checked non-NULL; writable by the caller's promise.
        unsafe { out.write(Box::into_raw(Box::new(list))) };
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
