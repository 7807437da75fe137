//! `claim.npi_check_digit`: every NPI on the claim has 10 digits and a valid check digit.
//!
//! Example: billing provider NPI `1234567890` is reported, because the Luhn check digit of
//! `80840` + `123456789` is 3 (`1234567893` is valid).

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::codes::{Npi, NpiError};
use crate::model::Provider;
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct NpiCheckDigit;

static META: RuleMeta = RuleMeta {
    id: "claim.npi_check_digit",
    severity: Severity::Error,
    applies_to: ALL_TYPES,
    summary: "An NPI is not 10 digits or its Luhn check digit (prefix 80840) is wrong",
    source: "45 CFR 162.406; CMS NPI check-digit algorithm (ISO/IEC 7812 Luhn with prefix 80840)",
    default_enabled: true,
};

/// Inlined, with the report out of line: a claim has up to seven NPI places, most of them
/// empty, and the call for each cost more than testing it.
#[inline(always)]
fn check_one(role: &str, path: &str, provider: Option<&Provider>, out: &mut Sink<'_>, line: Option<usize>) {
    let Some(npi) = provider.and_then(|p| p.npi.as_deref()) else {
        return;
    };
    if let Err(e) = Npi::verify(npi) {
        report(role, path, e, out, line);
    }
}

#[cold]
fn report(role: &str, path: &str, e: NpiError, out: &mut Sink<'_>, line: Option<usize>) {
    let why = match e {
        NpiError::Shape => "is not exactly 10 digits".to_owned(),
        NpiError::CheckDigit { found, expected } => {
            format!("has check digit {found}, but the Luhn check digit (prefix 80840) is {expected}")
        }
    };
    let message = format!("{role} NPI {why}");
    match line {
        Some(i) => out.line(i, &format!(".{path}.npi"), message),
        None => out.claim(format!("{path}.npi"), message),
    }
}

impl Rule for NpiCheckDigit {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let c = cx.claim;
        check_one("billing provider", "billing_provider", Some(&c.billing_provider), out, None);
        check_one("rendering provider", "rendering_provider", c.rendering_provider.as_deref(), out, None);
        check_one("referring provider", "referring_provider", c.referring_provider.as_deref(), out, None);
        check_one("attending provider", "attending_provider", c.attending_provider.as_deref(), out, None);
        for (i, line) in c.lines.iter().enumerate() {
            check_one(
                "line rendering provider",
                "rendering_provider",
                line.rendering_provider.as_deref(),
                out,
                Some(i),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn valid_npis_pass() {
        assert!(run(&NpiCheckDigit, &base_claim()).is_empty());
    }

    #[test]
    fn wrong_check_digit_and_shape_are_reported_by_role() {
        let mut c = base_claim();
        c.billing_provider.npi = Some("1234567890".into());
        c.lines[0].rendering_provider = Some(Box::new(Provider { npi: Some("12345".into()), ..Provider::default() }));
        let f = run(&NpiCheckDigit, &c);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].path, "billing_provider.npi");
        assert!(f[0].message.contains("is 3"), "{}", f[0].message);
        assert_eq!(f[1].path, "lines[0].rendering_provider.npi");
        assert_eq!(f[1].line, Some(1));
    }
}
