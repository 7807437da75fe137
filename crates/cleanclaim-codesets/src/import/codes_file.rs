//! CDC/CMS flat "codes" files (`icd10cm_codes_YYYY.txt`, `icd10pcs_codes_YYYY.txt`): code, one
//! or more spaces, long description.

use super::{CodeSetError, lines, normalize_code};

pub fn parse(text: &str, file: &str) -> Result<Vec<(String, String)>, CodeSetError> {
    let mut out = Vec::new();
    let mut last = 0;
    for (n, l) in lines(text) {
        last = n;
        if l.trim().is_empty() {
            continue;
        }
        let (code, desc) = l.split_once(' ').unwrap_or((l, ""));
        let code = normalize_code(code).ok_or_else(|| CodeSetError::new(file, n, format!("bad code `{code}`")))?;
        let desc = desc.trim();
        if desc.is_empty() {
            return Err(CodeSetError::new(file, n, format!("no description for {code}")));
        }
        out.push((code, desc.to_string()));
    }
    if out.is_empty() {
        return Err(CodeSetError::new(file, last, "no records"));
    }
    Ok(out)
}
