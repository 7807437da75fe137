//! Code look-up and search for coders and for the bindings: what a code is, when it is valid,
//! its place in the hierarchy, its notes and MCE flags, as one serializable answer.

use serde::{Deserialize, Serialize};

use crate::codes::{CodeKey, code_key, normalize};
use crate::codesets::{CodeSets, OPEN, Period};
use crate::{Date, Error};

/// Which code system a look-up answered from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CodeSystem {
    /// ICD-10-CM diagnoses.
    Icd10cm,
    /// ICD-10-PCS inpatient procedures.
    Icd10pcs,
    /// HCPCS Level II procedures and supplies.
    Hcpcs,
    /// HCPCS/CPT modifiers.
    Modifier,
    /// CPT (shape only unless a licensed file is loaded; never described).
    Cpt,
}

/// A period during which a code is valid, with the MCE flags in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidPeriod {
    /// First valid day.
    pub from: Date,
    /// Last valid day; `None` while open-ended.
    pub to: Option<Date>,
    /// MCE flags in force during the period.
    pub flags: Vec<String>,
}

/// A chapter or section of the ICD-10-CM tabular list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heading {
    /// Chapter number or section id (`E08-E13`).
    pub id: String,
    /// Title.
    pub title: String,
}

/// Instructional notes that apply to a code (its own and inherited), as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotesText {
    /// Inclusion terms (the code's own).
    pub inclusion_terms: Vec<String>,
    /// Excludes1: never coded together.
    pub excludes1: Vec<String>,
    /// Excludes2: not included here, may be coded together.
    pub excludes2: Vec<String>,
    /// Code first (etiology) notes.
    pub code_first: Vec<String>,
    /// Use additional code notes.
    pub use_additional: Vec<String>,
    /// Code also notes.
    pub code_also: Vec<String>,
}

/// Everything cleanclaim knows about a code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeLookup {
    /// Code system.
    pub system: CodeSystem,
    /// Normalized code (no dot).
    pub code: String,
    /// Display form (`E11.22`).
    pub display: String,
    /// Description, when the source data has one.
    pub description: Option<String>,
    /// Why there is no description, when there is none (e.g. an FY2027 addition).
    pub description_note: Option<String>,
    /// Valid (billable) on the date asked, or on any date when none was asked.
    pub valid: bool,
    /// A header with more specific codes under it (ICD-10-CM).
    pub header: bool,
    /// Chapter (ICD-10-CM).
    pub chapter: Option<Heading>,
    /// Section / block (ICD-10-CM).
    pub section: Option<Heading>,
    /// Parent code.
    pub parent: Option<String>,
    /// Child codes.
    pub children: Vec<String>,
    /// MCE flags in force on the date (or latest).
    pub flags: Vec<String>,
    /// Validity periods.
    pub valid_periods: Vec<ValidPeriod>,
    /// 7th characters allowed, with their meaning.
    pub seventh_characters: Vec<(String, String)>,
    /// Instructional notes.
    pub notes: NotesText,
    /// Why the code is not billable as written, with the fix.
    pub incomplete: Option<String>,
    /// Release the answer comes from, when it matters (HCPCS: `2020 (stale)`).
    pub release: Option<String>,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    /// Normalized code.
    pub code: String,
    /// Display form.
    pub display: String,
    /// Description.
    pub description: String,
    /// Billable.
    pub billable: bool,
    /// Relevance (higher is better).
    pub score: f32,
}

fn date_of(v: u32) -> Option<Date> {
    Date::from_ymd(v)
}

fn periods<F: Copy>(ps: &[Period<F>], names: impl Fn(F) -> Vec<&'static str>) -> Vec<ValidPeriod> {
    ps.iter()
        .filter_map(|p| {
            Some(ValidPeriod {
                from: date_of(p.from)?,
                to: if p.to == OPEN { None } else { date_of(p.to) },
                flags: names(p.flags).into_iter().map(str::to_owned).collect(),
            })
        })
        .collect()
}

