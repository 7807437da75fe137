//! `modifier.invalid`: a modifier is not two letters/digits, or is not a HCPCS/CPT modifier.
//!
//! The embedded modifier list is CMS's 2020 HCPCS file plus the CPT (Level I) modifiers; a
//! modifier it does not know is reported only for dates its release year covers, and one it
//! marks terminated is always reported.
//!
//! Example: `2S` or `250` are reported; `25`, `LT`, `XS` are not.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::codes::{Modifier, shown};
use crate::codesets::HcpcsKind;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct ModifierInvalid;

static META: RuleMeta = RuleMeta {
    id: "modifier.invalid",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "A modifier is malformed or not a valid CPT/HCPCS modifier on the date of service",
    source: "I/OCE edit 22 (invalid modifier); CMS HCPCS Level II modifiers (record ids 7/8); AMA CPT Appendix A modifier numbers",
    default_enabled: true,
};

/// CPT Level I modifiers (numbers only, no descriptors: those are AMA's), from CPT Appendix A.
const CPT_MODIFIERS: &[&str] = &[
    "22", "23", "24", "25", "26", "27", "32", "33", "47", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59",
    "62", "63", "66", "73", "74", "76", "77", "78", "79", "80", "81", "82", "90", "91", "92", "93", "95", "96", "97",
    "99",
];

impl Rule for ModifierInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let c = cx.claim;
        let hcpcs = cx.codes.hcpcs();
        for (i, l) in c.lines.iter().enumerate() {
            for (j, m) in l.modifiers.iter().enumerate() {
                let rest = || format!(".modifiers[{j}]");
                if !Modifier::is_shape(m) {
                    out.line(i, &rest(), format!("modifier `{}` must be 2 letters or digits", shown(m)));
                    continue;
                }
                if CPT_MODIFIERS.contains(&m.as_str()) {
                    continue;
                }
                let date = c.line_date(l);
                match hcpcs.dates(HcpcsKind::Modifier, m).map(|(_, terminated)| terminated) {
                    Some(terminated) => {
                        if let (Some(t), Some(d)) = (terminated, date)
                            && t < d.ymd()
                        {
                            out.line(i, &rest(), format!("modifier {m} was terminated before {d}"));
                        }
                    }
                    None if date.is_none_or(|d| u32::from(hcpcs.release_year()) >= u32::from(d.year())) => {
                        out.line(i, &rest(), format!("{m} is not a CPT or HCPCS modifier"));
                    }
                    None => {}
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
    fn known_modifiers_pass() {
        let mut c = base_claim();
        c.lines[1].modifiers = vec!["LT".into(), "XS".into(), "59".into()];
        assert!(run(&ModifierInvalid, &c).is_empty());
    }

    #[test]
    fn malformed_and_unknown_modifiers_fail() {
        let mut c = base_claim();
        c.lines[1].modifiers = vec!["250".into()];
        assert_eq!(run(&ModifierInvalid, &c).len(), 1);
        // Unknown to the 2020 file, on a 2020 date.
        c.lines[1].modifiers = vec!["Z9".into()];
        c.lines[1].date = Date::new(2020, 6, 1);
        assert_eq!(run(&ModifierInvalid, &c).len(), 1);
    }
}
