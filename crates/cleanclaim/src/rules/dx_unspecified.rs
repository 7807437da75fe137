//! `dx.unspecified`: a diagnosis CMS's MCE flags as unspecified where a more specific code
//! exists (information: payers increasingly deny unspecified codes).
//!
//! Example: `G81.90` (hemiplegia, unspecified, affecting unspecified side): the record should
//! say which side.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::codes::dotted;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DxUnspecified;

static META: RuleMeta = RuleMeta {
    id: "dx.unspecified",
    severity: Severity::Info,
    applies_to: ALL_TYPES,
    summary: "A diagnosis is flagged unspecified; code more specifically when the record allows",
    source: "CMS MCE UNSPECIFIED edit (unspecified flag, added 2022-04-01); ICD-10-CM Official Guidelines I.B.18",
    default_enabled: true,
};

impl Rule for DxUnspecified {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !cx.dx_flags_any.unspecified() {
            return;
        }
        for i in 0..cx.claim.diagnoses.len() {
            if cx.dx_flags(i).is_some_and(|f| f.unspecified()) {
                out.diagnosis(
                    i,
                    ".code",
                    format!(
                        "{} is an unspecified code; a more specific code may be required",
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
    use crate::codesets::CodeSets;
    use crate::model::Diagnosis;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn specific_codes_pass() {
        assert!(run(&DxUnspecified, &base_claim()).is_empty());
    }

    #[test]
    fn an_unspecified_code_is_noted() {
        let cm = CodeSets::embedded().icd10cm();
        let code = cm
            .valid_codes_on(2026_03_02)
            .into_iter()
            .find(|c| cm.flags(c, 2026_03_02).is_some_and(|f| f.unspecified()))
            .unwrap()
            .to_owned();
        let mut c = base_claim();
        c.diagnoses.push(Diagnosis::new(&code));
        assert_eq!(run(&DxUnspecified, &c).len(), 1);
    }
}
