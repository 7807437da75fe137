//! `px.noncovered`: an ICD-10-PCS procedure Medicare never covers (MCE `noncovered`), or covers
//! only with conditions the claim does not meet: `ncov6`, `ncov7`, `ncov_z302` (procedure and
//! diagnosis both flagged), `ncov12agele60` (patient over 60), `ncov45` (pancreas transplant
//! without a kidney transplant or type I diabetes).
//!
//! Example: a procedure flagged `noncovered` on an inpatient Medicare claim.

use super::{Context, INPATIENT, Rule, RuleMeta, Sink};
use crate::codes::shown;
use crate::codesets::{DxFlags, PcsFlags};
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct PxNoncovered;

static META: RuleMeta = RuleMeta {
    id: "px.noncovered",
    severity: Severity::Error,
    applies_to: INPATIENT,
    summary: "A procedure Medicare does not cover, or covers only under conditions this claim does not meet",
    source: "CMS MCE edit 11 (non-covered procedure: noncovered, ncov6/7/z302, ncov12agele60, ncov45/kidneyxp/diabtypeI)",
    default_enabled: true,
};

impl Rule for PxNoncovered {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (i, p) in cx.claim.procedures.iter().enumerate() {
            if let Some(why) = reason(cx, i) {
                out.claim(format!("procedures[{i}].code"), format!("{} {why}", shown(&p.code)));
            }
        }
    }
}

/// Why procedure `i` is not covered on this claim, if it is not (MCE's non-covered
/// conditions). `px.limited_coverage` asks too: MCE reports a procedure as one or the other.
pub(super) fn reason(cx: &Context<'_>, i: usize) -> Option<&'static str> {
    let any_dx = |f: DxFlags| (0..cx.claim.diagnoses.len()).any(|i| cx.dx_flags(i).is_some_and(|d| d.contains(f)));
    let any_px = |f: PcsFlags| (0..cx.claim.procedures.len()).any(|i| cx.px_flags(i).is_some_and(|p| p.contains(f)));
    let f = cx.px_flags(i).unwrap_or(PcsFlags(0));
    Some(if f.noncovered() {
        "is never covered by Medicare"
    } else if f.contains(PcsFlags::NCOV6) && any_dx(DxFlags::NCOV6) {
        "is not covered with the diagnosis on this claim (ncov6)"
    } else if f.contains(PcsFlags::NCOV7) && any_dx(DxFlags::NCOV7) {
        "is not covered with the diagnosis on this claim (ncov7)"
    } else if f.contains(PcsFlags::NCOV_Z302) && any_dx(DxFlags::NCOV_Z302) {
        "is not covered with the sterilization encounter diagnosis on this claim"
    } else if f.contains(PcsFlags::NCOV12AGELE60) && cx.age().is_some_and(|a| a > 60) {
        "is not covered for patients over 60"
    } else if f.contains(PcsFlags::NCOV45) && !any_px(PcsFlags::KIDNEYXP) && !any_dx(DxFlags::DIABTYPEI) {
        "(pancreas transplant) is covered only with a kidney transplant or type I diabetes"
    } else {
        return None;
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codesets::CodeSets;
    use crate::rules::testing::{inpatient_claim, run};

    #[test]
    fn covered_procedures_pass() {
        assert!(run(&PxNoncovered, &inpatient_claim()).is_empty());
    }

    #[test]
    fn a_never_covered_procedure_fails() {
        let pcs = CodeSets::embedded().icd10pcs();
        let code = pcs
            .valid_codes_on(2026_02_14)
            .into_iter()
            .find(|c| pcs.flags(c, 2026_02_14).is_some_and(|f| f.noncovered()))
            .expect("some procedure is never covered");
        let mut c = inpatient_claim();
        c.procedures[0].code = code;
        assert_eq!(run(&PxNoncovered, &c).len(), 1);
    }
}
