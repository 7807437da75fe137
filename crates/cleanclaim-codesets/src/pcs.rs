//! ICD-10-PCS: binary table and runtime [`Icd10Pcs`].

use crate::date::Ymd;
use crate::flags::PcsFlags;
use crate::format::{
    NONE32, PoolIndex, TextPoolBuilder, Writer, get_str, get_varint, put_str, put_varint, sections, u32_at, u64_at,
};
use crate::index::{Hit, KeyIndex};
use crate::model::{PcsEntry, PcsModel, Period};
use crate::refs::key_of;
use std::borrow::Cow;
use std::ops::Range;
use std::sync::OnceLock;

const MAGIC: &[u8; 8] = b"CCICDPC1";
const REC: usize = 12;

pub fn encode(m: &PcsModel) -> Vec<u8> {
    let mut pool = TextPoolBuilder::default();
    let hs: Vec<Option<usize>> = m.codes.values().map(|e| e.desc.as_deref().map(|d| pool.add(d))).collect();
    let (dict, stream) = pool.finish();
    let (mut keys, mut recs, mut periods) = (Vec::new(), Vec::new(), Vec::new());
    let mut np = 0u32;
    for ((k, e), h) in m.codes.iter().zip(&hs) {
        let mut kb = [0u8; 8];
        kb[..k.len()].copy_from_slice(k.as_bytes());
        keys.extend_from_slice(&kb);
        recs.extend_from_slice(&np.to_le_bytes());
        recs.extend_from_slice(&h.map(|h| pool.id(h)).unwrap_or(NONE32).to_le_bytes());
        recs.extend_from_slice(&(e.periods.len() as u32).to_le_bytes());
        for p in &e.periods {
            periods.extend_from_slice(&p.from.to_le_bytes());
            periods.extend_from_slice(&p.to.to_le_bytes());
            periods.extend_from_slice(&p.flags.0.to_le_bytes());
            np += 1;
        }
    }
    let mut meta = Vec::new();
    put_varint(&mut meta, m.covered_through);
    put_varint(&mut meta, m.releases.len() as u32);
    for r in &m.releases {
        put_str(&mut meta, r);
    }
    let mut w = Writer::new(MAGIC);
    for s in [&meta, &keys, &recs, &periods, &dict, &stream] {
        w.section(s);
    }
    w.buf
}

/// Validity of a procedure code on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PcsStatus {
    Valid(PcsFlags),
    Deleted {
        last_valid: Ymd,
    },
    NotYetValid {
        from: Ymd,
    },
    /// Not 7 characters, or never a code.
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PcsInfo {
    pub code: String,
    pub description: Option<String>,
    pub valid: bool,
    pub flags: Option<PcsFlags>,
    pub valid_periods: Vec<Period<PcsFlags>>,
}

/// The ICD-10-PCS code set.
pub struct Icd10Pcs {
    data: Cow<'static, [u8]>,
    keys: Vec<u64>,
    /// Built on first use: many engines never see a procedure code.
    index: OnceLock<KeyIndex<PcsFlags>>,
    recs: Range<usize>,
    periods: Range<usize>,
    dict: Range<usize>,
    stream: Range<usize>,
    pub(crate) covered_through: Ymd,
    pub(crate) releases: Vec<String>,
    pool: OnceLock<PoolIndex>,
}

impl std::fmt::Debug for Icd10Pcs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Icd10Pcs({} codes)", self.keys.len())
    }
}

fn bad() -> crate::CodeSetError {
    crate::CodeSetError::new("icd10pcs table", 0, "corrupt ICD-10-PCS table")
}

