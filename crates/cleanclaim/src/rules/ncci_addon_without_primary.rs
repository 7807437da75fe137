//! `ncci.addon_without_primary` and `ncci.addon_payer_primary`: an NCCI add-on code without
//! an eligible primary code on the same date of service (and, on professional claims, by the
//! same rendering provider).
//!
//! Example: with the add-on code edit `11045` → primary `11042` (type 1), a claim with `11045`
//! but no `11042` on that date is reported on the `11045` line by `ncci.addon_without_primary`.
//!
//! The AOC edit type decides which rule speaks:
//!
//! * type 1 (only the listed primaries): no listed primary is an error
//!   (`ncci.addon_without_primary`);
//! * type 2 (no primaries listed, the payer defines them) and type 3 (listed primaries, the
//!   payer may accept others): no procedure at all that could be a primary (every other code on
//!   the date is itself an add-on) is an error; other procedures but no listed primary is a
//!   warning that the payer decides (`ncci.addon_payer_primary`).

use super::{Context, Rule, RuleMeta, Sink};
use crate::model::ClaimType;
use crate::ncci::{AocType, NCCI_CLAIM_TYPES};
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct AddonWithoutPrimary;

/// See the module documentation.
#[derive(Debug)]
pub struct AddonPayerPrimary;

static META: RuleMeta = RuleMeta {
    id: "ncci.addon_without_primary",
    severity: Severity::Error,
    applies_to: NCCI_CLAIM_TYPES,
    summary: "An add-on code has none of its CMS-listed primary codes (AOC type 1), or no possible primary at all, on the same date and provider",
    source: "CMS NCCI Add-on Code Edits (AOC file, quarterly); NCCI Policy Manual ch. I; CPT add-on code convention",
    default_enabled: true,
};

static PAYER_META: RuleMeta = RuleMeta {
    id: "ncci.addon_payer_primary",
    severity: Severity::Warning,
    applies_to: NCCI_CLAIM_TYPES,
    summary: "An add-on code whose primaries the payer defines (AOC type 2) or may extend (type 3) has no CMS-listed primary on the date",
    source: "CMS NCCI Add-on Code Edits (AOC edit types 2 and 3: primaries defined by the contractor)",
    default_enabled: true,
};

/// What is wrong with one add-on line.
enum Outcome {
    /// Type 1 without a listed primary, or any type with nothing that could be a primary.
    Missing(String),
    /// Type 2 or 3: the payer decides.
    PayerDecides(String),
}

fn analyze(cx: &Context<'_>, out_missing: bool, out: &mut Sink<'_>) {
    if !cx.ncci.has_aoc() {
        return;
    }
    let professional = cx.claim_type == ClaimType::Professional;
    // Each date-and-provider group is a slice and each code in it a run, so every add-on code
    // is judged once per group against the distinct codes beside it, however many lines
    // repeat them.
    let keyed = super::lines_by_service(cx);
    let by = if professional { " by the same rendering provider" } else { "" };
    let mut found: Vec<(usize, String)> = Vec::new();
    for group in keyed.chunk_by(|a, b| a.0 == b.0 && a.1 == b.1) {
        let date = group[0].0;
        let runs = || group.chunk_by(|a, b| a.2 == b.2);
        for run in runs() {
            let code = run[0].2;
            let Some(addon) = cx.ncci.addon(code, date) else {
                continue;
            };
            let others = runs().map(|r| r[0].2).filter(|&pc| pc != code);
            if others.clone().any(|pc| addon.has_primary(pc)) {
                continue;
            }
            let any_base = others.clone().any(|pc| !cx.ncci.is_addon(pc, date));
            let listed = || {
                let mut names: Vec<String> = addon.primaries().take(6).collect();
                let n = addon.primary_count();
                if n > 5 {
                    names.truncate(5);
                    format!("{}, … ({n} in all)", names.join(", "))
                } else {
                    names.join(", ")
                }
            };
            let outcome = match addon.edit_type() {
                AocType::Listed => Outcome::Missing(format!(
                    "add-on code {code} has none of its primary codes ({}) on the same date{by}; CMS pays a type 1 add-on code only with a listed primary",
                    listed()
                )),
                t if !any_base => Outcome::Missing(format!(
                    "add-on code {code} is reported without any primary procedure on the same date{by} (AOC type {})",
                    if t == AocType::PayerDefined { 2 } else { 3 }
                )),
                AocType::PayerDefined => Outcome::PayerDecides(format!(
                    "add-on code {code} has no CMS-listed primary codes (AOC type 2): the payer decides whether another procedure on this date is an eligible primary"
                )),
                AocType::ListedAndPayer => Outcome::PayerDecides(format!(
                    "add-on code {code} has none of its CMS-listed primary codes ({}) on the same date{by}; under AOC type 3 the payer may accept another primary",
                    listed()
                )),
            };
            let message = match outcome {
                Outcome::Missing(m) if out_missing => m,
                Outcome::PayerDecides(m) if !out_missing => m,
                _ => continue,
            };
            for &(_, _, _, i) in run {
                found.push((i, message.clone()));
            }
        }
    }
    found.sort_by_key(|f| f.0);
    for (i, message) in found {
        out.line(i, ".procedure", message);
    }
}

