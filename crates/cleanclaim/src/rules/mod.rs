//! The rule engine: one rule per file, a catalogue with stable dotted ids.
//!
//! A rule reads a claim through a [`Context`] and reports findings into a [`Sink`]; it never
//! fails. Rules are stateless unit structs, so the catalogue is a static slice and checking a
//! claim allocates nothing unless something is found.

use crate::Date;
use crate::codesets::{CodeId, CodeSets, DxFlags, DxStatus, PcsFlags, PcsStatus};
use crate::model::{Claim, ClaimType};
use crate::ncci::Ncci;
use crate::report::{Finding, Severity};

mod claim_dates;
mod claim_dates_order;
mod claim_duplicate_line;
mod claim_dx_count;
mod claim_frequency;
mod claim_line_count;
mod claim_npi_check_digit;
mod claim_required_field;
mod claim_total_mismatch;
mod dx_age_conflict;
mod dx_code_first_missing;
mod dx_duplicate;
mod dx_excludes1;
mod dx_external_cause_first;
mod dx_invalid;
mod dx_manifestation_first;
mod dx_not_billable;
mod dx_questionable_admission;
mod dx_requires_secondary;
mod dx_seventh_character;
mod dx_sex_conflict;
mod dx_unacceptable_principal;
mod dx_unspecified;
mod dx_wrong_procedure;
mod icd_version_mismatch;
mod line_charge_invalid;
mod line_pointer_invalid;
mod line_units_invalid;
mod modifier_bilateral;
mod modifier_conflict;
mod modifier_invalid;
mod ncci_addon_without_primary;
mod ncci_mue;
mod ncci_ptp;
mod pos_invalid;
mod proc_format;
mod proc_invalid;
mod px_invalid;
mod px_limited_coverage;
mod px_los_inconsistent;
mod px_noncovered;
mod px_questionable_obstetric_admission;
mod px_sex_conflict;

/// Which claim types a rule runs on.
pub const ALL_TYPES: &[ClaimType] = &[ClaimType::Professional, ClaimType::Inpatient, ClaimType::Outpatient];
/// Professional claims only.
pub const PROFESSIONAL: &[ClaimType] = &[ClaimType::Professional];
/// Institutional inpatient claims only.
pub const INPATIENT: &[ClaimType] = &[ClaimType::Inpatient];
/// Institutional claims, inpatient and outpatient.
pub const INSTITUTIONAL: &[ClaimType] = &[ClaimType::Inpatient, ClaimType::Outpatient];

/// What the catalogue says about a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable dotted id, e.g. `claim.npi_check_digit`. Never renamed.
    pub id: &'static str,
    /// Default severity; profiles may override it.
    pub severity: Severity,
    /// Claim types the rule runs on.
    pub applies_to: &'static [ClaimType],
    /// One line for `cleanclaim rules`.
    pub summary: &'static str,
    /// Where the rule comes from (CMS manual or table, MCE flag, X12 guide, payer practice).
    pub source: &'static str,
    /// Whether the default profile runs it.
    pub default_enabled: bool,
}

/// A check applied to each claim.
pub trait Rule: Send + Sync {
    /// Catalogue entry.
    fn meta(&self) -> &'static RuleMeta;
    /// Reports every finding for `cx.claim` into `out`.
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>);
}

/// What a rule sees.
///
/// `Debug` is derived: a field that holds or reveals patient data must be wrapped to print
/// redacted, as the age is ([`RedactedAge`]).
#[derive(Debug)]
pub struct Context<'a> {
    /// The claim being checked.
    pub claim: &'a Claim,
    /// Professional, inpatient or outpatient.
    pub claim_type: ClaimType,
    /// "Today" for checks such as dates in the future; fixed by the caller for reproducible runs.
    pub as_of: Date,
    /// NCCI tables (empty unless the user loaded some).
    pub ncci: &'a Ncci,
    /// Code sets.
    pub codes: &'a CodeSets,
    /// The date code sets are read on ([`Claim::controlling_date`]).
    pub date: Option<Date>,
    /// Status of each of `claim.diagnoses` on `date`, looked up once for every rule; `None`
    /// for ICD-9 codes or when the claim has no date.
    pub dx_status: PerItem<Option<DxStatus>>,
    /// Where each of `claim.diagnoses` is in the ICD-10-CM table, when it is there and its
    /// status was looked up (for the per-code questions after validity, such as Excludes1).
    pub dx_id: PerItem<Option<CodeId>>,
    /// Status of each of `claim.procedures` (ICD-10-PCS) on `date`, looked up once for the
    /// procedure rules; `None` when the claim has no date.
    pub px_status: PerItem<Option<PcsStatus>>,
    /// The MCE flags of every diagnosis valid on `date`, together: a rule that looks for a
    /// flag few codes carry (wrong procedure, manifestation) tests this first and is done
    /// with most claims in one step instead of a pass over the diagnoses.
    pub dx_flags_any: DxFlags,
    /// The same for the procedures' flags.
    pub px_flags_any: PcsFlags,
    /// [`age`](Self::age), worked out first thing: reading the patient is a cache miss on a
    /// claim not checked before, which then overlaps the code look-ups' misses instead of
    /// stalling an age rule later.
    age: RedactedAge,
}

