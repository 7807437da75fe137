//! `px.invalid`: every ICD-10-PCS procedure on an inpatient claim exists and is in force on
//! the discharge date.
//!
//! Example: `0DTJ4ZZ` (laparoscopic appendectomy) is valid; `0DTJ4ZX` is not a code.

use super::{Context, INPATIENT, Rule, RuleMeta, Sink};
use crate::Date;
use crate::codes::shown;
use crate::codesets::PcsStatus;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct PxInvalid;

static META: RuleMeta = RuleMeta {
    id: "px.invalid",
    severity: Severity::Error,
    applies_to: INPATIENT,
    summary: "An ICD-10-PCS procedure does not exist, was deleted, or is not yet in force on the discharge date",
    source: "CMS MCE edit 1 (invalid procedure); ICD-10-PCS tables by fiscal year (MCE 43.1 + FY2027 validity)",
    default_enabled: true,
};

impl Rule for PxInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(date) = cx.date else { return };
        for (i, p) in cx.claim.procedures.iter().enumerate() {
            if matches!(p.qualifier.as_deref(), Some("BR" | "BQ" | "BP" | "BO")) {
                continue; // ICD-9 volume 3: `icd.version_mismatch` territory
            }
            let Some(status) = cx.px_status[i] else { continue };
            let why = match status {
                PcsStatus::Valid(_) => continue,
                PcsStatus::Unknown => format!("{} is not an ICD-10-PCS code", shown(&p.code)),
                PcsStatus::Deleted { last_valid } => {
                    format!(
                        "{} was deleted: last valid on {}, the discharge is on {date}",
                        shown(&p.code),
                        Date::show_ymd(last_valid)
                    )
                }
                PcsStatus::NotYetValid { from } => {
                    format!("{} is not yet in force on {date}: valid from {}", shown(&p.code), Date::show_ymd(from))
                }
            };
            out.claim(format!("procedures[{i}].code"), why);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{inpatient_claim, run};

    #[test]
    fn valid_procedures_pass() {
        assert!(run(&PxInvalid, &inpatient_claim()).is_empty());
    }

    #[test]
    fn unknown_procedure_fails() {
        let mut c = inpatient_claim();
        c.procedures[0].code = "0DTJ4ZX".into();
        assert_eq!(run(&PxInvalid, &c).len(), 1);
    }
}
