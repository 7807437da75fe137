//! `claim.dx_count`: no more diagnoses than the claim form holds — 12 on a professional claim
//! (837P HI, CMS-1500 item 21 A–L), 25 on an institutional one (principal + 24 others).
//!
//! Example: a professional claim with 13 diagnoses is reported at `diagnoses[12]`.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::model::ClaimKind;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DxCount;

static META: RuleMeta = RuleMeta {
    id: "claim.dx_count",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "More diagnoses than the claim form allows (12 professional, 25 institutional)",
    source: "X12 005010X222A1 2300 HI (12 codes); 005010X223A2 HI principal + 24 other; CMS-1500 item 21",
    default_enabled: true,
};

impl Rule for DxCount {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let max = match cx.claim.kind {
            ClaimKind::Professional => 12,
            ClaimKind::Institutional => 25,
        };
        let n = cx.claim.diagnoses.len();
        if n > max {
            out.claim(
                format!("diagnoses[{max}]"),
                format!("the claim lists {n} diagnoses; this claim form holds {max}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Diagnosis;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn twelve_pass_thirteen_fail() {
        let mut c = base_claim();
        c.diagnoses = (0..12).map(|i| Diagnosis::new(&format!("Z{:02}", 10 + i))).collect();
        assert!(run(&DxCount, &c).is_empty());
        c.diagnoses.push(Diagnosis::new("Z99"));
        let f = run(&DxCount, &c);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].path, "diagnoses[12]");
    }
}