/// One value per diagnosis (or procedure) of a claim: inline for up to 25 (the most an 837I
/// holds: a principal and 24 others), so that building a [`Context`] allocates nothing. With
/// 12 inline (a professional claim's most), an inpatient claim of 18 diagnoses allocated two
/// lists (three in the full catalogue, whose Excludes1 rule keeps one more): with 25 the MCE
/// rules ran ×1.08 on such claims (four alternating pairs, 1.06–1.15), and the same on claims
/// of 4 diagnoses (twenty-second session).
pub type PerItem<T> = smallvec::SmallVec<[T; 25]>;

/// An age that `Debug` does not show: it comes from the birth date, which `Claim`'s own
/// `Debug` redacts.
#[derive(Clone, Copy)]
struct RedactedAge(Option<u32>);

impl std::fmt::Debug for RedactedAge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "<redacted>" } else { "None" })
    }
}

impl<'a> Context<'a> {
    /// Builds the context, looking up each diagnosis and procedure once.
    pub fn new(claim: &'a Claim, as_of: Date, ncci: &'a Ncci, codes: &'a CodeSets) -> Context<'a> {
        let mut cx = Context::unfilled(claim, as_of, ncci, codes);
        cx.look_up_codes();
        cx
    }

    /// The context before [`look_up_codes`](Self::look_up_codes). [`Engine::check`](crate::Engine::check)
    /// builds it in two steps, each on the context where it lies: the context is ~600 bytes,
    /// and returning it filled copied it with a `memcpy` of ~90 instructions a claim (building
    /// it in place saved ~30 net on the MCE rules, callgrind).
    #[inline]
    pub(crate) fn unfilled(claim: &'a Claim, as_of: Date, ncci: &'a Ncci, codes: &'a CodeSets) -> Context<'a> {
        let age = age_of(claim);
        let claim_type = claim.claim_type();
        let date = claim.controlling_date_of(claim_type);
        Context {
            claim,
            claim_type,
            as_of,
            ncci,
            codes,
            date,
            dx_status: PerItem::new(),
            dx_id: PerItem::new(),
            px_status: PerItem::new(),
            dx_flags_any: DxFlags::default(),
            px_flags_any: PcsFlags::default(),
            age: RedactedAge(age),
        }
    }

    /// Looks up each diagnosis and procedure of the claim, once, on the context
    /// [`unfilled`](Self::unfilled) built (its lists empty, its unions empty).
    #[inline]
    pub(crate) fn look_up_codes(&mut self) {
        let (claim, date) = (self.claim, self.date);
        let (cm, pcs) = (self.codes.icd10cm(), self.codes.icd10pcs());
        for d in &claim.diagnoses {
            let (status, id) = match date {
                Some(date) if !d.is_icd9() => {
                    let (status, id) = cm.status_and_id(&d.code, date.ymd());
                    if let DxStatus::Valid(f) = status {
                        self.dx_flags_any = self.dx_flags_any | f;
                    }
                    // `dx.excludes1` reads each code's filter rules later; waiting for it there
                    // was 44 % of that rule's samples on 100,000 distinct claims, and asking
                    // for it here ran `check_many` ×1.06 (alternating runs, both orders).
                    if let Some(id) = id {
                        cm.prefetch_excludes1(id);
                    }
                    (Some(status), id)
                }
                _ => (None, None),
            };
            self.dx_status.push(status);
            self.dx_id.push(id);
        }
        for p in &claim.procedures {
            let status = date.map(|date| pcs.status(&p.code, date.ymd()));
            if let Some(PcsStatus::Valid(f)) = status {
                self.px_flags_any = self.px_flags_any | f;
            }
            self.px_status.push(status);
        }
    }

    /// MCE flags of procedure `i` when it is valid on the claim's date.
    pub fn px_flags(&self, i: usize) -> Option<crate::codesets::PcsFlags> {
        match self.px_status.get(i) {
            Some(Some(PcsStatus::Valid(f))) => Some(*f),
            _ => None,
        }
    }

    /// MCE flags of diagnosis `i` when it is valid on the claim's date.
    pub fn dx_flags(&self, i: usize) -> Option<crate::codesets::DxFlags> {
        match self.dx_status.get(i) {
            Some(Some(DxStatus::Valid(f))) => Some(*f),
            _ => None,
        }
    }

    /// The patient's age in whole years at the start of care (admission, statement start or
    /// first line date), when both dates are known.
    pub fn age(&self) -> Option<u32> {
        self.age.0
    }
}

/// See [`Context::age`].
fn age_of(c: &Claim) -> Option<u32> {
    let born = c.patient().birth_date?;
    let start = c.admission_date.or(c.statement_from).or_else(|| c.lines.iter().filter_map(|l| l.date).min())?;
    Some(born.age_on(start))
}

/// The claim's dated service lines with a procedure, as `(date, rendering NPI, procedure, line
/// index)`, sorted: the NCCI edits compare the codes billed on one date by one provider (the
/// NPI only on professional claims; institutional edits are per claim and date).
pub(crate) fn lines_by_service<'a>(cx: &Context<'a>) -> Vec<(Date, Option<&'a str>, &'a str, usize)> {
    let c = cx.claim;
    let professional = cx.claim_type == ClaimType::Professional;
    let mut keyed: Vec<_> = c
        .lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let npi = if professional { c.line_rendering(l).and_then(|p| p.npi.as_deref()) } else { None };
            Some((c.line_date(l)?, npi, l.procedure.as_deref()?, i))
        })
        .collect();
    keyed.sort_unstable();
    keyed
}

