//! `dx.excludes1`: two diagnoses on one claim where an Excludes1 note of one (at the code, an
//! ancestor, its block or chapter) covers the other: they are never coded together. The
//! message quotes the note.
//!
//! Example: `E11.9` (type 2 diabetes) with `E10.9` (type 1): E11's Excludes1 note reads
//! "type 1 diabetes mellitus (E10.-)".

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
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
        // Only codes that exist carry notes; skip the rest (`dx.invalid` reports them).
        let known: Vec<usize> = (0..dx.len()).filter(|&i| cx.dx_status[i].is_some()).collect();
        for (n, &i) in known.iter().enumerate() {
            for &j in &known[n + 1..] {
                if dx[i].code == dx[j].code {
                    continue;
                }
                let hit = cm
                    .excludes1_conflict(&dx[i].code, &dx[j].code)
                    .map(|t| (i, j, t))
                    .or_else(|| cm.excludes1_conflict(&dx[j].code, &dx[i].code).map(|t| (j, i, t)));
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