/// Looks `raw` up in ICD-10-CM, then ICD-10-PCS, then HCPCS/CPT and modifiers.
pub fn lookup(codes: &CodeSets, raw: &str, date: Option<Date>) -> Option<CodeLookup> {
    let code = normalize(raw);
    let ymd = date.map(Date::ymd);
    let cm = codes.icd10cm();
    if let Some(info) = cm.lookup(&code, ymd) {
        let notes = cm.notes(&code);
        let texts = |v: &[crate::codesets::Note<'_>]| v.iter().map(|n| n.text.to_owned()).collect::<Vec<_>>();
        let description_note = info.description.is_none().then(|| {
            "no description in the source data (codes added after the FY2026 tabular have none; cleanclaim never invents one)"
                .to_owned()
        });
        let incomplete = ymd.and_then(|d| cm.explain_incomplete(&code, d)).map(|i| i.message);
        return Some(CodeLookup {
            system: CodeSystem::Icd10cm,
            code: info.code.clone(),
            display: info.display.clone(),
            description: info.description.clone(),
            description_note,
            valid: info.billable,
            header: info.header,
            chapter: info.chapter.as_ref().map(|c| Heading { id: c.number.to_string(), title: c.title.clone() }),
            section: info.section.as_ref().map(|s| Heading { id: s.id.clone(), title: s.title.clone() }),
            parent: info.parent.clone(),
            children: info.children.clone(),
            flags: info.flags.map(|f| f.names().into_iter().map(str::to_owned).collect()).unwrap_or_default(),
            valid_periods: periods(&info.valid_periods, |f| f.names()),
            seventh_characters: info.seventh_characters.iter().map(|(c, m)| (c.to_string(), m.clone())).collect(),
            notes: NotesText {
                inclusion_terms: notes.inclusion_terms.iter().map(|s| (*s).to_owned()).collect(),
                excludes1: texts(&notes.excludes1),
                excludes2: texts(&notes.excludes2),
                code_first: texts(&notes.code_first),
                use_additional: texts(&notes.use_additional),
                code_also: texts(&notes.code_also),
            },
            incomplete,
            release: None,
        });
    }
    let empty = |system, code: String, description: Option<String>, valid: bool| CodeLookup {
        system,
        display: code.clone(),
        code,
        description,
        description_note: None,
        valid,
        header: false,
        chapter: None,
        section: None,
        parent: None,
        children: Vec::new(),
        flags: Vec::new(),
        valid_periods: Vec::new(),
        seventh_characters: Vec::new(),
        notes: NotesText::default(),
        incomplete: None,
        release: None,
    };
    if code.len() == 7
        && let Some(info) = codes.icd10pcs().lookup(&code, ymd)
    {
        let mut out = empty(CodeSystem::Icd10pcs, info.code.clone(), info.description.clone(), info.valid);
        if out.description.is_none() {
            out.description_note =
                Some("no description in the source data (the corpus describes FY2024 PCS codes)".into());
        }
        out.flags = info.flags.map(|f| f.names().into_iter().map(str::to_owned).collect()).unwrap_or_default();
        out.valid_periods = periods(&info.valid_periods, |f| f.names());
        return Some(out);
    }
    // Not a code, but maybe a near miss the coder should hear about (W21.89A → W21.89XA).
    if crate::codes::Icd10Cm::is_shape(&code)
        && let Some(why) = cm.explain_incomplete(&code, ymd.unwrap_or_else(|| cm.covered_through()))
    {
        let mut out = empty(CodeSystem::Icd10cm, code.clone(), None, false);
        out.display = crate::codes::dotted(&code);
        out.description_note = Some("not a code as written".into());
        out.incomplete = Some(why.message);
        return Some(out);
    }
    let hcpcs = codes.hcpcs();
    let release = format!("HCPCS {}{}", hcpcs.release_year(), if hcpcs.stale() { " (stale)" } else { "" });
    if let Some(info) = hcpcs.lookup(&code) {
        let system = if code.len() == 2 { CodeSystem::Modifier } else { CodeSystem::Hcpcs };
        let valid = match ymd {
            Some(d) => info.added.is_none_or(|a| a <= d) && info.terminated.is_none_or(|t| d <= t),
            None => info.terminated.is_none(),
        };
        let mut out = empty(system, info.code.clone(), Some(info.long_description.clone()), valid);
        out.valid_periods = info
            .added
            .and_then(date_of)
            .map(|from| vec![ValidPeriod { from, to: info.terminated.and_then(date_of), flags: Vec::new() }])
            .unwrap_or_default();
        out.release = Some(release);
        return Some(out);
    }
    if crate::codesets::cpt_shape_ok(&code) {
        let cpt = codes.cpt();
        let valid = if cpt.is_loaded() { ymd.is_some_and(|d| cpt.is_valid(&code, d)) } else { true };
        let mut out = empty(CodeSystem::Cpt, code, None, valid);
        out.description_note = Some(if cpt.is_loaded() {
            "CPT descriptions are AMA-licensed and never shipped".into()
        } else {
            "CPT: shape checked only; load a licensed CPT file for validity (descriptions are AMA-licensed)".into()
        });
        return Some(out);
    }
    None
}

/// Ranked search over ICD-10-CM descriptions and inclusion terms.
pub fn search(codes: &CodeSets, words: &str, limit: usize) -> Vec<SearchResult> {
    codes
        .icd10cm()
        .search(words, limit)
        .into_iter()
        .map(|h| SearchResult {
            display: crate::codes::dotted(&h.code),
            code: h.code,
            description: h.description,
            billable: h.billable,
            score: h.score,
        })
        .collect()
}

/// Whether each ICD-10-CM code is valid (billable) on `date`: one answer per input, in order.
pub fn icd10cm_validity<S: AsRef<str>>(codes: &CodeSets, list: impl IntoIterator<Item = S>, date: Date) -> Vec<bool> {
    let mut list = list.into_iter();
    let hint = list.size_hint().0;
    validity_in_chunks(codes, date, hint, |keys| {
        let mut n = 0;
        // `keys` first: a full buffer stops the zip before it takes a code from `list`.
        for (key, code) in keys.iter_mut().zip(list.by_ref()) {
            *key = code_key(code.as_ref()).unwrap_or(0);
            n += 1;
        }
        n
    })
}

/// [`icd10cm_validity`] of codes keyed already ([`CodeKey::of`]).
pub fn icd10cm_validity_of_keys(codes: &CodeSets, keys: &[CodeKey], date: Date) -> Vec<bool> {
    let mut rest = keys.chunks(CHUNK);
    validity_in_chunks(codes, date, keys.len(), |words| {
        let chunk = rest.next().unwrap_or_default();
        for (w, k) in words.iter_mut().zip(chunk) {
            *w = k.0;
        }
        chunk.len()
    })
}

/// Keys a batch writes at a time: they stay in L1 between keying and looking up.
const CHUNK: usize = 256;

/// The answers for keys that `fill` writes [`CHUNK`] at a time into a buffer, returning how
/// many it wrote (fewer than [`CHUNK`]: the last of them).
fn validity_in_chunks(
    codes: &CodeSets,
    date: Date,
    hint: usize,
    mut fill: impl FnMut(&mut [u64]) -> usize,
) -> Vec<bool> {
    let (cm, ymd) = (codes.icd10cm(), date.ymd());
    let mut out = Vec::with_capacity(hint);
    let mut keys = [0u64; CHUNK];
    loop {
        let n = fill(&mut keys);
        cm.valid_keys_into(&keys[..n], ymd, &mut out);
        if n < CHUNK {
            return out;
        }
    }
}

/// [`icd10cm_validity`] of one code.
#[inline]
pub fn icd10cm_valid(codes: &CodeSets, code: &str, date: Date) -> bool {
    code_key(code).is_some_and(|key| codes.icd10cm().is_valid_key(key, date.ymd()))
}

/// What code sets are loaded, as a serializable summary (for `cleanclaim codesets`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSetsSummary {
    /// ICD-10-CM codes (all dates).
    pub icd10cm_codes: usize,
    /// ICD-10-CM releases merged.
    pub icd10cm_releases: Vec<String>,
    /// First and last day ICD-10-CM validity is known for.
    pub icd10cm_covered: (Date, Date),
    /// ICD-10-PCS codes (all dates).
    pub icd10pcs_codes: usize,
    /// ICD-10-PCS releases merged.
    pub icd10pcs_releases: Vec<String>,
    /// First and last day ICD-10-PCS validity is known for.
    pub icd10pcs_covered: (Date, Date),
    /// HCPCS rows (codes and modifiers).
    pub hcpcs_codes: usize,
    /// HCPCS release year.
    pub hcpcs_release_year: u16,
    /// The HCPCS release is older than the current year.
    pub hcpcs_stale: bool,
    /// Whether a licensed CPT file is loaded.
    pub cpt_loaded: bool,
    /// Files loaded on top of the embedded tables.
    pub loaded: Vec<String>,
}

