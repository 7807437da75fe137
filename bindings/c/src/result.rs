//! Result codes, their texts, and the per-thread detail of the last failure.

use std::cell::RefCell;
use std::ffi::c_char;

use crate::boundary::run;

/// What a fallible function returns. `CLEANCLAIM_OK` (0) is success; every other value is an
/// error. Values are stable and append-only: a code is never renumbered or reused.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cleanclaim_result {
    /// Success.
    CLEANCLAIM_OK = 0,
    /// A required pointer argument was NULL.
    CLEANCLAIM_ERR_NULL_ARGUMENT = 1,
    /// A string argument was not valid UTF-8.
    CLEANCLAIM_ERR_INVALID_UTF8 = 2,
    /// Not valid JSON, or JSON that does not fit the claim model (core code `json`).
    CLEANCLAIM_ERR_JSON = 3,
    /// A value that parsed but cannot be used (core code `invalid`).
    CLEANCLAIM_ERR_INVALID = 4,
    /// Bad engine options: unknown rule id, bad date, ... (core code `config`).
    CLEANCLAIM_ERR_CONFIG = 5,
    /// A code-set or NCCI release file is malformed (core code `codeset`).
    CLEANCLAIM_ERR_CODESET = 6,
    /// Reading a file failed (core code `io`).
    CLEANCLAIM_ERR_IO = 7,
    /// Input over a safety limit: size, nesting, count (core code `limit`).
    CLEANCLAIM_ERR_LIMIT = 8,
    /// The core reported an internal error (a bug; core code `internal`).
    CLEANCLAIM_ERR_INTERNAL = 9,
    /// A panic was caught at the C boundary (a bug); the process keeps running.
    CLEANCLAIM_ERR_PANIC = 10,
    /// An index or enum value outside its range.
    CLEANCLAIM_ERR_OUT_OF_RANGE = 11,
    /// The caller's buffer was too small; it holds a truncated, NUL-terminated text.
    CLEANCLAIM_ERR_BUFFER_TOO_SMALL = 12,
    /// X12 input with nothing readable in it (core code `x12`).
    CLEANCLAIM_ERR_X12 = 13,
    /// A core error this library version has no code for; see the last-error text.
    CLEANCLAIM_ERR_OTHER = 14,
}

use cleanclaim_result::*;

impl cleanclaim_result {
    const ALL: [cleanclaim_result; 15] = [
        CLEANCLAIM_OK,
        CLEANCLAIM_ERR_NULL_ARGUMENT,
        CLEANCLAIM_ERR_INVALID_UTF8,
        CLEANCLAIM_ERR_JSON,
        CLEANCLAIM_ERR_INVALID,
        CLEANCLAIM_ERR_CONFIG,
        CLEANCLAIM_ERR_CODESET,
        CLEANCLAIM_ERR_IO,
        CLEANCLAIM_ERR_LIMIT,
        CLEANCLAIM_ERR_INTERNAL,
        CLEANCLAIM_ERR_PANIC,
        CLEANCLAIM_ERR_OUT_OF_RANGE,
        CLEANCLAIM_ERR_BUFFER_TOO_SMALL,
        CLEANCLAIM_ERR_X12,
        CLEANCLAIM_ERR_OTHER,
    ];

    // C may pass any integer back in; converting through this keeps an unknown value from ever
    // becoming an invalid enum in Rust.
    fn from_u32(code: u32) -> Option<cleanclaim_result> {
        Self::ALL.iter().copied().find(|c| *c as u32 == code)
    }

    /// Maps the core's stable `Error::code()` string.
    fn from_core_code(code: &str) -> cleanclaim_result {
        match code {
            "json" => CLEANCLAIM_ERR_JSON,
            "invalid" => CLEANCLAIM_ERR_INVALID,
            "config" => CLEANCLAIM_ERR_CONFIG,
            "codeset" => CLEANCLAIM_ERR_CODESET,
            "io" => CLEANCLAIM_ERR_IO,
            "limit" => CLEANCLAIM_ERR_LIMIT,
            "internal" => CLEANCLAIM_ERR_INTERNAL,
            "x12" => CLEANCLAIM_ERR_X12,
            _ => CLEANCLAIM_ERR_OTHER,
        }
    }

