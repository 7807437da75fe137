//! Reading claims from JSON: one claim, an array of claims, or JSON lines.
//!
//! Errors name the line, column and field path, and never echo input values.

use serde::de::DeserializeOwned;

use crate::Error;
use crate::error::scrub_serde_message;
use crate::model::Claim;

/// Largest JSON document accepted in one piece (a whole batch file is read line by line
/// instead when it is JSON lines).
pub const MAX_DOCUMENT_BYTES: usize = 1 << 30;

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
    // Path tracking costs on every field; valid input (the common case) skips it, and only a
    // failed parse is repeated with tracking to name the path.
    if let Ok(v) = serde_json::from_str(text) {
        return Ok(v);
    }
    from_json_tracked(text)
}

fn from_json_tracked<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let v = serde_path_to_error::deserialize(&mut de).map_err(|e| json_error(e, 0))?;
    de.end().map_err(|e| Error::Json {
        source_name: None,
        line: e.line(),
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
pub fn parse_claims(text: &str) -> Result<Vec<Claim>, Error> {
    if text.len() > MAX_DOCUMENT_BYTES && !looks_like_json_lines(text) {
        return Err(Error::Limit(format!("JSON document over {MAX_DOCUMENT_BYTES} bytes; use JSON lines")));
    }
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        return from_json(text);
    }
    if looks_like_json_lines(text) {
        let mut claims = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            if let Ok(claim) = serde_json::from_str(line) {
                claims.push(claim);
                continue;
            }
            let mut de = serde_json::Deserializer::from_str(line);
            let claim = serde_path_to_error::deserialize(&mut de).map_err(|e| json_error(e, n))?;
            de.end().map_err(|e| Error::Json {
                source_name: None,
                line: n + 1,
                column: e.column(),
                path: None,
                message: strip_position(&e.to_string()),
            })?;
            claims.push(claim);
        }
        return Ok(claims);
    }
    from_json(text).map(|c| vec![c])
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
