//! `dx.excludes1`: two diagnoses on one claim where an Excludes1 note of one (at the code, an
//! ancestor, its block or chapter) covers the other: they are never coded together. The
//! message quotes the note.
//!
//! Example: `E11.9` (type 2 diabetes) with `E10.9` (type 1): E11's Excludes1 note reads
//! "type 1 diabetes mellitus (E10.-)".

use super::{ALL_TYPES, Context, PerItem, Rule, RuleMeta, Sink};
use crate::codes::dotted;
use crate::codesets::Excludes1Of;
use crate::codesets::refs::key_of;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DxExcludes1;

static META: RuleMeta = RuleMeta {
    id: "dx.excludes1",
    severity: Severity::Warning,
    applies_to: ALL_TYPES,
    summary: "Two diagnoses that an Excludes1 note says are never coded together (quotes the note)",
    source: "ICD-10-CM tabular Excludes1 notes (FY2026 XML) and Official Guidelines I.A.12.a (exception: unrelated conditions)",
    default_enabled: true,
};

impl Rule for DxExcludes1 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let dx = &cx.claim.diagnoses;
        if dx.len() < 2 {
            return;
        }
        let cm = cx.codes.icd10cm();
        // Each looked-up diagnosis (`dx.invalid` reports the others) with its key and, when an
        // Excludes1 note applies to it, its notes: fetched once, then each pair is a scan of
        // one side's note ranges for the other's key. A key of 0 (no key) matches no range.
        let mut seen: PerItem<(usize, u64, Option<Excludes1Of<'_>>)> = PerItem::new();
        for (i, ((d, status), id)) in dx.iter().zip(&cx.dx_status).zip(&cx.dx_id).enumerate() {
            if status.is_some() {
                let notes = id.map(|id| cm.excludes1_of(id)).filter(|n| !n.is_empty());
                seen.push((i, key_of(d.code.as_bytes()).unwrap_or(0), notes));
            }
        }
        for (x, &(i, ki, ni)) in seen.iter().enumerate() {
            for &(j, kj, nj) in &seen[x + 1..] {
                // Equal keys are the same code, never paired with itself (D72.824's own note
                // names D72.824); two keyless codes (both 0) conflict with nothing anyway.
                if ni.is_none() && nj.is_none() || ki == kj {
                    continue;
                }
                let hit = ni
                    .and_then(|n| n.conflict_key(kj))
                    .map(|t| (i, j, t))
                    .or_else(|| nj.and_then(|n| n.conflict_key(ki)).map(|t| (j, i, t)));
                if let Some((a, b, text)) = hit {
                    out.diagnosis(
                        j,
                        ".code",
                        format!(
                            "{} and {} are not coded together: Excludes1 at {} reads \"{}\"",
                            dotted(&dx[a].code),
                            dotted(&dx[b].code),
                            dotted(&dx[a].code),
                            text
                        ),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codesets::CodeSets;
    use crate::model::Diagnosis;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn compatible_codes_pass() {
        assert!(run(&DxExcludes1, &base_claim()).is_empty());
    }

    #[test]
    fn type_1_with_type_2_diabetes_quotes_the_note() {
        let mut c = base_claim();
        c.diagnoses.push(Diagnosis::new("E10.9"));
        let f = run(&DxExcludes1, &c);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("E10"), "{}", f[0].message);
        assert_eq!(f[0].path, "diagnoses[3].code");
    }

    #[test]
    fn a_code_is_not_paired_with_itself_even_when_its_note_names_it() {
        let mut c = base_claim();
        // Basophilia's note excludes D72.824 itself (the tabular's own wording).
        assert!(crate::codesets::CodeSets::embedded().icd10cm().excludes1_conflict("D72824", "D72824").is_some());
        c.diagnoses = ["D72.824", "D72.824"].map(Diagnosis::new).to_vec();
        assert!(run(&DxExcludes1, &c).is_empty());
    }

    #[test]
    fn a_repeated_code_pairs_once_per_other_code_and_a_keyless_code_with_none() {
        let mut c = base_claim();
        // E11's and E08's Excludes1 notes name each other. The last code is too long to have a
        // key: it is looked up (and reported by `dx.invalid`), but no range can hold it.
        c.diagnoses = ["E11.22", "E11.22", "E08.22", "E08.22.9999"].map(Diagnosis::new).to_vec();
        let f = run(&DxExcludes1, &c);
        let paths: Vec<&str> = f.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["diagnoses[2].code", "diagnoses[2].code"], "{f:?}");
        assert!(
            f[0].message.starts_with("E11.22 and E08.22 are not coded together: Excludes1 at E11.22"),
            "{}",
            f[0].message
        );
    }

    /// What the rule must find, one pair at a time through the public look-up by code: for
    /// each pair of different codes in order, the earlier's notes first.
    fn expected(codes: &[String]) -> Vec<(String, String)> {
        let cm = CodeSets::embedded().icd10cm();
        let mut out = Vec::new();
        for (i, a) in codes.iter().enumerate() {
            for (j, b) in codes.iter().enumerate().skip(i + 1) {
                if a == b {
                    continue;
                }
                let owner = if cm.excludes1_conflict(a, b).is_some() {
                    a
                } else if cm.excludes1_conflict(b, a).is_some() {
                    b
                } else {
                    continue;
                };
                out.push((format!("diagnoses[{j}].code"), format!("Excludes1 at {}", dotted(owner))));
            }
        }
        out
    }

    /// Claims of 2 to 70 codes, drawn from codes whose notes name each other (diabetes,
    /// hypertension, asthma and COPD, depression, Crohn's disease and colitis, pregnancy), from
    /// the whole table and a code whose note names itself, some repeated: the rule finds what
    /// the pairs one by one find, in the same order.
    #[test]
    fn every_pair_the_notes_join_is_found_in_order() {
        let cm = CodeSets::embedded().icd10cm();
        let valid = cm.valid_codes_on(20261130);
        let related =
            ["E08", "E10", "E11", "E13", "I10", "I11", "I12", "J44", "J45", "F32", "F33", "K50", "K51", "O24"];
        let near: Vec<&str> = valid.iter().copied().filter(|c| related.iter().any(|p| c.starts_with(p))).collect();
        assert!(near.len() > 300, "{}", near.len());
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let (mut found, mut long) = (0, 0);
        for round in 0..400 {
            // Now and then more codes than an 837 holds (25), as JSON may carry.
            let n = if round % 50 == 0 { 65 + next(6) } else { 2 + next(24) };
            let mut codes: Vec<String> = Vec::with_capacity(n);
            while codes.len() < n {
                let code = match next(10) {
                    0..=4 => near[next(near.len())],
                    5 | 6 => valid[next(valid.len())],
                    // A code whose own note names it (see above), often twice a claim.
                    7 => "D72824",
                    _ if !codes.is_empty() => &codes[next(codes.len())].clone(),
                    _ => continue,
                };
                codes.push(code.to_string());
            }
            let mut c = base_claim();
            c.diagnoses = codes.iter().map(|code| Diagnosis::new(code)).collect();
            let got: Vec<(String, String)> = run(&DxExcludes1, &c)
                .into_iter()
                .map(|f| {
                    let at = f.message.find("Excludes1 at ").expect("the note's owner");
                    let owner = f.message[at..].split(" reads").next().unwrap_or_default().to_string();
                    (f.path, owner)
                })
                .collect();
            assert_eq!(got, expected(&codes), "{codes:?}");
            found += got.len();
            long += usize::from(n > 25 && !got.is_empty());
        }
        // Enough conflicts that a pair missed or added shows, on short claims and long ones.
        assert!(found > 1000 && long >= 5, "{found} conflicts, {long} long claims with conflicts");
    }
}
