//! Node binding for cleanclaim (npm package `cleanclaim`): converts JS values to the core's
//! types and core errors to JS errors, nothing more.
//!
//! Naming: the claim and the report are the shared JSON model and keep its snake_case names
//! (`claim_id`, `total_charge`), so `JSON.stringify(report)` is the report JSON every other
//! front end writes; the JS API itself (methods, engine options) is camelCase.

mod convert;
mod errors;
mod tasks;

// Claims are many small strings: mimalloc allocates and frees them ~25 % faster than glibc's
// malloc on the parse and check paths (benches/compare, docs/performance.md). Only this
// library's own Rust allocations use it; the host's allocator is untouched.
#[global_allocator]
static GLOBAL: cleanclaim_alloc::MiMalloc = cleanclaim_alloc::MiMalloc;

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::convert::{
    Report, bool_array, bytes_arg, claim_text, claim_texts, code_keys, options_to_engine, parse_date, to_js, with_str,
};
use crate::errors::{Failure, Res, guard, guard_js};
use crate::tasks::{CheckMany, CheckOne, PanicTask};

/// A configured rule set. Immutable: one engine serves any number of concurrent checks.
#[napi]
#[derive(Debug)]
pub struct Engine {
    inner: Arc<cleanclaim::Engine>,
}

#[napi]
impl Engine {
    /// Builds an engine; unknown rule ids or profiles, bad severities or a bad `asOf` throw
    /// `CLEANCLAIM_CONFIG`, an unreadable profile file `CLEANCLAIM_IO`.
    #[napi(constructor, ts_args_type = "options?: EngineOptions | null")]
    pub fn new(env: Env, options: Option<Unknown>) -> Result<Engine> {
        guard_js(&env, || Ok(Engine { inner: Arc::new(options_to_engine(options)?) }))
    }

    /// Checks one claim (an object in the claim JSON model, or its JSON text).
    #[napi(ts_args_type = "claim: Claim | string")]
    pub fn check(&self, env: Env, claim: Unknown) -> Result<Report> {
        guard_js(&env, || {
            let claim = cleanclaim::parse_claim(&claim_text(&env, claim)?)?;
            Ok(Report::from(self.inner.check(&claim)))
        })
    }

    /// Checks claims on every core; reports come back in input order. A claim that cannot be
    /// read throws, with `index` set to its position.
    #[napi(ts_args_type = "claims: Array<Claim | string>")]
    pub fn check_many(&self, env: Env, claims: Unknown) -> Result<Vec<Report>> {
        guard_js(&env, || {
            let claims = tasks::parse_many(claim_texts(&env, claims)?)?;
            Ok(self.inner.check_many(&claims).into_iter().map(Report::from).collect())
        })
    }

    /// Parses JSON text holding one claim, an array of claims or JSON lines, and checks every
    /// claim.
    #[napi]
    pub fn check_json(&self, env: Env, text: String) -> Result<Vec<Report>> {
        guard_js(&env, || Ok(self.inner.check_json(&text)?.into_iter().map(Report::from).collect()))
    }

    /// Reads an X12 837 (5010 837P or 837I; a `Buffer` or `Uint8Array`) and checks every claim
    /// in it; reports in file order. A transaction set the reader rejects becomes a report with
    /// `claim_id` null and an `x12.structure` finding; interchange findings (control numbers,
    /// counts) come last in a report with no claim id. Input with nothing readable in it (not
    /// X12, an unsupported version such as 4010) throws `CLEANCLAIM_X12` or `CLEANCLAIM_LIMIT`.
    #[napi(js_name = "checkX12", ts_args_type = "data: Uint8Array")]
    pub fn check_x12(&self, env: Env, data: Unknown) -> Result<Vec<Report>> {
        guard_js(&env, || {
            let bytes = bytes_arg(&env, data)?;
            Ok(cleanclaim_x12::check_837(&self.inner, &bytes, None)?.into_iter().map(Report::from).collect())
        })
    }

    /// `checkX12` on the libuv thread pool (the bytes are copied first). Never throws:
    /// unusable input rejects.
    #[napi(js_name = "checkX12Async", ts_args_type = "data: Uint8Array", ts_return_type = "Promise<Array<Report>>")]
    pub fn check_x12_async(&self, env: Env, data: Unknown) -> AsyncTask<CheckMany> {
        let input = guard(|| Ok(bytes_arg(&env, data)?.to_vec()));
        AsyncTask::new(CheckMany::x12(self.inner.clone(), input))
    }

    /// Checks every claim of the file at `path`, in any format cleanclaim reads, told from its
    /// content: claim JSON (one claim, an array or JSON lines), an X12 837P/837I, or a FHIR R4
    /// Claim or Bundle; reports in file order. Runs on the libuv thread pool and reads JSON
    /// lines and 837s as it checks them, so the file is never held whole. Never throws: a
    /// missing file rejects with `CLEANCLAIM_IO`, an 835 or an acknowledgment with
    /// `CLEANCLAIM_X12` saying what the file is.
    #[napi(ts_return_type = "Promise<Array<Report>>")]
    pub fn check_file(&self, path: String) -> AsyncTask<CheckMany> {
        AsyncTask::new(CheckMany::file(self.inner.clone(), path))
    }

