//! `dx.age_conflict`: a diagnosis restricted to an MCE age group (newborn, pediatric,
//! maternity, adult) on a patient outside that group's ages on the date of service.
//!
//! Example: `O80` (maternity, ages 9–64 since FY2020) for a 70-year-old; `Z38.00` (newborn, age
//! 0) for a 40-year-old.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::codes::dotted;
use crate::codesets::{AgeGroup, DxFlags};
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DxAgeConflict;

static META: RuleMeta = RuleMeta {
    id: "dx.age_conflict",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "A diagnosis for newborns, children, maternity or adults on a patient outside those ages",
    source: "CMS MCE edit 4 (age conflict; newborn/pediatric/maternity/adult flags and age ranges by date); I/OCE edit 2",
    default_enabled: true,
};

/// The age groups a code's flags put it in, in MCE's order (pediatric, newborn, maternity,
/// adult): the first group violated is the one reported.
fn groups(flags: DxFlags) -> [(bool, AgeGroup, &'static str); 4] {
    [
        (flags.pediatric(), AgeGroup::Pediatric, "pediatric"),
        (flags.newborn(), AgeGroup::Newborn, "newborn"),
        (flags.maternity(), AgeGroup::Maternity, "maternity"),
        (flags.adult(), AgeGroup::Adult, "adult"),
    ]
}

impl Rule for DxAgeConflict {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let (Some(date), Some(age)) = (cx.date, cx.age()) else { return };
        // The claim's flags together first: most claims have no age-group code at all.
        if !groups(cx.dx_flags_any).iter().any(|&(set, ..)| set) {
            return;
        }
        let cm = cx.codes.icd10cm();
        for i in 0..cx.claim.diagnoses.len() {
            let Some(flags) = cx.dx_flags(i) else { continue };
            for (set, group, name) in groups(flags) {
                if !set {
                    continue;
                }
                let Some((lo, hi)) = cm.age_range(group, date.ymd()) else { continue };
                if age < u32::from(lo) || age > u32::from(hi) {
                    out.diagnosis(
                        i,
                        ".code",
                        format!(
                            "{} is a {name} diagnosis (ages {lo}-{hi}); the patient's age is outside that range",
                            dotted(&cx.claim.diagnoses[i].code)
                        ),
                    );
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Date;
    use crate::model::Diagnosis;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn adult_codes_on_an_adult_pass() {
        assert!(run(&DxAgeConflict, &base_claim()).is_empty());
    }

    #[test]
    fn newborn_code_on_an_adult_fails_without_revealing_the_age() {
        let mut c = base_claim();
        c.diagnoses.push(Diagnosis::new("Z38.00"));
        let f = run(&DxAgeConflict, &c);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("newborn"));
        assert!(!f[0].message.contains("64"), "{}", f[0].message);
        c.subscriber.birth_date = Date::new(2026, 3, 1);
        assert!(run(&DxAgeConflict, &c).is_empty());
    }
}