impl Icd10Pcs {
    pub(crate) fn from_bytes(data: Cow<'static, [u8]>) -> Result<Self, crate::CodeSetError> {
        let s = sections(&data, MAGIC).ok_or_else(bad)?;
        if s.len() != 6 {
            return Err(bad());
        }
        let keys: Vec<u64> =
            data[s[1].clone()].chunks_exact(8).map(|c| u64::from_be_bytes(c.try_into().unwrap())).collect();
        if s[2].len() != keys.len() * REC || s[3].len() % 16 != 0 {
            return Err(bad());
        }
        let meta = &data[s[0].clone()];
        let mut pos = 0;
        let covered_through = get_varint(meta, &mut pos).ok_or_else(bad)?;
        let n = get_varint(meta, &mut pos).ok_or_else(bad)?;
        let mut releases = Vec::new();
        for _ in 0..n {
            releases.push(get_str(meta, &mut pos).ok_or_else(bad)?.to_string());
        }
        Ok(Icd10Pcs {
            index: OnceLock::new(),
            keys,
            recs: s[2].clone(),
            periods: s[3].clone(),
            dict: s[4].clone(),
            stream: s[5].clone(),
            covered_through,
            releases,
            pool: OnceLock::new(),
            data,
        })
    }
    fn index(&self) -> &KeyIndex<PcsFlags> {
        self.index.get_or_init(|| KeyIndex::build(&self.keys, |i| self.periods_of(i)))
    }
    #[inline]
    fn find(&self, code: &str) -> Option<usize> {
        self.index().find(key_of(code.as_bytes())?)
    }
    fn periods_of(&self, i: usize) -> impl Iterator<Item = Period<PcsFlags>> + '_ {
        let (data, o) = (&self.data, self.recs.start + i * REC);
        let (start, n) = (u32_at(data, o) as usize, u32_at(data, o + 8) as usize);
        (start..start + n).map(move |p| {
            let o = self.periods.start + p * 16;
            Period { from: u32_at(data, o), to: u32_at(data, o + 4), flags: PcsFlags(u64_at(data, o + 8)) }
        })
    }
    pub fn len(&self) -> usize {
        self.keys.len()
    }
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
    pub fn covered_through(&self) -> Ymd {
        self.covered_through
    }
    /// Starts loading what a look-up of `code` reads first, without waiting for it (see
    /// [`Icd10Cm::prefetch`](crate::Icd10Cm::prefetch)).
    #[inline]
    pub fn prefetch(&self, code: &str) {
        if let Some(k) = key_of(code.as_bytes()) {
            self.index().prefetch(k);
        }
    }

    #[inline]
    pub fn status(&self, code: &str, date: Ymd) -> PcsStatus {
        let Some(k) = key_of(code.as_bytes()) else { return PcsStatus::Unknown };
        let i = match self.index().lookup(k, date, |i| self.periods_of(i)) {
            Hit::Valid(_, f) => return PcsStatus::Valid(f),
            Hit::Other(i) => i,
            Hit::Absent => return PcsStatus::Unknown,
        };
        let mut last = None;
        let mut first = None;
        for p in self.periods_of(i) {
            if p.to < date {
                last = Some(last.map_or(p.to, |l: Ymd| l.max(p.to)));
            }
            first = Some(first.map_or(p.from, |f: Ymd| f.min(p.from)));
        }
        match (last, first) {
            (Some(l), _) => PcsStatus::Deleted { last_valid: l },
            (None, Some(f)) => PcsStatus::NotYetValid { from: f },
            _ => PcsStatus::Unknown,
        }
    }
    pub fn is_valid(&self, code: &str, date: Ymd) -> bool {
        matches!(self.status(code, date), PcsStatus::Valid(_))
    }
    pub fn flags(&self, code: &str, date: Ymd) -> Option<PcsFlags> {
        match self.status(code, date) {
            PcsStatus::Valid(f) => Some(f),
            _ => None,
        }
    }
    pub fn description(&self, code: &str) -> Option<String> {
        let i = self.find(code)?;
        let id = u32_at(&self.data, self.recs.start + i * REC + 4);
        self.pool.get_or_init(|| PoolIndex::new(&self.data, self.dict.clone()).unwrap_or_default()).get(
            &self.data,
            &self.stream,
            id,
        )
    }
    pub fn lookup(&self, code: &str, date: Option<Ymd>) -> Option<PcsInfo> {
        let i = self.find(code)?;
        let periods: Vec<_> = self.periods_of(i).collect();
        let flags = match date {
            Some(d) => self.flags(code, d),
            None => periods.last().map(|p| p.flags),
        };
        Some(PcsInfo {
            code: code.to_string(),
            description: self.description(code),
            valid: date.map_or(!periods.is_empty(), |d| self.is_valid(code, d)),
            flags,
            valid_periods: periods,
        })
    }
    pub fn valid_codes_on(&self, date: Ymd) -> Vec<String> {
        (0..self.keys.len())
            .filter(|&i| self.periods_of(i).any(|p| p.from <= date && date <= p.to))
            .map(|i| crate::cm::to_str(self.keys[i]))
            .collect()
    }
    pub(crate) fn to_model(&self) -> PcsModel {
        let mut m =
            PcsModel { covered_through: self.covered_through, releases: self.releases.clone(), ..Default::default() };
        for i in 0..self.keys.len() {
            let c = crate::cm::to_str(self.keys[i]);
            m.codes.insert(c.clone(), PcsEntry { periods: self.periods_of(i).collect(), desc: self.description(&c) });
        }
        m
    }
}
