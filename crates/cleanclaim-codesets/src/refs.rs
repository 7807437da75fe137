//! Code references inside ICD-10-CM note text: single codes `(K92.81)`, ranges `(A15-A19)`,
//! `(E08.3-E08.9)`, `(K85-K86.-)`, prefixes `(K12.3-)`, `(I82.4Z-)`, `(E11.-)`, lists
//! `(J09.X1, J10.0-)`. Each reference becomes an interval of 8-byte code keys: a code `c` is
//! covered iff `lo <= key(c) <= hi`, where `lo` is the first code padded with 0x00 and `hi` the
//! last code padded with 0xFF (so every code *starting with* the last code is included, which is
//! what a category reference means in the tabular).

/// A code as a big-endian u64 (ASCII, 0x00-padded): numeric order = code order. `None` for
/// an empty code, one longer than 8 bytes, or one with a NUL byte (which would read as the
/// padding: `A000\0` as `A000`); so no key is 0.
#[inline]
pub fn key_of(code: &[u8]) -> Option<u64> {
    let k = word_of(code)?;
    // Any zero byte among the code's own (the padding set to 0xFF): the exact SWAR test.
    let v = k | u64::MAX.checked_shr(8 * code.len() as u32).unwrap_or(0);
    let nul = v.wrapping_sub(0x0101_0101_0101_0101) & !v & 0x8080_8080_8080_8080 != 0;
    (!nul).then_some(k)
}

/// 1 to 8 bytes as a big-endian word padded with zero bytes ([`key_of`] without its NUL test),
/// `None` for other lengths.
///
/// Read as at most three loads, rather than copied into a buffer and read back (a memcpy call
/// whose store the load then waits on, a quarter of a code look-up's time) or shifted in byte
/// by byte (~25 instructions for a 7-character code, and every look-up keys its code).
#[inline]
pub fn word_of(b: &[u8]) -> Option<u64> {
    let n = b.len();
    if !(1..=8).contains(&n) {
        return None;
    }
    // Two overlapping 4-byte loads cover 4 to 8 bytes; the bytes they share are the same.
    let at = |i: usize| b.get(i..i + 4).and_then(|w| w.try_into().ok()).map_or(0, |w| u64::from(u32::from_be_bytes(w)));
    Some(if n >= 4 {
        at(0) << 32 | at(n - 4) << (64 - 8 * n)
    } else {
        u64::from(b[0]) << 56 | u64::from(b[n / 2]) << (56 - 8 * (n / 2)) | u64::from(b[n - 1]) << (64 - 8 * n)
    })
}

fn key_hi(code: &[u8]) -> u64 {
    let mut k = [0xFFu8; 8];
    k[..code.len()].copy_from_slice(code);
    u64::from_be_bytes(k)
}

/// An interval of codes referenced by a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CodeRange {
    pub lo: u64,
    pub hi: u64,
}

impl CodeRange {
    /// Whether `code` (normalized) falls in the interval.
    pub fn covers(&self, code: &str) -> bool {
        key_of(code.as_bytes()).is_some_and(|k| self.lo <= k && k <= self.hi)
    }
    /// First code of the interval (no dot).
    pub fn first(&self) -> String {
        let b = self.lo.to_be_bytes();
        b.iter().take_while(|c| **c != 0).map(|c| *c as char).collect()
    }
    /// Last code prefix of the interval (no dot); every code starting with it is included.
    pub fn last_prefix(&self) -> String {
        let b = self.hi.to_be_bytes();
        b.iter().take_while(|c| **c != 0xFF).map(|c| *c as char).collect()
    }
}

fn code_like(t: &str) -> Option<String> {
    let b = t.as_bytes();
    if b.len() < 3 || !b[0].is_ascii_uppercase() || !b[1].is_ascii_digit() {
        return None;
    }
    if !(b[2].is_ascii_digit() || b[2].is_ascii_uppercase()) {
        return None;
    }
    let rest = &t[3..];
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    if rest.len() > 4 || !rest.bytes().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()) {
        return None;
    }
    if t.len() > 3 && !t[3..].starts_with('.') && !rest.is_empty() {
        return None;
    }
    Some(format!("{}{}", &t[..3], rest))
}

fn strip_open(t: &str) -> &str {
    t.trim_end_matches('-').trim_end_matches('.')
}

