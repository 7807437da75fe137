//! `pos.invalid`: the place of service (claim or line) is on CMS's place-of-service list.
//!
//! Example: `11` (office) and `02` (telehealth) are valid; `30` is unassigned.

use super::{Context, PROFESSIONAL, Rule, RuleMeta, Sink};
use crate::codes::shown;
use crate::codesets::small::place_of_service;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct PosInvalid;

static META: RuleMeta = RuleMeta {
    id: "pos.invalid",
    severity: Severity::Error,
    applies_to: PROFESSIONAL,
    summary: "The place of service is not a code on CMS's place-of-service list",
    source: "CMS Place of Service Code Set (2026); X12 005010X222A1 CLM05-1 / SV105",
    default_enabled: true,
};

impl Rule for PosInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let c = cx.claim;
        if let Some(p) = c.place_of_service.as_deref().filter(|p| !p.is_empty() && place_of_service(p).is_none()) {
            out.claim("place_of_service", format!("place of service `{}` is not on CMS's list", shown(p)));
        }
        for (i, l) in c.lines.iter().enumerate() {
            if let Some(p) = l.place_of_service.as_deref().filter(|p| !p.is_empty() && place_of_service(p).is_none()) {
                out.line(i, ".place_of_service", format!("place of service `{}` is not on CMS's list", shown(p)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn office_and_telehealth_pass() {
        let mut c = base_claim();
        c.lines[0].place_of_service = Some("02".into());
        assert!(run(&PosInvalid, &c).is_empty());
    }

    #[test]
    fn unassigned_codes_fail() {
        let mut c = base_claim();
        c.place_of_service = Some("30".into());
        c.lines[0].place_of_service = Some("1".into());
        assert_eq!(run(&PosInvalid, &c).len(), 2);
    }
}
