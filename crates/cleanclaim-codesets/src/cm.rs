//! ICD-10-CM: binary table encoding and the runtime [`Icd10Cm`].

use crate::date::{OPEN, Ymd};
use crate::flags::DxFlags;
use crate::format::{
    NONE32, PoolIndex, TextPoolBuilder, Writer, get_str, get_varint, put_str, put_varint, sections, u16_at, u32_at,
    u64_at,
};
use crate::import::tabular::Tabular;
use crate::index::{Hit, KeyIndex, KeySet};
use crate::model::{AgeRow, ChapterM, CmEntry, CmModel, NoteKind, Period, SectionM, TreeKind};
use crate::refs::{CodeRange, key_of};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::OnceLock;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicU64, AtomicUsize};

const MAGIC: &[u8; 8] = b"CCICDCM1";
const REC: usize = 24;

// ---------------------------------------------------------------- model operations

/// Apply a tabular XML release (in force from `effective`): replaces the tree, chapters,
/// sections, notes, 7th-character definitions and the descriptions of listed codes; composes
/// descriptions of 7th-character extensions valid on `effective` from the parent title and the
/// extension meaning (the CDC convention: "<title>, <meaning>").
pub fn apply_tabular(m: &mut CmModel, t: &Tabular, effective: Ymd) {
    m.chapters = t.chapters.clone();
    m.sections = t.sections.clone();
    m.seven.clear();
    for e in m.codes.values_mut() {
        e.tree = TreeKind::NotInTree;
        e.parent = None;
        e.chapter = 0;
        e.section = None;
        e.seven = None;
        e.notes.clear();
    }
    for n in &t.nodes {
        let e = m.codes.entry(n.code.clone()).or_default();
        e.tree = if n.has_children { TreeKind::Node } else { TreeKind::Leaf };
        e.parent = n.parent.clone();
        e.chapter = n.chapter;
        e.section = Some(n.section);
        e.desc = Some(n.desc.clone());
        e.notes = n.notes.clone();
        if let Some(s) = &n.seven {
            e.seven = Some(m.seven.len() as u16);
            m.seven.push(s.clone());
        }
    }
    m.link_orphans();
    // Compose 7th-character titles.
    let keys: Vec<String> = m
        .codes
        .iter()
        .filter(|(k, e)| {
            e.tree == TreeKind::NotInTree
                && k.len() == 7
                && e.periods.iter().any(|p| p.from <= effective && effective <= p.to)
        })
        .map(|(k, _)| k.clone())
        .collect();
    for k in keys {
        let Some(parent) = m.codes[&k].parent.clone() else { continue };
        let Some(def) = seven_def_of(m, &parent) else { continue };
        let c = k.as_bytes()[6];
        let Some((_, meaning)) = def.iter().find(|(ch, _)| *ch == c) else { continue };
        let Some(pdesc) = m.codes[&parent].desc.clone() else { continue };
        m.codes.get_mut(&k).unwrap().desc = Some(format!("{pdesc}, {meaning}"));
    }
}

fn seven_def_of<'a>(m: &'a CmModel, code: &str) -> Option<&'a Vec<(u8, String)>> {
    let mut cur = Some(code.to_string());
    while let Some(c) = cur {
        let e = m.codes.get(&c)?;
        if let Some(s) = e.seven {
            return m.seven.get(s as usize);
        }
        cur = e.parent.clone();
    }
    None
}

fn put_notes(blob: &mut Vec<u8>, notes: &[(NoteKind, String)]) -> u32 {
    if notes.is_empty() {
        return NONE32;
    }
    let off = blob.len() as u32;
    put_varint(blob, notes.len() as u32);
    for (k, t) in notes {
        blob.push(*k as u8);
        put_str(blob, t);
        let refs = crate::refs::parse_refs(t);
        put_varint(blob, refs.len() as u32);
        for r in refs {
            blob.extend_from_slice(&r.lo.to_le_bytes());
            blob.extend_from_slice(&r.hi.to_le_bytes());
        }
    }
    off
}

/// Encode a model into the binary table format (deterministic).
pub fn encode(m: &CmModel) -> Vec<u8> {
    let keys: Vec<&String> = m.codes.keys().collect();
    let index: HashMap<&str, u32> = keys.iter().enumerate().map(|(i, k)| (k.as_str(), i as u32)).collect();
    let mut pool = TextPoolBuilder::default();
    let desc_h: Vec<Option<usize>> = m.codes.values().map(|e| e.desc.as_deref().map(|d| pool.add(d))).collect();
    let ch_h: Vec<usize> = m.chapters.iter().map(|c| pool.add(&c.title)).collect();
    let sec_h: Vec<usize> = m.sections.iter().map(|s| pool.add(&s.title)).collect();
    let (dict, stream) = pool.finish();

    let mut notes = Vec::new();
    let mut kbytes = Vec::with_capacity(keys.len() * 8);
    let mut recs = Vec::with_capacity(keys.len() * REC);
    let mut periods = Vec::new();
    let mut np = 0u32;
    for ((k, e), dh) in m.codes.iter().zip(&desc_h) {
        let mut kb = [0u8; 8];
        kb[..k.len()].copy_from_slice(k.as_bytes());
        kbytes.extend_from_slice(&kb);
        recs.extend_from_slice(&np.to_le_bytes());
        recs.extend_from_slice(&dh.map(|h| pool.id(h)).unwrap_or(NONE32).to_le_bytes());
        recs.extend_from_slice(&put_notes(&mut notes, &e.notes).to_le_bytes());
        let parent = e.parent.as_deref().and_then(|p| index.get(p).copied()).unwrap_or(NONE32);
        recs.extend_from_slice(&parent.to_le_bytes());
        recs.extend_from_slice(&e.section.unwrap_or(u16::MAX).to_le_bytes());
        recs.extend_from_slice(&e.seven.unwrap_or(u16::MAX).to_le_bytes());
        recs.push(e.periods.len().min(255) as u8);
        recs.push(e.chapter);
        recs.push(match e.tree {
            TreeKind::NotInTree => 0,
            TreeKind::Leaf => 1,
            TreeKind::Node => 2,
        });
        recs.push(0);
        for p in e.periods.iter().take(255) {
            periods.extend_from_slice(&p.from.to_le_bytes());
            periods.extend_from_slice(&p.to.to_le_bytes());
            periods.extend_from_slice(&(p.flags.0 as u64).to_le_bytes());
            np += 1;
        }
    }
    let mut chapters = Vec::new();
    put_varint(&mut chapters, m.chapters.len() as u32);
    for (c, h) in m.chapters.iter().zip(&ch_h) {
        chapters.push(c.number);
        put_varint(&mut chapters, pool.id(*h));
        let n = put_notes(&mut notes, &c.notes);
        chapters.extend_from_slice(&n.to_le_bytes());
    }
    let mut secs = Vec::new();
    put_varint(&mut secs, m.sections.len() as u32);
    for (s, h) in m.sections.iter().zip(&sec_h) {
        put_str(&mut secs, &s.id);
        put_varint(&mut secs, pool.id(*h));
        secs.push(s.chapter);
        let n = put_notes(&mut notes, &s.notes);
        secs.extend_from_slice(&n.to_le_bytes());
    }
    let mut seven = Vec::new();
    put_varint(&mut seven, m.seven.len() as u32);
    for d in &m.seven {
        put_varint(&mut seven, d.len() as u32);
        for (c, t) in d {
            seven.push(*c);
            put_str(&mut seven, t);
        }
    }
    let mut meta = Vec::new();
    put_varint(&mut meta, m.covered_through);
    put_varint(&mut meta, m.releases.len() as u32);
    for r in &m.releases {
        put_str(&mut meta, r);
    }
    put_varint(&mut meta, m.age.len() as u32);
    for a in &m.age {
        put_str(&mut meta, &a.flag);
        meta.push(a.lo);
        meta.push(a.hi);
        put_varint(&mut meta, a.from);
        put_varint(&mut meta, a.to);
    }
    put_varint(&mut meta, m.discharge.len() as u32);
    for (c, f, t) in &m.discharge {
        put_str(&mut meta, c);
        put_varint(&mut meta, *f);
        put_varint(&mut meta, *t);
    }
    let mut w = Writer::new(MAGIC);
    for s in [&meta, &kbytes, &recs, &periods, &chapters, &secs, &seven, &notes, &dict, &stream] {
        w.section(s);
    }
    w.buf
}

// ---------------------------------------------------------------- runtime

