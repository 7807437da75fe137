//! `px.sex_conflict`: an ICD-10-PCS procedure CMS's MCE lists for one sex on a patient of the
//! other. Like `dx.sex_conflict`, CMS retired it for discharges on or after 2024-10-01; a
//! warning, off by default, that a profile enables (after that date it reads the list in force
//! on 2024-09-30).
//!
//! Example: `0UT90ZZ` (resection of uterus) on a male patient.

use super::{Context, INPATIENT, Rule, RuleMeta, Sink};
use crate::codes::shown;
use crate::model::Sex;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct PxSexConflict;

static META: RuleMeta = RuleMeta {
    id: "px.sex_conflict",
    severity: Severity::Warning,
    applies_to: INPATIENT,
    summary: "A procedure for one sex on a patient of the other (CMS dropped this edit on 2024-10-01; payer option)",
    source: "CMS MCE edit 5 (procedure female/male flags), retired for discharges on or after 2024-10-01 (MCE v42)",
    default_enabled: false,
};

const LAST_SEX_FLAGS: u32 = 2024_09_30;

impl Rule for PxSexConflict {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(date) = cx.date else { return };
        let on = date.ymd().min(LAST_SEX_FLAGS);
        let sex = cx.claim.patient().sex;
        for (i, p) in cx.claim.procedures.iter().enumerate() {
            let Some(f) = cx.codes.icd10pcs().flags(&p.code, on) else { continue };
            let only = match sex {
                Some(Sex::Male) if f.female() => "female",
                Some(Sex::Female) if f.male() => "male",
                _ => continue,
            };
            out.claim(
                format!("procedures[{i}].code"),
                format!("{} is a {only}-only procedure; the patient's sex differs", shown(&p.code)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{inpatient_claim, run};

    #[test]
    fn neutral_procedures_pass() {
        assert!(run(&PxSexConflict, &inpatient_claim()).is_empty());
    }

    #[test]
    fn hysterectomy_on_a_male_fails() {
        let mut c = inpatient_claim();
        c.procedures[0].code = "0UT90ZZ".into();
        c.subscriber.sex = Some(Sex::Male);
        let f = run(&PxSexConflict, &c);
        assert_eq!(f.len(), 1, "{f:?}");
    }
}
