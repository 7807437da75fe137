//! `line.charge_invalid`: line charges are positive. A zero charge is accepted only for CPT
//! category II performance-measure codes (`nnnnF`), which are reported at $0.00.
//!
//! Example: a line for 99213 billed at 0.00, or any line at -10.00, is reported.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct ChargeInvalid;

static META: RuleMeta = RuleMeta {
    id: "line.charge_invalid",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "A service line charge is negative, or zero on a chargeable service",
    source: "X12 005010X222A1 SV102 / X223A2 SV203 (monetary amount, not negative); payer front-end zero-charge edits",
    default_enabled: true,
};

impl Rule for ChargeInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (i, l) in cx.claim.lines.iter().enumerate() {
            let cents = l.charge.cents();
            if cents < 0 {
                out.line(i, ".charge", format!("line charge {} is negative", l.charge));
            } else if cents == 0 && !l.procedure.as_deref().is_some_and(|p| p.len() == 5 && p.ends_with('F')) {
                out.line(i, ".charge", "line charge is 0.00 on a chargeable service");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Money;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn positive_charges_and_zero_category_ii_pass() {
        let mut c = base_claim();
        assert!(run(&ChargeInvalid, &c).is_empty());
        c.lines[2].procedure = Some("3044F".into());
        c.lines[2].charge = Money::ZERO;
        assert!(run(&ChargeInvalid, &c).is_empty());
    }

    #[test]
    fn zero_and_negative_charges_fail() {
        let mut c = base_claim();
        c.lines[0].charge = Money::ZERO;
        c.lines[1].charge = Money::from_cents(-1000);
        let f = run(&ChargeInvalid, &c);
        assert_eq!(f.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(), ["lines[0].charge", "lines[1].charge"]);
    }
}
