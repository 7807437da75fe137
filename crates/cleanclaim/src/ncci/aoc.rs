//! Add-on code edits: which primary codes an add-on code needs.

use super::ptp::OPEN;
use super::read::{cell, clip, code, date, norm};
use super::{FastMap, decode, key};

/// The primary code `CCCCC`: primaries are defined by the contractor (the payer).
const CONTRACTOR: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct Row {
    primary: u32,
    kind: u8,
    effective: u32,
    /// Exclusive, like the PTP deletion date.
    deletion: u32,
    primary_deletion: u32,
    addon_deletion: u32,
}

impl Row {
    fn active(&self, ymd: u32) -> bool {
        self.effective <= ymd && ymd < self.deletion && ymd < self.addon_deletion
    }
}

/// Add-on code key → its rows.
#[derive(Debug, Clone, Default)]
pub(super) struct AocTable {
    rows: FastMap<u32, Vec<Row>>,
    len: usize,
}

impl AocTable {
    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(super) fn find(&self, code: &str, ymd: u32) -> Option<AddOn<'_>> {
        let rows = self.rows.get(&key(code)?)?;
        let active = |r: &&Row| r.active(ymd);
        let kind = rows.iter().filter(active).map(|r| r.kind).min()?;
        Some(AddOn { rows, ymd, kind })
    }

    /// True when `code` is an add-on code on the date.
    pub(super) fn is_addon(&self, code: &str, ymd: u32) -> bool {
        self.find(code, ymd).is_some()
    }
}

/// How an add-on code's primaries are defined (the `AOC Edit Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AocType {
    /// Type 1: only the listed primary codes.
    Listed,
    /// Type 2: no primary codes listed; the payer decides.
    PayerDefined,
    /// Type 3: some primaries listed; the payer may accept others.
    ListedAndPayer,
}

/// An add-on code's edits in force on a date.
#[derive(Debug, Clone, Copy)]
pub struct AddOn<'a> {
    rows: &'a [Row],
    ymd: u32,
    kind: u8,
}

impl<'a> AddOn<'a> {
    /// The edit type (the strictest when rows disagree).
    pub fn edit_type(&self) -> AocType {
        match self.kind {
            1 => AocType::Listed,
            2 => AocType::PayerDefined,
            _ => AocType::ListedAndPayer,
        }
    }

    fn listed(&self) -> impl Iterator<Item = &'a Row> + '_ {
        let ymd = self.ymd;
        self.rows.iter().filter(move |r| r.primary != CONTRACTOR && r.active(ymd) && ymd < r.primary_deletion)
    }

    /// True when `code` is one of the listed primary codes on the date.
    pub fn has_primary(&self, code: &str) -> bool {
        key(code).is_some_and(|k| self.listed().any(|r| r.primary == k))
    }

    /// The listed primary codes on the date, in file order.
    pub fn primaries(&self) -> impl Iterator<Item = String> + '_ {
        self.listed().map(|r| decode(r.primary))
    }

    /// How many primary codes are listed on the date.
    pub fn primary_count(&self) -> usize {
        self.listed().count()
    }
}

pub(super) struct Cols {
    addon: usize,
    primary: usize,
    kind: usize,
    primary_deletion: Option<usize>,
    addon_deletion: Option<usize>,
    effective: Option<usize>,
    deletion: Option<usize>,
}

/// What an AOC header cell is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Addon,
    Primary,
    Kind,
    PrimaryDeletion,
    AddonDeletion,
    Effective,
    Deletion,
    Other,
}

fn classify(cell: &str) -> Col {
    let n = norm(cell);
    let del = n.contains("del");
    if n.contains("note") {
        Col::Other
    } else if n.contains("type") {
        Col::Kind
    } else if n.contains("primary") {
        if del { Col::PrimaryDeletion } else { Col::Primary }
    } else if n.contains("edit") {
        if n.contains("eff") {
            Col::Effective
        } else if del {
            Col::Deletion
        } else {
            Col::Other
        }
    } else if n.contains("addon") || n.starts_with("aoc") {
        if del {
            Col::AddonDeletion
        } else if n.contains("code") {
            Col::Addon
        } else {
            Col::Other
        }
    } else {
        Col::Other
    }
}

/// True when `cells` is an AOC header row (`Add-on Code`, `Primary Code`, ...).
pub(super) fn is_header(cells: &[String]) -> bool {
    let cols: Vec<Col> = cells.iter().map(|c| classify(c)).collect();
    cols.contains(&Col::Addon) && cols.contains(&Col::Primary)
}

pub(super) struct Loader<'a> {
    pub(super) table: &'a mut AocTable,
}

impl super::read::Layout for Loader<'_> {
    type Cols = Cols;

    fn header(&mut self, cells: &[String]) -> Option<Result<Cols, String>> {
        if !is_header(cells) {
            return None;
        }
        let find = |want: Col| cells.iter().position(|c| classify(c) == want);
        Some(match find(Col::Kind) {
            None => Err("add-on code header has no `AOC Edit Type` column".into()),
            Some(kind) => Ok(Cols {
                addon: find(Col::Addon).unwrap_or(0),
                primary: find(Col::Primary).unwrap_or(1),
                kind,
                primary_deletion: find(Col::PrimaryDeletion),
                addon_deletion: find(Col::AddonDeletion),
                effective: find(Col::Effective),
                deletion: find(Col::Deletion),
            }),
        })
    }

    fn positional(&self) -> Cols {
        Cols {
            addon: 0,
            primary: 1,
            kind: 2,
            primary_deletion: Some(3),
            addon_deletion: Some(4),
            effective: Some(5),
            deletion: Some(6),
        }
    }

    fn row(&mut self, cols: &Cols, cells: &[String]) -> Result<(), String> {
        let addon = code(cell(cells, cols.addon, "Add-on Code")?, "add-on code")?;
        let raw = cell(cells, cols.primary, "Primary Code")?.trim();
        let primary = if raw.is_empty() || raw.eq_ignore_ascii_case("CCCCC") {
            CONTRACTOR
        } else {
            key(&code(raw, "primary code")?).ok_or("primary code is not a 5-character HCPCS/CPT code")?
        };
        let raw = cell(cells, cols.kind, "AOC Edit Type")?;
        let t = raw.trim().trim_start_matches(|c: char| c.is_ascii_alphabetic() && c != 'I').trim();
        let kind = match t {
            "1" | "I" => 1,
            "2" | "II" => 2,
            "3" | "III" => 3,
            _ => return Err(format!("AOC edit type `{}` is not 1, 2 or 3", clip(raw))),
        };
        let opt_date = |i: Option<usize>, what: &str| -> Result<Option<u32>, String> {
            match i.and_then(|i| cells.get(i)) {
                Some(c) => date(c, what),
                None => Ok(None),
            }
        };
        let row = Row {
            primary,
            kind,
            effective: opt_date(cols.effective, "AOC edit effective date")?.unwrap_or(0),
            deletion: opt_date(cols.deletion, "AOC edit deletion date")?.unwrap_or(OPEN),
            primary_deletion: opt_date(cols.primary_deletion, "primary code deletion date")?.unwrap_or(OPEN),
            addon_deletion: opt_date(cols.addon_deletion, "add-on code deletion date")?.unwrap_or(OPEN),
        };
        let k = key(&addon).ok_or("add-on code is not a 5-character HCPCS/CPT code")?;
        self.table.rows.entry(k).or_default().push(row);
        self.table.len += 1;
        Ok(())
    }
}
