//! HCPCS Level II codes and modifiers (runtime), and CPT (shape or a user-loaded licensed file).

use crate::date::Ymd;
use crate::format::{Writer, get_str, get_varint, put_str, put_varint, sections};
use crate::import::hcpcs::{HcpcsKind, HcpcsRow};
use std::collections::BTreeMap;

const MAGIC: &[u8; 8] = b"CCHCPCS1";

pub fn encode(year: u16, source: &str, rows: &[HcpcsRow]) -> Vec<u8> {
    let mut rows: Vec<&HcpcsRow> = rows.iter().collect();
    rows.sort_by(|a, b| (a.kind as u8, &a.code).cmp(&(b.kind as u8, &b.code)));
    let mut meta = Vec::new();
    put_varint(&mut meta, year as u32);
    put_str(&mut meta, source);
    let mut body = Vec::new();
    put_varint(&mut body, rows.len() as u32);
    let d = |v: Option<Ymd>| v.unwrap_or(0);
    for r in rows {
        body.push(match r.kind {
            HcpcsKind::Procedure => b'P',
            HcpcsKind::Modifier => b'M',
        });
        put_str(&mut body, &r.code);
        put_str(&mut body, &r.long);
        put_str(&mut body, &r.short);
        body.push(r.coverage.map_or(b' ', |c| c as u8));
        put_varint(&mut body, d(r.added));
        put_varint(&mut body, d(r.action_effective));
        put_varint(&mut body, d(r.terminated));
        body.push(r.action.map_or(b' ', |c| c as u8));
    }
    let mut w = Writer::new(MAGIC);
    w.section(&meta);
    w.section(&body);
    w.buf
}

/// One HCPCS code or modifier with the release it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HcpcsInfo {
    pub code: String,
    pub kind: HcpcsKind,
    pub long_description: String,
    pub short_description: String,
    pub coverage: Option<char>,
    pub added: Option<Ymd>,
    pub action_effective: Option<Ymd>,
    pub terminated: Option<Ymd>,
    pub action: Option<char>,
    /// Year of the HCPCS release this comes from (e.g. 2020).
    pub release_year: u16,
    /// The release is older than the current year: codes added or ended since are unknown.
    pub stale: bool,
}

/// HCPCS Level II.
#[derive(Debug, Clone, Default)]
pub struct Hcpcs {
    pub(crate) year: u16,
    pub(crate) source: String,
    /// Encoded rows (embedded tables), decoded on first use into `table`.
    raw: &'static [u8],
    table: std::sync::OnceLock<Table>,
    pub(crate) stale: bool,
}

/// The rows, sorted by (kind, code), and each row's (kind, code) packed in a word when every
/// code fits (7 bytes, no NUL: true of HCPCS): a look-up is then a binary search over integers
/// instead of string compares (every service line's procedure and modifiers are looked up).
#[derive(Debug, Clone, Default)]
struct Table {
    rows: Vec<HcpcsRow>,
    keys: Option<Box<[u64]>>,
}

impl Table {
    fn new(rows: Vec<HcpcsRow>) -> Table {
        // One key per row, or none at all (a code empty, too long or holding a NUL): never a
        // key list out of step with the rows.
        let keys = rows.iter().map(|r| row_key(r.kind, &r.code)).collect();
        Table { rows, keys }
    }
}

/// A (kind, code) pair as one word ordered as the pair is: the kind's byte, then the code's
/// bytes zero-padded (codes without NUL, the only ones `key_of` keys, compare as their padded
/// bytes do).
fn row_key(kind: HcpcsKind, code: &str) -> Option<u64> {
    if code.len() > 7 {
        return None;
    }
    let key = crate::refs::key_of(code.as_bytes())?;
    Some((kind as u64) << 56 | key >> 8)
}

fn bad() -> crate::CodeSetError {
    crate::CodeSetError::new("hcpcs table", 0, "corrupt HCPCS table")
}

/// Current calendar year from the system clock (for the staleness flag).
pub(crate) fn current_year() -> u16 {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    (1970 + secs / 31_556_952) as u16
}