    /// `check` on the libuv thread pool. Never throws: unusable input rejects.
    #[napi(ts_args_type = "claim: Claim | string", ts_return_type = "Promise<Report>")]
    pub fn check_async(&self, env: Env, claim: Unknown) -> AsyncTask<CheckOne> {
        let input = guard(|| claim_text(&env, claim));
        AsyncTask::new(CheckOne::new(self.inner.clone(), input))
    }

    /// `checkMany` on the libuv thread pool. Never throws: unusable input rejects.
    #[napi(ts_args_type = "claims: Array<Claim | string>", ts_return_type = "Promise<Array<Report>>")]
    pub fn check_many_async(&self, env: Env, claims: Unknown) -> AsyncTask<CheckMany> {
        let input = guard(|| claim_texts(&env, claims));
        AsyncTask::new(CheckMany::claims(self.inner.clone(), input))
    }

    /// Everything known about a code (ICD-10-CM, ICD-10-PCS, HCPCS, modifier, or CPT shape),
    /// valid on `date` (`YYYY-MM-DD`) or on any date when absent; null for an unknown code.
    #[napi(ts_args_type = "code: string, date?: string | null", ts_return_type = "CodeLookup | null")]
    pub fn lookup<'e>(&self, env: &'e Env, code: String, date: Option<String>) -> Result<Unknown<'e>> {
        guard_js(env, || {
            let date = date.as_deref().map(|d| parse_date("date", d)).transpose()?;
            to_js(env, &self.inner.lookup(&code, date))
        })
    }

    /// Ranked ICD-10-CM search over descriptions and inclusion terms, best first.
    #[napi(ts_args_type = "words: string, limit?: number | null", ts_return_type = "Array<SearchResult>")]
    pub fn search<'e>(&self, env: &'e Env, words: String, limit: Option<u32>) -> Result<Unknown<'e>> {
        // The CLI's default, so both answer alike.
        const DEFAULT_LIMIT: u32 = 10;
        guard_js(env, || to_js(env, &self.inner.search(&words, limit.unwrap_or(DEFAULT_LIMIT) as usize)))
    }

    /// Whether each ICD-10-CM code is valid (billable) on `date`, in input order.
    #[napi(
        js_name = "icd10cmValidity",
        ts_args_type = "codes: Array<string>, date: string",
        ts_return_type = "Array<boolean>"
    )]
    pub fn icd10cm_validity<'e>(&self, env: &'e Env, codes: Unknown, date: String) -> Result<Unknown<'e>> {
        guard_js(env, || {
            let date = parse_date("date", &date)?;
            bool_array(env, &self.inner.icd10cm_validity_of_keys(&code_keys(env, codes)?, date))
        })
    }

    /// Whether one ICD-10-CM code is valid (billable) on `date`: `icd10cmValidity` of one
    /// code, without the arrays.
    #[napi(js_name = "icd10cmValid", ts_args_type = "code: string, date: string")]
    pub fn icd10cm_valid(&self, env: Env, code: Unknown, date: Unknown) -> Result<bool> {
        guard_js(&env, || {
            // Both read from buffers on the stack: a `String` each cost ~10 % of a call.
            let date = with_str(&env, date.raw(), |d| parse_date("date", d))
                .unwrap_or_else(|| Err(Failure::invalid("date", "expected a string")))?;
            with_str(&env, code.raw(), |code| self.inner.icd10cm_valid(code, date))
                .ok_or_else(|| Failure::invalid("code", "expected a string"))
        })
    }

    /// `checkJson` on the libuv thread pool. Never throws: unusable input rejects.
    #[napi(ts_return_type = "Promise<Array<Report>>")]
    pub fn check_json_async(&self, text: String) -> AsyncTask<CheckMany> {
        AsyncTask::new(CheckMany::json(self.inner.clone(), text))
    }
}

/// The version of the cleanclaim core this binding was built with.
#[napi]
pub fn version() -> &'static str {
    cleanclaim::VERSION
}

/// Test hook: panics inside the same guard every export uses, to prove a panic becomes a
/// `CLEANCLAIM_INTERNAL` error instead of aborting Node. Not part of the typed API.
#[napi(js_name = "__panicForTests", skip_typescript)]
pub fn panic_for_tests(env: Env) -> Result<()> {
    guard_js(&env, || -> Res<()> { panic!("deliberate panic for tests") })
}

/// Test hook: the same as `__panicForTests`, inside an async task's `compute`.
#[napi(js_name = "__panicForTestsAsync", skip_typescript)]
pub fn panic_for_tests_async() -> AsyncTask<PanicTask> {
    AsyncTask::new(PanicTask)
}
