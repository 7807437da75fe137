//! `dx.external_cause_first`: an external-cause code (V00–Y99) is the principal / first-listed
//! diagnosis; it may only be secondary to the injury it explains.
//!
//! Example: `W01.0XXA` (fall on same level from slipping, with striking against an object)
//! listed before the injury.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::codes::dotted;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DxExternalCauseFirst;

static META: RuleMeta = RuleMeta {
    id: "dx.external_cause_first",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "An external-cause code (V00-Y99) is listed first; list the injury or condition first",
    source: "CMS MCE edit 2 (external cause as PDX, ecodepdx flag); I/OCE edit 5; ICD-10-CM Official Guidelines I.C.20",
    default_enabled: true,
};

impl Rule for DxExternalCauseFirst {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if cx.dx_flags(0).is_some_and(|f| f.ecodepdx()) {
            out.claim(
                "diagnoses[0].code",
                format!(
                    "{} is an external-cause code and cannot be listed first; list the injury first",
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
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn injury_first_passes() {
        let mut c = base_claim();
        c.diagnoses = vec![Diagnosis::new("S52.521A"), Diagnosis::new("W01.0XXA")];
        assert!(run(&DxExternalCauseFirst, &c).is_empty());
    }

    #[test]
    fn external_cause_first_fails() {
        let mut c = base_claim();
        c.diagnoses = vec![Diagnosis::new("W01.0XXA"), Diagnosis::new("S52.521A")];
        assert_eq!(run(&DxExternalCauseFirst, &c).len(), 1);
    }
}
