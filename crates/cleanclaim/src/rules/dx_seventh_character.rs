//! `dx.seventh_character`: a code that needs a 7th character has none, or has it without the
//! `X` placeholder(s).
//!
//! Example: `S52.521` needs a 7th character (A, B, C, D, … for the encounter); `W21.89A` must be
//! written `W21.89XA`.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::codesets::DxStatus;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DxSeventhCharacter;

static META: RuleMeta = RuleMeta {
    id: "dx.seventh_character",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "A diagnosis lacks its required 7th character, or the X placeholder before it",
    source: "ICD-10-CM Official Guidelines I.A.4-5 (placeholder X, 7th characters); tabular sevenChrDef",
    default_enabled: true,
};

impl Rule for DxSeventhCharacter {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(date) = cx.date else { return };
        for (i, st) in cx.dx_status.iter().enumerate() {
            let Some(DxStatus::Incomplete(_)) = st else { continue };
            let code = &cx.claim.diagnoses[i].code;
            if let Some(why) = cx.codes.icd10cm().explain_incomplete(code, date.ymd()) {
                out.diagnosis(i, ".code", why.message);
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
    fn complete_codes_pass() {
        let mut c = base_claim();
        c.diagnoses.push(Diagnosis::new("S52.521A"));
        c.diagnoses.push(Diagnosis::new("W21.89XA"));
        assert!(run(&DxSeventhCharacter, &c).is_empty());
    }

    #[test]
    fn missing_seventh_and_placeholder_are_explained() {
        let mut c = base_claim();
        c.diagnoses.push(Diagnosis::new("S52.521"));
        c.diagnoses.push(Diagnosis::new("W21.89A"));
        let f = run(&DxSeventhCharacter, &c);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f[0].message.contains("7th character"), "{}", f[0].message);
        assert!(f[1].message.contains("W21.89XA"), "{}", f[1].message);
    }
}
