//! `claim.dates_order`: dates run forward — statement from ≤ to, admission ≤ discharge, each
//! line's from ≤ to, and no service before the patient's birth.
//!
//! Example: a line dated 2026-03-05 through 2026-03-01 is reported.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DatesOrder;

static META: RuleMeta = RuleMeta {
    id: "claim.dates_order",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "A period ends before it starts, or a service precedes the patient's birth",
    source: "X12 TR3 DTP*434/435/096/472 semantics; I/OCE edit 23 (invalid date)",
    default_enabled: true,
};

impl Rule for DatesOrder {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let c = cx.claim;
        if let (Some(from), Some(to)) = (c.statement_from, c.statement_to)
            && from > to
        {
            out.claim("statement_to", format!("statement period ends ({to}) before it starts ({from})"));
        }
        if let (Some(adm), Some(dis)) = (c.admission_date, c.discharge_date)
            && adm > dis
        {
            out.claim("discharge_date", format!("discharge ({dis}) is before admission ({adm})"));
        }
        for (i, l) in c.lines.iter().enumerate() {
            if let (Some(from), Some(to)) = (l.date, l.date_to)
                && from > to
            {
                out.line(i, ".date_to", format!("service ends ({to}) before it starts ({from})"));
            }
        }
        // The birth date is patient data: say which date is early, never print the birth date.
        if let Some(born) = c.patient().birth_date {
            let first = c.statement_from.into_iter().chain(c.lines.iter().filter_map(|l| l.date)).min();
            if first.is_some_and(|d| d < born) {
                out.claim(
                    format!("{}.birth_date", c.patient_path()),
                    "a date of service is before the patient's birth date",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Date;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn ordered_dates_pass() {
        assert!(run(&DatesOrder, &base_claim()).is_empty());
    }

    #[test]
    fn reversed_line_and_statement_periods_are_reported() {
        let mut c = base_claim();
        c.statement_from = Date::new(2026, 3, 5);
        c.statement_to = Date::new(2026, 3, 1);
        c.lines[0].date = Date::new(2026, 3, 5);
        c.lines[0].date_to = Date::new(2026, 3, 1);
        let f = run(&DatesOrder, &c);
        let paths: Vec<_> = f.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["statement_to", "lines[0].date_to"]);
    }

    #[test]
    fn service_before_birth_is_reported_without_the_birth_date() {
        let mut c = base_claim();
        c.subscriber.birth_date = Date::new(2030, 1, 1);
        let f = run(&DatesOrder, &c);
        assert_eq!(f.len(), 1);
        assert!(!f[0].message.contains("2030"));
    }
}
