//! `dx.code_first_missing`: a manifestation code whose "code first" note names the underlying
//! conditions, with none of them on the claim.
//!
//! Example: `F02.80` (dementia in other diseases classified elsewhere) without any of the
//! conditions its note lists (Alzheimer's disease G30.-, Parkinson's disease G20.-, …).

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::codes::dotted;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DxCodeFirstMissing;

static META: RuleMeta = RuleMeta {
    id: "dx.code_first_missing",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "A manifestation code without any of the underlying conditions its code-first note names",
    source: "ICD-10-CM tabular codeFirst notes (FY2026 XML) with the MCE manifestation flag; Official Guidelines I.A.13",
    default_enabled: true,
};

impl Rule for DxCodeFirstMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !cx.dx_flags_any.manifestation() {
            return;
        }
        let dx = &cx.claim.diagnoses;
        for i in 0..dx.len() {
            let Some(id) = cx.dx_id[i].filter(|_| cx.dx_flags(i).is_some_and(|f| f.manifestation())) else {
                continue;
            };
            // Only notes with code references: "code first underlying disease" cannot be checked.
            // Read once (manifestation codes are rare), then held against every other code.
            let notes: Vec<_> = cx.codes.icd10cm().code_first_at(id).collect();
            if notes.is_empty() {
                continue;
            }
            let satisfied = dx.iter().enumerate().any(|(j, d)| j != i && notes.iter().any(|n| n.covers(&d.code)));
            if !satisfied {
                let quoted: Vec<String> = notes.iter().map(|n| format!("\"{}\"", n.text)).collect();
                out.diagnosis(
                    i,
                    ".code",
                    format!(
                        "{} is a manifestation; code first the underlying condition: {}",
                        dotted(&dx[i].code),
                        quoted.join("; ")
                    ),
                );
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
    fn manifestation_with_its_etiology_passes() {
        let mut c = base_claim();
        c.diagnoses = vec![Diagnosis::new("G30.9"), Diagnosis::new("F02.80")];
        assert!(run(&DxCodeFirstMissing, &c).is_empty());
    }

    #[test]
    fn manifestation_alone_fails() {
        let mut c = base_claim();
        c.diagnoses = vec![Diagnosis::new("I10"), Diagnosis::new("F02.80")];
        let f = run(&DxCodeFirstMissing, &c);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("code first"), "{}", f[0].message);
    }
}
