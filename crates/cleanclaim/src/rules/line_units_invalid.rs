//! `line.units_invalid`: units of service are a positive number within the X12 field size.
//!
//! Example: a line billed with 0 units, or -1, is reported.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct UnitsInvalid;

static META: RuleMeta = RuleMeta {
    id: "line.units_invalid",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "Units of service are zero, negative, not a number or too large (SV104/SV205)",
    source: "X12 005010X222A1 SV104 / X223A2 SV205 (quantity R, max 15 digits); I/OCE edit 15",
    default_enabled: true,
};

/// Largest quantity X12's SV104 can carry with any sane precision.
const MAX_UNITS: f64 = 99_999.0;

impl Rule for UnitsInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (i, l) in cx.claim.lines.iter().enumerate() {
            let u = l.units;
            let why = if !u.is_finite() {
                "are not a number"
            } else if u <= 0.0 {
                "must be greater than zero"
            } else if u > MAX_UNITS {
                "exceed 99,999"
            } else {
                continue;
            };
            out.line(i, ".units", format!("units of service {why} (got {u})"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn positive_units_pass() {
        assert!(run(&UnitsInvalid, &base_claim()).is_empty());
    }

    #[test]
    fn zero_negative_and_huge_units_are_reported() {
        let mut c = base_claim();
        c.lines[0].units = 0.0;
        c.lines[1].units = -2.0;
        let mut extra = c.lines[1].clone();
        extra.units = 1e9;
        c.lines.push(extra);
        let f = run(&UnitsInvalid, &c);
        assert_eq!(f.iter().map(|f| f.line).collect::<Vec<_>>(), [Some(1), Some(2), Some(4)]);
    }
}