/// Collects a rule's findings, stamping its id and severity.
#[derive(Debug)]
pub struct Sink<'a> {
    findings: &'a mut Vec<Finding>,
    rule: &'static str,
    severity: Severity,
}

impl<'a> Sink<'a> {
    pub(crate) fn new(findings: &'a mut Vec<Finding>, rule: &'static str, severity: Severity) -> Sink<'a> {
        Sink { findings, rule, severity }
    }

    /// A finding about the claim as a whole or a claim-level field.
    pub fn claim(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.push(path.into(), message.into(), None);
    }

    /// A finding about service line `index` (0-based); `rest` continues the path after
    /// `lines[index]`, e.g. `.pointers[0]` or empty.
    pub fn line(&mut self, index: usize, rest: &str, message: impl Into<String>) {
        self.push(item_path("lines", index, rest), message.into(), Some(index as u32 + 1));
    }

    /// A finding about diagnosis `index` (0-based); `rest` continues the path after
    /// `diagnoses[index]`, e.g. `.code` or empty.
    pub fn diagnosis(&mut self, index: usize, rest: &str, message: impl Into<String>) {
        self.push(item_path("diagnoses", index, rest), message.into(), None);
    }

    fn push(&mut self, path: String, message: String, line: Option<u32>) {
        self.findings.push(Finding { rule: self.rule.to_owned(), severity: self.severity, path, message, line });
    }
}

/// `{list}[{index}]{rest}`, pushed together rather than through the formatting machinery, as
/// `dotted` builds its codes: a path is built for every finding, and common findings
/// (unspecified diagnoses on a fifth of claims) made formatting a visible part of checking.
fn item_path(list: &str, index: usize, rest: &str) -> String {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(index);
    let mut path = String::with_capacity(list.len() + digits.len() + 2 + rest.len());
    for part in [list, "[", digits, "]", rest] {
        path.push_str(part);
    }
    path
}

