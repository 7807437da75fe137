//! `dx.wrong_procedure`: a diagnosis says a wrong surgery was performed (wrong site, patient or
//! procedure: MCE `wrngproc`, e.g. `Y65.51`). Medicare does not pay for the erroneous surgery
//! (NCD 140.6–140.8).
//!
//! Example: `Y65.51` (performance of wrong procedure on correct patient) on any claim.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::codes::dotted;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DxWrongProcedure;

static META: RuleMeta = RuleMeta {
    id: "dx.wrong_procedure",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "A diagnosis reports a wrong surgery (wrong site, patient or procedure); the erroneous service is not payable",
    source: "CMS MCE edit 18 (wrong procedure performed, wrngproc flag); NCDs 140.6-140.8",
    default_enabled: true,
};

impl Rule for DxWrongProcedure {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !cx.dx_flags_any.wrong_procedure() {
            return;
        }
        for i in 0..cx.claim.diagnoses.len() {
            if cx.dx_flags(i).is_some_and(|f| f.wrong_procedure()) {
                out.diagnosis(
                    i,
                    ".code",
                    format!(
                        "{} reports a wrong surgery; bill the erroneous procedure as non-covered (modifier PA/PB/PC, TOB 110)",
                        dotted(&cx.claim.diagnoses[i].code)
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
    fn ordinary_codes_pass() {
        assert!(run(&DxWrongProcedure, &base_claim()).is_empty());
    }

    #[test]
    fn wrong_procedure_is_reported() {
        let mut c = base_claim();
        c.diagnoses.push(Diagnosis::new("Y65.51"));
        assert_eq!(run(&DxWrongProcedure, &c).len(), 1);
    }
}