impl Hcpcs {
    pub(crate) fn from_bytes(data: &'static [u8]) -> Result<Self, crate::CodeSetError> {
        let s = sections(data, MAGIC).ok_or_else(bad)?;
        if s.len() != 2 {
            return Err(bad());
        }
        let meta = &data[s[0].clone()];
        let mut pos = 0;
        let year = get_varint(meta, &mut pos).ok_or_else(bad)? as u16;
        let source = get_str(meta, &mut pos).ok_or_else(bad)?.to_string();

        Ok(Hcpcs { year, source, stale: year < current_year(), raw: &data[s[1].clone()], table: Default::default() })
    }

    fn rows(&self) -> &[HcpcsRow] {
        &self.table().rows
    }

    fn table(&self) -> &Table {
        self.table.get_or_init(|| Table::new(decode_rows(self.raw).unwrap_or_default()))
    }

    pub(crate) fn from_rows(year: u16, source: String, mut rows: Vec<HcpcsRow>) -> Self {
        rows.sort_by(|a, b| (a.kind as u8, &a.code).cmp(&(b.kind as u8, &b.code)));
        Hcpcs { year, source, stale: year < current_year(), raw: &[], table: Table::new(rows).into() }
    }
}

fn decode_rows(b: &[u8]) -> Option<Vec<HcpcsRow>> {
    let bad = || ();
    let r = (|| -> Result<Vec<HcpcsRow>, ()> {
        let mut pos = 0;
        let n = get_varint(b, &mut pos).ok_or_else(bad)?;
        let mut rows = Vec::with_capacity(n as usize);
        let opt = |v: u32| (v != 0).then_some(v);
        let ch = |c: u8| (c != b' ').then_some(c as char);
        for _ in 0..n {
            let kind = match b.get(pos).ok_or_else(bad)? {
                b'P' => HcpcsKind::Procedure,
                _ => HcpcsKind::Modifier,
            };
            pos += 1;
            let code = get_str(b, &mut pos).ok_or_else(bad)?.to_string();
            let long = get_str(b, &mut pos).ok_or_else(bad)?.to_string();
            let short = get_str(b, &mut pos).ok_or_else(bad)?.to_string();
            let coverage = ch(*b.get(pos).ok_or_else(bad)?);
            pos += 1;
            let added = opt(get_varint(b, &mut pos).ok_or_else(bad)?);
            let action_effective = opt(get_varint(b, &mut pos).ok_or_else(bad)?);
            let terminated = opt(get_varint(b, &mut pos).ok_or_else(bad)?);
            let action = ch(*b.get(pos).ok_or_else(bad)?);
            pos += 1;
            rows.push(HcpcsRow { code, kind, long, short, coverage, added, action_effective, terminated, action });
        }
        Ok(rows)
    })();
    r.ok()
}

impl Hcpcs {
    fn find(&self, kind: HcpcsKind, code: &str) -> Option<&HcpcsRow> {
        let Table { rows, keys } = self.table();
        let i = match keys {
            // A code that is too long or has a NUL byte has no key and matches no row; between
            // the others, keys and codes are one to one.
            Some(keys) => keys.binary_search(&row_key(kind, code)?).ok()?,
            None => rows.binary_search_by(|r| (r.kind as u8, r.code.as_str()).cmp(&(kind as u8, code))).ok()?,
        };
        Some(&rows[i])
    }

    fn info(&self, r: &HcpcsRow) -> HcpcsInfo {
        HcpcsInfo {
            code: r.code.clone(),
            kind: r.kind,
            long_description: r.long.clone(),
            short_description: r.short.clone(),
            coverage: r.coverage,
            added: r.added,
            action_effective: r.action_effective,
            terminated: r.terminated,
            action: r.action,
            release_year: self.year,
            stale: self.stale,
        }
    }

