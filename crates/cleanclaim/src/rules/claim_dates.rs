//! `claim.dates`: no date of service in the future, and every line inside the claim's
//! statement period. (Periods that run backwards are `claim.dates_order`.)
//!
//! Example: with today 2026-11-30, a line dated 2026-12-15 is reported; so is a line dated
//! 2026-03-09 on a claim whose statement period is 2026-03-01 to 2026-03-05.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct Dates;

static META: RuleMeta = RuleMeta {
    id: "claim.dates",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "A date of service is in the future, or a service line falls outside the statement period",
    source: "X12 005010X223A2 DTP*434 vs DTP*472; I/OCE edit 23 (invalid date); CMS claims processing manual ch. 1 §80.3.2 (future dates)",
    default_enabled: true,
};

impl Rule for Dates {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let c = cx.claim;
        let today = cx.as_of;
        for (field, d) in [("statement_from", c.statement_from), ("statement_to", c.statement_to)] {
            if let Some(d) = d.filter(|d| *d > today) {
                out.claim(field, format!("date {d} is in the future (today is {today})"));
            }
        }
        for (i, l) in c.lines.iter().enumerate() {
            // A line that runs backwards is `claim.dates_order`'s finding; one report is enough.
            if matches!((l.date, l.date_to), (Some(a), Some(b)) if a > b) {
                continue;
            }
            for (field, d) in [(".date", l.date), (".date_to", l.date_to)] {
                let Some(d) = d else { continue };
                if d > today {
                    out.line(i, field, format!("date of service {d} is in the future (today is {today})"));
                } else if let (Some(from), Some(to)) = (c.statement_from, c.statement_to)
                    && from <= to
                    && (d < from || d > to)
                {
                    out.line(i, field, format!("date of service {d} is outside the statement period {from} to {to}"));
                }
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
    fn past_dates_within_the_period_pass() {
        assert!(run(&Dates, &base_claim()).is_empty());
    }

    #[test]
    fn future_and_outside_dates_fail() {
        let mut c = base_claim();
        c.lines[0].date = Date::new(2026, 3, 9);
        c.lines[1].date = Date::new(2027, 1, 1);
        let f = run(&Dates, &c);
        assert_eq!(f.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(), ["lines[0].date", "lines[1].date"]);
        assert!(f[0].message.contains("outside"));
        assert!(f[1].message.contains("future"));
    }
}
