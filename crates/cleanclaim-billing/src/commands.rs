//! What the `cleanclaim post | status | ar | denials | import` commands do, as library
//! functions returning serde-serializable results with a text `Display`.

use std::fmt;
use std::io::Read;

use cleanclaim::{Date, Engine, Money};
use cleanclaim_x12::Reader835;
use serde::{Deserialize, Serialize};

use crate::analytics::{self, AgingReport, DenialReport};
use crate::error::Error;
use crate::ledger::{Balance, ClaimAccount, PatientShares, PostOptions, RemitSummary, patient_key};
use crate::lifecycle::{ClaimState, ControlNumbers, Rejection, Transition};
use crate::store::Store;

/// What posting an 835 file did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PostSummary {
    /// One per 835 transaction set.
    pub remittances: Vec<RemitSummary>,
}

impl PostSummary {
    /// True when every remittance reconciles (BPR02 = Σ posted − Σ PLB).
    pub fn reconciled(&self) -> bool {
        self.remittances.iter().all(|r| r.difference.0 == 0)
    }
}

/// Posts an 835 file (every transaction set, one database transaction) received today.
pub fn post_835(db: &mut Store, bytes: &[u8]) -> Result<PostSummary, Error> {
    post_835_on(db, bytes, Date::today())
}

/// Posts an 835 file; `received` dates entries when BPR16 is missing.
pub fn post_835_on(db: &mut Store, bytes: &[u8], received: Date) -> Result<PostSummary, Error> {
    post_835_read(db, bytes, received)
}

/// [`post_835_on`] of an 835 read from `reader` (a file, say) as it is posted, a transaction
/// set at a time: the file is never held whole, and it still posts in one database
/// transaction, entirely or not at all.
pub fn post_835_read(db: &mut Store, reader: impl Read, received: Date) -> Result<PostSummary, Error> {
    Ok(PostSummary { remittances: db.post_remittances_read(Reader835::new(reader), PostOptions::new(received))? })
}

impl fmt::Display for RemitSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "remittance {} (payer {}): BPR {}  posted {}  PLB {}  difference {}{}",
            self.trace_number.as_deref().unwrap_or("-"),
            self.payer.as_deref().unwrap_or("-"),
            self.bpr_amount,
            self.posted_total,
            self.plb_total,
            self.difference,
            if self.difference.0 == 0 { "  (reconciled)" } else { "  (DOES NOT RECONCILE)" }
        )?;
        write!(
            f,
            "  {} claim payment(s): {} posted, {} already posted; {} matched, {} opened from the remittance; {} reversal(s){}; {} entries",
            self.claims,
            self.posted,
            self.duplicates,
            self.matched,
            self.created,
            self.reversals,
            if self.unmatched_reversals > 0 {
                format!(" ({} without their original)", self.unmatched_reversals)
            } else {
                String::new()
            },
            self.entries_added
        )?;
        for w in &self.warnings {
            write!(f, "\n  warning: {w}")?;
        }
        Ok(())
    }
}

impl fmt::Display for PostSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.remittances.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

/// One line of a claim's status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineStatus {
    /// 1-based line number.
    pub number: u32,
    /// Procedure or revenue code.
    pub procedure: Option<String>,
    /// Billed charge.
    pub charge: Money,
    /// Balance.
    pub balance: Balance,
}

/// A claim's state, history, balances and patient shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimStatus {
    /// Claim id.
    pub claim_id: String,
    /// Current state.
    pub state: ClaimState,
    /// Payer.
    pub payer: Option<String>,
    /// Payer claim control number.
    pub payer_claim_control_number: Option<String>,
    /// Claim balance.
    pub balance: Balance,
    /// Deductible / coinsurance / copay.
    pub patient_shares: PatientShares,
    /// Lines.
    pub lines: Vec<LineStatus>,
    /// Every transition.
    pub history: Vec<Transition>,
    /// Rejections received.
    pub rejections: Vec<Rejection>,
    /// Control numbers of the last submission.
    pub control: Option<ControlNumbers>,
    /// Ledger entries.
    pub entries: usize,
}

impl From<&ClaimAccount> for ClaimStatus {
    fn from(c: &ClaimAccount) -> ClaimStatus {
        ClaimStatus {
            claim_id: c.claim_id.clone(),
            state: c.lifecycle.state,
            payer: c.payer.clone(),
            payer_claim_control_number: c.payer_claim_control_number.clone(),
            balance: c.balance(),
            patient_shares: c.patient_shares(),
            lines: c
                .lines
                .iter()
                .map(|l| LineStatus {
                    number: l.number,
                    procedure: l.procedure.clone(),
                    charge: l.charge,
                    balance: l.balance,
                })
                .collect(),
            history: c.lifecycle.history.clone(),
            rejections: c.lifecycle.rejections.clone(),
            control: c.lifecycle.control.clone(),
            entries: c.entries.len(),
        }
    }
}

/// The status of one claim.
pub fn status(db: &Store, claim_id: &str) -> Result<ClaimStatus, Error> {
    Ok(ClaimStatus::from(&db.claim(claim_id)?))
}