    fn text(self) -> &'static str {
        match self {
            CLEANCLAIM_OK => "success",
            CLEANCLAIM_ERR_NULL_ARGUMENT => "a required pointer argument was NULL",
            CLEANCLAIM_ERR_INVALID_UTF8 => "a string argument was not valid UTF-8",
            CLEANCLAIM_ERR_JSON => "not valid JSON, or JSON that does not fit the claim model",
            CLEANCLAIM_ERR_INVALID => "a value parsed but cannot be used",
            CLEANCLAIM_ERR_CONFIG => "bad engine options",
            CLEANCLAIM_ERR_CODESET => "a code-set or NCCI release file is malformed",
            CLEANCLAIM_ERR_IO => "reading a file failed",
            CLEANCLAIM_ERR_LIMIT => "input over a safety limit",
            CLEANCLAIM_ERR_INTERNAL => "internal error in the cleanclaim engine",
            CLEANCLAIM_ERR_PANIC => "a panic was caught at the C boundary (a bug in cleanclaim)",
            CLEANCLAIM_ERR_OUT_OF_RANGE => "an index or enum value was out of range",
            CLEANCLAIM_ERR_BUFFER_TOO_SMALL => "the buffer was too small; the text was truncated",
            CLEANCLAIM_ERR_X12 => "malformed X12 input",
            CLEANCLAIM_ERR_OTHER => "an error this library version has no code for",
        }
    }
}

/// Why an entry point failed: the code it returns and the detail kept for
/// `cleanclaim_last_error_message`. Details never hold input values (they may be patient data).
#[derive(Debug)]
pub(crate) struct Fail {
    code: cleanclaim_result,
    detail: String,
}

impl Fail {
    pub(crate) fn new(code: cleanclaim_result, detail: impl Into<String>) -> Fail {
        Fail { code, detail: detail.into() }
    }
    pub(crate) fn null(name: &str) -> Fail {
        Fail::new(CLEANCLAIM_ERR_NULL_ARGUMENT, format!("argument `{name}` is NULL"))
    }
    pub(crate) fn utf8(name: &str, valid_up_to: usize) -> Fail {
        Fail::new(
            CLEANCLAIM_ERR_INVALID_UTF8,
            format!("argument `{name}` is not valid UTF-8 (first bad byte at offset {valid_up_to})"),
        )
    }
    pub(crate) fn limit(detail: String) -> Fail {
        Fail::new(CLEANCLAIM_ERR_LIMIT, detail)
    }
    pub(crate) fn out_of_range(detail: String) -> Fail {
        Fail::new(CLEANCLAIM_ERR_OUT_OF_RANGE, detail)
    }
    pub(crate) fn panic() -> Fail {
        Fail::new(CLEANCLAIM_ERR_PANIC, CLEANCLAIM_ERR_PANIC.text())
    }
    /// Names the element of an array argument (`codes[i]` becomes `codes[3]`).
    pub(crate) fn at_index(mut self, i: usize) -> Fail {
        self.detail = self.detail.replace("[i]", &format!("[{i}]"));
        self
    }
    pub(crate) fn detail(self) -> String {
        self.detail
    }
    pub(crate) fn record(self) -> cleanclaim_result {
        let code = self.code;
        set_last_error(self.detail);
        code
    }
}

impl From<cleanclaim::Error> for Fail {
    fn from(e: cleanclaim::Error) -> Fail {
        // The core's Display names line, column and field path but never an input value.
        Fail::new(cleanclaim_result::from_core_code(e.code()), e.to_string())
    }
}

thread_local! {
    // Per thread, like errno: one engine serves many threads, so per-engine state would race.
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

pub(crate) fn set_last_error(detail: String) {
    LAST_ERROR.with(|l| *l.borrow_mut() = detail);
}

/// Copies `text` like `snprintf`: `*written` (when not NULL) gets the full length in bytes
/// without the NUL; a too-small buffer gets a truncated, NUL-terminated prefix cut on a
/// character boundary.
///
/// # Safety
/// `buf` is NULL (only with `len == 0`) or points to `len` writable bytes; `written` is NULL
/// or writable.
unsafe fn copy_out(text: &str, buf: *mut c_char, len: usize, written: *mut usize) -> Result<(), Fail> {
    if buf.is_null() && len > 0 {
        return Err(Fail::null("buf"));
    }
    if !written.is_null() {
        // SAFETY: non-NULL and writable by the caller's promise.
        unsafe { written.write(text.len()) };
    }
    if len == 0 {
        return Err(Fail::new(CLEANCLAIM_ERR_BUFFER_TOO_SMALL, CLEANCLAIM_ERR_BUFFER_TOO_SMALL.text()));
    }
    let mut n = text.len().min(len - 1);
    while !text.is_char_boundary(n) {
        n -= 1;
    }
    // SAFETY: `n + 1 <= len` bytes fit the caller's buffer; source and buffer cannot overlap
    // because `text` is owned by this library.
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), n);
        buf.add(n).write(0);
    }
    if n < text.len() {
        return Err(Fail::new(CLEANCLAIM_ERR_BUFFER_TOO_SMALL, CLEANCLAIM_ERR_BUFFER_TOO_SMALL.text()));
    }
    Ok(())
}

