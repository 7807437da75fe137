//! `px.limited_coverage`: an ICD-10-PCS procedure Medicare covers only in approved settings
//! (transplants, LVRS, artificial heart — MCE `lcov`).
//!
//! Example: a heart transplant procedure: payment depends on the center's approval.

use super::{Context, INPATIENT, Rule, RuleMeta, Sink};
use crate::codes::shown;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct PxLimitedCoverage;

static META: RuleMeta = RuleMeta {
    id: "px.limited_coverage",
    severity: Severity::Warning,
    applies_to: INPATIENT,
    summary: "A limited-coverage procedure (transplants, LVRS, artificial heart): covered only in approved settings",
    source: "CMS MCE edit 17 (limited coverage, lcov flag)",
    default_enabled: true,
};

impl Rule for PxLimitedCoverage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(date) = cx.date else { return };
        for (i, p) in cx.claim.procedures.iter().enumerate() {
            if cx.codes.icd10pcs().flags(&p.code, date.ymd()).is_some_and(|f| f.limited_coverage()) {
                out.claim(
                    format!("procedures[{i}].code"),
                    format!(
                        "{} has limited Medicare coverage: it is paid only when performed in an approved setting",
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
    use crate::rules::testing::{inpatient_claim, run};

    #[test]
    fn ordinary_procedures_pass() {
        assert!(run(&PxLimitedCoverage, &inpatient_claim()).is_empty());
    }

    #[test]
    fn a_limited_coverage_procedure_is_reported() {
        let pcs = CodeSets::embedded().icd10pcs();
        let code = pcs
            .valid_codes_on(2026_02_14)
            .into_iter()
            .find(|c| pcs.flags(c, 2026_02_14).is_some_and(|f| f.limited_coverage()))
            .expect("some procedure has limited coverage");
        let mut c = inpatient_claim();
        c.procedures[0].code = code;
        assert_eq!(run(&PxLimitedCoverage, &c).len(), 1);
    }
}
