//! `claim.total_mismatch`: the total charge (CLM02) equals the sum of the line charges.
//!
//! Example: lines of 125.00 and 40.00 with a total of 175.00 are reported (X12 5010 TR3 and
//! WEDI SNIP level 3 balancing require 165.00).

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::Money;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct TotalMismatch;

static META: RuleMeta = RuleMeta {
    id: "claim.total_mismatch",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "The total charge does not equal the sum of the service line charges",
    source: "X12 005010X222A1/X223A2 CLM02 balancing (WEDI SNIP level 3)",
    default_enabled: true,
};

impl Rule for TotalMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let c = cx.claim;
        let sum: Money = c.lines.iter().map(|l| l.charge).sum();
        if sum != c.total_charge {
            out.claim(
                "total_charge",
                format!(
                    "total charge {} does not equal the sum of the {} line charges, {}",
                    c.total_charge,
                    c.lines.len(),
                    sum
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn balanced_claim_passes() {
        assert!(run(&TotalMismatch, &base_claim()).is_empty());
    }

    #[test]
    fn off_by_a_cent_is_reported() {
        let mut c = base_claim();
        c.total_charge = Money(c.total_charge.cents() + 1);
        let f = run(&TotalMismatch, &c);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].path, "total_charge");
    }
}
