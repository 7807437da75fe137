//! `dx.questionable_admission`: on an inpatient claim, a principal diagnosis that usually does
//! not justify admission (MCE `qadm` flag); the record should support medical necessity.
//!
//! Example: inpatient principal `I10` (essential hypertension) alone.

use super::{Context, INPATIENT, Rule, RuleMeta, Sink};
use crate::codes::dotted;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DxQuestionableAdmission;

static META: RuleMeta = RuleMeta {
    id: "dx.questionable_admission",
    severity: Severity::Warning,
    applies_to: INPATIENT,
    summary: "The principal diagnosis is not usually sufficient to justify an inpatient admission",
    source: "CMS MCE edit 8 (questionable admission, qadm flag; post-payment review)",
    default_enabled: true,
};

impl Rule for DxQuestionableAdmission {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if cx.dx_flags(0).is_some_and(|f| f.questionable_admission()) {
            out.claim(
                "diagnoses[0].code",
                format!(
                    "{} is a questionable reason for admission; make sure the record supports inpatient care",
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
    use crate::rules::testing::{base_claim, inpatient_claim, run};

    fn qadm_code() -> String {
        let cm = CodeSets::embedded().icd10cm();
        cm.valid_codes_on(2026_03_02)
            .into_iter()
            .find(|c| cm.flags(c, 2026_03_02).is_some_and(|f| f.questionable_admission()))
            .expect("some code has qadm")
            .to_owned()
    }

    #[test]
    fn ordinary_principal_and_professional_claims_pass() {
        assert!(run(&DxQuestionableAdmission, &inpatient_claim()).is_empty());
        let mut c = base_claim();
        c.diagnoses.insert(0, Diagnosis::new(&qadm_code()));
        assert!(run(&DxQuestionableAdmission, &c).is_empty());
    }

    #[test]
    fn qadm_principal_is_reported() {
        let mut c = inpatient_claim();
        c.diagnoses.insert(0, Diagnosis::new(&qadm_code()));
        assert_eq!(run(&DxQuestionableAdmission, &c).len(), 1);
    }
}
