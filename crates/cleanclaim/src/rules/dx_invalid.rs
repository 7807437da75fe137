//! `dx.invalid`: every ICD-10-CM diagnosis exists and is in force on the date of service
//! (the discharge date for inpatient claims). The message says whether the code never
//! existed, was deleted (and when) or is not yet in force (and from when).
//!
//! Example: `U07.0` on a 2019-06-01 claim is not yet in force (valid from 2020-04-01);
//! `E11.9` with a typo, `E11.99`, never existed.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::Date;
use crate::codes::dotted;
use crate::codesets::DxStatus;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DxInvalid;

static META: RuleMeta = RuleMeta {
    id: "dx.invalid",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "A diagnosis code does not exist, was deleted, or is not yet in force on the date of service",
    source: "CMS MCE edit 1 / I/OCE edit 1 (invalid diagnosis); ICD-10-CM code tables by fiscal year (MCE 43.1 + FY2027 validity)",
    default_enabled: true,
};

impl Rule for DxInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(date) = cx.date else { return };
        for (i, st) in cx.dx_status.iter().enumerate() {
            if !matches!(st, Some(DxStatus::Unknown | DxStatus::Deleted { .. } | DxStatus::NotYetValid { .. })) {
                continue;
            }
            let code = dotted(&cx.claim.diagnoses[i].code);
            let why = match st {
                Some(DxStatus::Unknown) => format!("{code} is not an ICD-10-CM code"),
                Some(DxStatus::Deleted { last_valid }) => {
                    format!(
                        "{code} was deleted: last valid on {}, the service is on {date}",
                        Date::show_ymd(*last_valid)
                    )
                }
                Some(DxStatus::NotYetValid { from }) => {
                    format!("{code} is not yet in force on {date}: valid from {}", Date::show_ymd(*from))
                }
                _ => continue,
            };
            out.diagnosis(i, ".code", why);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Diagnosis;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn valid_codes_pass() {
        assert!(run(&DxInvalid, &base_claim()).is_empty());
    }

    #[test]
    fn unknown_deleted_and_future_codes_are_explained() {
        let mut c = base_claim();
        c.diagnoses.push(Diagnosis::new("E11.99"));
        let f = run(&DxInvalid, &c);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("not an ICD-10-CM code"), "{}", f[0].message);

        // U07.1 (COVID-19) came into force on 2020-04-01.
        let mut c = base_claim();
        c.diagnoses[0] = Diagnosis::new("U07.1");
        for d in [&mut c.statement_from, &mut c.statement_to] {
            *d = Date::new(2019, 6, 1);
        }
        for l in &mut c.lines {
            l.date = Date::new(2019, 6, 1);
        }
        let f = run(&DxInvalid, &c);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("valid from 2020-04-01"), "{}", f[0].message);
    }
}
