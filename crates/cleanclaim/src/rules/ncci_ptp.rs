//! `ncci.ptp`: a column-1 / column-2 code pair of the NCCI procedure-to-procedure edits is
//! billed on the same date of service by the same rendering provider.
//!
//! Example: with the practitioner edit `20610` / `76942` (modifier indicator 0), a claim with
//! `20610` and `76942` on 2026-03-02 is reported on the `76942` line: the column-2 code is
//! denied and no modifier bypasses the edit. With indicator 1, modifier 59 (or XE, XS, XP,
//! XU, an anatomic modifier, ...) on either line bypasses it; with indicator 9 the edit never
//! applies.
//!
//! Professional claims are checked against the practitioner table, institutional outpatient
//! claims against the hospital table (where the rendering provider plays no part: the facility
//! bills every line). Nothing is found without loaded tables. Anatomic modifiers bypass an
//! edit only when the two lines do not carry the same ones (the same site is not a
//! different site).

use super::{Context, Rule, RuleMeta, Sink};
use crate::model::ServiceLine;
use crate::ncci::{ModifierIndicator, NCCI_CLAIM_TYPES, Setting, is_anatomic_modifier, is_ptp_modifier};
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct NcciPtp;

static META: RuleMeta = RuleMeta {
    id: "ncci.ptp",
    severity: Severity::Error,
    applies_to: NCCI_CLAIM_TYPES,
    summary: "Two codes of an NCCI procedure-to-procedure edit on the same date and provider: the column-2 code is denied unless a modifier may and does bypass it",
    source: "CMS NCCI PTP edits (practitioner and hospital tables, quarterly); NCCI Policy Manual ch. I; I/OCE edits 20 and 40",
    default_enabled: true,
};

/// True when a line carries an NCCI-associated modifier other than an anatomic one.
fn has_distinct_service_modifier(l: &ServiceLine) -> bool {
    l.modifiers.iter().any(|m| is_ptp_modifier(m) && !is_anatomic_modifier(m))
}

/// True when the lines' anatomic modifiers differ (two different sites). Equal sets, empty
/// ones included, are the same site.
fn different_sites(a: &ServiceLine, b: &ServiceLine) -> bool {
    let anatomic = |l: &ServiceLine| l.modifiers.iter().filter(|m| is_anatomic_modifier(m)).count();
    anatomic(a) != anatomic(b)
        || a.modifiers.iter().filter(|m| is_anatomic_modifier(m)).any(|m| !b.modifiers.contains(m))
}

