//! `dx.sex_conflict`: a diagnosis CMS's MCE lists for one sex on a patient of the other.
//!
//! CMS removed every sex edit from the MCE for discharges on or after 2024-10-01 (MCE v42,
//! FY2025: "the sex conflict edit is deleted"), so Medicare no longer denies on it. Many
//! commercial payers still do: this rule is a warning, off by default, that a profile enables.
//! Before 2024-10-01 it reads the flags in force on the date; after, the last list CMS published
//! (in force on 2024-09-30).
//!
//! Example: `N40.0` (benign prostatic hyperplasia, male) on a female patient.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::codes::dotted;
use crate::model::Sex;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DxSexConflict;

static META: RuleMeta = RuleMeta {
    id: "dx.sex_conflict",
    severity: Severity::Warning,
    applies_to: ALL_TYPES,
    summary: "A diagnosis for one sex on a patient of the other (CMS dropped this edit on 2024-10-01; payer option)",
    source: "CMS MCE edit 5 (female/male flags), retired by CMS for discharges on or after 2024-10-01 (MCE v42); I/OCE edit 3",
    default_enabled: false,
};

/// The last day CMS's MCE carried sex flags.
const LAST_SEX_FLAGS: u32 = 2024_09_30;

impl Rule for DxSexConflict {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(date) = cx.date else { return };
        let sex = match cx.claim.patient().sex {
            Some(Sex::Male) => Sex::Male,
            Some(Sex::Female) => Sex::Female,
            _ => return,
        };
        let on = date.ymd().min(LAST_SEX_FLAGS);
        let cm = cx.codes.icd10cm();
        for (i, d) in cx.claim.diagnoses.iter().enumerate() {
            if d.is_icd9() {
                continue;
            }
            let Some(flags) = cm.flags(&d.code, on) else { continue };
            let conflict = match sex {
                Sex::Male => flags.female().then_some("female"),
                _ => flags.male().then_some("male"),
            };
            if let Some(only) = conflict {
                let retired = if date.ymd() > LAST_SEX_FLAGS { " (CMS list as of 2024-09-30)" } else { "" };
                out.diagnosis(
                    i,
                    ".code",
                    format!("{} is a {only}-only diagnosis{retired}; the patient's sex differs", dotted(&d.code)),
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
    fn matching_sex_passes() {
        let mut c = base_claim();
        c.diagnoses.push(Diagnosis::new("N80.00"));
        assert!(run(&DxSexConflict, &c).is_empty());
    }

    #[test]
    fn male_code_on_a_female_patient_is_reported() {
        let mut c = base_claim();
        c.diagnoses.push(Diagnosis::new("N40.0"));
        let f = run(&DxSexConflict, &c);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("male-only"));
    }
}