impl fmt::Display for ClaimStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.balance;
        writeln!(f, "claim {}: {}  (payer {})", self.claim_id, self.state, self.payer.as_deref().unwrap_or("-"))?;
        writeln!(
            f,
            "  charges {}  payments {}  adjustments {}  balance {} (insurance {}, patient {})",
            b.charges,
            b.payments,
            b.adjustments,
            b.open(),
            b.insurance,
            b.patient
        )?;
        let s = &self.patient_shares;
        writeln!(
            f,
            "  deductible {}  coinsurance {}  copay {}  other PR {}",
            s.deductible, s.coinsurance, s.copay, s.other
        )?;
        for l in &self.lines {
            writeln!(
                f,
                "  line {:>2} {:<8} charge {:>10}  paid {:>10}  adjusted {:>10}  insurance {:>10}  patient {:>10}",
                l.number,
                l.procedure.as_deref().unwrap_or("-"),
                l.charge.to_string(),
                l.balance.payments.to_string(),
                l.balance.adjustments.to_string(),
                l.balance.insurance.to_string(),
                l.balance.patient.to_string()
            )?;
        }
        write!(f, "  history:")?;
        for t in &self.history {
            write!(f, "\n    {} {} -> {} ({}) {}", t.date, t.from, t.to, t.source, t.reason)?;
        }
        Ok(())
    }
}

/// A/R aging as of a date.
pub fn aging(db: &Store, as_of: Date) -> Result<AgingReport, Error> {
    Ok(analytics::aging(&db.load_ledger()?, as_of))
}

/// The denial report.
pub fn denials(db: &Store) -> Result<DenialReport, Error> {
    Ok(analytics::denials(&db.load_ledger()?))
}

/// What importing an 837 file did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImportSummary {
    /// Claims read.
    pub claims: usize,
    /// Claims added.
    pub added: usize,
    /// Claims already in the store (skipped).
    pub existing: usize,
    /// Claims that had blocking findings, recorded as overridden because the file was sent.
    pub overridden: usize,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} claim(s): {} added, {} already present, {} sent with blocking findings (recorded as overrides)",
            self.claims, self.added, self.existing, self.overridden
        )
    }
}

/// Records the claims of an 837 file that was sent on `sent`: each is scrubbed with the
/// default engine, blocking findings are recorded as overridden ("sent before tracking"), and
/// the claim is marked submitted with the file's ISA13/GS06/ST02 and its CLM01.
pub fn import_837(db: &mut Store, bytes: &[u8], sent: Date) -> Result<ImportSummary, Error> {
    let parsed = cleanclaim_x12::read_837_all(bytes)?;
    let (isa13, gs06) = envelope_controls(bytes);
    let engine = Engine::builder().as_of(sent).build().map_err(|e| Error::Ledger(format!("engine: {e}")))?;
    let mut sum = ImportSummary { claims: parsed.len(), ..ImportSummary::default() };
    for p in parsed {
        if db.claim(&p.claim.id).is_ok() {
            sum.existing += 1;
            continue;
        }
        let mut acc = ClaimAccount::from_claim(&p.claim, &patient_key(&p.claim), sent);
        let report = engine.check(&p.claim);
        if acc.lifecycle.scrub(&report, sent)? == ClaimState::Held {
            sum.overridden += 1;
            for rule in acc.lifecycle.unresolved().into_iter().map(str::to_string).collect::<Vec<_>>() {
                acc.lifecycle.override_rule(&rule, "sent before tracking (imported 837)", sent)?;
            }
        }
        let control = ControlNumbers {
            isa13: isa13.clone(),
            gs06: gs06.clone(),
            st02: p.transaction_control.clone(),
            clm01: p.claim.id.clone(),
        };
        acc.lifecycle.submit(control, sent)?;
        db.add_claim(&acc)?;
        sum.added += 1;
    }
    Ok(sum)
}

/// ISA13 and the first GS06 of an interchange (empty when not found).
fn envelope_controls(bytes: &[u8]) -> (String, String) {
    let start = bytes.windows(3).position(|w| w == b"ISA").unwrap_or(0);
    let b = &bytes[start..];
    if b.len() < 106 {
        return (String::new(), String::new());
    }
    let (sep, term) = (b[3], b[105]);
    let mut isa13 = String::new();
    let mut gs06 = String::new();
    for seg in b.split(|&c| c == term) {
        let seg: &[u8] = seg.trim_ascii();
        let els: Vec<&[u8]> = seg.split(|&c| c == sep).collect();
        match els.first().copied() {
            Some(b"ISA") => {
                isa13 = String::from_utf8_lossy(els.get(13).copied().unwrap_or_default()).trim().to_string()
            }
            Some(b"GS") => {
                gs06 = String::from_utf8_lossy(els.get(6).copied().unwrap_or_default()).trim().to_string();
                break;
            }
            _ => {}
        }
    }
    (isa13, gs06)
}
