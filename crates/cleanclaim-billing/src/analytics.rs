//! Denials, clean-claim rate, days in A/R and aging.
//!
//! # Denials
//!
//! A denial is an adjustment that is not the ordinary price of a paid claim: any CAS entry
//! except patient responsibility for deductible, coinsurance and copay (PR 1/2/3) and the
//! pricing reductions in [`PRICING_CARCS`] (fee schedule, sequestration, prior payer, ...).
//! Amounts are signed, so a reversal takes its denial back out.
//!
//! # Which rule would have caught it
//!
//! [`rule_for`] maps a CARC (and the RARCs that came with it) to the cleanclaim rule id that
//! checks the same thing before the claim goes out. The map is **approximate**: payers use
//! CARCs loosely (16 "lacks information" covers dozens of fields; 11 "diagnosis inconsistent
//! with procedure" is a coverage policy no code-set rule reproduces), so read it as "the
//! family of edits to look at", not as proof that a rule would have fired.
//!
//! | CARC (RARC) | rule |
//! |---|---|
//! | 16, 125, any with MA130 / M76 / N290 / MA04 | `claim.required_field` |
//! | 18 | `claim.duplicate_line` |
//! | 97, B15, 234 | `ncci.ptp` |
//! | 151, 119, 35 | `ncci.mue` |
//! | 6, 9 | `dx.age_conflict` |
//! | 7, 10 | `dx.sex_conflict` |
//! | 11 | none (dx–procedure coverage, LCD/NCD) |
//! | 146 | `dx.invalid` |
//! | M81 (with any) | `dx.not_billable` |
//! | 5, 58 | `pos.invalid` |
//! | 4, 182 | `modifier.invalid` |
//! | 181, M51 | `proc.invalid` |
//! | 96 (with N425 / M114 / N30) | `px.noncovered` |
//! | 29 | `claim.dates` |

use std::collections::BTreeMap;
use std::fmt;

use cleanclaim::{Date, Money};
use serde::{Deserialize, Serialize};

use crate::ledger::{AdjGroup, ClaimAccount, EntryKind, Ledger};
use crate::lifecycle::ClaimState;

/// CARCs that price a paid service rather than deny it.
pub const PRICING_CARCS: &[&str] = &["45", "42", "A2", "253", "23", "94", "237", "59", "131", "144", "P13"];

/// The cleanclaim rule that checks for what this CARC (and its RARCs) reports, if any.
/// Approximate; see the module docs.
pub fn rule_for(carc: &str, rarcs: &[String]) -> Option<&'static str> {
    let has = |c: &str| rarcs.iter().any(|r| r == c);
    if has("M81") {
        return Some("dx.not_billable");
    }
    if has("M51") {
        return Some("proc.invalid");
    }
    if has("MA130") || has("M76") || has("N290") || has("MA04") {
        return Some("claim.required_field");
    }
    Some(match carc {
        "16" | "125" => "claim.required_field",
        "18" => "claim.duplicate_line",
        "97" | "B15" | "234" => "ncci.ptp",
        "151" | "119" | "35" => "ncci.mue",
        "6" | "9" => "dx.age_conflict",
        "7" | "10" => "dx.sex_conflict",
        "146" => "dx.invalid",
        "5" | "58" => "pos.invalid",
        "4" | "182" => "modifier.invalid",
        "181" => "proc.invalid",
        "96" if has("N425") || has("M114") || has("N30") => "px.noncovered",
        "29" => "claim.dates",
        _ => return None,
    })
}

/// True when a CAS group/CARC is a denial (see the module docs).
pub fn is_denial(group: AdjGroup, carc: &str) -> bool {
    !(group == AdjGroup::PR && matches!(carc, "1" | "2" | "3") || PRICING_CARCS.contains(&carc))
}

/// One row of a denial breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DenialRow {
    /// What the row groups by (`CO-97`, a rule id, a payer, an NPI).
    pub key: String,
    /// Denial adjustments (reversed ones count −1).
    pub count: i64,
    /// Σ amount.
    pub amount: Money,
}

/// Denials by CARC, by rule, by payer and by rendering provider, plus the clean-claim rate.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DenialReport {
    /// Claims in the ledger.
    pub claims: usize,
    /// Claims whose current state is `denied`.
    pub denied_claims: usize,
    /// Σ denial amounts.
    pub total: Money,
    /// By group and CARC (`CO-97`).
    pub by_reason: Vec<DenialRow>,
    /// By the rule that would have caught them (`none` when no rule does).
    pub by_rule: Vec<DenialRow>,
    /// By payer.
    pub by_payer: Vec<DenialRow>,
    /// By rendering provider NPI (`unknown` when not known).
    pub by_rendering: Vec<DenialRow>,
    /// See [`clean_claim_rate`].
    pub clean_claim_rate: Option<f64>,
}

