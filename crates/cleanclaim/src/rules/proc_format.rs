//! `proc.format`: a service line's procedure code has the shape of a CPT code (5 digits, or 4
//! digits and F/T/U) or a HCPCS Level II code (a letter and 4 digits), and its revenue code
//! is 4 digits.
//!
//! Example: `9921`, `99213-25` or `ABCDE` are reported; `99213`, `0591T`, `G0438` are not.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::codes::{ProcedureCode, RevenueCode, shown};
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct ProcFormat;

static META: RuleMeta = RuleMeta {
    id: "proc.format",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "A procedure code is not shaped like CPT or HCPCS, or a revenue code is not 4 digits",
    source: "X12 005010X222A1 SV101-2 / X223A2 SV202-2 (HC qualifier), SV201 (NUBC revenue code); AMA CPT code structure",
    default_enabled: true,
};

impl Rule for ProcFormat {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (i, l) in cx.claim.lines.iter().enumerate() {
            if let Some(p) = l.procedure.as_deref().filter(|p| !p.is_empty() && !ProcedureCode::is_shape(p)) {
                out.line(
                    i,
                    ".procedure",
                    format!(
                        "`{}` is not a CPT (5 digits, or 4 digits + F/T/U) or HCPCS Level II (letter + 4 digits) code",
                        shown(p)
                    ),
                );
            }
            if let Some(r) = l.revenue_code.as_deref().filter(|r| !r.is_empty() && !RevenueCode::is_shape(r)) {
                out.line(i, ".revenue_code", format!("revenue code `{}` must be 4 digits (e.g. 0450)", shown(r)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn cpt_and_hcpcs_shapes_pass() {
        let mut c = base_claim();
        c.lines[1].procedure = Some("0591T".into());
        c.lines[2].procedure = Some("G0438".into());
        assert!(run(&ProcFormat, &c).is_empty());
    }

    #[test]
    fn malformed_codes_fail() {
        let mut c = base_claim();
        c.lines[0].procedure = Some("9921".into());
        c.lines[1].revenue_code = Some("45".into());
        let f = run(&ProcFormat, &c);
        assert_eq!(
            f.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
            ["lines[0].procedure", "lines[1].revenue_code"]
        );
    }
}
