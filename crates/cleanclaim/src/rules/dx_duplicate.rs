//! `dx.duplicate`: a diagnosis code is listed more than once (MCE edit 3 "duplicate of PDX"
//! is the inpatient case: a secondary diagnosis equal to the principal).
//!
//! Example: diagnoses `E11.9, I10, E11.9` report `diagnoses[2]`.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::codes::dotted;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DxDuplicate;

static META: RuleMeta = RuleMeta {
    id: "dx.duplicate",
    severity: Severity::Warning,
    applies_to: ALL_TYPES,
    summary: "A diagnosis code is listed twice (a secondary equal to the principal is MCE edit 3)",
    source: "CMS MCE edit 3 (duplicate of PDX); X12 005010X222A1 HI (each code once)",
    default_enabled: true,
};

impl Rule for DxDuplicate {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let dx = &cx.claim.diagnoses;
        // Two codes of the table are the same code exactly when they have the same place in
        // it: one compare of numbers instead of two strings for each of the n² pairs.
        let id = |i: usize| cx.dx_id.get(i).copied().flatten();
        for (i, d) in dx.iter().enumerate() {
            let same = |j: &usize| match (id(*j), id(i)) {
                (Some(a), Some(b)) => a == b,
                _ => dx[*j].code == d.code,
            };
            if let Some(j) = (0..i).find(same) {
                let what = if j == 0 { "the principal (first-listed) diagnosis" } else { "an earlier diagnosis" };
                out.diagnosis(i, "", format!("{} repeats {what} (diagnoses[{j}])", dotted(&d.code)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Diagnosis;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn distinct_codes_pass() {
        assert!(run(&DxDuplicate, &base_claim()).is_empty());
    }

    #[test]
    fn a_repeat_of_the_principal_is_reported() {
        let mut c = base_claim();
        c.diagnoses.push(Diagnosis::new("e11.65"));
        let f = run(&DxDuplicate, &c);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].path, "diagnoses[3]");
        assert!(f[0].message.starts_with("E11.65"));
    }

    #[test]
    fn repeats_are_found_in_and_out_of_the_table_and_near_misses_are_not() {
        let mut c = base_claim();
        for code in ["Q99.9X", "Q99.9X", "E11.9", "E11.9", "E11.65"] {
            c.diagnoses.push(Diagnosis::new(code));
        }
        let f = run(&DxDuplicate, &c);
        let paths: Vec<&str> = f.iter().map(|f| f.path.as_str()).collect();
        // base_claim's first code is E11.65: the last one repeats it.
        assert_eq!(paths, ["diagnoses[4]", "diagnoses[6]", "diagnoses[7]"], "{f:?}");
    }
}
