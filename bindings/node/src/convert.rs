//! JS values <-> core types.

use std::collections::HashMap;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use cleanclaim::codes::CodeKey;

use crate::errors::{Failure, Res};

/// How bad a finding is.
#[napi(string_enum = "lowercase")]
#[derive(Debug)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl From<cleanclaim::Severity> for Severity {
    fn from(s: cleanclaim::Severity) -> Severity {
        match s {
            cleanclaim::Severity::Error => Severity::Error,
            cleanclaim::Severity::Warning => Severity::Warning,
            cleanclaim::Severity::Info => Severity::Info,
        }
    }
}

/// One problem found on a claim.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug)]
pub struct Finding {
    /// Stable rule id, e.g. `line.pointer_invalid`.
    pub rule: String,
    /// Severity after option overrides.
    pub severity: Severity,
    /// Field path, e.g. `lines[2].pointers[0]` (0-based indices).
    pub path: String,
    /// What is wrong and how to fix it. Never contains patient data.
    pub message: String,
    /// 1-based service line number, or null when the finding is not about a line.
    pub line: Option<u32>,
}

/// The result of checking one claim (the report JSON model).
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug)]
pub struct Report {
    /// The claim id (CLM01).
    #[napi(js_name = "claim_id")]
    pub claim_id: Option<String>,
    /// True when no finding has severity `error`.
    pub ok: bool,
    /// Findings in rule-catalogue order.
    pub findings: Vec<Finding>,
}

impl From<cleanclaim::Report> for Report {
    fn from(r: cleanclaim::Report) -> Report {
        Report {
            claim_id: r.claim_id.map(Into::into),
            ok: r.ok,
            findings: r
                .findings
                .into_iter()
                .map(|f| Finding {
                    rule: f.rule,
                    severity: f.severity.into(),
                    path: f.path,
                    message: f.message,
                    line: f.line,
                })
                .collect(),
        }
    }
}

/// Options for `new Engine(options)`.
#[napi(object, object_to_js = false)]
#[derive(Debug)]
pub struct EngineOptions {
    /// "Today" as `YYYY-MM-DD`, for reproducible dates-in-the-future checks.
    pub as_of: Option<String>,
    /// Rule ids to turn off.
    pub disable: Option<Vec<String>>,
    /// Rule ids that are off by default to turn on.
    pub enable: Option<Vec<String>>,
    /// Severity overrides by rule id.
    #[napi(ts_type = "Record<string, Severity>")]
    pub severity: Option<HashMap<String, String>>,
    /// A built-in profile name (`medicare-professional`, `medicare-institutional`,
    /// `commercial-default`) or the path of a `.toml` / `.json` profile file. `enable`,
    /// `disable` and `severity` override what the profile says.
    pub profile: Option<String>,
    /// A folder of CMS NCCI tables (PTP, MUE and add-on code files) to check against instead
    /// of the embedded sample. A folder without any table throws `CLEANCLAIM_CONFIG`.
    #[napi(js_name = "ncciDir")]
    pub ncci_dir: Option<String>,
    /// Code-set release files loaded on top of the embedded code sets, in order, each
    /// `KIND:PATH@YYYY-MM-DD`; kinds `icd10cm-order`, `icd10cm-tabular`, `icd10cm-mce`,
    /// `icd10pcs-order`, `icd10pcs-mce`, `hcpcs`, `cpt` (the date is optional for `cpt`).
    pub releases: Option<Vec<String>>,
}

fn is_nullish(v: &Unknown) -> Res<bool> {
    let t = v.get_type().map_err(|_| Failure::config("options: unreadable value"))?;
    Ok(matches!(t, ValueType::Undefined | ValueType::Null))
}

