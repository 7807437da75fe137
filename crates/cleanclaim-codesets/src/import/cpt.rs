//! A licensed CPT file supplied by the user, as CSV with header
//! `code,effective_date,termination_date[,description]` (dates `YYYY-MM-DD` or `YYYYMMDD`;
//! empty termination = open-ended). Descriptions are accepted but never shipped.

use super::{CodeSetError, lines, split_csv};
use crate::date::{OPEN, Ymd, parse_ymd};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CptRow {
    pub code: String,
    pub from: Ymd,
    pub to: Ymd,
    pub description: Option<String>,
}

/// CPT code shape: 5 digits, or 4 digits + `F` / `T` / `U`.
pub fn cpt_shape_ok(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 5
        && b[..4].iter().all(u8::is_ascii_digit)
        && (b[4].is_ascii_digit() || matches!(b[4], b'F' | b'T' | b'U'))
}

pub fn parse(text: &str, file: &str) -> Result<Vec<CptRow>, CodeSetError> {
    let mut it = lines(text);
    let (n, h) = it.next().ok_or_else(|| CodeSetError::new(file, 0, "empty file"))?;
    let cols: Vec<String> = split_csv(h).into_iter().map(|c| c.trim().to_ascii_lowercase()).collect();
    if cols.len() < 3 || cols[0] != "code" || cols[1] != "effective_date" || cols[2] != "termination_date" {
        return Err(CodeSetError::new(file, n, "expected header `code,effective_date,termination_date[,description]`"));
    }
    let mut out = Vec::new();
    for (n, l) in it {
        if l.trim().is_empty() {
            continue;
        }
        let c = split_csv(l);
        if c.len() < 3 || c.len() > cols.len().max(4) {
            return Err(CodeSetError::new(file, n, format!("expected 3 or 4 columns, found {}", c.len())));
        }
        let code = c[0].trim().to_ascii_uppercase();
        if !cpt_shape_ok(&code) {
            return Err(CodeSetError::new(file, n, format!("`{code}` is not a CPT code")));
        }
        let from = parse_ymd(&c[1]).ok_or_else(|| CodeSetError::new(file, n, format!("bad date `{}`", c[1])))?;
        let to = if c[2].trim().is_empty() {
            OPEN
        } else {
            parse_ymd(&c[2]).ok_or_else(|| CodeSetError::new(file, n, format!("bad date `{}`", c[2])))?
        };
        if to < from {
            return Err(CodeSetError::new(file, n, "termination date before effective date"));
        }
        out.push(CptRow { code, from, to, description: c.get(3).filter(|d| !d.is_empty()).cloned() });
    }
    Ok(out)
}
