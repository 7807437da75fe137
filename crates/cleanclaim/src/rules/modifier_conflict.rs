//! `modifier.conflict`: a service line's modifiers contradict each other or break the form.
//!
//! Example: `73560` with modifiers `26` and `TC` is reported at `lines[0].modifiers[1]`: the
//! professional and the technical component together are the global service, billed with
//! neither modifier. Also reported: `50` (bilateral) with `LT` or `RT`, `LT` with `RT` on one
//! line, a modifier repeated on a line, and more than four modifiers.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct ModifierConflict;

static META: RuleMeta = RuleMeta {
    id: "modifier.conflict",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "A line carries 26 with TC, 50 with LT/RT, LT with RT, the same modifier twice, or more than 4 modifiers",
    source: "X12 005010X222A1 SV101-3..6 / 005010X223A2 SV202-3..6 (at most 4 modifiers); CMS Claims Processing Manual ch. 12 §20.4 (PC/TC) and §40.7 (bilateral 50 vs RT/LT)",
    default_enabled: true,
};

/// Pairs that cannot share a line, with why.
const EXCLUSIVE: &[(&str, &str, &str)] = &[
    (
        "26",
        "TC",
        "the professional (26) and technical (TC) components together are the global service: bill it without either",
    ),
    ("50", "LT", "50 already means both sides: bill 50 alone, or LT and RT on two lines"),
    ("50", "RT", "50 already means both sides: bill 50 alone, or LT and RT on two lines"),
    ("LT", "RT", "both sides on one line is modifier 50 (or LT and RT on two lines)"),
];

impl Rule for ModifierConflict {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (i, l) in cx.claim.lines.iter().enumerate() {
            let mods = &l.modifiers;
            if mods.len() > 4 {
                out.line(i, ".modifiers", format!("line has {} modifiers; at most 4 fit on a claim line", mods.len()));
            }
            for (j, m) in mods.iter().enumerate() {
                if mods[..j].contains(m) {
                    // A modifier is 2 characters; never echo an oversized value.
                    let shown = if m.len() <= 4 { m.as_str() } else { "(oversized)" };
                    out.line(i, &format!(".modifiers[{j}]"), format!("modifier {shown} is repeated on this line"));
                    continue;
                }
                for &(a, b, why) in EXCLUSIVE {
                    let partner = if m == b {
                        a
                    } else if m == a {
                        b
                    } else {
                        continue;
                    };
                    if mods[..j].iter().any(|p| p == partner) {
                        out.line(
                            i,
                            &format!(".modifiers[{j}]"),
                            format!("modifiers {partner} and {m} conflict on one line: {why}"),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{base_claim, run};

    fn with(mods: &[&str]) -> crate::Claim {
        let mut c = base_claim();
        c.lines[1].modifiers = mods.iter().map(|m| (*m).to_owned()).collect();
        c
    }

    #[test]
    fn ordinary_modifiers_pass() {
        assert!(run(&ModifierConflict, &base_claim()).is_empty());
        assert!(run(&ModifierConflict, &with(&["26", "59", "XU", "GA"])).is_empty());
        assert!(run(&ModifierConflict, &with(&["50"])).is_empty());
    }

    #[test]
    fn conflicts_repeats_and_too_many_are_reported() {
        let f = run(&ModifierConflict, &with(&["26", "TC"]));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].path, "lines[1].modifiers[1]");
        assert!(f[0].message.contains("26 and TC"));
        let f = run(&ModifierConflict, &with(&["RT", "50"]));
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("RT and 50"));
        assert_eq!(run(&ModifierConflict, &with(&["LT", "RT"])).len(), 1);
        let f = run(&ModifierConflict, &with(&["59", "59"]));
        assert_eq!(f[0].message, "modifier 59 is repeated on this line");
        let f = run(&ModifierConflict, &with(&["59", "GA", "GY", "KX", "Q6"]));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].path, "lines[1].modifiers");
    }
}
