//! `proc.invalid`: a HCPCS Level II code that is unknown or terminated on the date of service,
//! or — once a licensed CPT file is loaded — a CPT code that is not valid then.
//!
//! The embedded HCPCS release is CMS's 2020 file (the newest reachable when this was built):
//! codes it marks terminated before the date of service are always reported; codes it does
//! not know are reported only for dates its release year covers, since newer codes exist.
//! Load a current file (`CodeSets::builder().hcpcs_file`) for full validity.
//!
//! Example: `A4466` (terminated 2016-12-31) on a 2026 claim.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::Date;
use crate::codes::ProcedureCode;
use crate::codesets::HcpcsKind;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct ProcInvalid;

static META: RuleMeta = RuleMeta {
    id: "proc.invalid",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "A HCPCS (or, with a licensed file, CPT) code is unknown or not valid on the date of service",
    source: "I/OCE edit 6 (invalid procedure); CMS HCPCS Level II file (termination and added dates); AMA CPT (user-supplied)",
    default_enabled: true,
};

impl Rule for ProcInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let c = cx.claim;
        let hcpcs = cx.codes.hcpcs();
        let cpt = cx.codes.cpt();
        for (i, l) in c.lines.iter().enumerate() {
            let (Some(code), Some(date)) = (l.procedure.as_deref(), c.line_date(l)) else { continue };
            if !ProcedureCode::is_shape(code) {
                continue; // `proc.format`
            }
            let ymd = date.ymd();
            let level2 = code.as_bytes()[0].is_ascii_uppercase();
            let why = if level2 {
                match hcpcs.dates(HcpcsKind::Procedure, code) {
                    Some(dates) => match dates {
                        (_, Some(t)) if t < ymd => format!("HCPCS {code} was terminated after {}", Date::show_ymd(t)),
                        (Some(a), _) if a > ymd => format!("HCPCS {code} is not in force until {}", Date::show_ymd(a)),
                        _ => continue,
                    },
                    None if u32::from(hcpcs.release_year()) >= u32::from(date.year()) => {
                        format!("{code} is not a HCPCS Level II code in the {} release", hcpcs.release_year())
                    }
                    None => continue,
                }
            } else if cpt.is_loaded() && !cpt.is_valid(code, ymd) {
                format!("CPT {code} is not valid on {date} in the loaded CPT file")
            } else {
                continue;
            };
            out.line(i, ".procedure", why);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codesets::CodeSets;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn valid_hcpcs_and_cpt_without_a_licensed_file_pass() {
        let mut c = base_claim();
        c.lines[2].procedure = Some("G0439".into());
        assert!(run(&ProcInvalid, &c).is_empty());
    }

    #[test]
    fn a_terminated_hcpcs_code_fails() {
        let hcpcs = CodeSets::embedded().hcpcs();
        // Any code the 2020 file marks terminated before 2026.
        // A4466 was terminated on 2016-12-31 per the 2020 file.
        let code = "A4466";
        assert!(hcpcs.lookup(code).is_some_and(|i| i.terminated == Some(2016_12_31)));
        let mut c = base_claim();
        c.lines[2].procedure = Some(code.into());
        assert_eq!(run(&ProcInvalid, &c).len(), 1);
    }
}
