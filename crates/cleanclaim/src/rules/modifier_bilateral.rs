//! `modifier.bilateral`: a bilateral procedure (modifier 50) reported the wrong way — with
//! more than one unit, or beside another line of the same code on the same date.
//!
//! Example: `20610-50` with 2 units is reported at `lines[0].units`: Medicare wants a
//! bilateral procedure on one line, with modifier 50 and 1 unit (the payment already covers
//! both sides). `20610-50` and `20610` (or `20610-RT`) on the same date are reported on the
//! later line: the procedure is billed once with 50, or on two lines with RT and LT.
//!
//! Whether a code may be billed bilaterally at all (the physician fee schedule's bilateral
//! indicator) needs fee schedule data and is not checked here.

use super::{Context, Rule, RuleMeta, Sink};
use crate::model::ServiceLine;
use crate::ncci::NCCI_CLAIM_TYPES;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct ModifierBilateral;

static META: RuleMeta = RuleMeta {
    id: "modifier.bilateral",
    severity: Severity::Error,
    applies_to: NCCI_CLAIM_TYPES,
    summary: "Modifier 50 with more than 1 unit, or a code with 50 repeated on another line of the same date",
    source: "I/OCE edit 17 (inappropriate specification of bilateral procedure); CMS Claims Processing Manual ch. 12 §40.7 (bilateral surgery: one line, modifier 50, 1 unit)",
    default_enabled: true,
};

fn bilateral(l: &ServiceLine) -> bool {
    l.modifiers.iter().any(|m| m == "50")
}

impl Rule for ModifierBilateral {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let c = cx.claim;
        // Most claims have no bilateral line: then nothing below runs (claims can have
        // thousands of lines, so no pairwise scan without a reason).
        let with_50: Vec<usize> = c.lines.iter().enumerate().filter(|(_, l)| bilateral(l)).map(|(i, _)| i).collect();
        if with_50.is_empty() {
            return;
        }
        for (i, l) in c.lines.iter().enumerate() {
            let Some(code) = l.procedure.as_deref() else {
                continue;
            };
            let shown = if code.len() <= 8 { code } else { "the procedure" };
            let is_50 = bilateral(l);
            if is_50 && l.units > 1.0 {
                out.line(
                    i,
                    ".units",
                    format!(
                        "{shown} with modifier 50 has {} units: a bilateral procedure is one line with 1 unit",
                        l.units
                    ),
                );
            }
            let date = c.line_date(l);
            let same = |k: usize| c.lines[k].procedure.as_deref() == Some(code) && c.line_date(&c.lines[k]) == date;
            // An earlier line of the same code and date, one of the two with 50.
            let earlier = if is_50 {
                (0..i).find(|&k| same(k))
            } else {
                with_50.iter().copied().take_while(|&k| k < i).find(|&k| same(k))
            };
            if let Some(k) = earlier {
                out.line(
                    i,
                    ".procedure",
                    format!(
                        "{shown} is on line {} and line {} of the same date with modifier 50 on one of them: bill it once with 50, or on two lines with RT and LT",
                        k + 1,
                        i + 1
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn one_bilateral_line_with_one_unit_passes() {
        let mut c = base_claim();
        c.lines[1].modifiers = vec!["50".into()];
        assert!(run(&ModifierBilateral, &c).is_empty());
        let mut right = c.lines[2].clone();
        c.lines[2].modifiers = vec!["LT".into()];
        right.modifiers = vec!["RT".into()];
        c.lines.push(right);
        assert!(run(&ModifierBilateral, &c).is_empty());
    }

    #[test]
    fn units_over_one_and_repeated_lines_are_reported() {
        let mut c = base_claim();
        c.lines[1].modifiers = vec!["50".into()];
        c.lines[1].units = 2.0;
        let f = run(&ModifierBilateral, &c);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].path, "lines[1].units");
        c.lines[1].units = 1.0;
        let mut again = c.lines[1].clone();
        again.modifiers = vec!["RT".into()];
        c.lines.push(again);
        let f = run(&ModifierBilateral, &c);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].path, "lines[3].procedure");
        assert!(f[0].message.contains("line 2 and line 4"), "{}", f[0].message);
        c.lines[3].date = crate::Date::new(2026, 3, 3);
        assert!(run(&ModifierBilateral, &c).is_empty());
    }
}
