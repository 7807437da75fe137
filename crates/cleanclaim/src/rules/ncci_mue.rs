//! `ncci.mue`: the units of a code exceed its NCCI medically unlikely edit (MUE) — on one
//! line (MAI 1) or summed over the lines with that code on one date of service (MAI 2 and 3).
//!
//! Example: with the practitioner MUE `20610` = 2 (MAI 2 Date of Service Edit: Policy), two
//! lines of `20610` on 2026-03-02 with 2 and 1 units are reported on the first of them: 3
//! units on that date exceed 2.
//!
//! Professional claims are checked against the practitioner table and, for codes it does not
//! list, the DME supplier table (DME suppliers bill on professional claims too); institutional
//! outpatient claims against the outpatient hospital table. Anesthesia lines billed in minutes
//! (unit basis `MJ`) are skipped: their MUE counts anesthesia units, not minutes.

use super::{Context, Rule, RuleMeta, Sink};
use crate::model::ServiceLine;
use crate::ncci::{Mai, Mue, NCCI_CLAIM_TYPES, Ncci, Setting};
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct NcciMue;

static META: RuleMeta = RuleMeta {
    id: "ncci.mue",
    severity: Severity::Error,
    applies_to: NCCI_CLAIM_TYPES,
    summary: "Units of a code exceed its NCCI medically unlikely edit, per line (MAI 1) or per date of service (MAI 2, 3)",
    source: "CMS NCCI MUE tables (practitioner, outpatient hospital, DME supplier; quarterly); NCCI Policy Manual ch. I",
    default_enabled: true,
};

fn lookup<'n>(ncci: &'n Ncci, setting: Setting, code: &str) -> Option<(Mue<'n>, Setting)> {
    match ncci.mue(setting, code) {
        Some(m) => Some((m, setting)),
        None if setting == Setting::Practitioner => ncci.mue(Setting::Dme, code).map(|m| (m, Setting::Dme)),
        None => None,
    }
}

fn why(mue: &Mue<'_>) -> String {
    if mue.rationale.is_empty() { String::new() } else { format!(", {}", mue.rationale) }
}

fn in_minutes(l: &ServiceLine) -> bool {
    l.unit_basis.as_deref().is_some_and(|b| b.eq_ignore_ascii_case("MJ"))
}

impl Rule for NcciMue {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(setting) = Setting::for_claim_type(cx.claim_type) else {
            return;
        };
        let ncci = cx.ncci;
        let dme_fallback = setting == Setting::Practitioner && ncci.has_mue(Setting::Dme);
        if !ncci.has_mue(setting) && !dme_fallback {
            return;
        }
        let c = cx.claim;
        // Lines sorted by (code, date): each run is one code on one date, so the sums of a
        // claim with thousands of lines take one sort, not a scan per line.
        let mut keyed: Vec<(&str, Option<crate::Date>, usize)> = c
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| !in_minutes(l))
            .filter_map(|(i, l)| Some((l.procedure.as_deref()?, c.line_date(l), i)))
            .collect();
        keyed.sort_unstable();
        let mut found: Vec<(usize, String)> = Vec::new();
        for run in keyed.chunk_by(|a, b| a.0 == b.0 && a.1 == b.1) {
            let (code, date) = (run[0].0, run[0].1);
            let Some((mue, table)) = lookup(ncci, setting, code) else {
                continue;
            };
            if mue.mai == Mai::Line {
                for &(_, _, i) in run {
                    let units = c.lines[i].units;
                    if units > f64::from(mue.value) {
                        found.push((
                            i,
                            format!(
                                "{units} units of {code} exceed its MUE of {} per line ({}{}; {} table)",
                                mue.value,
                                mue.mai.describe(),
                                why(&mue),
                                table.as_str()
                            ),
                        ));
                    }
                }
                continue;
            }
            let units: f64 = run.iter().map(|&(_, _, i)| c.lines[i].units).sum();
            if units > f64::from(mue.value) {
                let on = date.map(|d| format!(" on {d}")).unwrap_or_default();
                let lines = if run.len() > 1 { format!(" over {} lines", run.len()) } else { String::new() };
                // Reported on the first line of the code and date.
                found.push((
                    run[0].2,
                    format!(
                        "{units} units of {code}{on}{lines} exceed its MUE of {} per date of service ({}{}; {} table)",
                        mue.value,
                        mue.mai.describe(),
                        why(&mue),
                        table.as_str()
                    ),
                ));
            }
        }
        found.sort_by_key(|f| f.0);
        for (i, message) in found {
            out.line(i, ".units", message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{base_claim, run, run_with};

    const PRACTITIONER: &str = "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n\
        36415,2,3 Date of Service Edit: Clinical,CMS Policy\n\
        83036,1,1 Line Edit,Clinical: Data\n";
    const DME: &str = "HCPCS/CPT Code,DME Supplier Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n\
        E0114,1,2 Date of Service Edit: Policy,Nature of Equipment\n";

    fn tables() -> Ncci {
        Ncci::builder().mue(PRACTITIONER.as_bytes(), "p.csv").unwrap().mue(DME.as_bytes(), "d.csv").unwrap().build()
    }

    #[test]
    fn units_within_the_mue_pass() {
        assert!(run(&NcciMue, &base_claim()).is_empty());
        assert!(run_with(&NcciMue, &base_claim(), &tables()).is_empty());
    }

    #[test]
    fn line_edits_count_one_line_and_date_edits_sum_the_date() {
        let ncci = tables();
        let mut c = base_claim();
        c.lines[1].units = 2.0;
        let mut again = c.lines[2].clone();
        again.modifiers = vec!["91".into()];
        again.units = 2.0;
        c.lines.push(again);
        let f = run_with(&NcciMue, &c, &ncci);
        assert_eq!(f.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(), ["lines[1].units", "lines[2].units"]);
        assert!(f[0].message.contains("per line"), "{}", f[0].message);
        assert!(f[1].message.contains("3 units of 36415 on 2026-03-02 over 2 lines"), "{}", f[1].message);
        c.lines[3].date = crate::Date::new(2026, 3, 3);
        assert_eq!(run_with(&NcciMue, &c, &ncci).len(), 1);
    }

    #[test]
    fn dme_codes_fall_back_to_the_dme_table_and_minutes_are_skipped() {
        let mut c = base_claim();
        c.lines[0].procedure = Some("E0114".into());
        c.lines[0].units = 2.0;
        let f = run_with(&NcciMue, &c, &tables());
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("DME supplier table"));
        c.lines[1].units = 30.0;
        c.lines[1].unit_basis = Some("MJ".into());
        assert_eq!(run_with(&NcciMue, &c, &tables()).len(), 1);
    }
}