impl Rule for NcciPtp {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(setting) = Setting::for_claim_type(cx.claim_type) else {
            return;
        };
        let c = cx.claim;
        if c.lines.len() < 2 || !cx.ncci.has_ptp(setting) {
            return;
        }
        // Each date-and-provider group is a slice and each code in it a run, so a claim with
        // thousands of lines looks up each pair of distinct codes once, not each pair of lines.
        let keyed = super::lines_by_service(cx);
        let mut found: Vec<(usize, String)> = Vec::new();
        for group in keyed.chunk_by(|a, b| a.0 == b.0 && a.1 == b.1) {
            let runs = || group.chunk_by(|a, b| a.2 == b.2);
            if runs().nth(1).is_none() {
                continue;
            }
            let date = group[0].0;
            for r2 in runs() {
                for r1 in runs() {
                    let (code1, code2) = (r1[0].2, r2[0].2);
                    if code1 == code2 {
                        continue;
                    }
                    let Some(edit) = cx.ncci.ptp(setting, code1, code2, date) else {
                        continue;
                    };
                    let how = match edit.modifier {
                        ModifierIndicator::NotApplicable => continue,
                        ModifierIndicator::Allowed => {
                            "modifier indicator 1: an NCCI-associated modifier (59, XE, XS, XP, XU, an anatomic \
                             modifier, ...) bypasses it when the services were distinct"
                        }
                        ModifierIndicator::NotAllowed => "modifier indicator 0: no modifier bypasses it",
                    };
                    // An indicator-1 edit is bypassed for a column-2 line when a modifier on it, or on
                    // any column-1 line, marks a distinct service, or when some column-1 line is at
                    // another site. Judged per run, not per pair of lines.
                    let first = &c.lines[r1[0].3];
                    let col1_distinct = r1.iter().any(|&(.., i)| has_distinct_service_modifier(&c.lines[i]));
                    let col1_one_site = r1.iter().all(|&(.., i)| !different_sites(&c.lines[i], first));
                    for &(.., j) in r2 {
                        let col2 = &c.lines[j];
                        let bypassed = col1_distinct
                            || has_distinct_service_modifier(col2)
                            || !col1_one_site
                            || different_sites(first, col2);
                        if edit.modifier == ModifierIndicator::Allowed && bypassed {
                            continue;
                        }
                        let why =
                            if edit.rationale.is_empty() { String::new() } else { format!(" ({})", edit.rationale) };
                        found.push((
                            j,
                            format!(
                                "{code2} is the column-2 code of NCCI PTP edit {code1}/{code2}{why} with line {} in the {} \
                                 table; it is denied on the same date of service; {how}",
                                r1[0].3 + 1,
                                setting.as_str(),
                            ),
                        ));
                    }
                }
            }
        }
        // Stable: several edits on one line keep their code order.
        found.sort_by_key(|f| f.0);
        for (j, message) in found {
            out.line(j, ".procedure", message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClaimKind, Provider};
    use crate::ncci::Ncci;
    use crate::rules::testing::{base_claim, run, run_with};

    const TABLE: &str = "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date\tModifier\tPTP Edit Rationale\n\
        99214\t36415\t\t20200101\t*\t0\tMisuse of column two code with column one code\n\
        99214\t83036\t\t20200101\t*\t1\tStandards of medical/surgical practice\n\
        83036\t36415\t\t20100101\t20100101\t9\tMutually exclusive procedures\n";

    fn tables(setting: Setting) -> Ncci {
        Ncci::builder().ptp(TABLE.as_bytes(), "t.txt", setting).unwrap().build()
    }

    #[test]
    fn no_tables_or_no_pair_pass() {
        assert!(run(&NcciPtp, &base_claim()).is_empty());
        let mut c = base_claim();
        c.lines.truncate(1);
        assert!(run_with(&NcciPtp, &c, &tables(Setting::Practitioner)).is_empty());
    }

    #[test]
    fn column_two_lines_are_reported_unless_bypassed() {
        let ncci = tables(Setting::Practitioner);
        let f = run_with(&NcciPtp, &base_claim(), &ncci);
        // 83036 (indicator 1, 99214 carries 25 which bypasses it) passes; 36415 (indicator 0) does not.
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].path, "lines[2].procedure");
        assert!(f[0].message.contains("99214/36415") && f[0].message.contains("indicator 0"), "{}", f[0].message);

        let mut c = base_claim();
        c.lines[0].modifiers.clear();
        let f = run_with(&NcciPtp, &c, &ncci);
        assert_eq!(f.iter().map(|f| f.line).collect::<Vec<_>>(), [Some(2), Some(3)]);
        assert!(f[0].message.contains("indicator 1"));
        c.lines[1].modifiers = vec!["XU".into()];
        assert_eq!(run_with(&NcciPtp, &c, &ncci).len(), 1);
    }

    #[test]
    fn same_anatomic_modifier_does_not_bypass_but_different_ones_do() {
        let ncci = tables(Setting::Practitioner);
        let mut c = base_claim();
        c.lines[0].modifiers = vec!["RT".into()];
        c.lines[1].modifiers = vec!["RT".into()];
        c.lines.truncate(2);
        assert_eq!(run_with(&NcciPtp, &c, &ncci).len(), 1);
        c.lines[1].modifiers = vec!["LT".into()];
        assert!(run_with(&NcciPtp, &c, &ncci).is_empty());
    }

    #[test]
    fn other_dates_and_other_providers_pass() {
        let ncci = tables(Setting::Practitioner);
        let mut c = base_claim();
        c.lines[2].date = crate::Date::new(2026, 3, 3);
        c.lines[1].modifiers = vec!["59".into()];
        assert!(run_with(&NcciPtp, &c, &ncci).is_empty());
        let mut c = base_claim();
        c.lines[2].rendering_provider =
            Some(Box::new(Provider { npi: Some("1245319599".into()), ..Provider::default() }));
        assert!(run_with(&NcciPtp, &c, &ncci).is_empty());
    }

    #[test]
    fn outpatient_claims_use_the_hospital_table() {
        let mut c = base_claim();
        c.kind = ClaimKind::Institutional;
        c.type_of_bill = Some("131".into());
        assert!(run_with(&NcciPtp, &c, &tables(Setting::Practitioner)).is_empty());
        assert_eq!(run_with(&NcciPtp, &c, &tables(Setting::OutpatientHospital)).len(), 1);
        c.type_of_bill = Some("111".into());
        assert!(run_with(&NcciPtp, &c, &tables(Setting::OutpatientHospital)).is_empty());
    }
}