/// Why a code is not complete (see [`Icd10Cm::explain_incomplete`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncompleteKind {
    /// A category/subcategory header: pick one of its billable codes.
    Header,
    /// A 7th character is required (e.g. S52.521 → S52.521A).
    NeedsSeventhCharacter,
    /// The 7th character was given without the `X` placeholder(s) (W21.89A → W21.89XA).
    NeedsPlaceholder,
}

/// Validity of a diagnosis code on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DxStatus {
    Valid(DxFlags),
    /// A header (not billable) with this many billable codes under it on the date.
    Header {
        billable_children: usize,
    },
    Incomplete(IncompleteKind),
    Deleted {
        last_valid: Ymd,
    },
    NotYetValid {
        from: Ymd,
    },
    Unknown,
}

/// Explanation of an incomplete code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incomplete {
    pub code: String,
    pub kind: IncompleteKind,
    /// Allowed 7th characters with their meanings (for 7th-character cases).
    pub seventh_characters: Vec<(char, String)>,
    /// A corrected code when there is exactly one obvious fix (placeholder case).
    pub suggestion: Option<String>,
    /// Valid billable codes under the input on the date (at most 200).
    pub completions: Vec<String>,
    pub message: String,
}

/// One instructional note with its resolved code references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note<'a> {
    pub kind: NoteKind,
    pub text: &'a str,
    /// Where the note is declared: a code (no dot), a section id (`E08-E13`) or `chapter N`.
    pub source: String,
    /// Sorted, merged intervals of referenced codes.
    pub refs: Vec<CodeRange>,
}

impl Note<'_> {
    /// Whether the note references `code` (normalized).
    pub fn covers(&self, code: &str) -> bool {
        crate::refs::covers(&self.refs, code)
    }
}

/// Effective notes of a code: its own, its ancestors', its section's and its chapter's.
/// Inclusion terms are the code's own only.
#[derive(Debug, Clone, Default)]
pub struct Notes<'a> {
    pub inclusion_terms: Vec<&'a str>,
    pub includes: Vec<Note<'a>>,
    pub excludes1: Vec<Note<'a>>,
    pub excludes2: Vec<Note<'a>>,
    pub code_first: Vec<Note<'a>>,
    pub use_additional: Vec<Note<'a>>,
    pub code_also: Vec<Note<'a>>,
    pub other: Vec<Note<'a>>,
}

/// A chapter of the tabular list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    pub number: u8,
    pub title: String,
}

/// A section (block) of the tabular list, e.g. `E08-E13` "Diabetes mellitus (E08-E13)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub chapter: u8,
}

/// Everything known about a code.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeInfo {
    pub code: String,
    /// Dotted form (`E11.22`).
    pub display: String,
    /// `None` when the corpus has no title (e.g. FY2027 additions).
    pub description: Option<String>,
    /// Valid (billable) on the date given, or on any date when no date was given.
    pub billable: bool,
    /// Listed as a header (has children) in the tabular list.
    pub header: bool,
    pub chapter: Option<Chapter>,
    pub section: Option<Section>,
    /// The 3-character category.
    pub category: String,
    pub parent: Option<String>,
    pub children: Vec<String>,
    pub flags: Option<DxFlags>,
    pub valid_periods: Vec<Period<DxFlags>>,
    pub seventh_characters: Vec<(char, String)>,
    pub inclusion_terms: Vec<String>,
    /// Effective instructional notes (own and inherited, nearest first) as (kind, source, text);
    /// use [`Icd10Cm::notes`] for the resolved references.
    pub notes: Vec<(NoteKind, String, String)>,
}

/// A search result.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub code: String,
    pub description: String,
    pub score: f32,
    pub billable: bool,
}

/// MCE age groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeGroup {
    Newborn,
    Pediatric,
    Maternity,
    Adult,
}

impl AgeGroup {
    fn flag(self) -> &'static str {
        match self {
            AgeGroup::Newborn => "newborn",
            AgeGroup::Pediatric => "pediatric",
            AgeGroup::Maternity => "maternity",
            AgeGroup::Adult => "adult",
        }
    }
}

/// A code's position in a loaded ICD-10-CM table (valid or not on a given date): what
/// [`Icd10Cm::status_and_id`] returns so that later questions about the same code skip the
/// lookup. Only meaningful for the table that returned it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CodeId(u32);

impl CodeId {
    /// One of 256 places, always the same for the same code: a set of a claim's codes in four
    /// words, whose clear bit tells that a code is not among them without comparing any. The
    /// place is a hash of the code's position, so that codes near each other in the table
    /// (E11.9, E11.65) fall apart. With 64 places a claim of 18 diagnoses meets ~2.4 false
    /// matches, each compared with the codes before it, and ~0.6 with 256 (by the birthday
    /// bound); `dx.duplicate` took 843 instructions a claim of 18, 640 with 256 (callgrind).
    #[inline]
    pub fn place(self) -> u8 {
        (self.0.wrapping_mul(0x9E37_79B1) >> 24) as u8
    }
}

/// One code range of an Excludes1 note, with where the note's text is.
#[derive(Debug, Clone, Copy)]
struct ExcludesRange {
    lo: u64,
    hi: u64,
    /// Offset of the note's text (a length-prefixed string) in the notes section.
    text: u32,
}

/// Per code, the Excludes1 ranges that apply to it, flattened in the order the tabular
/// conventions read them: the code's own notes, then its ancestors', its section's and its
/// chapter's. A pair test is then a scan of a few integer intervals (about 2 per code on
/// average, at most a few dozen) instead of a walk up the tree decoding notes. Filled lazily,
/// per code, on first use: building all of them at load would cost more than `Engine::new`
/// may take, and a claim stream uses a small part of the code set. The cells themselves come
/// in chunks allocated on first use, so a first check touches a few KiB, not a cell per code.
type Excludes1 = Box<[OnceLock<Box<[OnceLock<Box<[ExcludesRange]>>]>>]>;

/// A category's bits in a code's Excludes1 filter ([`Icd10Cm::excludes1_filters`]): two of bits
/// 1-63 (one, when the two coincide) from a hash of the key's first three bytes (bit 0 is
/// [`FILTERED`]); a key passes when both are set. With one bit a key, 92 % of the keys let
/// through on claims of 18 diagnoses were of a category none of the code's ranges holds, their
/// bits colliding, and not reading the ranges behind them ran the full catalogue ×1.26–1.34.
/// Two bits a key pass a key of another category far less often while the word holds a few
/// categories, as nine codes' filters in ten do (0-3): 2.9 keys let through a claim, not 9.2.
#[inline]
fn category_bits(key: u64) -> u64 {
    let h = (key >> 40).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    2 << ((h >> 58) % 63) | 2 << ((h >> 52 & 63) % 63)
}

/// Entries of [`Icd10Cm::counts_under`] (a key's top 10 bits of a multiplicative hash pick one).
const COUNTS_UNDER: usize = 1 << 10;

/// Set in a code's entry of [`Icd10Cm::excludes1_filters`] once its filter is worked out (an
/// entry of 0 is not yet); alone, the code has no Excludes1 range.
const FILTERED: u64 = 1;

/// A two-byte prefix's bit (a letter and a digit: a tenth of a chapter, roughly) in a code's
/// filter of the ranges that span categories, from a hash of the key's first two bytes.
#[inline]
fn prefix_bit(key: u64) -> u64 {
    1 << ((key >> 48).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58)
}

/// The most two-byte prefixes a range that spans categories sets one by one in its code's
/// filter; a wider range sets every bit.
const WIDE_PREFIXES: u64 = 512;

/// The Excludes1 notes that apply to one code: see [`Icd10Cm::excludes1_of`]. Holds the code's
/// filters; its ranges are read only for a key that passes them.
#[derive(Debug, Clone, Copy)]
pub struct Excludes1Of<'a> {
    cm: &'a Icd10Cm,
    id: u32,
    /// The categories (three-byte prefixes) of its ranges within one category.
    categories: u64,
    /// The two-byte prefixes its ranges over several categories reach.
    prefixes: u64,
}

impl<'a> Excludes1Of<'a> {
    /// The text of the nearest note that references `code` (normalized), if any.
    #[inline]
    pub fn conflict(&self, code: &str) -> Option<&'a str> {
        if self.is_empty() {
            return None;
        }
        self.conflict_key(key_of(code.as_bytes())?)
    }

    /// [`conflict`](Self::conflict) with a code given by its key ([`key_of`]), for callers
    /// that test one code against several codes' notes and so work its key out once. `0`, which
    /// is no code's key, conflicts with nothing.
    #[inline]
    pub fn conflict_key(&self, key: u64) -> Option<&'a str> {
        if !self.passes(key) {
            return None;
        }
        let at = self.cm.flat_excludes1(self.id as usize).iter().find(|r| r.lo <= key && key <= r.hi)?.text;
        get_str(&self.cm.data[self.cm.notes.clone()], &mut (at as usize))
    }

    /// Whether `key` passes the code's filters: when not, it is in none of its ranges.
    #[inline]
    fn passes(&self, key: u64) -> bool {
        let bits = category_bits(key);
        self.categories & bits == bits || self.prefixes & prefix_bit(key) != 0
    }

    /// Whether no Excludes1 note applies to the code, at any level: then it excludes nothing.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.categories & !FILTERED == 0 && self.prefixes == 0
    }
}

