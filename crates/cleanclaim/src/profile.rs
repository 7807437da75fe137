//! Profiles: a payer's or a setting's view of the catalogue, in TOML or JSON.
//!
//! A profile turns rules on or off, overrides severities and adds declarative payer rules
//! ("payer X requires modifier 25 on an E/M billed with a procedure the same day", "payer Y
//! does not accept place of service 02 for code Z"). Three profiles ship built in:
//! `medicare-professional`, `medicare-institutional` and `commercial-default`.
//!
//! ```toml
//! name = "acme-health"
//! [rules]
//! enable = ["dx.sex_conflict"]
//! disable = ["dx.unspecified"]
//! severity = { "dx.excludes1" = "error" }
//!
//! [[payer_rules]]
//! id = "payer.acme_no_telehealth_venipuncture"
//! kind = "forbid_place_of_service"      # or require_modifier, forbid_code, max_units
//! payers = ["00431"]                    # payer ids it applies to; empty = every payer
//! codes = ["36415"]                     # codes: "99213", ranges "99202-99215", prefixes "992*"
//! place_of_service = ["02", "10"]
//! message = "venipuncture cannot be billed as telehealth"
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Claim;
use crate::report::{Finding, Severity};
use crate::{Error, rules};

/// A parsed profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Profile name.
    pub name: String,
    /// One line for humans.
    #[serde(default)]
    pub description: String,
    /// Rule selection and severities.
    #[serde(default)]
    pub rules: RuleSelection,
    /// Declarative payer rules.
    #[serde(default)]
    pub payer_rules: Vec<PayerRule>,
}

/// Which catalogue rules run and at which severity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSelection {
    /// Rules to run that are off by default.
    #[serde(default)]
    pub enable: Vec<String>,
    /// Rules to turn off.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Severity overrides.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
}

/// What a payer rule checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayerRuleKind {
    /// A line with one of `codes` (billed on a day with one of `with_codes_same_day`, when
    /// given) must carry `modifier`.
    RequireModifier,
    /// A line with one of `codes` must not be billed at one of `place_of_service`.
    ForbidPlaceOfService,
    /// The payer does not accept `codes` at all.
    ForbidCode,
    /// A line with one of `codes` must not exceed `max_units`.
    MaxUnits,
}

/// A declarative payer rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayerRule {
    /// Rule id; must start with `payer.`.
    pub id: String,
    /// What it checks.
    pub kind: PayerRuleKind,
    /// Severity of its findings.
    #[serde(default = "default_severity")]
    pub severity: Severity,
    /// Payer ids it applies to; empty: every payer.
    #[serde(default)]
    pub payers: Vec<String>,
    /// Procedure codes it applies to: codes, ranges `A-B`, prefixes `P*`.
    pub codes: Vec<String>,
    /// For `require_modifier`: only when one of these is billed the same day on another line.
    #[serde(default)]
    pub with_codes_same_day: Vec<String>,
    /// For `require_modifier`.
    #[serde(default)]
    pub modifier: Option<String>,
    /// For `forbid_place_of_service`.
    #[serde(default)]
    pub place_of_service: Vec<String>,
    /// For `max_units`.
    #[serde(default)]
    pub max_units: Option<f64>,
    /// Message of its findings.
    pub message: String,
}

fn default_severity() -> Severity {
    Severity::Error
}

const BUILTIN: &[(&str, &str)] = &[
    ("medicare-professional", include_str!("../profiles/medicare-professional.toml")),
    ("medicare-institutional", include_str!("../profiles/medicare-institutional.toml")),
    ("commercial-default", include_str!("../profiles/commercial-default.toml")),
];

impl Profile {
    /// Names of the built-in profiles.
    pub fn builtin_names() -> impl Iterator<Item = &'static str> {
        BUILTIN.iter().map(|(n, _)| *n)
    }

    /// A built-in profile by name.
    pub fn builtin(name: &str) -> Result<Profile, Error> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name).ok_or_else(|| {
            let names: Vec<_> = Profile::builtin_names().collect();
            Error::Config(format!("unknown profile `{name}` (built in: {})", names.join(", ")))
        })?;
        Profile::from_toml(text, name)
    }

    /// Parses TOML; `source` names the file in errors.
    pub fn from_toml(text: &str, source: &str) -> Result<Profile, Error> {
        let p: Profile = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| line_col(text, s.start)).map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default();
            Error::Config(format!("{source}{at}: {}", e.message()))
        })?;
        p.validate(source)?;
        Ok(p)
    }

    /// Parses JSON; `source` names the file in errors.
    pub fn from_json(text: &str, source: &str) -> Result<Profile, Error> {
        let p: Profile = crate::input::from_json(text).map_err(|e| e.with_source(source))?;
        p.validate(source)?;
        Ok(p)
    }

    /// A built-in name, or a `.toml` / `.json` file.
    pub fn load(name_or_path: &str) -> Result<Profile, Error> {
        if Profile::builtin_names().any(|n| n == name_or_path) {
            return Profile::builtin(name_or_path);
        }
        let text = std::fs::read_to_string(name_or_path)
            .map_err(|source| Error::Io { path: name_or_path.to_owned(), source })?;
        if name_or_path.ends_with(".json") {
            Profile::from_json(&text, name_or_path)
        } else {
            Profile::from_toml(&text, name_or_path)
        }
    }

    fn validate(&self, source: &str) -> Result<(), Error> {
        let sel = &self.rules;
        for id in sel.enable.iter().chain(&sel.disable).chain(sel.severity.keys()) {
            if rules::find(id).is_none() {
                return Err(Error::Config(format!("{source}: unknown rule id `{id}` (see `cleanclaim rules`)")));
            }
        }
        for (i, r) in self.payer_rules.iter().enumerate() {
            let bad = |what: &str| Error::Config(format!("{source}: payer_rules[{i}] ({}): {what}", r.id));
            if !r.id.starts_with("payer.") || r.id.len() <= 6 {
                return Err(bad("id must start with `payer.`"));
            }
            if r.codes.is_empty() {
                return Err(bad("`codes` is empty"));
            }
            match r.kind {
                PayerRuleKind::RequireModifier if r.modifier.is_none() => return Err(bad("needs `modifier`")),
                PayerRuleKind::ForbidPlaceOfService if r.place_of_service.is_empty() => {
                    return Err(bad("needs `place_of_service`"));
                }
                PayerRuleKind::MaxUnits if r.max_units.is_none() => return Err(bad("needs `max_units`")),
                _ => {}
            }
        }
        Ok(())
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, str::len) + 1;
    (line, col)
}