    /// A Level II code (5 characters) or, for 2-character input, a modifier.
    pub fn lookup(&self, code: &str) -> Option<HcpcsInfo> {
        let kind = if code.len() == 2 { HcpcsKind::Modifier } else { HcpcsKind::Procedure };
        self.find(kind, code).map(|r| self.info(r))
    }
    pub fn lookup_modifier(&self, m: &str) -> Option<HcpcsInfo> {
        self.find(HcpcsKind::Modifier, m).map(|r| self.info(r))
    }
    /// The added and termination dates of a procedure code or modifier (`added` and
    /// `terminated` of [`lookup`](Self::lookup)) without copying its descriptions: what the
    /// per-line edits need.
    pub fn dates(&self, kind: HcpcsKind, code: &str) -> Option<(Option<Ymd>, Option<Ymd>)> {
        self.find(kind, code).map(|r| (r.added, r.terminated))
    }
    fn in_force(r: &HcpcsRow, date: Ymd) -> bool {
        r.added.is_none_or(|a| a <= date) && r.terminated.is_none_or(|t| date <= t)
    }
    /// Valid on `date` per the loaded release (added on or before, not terminated). After the
    /// release year the answer is only as good as the release: check [`Hcpcs::stale`].
    pub fn is_valid(&self, code: &str, date: Ymd) -> bool {
        self.find(HcpcsKind::Procedure, code).is_some_and(|r| Self::in_force(r, date))
    }
    pub fn is_valid_modifier(&self, m: &str, date: Ymd) -> bool {
        self.find(HcpcsKind::Modifier, m).is_some_and(|r| Self::in_force(r, date))
    }
    pub fn release_year(&self) -> u16 {
        self.year
    }
    pub fn stale(&self) -> bool {
        self.stale
    }
    pub fn source(&self) -> &str {
        &self.source
    }
    pub fn len(&self) -> usize {
        self.rows().len()
    }
    pub fn is_empty(&self) -> bool {
        self.rows().is_empty()
    }
}

pub use crate::import::cpt::cpt_shape_ok;

/// CPT: shape check only, unless a licensed file was loaded with
/// [`crate::CodeSetsBuilder::cpt_csv`]. No CPT descriptions are ever shipped.
#[derive(Debug, Clone, Default)]
pub struct Cpt {
    pub(crate) codes: BTreeMap<String, Vec<(Ymd, Ymd)>>,
    pub(crate) source: Option<String>,
}

impl Cpt {
    /// Whether a licensed CPT file was loaded.
    pub fn is_loaded(&self) -> bool {
        self.source.is_some()
    }
    /// Shape check, or full validity by date when a file was loaded.
    pub fn is_valid(&self, code: &str, date: Ymd) -> bool {
        if !cpt_shape_ok(code) {
            return false;
        }
        if !self.is_loaded() {
            return true;
        }
        self.codes.get(code).is_some_and(|ps| ps.iter().any(|(f, t)| *f <= date && date <= *t))
    }
    pub fn len(&self) -> usize {
        self.codes.len()
    }
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
    pub(crate) fn load(&mut self, rows: Vec<crate::import::cpt::CptRow>, source: &str) {
        for r in rows {
            self.codes.entry(r.code).or_default().push((r.from, r.to));
        }
        self.source = Some(source.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_keys_find_what_the_string_search_finds() {
        let h = crate::CodeSets::embedded().hcpcs();
        let by_string = |kind: HcpcsKind, code: &str| {
            let rows = h.rows();
            rows.binary_search_by(|r| (r.kind as u8, r.code.as_str()).cmp(&(kind as u8, code))).ok().map(|i| &rows[i])
        };
        let mut probes: Vec<(HcpcsKind, String)> = h.rows().iter().map(|r| (r.kind, r.code.clone())).collect();
        for odd in ["", "A", "A000", "A00000", "A0021\0", "A002\0", "a0021", "ZZZZZ", "25", "2", "250", "LTX", "0"] {
            probes.extend([(HcpcsKind::Procedure, odd.to_owned()), (HcpcsKind::Modifier, odd.to_owned())]);
        }
        for (kind, code) in &probes {
            assert_eq!(
                h.find(*kind, code).map(|r| &r.code),
                by_string(*kind, code).map(|r| &r.code),
                "{kind:?} {code:?}"
            );
        }
        assert!(h.table().keys.is_some(), "every embedded HCPCS code fits a word key");
    }
}
