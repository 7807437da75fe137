//! `claim.frequency`: the claim frequency code is known, and a replacement (7) or void (8)
//! names the payer claim control number of the claim it replaces (REF*F8).
//!
//! Example: frequency `7` without `payer_claim_control_number` is reported.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::codes::shown;
use crate::model::ClaimKind;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct Frequency;

static META: RuleMeta = RuleMeta {
    id: "claim.frequency",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "Unknown claim frequency code, or a replacement/void (7/8) without the payer claim control number",
    source: "X12 005010X222A1/X223A2 CLM05-3 and 2300 REF*F8 (required when CLM05-3 is 7 or 8); NUBC type-of-bill frequency codes",
    default_enabled: true,
};

/// Professional: 1 original, 6 corrected (some payers), 7 replacement, 8 void.
const PROFESSIONAL: &[&str] = &["1", "6", "7", "8"];
/// Institutional (NUBC type-of-bill third digit): 0–5 and 7–9, plus letters for special bills.
const INSTITUTIONAL: &[&str] = &[
    "0", "1", "2", "3", "4", "5", "7", "8", "9", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "M", "P", "Q",
];

impl Rule for Frequency {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let c = cx.claim;
        let f = c.frequency.trim();
        let known = match c.kind {
            ClaimKind::Professional => PROFESSIONAL,
            ClaimKind::Institutional => INSTITUTIONAL,
        };
        if !known.contains(&f) {
            out.claim(
                "frequency",
                format!("claim frequency code `{}` is not a valid code for this claim form", shown(f)),
            );
            return;
        }
        let has_ref = c.payer_claim_control_number.as_deref().is_some_and(|s| !s.trim().is_empty());
        if matches!(f, "7" | "8") && !has_ref {
            let what = if f == "7" { "replacement" } else { "void" };
            out.claim(
                "payer_claim_control_number",
                format!(
                    "a {what} claim (frequency {f}) must give the payer claim control number of the original claim"
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
    fn original_and_referenced_replacement_pass() {
        let mut c = base_claim();
        assert!(run(&Frequency, &c).is_empty());
        c.frequency = "7".into();
        c.payer_claim_control_number = Some("2026123456789".into());
        assert!(run(&Frequency, &c).is_empty());
    }

    #[test]
    fn void_without_reference_and_unknown_codes_fail() {
        let mut c = base_claim();
        c.frequency = "8".into();
        assert_eq!(run(&Frequency, &c)[0].path, "payer_claim_control_number");
        c.frequency = "Z".into();
        assert_eq!(run(&Frequency, &c)[0].path, "frequency");
    }
}
