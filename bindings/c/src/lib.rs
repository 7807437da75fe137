//! The cleanclaim C API: `libcleanclaim.so` / `libcleanclaim.a` with `include/cleanclaim.h`.
//!
//! This crate converts between C and the core (`cleanclaim`) and maps errors to result codes;
//! every rule lives in the core. Conventions (ownership, NULL, panics, threads, strings) are
//! in `bindings/c/README.md`, section "C API", and in the header's comments.

// C names (`cleanclaim_engine`, `CLEANCLAIM_OK`) are the API; cbindgen copies them verbatim.
#![allow(non_camel_case_types)]

mod boundary;
mod engine;
mod report;
mod result;

pub use engine::*;
pub use report::*;
pub use result::*;

use std::ffi::c_char;

/// The library version, `"MAJOR.MINOR.PATCH"`, NUL-terminated and static (never free it).
/// Equals `CLEANCLAIM_VERSION_STRING` from the header the program was compiled with unless
/// the program runs against a different library than it was built with.
#[unsafe(no_mangle)]
pub extern "C" fn cleanclaim_version() -> *const c_char {
    // The C crate and the core share the workspace version; the core's is the one that matters.
    const V: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    V.as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    #[test]
    fn version_is_cargos_and_the_cores() {
        let v = unsafe { CStr::from_ptr(super::cleanclaim_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
        assert_eq!(v.to_str().unwrap(), cleanclaim::VERSION);
    }
}
