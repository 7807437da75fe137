//! CMS/CDC order files (`icd10cm_order_YYYY.txt`, `icd10pcs_order_YYYY.txt`), fixed width
//! (domain.md §C1): cols 1–5 order number, 7–13 code, 15 header(0)/valid(1), 17–76 short
//! description, 78– long description.

use super::{CodeSetError, lines, normalize_code};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    pub order: u32,
    pub code: String,
    /// `true` = valid for submission (flag 1), `false` = header (flag 0).
    pub billable: bool,
    pub short: String,
    pub long: String,
}

pub fn parse(text: &str, file: &str) -> Result<Vec<OrderRow>, CodeSetError> {
    let mut out = Vec::new();
    let mut last = 0;
    for (n, l) in lines(text) {
        last = n;
        if l.trim().is_empty() {
            continue;
        }
        let err = |m: &str| CodeSetError::new(file, n, m.to_string());
        if !l.is_ascii() {
            return Err(err("non-ASCII characters in a fixed-width record"));
        }
        if l.len() < 78 {
            return Err(err(&format!("record too short ({} columns, need at least 78)", l.len())));
        }
        let b = l.as_bytes();
        let order: u32 = l[0..5].parse().map_err(|_| err(&format!("bad order number `{}`", &l[0..5])))?;
        if b[5] != b' ' || b[13] != b' ' || b[15] != b' ' || b[76] != b' ' {
            return Err(err("separator columns 6, 14, 16 or 77 are not blank"));
        }
        let code = normalize_code(&l[6..13]).ok_or_else(|| err(&format!("bad code `{}`", &l[6..13])))?;
        let billable = match b[14] {
            b'0' => false,
            b'1' => true,
            _ => return Err(err("column 15 must be 0 (header) or 1 (valid)")),
        };
        out.push(OrderRow {
            order,
            code,
            billable,
            short: l[16..76].trim_end().to_string(),
            long: l[77..].trim_end().to_string(),
        });
    }
    if out.is_empty() {
        return Err(CodeSetError::new(file, last, "no records"));
    }
    if !text.ends_with('\n') {
        return Err(CodeSetError::new(file, last, "truncated file (no final newline)"));
    }
    Ok(out)
}
