//! `claim.required_field`: the fields a payer needs to accept the claim are present.
//!
//! Example: a claim whose subscriber has no member id is reported at `subscriber.member_id`;
//! a billing provider without a tax id at `billing_provider.tax_id`.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::model::{Address, ClaimKind, Person};
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct RequiredField;

static META: RuleMeta = RuleMeta {
    id: "claim.required_field",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "A field the payer requires is missing (names, birth date, sex, member id, payer id, billing NPI, address, tax id, diagnoses, procedure or revenue code)",
    source: "X12 005010X222A1/X223A2 required elements (2010AA, 2010BA, 2010BB, 2010CA, CLM, HI, SV1/SV2); CMS-1500 items 1a-33; UB-04 FLs",
    default_enabled: true,
};

fn blank(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(all_space)
}

/// `s.trim().is_empty()`, stopping at the first character of a filled-in field.
fn all_space(s: &str) -> bool {
    crate::codes::trim(s).is_empty()
}

fn person(p: &Person, path: &str, member: bool, out: &mut Sink<'_>) {
    let name = p.name.as_ref();
    if name.is_none_or(|n| blank(&n.last)) {
        out.claim(format!("{path}.name.last"), format!("{path} last name is required"));
    }
    if name.is_none_or(|n| blank(&n.first)) {
        out.claim(format!("{path}.name.first"), format!("{path} first name is required"));
    }
    if p.birth_date.is_none() {
        out.claim(format!("{path}.birth_date"), format!("{path} birth date is required"));
    }
    if p.sex.is_none() {
        out.claim(format!("{path}.sex"), format!("{path} sex is required (M, F or U)"));
    }
    if member && blank(&p.member_id) {
        out.claim(format!("{path}.member_id"), "subscriber member id is required");
    }
}

fn address(a: Option<&Address>, path: &str, who: &str, out: &mut Sink<'_>) {
    let Some(a) = a else {
        out.claim(path.to_owned(), format!("{who} address is required"));
        return;
    };
    if a.lines.iter().all(|l| all_space(l)) {
        out.claim(format!("{path}.lines"), format!("{who} street address is required"));
    }
    for (field, v) in [("city", &a.city), ("state", &a.state), ("postal_code", &a.postal_code)] {
        if blank(v) {
            out.claim(format!("{path}.{field}"), format!("{who} address {} is required", field.replace('_', " ")));
        }
    }
}

impl Rule for RequiredField {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let c = cx.claim;
        if all_space(&c.id) {
            out.claim("id", "claim id (patient control number, CLM01) is required");
        }
        let bp = &c.billing_provider;
        if blank(&bp.npi) {
            out.claim("billing_provider.npi", "billing provider NPI is required");
        }
        if blank(&bp.name) {
            out.claim("billing_provider.name", "billing provider name is required");
        }
        if blank(&bp.tax_id) {
            out.claim("billing_provider.tax_id", "billing provider tax id (EIN or SSN) is required");
        }
        address(bp.address.as_ref(), "billing_provider.address", "billing provider", out);
        person(&c.subscriber, "subscriber", true, out);
        if let Some(p) = &c.patient {
            person(p, "patient", false, out);
        }
        if blank(&c.payer.id) {
            out.claim("payer.id", "payer id is required");
        }
        if c.diagnoses.is_empty() {
            out.claim("diagnoses", "at least one diagnosis is required");
        }
        if c.lines.is_empty() {
            out.claim("lines", "at least one service line is required");
        }
        match c.kind {
            ClaimKind::Professional => {
                if blank(&c.place_of_service) {
                    out.claim("place_of_service", "place of service is required on a professional claim");
                }
                for (i, l) in c.lines.iter().enumerate() {
                    if blank(&l.procedure) {
                        out.line(i, ".procedure", "procedure code is required on a professional service line");
                    }
                    if c.line_date(l).is_none() {
                        out.line(i, ".date", "date of service is required");
                    }
                }
            }
            ClaimKind::Institutional => {
                if blank(&c.type_of_bill) {
                    out.claim("type_of_bill", "type of bill is required on an institutional claim");
                }
                if c.statement_from.is_none() || c.statement_to.is_none() {
                    out.claim("statement_from", "statement period (from and through dates) is required");
                }
                for (i, l) in c.lines.iter().enumerate() {
                    if blank(&l.revenue_code) {
                        out.line(i, ".revenue_code", "revenue code is required on an institutional service line");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn complete_claim_passes() {
        assert!(run(&RequiredField, &base_claim()).is_empty());
    }

    #[test]
    fn each_missing_field_is_named_by_path() {
        let mut c = base_claim();
        c.subscriber.member_id = None;
        c.subscriber.birth_date = None;
        c.billing_provider.tax_id = Some(" ".into());
        c.billing_provider.address.as_mut().unwrap().postal_code = None;
        c.payer.id = None;
        c.lines[1].procedure = None;
        let f = run(&RequiredField, &c);
        let paths: Vec<_> = f.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "billing_provider.tax_id",
                "billing_provider.address.postal_code",
                "subscriber.birth_date",
                "subscriber.member_id",
                "payer.id",
                "lines[1].procedure"
            ]
        );
    }
}
