//! `claim.duplicate_line`: two service lines bill the same service twice — same procedure,
//! modifiers, revenue code, date of service and rendering provider.
//!
//! Example: two identical 36415 lines on 2026-03-02 are reported on the second. Repeat
//! services are billed with units, or with modifier 76/77/91, which makes the lines differ.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DuplicateLine;

static META: RuleMeta = RuleMeta {
    id: "claim.duplicate_line",
    severity: Severity::Warning,
    applies_to: ALL_TYPES,
    summary: "Two service lines bill the same code, modifiers, date and provider (payers deny the second as a duplicate, CARC 18)",
    source: "CARC 18 (exact duplicate claim/service); NCCI policy manual ch. I (repeat services use modifiers 76/77/91 or units)",
    default_enabled: true,
};

impl Rule for DuplicateLine {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let c = cx.claim;
        // Lines per claim are few; a quadratic scan beats hashing here.
        for (i, a) in c.lines.iter().enumerate() {
            let dup = c.lines[..i].iter().position(|b| {
                a.procedure == b.procedure
                    && a.revenue_code == b.revenue_code
                    && a.modifiers == b.modifiers
                    && c.line_date(a) == c.line_date(b)
                    && c.line_rendering(a).and_then(|p| p.npi.as_deref())
                        == c.line_rendering(b).and_then(|p| p.npi.as_deref())
            });
            if let Some(j) = dup {
                let code = a.procedure.as_deref().or(a.revenue_code.as_deref()).unwrap_or("(no code)");
                out.line(i, "", format!("line {} repeats line {} ({code}, same modifiers, date and provider); bill units or use modifier 76/77/91", i + 1, j + 1));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn distinct_lines_pass() {
        assert!(run(&DuplicateLine, &base_claim()).is_empty());
    }

    #[test]
    fn an_identical_line_is_reported_and_a_modifier_91_repeat_is_not() {
        let mut c = base_claim();
        let dup = c.lines[2].clone();
        c.lines.push(dup.clone());
        let f = run(&DuplicateLine, &c);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].line, Some(4));
        c.lines[3].modifiers = vec!["91".into()];
        assert!(run(&DuplicateLine, &c).is_empty());
    }
}