/// Where a note list comes from: a code (by table index), a section, a chapter (number).
#[derive(Debug, Clone, Copy)]
enum NoteSource {
    Code(usize),
    Section(usize),
    Chapter(u8),
}

/// Codes per chunk of [`Excludes1`] cells.
const EXCLUDES1_CHUNK: usize = 1024;

/// Ancestors followed above a code (ICD-10-CM trees are at most 7 deep; the guard only
/// protects against a corrupt table with a parent cycle).
const MAX_DEPTH: usize = 10;

/// One encoded note, read in place.
#[derive(Debug, Clone, Copy)]
struct RawNote<'a> {
    kind: u8,
    /// Offset of the text (length-prefixed) in the notes section.
    text_at: u32,
    text: &'a [u8],
    /// 16 bytes per referenced range: `lo`, `hi` (little-endian keys).
    refs: &'a [u8],
}

impl<'a> RawNote<'a> {
    fn ranges(self) -> impl Iterator<Item = (u64, u64)> + 'a {
        self.refs.chunks_exact(16).map(|r| (u64_at(r, 0), u64_at(r, 8)))
    }
}

/// The notes of one note list (at an offset in the notes section), without decoding text;
/// stops at the first malformed byte.
struct NoteIter<'a> {
    b: &'a [u8],
    pos: usize,
    left: u32,
}

impl<'a> NoteIter<'a> {
    fn at(b: &'a [u8], off: u32) -> NoteIter<'a> {
        let mut pos = off as usize;
        let left = if off == NONE32 { 0 } else { get_varint(b, &mut pos).unwrap_or(0) };
        NoteIter { b, pos, left }
    }
    fn read(&mut self) -> Option<RawNote<'a>> {
        let b = self.b;
        let kind = *b.get(self.pos)?;
        let text_at = self.pos + 1;
        self.pos = text_at;
        let len = get_varint(b, &mut self.pos)? as usize;
        let text = b.get(self.pos..self.pos.checked_add(len)?)?;
        self.pos += len;
        let nr = get_varint(b, &mut self.pos)? as usize;
        let refs = b.get(self.pos..self.pos.checked_add(nr.checked_mul(16)?)?)?;
        self.pos += refs.len();
        Some(RawNote { kind, text_at: text_at as u32, text, refs })
    }
}

impl<'a> Iterator for NoteIter<'a> {
    type Item = RawNote<'a>;
    fn next(&mut self) -> Option<RawNote<'a>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let note = self.read();
        if note.is_none() {
            self.left = 0;
        }
        note
    }
}

/// A "code first" note of a code (its own or inherited) that references codes, read in place.
#[derive(Debug, Clone, Copy)]
pub struct CodeFirstNote<'a> {
    /// The note as written in the tabular list.
    pub text: &'a str,
    refs: &'a [u8],
}

impl CodeFirstNote<'_> {
    /// Whether the note references `code` (normalized).
    pub fn covers(&self, code: &str) -> bool {
        key_of(code.as_bytes())
            .is_some_and(|k| self.refs.chunks_exact(16).any(|r| u64_at(r, 0) <= k && k <= u64_at(r, 8)))
    }
}

struct SevenDef {
    chars: Vec<(u8, String)>,
}

/// How many spans of dates get a set of their valid codes (1 MiB each for ICD-10-CM).
const VALID_SETS: usize = 8;

/// The ICD-10-CM code set (immutable; `Send + Sync`).
pub struct Icd10Cm {
    data: Cow<'static, [u8]>,
    keys: Vec<u64>,
    /// Built on first use, so that loading stays cheap (`Engine::new` ≤ a few ms).
    index: OnceLock<KeyIndex<DxFlags>>,
    excludes1: OnceLock<Excludes1>,
    /// Per code, two filters ([`excludes1_filter`](Self::excludes1_filter)): the categories
    /// (first three characters) its Excludes1 ranges within one category hold, a
    /// [`category_bits`] each, with [`FILTERED`] set (0 until first used); and the two-byte
    /// prefixes its ranges over several categories reach, a [`prefix_bit`] each. A key whose
    /// bits are clear in both is in no range, so most pairs of a claim's codes are told apart
    /// without reading the ranges. 16 bytes a code, dense enough to stay in cache, where the
    /// code's cell in [`Excludes1`] (a cache miss on a claim's every diagnosis, a quarter of
    /// `dx.excludes1`'s time) is read only for a key that passes.
    excludes1_filters: OnceLock<Box<[[AtomicU64; 2]]>>,
    /// [`count_under`](Self::count_under)'s remembered counts, by a hash of code and epoch.
    counts_under: Box<[AtomicU64]>,
    /// The distinct `from` and `to` dates of every period, sorted ([`epoch`](Self::epoch)).
    epoch_dates: OnceLock<(Vec<Ymd>, Vec<Ymd>)>,
    /// The codes valid on a span of dates that see every code alike (an [epoch](Self::epoch)),
    /// with the span's first and last date: built for [`is_valid_key`](Self::is_valid_key) on
    /// first asking for a date in the span (1–10 ms, 1 MiB), at most [`VALID_SETS`] of them;
    /// dates of further spans are looked up in the index.
    valid_sets: [OnceLock<(Ymd, Ymd, KeySet)>; VALID_SETS],
    /// The place in `valid_sets` of the set used last (out of range for none): a caller's next
    /// date is nearly always in its span, found with one load and two compares.
    valid_set_last: AtomicUsize,
    recs: Range<usize>,
    periods: Range<usize>,
    notes: Range<usize>,
    dict: Range<usize>,
    stream: Range<usize>,
    chapters: Vec<(u8, u32, u32)>,
    sections: Vec<(String, u32, u8, u32)>,
    seven: Vec<SevenDef>,
    pub(crate) covered_through: Ymd,
    pub(crate) releases: Vec<String>,
    pub(crate) age: Vec<AgeRow>,
    pub(crate) discharge: Vec<(String, Ymd, Ymd)>,
    pool: OnceLock<PoolIndex>,
    search: OnceLock<crate::search::Index>,
}

impl std::fmt::Debug for Icd10Cm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Icd10Cm({} codes, {} bytes)", self.keys.len(), self.data.len())
    }
}

pub(crate) fn to_str(k: u64) -> String {
    k.to_be_bytes().iter().take_while(|c| **c != 0).map(|c| *c as char).collect()
}

fn hi_of(prefix: &str) -> u64 {
    let mut k = [0xFFu8; 8];
    k[..prefix.len()].copy_from_slice(prefix.as_bytes());
    u64::from_be_bytes(k)
}

/// Insert the dot after the category (`E1122` → `E11.22`).
pub fn display(code: &str) -> String {
    if code.len() > 3 { format!("{}.{}", &code[..3], &code[3..]) } else { code.to_string() }
}

fn bad() -> crate::CodeSetError {
    crate::CodeSetError::new("icd10cm table", 0, "corrupt ICD-10-CM table")
}

