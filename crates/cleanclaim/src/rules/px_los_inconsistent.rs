//! `px.los_inconsistent`: a procedure that implies a long stay (MCE `los`: mechanical
//! ventilation for 96 or more consecutive hours) on a stay shorter than 5 days.
//!
//! Example: `5A1955Z` with admission 2026-02-10 and discharge 2026-02-12.

use super::{Context, INPATIENT, Rule, RuleMeta, Sink};
use crate::codes::shown;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct PxLosInconsistent;

static META: RuleMeta = RuleMeta {
    id: "px.los_inconsistent",
    severity: Severity::Error,
    applies_to: INPATIENT,
    summary: "A procedure implying 96+ hours (ventilation) on a stay shorter than 5 days",
    source: "CMS MCE procedure inconsistent with length of stay (los flag; LOS < 5 days for ICD-10)",
    default_enabled: true,
};

/// MCE's ICD-10 threshold: the edit fires when LOS < 5 days.
const MIN_LOS: i64 = 5;

impl Rule for PxLosInconsistent {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let c = cx.claim;
        // Few procedures carry the flag: the stay is worked out only for a claim with one (two
        // day counts were most of this rule's time on every inpatient claim).
        if !cx.px_flags_any.los() {
            return;
        }
        let (Some(date), Some(from)) = (cx.date, c.admission_date.or(c.statement_from)) else { return };
        let los = from.days_until(date);
        if los >= MIN_LOS {
            return;
        }
        for (i, p) in c.procedures.iter().enumerate() {
            if cx.px_flags(i).is_some_and(|f| f.los()) {
                out.claim(
                    format!("procedures[{i}].code"),
                    format!("{} implies a stay of at least {MIN_LOS} days; the stay is {los} day(s)", shown(&p.code)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Date;
    use crate::model::IcdProcedure;
    use crate::rules::testing::{inpatient_claim, run};

    fn vent(c: &mut crate::Claim) {
        c.procedures.push(IcdProcedure { code: "5A1955Z".into(), date: None, qualifier: None });
    }

    #[test]
    fn long_stay_passes() {
        let mut c = inpatient_claim();
        vent(&mut c);
        c.admission_date = Date::new(2026, 2, 1);
        c.statement_from = c.admission_date;
        assert!(run(&PxLosInconsistent, &c).is_empty());
    }

    #[test]
    fn short_stay_fails() {
        let mut c = inpatient_claim();
        vent(&mut c);
        c.admission_date = Date::new(2026, 2, 12);
        c.statement_from = c.admission_date;
        assert_eq!(run(&PxLosInconsistent, &c).len(), 1);
    }
}
