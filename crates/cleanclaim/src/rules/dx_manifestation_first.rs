//! `dx.manifestation_first`: a manifestation code ("in diseases classified elsewhere") is the
//! principal / first-listed diagnosis; its etiology must be listed first.
//!
//! Example: `F02.80` (dementia in other diseases classified elsewhere) listed before `G30.9`
//! (Alzheimer's disease).

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::codes::dotted;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DxManifestationFirst;

static META: RuleMeta = RuleMeta {
    id: "dx.manifestation_first",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "A manifestation code is listed first; code the underlying condition first",
    source: "CMS MCE edit 6 (manifestation as PDX); ICD-10-CM Official Guidelines I.A.13 (etiology/manifestation)",
    default_enabled: true,
};

impl Rule for DxManifestationFirst {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if cx.dx_flags(0).is_some_and(|f| f.manifestation()) {
            out.claim(
                "diagnoses[0].code",
                format!(
                    "{} is a manifestation code and cannot be listed first; list the underlying condition first",
                    dotted(&cx.claim.diagnoses[0].code)
                ),
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
    fn etiology_first_passes() {
        let mut c = base_claim();
        c.diagnoses = vec![Diagnosis::new("G30.9"), Diagnosis::new("F02.80")];
        assert!(run(&DxManifestationFirst, &c).is_empty());
    }

    #[test]
    fn manifestation_first_fails() {
        let mut c = base_claim();
        c.diagnoses = vec![Diagnosis::new("F02.80"), Diagnosis::new("G30.9")];
        assert_eq!(run(&DxManifestationFirst, &c).len(), 1);
    }
}