impl Rule for AddonWithoutPrimary {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        analyze(cx, true, out);
    }
}

impl Rule for AddonPayerPrimary {
    fn meta(&self) -> &'static RuleMeta {
        &PAYER_META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        analyze(cx, false, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Provider;
    use crate::ncci::Ncci;
    use crate::rules::testing::{base_claim, run, run_with};

    const AOC: &str = "Add-on Code,Primary Code,AOC Edit Type,Primary Code Deletion Date,AOC Deletion Date,AOC Edit Effective Date,AOC Edit Deletion Date,Special Instruction Notes\n\
        83036,99214,1,*,*,20100101,*,\n\
        36415,CCCCC,2,*,*,20100101,*,\n\
        G2211,99215,3,*,*,20240101,*,\n\
        G2211,CCCCC,3,*,*,20240101,*,\n";

    fn tables() -> Ncci {
        Ncci::builder().aoc(AOC.as_bytes(), "AOC_V2026Q1-MCR.csv").unwrap().build()
    }

    #[test]
    fn addons_with_their_primary_pass() {
        let mut c = base_claim();
        c.lines.truncate(2);
        assert!(run(&AddonWithoutPrimary, &c).is_empty());
        assert!(run_with(&AddonWithoutPrimary, &c, &tables()).is_empty());
        assert!(run_with(&AddonPayerPrimary, &c, &tables()).is_empty());
    }

    #[test]
    fn type_1_without_its_primary_is_an_error() {
        let mut c = base_claim();
        c.lines[0].procedure = Some("99213".into());
        let f = run_with(&AddonWithoutPrimary, &c, &tables());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].path, "lines[1].procedure");
        assert!(f[0].message.contains("(99214)"), "{}", f[0].message);
        let mut c = base_claim();
        c.lines[0].rendering_provider =
            Some(Box::new(Provider { npi: Some("1245319599".into()), ..Provider::default() }));
        // 99214 is another provider's: neither 83036 nor 36415 has a primary of its own provider.
        let f = run_with(&AddonWithoutPrimary, &c, &tables());
        assert_eq!(f.iter().map(|f| f.line).collect::<Vec<_>>(), [Some(2), Some(3)]);
    }

    #[test]
    fn payer_defined_primaries_warn_and_a_lone_addon_is_an_error() {
        // 36415 (type 2) beside 99214: the payer decides.
        let c = base_claim();
        let f = run_with(&AddonPayerPrimary, &c, &tables());
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("type 2"));
        let mut c = base_claim();
        c.lines[2].procedure = Some("G2211".into());
        c.lines[0].procedure = Some("99213".into());
        let f = run_with(&AddonPayerPrimary, &c, &tables());
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("(99215)") && f[0].message.contains("type 3"), "{}", f[0].message);
        // Only add-on codes on the date: nothing can be the primary.
        let mut c = base_claim();
        c.lines.remove(0);
        let f = run_with(&AddonWithoutPrimary, &c, &tables());
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f[1].message.contains("without any primary procedure"), "{}", f[1].message);
        assert!(run_with(&AddonPayerPrimary, &c, &tables()).is_empty());
    }
}