fn rows(m: BTreeMap<String, (i64, i64)>) -> Vec<DenialRow> {
    let mut v: Vec<DenialRow> =
        m.into_iter().map(|(key, (count, amount))| DenialRow { key, count, amount: Money(amount) }).collect();
    v.sort_by(|a, b| b.amount.cmp(&a.amount).then_with(|| a.key.cmp(&b.key)));
    v
}

/// The denial report of a ledger.
pub fn denials(ledger: &Ledger) -> DenialReport {
    let mut by: [BTreeMap<String, (i64, i64)>; 4] = Default::default();
    let mut total = 0;
    for c in ledger.claims.values() {
        for (i, e) in c.entries.iter().enumerate() {
            if !matches!(e.kind, EntryKind::Adjustment | EntryKind::PatientResponsibility) {
                continue;
            }
            let (Some(group), Some(carc)) = (e.group, e.carc.as_deref()) else { continue };
            if !is_denial(group, carc) || e.amount.0 == 0 {
                continue;
            }
            // RARCs ride on the payment entry of the same line and posting.
            let rarcs: Vec<String> = c.entries[..i]
                .iter()
                .rev()
                .find(|p| p.kind == EntryKind::PayerPayment && p.posting == e.posting && p.line == e.line)
                .map(|p| p.rarcs.clone())
                .unwrap_or_default();
            let sign = e.amount.0.signum();
            let keys = [
                format!("{group}-{carc}"),
                rule_for(carc, &rarcs).unwrap_or("none").to_string(),
                c.payer.clone().unwrap_or_else(|| "unknown".into()),
                c.rendering.clone().unwrap_or_else(|| "unknown".into()),
            ];
            for (m, k) in by.iter_mut().zip(keys) {
                let slot = m.entry(k).or_default();
                slot.0 += sign;
                slot.1 += e.amount.0;
            }
            total += e.amount.0;
        }
    }
    let [r, ru, p, rend] = by;
    DenialReport {
        claims: ledger.claims.len(),
        denied_claims: ledger.claims.values().filter(|c| c.lifecycle.state == ClaimState::Denied).count(),
        total: Money(total),
        by_reason: rows(r),
        by_rule: rows(ru),
        by_payer: rows(p),
        by_rendering: rows(rend),
        clean_claim_rate: clean_claim_rate(ledger),
    }
}

/// Share of claims with an outcome that went through on the first pass: never rejected by a
/// 999 or 277CA, and whose first adjudication was `paid` (or went straight to closed).
/// Claims without an outcome yet are left out; `None` when there are none.
pub fn clean_claim_rate(ledger: &Ledger) -> Option<f64> {
    let (mut n, mut clean) = (0usize, 0usize);
    for c in ledger.claims.values() {
        let rejected = !c.lifecycle.rejections.is_empty();
        let first_adj = c.lifecycle.history.iter().find(|t| t.to.is_adjudicated()).map(|t| t.to);
        if !rejected && first_adj.is_none() {
            continue;
        }
        n += 1;
        if !rejected && first_adj == Some(ClaimState::Paid) {
            clean += 1;
        }
    }
    (n > 0).then(|| clean as f64 / n as f64)
}

/// An aging bucket.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AgingBucket {
    /// `0-30`, `31-60`, `61-90`, `91-120`, `120+`.
    pub label: String,
    /// Claims with an open balance in it.
    pub claims: usize,
    /// Insurance balance.
    pub insurance: Money,
    /// Patient balance.
    pub patient: Money,
}

/// A/R aging and days in A/R as of a date.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AgingReport {
    /// The date aged to.
    pub as_of: Option<Date>,
    /// Buckets by days since the claim was first submitted (opened, if never submitted), of
    /// claims with a positive open balance.
    pub buckets: Vec<AgingBucket>,
    /// Σ open balances (claims with a positive balance).
    pub total: Money,
    /// Claims with a credit balance (overpaid: refund or recoupment due), kept out of A/R.
    pub credit_claims: usize,
    /// Σ of those credits (negative).
    pub credits: Money,
    /// Σ insurance balances.
    pub insurance: Money,
    /// Σ patient balances.
    pub patient: Money,
    /// Charges dated in the 90 days up to `as_of`.
    pub charges_90d: Money,
    /// Days in A/R: total A/R ÷ (charges of the last 90 days ÷ 90). `None` without charges.
    pub days_in_ar: Option<f64>,
}

