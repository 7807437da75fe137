//! Parsers of the CMS / CDC release file formats. `xtask gen-codesets` and
//! [`crate::CodeSetsBuilder`] both call these, so the generator and the runtime "load a newer
//! release" path are the same code. Every parser returns [`CodeSetError`] naming the file and
//! the 1-based line on malformed or truncated input; none panics.

pub mod codes_file;
pub mod cpt;
pub mod hcpcs;
pub mod mce;
pub mod order;
pub mod tabular;

pub use crate::error::CodeSetError;

/// Normalize a code for storage and lookup: trim, drop dots, upper-case. `None` if empty,
/// longer than 7 characters or not alphanumeric.
pub fn normalize_code(s: &str) -> Option<String> {
    let mut out = String::with_capacity(8);
    for c in s.trim().chars() {
        if c == '.' {
            continue;
        }
        if !c.is_ascii_alphanumeric() {
            return None;
        }
        out.push(c.to_ascii_uppercase());
    }
    (!out.is_empty() && out.len() <= 7).then_some(out)
}

/// Split one CSV line (RFC 4180 quoting, no embedded newlines).
pub(crate) fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut q = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (q, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            (true, '"') => q = false,
            (false, '"') if cur.is_empty() => q = true,
            (false, ',') => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Lines of a text file with 1-based numbers, `\r` stripped.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
}