/// Summarizes the loaded code sets.
pub fn summary(codes: &CodeSets) -> Result<CodeSetsSummary, Error> {
    let i = codes.info();
    let d = |v: u32| date_of(v.min(9999_12_31)).ok_or_else(|| Error::Internal(format!("bad date {v} in code sets")));
    Ok(CodeSetsSummary {
        icd10cm_codes: i.icd10cm_codes,
        icd10cm_releases: i.icd10cm_releases,
        icd10cm_covered: (d(i.icd10cm_covered.0)?, d(i.icd10cm_covered.1)?),
        icd10pcs_codes: i.icd10pcs_codes,
        icd10pcs_releases: i.icd10pcs_releases,
        icd10pcs_covered: (d(i.icd10pcs_covered.0)?, d(i.icd10pcs_covered.1)?),
        hcpcs_codes: i.hcpcs_codes,
        hcpcs_release_year: i.hcpcs_release_year,
        hcpcs_stale: i.hcpcs_stale,
        cpt_loaded: i.cpt_loaded,
        loaded: i.loaded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_up_each_code_system() {
        let cs = CodeSets::embedded();
        let d = Date::new(2026, 3, 2);
        let e = lookup(cs, "e11.22", d).unwrap();
        assert_eq!((e.system, e.display.as_str(), e.valid), (CodeSystem::Icd10cm, "E11.22", true));
        assert!(e.description.unwrap().to_lowercase().contains("chronic kidney"));
        assert!(!e.notes.excludes1.is_empty() || !e.notes.use_additional.is_empty());
        let h = lookup(cs, "E11", d).unwrap();
        assert!(h.header && !h.valid && h.incomplete.is_some());
        assert_eq!(lookup(cs, "0DTJ4ZZ", d).unwrap().system, CodeSystem::Icd10pcs);
        let g = lookup(cs, "A4466", d).unwrap();
        assert_eq!(g.system, CodeSystem::Hcpcs);
        assert!(!g.valid && g.release.unwrap().contains("2020"));
        let c = lookup(cs, "99213", d).unwrap();
        assert_eq!(c.system, CodeSystem::Cpt);
        assert!(c.description.is_none());
        assert!(lookup(cs, "not a code", d).is_none());
    }

    #[test]
    fn search_finds_diabetes_with_ckd() {
        let hits = search(CodeSets::embedded(), "type 2 diabetes with chronic kidney disease", 5);
        assert!(hits.iter().any(|h| h.code == "E1122"), "{hits:?}");
    }

    #[test]
    fn batch_validity_answers_in_order() {
        let day = Date::new(2026, 3, 2).unwrap();
        let v = icd10cm_validity(CodeSets::embedded(), ["E119", "e11.9", "E11", "XX", "E119\0", "E11.9\0"], day);
        assert_eq!(v, [true, true, false, false, false, false]);
        // Keyed first, past a chunk of keys: the same answers (long, non-ASCII and empty
        // input included).
        let given = ["E119", "e11.9", " e 11.9 ", "E11", "XX", "", "É119", "E11.9\0", "E1190000000", "Z00.00"];
        let many: Vec<&str> = given.iter().cycle().take(1000).copied().collect();
        let keys: Vec<CodeKey> = many.iter().map(|c| CodeKey::of(c)).collect();
        assert_eq!(
            icd10cm_validity_of_keys(CodeSets::embedded(), &keys, day),
            icd10cm_validity(CodeSets::embedded(), &many, day)
        );
        assert_eq!(icd10cm_validity_of_keys(CodeSets::embedded(), &keys[..10], day).iter().filter(|&&v| v).count(), 4);
        // A NUL is not padding: the code with one is not E11.9.
        assert!(!icd10cm_valid(CodeSets::embedded(), "E11.9\0", day));
    }
}