/// Writes the fixed English text for a result code into `buf` (`len` bytes, NUL-terminated).
///
/// `*written` (optional, may be NULL) receives the text's full length without the NUL, as
/// `snprintf` returns it, so `cleanclaim_error_message(code, NULL, 0, &n)` asks for the size.
/// Returns `CLEANCLAIM_OK`, `CLEANCLAIM_ERR_BUFFER_TOO_SMALL` (buffer holds a truncated text),
/// `CLEANCLAIM_ERR_OUT_OF_RANGE` for an unknown code (buffer holds a generic text), or
/// `CLEANCLAIM_ERR_NULL_ARGUMENT` when `buf` is NULL and `len > 0`.
///
/// # Safety
/// `buf` is NULL (only with `len == 0`) or points to `len` writable bytes; `written` is NULL
/// or points to a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_error_message(
    code: u32,
    buf: *mut c_char,
    len: usize,
    written: *mut usize,
) -> cleanclaim_result {
    let known = cleanclaim_result::from_u32(code);
    let text = known.map_or("unknown cleanclaim_result code", cleanclaim_result::text);
    let rc = run(|| unsafe { copy_out(text, buf, len, written) });
    match (rc, known) {
        (CLEANCLAIM_OK, None) => CLEANCLAIM_ERR_OUT_OF_RANGE,
        _ => rc,
    }
}

/// Writes the detail of the most recent failure **on the calling thread** into `buf`, e.g.
/// `3:14: missing field `units` (at lines[1])`: line and column of the JSON, field path,
/// argument name. Empty when no call on this thread has failed yet. It is only meaningful
/// right after a call returned an error: successful calls leave it unchanged. The text never
/// contains values from the input (they may be patient data).
///
/// Buffer, `written` and return values work as for `cleanclaim_error_message`.
///
/// # Safety
/// As for `cleanclaim_error_message`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cleanclaim_last_error_message(
    buf: *mut c_char,
    len: usize,
    written: *mut usize,
) -> cleanclaim_result {
    run(|| {
        // Cloned first: a failure inside copy_out records a new last error.
        let text = LAST_ERROR.with(|l| l.borrow().clone());
        unsafe { copy_out(&text, buf, len, written) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_have_texts() {
        for (i, c) in cleanclaim_result::ALL.iter().enumerate() {
            assert_eq!(*c as u32, i as u32, "codes are dense and in order");
            assert_eq!(cleanclaim_result::from_u32(i as u32), Some(*c));
            assert!(!c.text().is_empty());
        }
        assert_eq!(cleanclaim_result::from_u32(9999), None);
    }

    #[test]
    fn every_core_code_has_its_own_result() {
        for code in ["json", "invalid", "config", "codeset", "io", "limit", "internal"] {
            assert_ne!(cleanclaim_result::from_core_code(code), CLEANCLAIM_ERR_OTHER);
        }
    }

    #[test]
    fn truncation_keeps_utf8_and_reports_full_length() {
        let mut buf = [0x55 as c_char; 4];
        let mut n = 0usize;
        let e = unsafe { copy_out("aé€", buf.as_mut_ptr(), buf.len(), &mut n) }.unwrap_err();
        assert_eq!(e.code, CLEANCLAIM_ERR_BUFFER_TOO_SMALL);
        assert_eq!(n, 6);
        // "a" + "é" is 3 bytes and fits with the NUL; "€" would not.
        assert_eq!(buf.map(|b| b as u8), [b'a', 0xC3, 0xA9, 0]);
    }
}
