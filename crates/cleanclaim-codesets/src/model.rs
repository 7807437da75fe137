//! Owned, mutable models of each code set. The importers fill them, the builder merges newer
//! releases into them, and [`crate::cm`] / [`crate::pcs`] / [`crate::hcpcs`] encode them into
//! the compact binary tables (the same code path for `xtask gen-codesets` and the runtime
//! builder).

use crate::date::{OPEN, Ymd, prev_day};
use crate::flags::{DxFlags, PcsFlags};
use std::collections::BTreeMap;

/// One validity period with the flags in force. `to` is inclusive; [`OPEN`] = open-ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period<F> {
    pub from: Ymd,
    pub to: Ymd,
    pub flags: F,
}

/// Kind of an ICD-10-CM tabular instructional note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum NoteKind {
    InclusionTerm = 0,
    Includes = 1,
    Excludes1 = 2,
    Excludes2 = 3,
    CodeFirst = 4,
    UseAdditionalCode = 5,
    CodeAlso = 6,
    Notes = 7,
}

impl NoteKind {
    pub const ALL: [NoteKind; 8] = [
        NoteKind::InclusionTerm,
        NoteKind::Includes,
        NoteKind::Excludes1,
        NoteKind::Excludes2,
        NoteKind::CodeFirst,
        NoteKind::UseAdditionalCode,
        NoteKind::CodeAlso,
        NoteKind::Notes,
    ];
    pub fn from_u8(v: u8) -> Option<NoteKind> {
        Self::ALL.get(v as usize).copied()
    }
    /// The element name in the CDC tabular XML.
    pub fn xml_name(self) -> &'static str {
        match self {
            NoteKind::InclusionTerm => "inclusionTerm",
            NoteKind::Includes => "includes",
            NoteKind::Excludes1 => "excludes1",
            NoteKind::Excludes2 => "excludes2",
            NoteKind::CodeFirst => "codeFirst",
            NoteKind::UseAdditionalCode => "useAdditionalCode",
            NoteKind::CodeAlso => "codeAlso",
            NoteKind::Notes => "notes",
        }
    }
    pub fn from_xml_name(s: &str) -> Option<NoteKind> {
        Self::ALL.into_iter().find(|k| k.xml_name() == s)
    }
}