impl Icd10Cm {
    pub(crate) fn from_bytes(data: Cow<'static, [u8]>) -> Result<Self, crate::CodeSetError> {
        let s = sections(&data, MAGIC).ok_or_else(bad)?;
        if s.len() != 10 {
            return Err(bad());
        }
        let d: &[u8] = &data;
        let keys: Vec<u64> =
            d[s[1].clone()].chunks_exact(8).map(|c| u64::from_be_bytes(c.try_into().unwrap())).collect();
        if s[2].len() != keys.len() * REC || s[3].len() % 16 != 0 {
            return Err(bad());
        }
        let mut pos = 0;
        let meta = &d[s[0].clone()];
        let covered_through = get_varint(meta, &mut pos).ok_or_else(bad)?;
        let n = get_varint(meta, &mut pos).ok_or_else(bad)?;
        let mut releases = Vec::new();
        for _ in 0..n {
            releases.push(get_str(meta, &mut pos).ok_or_else(bad)?.to_string());
        }
        let n = get_varint(meta, &mut pos).ok_or_else(bad)?;
        let mut age = Vec::new();
        for _ in 0..n {
            let flag = get_str(meta, &mut pos).ok_or_else(bad)?.to_string();
            let lo = *meta.get(pos).ok_or_else(bad)?;
            let hi = *meta.get(pos + 1).ok_or_else(bad)?;
            pos += 2;
            let from = get_varint(meta, &mut pos).ok_or_else(bad)?;
            let to = get_varint(meta, &mut pos).ok_or_else(bad)?;
            age.push(AgeRow { flag, lo, hi, from, to });
        }
        let n = get_varint(meta, &mut pos).ok_or_else(bad)?;
        let mut discharge = Vec::new();
        for _ in 0..n {
            let c = get_str(meta, &mut pos).ok_or_else(bad)?.to_string();
            let f = get_varint(meta, &mut pos).ok_or_else(bad)?;
            let t = get_varint(meta, &mut pos).ok_or_else(bad)?;
            discharge.push((c, f, t));
        }
        let b = &d[s[4].clone()];
        let mut pos = 0;
        let n = get_varint(b, &mut pos).ok_or_else(bad)?;
        let mut chapters = Vec::new();
        for _ in 0..n {
            let num = *b.get(pos).ok_or_else(bad)?;
            pos += 1;
            let t = get_varint(b, &mut pos).ok_or_else(bad)?;
            let nt = u32::from_le_bytes(b.get(pos..pos + 4).ok_or_else(bad)?.try_into().unwrap());
            pos += 4;
            chapters.push((num, t, nt));
        }
        let b = &d[s[5].clone()];
        let mut pos = 0;
        let n = get_varint(b, &mut pos).ok_or_else(bad)?;
        let mut secs = Vec::new();
        for _ in 0..n {
            let id = get_str(b, &mut pos).ok_or_else(bad)?.to_string();
            let t = get_varint(b, &mut pos).ok_or_else(bad)?;
            let ch = *b.get(pos).ok_or_else(bad)?;
            pos += 1;
            let nt = u32::from_le_bytes(b.get(pos..pos + 4).ok_or_else(bad)?.try_into().unwrap());
            pos += 4;
            secs.push((id, t, ch, nt));
        }
        let b = &d[s[6].clone()];
        let mut pos = 0;
        let n = get_varint(b, &mut pos).ok_or_else(bad)?;
        let mut seven = Vec::new();
        for _ in 0..n {
            let m = get_varint(b, &mut pos).ok_or_else(bad)?;
            let mut chars = Vec::new();
            for _ in 0..m {
                let c = *b.get(pos).ok_or_else(bad)?;
                pos += 1;
                chars.push((c, get_str(b, &mut pos).ok_or_else(bad)?.to_string()));
            }
            seven.push(SevenDef { chars });
        }
        Ok(Icd10Cm {
            keys,
            index: OnceLock::new(),
            excludes1: OnceLock::new(),
            excludes1_filters: OnceLock::new(),
            counts_under: (0..COUNTS_UNDER).map(|_| AtomicU64::new(0)).collect(),
            epoch_dates: OnceLock::new(),
            valid_sets: Default::default(),
            valid_set_last: AtomicUsize::new(usize::MAX),
            recs: s[2].clone(),
            periods: s[3].clone(),
            notes: s[7].clone(),
            dict: s[8].clone(),
            stream: s[9].clone(),
            chapters,
            sections: secs,
            seven,
            covered_through,
            releases,
            age,
            discharge,
            pool: OnceLock::new(),
            search: OnceLock::new(),
            data,
        })
    }

    fn pool(&self) -> &PoolIndex {
        self.pool.get_or_init(|| PoolIndex::new(&self.data, self.dict.clone()).unwrap_or_default())
    }
    pub(crate) fn text(&self, id: u32) -> Option<String> {
        self.pool().get(&self.data, &self.stream, id)
    }

