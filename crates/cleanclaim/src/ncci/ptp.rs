//! Procedure-to-procedure edits: column-1 / column-2 code pairs.

use super::read::{cell, code, date, norm};
use super::{FastMap, Strings, key, pair};
use crate::Date;

/// What an NCCI-associated modifier can do to a PTP edit (the file's `Modifier` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModifierIndicator {
    /// `0`: no modifier bypasses the edit.
    NotAllowed,
    /// `1`: an NCCI-associated modifier bypasses the edit when clinically appropriate.
    Allowed,
    /// `9`: the edit does not apply (it was deleted retroactively).
    NotApplicable,
}

impl ModifierIndicator {
    fn from_digit(d: u8) -> ModifierIndicator {
        match d {
            0 => ModifierIndicator::NotAllowed,
            1 => ModifierIndicator::Allowed,
            _ => ModifierIndicator::NotApplicable,
        }
    }
}

/// One PTP edit in force on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PtpEdit<'a> {
    /// Whether a modifier can bypass it.
    pub modifier: ModifierIndicator,
    /// The file's `PTP Edit Rationale`, e.g. `Mutually exclusive procedures`.
    pub rationale: &'a str,
    /// First date of service the edit applies to.
    pub effective: Date,
    /// First date of service it no longer applies to (`None`: not deleted).
    pub deletion: Option<Date>,
}

const NONE: u32 = u32::MAX;
/// Deletion date `*` (none).
pub(super) const OPEN: u32 = 99_991_231;

#[derive(Debug, Clone, Copy)]
struct Row {
    effective: u32,
    /// Exclusive: CMS deletes an edit retroactively by giving it the same effective and
    /// deletion date, so the edit applies on `effective <= dos < deletion`.
    deletion: u32,
    /// Next row of the same pair (a pair can be deleted and added again), or `NONE`.
    next: u32,
    rationale: u32,
    modifier: u8,
}

/// One PTP table (practitioner or outpatient hospital): pair key → chain of rows.
#[derive(Debug, Clone, Default)]
pub(super) struct PtpTable {
    heads: FastMap<u64, u32>,
    rows: Vec<Row>,
}

impl PtpTable {
    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn insert(&mut self, k: u64, mut row: Row) {
        let idx = self.rows.len() as u32;
        let head = self.heads.entry(k).or_insert(NONE);
        row.next = *head;
        *head = idx;
        self.rows.push(row);
    }

    /// The edit in force for the pair on `ymd`; when rows overlap, the strictest wins.
    pub(super) fn find<'s>(&self, c1: &str, c2: &str, ymd: u32, strings: &'s Strings) -> Option<PtpEdit<'s>> {
        let mut i = *self.heads.get(&pair(key(c1)?, key(c2)?))?;
        let mut best: Option<&Row> = None;
        while let Some(r) = self.rows.get(i as usize) {
            if r.effective <= ymd && ymd < r.deletion && best.is_none_or(|b| rank(r.modifier) < rank(b.modifier)) {
                best = Some(r);
            }
            i = r.next;
        }
        best.map(|r| PtpEdit {
            modifier: ModifierIndicator::from_digit(r.modifier),
            rationale: strings.get(r.rationale),
            effective: Date::from_ymd(r.effective).unwrap_or(Date::new(1970, 1, 1).expect("valid")),
            deletion: (r.deletion != OPEN).then(|| Date::from_ymd(r.deletion)).flatten(),
        })
    }
}

fn rank(modifier: u8) -> u8 {
    match modifier {
        0 => 0,
        1 => 1,
        _ => 2,
    }
}

pub(super) struct Cols {
    c1: usize,
    c2: usize,
    effective: usize,
    deletion: usize,
    modifier: usize,
    rationale: Option<usize>,
}

/// Loads rows of one file into a table.
pub(super) struct Loader<'a> {
    pub(super) table: &'a mut PtpTable,
    pub(super) strings: &'a mut Strings,
}

/// True when `cells` is a PTP header row (`Column 1`, `Column 2`, ...).
pub(super) fn is_header(cells: &[String]) -> bool {
    let n: Vec<String> = cells.iter().map(|c| norm(c)).collect();
    n.iter().any(|c| c.starts_with("column1")) && n.iter().any(|c| c.starts_with("column2"))
}

impl super::read::Layout for Loader<'_> {
    type Cols = Cols;

    fn header(&mut self, cells: &[String]) -> Option<Result<Cols, String>> {
        if !is_header(cells) {
            return None;
        }
        let find = |f: &dyn Fn(&str) -> bool| cells.iter().position(|c| f(&norm(c)));
        let need = |i: Option<usize>, what: &str| i.ok_or_else(|| format!("PTP header has no `{what}` column"));
        Some((|| {
            Ok(Cols {
                c1: need(find(&|c| c.starts_with("column1")), "Column 1")?,
                c2: need(find(&|c| c.starts_with("column2")), "Column 2")?,
                effective: need(find(&|c| c.contains("effective")), "Effective Date")?,
                deletion: need(find(&|c| c.contains("deletion")), "Deletion Date")?,
                modifier: need(find(&|c| c.contains("modifier")), "Modifier")?,
                rationale: find(&|c| c.contains("rationale")),
            })
        })())
    }

    fn positional(&self) -> Cols {
        Cols { c1: 0, c2: 1, effective: 3, deletion: 4, modifier: 5, rationale: Some(6) }
    }

    fn row(&mut self, cols: &Cols, cells: &[String]) -> Result<(), String> {
        let c1 = code(cell(cells, cols.c1, "Column 1")?, "column 1 code")?;
        let c2 = code(cell(cells, cols.c2, "Column 2")?, "column 2 code")?;
        let effective = date(cell(cells, cols.effective, "Effective Date")?, "effective date")?
            .ok_or("the effective date is empty")?;
        let deletion = date(cell(cells, cols.deletion, "Deletion Date")?, "deletion date")?.unwrap_or(OPEN);
        let m = cell(cells, cols.modifier, "Modifier")?;
        let modifier = match m.trim() {
            "0" => 0,
            "1" => 1,
            "9" => 9,
            other => return Err(format!("modifier indicator `{}` is not 0, 1 or 9", super::read::clip(other))),
        };
        let rationale = match cols.rationale {
            Some(i) => self.strings.intern(cells.get(i).map_or("", String::as_str)),
            None => self.strings.intern(""),
        };
        let (Some(k1), Some(k2)) = (key(&c1), key(&c2)) else {
            return Err("code is not a 5-character HCPCS/CPT code".into());
        };
        self.table.insert(pair(k1, k2), Row { effective, deletion, next: NONE, rationale, modifier });
        Ok(())
    }
}