/// Every rule, in catalogue order (the order findings are reported in).
pub fn catalogue() -> &'static [&'static dyn Rule] {
    static RULES: &[&dyn Rule] = &[
        &claim_required_field::RequiredField,
        &claim_npi_check_digit::NpiCheckDigit,
        &claim_total_mismatch::TotalMismatch,
        &claim_dates_order::DatesOrder,
        &claim_dates::Dates,
        &claim_frequency::Frequency,
        &claim_dx_count::DxCount,
        &claim_line_count::LineCount,
        &claim_duplicate_line::DuplicateLine,
        &line_units_invalid::UnitsInvalid,
        &line_charge_invalid::ChargeInvalid,
        &line_pointer_invalid::PointerInvalid,
        &proc_format::ProcFormat,
        &icd_version_mismatch::VersionMismatch,
        &proc_invalid::ProcInvalid,
        &modifier_invalid::ModifierInvalid,
        &pos_invalid::PosInvalid,
        &dx_invalid::DxInvalid,
        &dx_not_billable::DxNotBillable,
        &dx_seventh_character::DxSeventhCharacter,
        &dx_duplicate::DxDuplicate,
        &dx_manifestation_first::DxManifestationFirst,
        &dx_external_cause_first::DxExternalCauseFirst,
        &dx_unacceptable_principal::DxUnacceptablePrincipal,
        &dx_requires_secondary::DxRequiresSecondary,
        &dx_questionable_admission::DxQuestionableAdmission,
        &dx_age_conflict::DxAgeConflict,
        &dx_sex_conflict::DxSexConflict,
        &dx_excludes1::DxExcludes1,
        &dx_code_first_missing::DxCodeFirstMissing,
        &dx_unspecified::DxUnspecified,
        &dx_wrong_procedure::DxWrongProcedure,
        &px_invalid::PxInvalid,
        &px_sex_conflict::PxSexConflict,
        &px_noncovered::PxNoncovered,
        &px_limited_coverage::PxLimitedCoverage,
        &px_los_inconsistent::PxLosInconsistent,
        &px_questionable_obstetric_admission::PxQuestionableObstetricAdmission,
        &modifier_conflict::ModifierConflict,
        &modifier_bilateral::ModifierBilateral,
        &ncci_ptp::NcciPtp,
        &ncci_mue::NcciMue,
        &ncci_addon_without_primary::AddonWithoutPrimary,
        &ncci_addon_without_primary::AddonPayerPrimary,
    ];
    RULES
}

/// Looks a rule up by id.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    catalogue().iter().copied().find(|r| r.meta().id == id)
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for the per-rule tests: a clean base claim and a runner for one rule.
    use super::*;
    use crate::model::Claim;

    /// A clean professional claim every rule accepts.
    pub fn base_claim() -> Claim {
        serde_json::from_str(include_str!("../../../../examples/claims/clean-office-visit.json"))
            .expect("example parses")
    }

    /// A clean inpatient claim (type of bill 111) with an ICD-10-PCS procedure.
    pub fn inpatient_claim() -> Claim {
        serde_json::from_str(include_str!("../../../../examples/claims/clean-inpatient.json")).expect("example parses")
    }

    /// Runs one rule on a claim and returns its findings.
    pub fn run(rule: &dyn Rule, claim: &Claim) -> Vec<Finding> {
        run_with(rule, claim, &Ncci::empty())
    }

    /// Runs one rule on a claim with NCCI tables.
    pub fn run_with(rule: &dyn Rule, claim: &Claim, ncci: &Ncci) -> Vec<Finding> {
        let mut findings = Vec::new();
        let cx = Context::new(claim, Date::new(2026, 11, 30).unwrap(), ncci, CodeSets::embedded());
        let meta = rule.meta();
        if meta.applies_to.contains(&cx.claim_type) {
            rule.check(&cx, &mut Sink::new(&mut findings, meta.id, meta.severity));
        }
        findings
    }

    #[test]
    fn a_context_shows_no_age() {
        let (c, ncci) = (base_claim(), Ncci::empty());
        let cx = Context::new(&c, Date::new(2026, 11, 30).unwrap(), &ncci, CodeSets::embedded());
        let age = cx.age().expect("the example has a birth date and a date of service");
        let shown = format!("{cx:?}");
        assert!(shown.contains("age: <redacted>") && !shown.contains(&format!("age: Some({age})")), "{shown}");
    }

    #[test]
    fn ids_are_unique_dotted_and_lower_case() {
        let mut seen = std::collections::HashSet::new();
        for r in catalogue() {
            let id = r.meta().id;
            assert!(seen.insert(id), "duplicate rule id {id}");
            assert!(
                id.contains('.')
                    && id.bytes().all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_' || b.is_ascii_digit()),
                "{id}"
            );
            assert!(!r.meta().applies_to.is_empty());
        }
    }
}

#[cfg(test)]
mod path_tests {
    use super::item_path;

    #[test]
    fn item_paths_read_as_formatted() {
        for i in [0, 1, 9, 10, 11, 99, 100, 12_345, usize::MAX] {
            for rest in ["", ".code", ".pointers[0]"] {
                assert_eq!(item_path("lines", i, rest), format!("lines[{i}]{rest}"));
            }
        }
    }
}