/// Tree position of an ICD-10-CM code in the tabular list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TreeKind {
    /// Not listed in the tabular XML (e.g. a 7th-character extension or a deleted code).
    #[default]
    NotInTree,
    /// A `diag` without child `diag`s.
    Leaf,
    /// A `diag` with children (category / subcategory header).
    Node,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CmEntry {
    pub periods: Vec<Period<DxFlags>>,
    pub desc: Option<String>,
    pub tree: TreeKind,
    pub parent: Option<String>,
    /// Chapter number (1..=22), 0 unknown.
    pub chapter: u8,
    /// Index into [`CmModel::sections`].
    pub section: Option<u16>,
    /// Index into [`CmModel::seven`]: the `sevenChrDef` declared on this node (not inherited).
    pub seven: Option<u16>,
    /// Notes declared on this node (not inherited), in document order.
    pub notes: Vec<(NoteKind, String)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChapterM {
    pub number: u8,
    pub title: String,
    pub notes: Vec<(NoteKind, String)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SectionM {
    pub id: String,
    pub title: String,
    pub chapter: u8,
    pub notes: Vec<(NoteKind, String)>,
}

/// Age group row (`age_ranges.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgeRow {
    pub flag: String,
    pub lo: u8,
    pub hi: u8,
    pub from: Ymd,
    pub to: Ymd,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CmModel {
    pub codes: BTreeMap<String, CmEntry>,
    pub chapters: Vec<ChapterM>,
    pub sections: Vec<SectionM>,
    pub seven: Vec<Vec<(u8, String)>>,
    pub age: Vec<AgeRow>,
    pub discharge: Vec<(String, Ymd, Ymd)>,
    /// Provenance lines ("what was loaded").
    pub releases: Vec<String>,
    /// Last day the loaded releases speak for (the MCE termination date).
    pub covered_through: Ymd,
}

/// Merge `new` rows (one release, for every code) over `old` periods: the new release is
/// authoritative from its first effective date on; older rows are clipped to end the day before.
pub fn merge_periods<F: Copy + PartialEq>(
    old: &mut BTreeMap<String, Vec<Period<F>>>,
    new: BTreeMap<String, Vec<Period<F>>>,
) {
    let Some(start) = new.values().flatten().map(|p| p.from).min() else {
        return;
    };
    for ps in old.values_mut() {
        ps.retain_mut(|p| {
            if p.from >= start {
                return false;
            }
            if p.to >= start {
                p.to = prev_day(start);
            }
            true
        });
    }
    for (code, ps) in new {
        old.entry(code).or_default().extend(ps);
    }
    for ps in old.values_mut() {
        ps.sort_by_key(|p| p.from);
        coalesce(ps);
    }
    old.retain(|_, ps| !ps.is_empty());
}

/// Join adjacent periods with equal flags.
pub fn coalesce<F: Copy + PartialEq>(ps: &mut Vec<Period<F>>) {
    let mut out: Vec<Period<F>> = Vec::with_capacity(ps.len());
    for p in ps.drain(..) {
        if let Some(last) = out.last_mut()
            && last.flags == p.flags
            && last.to != OPEN
            && crate::date::prev_day(p.from) == last.to
        {
            last.to = p.to;
            continue;
        }
        out.push(p);
    }
    *ps = out;
}

/// Apply a release that lists every code valid from `effective` on (an order or codes file):
/// codes listed get an open period from `effective` (keeping the flags in force the day
/// before, if any); codes open before and not listed end the day before `effective`.
pub fn apply_listing<F: Copy + PartialEq + Default>(
    periods: &mut BTreeMap<String, Vec<Period<F>>>,
    listed: &[String],
    effective: Ymd,
) {
    let mut new: BTreeMap<String, Vec<Period<F>>> = BTreeMap::new();
    for code in listed {
        let flags = periods
            .get(code)
            .and_then(|ps| ps.iter().find(|p| p.from < effective && p.to >= prev_day(effective)))
            .map(|p| p.flags)
            .unwrap_or_default();
        new.insert(code.clone(), vec![Period { from: effective, to: OPEN, flags }]);
    }
    if new.is_empty() {
        return;
    }
    // Only the part from `effective` on is replaced.
    for ps in periods.values_mut() {
        ps.retain_mut(|p| {
            if p.from >= effective {
                return false;
            }
            if p.to >= effective {
                p.to = prev_day(effective);
            }
            true
        });
    }
    for (code, ps) in new {
        periods.entry(code).or_default().extend(ps);
    }
    for ps in periods.values_mut() {
        ps.sort_by_key(|p| p.from);
        coalesce(ps);
    }
}

impl CmModel {
    pub fn take_periods(&mut self) -> BTreeMap<String, Vec<Period<DxFlags>>> {
        self.codes
            .iter_mut()
            .filter(|(_, e)| !e.periods.is_empty())
            .map(|(c, e)| (c.clone(), std::mem::take(&mut e.periods)))
            .collect()
    }
    pub fn put_periods(&mut self, ps: BTreeMap<String, Vec<Period<DxFlags>>>) {
        for (c, p) in ps {
            self.codes.entry(c).or_default().periods = p;
        }
    }
    /// Set `parent`, `chapter`, `section` of codes that are not in the tree from their
    /// longest listed prefix (e.g. S52.521A → S52.521, W21.89XA → W21.89).
    pub fn link_orphans(&mut self) {
        let keys: Vec<String> = self.codes.keys().cloned().collect();
        for k in keys {
            if self.codes[&k].tree != TreeKind::NotInTree {
                continue;
            }
            let mut found = None;
            for l in (3..k.len()).rev() {
                if let Some(p) = self.codes.get(&k[..l])
                    && p.tree != TreeKind::NotInTree
                {
                    found = Some((k[..l].to_string(), p.chapter, p.section));
                    break;
                }
            }
            let e = self.codes.get_mut(&k).unwrap();
            match found {
                Some((p, ch, s)) => {
                    e.parent = Some(p);
                    e.chapter = ch;
                    e.section = s;
                }
                None => {
                    e.parent = None;
                }
            }
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PcsEntry {
    pub periods: Vec<Period<PcsFlags>>,
    pub desc: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PcsModel {
    pub codes: BTreeMap<String, PcsEntry>,
    pub releases: Vec<String>,
    pub covered_through: Ymd,
}

impl PcsModel {
    pub fn take_periods(&mut self) -> BTreeMap<String, Vec<Period<PcsFlags>>> {
        self.codes
            .iter_mut()
            .filter(|(_, e)| !e.periods.is_empty())
            .map(|(c, e)| (c.clone(), std::mem::take(&mut e.periods)))
            .collect()
    }
    pub fn put_periods(&mut self, ps: BTreeMap<String, Vec<Period<PcsFlags>>>) {
        for (c, p) in ps {
            self.codes.entry(c).or_default().periods = p;
        }
    }
}
