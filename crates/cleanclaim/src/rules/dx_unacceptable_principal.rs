//! `dx.unacceptable_principal`: on an inpatient claim, a principal diagnosis CMS does not
//! accept as the reason for admission (MCE `unacceptable` flag, e.g. many Z codes).
//!
//! Inpatient only: a professional claim's first-listed `Z00.00` or `Z23` is correct coding.
//! Example: inpatient principal `Z99.11` (dependence on respirator).

use super::{Context, INPATIENT, Rule, RuleMeta, Sink};
use crate::codes::dotted;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DxUnacceptablePrincipal;

static META: RuleMeta = RuleMeta {
    id: "dx.unacceptable_principal",
    severity: Severity::Error,
    applies_to: INPATIENT,
    summary: "The principal diagnosis is not acceptable as the reason for an inpatient admission",
    source: "CMS MCE edit 9 (unacceptable principal diagnosis; `unacceptable` flag without `reqsdx`)",
    default_enabled: true,
};

impl Rule for DxUnacceptablePrincipal {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        // With `reqsdx` too, the code is acceptable given a secondary: `dx.requires_secondary`.
        if cx.dx_flags(0).is_some_and(|f| f.unacceptable_pdx() && !f.requires_sdx()) {
            out.claim(
                "diagnoses[0].code",
                format!(
                    "{} is not acceptable as the principal diagnosis of an inpatient stay",
                    dotted(&cx.claim.diagnoses[0].code)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Diagnosis;
    use crate::rules::testing::{base_claim, inpatient_claim, run};

    #[test]
    fn acceptable_principal_and_professional_z_codes_pass() {
        let mut c = base_claim();
        c.diagnoses = vec![Diagnosis::new("Z00.00"), Diagnosis::new("Z23")];
        assert!(run(&DxUnacceptablePrincipal, &c).is_empty());
        assert!(run(&DxUnacceptablePrincipal, &inpatient_claim()).is_empty());
    }

    #[test]
    fn inpatient_z_code_principal_fails() {
        let mut c = inpatient_claim();
        c.diagnoses.insert(0, Diagnosis::new("Z00.00"));
        assert_eq!(run(&DxUnacceptablePrincipal, &c).len(), 1);
    }
}
