//! `dx.requires_secondary`: on an inpatient claim, a principal diagnosis that CMS accepts only
//! together with a secondary diagnosis (MCE `unacceptable` + `reqsdx`) stands alone.
//!
//! Example: inpatient principal `Z51.11` (encounter for antineoplastic chemotherapy) with no
//! secondary diagnosis naming the neoplasm.

use super::{Context, INPATIENT, Rule, RuleMeta, Sink};
use crate::codes::dotted;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DxRequiresSecondary;

static META: RuleMeta = RuleMeta {
    id: "dx.requires_secondary",
    severity: Severity::Error,
    applies_to: INPATIENT,
    summary: "The principal diagnosis is acceptable only with a secondary diagnosis, and there is none",
    source: "CMS MCE REQUIRES_SDX (reqsdx flag with unacceptable, no secondary diagnosis)",
    default_enabled: true,
};

impl Rule for DxRequiresSecondary {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if cx.claim.diagnoses.len() == 1 && cx.dx_flags(0).is_some_and(|f| f.unacceptable_pdx() && f.requires_sdx()) {
            out.claim(
                "diagnoses",
                format!(
                    "{} is acceptable as principal diagnosis only with a secondary diagnosis; add one",
                    dotted(&cx.claim.diagnoses[0].code)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codesets::CodeSets;
    use crate::model::Diagnosis;
    use crate::rules::testing::{inpatient_claim, run};

    /// A code carrying both flags on the test date, found in the real tables.
    fn reqsdx_code() -> String {
        let cm = CodeSets::embedded().icd10cm();
        cm.valid_codes_on(2026_03_02)
            .into_iter()
            .find(|c| cm.flags(c, 2026_03_02).is_some_and(|f| f.requires_sdx() && f.unacceptable_pdx()))
            .expect("some code requires a secondary diagnosis")
            .to_owned()
    }

    #[test]
    fn with_a_secondary_passes() {
        let mut c = inpatient_claim();
        c.diagnoses = vec![Diagnosis::new(&reqsdx_code()), Diagnosis::new("C50.911")];
        assert!(run(&DxRequiresSecondary, &c).is_empty());
    }

    #[test]
    fn alone_fails() {
        let mut c = inpatient_claim();
        c.diagnoses = vec![Diagnosis::new(&reqsdx_code())];
        assert_eq!(run(&DxRequiresSecondary, &c).len(), 1);
    }
}