const BUCKETS: [(&str, i64); 5] = [("0-30", 30), ("31-60", 60), ("61-90", 90), ("91-120", 120), ("120+", i64::MAX)];

fn age_start(c: &ClaimAccount) -> Date {
    c.lifecycle.first_submitted().unwrap_or(c.opened)
}

/// The aging report of a ledger as of `as_of`.
pub fn aging(ledger: &Ledger, as_of: Date) -> AgingReport {
    let mut buckets: Vec<AgingBucket> =
        BUCKETS.iter().map(|(l, _)| AgingBucket { label: (*l).to_string(), ..AgingBucket::default() }).collect();
    let mut rep = AgingReport { as_of: Some(as_of), ..AgingReport::default() };
    let from = as_of.days_since_epoch() - 89;
    for c in ledger.claims.values() {
        for e in c.entries.iter().filter(|e| e.kind == EntryKind::Charge) {
            let d = e.date.days_since_epoch();
            if d >= from && d <= as_of.days_since_epoch() {
                rep.charges_90d.0 += e.amount.0;
            }
        }
        let b = c.balance();
        if b.open().0 == 0 {
            continue;
        }
        if b.open().0 < 0 {
            rep.credit_claims += 1;
            rep.credits.0 += b.open().0;
            continue;
        }
        let age = age_start(c).days_until(as_of).max(0);
        let i = BUCKETS.iter().position(|(_, max)| age <= *max).unwrap_or(BUCKETS.len() - 1);
        buckets[i].claims += 1;
        buckets[i].insurance.0 += b.insurance.0;
        buckets[i].patient.0 += b.patient.0;
        rep.insurance.0 += b.insurance.0;
        rep.patient.0 += b.patient.0;
    }
    rep.total = Money(rep.insurance.0 + rep.patient.0);
    rep.buckets = buckets;
    rep.days_in_ar = (rep.charges_90d.0 > 0).then(|| rep.total.0 as f64 / (rep.charges_90d.0 as f64 / 90.0));
    rep
}

impl fmt::Display for AgingReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = self.as_of {
            writeln!(f, "A/R aging as of {d}")?;
        }
        writeln!(f, "{:<8} {:>7} {:>14} {:>14} {:>14}", "days", "claims", "insurance", "patient", "total")?;
        for b in &self.buckets {
            writeln!(
                f,
                "{:<8} {:>7} {:>14} {:>14} {:>14}",
                b.label,
                b.claims,
                b.insurance.to_string(),
                b.patient.to_string(),
                Money(b.insurance.0 + b.patient.0).to_string()
            )?;
        }
        writeln!(
            f,
            "{:<8} {:>7} {:>14} {:>14} {:>14}",
            "total",
            self.buckets.iter().map(|b| b.claims).sum::<usize>(),
            self.insurance.to_string(),
            self.patient.to_string(),
            self.total.to_string()
        )?;
        if self.credit_claims > 0 {
            writeln!(f, "credit balances (not in A/R): {} claim(s), {}", self.credit_claims, self.credits)?;
        }
        match self.days_in_ar {
            Some(d) => write!(f, "days in A/R: {d:.1} (charges of the last 90 days: {})", self.charges_90d),
            None => write!(f, "days in A/R: n/a (no charges in the last 90 days)"),
        }
    }
}

impl fmt::Display for DenialReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "denials: {} across {} claim(s), {} claim(s) denied", self.total, self.claims, self.denied_claims)?;
        match self.clean_claim_rate {
            Some(r) => writeln!(f, "clean-claim rate: {:.1}%", r * 100.0)?,
            None => writeln!(f, "clean-claim rate: n/a")?,
        }
        for (title, rows) in [
            ("by reason (group-CARC)", &self.by_reason),
            ("by rule that would have caught it (approximate)", &self.by_rule),
            ("by payer", &self.by_payer),
            ("by rendering provider", &self.by_rendering),
        ] {
            writeln!(f, "{title}:")?;
            if rows.is_empty() {
                writeln!(f, "  (none)")?;
            }
            for r in rows {
                writeln!(f, "  {:<28} {:>5} {:>14}", r.key, r.count, r.amount.to_string())?;
            }
        }
        Ok(())
    }
}
