//! `dx.duplicate`: a diagnosis code is listed more than once (MCE edit 3 "duplicate of PDX"
//! is the inpatient case: a secondary diagnosis equal to the principal).
//!
//! Example: diagnoses `E11.9, I10, E11.9` report `diagnoses[2]`.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::codes::dotted;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DxDuplicate;

static META: RuleMeta = RuleMeta {
    id: "dx.duplicate",
    severity: Severity::Warning,
    applies_to: ALL_TYPES,
    summary: "A diagnosis code is listed twice (a secondary equal to the principal is MCE edit 3)",
    source: "CMS MCE edit 3 (duplicate of PDX); X12 005010X222A1 HI (each code once)",
    default_enabled: true,
};

impl Rule for DxDuplicate {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let dx = &cx.claim.diagnoses;
        for (i, d) in dx.iter().enumerate() {
            if let Some(j) = dx[..i].iter().position(|e| e.code == d.code) {
                let what = if j == 0 { "the principal (first-listed) diagnosis" } else { "an earlier diagnosis" };
                out.claim(format!("diagnoses[{i}]"), format!("{} repeats {what} (diagnoses[{j}])", dotted(&d.code)));
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
    fn distinct_codes_pass() {
        assert!(run(&DxDuplicate, &base_claim()).is_empty());
    }

    #[test]
    fn a_repeat_of_the_principal_is_reported() {
        let mut c = base_claim();
        c.diagnoses.push(Diagnosis::new("e11.65"));
        let f = run(&DxDuplicate, &c);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].path, "diagnoses[3]");
        assert!(f[0].message.starts_with("E11.65"));
    }
}
