//! `px.questionable_obstetric_admission`: an inpatient claim with a delivery procedure
//! (cesarean section or vaginal delivery: MCE `csect`/`vagdel`) but no secondary diagnosis of
//! the delivery outcome (`Z37.-`, MCE `delout`).
//!
//! Example: `10D00Z1` (low cesarean section) with diagnoses `O34.211` alone.

use super::{Context, INPATIENT, Rule, RuleMeta, Sink};
use crate::codes::shown;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct PxQuestionableObstetricAdmission;

static META: RuleMeta = RuleMeta {
    id: "px.questionable_obstetric_admission",
    severity: Severity::Warning,
    applies_to: INPATIENT,
    summary: "A delivery procedure without a secondary diagnosis of the delivery outcome (Z37.-)",
    source: "CMS MCE questionable obstetric admission (csect/vagdel procedure flags, delout diagnosis flag)",
    default_enabled: true,
};

impl Rule for PxQuestionableObstetricAdmission {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !(cx.px_flags_any.csect() || cx.px_flags_any.vagdel()) {
            return;
        }
        let has_outcome = (1..cx.claim.diagnoses.len()).any(|i| cx.dx_flags(i).is_some_and(|f| f.delivery_outcome()));
        if has_outcome {
            return;
        }
        for (i, p) in cx.claim.procedures.iter().enumerate() {
            if cx.px_flags(i).is_some_and(|f| f.csect() || f.vagdel()) {
                out.claim(
                    format!("procedures[{i}].code"),
                    format!(
                        "{} is a delivery procedure, but no secondary diagnosis records the outcome of delivery (Z37.-)",
                        shown(&p.code)
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codesets::CodeSets;
    use crate::model::Diagnosis;
    use crate::rules::testing::{inpatient_claim, run};

    fn delivery() -> String {
        let pcs = CodeSets::embedded().icd10pcs();
        pcs.valid_codes_on(2026_02_14)
            .into_iter()
            .find(|c| pcs.flags(c, 2026_02_14).is_some_and(|f| f.csect() || f.vagdel()))
            .expect("a delivery procedure")
    }

    #[test]
    fn delivery_with_outcome_passes() {
        let mut c = inpatient_claim();
        c.procedures[0].code = delivery();
        c.diagnoses = vec![Diagnosis::new("O80"), Diagnosis::new("Z37.0")];
        assert!(run(&PxQuestionableObstetricAdmission, &c).is_empty());
        assert!(run(&PxQuestionableObstetricAdmission, &inpatient_claim()).is_empty());
    }

    #[test]
    fn delivery_without_outcome_is_reported() {
        let mut c = inpatient_claim();
        c.procedures[0].code = delivery();
        c.diagnoses = vec![Diagnosis::new("O80")];
        assert_eq!(run(&PxQuestionableObstetricAdmission, &c).len(), 1);
    }
}
