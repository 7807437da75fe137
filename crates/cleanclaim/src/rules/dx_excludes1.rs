//! `dx.excludes1`: two diagnoses on one claim where an Excludes1 note of one (at the code, an
//! ancestor, its block or chapter) covers the other: they are never coded together. The
//! message quotes the note.
//!
//! Example: `E11.9` (type 2 diabetes) with `E10.9` (type 1): E11's Excludes1 note reads
//! "type 1 diabetes mellitus (E10.-)".

use super::{ALL_TYPES, Context, PerItem, Rule, RuleMeta, Sink};
use crate::codes::dotted;
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
        let cm = cx.codes.icd10cm();
        // Only codes that were looked up can carry notes (`dx.invalid` reports unknown ones).
        // Each code's notes are fetched once, then tested against every other code.
        if dx.len() < 2 {
            return;
        }
        let notes: PerItem<_> = (0..dx.len()).map(|i| cx.dx_id[i].map(|id| cm.excludes1_of(id))).collect();
        let conflict = |a: usize, b: usize| notes[a].and_then(|n| n.conflict(&dx[b].code));
        for i in 0..dx.len() {
            if cx.dx_status[i].is_none() {
                continue;
            }
            for j in i + 1..dx.len() {
                if cx.dx_status[j].is_none() || dx[i].code == dx[j].code {
                    continue;
                }
                let hit = conflict(i, j).map(|t| (i, j, t)).or_else(|| conflict(j, i).map(|t| (j, i, t)));
                if let Some((a, b, text)) = hit {
                    out.claim(
                        format!("diagnoses[{}].code", i.max(j)),
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
}
