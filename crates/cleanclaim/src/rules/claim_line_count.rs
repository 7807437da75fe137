//! `claim.line_count`: no more service lines than the transaction allows — 50 on a
//! professional claim (837P loop 2400), 999 on an institutional one (837I).
//!
//! Example: a professional claim with 51 lines is reported at `lines[50]`; split it.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::model::ClaimKind;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct LineCount;

static META: RuleMeta = RuleMeta {
    id: "claim.line_count",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "More service lines than the transaction allows (50 professional, 999 institutional)",
    source: "X12 005010X222A1 loop 2400 repeat 50; 005010X223A2 loop 2400 repeat 999",
    default_enabled: true,
};

impl Rule for LineCount {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let max = match cx.claim.kind {
            ClaimKind::Professional => 50,
            ClaimKind::Institutional => 999,
        };
        let n = cx.claim.lines.len();
        if n > max {
            out.claim(
                format!("lines[{max}]"),
                format!("the claim has {n} service lines; this transaction allows {max}: split the claim"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn fifty_lines_pass_fifty_one_fail() {
        let mut c = base_claim();
        let l = c.lines[0].clone();
        c.lines = vec![l; 50];
        assert!(run(&LineCount, &c).is_empty());
        c.lines.push(c.lines[0].clone());
        assert_eq!(run(&LineCount, &c)[0].path, "lines[50]");
    }
}