pub fn options_to_engine(options: Option<Unknown>) -> Res<cleanclaim::Engine> {
    let mut b = cleanclaim::Engine::builder();
    let Some(options) = options else {
        return Ok(b.build()?);
    };
    if is_nullish(&options)? {
        return Ok(b.build()?);
    }
    let o = unsafe { EngineOptions::from_napi_value(options.env(), options.raw()) }
        .map_err(|e| Failure::config(format!("options: {}", e.reason)))?;
    // First, so that the explicit options below override the profile's choices.
    if let Some(p) = o.profile {
        b = b.profile(cleanclaim::Profile::load(&p)?);
    }
    if let Some(d) = o.as_of {
        let date = cleanclaim::Date::parse(&d).map_err(|e| Failure::config(format!("asOf: {e}")))?;
        b = b.as_of(date);
    }
    for id in o.enable.iter().flatten() {
        b = b.enable(id);
    }
    for id in o.disable.iter().flatten() {
        b = b.disable(id);
    }
    for (id, s) in o.severity.iter().flatten() {
        let s = cleanclaim::Severity::parse(s).ok_or_else(|| {
            Failure::config(format!("severity for `{id}`: expected \"error\", \"warning\" or \"info\""))
        })?;
        b = b.severity(id, s);
    }
    if let Some(dir) = o.ncci_dir {
        b = b.ncci(cleanclaim::ncci::Ncci::load_dir(dir)?);
    }
    for spec in o.releases.iter().flatten() {
        b = b.release(cleanclaim::ReleaseFile::parse(spec)?);
    }
    Ok(b.build()?)
}

/// The claim's JSON text: a string as given, anything else through `JSON.stringify`, so the
/// core reads objects exactly as it reads files (same field names, same error messages).
pub fn claim_text(env: &Env, claim: Unknown) -> Res<String> {
    let t = claim.get_type().map_err(|_| Failure::invalid("claim", "unreadable value"))?;
    match t {
        ValueType::String => unsafe { String::from_napi_value(env.raw(), claim.raw()) }
            .map_err(|_| Failure::invalid("claim", "unreadable string")),
        ValueType::Undefined | ValueType::Function | ValueType::Symbol => {
            Err(Failure::invalid("claim", "expected a claim object or its JSON text"))
        }
        _ => {
            let json: napi::JSON = env
                .get_global()
                .and_then(|g| g.get_named_property_unchecked("JSON"))
                .map_err(|_| Failure::invalid("claim", "JSON is not available"))?;
            // The JS exception text is dropped: it can name a value (e.g. a BigInt).
            json.stringify(claim).map_err(|_| {
                Failure::invalid("claim", "cannot be written as JSON (a BigInt, a cycle or a throwing toJSON)")
            })
        }
    }
}

/// The array argument `name`; `message` says what it must be when it is not an array.
fn array_arg<'e>(env: &Env, value: &Unknown<'e>, name: &str, message: &str) -> Res<Array<'e>> {
    let not_array = || Failure::invalid(name, message);
    if !value.is_array().map_err(|_| not_array())? {
        return Err(not_array());
    }
    // SAFETY: `value` is a live JS array of this call (checked just above).
    unsafe { Array::from_napi_value(env.raw(), value.raw()) }.map_err(|_| not_array())
}

/// Each element's JSON text; the argument must be an array.
pub fn claim_texts(env: &Env, claims: Unknown) -> Res<Vec<String>> {
    let arr = array_arg(env, &claims, "claims", "expected an array of claims")?;
    let mut out = Vec::with_capacity(arr.len() as usize);
    for i in 0..arr.len() {
        let item: Unknown = arr
            .get(i)
            .ok()
            .flatten()
            .ok_or_else(|| Failure::invalid("claims", "unreadable element").at_index(i as usize))?;
        out.push(claim_text(env, item).map_err(|e| e.at_index(i as usize))?);
    }
    Ok(out)
}

/// Each string of `codes` (a JS array) keyed as the core's batch look-up takes it, with no
/// `String` made per code: napi-rs's `Vec<String>` asked V8 for each string's length, then for
/// its text, and allocated it (three N-API calls and an allocation a code; a million codes read
/// at ~4.8 M/s). A handle scope per [`SCOPE`] elements keeps the handles of a long array from
/// piling up in the call's scope.
pub fn code_keys(env: &Env, codes: Unknown) -> Res<Vec<CodeKey>> {
    let arr = array_arg(env, &codes, "codes", "expected an array of strings")?;
    let mut out = Vec::with_capacity(arr.len() as usize);
    let mut at = 0;
    while at < arr.len() {
        let end = arr.len().min(at.saturating_add(SCOPE));
        in_scope(env, || {
            for i in at..end {
                let not_str = || Failure::invalid("codes", "expected a string").at_index_of("codes", i as usize);
                let mut item = std::ptr::null_mut();
                // SAFETY: `codes` is an array (checked above) of this call's scope; `i` is
                // under its length, and an index past a sparse array's holes gives `undefined`.
                let got = unsafe { sys::napi_get_element(env.raw(), codes.raw(), i, &mut item) };
                if got != sys::Status::napi_ok {
                    return Err(not_str());
                }
                out.push(with_str(env, item, CodeKey::of).ok_or_else(not_str)?);
            }
            Ok(())
        })?;
        at = end;
    }
    Ok(out)
}

