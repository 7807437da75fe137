//! Reading claims from JSON: one claim, an array of claims, or JSON lines.
//!
//! Errors name the line, column and field path, and never echo input values.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use crate::Error;
use crate::error::scrub_serde_message;
use crate::model::{Claim, ClaimKind};

/// Largest JSON document accepted in one piece (a whole batch file is read line by line
/// instead when it is JSON lines).
pub const MAX_DOCUMENT_BYTES: usize = 1 << 30;

/// Below this many claims, JSON lines are read on the calling thread: waking the pool costs
/// more than parsing them.
const PARALLEL_MIN_LINES: usize = 64;

/// Splitting a document into lines runs in pieces of about this size on every core.
const SPLIT_CHUNK_BYTES: usize = 1 << 20;

fn json_error(e: serde_path_to_error::Error<serde_json::Error>, line_offset: usize) -> Error {
    let path = e.path().to_string();
    let inner = e.into_inner();
    Error::Json {
        source_name: None,
        line: inner.line() + line_offset,
        column: inner.column(),
        path: (inner.classify() == serde_json::error::Category::Data).then_some(path),
        message: strip_position(&scrub_serde_message(&inner.to_string())),
    }
}

/// serde_json appends " at line L column C"; the error carries them as fields already.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// Parses one JSON value of type `T` with path-aware errors.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    from_json_at(text, 0)
}

/// [`from_json`] for text that starts on line `line_offset + 1` of its document (one line of
/// JSON lines), so errors name the document's line.
fn from_json_at<T: DeserializeOwned>(text: &str, line_offset: usize) -> Result<T, Error> {
    // Path tracking costs on every field; valid input (the common case) skips it, and only a
    // failed parse is repeated with tracking to name the path.
    if let Ok(v) = serde_json::from_str(text) {
        return Ok(v);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let v = serde_path_to_error::deserialize(&mut de).map_err(|e| json_error(e, line_offset))?;
    de.end().map_err(|e| Error::Json {
        source_name: None,
        line: e.line() + line_offset,
        column: e.column(),
        path: None,
        message: strip_position(&e.to_string()),
    })?;
    Ok(v)
}

/// Parses one claim.
pub fn parse_claim(text: &str) -> Result<Claim, Error> {
    from_json(text)
}

/// Parses claims from a document holding one claim object, an array of claims, or JSON lines
/// (one claim object per line; blank lines skipped).
///
/// JSON lines are parsed on every core; the error returned is the one of the earliest bad
/// line, as if the lines were read one after another.
pub fn parse_claims(text: &str) -> Result<Vec<Claim>, Error> {
    match shape(text)? {
        Shape::Array => from_json(text),
        Shape::Lines => map_json_lines(text, |c| c, placeholder_claim),
        Shape::One => from_json(text).map(|c| vec![c]),
    }
}

/// Reads claims like [`parse_claims`] and maps each one with `f` (on every core for many
/// claims), in input order. With JSON lines a claim lives only while `f` runs, so a large batch
/// never holds all its claims at once. On error, `f`'s results so far are dropped.
///
/// `filler` makes a cheap stand-in for a line that failed or was skipped after a failure; it
/// is never returned.
pub(crate) fn map_claims<R: Send>(
    text: &str,
    f: impl Fn(Claim) -> R + Sync + Send,
    filler: impl Fn() -> R + Sync,
) -> Result<Vec<R>, Error> {
    match shape(text)? {
        Shape::Array => {
            let claims: Vec<Claim> = from_json(text)?;
            // Waking the pool costs more than checking a few claims.
            if claims.len() < PARALLEL_MIN_LINES {
                return Ok(claims.into_iter().map(f).collect());
            }
            Ok(claims.into_par_iter().with_min_len(PARALLEL_MIN_LINES).map(f).collect())
        }
        Shape::Lines => map_json_lines(text, f, filler),
        Shape::One => from_json(text).map(|c| vec![f(c)]),
    }
}

enum Shape {
    Array,
    Lines,
    One,
}

fn shape(text: &str) -> Result<Shape, Error> {
    if text.len() > MAX_DOCUMENT_BYTES && !looks_like_json_lines(text) {
        return Err(Error::Limit(format!("JSON document over {MAX_DOCUMENT_BYTES} bytes; use JSON lines")));
    }
    if text.trim_start().starts_with('[') {
        Ok(Shape::Array)
    } else if looks_like_json_lines(text) {
        Ok(Shape::Lines)
    } else {
        Ok(Shape::One)
    }
}

/// One line of JSON lines; `n` is its 0-based line number.
fn parse_line(line: &str, n: usize) -> Result<Claim, Error> {
    from_json_at(line, n)
}

fn map_json_lines<R: Send>(
    text: &str,
    f: impl Fn(Claim) -> R + Sync,
    filler: impl Fn() -> R + Sync,
) -> Result<Vec<R>, Error> {
    let lines = non_blank_lines(text);
    if lines.len() < PARALLEL_MIN_LINES {
        return lines.iter().map(|&(n, line)| parse_line(line, n).map(&f)).collect();
    }
    // Lines run in any order; the earliest failure is kept. Lines after a known failure are
    // skipped (their results are dropped anyway); lines before it still run, because one of
    // them may fail too and then its error is the one to report.
    let first_bad = AtomicUsize::new(usize::MAX);
    let error: Mutex<Option<(usize, Error)>> = Mutex::new(None);
    let out: Vec<R> = lines
        .par_iter()
        .enumerate()
        .with_min_len(16)
        .map(|(i, &(n, line))| {
            if i > first_bad.load(Ordering::Relaxed) {
                return filler();
            }
            match parse_line(line, n) {
                Ok(claim) => f(claim),
                Err(e) => {
                    first_bad.fetch_min(i, Ordering::Relaxed);
                    let mut slot = error.lock().unwrap_or_else(|p| p.into_inner());
                    if slot.as_ref().is_none_or(|(j, _)| i < *j) {
                        *slot = Some((i, e));
                    }
                    filler()
                }
            }
        })
        .collect();
    match error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some((_, e)) => Err(e),
        None => Ok(out),
    }
}

