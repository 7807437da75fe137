//! `icd.version_mismatch`: ICD-9-CM qualifiers (BK, BF, …) for services on or after
//! 2015-10-01, or ICD-10-CM (ABK, ABF, … or no qualifier) before it.
//!
//! Example: a 2026 claim whose diagnoses are sent with qualifier `BK` is reported.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::Date;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct VersionMismatch;

static META: RuleMeta = RuleMeta {
    id: "icd.version_mismatch",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "ICD-9 codes for services on or after 2015-10-01, or ICD-10 codes before",
    source: "45 CFR 162.1002 (ICD-10-CM/PCS compliance date 2015-10-01); X12 HI qualifiers BK/BF vs ABK/ABF",
    default_enabled: true,
};

const ICD10_START: Date = match Date::new(2015, 10, 1) {
    Some(d) => d,
    None => panic!("valid date"),
};

impl Rule for VersionMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let c = cx.claim;
        let Some(date) = cx.date else { return };
        let want_icd10 = date >= ICD10_START;
        // The path is built only for a finding (`None` = the admitting diagnosis).
        let dx = c.diagnoses.iter().enumerate().map(|(i, d)| (Some(i), d));
        let adm = c.admitting_diagnosis.iter().map(|d| (None, d));
        for (index, d) in dx.chain(adm) {
            if d.is_icd9() == want_icd10 {
                let path = index.map_or_else(|| "admitting_diagnosis".to_owned(), |i| format!("diagnoses[{i}]"));
                let (sent, need) = if want_icd10 { ("ICD-9", "ICD-10-CM") } else { ("ICD-10", "ICD-9-CM") };
                out.claim(
                    format!("{path}.qualifier"),
                    format!(
                        "{sent} diagnosis for a service on {date}; services {} 2015-10-01 need {need}",
                        if want_icd10 { "on or after" } else { "before" }
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
    fn icd10_after_the_switch_and_icd9_before_pass() {
        let mut c = base_claim();
        assert!(run(&VersionMismatch, &c).is_empty());
        for d in &mut c.diagnoses {
            d.qualifier = Some("BF".into());
        }
        c.statement_from = Date::new(2013, 5, 1);
        c.statement_to = Date::new(2013, 5, 1);
        for l in &mut c.lines {
            l.date = Date::new(2013, 5, 1);
        }
        assert!(run(&VersionMismatch, &c).is_empty());
    }

    #[test]
    fn icd9_qualifier_in_2026_fails() {
        let mut c = base_claim();
        c.diagnoses[0].qualifier = Some("BK".into());
        let f = run(&VersionMismatch, &c);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].path, "diagnoses[0].qualifier");
    }
}
