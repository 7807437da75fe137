//! `dx.duplicate`: a diagnosis code is listed more than once (MCE edit 3 "duplicate of PDX"
//! is the inpatient case: a secondary diagnosis equal to the principal).
//!
//! Example: diagnoses `E11.9, I10, E11.9` report `diagnoses[2]`.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::codes::dotted;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DxDuplicate;

static META: RuleMeta = RuleMeta {
    id: "dx.duplicate",
    severity: Severity::Warning,
    applies_to: ALL_TYPES,
    summary: "A diagnosis code is listed twice (a secondary equal to the principal is MCE edit 3)",
    source: "CMS MCE edit 3 (duplicate of PDX); X12 005010X222A1 HI (each code once)",
    default_enabled: true,
};

impl Rule for DxDuplicate {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let dx = &cx.claim.diagnoses;
        // Two codes of the table are the same code exactly when they have the same place in
        // it: one compare of numbers instead of two strings for each of the n² pairs.
        // A slice, not the `SmallVec`: each of its reads would ask again where the items are.
        let ids: &[_] = &cx.dx_id;
        let id = |i: usize| ids.get(i).copied().flatten();
        // The places seen so far, one bit each: most claims repeat no code, and a placed code
        // whose bit is clear repeats none before it (unless one of those had no place, which
        // only the strings can tell) without a pass over them (the pass was ~10 % of the MCE
        // rules' instructions).
        let (mut seen, mut unplaced) = ([0u64; 4], false);
        for (i, d) in dx.iter().enumerate() {
            match id(i) {
                Some(a) => {
                    let (word, bit) = (usize::from(a.place() >> 6), 1u64 << (a.place() & 63));
                    let fresh = seen[word] & bit == 0;
                    seen[word] |= bit;
                    if fresh && !unplaced {
                        continue;
                    }
                }
                None => unplaced = true,
            }
            let same = |j: &usize| match (id(*j), id(i)) {
                (Some(a), Some(b)) => a == b,
                _ => dx[*j].code == d.code,
            };
            if let Some(j) = (0..i).find(same) {
                let what = if j == 0 { "the principal (first-listed) diagnosis" } else { "an earlier diagnosis" };
                out.diagnosis(i, "", format!("{} repeats {what} (diagnoses[{j}])", dotted(&d.code)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Diagnosis;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn distinct_codes_pass() {
        assert!(run(&DxDuplicate, &base_claim()).is_empty());
    }

    #[test]
    fn a_repeat_of_the_principal_is_reported() {
        let mut c = base_claim();
        c.diagnoses.push(Diagnosis::new("e11.65"));
        let f = run(&DxDuplicate, &c);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].path, "diagnoses[3]");
        assert!(f[0].message.starts_with("E11.65"));
    }

    #[test]
    fn repeats_are_found_in_and_out_of_the_table_and_near_misses_are_not() {
        let mut c = base_claim();
        for code in ["Q99.9X", "Q99.9X", "E11.9", "E11.9", "E11.65"] {
            c.diagnoses.push(Diagnosis::new(code));
        }
        let f = run(&DxDuplicate, &c);
        let paths: Vec<&str> = f.iter().map(|f| f.path.as_str()).collect();
        // base_claim's first code is E11.65: the last one repeats it.
        assert_eq!(paths, ["diagnoses[4]", "diagnoses[6]", "diagnoses[7]"], "{f:?}");
    }

    /// 80 distinct codes of the table: some must share a bit of the 64-bit filter, and none
    /// is reported; a repeat of one is, whichever it is.
    #[test]
    fn codes_that_share_a_filter_bit_are_not_repeats() {
        let mut c = base_claim();
        let date = c.controlling_date().expect("the example is dated").ymd();
        let codes: Vec<String> =
            crate::codesets::CodeSets::embedded().icd10cm().completions_iter("S72", date).take(80).collect();
        assert_eq!(codes.len(), 80);
        c.diagnoses = codes.iter().map(|code| Diagnosis::new(code)).collect();
        // Every code has its place in the table, or the filter would not be what is tested.
        let ncci = crate::ncci::Ncci::empty();
        let cx =
            Context::new(&c, crate::Date::new(2026, 11, 30).unwrap(), &ncci, crate::codesets::CodeSets::embedded());
        assert!(cx.dx_id.len() == 80 && cx.dx_id.iter().all(Option::is_some));
        assert!(run(&DxDuplicate, &c).is_empty());
        for again in [0, 41, 79] {
            let mut c = c.clone();
            c.diagnoses.push(Diagnosis::new(&codes[again]));
            let f = run(&DxDuplicate, &c);
            assert_eq!(f.len(), 1, "{f:?}");
            assert_eq!(f[0].path, "diagnoses[80]");
            assert!(f[0].message.ends_with(&format!("(diagnoses[{again}])")), "{}", f[0].message);
        }
    }

    /// A code given as ICD-9 is not looked up: it repeats a looked-up code with the same text,
    /// listed before it or after it.
    #[test]
    fn a_code_not_looked_up_is_compared_by_its_text() {
        let icd9 = Diagnosis { qualifier: Some("BF".into()), ..Diagnosis::new("E11.65") };
        let mut after = base_claim();
        after.diagnoses.push(icd9.clone());
        let mut before = base_claim();
        before.diagnoses.insert(0, icd9);
        for (c, path) in [(after, "diagnoses[3]"), (before, "diagnoses[1]")] {
            let f = run(&DxDuplicate, &c);
            assert_eq!(f.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(), [path], "{f:?}");
        }
    }
}
