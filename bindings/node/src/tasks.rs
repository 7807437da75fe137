//! Async variants: parsing and checking run in `compute` on the libuv thread pool, so the
//! event loop only converts the JS input and the reports.

use std::sync::Arc;

use napi::bindgen_prelude::*;

use crate::convert::Report;
use crate::errors::{Failure, Res, guard};

pub fn parse_many(texts: Vec<String>) -> Res<Vec<cleanclaim::Claim>> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| cleanclaim::parse_claim(t).map_err(|e| Failure::from(e).at_index(i)))
        .collect()
}

/// Hands the computed value (converted by `convert`, also inside the panic guard) or the
/// failure to JS.
fn settle<T, U>(env: &Env, out: &mut Option<Res<T>>, convert: impl FnOnce(T) -> U) -> napi::Result<U> {
    guard(|| match out.take() {
        Some(r) => r.map(convert),
        None => Err(cleanclaim::Error::Internal("async task settled twice".to_owned()).into()),
    })
    .map_err(|f| f.into_napi(env))
}

/// One claim.
pub struct CheckOne {
    engine: Arc<cleanclaim::Engine>,
    input: Option<Res<String>>,
}

impl CheckOne {
    pub fn new(engine: Arc<cleanclaim::Engine>, input: Res<String>) -> CheckOne {
        CheckOne { engine, input: Some(input) }
    }
}

// Inputs are claims (patient data): Debug names the task only.
impl std::fmt::Debug for CheckOne {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CheckOne")
    }
}

impl std::fmt::Debug for CheckMany {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CheckMany")
    }
}

impl Task for CheckOne {
    // The failure is carried as a value: `compute` may only return napi's status errors, which
    // would lose the code.
    type Output = Option<Res<cleanclaim::Report>>;
    type JsValue = Report;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let input = self.input.take();
        let engine = &self.engine;
        Ok(Some(guard(|| {
            let text =
                input.ok_or_else(|| Failure::from(cleanclaim::Error::Internal("task ran twice".to_owned())))??;
            Ok(engine.check(&cleanclaim::parse_claim(&text)?))
        })))
    }

    fn resolve(&mut self, env: Env, mut output: Self::Output) -> napi::Result<Report> {
        settle(&env, &mut output, Report::from)
    }
}

enum ManyInput {
    Claims(Res<Vec<String>>),
    Json(String),
    X12(Res<Vec<u8>>),
    /// A file's path.
    File(String),
}

/// An array of claims, JSON text with any number of claims, or an X12 837.
pub struct CheckMany {
    engine: Arc<cleanclaim::Engine>,
    input: Option<ManyInput>,
}

impl CheckMany {
    pub fn claims(engine: Arc<cleanclaim::Engine>, input: Res<Vec<String>>) -> Self {
        CheckMany { engine, input: Some(ManyInput::Claims(input)) }
    }

    pub fn json(engine: Arc<cleanclaim::Engine>, text: String) -> Self {
        CheckMany { engine, input: Some(ManyInput::Json(text)) }
    }

    pub fn x12(engine: Arc<cleanclaim::Engine>, bytes: Res<Vec<u8>>) -> Self {
        CheckMany { engine, input: Some(ManyInput::X12(bytes)) }
    }

    pub fn file(engine: Arc<cleanclaim::Engine>, path: String) -> Self {
        CheckMany { engine, input: Some(ManyInput::File(path)) }
    }
}

impl Task for CheckMany {
    type Output = Option<Res<Vec<cleanclaim::Report>>>;
    type JsValue = Vec<Report>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let input = self.input.take();
        let engine = &self.engine;
        Ok(Some(guard(|| match input {
            Some(ManyInput::Claims(texts)) => Ok(engine.check_many(&parse_many(texts?)?)),
            Some(ManyInput::Json(text)) => Ok(engine.check_json(&text)?),
            Some(ManyInput::X12(bytes)) => Ok(cleanclaim_x12::check_837(engine, &bytes?, None)?),
            Some(ManyInput::File(path)) => Ok(cleanclaim_x12::check_file(engine, &path)?),
            None => Err(cleanclaim::Error::Internal("task ran twice".to_owned()).into()),
        })))
    }

    fn resolve(&mut self, env: Env, mut output: Self::Output) -> napi::Result<Vec<Report>> {
        settle(&env, &mut output, |v| v.into_iter().map(Report::from).collect())
    }
}

/// Panics in `compute`, for the panic-boundary test.
#[derive(Debug)]
pub struct PanicTask;

impl Task for PanicTask {
    type Output = Option<Res<()>>;
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(Some(guard(|| -> Res<()> { panic!("deliberate panic for tests") })))
    }

    fn resolve(&mut self, env: Env, mut output: Self::Output) -> napi::Result<()> {
        settle(&env, &mut output, |()| ())
    }
}