/// Array elements read in one handle scope by [`code_keys`].
const SCOPE: u32 = 4096;

/// `f` inside a handle scope of its own: the handles it makes are freed when it returns.
fn in_scope<T>(env: &Env, f: impl FnOnce() -> Res<T>) -> Res<T> {
    let mut scope = std::ptr::null_mut();
    // SAFETY: opened and closed on this thread, around handles made only inside `f`, none of
    // which outlives it (`f` returns Rust values).
    if unsafe { sys::napi_open_handle_scope(env.raw(), &mut scope) } != sys::Status::napi_ok {
        return f();
    }
    let out = f();
    unsafe { sys::napi_close_handle_scope(env.raw(), scope) };
    out
}

/// `f` of the text of `value`, a JS string, copied into a buffer on the stack when it fits
/// (every code does): `None` when `value` is not a string.
pub fn with_str<T>(env: &Env, value: sys::napi_value, f: impl FnOnce(&str) -> T) -> Option<T> {
    let mut buf = [0u8; 64];
    let mut len = 0;
    // SAFETY: `buf` has room for `buf.len()` bytes, NUL included; V8 writes whole UTF-8
    // characters only (lone surrogates replaced), never more than fit.
    let got =
        unsafe { sys::napi_get_value_string_utf8(env.raw(), value, buf.as_mut_ptr().cast(), buf.len(), &mut len) };
    if got != sys::Status::napi_ok {
        return None;
    }
    // A character that did not fit is left out whole, so the text is complete only when there
    // was room left for the longest one (4 bytes) besides the NUL.
    if len + 4 < buf.len() - 1 {
        return std::str::from_utf8(&buf[..len]).ok().map(f);
    }
    // SAFETY: `value` is a live string of this call's scope (read just above).
    let text = unsafe { String::from_napi_value(env.raw(), value) }.ok()?;
    Some(f(&text))
}

/// `values` as a JS array of booleans, each element set to one of two handles made once: the
/// `Vec<bool>` conversion asked N-API for a new boolean per element.
pub fn bool_array<'e>(env: &'e Env, values: &[bool]) -> Res<Unknown<'e>> {
    let failed = || Failure::from(cleanclaim::Error::Internal("building the answers' array".into()));
    let ok = |status| if status == sys::Status::napi_ok { Ok(()) } else { Err(failed()) };
    let (mut arr, mut yes, mut no) = (std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut());
    // SAFETY: plain N-API calls on this thread's env; every handle they make belongs to this
    // call's scope and is returned in it.
    unsafe {
        ok(sys::napi_create_array_with_length(env.raw(), values.len(), &mut arr))?;
        ok(sys::napi_get_boolean(env.raw(), true, &mut yes))?;
        ok(sys::napi_get_boolean(env.raw(), false, &mut no))?;
        for (i, &v) in values.iter().enumerate() {
            let i = u32::try_from(i).map_err(|_| failed())?;
            ok(sys::napi_set_element(env.raw(), arr, i, if v { yes } else { no }))?;
        }
        Ok(Unknown::from_raw_unchecked(env.raw(), arr))
    }
}

/// The bytes of a `Buffer` / `Uint8Array` argument, borrowed from JS.
pub fn bytes_arg<'e>(env: &'e Env, data: Unknown<'e>) -> Res<Uint8ArraySlice<'e>> {
    unsafe { Uint8ArraySlice::from_napi_value(env.raw(), data.raw()) }
        .map_err(|_| Failure::invalid("data", "expected a Buffer or Uint8Array"))
}

/// A date argument; a bad one is the caller's mistake, named by the argument.
pub fn parse_date(arg: &str, text: &str) -> Res<cleanclaim::Date> {
    cleanclaim::Date::parse(text).map_err(|e| Failure::invalid(arg, &e.to_string()))
}

/// A core value as JS, with the same names and shapes as its JSON.
pub fn to_js<'e, T: serde::Serialize>(env: &'e Env, value: &T) -> Res<Unknown<'e>> {
    env.to_js_value(value).map_err(|e| cleanclaim::Error::Internal(format!("converting to JS: {}", e.reason)).into())
}