    #[inline]
    fn rec(&self, i: usize) -> &[u8] {
        let o = self.recs.start + i * REC;
        &self.data[o..o + REC]
    }
    fn index(&self) -> &KeyIndex<DxFlags> {
        self.index.get_or_init(|| KeyIndex::build(&self.keys, |i| self.periods_of(i)))
    }
    #[inline]
    fn find(&self, code: &str) -> Option<usize> {
        self.index().find(key_of(code.as_bytes())?)
    }
    #[inline]
    fn periods_of(&self, i: usize) -> impl Iterator<Item = Period<DxFlags>> + '_ {
        let r = self.rec(i);
        let (start, n) = (u32_at(r, 0) as usize, r[20] as usize);
        let ps = self.data.get(self.periods.start + start * 16..self.periods.start + (start + n) * 16).unwrap_or(&[]);
        ps.chunks_exact(16).map(|c| Period {
            from: u32::from_le_bytes([c[0], c[1], c[2], c[3]]),
            to: u32::from_le_bytes([c[4], c[5], c[6], c[7]]),
            flags: DxFlags(u32::from_le_bytes([c[8], c[9], c[10], c[11]])),
        })
    }
    /// Table indexes of the codes valid on `date`.
    fn valid_on(&self, date: Ymd) -> impl Iterator<Item = usize> + '_ {
        (0..self.keys.len()).filter(move |&i| self.valid_at(i, date).is_some())
    }
    fn valid_at(&self, i: usize, date: Ymd) -> Option<DxFlags> {
        self.periods_of(i).find(|p| p.from <= date && date <= p.to).map(|p| p.flags)
    }
    fn parent_idx(&self, i: usize) -> Option<usize> {
        let p = u32_at(self.rec(i), 12);
        (p != NONE32).then_some(p as usize)
    }
    fn tree(&self, i: usize) -> u8 {
        self.rec(i)[22]
    }
    fn prefix_range(&self, prefix: &str) -> Range<usize> {
        let Some(lo) = key_of(prefix.as_bytes()) else { return 0..0 };
        let hi = hi_of(prefix);
        let a = self.keys.partition_point(|k| *k < lo);
        let b = self.keys.partition_point(|k| *k <= hi);
        a..b
    }

    /// Normalize user input (trim, drop dots, upper-case); see [`crate::normalize`].
    pub fn normalize(code: &str) -> Option<String> {
        crate::import::normalize_code(code)
    }

    /// Number of codes in the table (valid on any date, plus tabular headers).
    pub fn len(&self) -> usize {
        self.keys.len()
    }
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
    /// Last day the loaded releases speak for (open-ended periods continue past it).
    pub fn covered_through(&self) -> Ymd {
        self.covered_through
    }

    /// Validity and flags of `code` (normalized: upper case, no dot) on `date`. Does not
    /// allocate when the code is valid.
    #[inline]
    pub fn status(&self, code: &str, date: Ymd) -> DxStatus {
        self.status_and_id(code, date).0
    }

    /// [`status`](Self::status), plus the code's [`CodeId`] when it is in the table (valid
    /// or not), for the per-code questions that follow ([`Icd10Cm::excludes1_conflict_at`]).
    #[inline]
    pub fn status_and_id(&self, code: &str, date: Ymd) -> (DxStatus, Option<CodeId>) {
        let Some(k) = key_of(code.as_bytes()) else { return (self.status_slow(code, date, None), None) };
        match self.index().lookup(k, date, |i| self.periods_of(i)) {
            Hit::Valid(i, f) => (DxStatus::Valid(f), Some(CodeId(i as u32))),
            Hit::Other(i) => (self.status_slow(code, date, Some(i)), Some(CodeId(i as u32))),
            Hit::Absent => (self.status_slow(code, date, None), None),
        }
    }

    /// Whether `code` is valid (billable) on `date`: [`status`](Self::status) is `Valid`,
    /// without working out why not when it is not.
    #[inline]
    pub fn is_valid(&self, code: &str, date: Ymd) -> bool {
        self.flags(code, date).is_some()
    }

    /// Starts loading what a look-up of `code` (normalized) reads first, without waiting for
    /// it: for a caller that knows its next codes while it works on others (see
    /// `Engine::prefetch` in the `cleanclaim` crate).
    #[inline]
    pub fn prefetch(&self, code: &str) {
        if let Some(k) = key_of(code.as_bytes()) {
            self.index().prefetch(k);
        }
    }

    /// [`is_valid`](Self::is_valid) of a code given by its key ([`key_of`]).
    pub fn is_valid_key(&self, key: u64, date: Ymd) -> bool {
        match self.valid_set(date) {
            Some(set) => set.contains(key),
            None => matches!(self.index().lookup(key, date, |i| self.periods_of(i)), Hit::Valid(..)),
        }
    }

    /// The set of the codes valid on `date`, `None` when [`VALID_SETS`] sets for other spans
    /// of dates are built already (or the table has no periods).
    #[inline]
    fn valid_set(&self, date: Ymd) -> Option<&KeySet> {
        match self.valid_sets.get(self.valid_set_last.load(Relaxed)).and_then(OnceLock::get) {
            Some((from, to, set)) if *from <= date && date <= *to => Some(set),
            _ => self.valid_set_slow(date),
        }
    }

    #[cold]
    fn valid_set_slow(&self, date: Ymd) -> Option<&KeySet> {
        let covers = |(f, t, _): &(Ymd, Ymd, KeySet)| *f <= date && date <= *t;
        // Every place taken by other spans: the index answers, as for every date before the
        // sets, without a lock or a build on each call.
        if self.valid_sets.iter().all(|place| place.get().is_some_and(|s| !covers(s))) {
            return None;
        }
        let (from, to) = self.epoch_span(date)?;
        // The first empty place gets this span's set, unless a place before it has it. A
        // place being filled by another thread is waited for (`get_or_init`), so two threads
        // never build one span's set twice.
        for (i, place) in self.valid_sets.iter().enumerate() {
            let found = place.get_or_init(|| {
                let valid: Vec<u64> = self.valid_on(date).map(|j| self.keys[j]).collect();
                (from, to, KeySet::build(&valid))
            });
            if covers(found) {
                self.valid_set_last.store(i, Relaxed);
                return Some(&found.2);
            }
        }
        None
    }

    /// [`is_valid`](Self::is_valid) of many codes given by their keys ([`key_of`] of each
    /// code; `0` for input that has none, never valid), pushed onto `out` in order. Many look-ups
    /// at once overlap their memory loads, which one call per code cannot. They read the set of
    /// the codes valid on `date`, as [`is_valid_key`](Self::is_valid_key) does (built by the
    /// first call for a date of its span), or the index past the last set.
    pub fn valid_keys_into(&self, keys: &[u64], date: Ymd, out: &mut Vec<bool>) {
        let at = out.len();
        out.resize(at + keys.len(), false);
        match self.valid_set(date) {
            Some(set) => set.contains_many(keys, &mut out[at..]),
            None => self.index().valid_many(keys, date, |i| self.periods_of(i), &mut out[at..]),
        }
    }

    pub fn flags(&self, code: &str, date: Ymd) -> Option<DxFlags> {
        match self.index().lookup(key_of(code.as_bytes())?, date, |i| self.periods_of(i)) {
            Hit::Valid(_, f) => Some(f),
            Hit::Other(_) | Hit::Absent => None,
        }
    }

    /// Table indexes of the codes valid on `date` that start with `prefix`, the prefix itself
    /// left out: keys are compared as words, never spelled out.
    fn valid_under(&self, prefix: &str, date: Ymd) -> impl Iterator<Item = usize> + '_ {
        let own = key_of(prefix.as_bytes());
        self.prefix_range(prefix).filter(move |&j| Some(self.keys[j]) != own && self.valid_at(j, date).is_some())
    }

    /// How many codes [`valid_under`](Self::valid_under) gives, remembered for a code of the
    /// table (`found`, its index) in a [validity epoch](Self::epoch): a header's billable codes
    /// are counted one by one (S52 has over 2,000; ~46 k instructions a header on average), and
    /// claims repeat the same few headers.
    fn count_under(&self, code: &str, date: Ymd, found: Option<usize>) -> usize {
        // An entry holds the code's index (20 bits), the epoch (25) and the count (19); 0 is
        // empty, as the epoch of any date is at least 1.
        let key = found
            .zip(self.epoch(date))
            .filter(|&(i, e)| i < 1 << 20 && e < 1 << 25)
            .map(|(i, e)| (i as u64) << 25 | u64::from(e));
        let Some(key) = key else { return self.valid_under(code, date).count() };
        let entry = &self.counts_under[(key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize];
        // Relaxed: an entry is written whole, and one that names this code and epoch holds its
        // count.
        let seen = entry.load(Relaxed);
        if seen != 0 && seen >> 19 == key {
            return (seen & ((1 << 19) - 1)) as usize;
        }
        let n = self.valid_under(code, date).count();
        if n < 1 << 19 {
            entry.store(key << 19 | n as u64, Relaxed);
        }
        n
    }

    /// Dates in one epoch see every code of the table valid or not alike: as many periods have
    /// begun by them (`from <= date`) and as many have ended before them (`to < date`). The
    /// epoch numbers the pair of counts over the distinct `from` and `to` dates (a few dozen
    /// each), from 1; `None` for a table without periods.
    fn epoch(&self, date: Ymd) -> Option<u32> {
        let (froms, tos) = self.epoch_dates();
        let begun = froms.partition_point(|&f| f <= date) as u64;
        let ended = tos.partition_point(|&t| t < date) as u64;
        // A table built with more distinct dates than fit gets no epoch (no remembered counts).
        let epoch = 1 + begun * (tos.len() as u64 + 1) + ended;
        (!froms.is_empty()).then(|| u32::try_from(epoch).ok()).flatten()
    }

    /// The first and last date of `date`'s [epoch](Self::epoch): no period begins or ends
    /// between them and `date`. Dates are compared as numbers (`yyyymmdd`), so the span's ends
    /// need not be days of the calendar.
    fn epoch_span(&self, date: Ymd) -> Option<(Ymd, Ymd)> {
        let (froms, tos) = self.epoch_dates();
        if froms.is_empty() {
            return None;
        }
        let (f, t) = (froms.partition_point(|&f| f <= date), tos.partition_point(|&t| t < date));
        // The same periods have begun from the last `from` on, and until the day before the next.
        let begun =
            (f.checked_sub(1).map_or(Ymd::MIN, |i| froms[i]), froms.get(f).map_or(Ymd::MAX, |&n| n.saturating_sub(1)));
        // The same periods have ended from the day after the last `to` before, through the next.
        let ended =
            (t.checked_sub(1).map_or(Ymd::MIN, |i| tos[i].saturating_add(1)), tos.get(t).copied().unwrap_or(Ymd::MAX));
        Some((begun.0.max(ended.0), begun.1.min(ended.1)))
    }

    fn epoch_dates(&self) -> &(Vec<Ymd>, Vec<Ymd>) {
        self.epoch_dates.get_or_init(|| {
            let (mut froms, mut tos) = (Vec::new(), Vec::new());
            for p in self.data[self.periods.clone()].chunks_exact(16) {
                for (list, d) in [(&mut froms, u32_at(p, 0)), (&mut tos, u32_at(p, 4))] {
                    if let Err(at) = list.binary_search(&d) {
                        list.insert(at, d);
                    }
                }
            }
            (froms, tos)
        })
    }

    fn seven_for(&self, i: usize) -> Option<&SevenDef> {
        let mut cur = Some(i);
        let mut guard = 0;
        while let Some(j) = cur {
            let s = u16_at(self.rec(j), 18);
            if s != u16::MAX {
                return self.seven.get(s as usize);
            }
            cur = self.parent_idx(j);
            guard += 1;
            if guard > 10 {
                break;
            }
        }
        None
    }

    /// Longest prefix of `code` that is a key.
    fn nearest(&self, code: &str) -> Option<usize> {
        (3..=code.len()).rev().find_map(|l| self.find(&code[..l]))
    }

    fn placeholder_fix(&self, code: &str, date: Ymd) -> Option<String> {
        if code.len() < 4 || code.len() > 6 {
            return None;
        }
        let (body, last) = code.split_at(code.len() - 1);
        let fixed = format!("{body}{}{last}", "X".repeat(6 - body.len()));
        if fixed != code && self.valid_at(self.find(&fixed)?, date).is_some() {
            return Some(fixed);
        }
        None
    }

    /// Why `code` is not valid on `date`; `found` is its table index (what [`Self::find`]
    /// would return), which the caller's probe already knows.
    #[cold]
    fn status_slow(&self, code: &str, date: Ymd, found: Option<usize>) -> DxStatus {
        // Non-ASCII is never a code, and the prefix slicing below needs char boundaries.
        if !code.is_ascii() || key_of(code.as_bytes()).is_none() || code.len() > 7 {
            return DxStatus::Unknown;
        }
        let under = self.count_under(code, date, found);
        if under > 0 {
            // Not a tabular header with children of its own, and a sevenChrDef applies (from
            // the code or its nearest listed ancestor, e.g. W21.89X → W21.89).
            let node = found.is_some_and(|i| self.tree(i) == 2);
            if !node && code.len() < 7 && self.nearest(code).and_then(|i| self.seven_for(i)).is_some() {
                return DxStatus::Incomplete(IncompleteKind::NeedsSeventhCharacter);
            }
            return DxStatus::Header { billable_children: under };
        }
        if self.placeholder_fix(code, date).is_some() {
            return DxStatus::Incomplete(IncompleteKind::NeedsPlaceholder);
        }
        let Some(i) = found else { return DxStatus::Unknown };
        let ps: Vec<Period<DxFlags>> = self.periods_of(i).collect();
        if ps.is_empty() {
            return if self.tree(i) == 2 { DxStatus::Header { billable_children: 0 } } else { DxStatus::Unknown };
        }
        if let Some(p) = ps.iter().filter(|p| p.to < date).max_by_key(|p| p.to) {
            return DxStatus::Deleted { last_valid: p.to };
        }
        DxStatus::NotYetValid { from: ps.iter().map(|p| p.from).min().unwrap_or(0) }
    }

    /// Explain why `code` is not billable on `date` (header, missing 7th character, missing
    /// `X` placeholder). `None` when the code is valid or the input is unknown/deleted.
    pub fn explain_incomplete(&self, code: &str, date: Ymd) -> Option<Incomplete> {
        let (kind, billable_children) = match self.status(code, date) {
            DxStatus::Header { billable_children } => (IncompleteKind::Header, billable_children),
            DxStatus::Incomplete(k) => (k, 0),
            _ => return None,
        };
        let mut out = Incomplete {
            code: code.to_string(),
            kind,
            seventh_characters: Vec::new(),
            suggestion: None,
            completions: self.completions_iter(code, date).take(200).collect(),
            message: String::new(),
        };
        match kind {
            IncompleteKind::Header => {
                out.message = format!(
                    "{} is a header, not a billable code; use one of the {} billable codes under it",
                    display(code),
                    billable_children
                );
            }
            IncompleteKind::NeedsSeventhCharacter => {
                let i = self.nearest(code)?;
                let def = self.seven_for(i)?;
                let pad = "X".repeat(6 - code.len());
                for (c, m) in &def.chars {
                    let full = format!("{code}{pad}{}", *c as char);
                    if self.is_valid(&full, date) {
                        out.seventh_characters.push((*c as char, m.clone()));
                    }
                }
                let list: Vec<String> = out.seventh_characters.iter().map(|(c, _)| c.to_string()).collect();
                out.message = format!(
                    "{} requires a 7th character{}: {}",
                    display(code),
                    if pad.is_empty() { String::new() } else { format!(" after the placeholder {pad}") },
                    list.join(" ")
                );
            }
            IncompleteKind::NeedsPlaceholder => {
                let fix = self.placeholder_fix(code, date)?;
                let base = &fix[..6];
                let i = self.nearest(base)?;
                if let Some(def) = self.seven_for(i) {
                    out.seventh_characters = def.chars.iter().map(|(c, m)| (*c as char, m.clone())).collect();
                }
                out.message = format!(
                    "{} has the 7th character in the wrong position: use the X placeholder, {}",
                    display(code),
                    display(&fix)
                );
                out.suggestion = Some(fix);
            }
        }
        Some(out)
    }

    /// Valid billable codes starting with `code` on `date` (the code itself excluded).
    pub fn completions(&self, code: &str, date: Ymd) -> Vec<String> {
        self.completions_iter(code, date).collect()
    }

    /// [`completions`](Self::completions) one at a time, in code order: a message that shows
    /// the first few spells out only those.
    pub fn completions_iter(&self, code: &str, date: Ymd) -> impl Iterator<Item = String> + '_ {
        self.valid_under(code, date).map(|j| to_str(self.keys[j]))
    }

    /// Every code valid on `date`, in code order.
    pub fn valid_codes_on(&self, date: Ymd) -> Vec<&str> {
        let keys = &self.data[self.recs.start - 4 - self.keys.len() * 8..self.recs.start - 4];
        self.valid_on(date)
            .map(|i| {
                let k = &keys[i * 8..i * 8 + 8];
                let n = k.iter().position(|c| *c == 0).unwrap_or(8);
                std::str::from_utf8(&k[..n]).unwrap_or("")
            })
            .collect()
    }

    /// Inclusive age range of an MCE age group on `date`.
    pub fn age_range(&self, group: AgeGroup, date: Ymd) -> Option<(u8, u8)> {
        self.age.iter().find(|a| a.flag == group.flag() && a.from <= date && date <= a.to).map(|a| (a.lo, a.hi))
    }

    /// Whether a patient discharge status code (2 digits) is valid on `date` (MCE list).
    pub fn discharge_status_valid(&self, code: &str, date: Ymd) -> bool {
        self.discharge.iter().any(|(c, f, t)| c == code && *f <= date && date <= *t)
    }

    fn chapter_of(&self, n: u8) -> Option<Chapter> {
        let c = self.chapters.iter().find(|c| c.0 == n)?;
        Some(Chapter { number: n, title: self.text(c.1).unwrap_or_default() })
    }

    fn section_of(&self, i: usize) -> Option<Section> {
        let s = u16_at(self.rec(i), 16);
        let (id, t, ch, _) = self.sections.get(s as usize)?;
        Some(Section { id: id.clone(), title: self.text(*t).unwrap_or_default(), chapter: *ch })
    }

    /// Everything about a code; with a date, `billable` and `flags` refer to that date.
    pub fn lookup(&self, code: &str, date: Option<Ymd>) -> Option<CodeInfo> {
        let i = self.find(code)?;
        let r = self.rec(i);
        let periods: Vec<Period<DxFlags>> = self.periods_of(i).collect();
        let flags = match date {
            Some(d) => self.valid_at(i, d),
            None => periods.last().map(|p| p.flags),
        };
        let billable = match date {
            Some(_) => flags.is_some(),
            None => !periods.is_empty(),
        };
        let children =
            self.prefix_range(code).filter(|&j| self.parent_idx(j) == Some(i)).map(|j| to_str(self.keys[j])).collect();
        let seventh = if code.len() < 7 {
            self.seven_for(i)
                .map(|d| d.chars.iter().map(|(c, m)| (*c as char, m.clone())).collect())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let notes = self.own_notes(i);
        let eff = self.notes(code);
        let effective: Vec<(NoteKind, String, String)> = eff
            .includes
            .iter()
            .chain(&eff.excludes1)
            .chain(&eff.excludes2)
            .chain(&eff.code_first)
            .chain(&eff.use_additional)
            .chain(&eff.code_also)
            .chain(&eff.other)
            .map(|n| (n.kind, n.source.clone(), n.text.to_string()))
            .collect();
        Some(CodeInfo {
            notes: effective,
            code: code.to_string(),
            display: display(code),
            description: self.text(u32_at(r, 4)),
            billable,
            header: r[22] == 2,
            chapter: self.chapter_of(r[21]),
            section: self.section_of(i),
            category: code[..code.len().min(3)].to_string(),
            parent: self.parent_idx(i).map(|p| to_str(self.keys[p])),
            children,
            flags,
            valid_periods: periods,
            seventh_characters: seventh,
            inclusion_terms: notes
                .into_iter()
                .filter(|n| n.kind == NoteKind::InclusionTerm)
                .map(|n| n.text.to_string())
                .collect(),
        })
    }

    /// Description only (decoded lazily).
    pub fn description(&self, code: &str) -> Option<String> {
        self.text(u32_at(self.rec(self.find(code)?), 4))
    }

    fn decode_notes<'a>(&'a self, off: u32, source: &str, out: &mut Vec<Note<'a>>) {
        for n in NoteIter::at(&self.data[self.notes.clone()], off) {
            let (Some(kind), Ok(text)) = (NoteKind::from_u8(n.kind), std::str::from_utf8(n.text)) else { return };
            let refs = n.ranges().map(|(lo, hi)| CodeRange { lo, hi }).collect();
            out.push(Note { kind, text, source: source.to_string(), refs });
        }
    }

    fn own_notes(&self, i: usize) -> Vec<Note<'_>> {
        let mut v = Vec::new();
        self.decode_notes(u32_at(self.rec(i), 8), &to_str(self.keys[i]), &mut v);
        v
    }

    /// Effective notes of `code`: its own, then its ancestors', its section's and chapter's
    /// (nearest first). Inclusion terms are the code's own. Codes not in the table have none.
    pub fn notes(&self, code: &str) -> Notes<'_> {
        let mut all = Vec::new();
        let Some(i) = self.find(code) else { return Notes::default() };
        for (off, source) in self.note_lists(i) {
            if off != NONE32 {
                let label = match source {
                    NoteSource::Code(j) => to_str(self.keys[j]),
                    NoteSource::Section(s) => self.sections[s].0.clone(),
                    NoteSource::Chapter(ch) => format!("chapter {ch}"),
                };
                self.decode_notes(off, &label, &mut all);
            }
        }
        let mut n = Notes::default();
        for note in all {
            match note.kind {
                NoteKind::InclusionTerm => {
                    if note.source == code {
                        n.inclusion_terms.push(note.text)
                    }
                }
                NoteKind::Includes => n.includes.push(note),
                NoteKind::Excludes1 => n.excludes1.push(note),
                NoteKind::Excludes2 => n.excludes2.push(note),
                NoteKind::CodeFirst => n.code_first.push(note),
                NoteKind::UseAdditionalCode => n.use_additional.push(note),
                NoteKind::CodeAlso => n.code_also.push(note),
                NoteKind::Notes => n.other.push(note),
            }
        }
        n
    }

    /// The text of an Excludes1 note of `a` (or of its ancestors, section or chapter) that
    /// references `b`, if any (the nearest such note).
    pub fn excludes1_conflict(&self, a: &str, b: &str) -> Option<&str> {
        self.excludes1_conflict_at(CodeId(self.find(a)? as u32), b)
    }

    /// [`excludes1_conflict`](Self::excludes1_conflict) for a code already looked up.
    #[inline]
    pub fn excludes1_conflict_at(&self, a: CodeId, b: &str) -> Option<&str> {
        self.excludes1_of(a).conflict(b)
    }

    /// Starts loading code `a`'s Excludes1 filter (see [`excludes1_of`](Self::excludes1_of))
    /// without waiting for it: a hint for a caller that will ask for it a little later.
    #[inline]
    pub fn prefetch_excludes1(&self, a: CodeId) {
        if let Some(entry) = self.excludes1_filters.get().and_then(|f| f.get(a.0 as usize)) {
            crate::index::prefetch(entry);
        }
    }

    /// The Excludes1 notes that apply to code `a` (its own, its ancestors', its section's and
    /// its chapter's), ready to test other codes against: the hot path of the `dx.excludes1`
    /// edit fetches them once per diagnosis, then tests every other diagnosis. Allocates
    /// nothing after a code's first use.
    #[inline]
    pub fn excludes1_of(&self, a: CodeId) -> Excludes1Of<'_> {
        let filters = self
            .excludes1_filters
            .get_or_init(|| (0..self.keys.len()).map(|_| [AtomicU64::new(0), AtomicU64::new(0)]).collect());
        let (mut categories, mut prefixes) = (FILTERED, 0);
        if let Some([narrow, wide]) = filters.get(a.0 as usize) {
            // An entry only ever holds 0 or the one value every thread works out; Acquire and
            // Release: a thread that sees the first word sees the second stored before it.
            categories = narrow.load(Acquire);
            if categories == 0 {
                (categories, prefixes) = self.excludes1_filter(a.0 as usize);
                wide.store(prefixes, Relaxed);
                narrow.store(categories, Release);
            } else {
                prefixes = wide.load(Relaxed);
            }
        }
        Excludes1Of { cm: self, id: a.0, categories, prefixes }
    }

    /// Code `i`'s Excludes1 filters: the bits of the categories its ranges within one
    /// category hold (keys between two keys that share their first three bytes share them
    /// too), and those of the two-byte prefixes its other ranges reach (likewise). A range
    /// over several categories set every category bit before: most section and chapter notes
    /// have one, and 87 % of the keys let through were let through by them; a range held 0.4 %
    /// of the keys let through (counted on claims of 18 diagnoses, twenty-second session).
    fn excludes1_filter(&self, i: usize) -> (u64, u64) {
        let (mut categories, mut prefixes) = (FILTERED, 0);
        for r in self.flat_excludes1(i) {
            if r.lo >> 40 == r.hi >> 40 {
                categories |= category_bits(r.lo);
            } else {
                let (from, to) = (r.lo >> 48, r.hi >> 48);
                if to.saturating_sub(from) > WIDE_PREFIXES {
                    prefixes = u64::MAX;
                } else {
                    prefixes = (from..=to).fold(prefixes, |p, prefix| p | prefix_bit(prefix << 48));
                }
            }
        }
        (categories, prefixes)
    }

    /// Code `i`'s flattened Excludes1 ranges, flattened on first use.
    fn flat_excludes1(&self, i: usize) -> &[ExcludesRange] {
        let chunks = self
            .excludes1
            .get_or_init(|| (0..self.keys.len().div_ceil(EXCLUDES1_CHUNK)).map(|_| OnceLock::new()).collect());
        chunks
            .get(i / EXCLUDES1_CHUNK)
            .map(|c| c.get_or_init(|| (0..EXCLUDES1_CHUNK).map(|_| OnceLock::new()).collect()))
            .and_then(|chunk| chunk.get(i % EXCLUDES1_CHUNK))
            .map_or(&[], |cell| cell.get_or_init(|| self.flatten_excludes1(i)))
    }

    /// The note lists that apply to code `i`, nearest first: its own, its ancestors', its
    /// section's, its chapter's (offsets into the notes section, [`NONE32`] = none, each with
    /// where it comes from).
    fn note_lists(&self, i: usize) -> [(u32, NoteSource); MAX_DEPTH + 3] {
        let mut lists = [(NONE32, NoteSource::Code(0)); MAX_DEPTH + 3];
        if i >= self.keys.len() {
            return lists;
        }
        let mut n = 0;
        let mut cur = Some(i);
        for _ in 0..=MAX_DEPTH {
            let Some(j) = cur else { break };
            lists[n] = (u32_at(self.rec(j), 8), NoteSource::Code(j));
            n += 1;
            cur = self.parent_idx(j);
        }
        let r = self.rec(i);
        let section = u16_at(r, 16) as usize;
        if let Some(sec) = self.sections.get(section) {
            lists[n] = (sec.3, NoteSource::Section(section));
            n += 1;
        }
        if let Some(c) = self.chapters.iter().find(|c| c.0 == r[21]) {
            lists[n] = (c.2, NoteSource::Chapter(c.0));
        }
        lists
    }

    #[cold]
    fn flatten_excludes1(&self, i: usize) -> Box<[ExcludesRange]> {
        let b = &self.data[self.notes.clone()];
        self.note_lists(i)
            .into_iter()
            .flat_map(|(off, _)| NoteIter::at(b, off))
            .filter(|n| n.kind == NoteKind::Excludes1 as u8)
            .flat_map(|n| n.ranges().map(move |(lo, hi)| ExcludesRange { lo, hi, text: n.text_at }))
            .collect()
    }

    /// The "code first" notes of a code that reference codes (its own, then its ancestors',
    /// its section's and its chapter's), read in place without allocating. Notes without
    /// references ("code first underlying disease") are left out: nothing can satisfy them.
    pub fn code_first_at(&self, id: CodeId) -> impl Iterator<Item = CodeFirstNote<'_>> + '_ {
        let b = &self.data[self.notes.clone()];
        self.note_lists(id.0 as usize)
            .into_iter()
            .flat_map(move |(off, _)| NoteIter::at(b, off))
            .filter(|n| n.kind == NoteKind::CodeFirst as u8 && !n.refs.is_empty())
            .filter_map(|n| Some(CodeFirstNote { text: std::str::from_utf8(n.text).ok()?, refs: n.refs }))
    }

    /// Ranked full-text search over descriptions and inclusion terms.
    pub fn search(&self, words: &str, limit: usize) -> Vec<SearchHit> {
        let idx = self.search.get_or_init(|| crate::search::Index::build(self));
        idx.query(self, words, limit)
    }

    pub(crate) fn search_docs(&self) -> impl Iterator<Item = (usize, String, Vec<&str>)> + '_ {
        (0..self.keys.len()).map(move |i| {
            let code = to_str(self.keys[i]);
            let incl: Vec<&str> =
                self.own_notes(i).into_iter().filter(|n| n.kind == NoteKind::InclusionTerm).map(|n| n.text).collect();
            (i, code, incl)
        })
    }
    pub(crate) fn code_at(&self, i: usize) -> String {
        to_str(self.keys[i])
    }
    pub(crate) fn desc_at(&self, i: usize) -> Option<String> {
        self.text(u32_at(self.rec(i), 4))
    }
    pub(crate) fn latest_valid(&self, i: usize) -> bool {
        self.periods_of(i).any(|p| p.to == OPEN || p.to >= self.covered_through)
    }

    /// Rebuild the owned model (for the builder).
    pub(crate) fn to_model(&self) -> CmModel {
        let mut m = CmModel {
            covered_through: self.covered_through,
            releases: self.releases.clone(),
            age: self.age.clone(),
            discharge: self.discharge.clone(),
            ..Default::default()
        };
        let own = |off: u32| -> Vec<(NoteKind, String)> {
            let mut v = Vec::new();
            self.decode_notes(off, "", &mut v);
            v.into_iter().map(|n| (n.kind, n.text.to_string())).collect()
        };
        m.chapters = self
            .chapters
            .iter()
            .map(|c| ChapterM { number: c.0, title: self.text(c.1).unwrap_or_default(), notes: own(c.2) })
            .collect();
        m.sections = self
            .sections
            .iter()
            .map(|s| SectionM {
                id: s.0.clone(),
                title: self.text(s.1).unwrap_or_default(),
                chapter: s.2,
                notes: own(s.3),
            })
            .collect();
        m.seven = self.seven.iter().map(|s| s.chars.clone()).collect();
        let mut codes = BTreeMap::new();
        for i in 0..self.keys.len() {
            let r = self.rec(i);
            let s = u16_at(r, 16);
            let sv = u16_at(r, 18);
            codes.insert(
                to_str(self.keys[i]),
                CmEntry {
                    periods: self.periods_of(i).collect(),
                    desc: self.text(u32_at(r, 4)),
                    tree: match r[22] {
                        1 => TreeKind::Leaf,
                        2 => TreeKind::Node,
                        _ => TreeKind::NotInTree,
                    },
                    parent: self.parent_idx(i).map(|p| to_str(self.keys[p])),
                    chapter: r[21],
                    section: (s != u16::MAX).then_some(s),
                    seven: (sv != u16::MAX).then_some(sv),
                    notes: own(u32_at(r, 8)),
                },
            );
        }
        m.codes = codes;
        m
    }
}

