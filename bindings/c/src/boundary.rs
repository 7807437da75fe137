//! The panic boundary and the pointer checks every entry point shares.
//!
//! A panic must never unwind into C (since Rust 1.81 it would abort the host process), so every
//! `extern "C"` body runs inside [`catch_unwind`](std::panic::catch_unwind): fallible functions
//! then return `CLEANCLAIM_ERR_PANIC`, value getters their documented NULL default.

use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::result::{Fail, cleanclaim_result, set_last_error};

/// Silences panic messages: the default hook prints them to the host's stderr, and a message
/// may quote input (patient data). This library carries its own Rust runtime, so the hook is
/// this library's only; the panic still becomes `CLEANCLAIM_ERR_PANIC`.
fn quiet_panics() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| std::panic::set_hook(Box::new(|_| {})));
}

/// Runs a fallible entry point: `Ok` becomes `CLEANCLAIM_OK`, a failure its code (and the
/// thread's last-error text), a panic `CLEANCLAIM_ERR_PANIC`.
pub(crate) fn run(f: impl FnOnce() -> Result<(), Fail>) -> cleanclaim_result {
    quiet_panics();
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => cleanclaim_result::CLEANCLAIM_OK,
        Ok(Err(fail)) => fail.record(),
        Err(_) => Fail::panic().record(),
    }
}

/// Runs an infallible entry point (a getter or a `_free`), falling back to `default` on a panic.
pub(crate) fn run_or<T>(default: T, f: impl FnOnce() -> T) -> T {
    quiet_panics();
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        set_last_error(Fail::panic().detail());
        default
    })
}

/// A shared reference from a handle pointer; NULL is `CLEANCLAIM_ERR_NULL_ARGUMENT`.
///
/// # Safety
/// `ptr` is NULL or a live handle of type `T` that nothing mutates meanwhile.
pub(crate) unsafe fn arg_ref<'a, T>(ptr: *const T, name: &'static str) -> Result<&'a T, Fail> {
    // SAFETY: the caller promises a live, unaliased-for-writes handle when non-NULL.
    unsafe { ptr.as_ref() }.ok_or(Fail::null(name))
}

/// A unique reference from a handle pointer; NULL is `CLEANCLAIM_ERR_NULL_ARGUMENT`.
///
/// # Safety
/// `ptr` is NULL or a live handle of type `T` that no other thread uses meanwhile.
pub(crate) unsafe fn arg_mut<'a, T>(ptr: *mut T, name: &'static str) -> Result<&'a mut T, Fail> {
    // SAFETY: as above, and the caller promises exclusive use for the call.
    unsafe { ptr.as_mut() }.ok_or(Fail::null(name))
}

/// Checks an out-parameter before any work is done, so a NULL one fails without side effects.
pub(crate) fn out_arg<T>(ptr: *mut T, name: &'static str) -> Result<*mut T, Fail> {
    if ptr.is_null() { Err(Fail::null(name)) } else { Ok(ptr) }
}

/// A checked out-parameter that receives an object the caller owns and frees with the
/// matching `cleanclaim_*_free` (which takes it back with `Box::from_raw`).
pub(crate) struct OutBox<T>(*mut *mut T);

impl<T> OutBox<T> {
    /// Checks the out-parameter before any work is done, as [`out_arg`] does.
    pub(crate) fn new(ptr: *mut *mut T, name: &'static str) -> Result<Self, Fail> {
        out_arg(ptr, name).map(OutBox)
    }

    /// Hands `value` to the caller.
    pub(crate) fn put(self, value: T) {
        // SAFETY: checked non-NULL in `new`; writable by the caller's promise.
        unsafe { self.0.write(Box::into_raw(Box::new(value))) }
    }
}

/// A `(ptr, len)` UTF-8 string argument. NULL is an error even with `len == 0`.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable bytes that stay unchanged during the call.
pub(crate) unsafe fn arg_str<'a>(ptr: *const c_char, len: usize, name: &'static str) -> Result<&'a str, Fail> {
    // SAFETY: the caller's promise is `arg_bytes`'s.
    let bytes = unsafe { arg_bytes(ptr.cast::<u8>(), len, name) }?;
    std::str::from_utf8(bytes).map_err(|e| Fail::utf8(name, e.valid_up_to()))
}

/// A `(ptr, len)` byte-string argument. NULL is an error even with `len == 0`.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable bytes that stay unchanged during the call.
pub(crate) unsafe fn arg_bytes<'a>(ptr: *const u8, len: usize, name: &'static str) -> Result<&'a [u8], Fail> {
    if ptr.is_null() {
        return Err(Fail::null(name));
    }
    if len > isize::MAX as usize {
        return Err(Fail::limit(format!("`{name}` is longer than isize::MAX bytes")));
    }
    // SAFETY: non-NULL, length within isize::MAX, readability promised by the caller.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_err_panic_or_the_default() {
        assert_eq!(run(|| panic!("a bug")), cleanclaim_result::CLEANCLAIM_ERR_PANIC);
        assert_eq!(run_or(7, || panic!("a bug")), 7);
        assert_eq!(run(|| Ok(())), cleanclaim_result::CLEANCLAIM_OK);
    }

    #[test]
    fn null_and_bad_utf8_arguments_fail_before_any_work() {
        let e = unsafe { arg_str(std::ptr::null(), 0, "ptr") }.unwrap_err();
        assert_eq!(e.record(), cleanclaim_result::CLEANCLAIM_ERR_NULL_ARGUMENT);
        let bad = [b'a', 0xff];
        let e = unsafe { arg_str(bad.as_ptr().cast(), 2, "ptr") }.unwrap_err();
        assert_eq!(e.record(), cleanclaim_result::CLEANCLAIM_ERR_INVALID_UTF8);
        assert!(out_arg(std::ptr::null_mut::<u8>(), "out").is_err());
    }
}