/// Parse one token (`K12.3-`, `A15-A19`, `E08.3-E08.9`, `K85-K86.-`).
fn token(t: &str) -> Option<CodeRange> {
    let t = t.trim_matches([',', ';']);
    // A range has a '-' followed by a letter.
    if let Some(i) = t.find('-')
        && t[i + 1..].starts_with(|c: char| c.is_ascii_uppercase())
    {
        let lo = code_like(&t[..i])?;
        let hi = code_like(strip_open(&t[i + 1..]))?;
        let r = CodeRange { lo: key_of(lo.as_bytes())?, hi: key_hi(hi.as_bytes()) };
        return (r.lo <= r.hi).then_some(r);
    }
    let c = code_like(strip_open(t))?;
    Some(CodeRange { lo: key_of(c.as_bytes())?, hi: key_hi(c.as_bytes()) })
}

/// All code references in a note's text (parenthesized groups), sorted and merged.
pub fn parse_refs(text: &str) -> Vec<CodeRange> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('(') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(')') else { break };
        let group = after[..close].replace(" - ", "-").replace("- ", "-");
        for t in group.split(|c: char| c == ',' || c == ';' || c.is_whitespace()) {
            if let Some(r) = token(t.trim()) {
                out.push(r);
            }
        }
        rest = &after[close + 1..];
    }
    merge(out)
}

pub(crate) fn merge(mut v: Vec<CodeRange>) -> Vec<CodeRange> {
    v.sort();
    let mut out: Vec<CodeRange> = Vec::with_capacity(v.len());
    for r in v {
        if let Some(l) = out.last_mut()
            && r.lo <= l.hi
        {
            l.hi = l.hi.max(r.hi);
            continue;
        }
        out.push(r);
    }
    out
}

/// Whether a sorted, merged interval list covers `code`.
pub fn covers(ranges: &[CodeRange], code: &str) -> bool {
    let Some(k) = key_of(code.as_bytes()) else { return false };
    let i = ranges.partition_point(|r| r.lo <= k);
    i > 0 && ranges[i - 1].hi >= k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_of_is_the_zero_padded_big_endian_word() {
        for code in ["A", "A00", "E119", "S52521A", "Z99890AB", "\u{7f}\u{1}\u{ff}"] {
            let mut k = [0u8; 8];
            k[..code.len()].copy_from_slice(code.as_bytes());
            assert_eq!(key_of(code.as_bytes()), Some(u64::from_be_bytes(k)), "{code:?}");
        }
        // Every length, with distinct bytes, so that an overlapping load put in the wrong place
        // shows.
        let bytes = [0x41, 0x92, 0x03, 0xF4, 0x65, 0x16, 0xC7, 0x38];
        for n in 1..=8 {
            let mut k = [0u8; 8];
            k[..n].copy_from_slice(&bytes[..n]);
            assert_eq!(word_of(&bytes[..n]), Some(u64::from_be_bytes(k)), "{n} bytes");
        }
        assert_eq!(key_of(b""), None);
        assert_eq!(key_of(b"123456789"), None);
        // A NUL byte would read as padding ("A000\0" as "A000"): no key, wherever it is.
        for code in [&b"\0"[..], b"A000\0", b"A\0B", b"\0A", b"E11900A\0", b"\0\0\0\0\0\0\0\0"] {
            assert_eq!(key_of(code), None, "{code:?}");
        }
        assert!(key_of(b"A00") < key_of(b"A000") && key_of(b"A000") < key_of(b"A01"));
    }
    #[test]
    fn refs() {
        let r = parse_refs("type 2 diabetes mellitus (E11.-)");
        assert!(covers(&r, "E1122") && covers(&r, "E11") && !covers(&r, "E10"));
        let r = parse_refs("pancreatitis and other diseases of the pancreas (K85-K86.-)");
        assert!(covers(&r, "K859") && covers(&r, "K861") && !covers(&r, "K87"));
        let r = parse_refs("x (E08.3-E08.9)");
        assert!(covers(&r, "E08311") && covers(&r, "E089") && !covers(&r, "E0821"));
        let r = parse_refs("y (K92.81) and (I82.4Z-), (A15-A19)");
        assert!(covers(&r, "K9281") && !covers(&r, "K928"));
        assert!(covers(&r, "I824Z1") && covers(&r, "A170") && covers(&r, "A199") && !covers(&r, "A20"));
        let r = parse_refs("(J09.X1, J10.0-)");
        assert!(covers(&r, "J09X1") && covers(&r, "J1000"));
        assert!(parse_refs("coma (NKHHC)").is_empty());
        let r = parse_refs("(O00-O9A)");
        assert!(covers(&r, "O9A119") && covers(&r, "O99"));
    }
}