#[cfg(test)]
mod tests {
    use crate::CodeSets;

    /// A code's Excludes1 filters never say no to a key one of its ranges holds: for every
    /// code and each of its ranges, the range's first and last keys and one between pass them,
    /// and the look-up behind them finds a range. Most keys of other chapters do not pass
    /// (the filters prune).
    #[test]
    fn excludes1_filters_let_through_every_key_a_range_holds() {
        let cm = CodeSets::embedded().icd10cm();
        let (mut ranges, mut wide, mut pruned, mut tried) = (0, 0, 0, 0);
        let others: Vec<u64> = cm.keys.iter().step_by(97).copied().collect();
        for i in 0..cm.keys.len() {
            let f = cm.excludes1_of(super::CodeId(i as u32));
            for r in cm.flat_excludes1(i) {
                ranges += 1;
                wide += usize::from(r.lo >> 40 != r.hi >> 40);
                for k in [r.lo, r.hi, r.lo + (r.hi - r.lo) / 2] {
                    assert!(f.passes(k), "code {i}: key {k:#x} of a range not let through");
                    assert!(f.conflict_key(k).is_some(), "code {i}: key {k:#x} let through, no range found");
                }
            }
            if !f.is_empty() && i % 101 == 0 {
                tried += others.len();
                pruned += others.iter().filter(|&&k| !f.passes(k)).count();
            }
        }
        // 168,092 ranges, 16,606 over several categories; 97.3 % of the other keys pruned
        // (95.2 % with one bit a category).
        assert!(ranges > 150_000 && wide > 15_000, "{ranges} ranges, {wide} over several categories");
        assert!(pruned * 100 > tried * 96, "the filters let {} of {tried} other keys through", tried - pruned);
    }

