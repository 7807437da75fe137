//! `dx.not_billable`: a diagnosis is a category or subcategory header, not a billable code;
//! the message lists the valid completions.
//!
//! Example: `E11` (type 2 diabetes) is a header; E11.00, E11.9, E11.65, … are billable.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::codes::dotted;
use crate::codesets::DxStatus;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DxNotBillable;

static META: RuleMeta = RuleMeta {
    id: "dx.not_billable",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "A diagnosis is a header code with more specific codes under it; lists the valid completions",
    source: "ICD-10-CM Official Guidelines I.B.2 (code to the highest specificity); CMS order file header flag 0",
    default_enabled: true,
};

/// Completions listed in a message; the rest are counted.
const SHOWN: usize = 12;

impl Rule for DxNotBillable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(date) = cx.date else { return };
        for (i, st) in cx.dx_status.iter().enumerate() {
            let Some(DxStatus::Header { billable_children }) = st else { continue };
            let code = &cx.claim.diagnoses[i].code;
            // `billable_children` counts the completions: only the shown ones are spelled out.
            let shown: Vec<String> =
                cx.codes.icd10cm().completions_iter(code, date.ymd()).take(SHOWN).map(|c| dotted(&c)).collect();
            let n = *billable_children;
            let more = if n > SHOWN { format!(" and {} more", n - SHOWN) } else { String::new() };
            out.diagnosis(
                i,
                ".code",
                format!(
                    "{} is a header, not billable; code one of its {billable_children} billable codes: {}{more}",
                    dotted(code),
                    shown.join(", ")
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
    fn billable_codes_pass() {
        assert!(run(&DxNotBillable, &base_claim()).is_empty());
    }

    #[test]
    fn a_category_header_lists_completions() {
        let mut c = base_claim();
        c.diagnoses[0] = Diagnosis::new("E11");
        let f = run(&DxNotBillable, &c);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("E11.00") && f[0].message.contains("87 billable"), "{}", f[0].message);
    }
}
