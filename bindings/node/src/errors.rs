//! Core errors and caught panics become JS `Error`s with a stable `code`
//! (`CLEANCLAIM_` + the upper-cased `cleanclaim::Error::code()`).
//!
//! Messages come from the core, which never puts input values in them; the binding adds only
//! positions and field paths.

use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, Once};

use napi::bindgen_prelude::*;

/// Results inside the binding carry a [`Failure`], not napi's status-only error.
pub type Res<T> = std::result::Result<T, Failure>;

/// A failure on its way to JS: built anywhere (also on a libuv thread), thrown on the JS thread.
#[derive(Debug)]
pub struct Failure {
    code: String,
    message: String,
    line: Option<u32>,
    column: Option<u32>,
    path: Option<String>,
    index: Option<u32>,
}

impl From<cleanclaim::Error> for Failure {
    fn from(e: cleanclaim::Error) -> Failure {
        let (line, column, path) = match &e {
            cleanclaim::Error::Json { line, column, path, .. } => {
                (u32::try_from(*line).ok(), u32::try_from(*column).ok(), path.clone())
            }
            cleanclaim::Error::Invalid { path, .. } => (None, None, Some(path.clone())),
            _ => (None, None, None),
        };
        Failure {
            code: format!("CLEANCLAIM_{}", e.code().to_ascii_uppercase()),
            message: e.to_string(),
            line,
            column,
            path,
            index: None,
        }
    }
}

impl Failure {
    /// Bad engine options: the core's `config` error.
    pub fn config(message: impl Into<String>) -> Failure {
        cleanclaim::Error::Config(message.into()).into()
    }

    /// An argument that is not what the API takes (not an array, not a claim at all).
    pub fn invalid(path: &str, message: &str) -> Failure {
        cleanclaim::Error::Invalid { path: path.to_owned(), message: message.to_owned() }.into()
    }

    /// Marks the failure as belonging to element `i` of a batch of claims.
    pub fn at_index(self, i: usize) -> Failure {
        self.at_index_of("claims", i)
    }

    /// Marks the failure as belonging to element `i` of the array argument `what`.
    pub fn at_index_of(mut self, what: &str, i: usize) -> Failure {
        self.message = format!("{what}[{i}]: {}", self.message);
        self.index = u32::try_from(i).ok();
        self
    }

    /// Builds the JS error object and wraps it so napi throws (or rejects with) exactly it.
    pub fn into_napi(self, env: &Env) -> napi::Error {
        match self.to_js(env) {
            Ok(obj) => napi::Error::from(obj.to_unknown()),
            // Only when the environment is shutting down; keep the code in the status.
            Err(_) => napi::Error::new(Status::GenericFailure, format!("{}: {}", self.code, self.message)),
        }
    }

    fn to_js<'e>(&self, env: &'e Env) -> napi::Result<Object<'e>> {
        let err = JsError::from(napi::Error::new(self.code.as_str(), &self.message));
        let mut obj: Object<'e> = unsafe { err.into_unknown(*env).cast()? };
        if let Some(v) = self.line {
            obj.set_named_property("line", v)?;
        }
        if let Some(v) = self.column {
            obj.set_named_property("column", v)?;
        }
        if let Some(v) = &self.path {
            obj.set_named_property("path", v.as_str())?;
        }
        if let Some(v) = self.index {
            obj.set_named_property("index", v)?;
        }
        Ok(obj)
    }
}

// Where the last caught panic happened. The panic message is never shown: it may quote input.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);
static HOOK: Once = Once::new();

fn install_hook() {
    HOOK.call_once(|| {
        // This replaces the hook of this addon's own Rust runtime only, not the process's.
        // Staying silent keeps panic text (which may quote input) out of stderr.
        panic::set_hook(Box::new(|info| {
            let at = info.location().map(|l| format!("{}:{}", l.file(), l.line()));
            if let Ok(mut last) = LAST_PANIC.lock() {
                *last = at;
            }
        }));
    });
}

/// Runs `f`, turning a panic into a `CLEANCLAIM_INTERNAL` failure so Node never aborts.
pub fn guard<T>(f: impl FnOnce() -> Res<T>) -> Res<T> {
    install_hook();
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => {
            let at = LAST_PANIC.lock().ok().and_then(|mut l| l.take());
            let msg = match at {
                Some(at) => format!("panic at {at} (a bug in cleanclaim; the input was not checked)"),
                None => "panic (a bug in cleanclaim; the input was not checked)".to_owned(),
            };
            Err(cleanclaim::Error::Internal(msg).into())
        }
    }
}

/// [`guard`] for an exported function that runs on the JS thread.
pub fn guard_js<T>(env: &Env, f: impl FnOnce() -> Res<T>) -> napi::Result<T> {
    guard(f).map_err(|e| e.into_napi(env))
}