    /// A header's remembered count of billable codes is the count on the asked date: on dates
    /// across the table's releases (each side of a boundary), asked twice (the second round
    /// can be answered from the table), for headers, a code, an unknown and a too-long one.
    #[test]
    fn remembered_counts_under_a_code_are_the_counts_on_the_date() {
        let cm = CodeSets::embedded().icd10cm();
        let dates = [2015_09_30, 2015_10_01, 2019_06_15, 2024_09_30, 2024_10_01, 2026_04_01, 2026_10_01, 2027_09_30];
        for _ in 0..2 {
            for code in ["E11", "S52", "I50", "Z87", "D69", "U07", "E119", "E11999", "S52521AZ"] {
                for date in dates {
                    let found = cm.find(code);
                    let want = cm.valid_under(code, date).count();
                    assert_eq!(cm.count_under(code, date, found), want, "{code} on {date}");
                }
            }
        }
        // Dates in one epoch: no period begins or ends between them.
        assert_eq!(cm.epoch(2025_10_01), cm.epoch(2026_03_31));
        assert_ne!(cm.epoch(2025_09_30), cm.epoch(2025_10_01));
    }

    /// The sets of valid codes that single look-ups read answer as the index does, for every
    /// code of the table, on each side of every date a period begins or ends (spans of one day
    /// included), in an order that comes back to spans already built, and past the last set
    /// place (the index answers); a span is the dates of one epoch.
    #[test]
    fn valid_code_sets_answer_as_the_index_on_every_span() {
        let cm = super::Icd10Cm::from_bytes(std::borrow::Cow::Borrowed(crate::CM_BIN)).unwrap();
        let (froms, tos) = cm.epoch_dates().clone();
        let mut dates: Vec<u32> = froms.iter().chain(&tos).flat_map(|&d| [d - 1, d, d + 1]).collect();
        dates.extend([2014_01_01, 2026_04_01, 2026_04_01, 2015_10_01, 9999_12_31]);
        let mut sets_used = std::collections::BTreeSet::new();
        for &date in &dates {
            let (from, to) = cm.epoch_span(date).unwrap();
            assert!(from <= date && date <= to, "{date} outside its span {from}..{to}");
            for d in [from, to] {
                assert_eq!(cm.epoch(d), cm.epoch(date), "{d} and {date} in one span");
            }
            for d in [from.checked_sub(1), to.checked_add(1)].into_iter().flatten() {
                assert_ne!(cm.epoch(d), cm.epoch(date), "{d} just outside {date}'s span");
            }
            let mut wants = Vec::new();
            for (i, &key) in cm.keys.iter().enumerate() {
                let want = matches!(cm.index().lookup(key, date, |i| cm.periods_of(i)), super::Hit::Valid(..));
                assert_eq!(cm.is_valid_key(key, date), want, "{} on {date}", super::to_str(key));
                assert_eq!(want, cm.valid_at(i, date).is_some());
                wants.push(want);
            }
            assert!(!cm.is_valid_key(0, date));
            // The batch, from the same set or the index, with the key of no code among them.
            let (mut keys, mid) = (cm.keys.clone(), cm.keys.len() / 2);
            keys.insert(mid, 0);
            wants.insert(mid, false);
            let mut got = vec![true];
            cm.valid_keys_into(&keys, date, &mut got);
            assert!(got[0] && got[1..] == wants, "batch on {date}");
            let valid = wants.iter().filter(|&&w| w).count();
            if cm.valid_sets.iter().filter_map(|s| s.get()).any(|(f, t, _)| (*f, *t) == (from, to)) {
                sets_used.insert((from, to));
            }
            assert!(!(2015_10_01..=2027_03_31).contains(&date) || valid > 60_000, "{valid} codes on {date}");
        }
        assert_eq!(sets_used.len(), super::VALID_SETS, "every place holds a set");
        assert!(dates.len() > 3 * super::VALID_SETS, "spans past the last place");
    }