/// Whether `code` matches a pattern: exact, range `A-B` (same length, compared as text) or
/// prefix `P*`.
fn matches(pattern: &str, code: &str) -> bool {
    if let Some(prefix) = pattern.strip_suffix('*') {
        return code.starts_with(prefix);
    }
    if let Some((lo, hi)) = pattern.split_once('-') {
        return code.len() == lo.len() && lo <= code && code <= hi;
    }
    pattern == code
}

fn any_match(patterns: &[String], code: &str) -> bool {
    patterns.iter().any(|p| matches(p, code))
}

impl PayerRule {
    /// Runs the rule on a claim.
    pub(crate) fn check(&self, claim: &Claim, out: &mut Vec<Finding>) {
        if !self.payers.is_empty() && !claim.payer.id.as_ref().is_some_and(|p| self.payers.contains(p)) {
            return;
        }
        let mut push = |i: usize, rest: &str| {
            out.push(Finding {
                rule: self.id.clone(),
                severity: self.severity,
                path: format!("lines[{i}]{rest}"),
                message: self.message.clone(),
                line: Some(i as u32 + 1),
            })
        };
        for (i, l) in claim.lines.iter().enumerate() {
            if !l.procedure.as_deref().is_some_and(|c| any_match(&self.codes, c)) {
                continue;
            }
            match self.kind {
                PayerRuleKind::RequireModifier => {
                    let m = self.modifier.as_deref().unwrap_or_default();
                    if l.modifiers.iter().any(|x| x == m) {
                        continue;
                    }
                    let day = claim.line_date(l);
                    let triggered = self.with_codes_same_day.is_empty()
                        || claim.lines.iter().enumerate().any(|(j, o)| {
                            j != i
                                && claim.line_date(o) == day
                                && o.procedure.as_deref().is_some_and(|c| any_match(&self.with_codes_same_day, c))
                        });
                    if triggered {
                        push(i, ".modifiers");
                    }
                }
                PayerRuleKind::ForbidPlaceOfService => {
                    let pos = l.place_of_service.as_deref().or(claim.place_of_service.as_deref());
                    if pos.is_some_and(|p| self.place_of_service.iter().any(|x| x == p)) {
                        push(i, if l.place_of_service.is_some() { ".place_of_service" } else { "" });
                    }
                }
                PayerRuleKind::ForbidCode => push(i, ".procedure"),
                PayerRuleKind::MaxUnits => {
                    if self.max_units.is_some_and(|m| l.units > m) {
                        push(i, ".units");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::base_claim;

    #[test]
    fn builtins_parse() {
        for n in Profile::builtin_names() {
            let p = Profile::builtin(n).unwrap();
            assert_eq!(p.name, n);
        }
        assert_eq!(Profile::builtin("nope").unwrap_err().code(), "config");
    }

    #[test]
    fn errors_name_the_place() {
        let e = Profile::from_toml("name = \"x\"\n[rules]\nenable = [\"no.such\"]\n", "p.toml").unwrap_err();
        assert!(e.to_string().contains("no.such"), "{e}");
        let e = Profile::from_toml("name = \"x\"\nrules = 3\n", "p.toml").unwrap_err();
        assert!(e.to_string().contains("p.toml:2:"), "{e}");
        let e = Profile::from_json("{\"name\": \"x\", \"payer_rules\": [{\"id\": \"nope\"}]}", "p.json").unwrap_err();
        assert!(e.to_string().contains("p.json"), "{e}");
    }

    #[test]
    fn patterns() {
        assert!(matches("99202-99215", "99213"));
        assert!(!matches("99202-99215", "99217"));
        assert!(!matches("99202-99215", "9921"));
        assert!(matches("992*", "99213"));
        assert!(matches("G0438", "G0438"));
    }

    #[test]
    fn em_needs_25_with_a_procedure_the_same_day() {
        let p = Profile::builtin("medicare-professional").unwrap();
        let rule = &p.payer_rules[0];
        let mut c = base_claim();
        let mut out = Vec::new();
        rule.check(&c, &mut out);
        assert!(out.is_empty(), "the example has no procedure: {out:?}");
        c.lines[1].procedure = Some("11102".into()); // tangential biopsy
        c.lines[0].modifiers.clear();
        rule.check(&c, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].path, "lines[0].modifiers");
    }
}
