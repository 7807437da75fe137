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
        if !cx.px_flags_any.limited_coverage() {
            return;
        }
        for (i, p) in cx.claim.procedures.iter().enumerate() {
            // A procedure MCE reports as non-covered is not also a limited-coverage one (a
            // pancreas transplant carries both flags: non-covered without a kidney transplant
            // or type I diabetes, limited coverage with them).
            if cx.px_flags(i).is_some_and(|f| f.limited_coverage()) && super::px_noncovered::reason(cx, i).is_none() {
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

    #[test]
    fn a_pancreas_transplant_is_limited_coverage_only_when_it_is_covered() {
        let mut c = inpatient_claim();
        c.procedures[0].code = "0FYG0Z0".into();
        let engine = crate::Engine::builder().as_of(crate::Date::new(2026, 11, 30).unwrap()).build().unwrap();
        let rules = |c: &crate::Claim| {
            let mut ids: Vec<String> = engine.check(c).findings.into_iter().map(|f| f.rule).collect();
            ids.retain(|r| r.starts_with("px."));
            ids
        };
        // No kidney transplant and no type I diabetes: MCE's NON_COVERED only.
        assert_eq!(rules(&c), ["px.noncovered"]);
        // With type I diabetes it is covered, in approved centers: LIMITED_COVERAGE only.
        c.diagnoses[0].code = "E1010".into();
        assert_eq!(rules(&c), ["px.limited_coverage"]);
    }
}