    /// Threads that ask for dates of different spans at once, on a table none has asked
    /// before, build each span's set once and get the index's answers, whichever set another
    /// thread used last.
    #[test]
    fn valid_code_sets_built_by_threads_at_once_answer_as_the_index() {
        let cm = super::Icd10Cm::from_bytes(std::borrow::Cow::Borrowed(crate::CM_BIN)).unwrap();
        let days =
            [[2016_06_01, 2026_04_01], [2026_04_01, 2019_01_15], [2023_12_31, 2016_06_01], [2019_01_15, 2023_12_31]];
        std::thread::scope(|scope| {
            for pair in days {
                let cm = &cm;
                scope.spawn(move || {
                    for round in 0..2 {
                        for &date in &pair {
                            for &key in cm.keys.iter().skip(round).step_by(3) {
                                let want =
                                    matches!(cm.index().lookup(key, date, |i| cm.periods_of(i)), super::Hit::Valid(..));
                                assert_eq!(cm.is_valid_key(key, date), want, "{} on {date}", super::to_str(key));
                            }
                        }
                    }
                });
            }
        });
        let spans: std::collections::BTreeSet<_> = days.iter().flatten().map(|&d| cm.epoch_span(d).unwrap()).collect();
        let built: Vec<_> = cm.valid_sets.iter().filter_map(|s| s.get()).map(|(f, t, _)| (*f, *t)).collect();
        assert_eq!(built.len(), spans.len(), "one set a span: {built:?}");
        assert_eq!(built.iter().copied().collect::<std::collections::BTreeSet<_>>(), spans);
    }
}