/// The non-blank lines of `text` with their 0-based line numbers, split on every core for a
/// large document.
fn non_blank_lines(text: &str) -> Vec<(usize, &str)> {
    let pieces = split_at_newlines(text, SPLIT_CHUNK_BYTES);
    if pieces.len() == 1 {
        return collect_lines(text, 0).0;
    }
    let parts: Vec<(Vec<(usize, &str)>, usize)> = pieces.par_iter().map(|p| collect_lines(p, 0)).collect();
    let mut out = Vec::with_capacity(parts.iter().map(|(l, _)| l.len()).sum());
    let mut before = 0;
    for (lines, count) in parts {
        out.extend(lines.into_iter().map(|(n, l)| (n + before, l)));
        before += count;
    }
    out
}

/// The non-blank lines of one piece (numbered from `first`) and how many lines it has.
fn collect_lines(piece: &str, first: usize) -> (Vec<(usize, &str)>, usize) {
    // A claim line is about a kilobyte: reserving for that spares most regrowth copies.
    let mut out = Vec::with_capacity(piece.len() / 512 + 1);
    let mut count = 0;
    for (n, line) in piece.lines().enumerate() {
        count = n + 1;
        if !line.trim().is_empty() {
            out.push((first + n, line));
        }
    }
    (out, count)
}

/// Cuts `text` into pieces of about `size` bytes, each ending just after a newline (the last
/// one at the end of the text), so that `str::lines` over the pieces gives the text's lines.
fn split_at_newlines(text: &str, size: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while rest.len() > size {
        // A newline is ASCII, so the cut after it is a char boundary.
        match rest.as_bytes()[size..].iter().position(|&b| b == b'\n') {
            Some(i) => {
                let (piece, after) = rest.split_at(size + i + 1);
                pieces.push(piece);
                rest = after;
            }
            None => break,
        }
    }
    pieces.push(rest);
    pieces
}

/// A claim that costs nothing to make or drop, standing in for a line that failed.
fn placeholder_claim() -> Claim {
    Claim::blank(String::new(), ClaimKind::Professional)
}

/// JSON lines: more than one non-blank line, each a complete object on its own.
fn looks_like_json_lines(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let (Some(first), Some(second)) = (lines.next(), lines.next()) else {
        return false;
    };
    let whole = |l: &str| l.starts_with('{') && l.ends_with('}');
    whole(first) && whole(second) && serde_json::from_str::<serde::de::IgnoredAny>(first).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLAIM: &str = include_str!("../../../examples/claims/clean-office-visit.json");

    #[test]
    fn reads_one_an_array_and_json_lines() {
        assert_eq!(parse_claims(CLAIM).unwrap().len(), 1);
        assert_eq!(parse_claims(&format!("[{CLAIM},{CLAIM}]")).unwrap().len(), 2);
        let one_line: serde_json::Value = serde_json::from_str(CLAIM).unwrap();
        let l = one_line.to_string();
        assert_eq!(parse_claims(&format!("{l}\n\n{l}\n{l}\n")).unwrap().len(), 3);
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let err = parse_claims("{\n  \"id\": \"A\",\n  \"kind\": }").unwrap_err();
        match err {
            Error::Json { line, column, path, .. } => {
                assert_eq!(line, 3);
                assert!(column > 0);
                assert!(path.is_none());
            }
            e => panic!("{e}"),
        }
    }

    #[test]
    fn missing_and_mistyped_fields_name_the_path_without_values() {
        let mut v: serde_json::Value = serde_json::from_str(CLAIM).unwrap();
        v["lines"][1].as_object_mut().unwrap().remove("units");
        let e = parse_claim(&v.to_string()).unwrap_err().to_string();
        assert!(e.contains("lines[1]") && e.contains("units"), "{e}");

        let mut v: serde_json::Value = serde_json::from_str(CLAIM).unwrap();
        v["subscriber"]["birth_date"] = "Zelda-Canary".into();
        let e = parse_claim(&v.to_string()).unwrap_err().to_string();
        assert!(e.contains("subscriber.birth_date"), "{e}");
        assert!(!e.contains("Zelda"), "{e}");
    }
}
