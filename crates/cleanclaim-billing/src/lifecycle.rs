//! The claim lifecycle: an explicit state machine from draft to closed.
//!
//! ```text
//! draft ──scrub──▶ scrubbed ──submit──▶ submitted ──999──▶ acknowledged ──277CA──▶ accepted ──▶ pending
//!   ▲  └─scrub──▶ held ─override/scrub─┘    │ 999 R           │ 277CA A3/A4/A6/A7/A8          │
//!   └───────────────────────────────────────┴─────────────────┘ (back to draft with reasons)  ▼
//!                                        paid / partially paid / denied (835) ──▶ corrected (7) ──▶ submitted
//!                                              │  ├─▶ voided (8) ──▶ closed
//!                                              │  ├─▶ appealed ──▶ paid / partially paid / denied
//!                                              │  ├─▶ secondary billed ──▶ paid / … (the secondary's 835)
//!                                              │  ├─▶ patient billed ──▶ closed / written off
//!                                              │  └─▶ closed / written off
//!                                              └─ reversal (CLP02 22) ──▶ pending
//! ```
//!
//! A payer's 835 may arrive for a claim whose 999 or 277CA was never recorded, so adjudication
//! is allowed from `submitted`, `acknowledged`, `accepted` and `pending`. Every transition keeps
//! the document that caused it ([`SourceDoc`]), its date and a reason.

use std::fmt;

use cleanclaim::{Date, Report, Severity};
use cleanclaim_x12::ClaimDisposition;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Where a claim is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimState {
    /// Charges entered; not checked yet, or returned by a rejection.
    Draft,
    /// Checked, and blocking findings remain that were not overridden.
    Held,
    /// Checked and clean (or every blocking finding overridden with a reason).
    Scrubbed,
    /// Sent in an 837 (control numbers recorded).
    Submitted,
    /// The 999 accepted the transaction set that carried the claim.
    Acknowledged,
    /// The payer's 277CA accepted the claim into adjudication.
    Accepted,
    /// The payer reports the claim in process (277CA P*, or after a reversal).
    Pending,
    /// Adjudicated: every line paid (or applied to patient responsibility).
    Paid,
    /// Adjudicated: some lines paid, some denied.
    PartiallyPaid,
    /// Adjudicated: nothing paid and nothing owed by the patient.
    Denied,
    /// A replacement claim (frequency 7) was prepared.
    Corrected,
    /// A void (frequency 8) was sent.
    Voided,
    /// A denial is appealed.
    Appealed,
    /// The balance was billed (or crossed over) to the secondary payer.
    SecondaryBilled,
    /// The balance was billed to the patient.
    PatientBilled,
    /// Zero balance; done.
    Closed,
    /// The remaining balance was written off.
    WrittenOff,
}

use ClaimState::*;

impl ClaimState {
    /// Every state, in lifecycle order.
    pub const ALL: [ClaimState; 17] = [
        Draft,
        Held,
        Scrubbed,
        Submitted,
        Acknowledged,
        Accepted,
        Pending,
        Paid,
        PartiallyPaid,
        Denied,
        Corrected,
        Voided,
        Appealed,
        SecondaryBilled,
        PatientBilled,
        Closed,
        WrittenOff,
    ];

    /// The snake_case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Draft => "draft",
            Held => "held",
            Scrubbed => "scrubbed",
            Submitted => "submitted",
            Acknowledged => "acknowledged",
            Accepted => "accepted",
            Pending => "pending",
            Paid => "paid",
            PartiallyPaid => "partially_paid",
            Denied => "denied",
            Corrected => "corrected",
            Voided => "voided",
            Appealed => "appealed",
            SecondaryBilled => "secondary_billed",
            PatientBilled => "patient_billed",
            Closed => "closed",
            WrittenOff => "written_off",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(s: &str) -> Option<ClaimState> {
        ClaimState::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Paid, partially paid or denied.
    pub fn is_adjudicated(self) -> bool {
        matches!(self, Paid | PartiallyPaid | Denied)
    }

    /// True once the claim has left the practice (submitted or later, not returned to draft).
    pub fn is_out(self) -> bool {
        !matches!(self, Draft | Held | Scrubbed)
    }

    /// Whether the state machine allows `self → to`.
    pub fn can_go(self, to: ClaimState) -> bool {
        let allowed: &[ClaimState] = match self {
            Draft => &[Held, Scrubbed],
            Held => &[Held, Scrubbed, Draft],
            Scrubbed => &[Submitted, Draft, Held, Scrubbed],
            // 999 rejections and 277CA rejections both send the claim back to draft.
            Submitted => &[Acknowledged, Accepted, Pending, Draft, Paid, PartiallyPaid, Denied],
            Acknowledged => &[Accepted, Pending, Draft, Paid, PartiallyPaid, Denied],
            Accepted => &[Pending, Draft, Paid, PartiallyPaid, Denied],
            Pending => &[Pending, Paid, PartiallyPaid, Denied],
            // A later 835 may re-adjudicate (e.g. a reversal then a corrected payment).
            Paid | PartiallyPaid | Denied => &[
                Paid,
                PartiallyPaid,
                Denied,
                Pending,
                Corrected,
                Voided,
                Appealed,
                SecondaryBilled,
                PatientBilled,
                Closed,
                WrittenOff,
            ],
            Corrected => &[Submitted, Paid, PartiallyPaid, Denied, Pending],
            Voided => &[Closed, Pending],
            Appealed => &[Paid, PartiallyPaid, Denied, Pending, Closed, WrittenOff],
            SecondaryBilled => &[Paid, PartiallyPaid, Denied, Pending, PatientBilled, Closed, WrittenOff],
            PatientBilled => &[Closed, WrittenOff, SecondaryBilled, Paid, PartiallyPaid, Denied, Pending],
            // A payer can reopen a closed claim with a takeback or late payment.
            Closed | WrittenOff => &[Pending, Paid, PartiallyPaid, Denied],
        };
        allowed.contains(&to)
    }
}

impl fmt::Display for ClaimState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The kind of document that moved a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// A person in the practice (override, write-off, appeal, manual correction).
    User,
    /// A scrub report from the engine.
    Scrub,
    /// The outgoing 837 (id: ISA13/GS06/ST02).
    #[serde(rename = "837")]
    Claim837,
    /// A 999 implementation acknowledgment (id: its ST02).
    #[serde(rename = "999")]
    Ack999,
    /// A 277CA claim acknowledgment (id: its ST02).
    #[serde(rename = "277ca")]
    Ack277ca,
    /// An 835 remittance (id: the TRN02 trace number).
    #[serde(rename = "835")]
    Remit835,
    /// A patient payment or refund (id: the receipt number).
    Patient,
}

impl DocKind {
    /// Name as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::User => "user",
            DocKind::Scrub => "scrub",
            DocKind::Claim837 => "837",
            DocKind::Ack999 => "999",
            DocKind::Ack277ca => "277ca",
            DocKind::Remit835 => "835",
            DocKind::Patient => "patient",
        }
    }

    /// Parses the JSON name.
    pub fn parse(s: &str) -> Option<DocKind> {
        [
            DocKind::User,
            DocKind::Scrub,
            DocKind::Claim837,
            DocKind::Ack999,
            DocKind::Ack277ca,
            DocKind::Remit835,
            DocKind::Patient,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// The document behind a transition or a ledger entry: kind plus id (the 835 trace number,
/// the 999's ST02, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourceDoc {
    /// What kind of document.
    pub kind: DocKind,
    /// Its identifier.
    pub id: String,
}

impl SourceDoc {
    /// A source document.
    pub fn new(kind: DocKind, id: impl Into<String>) -> SourceDoc {
        SourceDoc { kind, id: id.into() }
    }
}

impl fmt::Display for SourceDoc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.as_str(), self.id)
    }
}

/// One move of the state machine, kept forever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// State before.
    pub from: ClaimState,
    /// State after.
    pub to: ClaimState,
    /// When (the document's date).
    pub date: Date,
    /// The document that caused it.
    pub source: SourceDoc,
    /// Why, in words (status codes, rule ids; never patient data).
    pub reason: String,
}

/// A blocking finding let through by a person, with their reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    /// The rule id overridden.
    pub rule: String,
    /// Why.
    pub reason: String,
    /// When.
    pub date: Date,
}

/// The control numbers of the 837 that carried the claim.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ControlNumbers {
    /// ISA13 interchange control number.
    pub isa13: String,
    /// GS06 group control number.
    pub gs06: String,
    /// ST02 transaction set control number.
    pub st02: String,
    /// CLM01 patient control number.
    pub clm01: String,
}

/// A payer or clearinghouse rejection, kept after the claim returns to draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// When.
    pub date: Date,
    /// Which acknowledgment.
    pub source: SourceDoc,
    /// The payer's reasons (`A7:562:85`, IK3 segment codes ...).
    pub reasons: Vec<String>,
}

/// A claim's lifecycle: its state, every transition, overrides, control numbers, rejections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    /// The claim id (CLM01).
    pub claim_id: String,
    /// Where the claim is now.
    pub state: ClaimState,
    /// Every transition, oldest first.
    pub history: Vec<Transition>,
    /// Rule ids of the error-severity findings of the last scrub.
    pub blocking: Vec<String>,
    /// Overrides recorded, oldest first.
    pub overrides: Vec<Override>,
    /// Control numbers of the last submission.
    pub control: Option<ControlNumbers>,
    /// Rejections received, oldest first.
    pub rejections: Vec<Rejection>,
    /// How many times the claim was submitted.
    pub submissions: u32,
}

impl Lifecycle {
    /// A new claim in `draft`.
    pub fn new(claim_id: impl Into<String>) -> Lifecycle {
        Lifecycle {
            claim_id: claim_id.into(),
            state: Draft,
            history: Vec::new(),
            blocking: Vec::new(),
            overrides: Vec::new(),
            control: None,
            rejections: Vec::new(),
            submissions: 0,
        }
    }

    /// Moves to `to` if the state machine allows it, recording the transition.
    pub fn transition(
        &mut self,
        to: ClaimState,
        date: Date,
        source: SourceDoc,
        reason: impl Into<String>,
    ) -> Result<(), Error> {
        if !self.state.can_go(to) {
            return Err(Error::IllegalTransition { claim_id: self.claim_id.clone(), from: self.state, to });
        }
        self.history.push(Transition { from: self.state, to, date, source, reason: reason.into() });
        self.state = to;
        Ok(())
    }

    /// The date the claim was first submitted.
    pub fn first_submitted(&self) -> Option<Date> {
        self.history.iter().find(|t| t.to == Submitted).map(|t| t.date)
    }

    /// The date of the last transition, if any.
    pub fn last_changed(&self) -> Option<Date> {
        self.history.last().map(|t| t.date)
    }

    /// Blocking rules not overridden.
    pub fn unresolved(&self) -> Vec<&str> {
        self.blocking.iter().filter(|r| !self.overrides.iter().any(|o| &o.rule == *r)).map(String::as_str).collect()
    }

    /// Records a scrub: the claim goes to `scrubbed`, or to `held` while error-severity
    /// findings remain that no override covers.
    pub fn scrub(&mut self, report: &Report, date: Date) -> Result<ClaimState, Error> {
        let mut blocking: Vec<String> =
            report.findings.iter().filter(|f| f.severity >= Severity::Error).map(|f| f.rule.clone()).collect();
        blocking.sort_unstable();
        blocking.dedup();
        let old = std::mem::replace(&mut self.blocking, blocking);
        let unresolved = self.unresolved();
        let to = if unresolved.is_empty() { Scrubbed } else { Held };
        let reason = if unresolved.is_empty() {
            format!("{} finding(s), none blocking", report.findings.len())
        } else {
            format!("blocking: {}", unresolved.join(", "))
        };
        if let Err(e) = self.transition(to, date, SourceDoc::new(DocKind::Scrub, "cleanclaim"), reason) {
            self.blocking = old;
            return Err(e);
        }
        Ok(to)
    }

    /// Lets a blocking finding through with a reason. A held claim whose last blocking rule is
    /// overridden becomes `scrubbed`.
    pub fn override_rule(&mut self, rule: &str, reason: &str, date: Date) -> Result<ClaimState, Error> {
        if reason.trim().is_empty() {
            return Err(Error::OverrideWithoutReason { claim_id: self.claim_id.clone(), rule: rule.to_string() });
        }
        self.overrides.push(Override { rule: rule.to_string(), reason: reason.to_string(), date });
        if self.state == Held && self.unresolved().is_empty() {
            self.transition(
                Scrubbed,
                date,
                SourceDoc::new(DocKind::User, "override"),
                format!("override {rule}: {reason}"),
            )?;
        }
        Ok(self.state)
    }

    /// Records the 837 that carried the claim. Refuses while blocking findings remain.
    pub fn submit(&mut self, control: ControlNumbers, date: Date) -> Result<(), Error> {
        let unresolved = self.unresolved();
        if !unresolved.is_empty() {
            return Err(Error::Held {
                claim_id: self.claim_id.clone(),
                count: unresolved.len(),
                rules: unresolved.join(", "),
            });
        }
        let id = format!("{}/{}/{}", control.isa13, control.gs06, control.st02);
        let reason = if self.submissions == 0 { "submitted".to_string() } else { "resubmitted".to_string() };
        self.transition(Submitted, date, SourceDoc::new(DocKind::Claim837, id), reason)?;
        self.control = Some(control);
        self.submissions += 1;
        Ok(())
    }

    /// Records a 999: accepted moves to `acknowledged`; rejected returns to `draft` with the
    /// reasons (IK3/IK5 codes).
    pub fn acknowledge(&mut self, accepted: bool, ack_id: &str, reasons: Vec<String>, date: Date) -> Result<(), Error> {
        let source = SourceDoc::new(DocKind::Ack999, ack_id);
        if accepted {
            self.transition(Acknowledged, date, source, "999 accepted")
        } else {
            self.reject(source, reasons, date)
        }
    }

    /// Records a 277CA disposition for this claim. `reasons` are the STC category:status
    /// pairs. Unknown dispositions are ignored (returns false).
    pub fn claim_ack(
        &mut self,
        disposition: ClaimDisposition,
        ack_id: &str,
        reasons: Vec<String>,
        date: Date,
    ) -> Result<bool, Error> {
        let source = SourceDoc::new(DocKind::Ack277ca, ack_id);
        match disposition {
            ClaimDisposition::Accepted => {
                self.transition(Accepted, date, source, format!("277CA accepted {}", reasons.join(" ")))?
            }
            ClaimDisposition::Pending => {
                self.transition(Pending, date, source, format!("277CA pending {}", reasons.join(" ")))?
            }
            ClaimDisposition::Rejected => self.reject(source, reasons, date)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn reject(&mut self, source: SourceDoc, reasons: Vec<String>, date: Date) -> Result<(), Error> {
        let reason = format!("rejected: {}", reasons.join(" "));
        self.transition(Draft, date, source.clone(), reason)?;
        self.rejections.push(Rejection { date, source, reasons });
        // A rejected claim is fixed and scrubbed again before it goes out.
        self.blocking.clear();
        Ok(())
    }

    /// The claim is replaced by a corrected claim (frequency 7).
    pub fn correct(&mut self, date: Date, reason: &str) -> Result<(), Error> {
        self.transition(Corrected, date, SourceDoc::new(DocKind::User, "frequency 7"), reason)
    }

    /// The claim is voided (frequency 8).
    pub fn void(&mut self, date: Date, reason: &str) -> Result<(), Error> {
        self.transition(Voided, date, SourceDoc::new(DocKind::User, "frequency 8"), reason)
    }

    /// A denial is appealed.
    pub fn appeal(&mut self, date: Date, reason: &str) -> Result<(), Error> {
        self.transition(Appealed, date, SourceDoc::new(DocKind::User, "appeal"), reason)
    }

    /// The balance is billed to the secondary payer.
    pub fn bill_secondary(&mut self, date: Date, source: SourceDoc, reason: &str) -> Result<(), Error> {
        self.transition(SecondaryBilled, date, source, reason)
    }

    /// The patient responsibility is billed to the patient.
    pub fn bill_patient(&mut self, date: Date, reason: &str) -> Result<(), Error> {
        self.transition(PatientBilled, date, SourceDoc::new(DocKind::User, "statement"), reason)
    }

    /// Zero balance.
    pub fn close(&mut self, date: Date, source: SourceDoc, reason: &str) -> Result<(), Error> {
        self.transition(Closed, date, source, reason)
    }

    /// The remaining balance is written off.
    pub fn write_off(&mut self, date: Date, reason: &str) -> Result<(), Error> {
        self.transition(WrittenOff, date, SourceDoc::new(DocKind::User, "write-off"), reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cleanclaim::Finding;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn report(rules: &[(&str, Severity)]) -> Report {
        Report {
            claim_id: Some("C1".into()),
            ok: !rules.iter().any(|r| r.1 == Severity::Error),
            findings: rules
                .iter()
                .map(|(r, s)| Finding {
                    rule: r.to_string(),
                    severity: *s,
                    path: String::new(),
                    message: String::new(),
                    line: None,
                })
                .collect(),
        }
    }

    fn ctl() -> ControlNumbers {
        ControlNumbers { isa13: "000000001".into(), gs06: "1".into(), st02: "0001".into(), clm01: "C1".into() }
    }

    #[test]
    fn held_until_overridden_then_submitted() {
        let mut l = Lifecycle::new("C1");
        let st = l
            .scrub(&report(&[("dx.invalid", Severity::Error), ("dx.unspecified", Severity::Warning)]), d("2025-01-02"))
            .unwrap();
        assert_eq!(st, Held);
        let e = l.submit(ctl(), d("2025-01-02")).unwrap_err();
        assert!(matches!(e, Error::Held { count: 1, .. }), "{e}");
        assert!(l.override_rule("dx.invalid", " ", d("2025-01-02")).is_err());
        assert_eq!(l.override_rule("dx.invalid", "payer accepts this code", d("2025-01-02")).unwrap(), Scrubbed);
        l.submit(ctl(), d("2025-01-03")).unwrap();
        assert_eq!(l.state, Submitted);
        assert_eq!(l.history.len(), 3);
        assert_eq!(l.history[1].source.kind, DocKind::User);
    }

    #[test]
    fn rejection_returns_to_draft_with_reasons() {
        let mut l = Lifecycle::new("C1");
        l.scrub(&report(&[]), d("2025-01-02")).unwrap();
        l.submit(ctl(), d("2025-01-02")).unwrap();
        l.acknowledge(true, "0001", vec![], d("2025-01-03")).unwrap();
        l.claim_ack(ClaimDisposition::Rejected, "0002", vec!["A7:562:85".into()], d("2025-01-04")).unwrap();
        assert_eq!(l.state, Draft);
        assert_eq!(l.rejections[0].reasons, ["A7:562:85"]);
        assert_eq!(l.history.last().unwrap().source, SourceDoc::new(DocKind::Ack277ca, "0002"));
    }

    #[test]
    fn illegal_transitions_name_both_states() {
        let mut l = Lifecycle::new("C9");
        let e = l.transition(Paid, d("2025-01-01"), SourceDoc::new(DocKind::User, "x"), "").unwrap_err();
        assert_eq!(e.to_string(), "claim C9: illegal transition from draft to paid");
        assert!(l.history.is_empty());
        assert_eq!(l.state, Draft);
        let e = l.void(d("2025-01-01"), "no").unwrap_err();
        assert!(matches!(e, Error::IllegalTransition { from: Draft, to: Voided, .. }));
    }

    #[test]
    fn every_state_reaches_closed_or_written_off() {
        // No dead ends: from every state some path leads to closed.
        for s in ClaimState::ALL {
            let mut seen = vec![s];
            let mut i = 0;
            while i < seen.len() {
                for t in ClaimState::ALL {
                    if seen[i].can_go(t) && !seen.contains(&t) {
                        seen.push(t);
                    }
                }
                i += 1;
            }
            assert!(seen.contains(&Closed), "{s} cannot reach closed");
        }
    }

    #[test]
    fn states_round_trip_through_names_and_json() {
        for s in ClaimState::ALL {
            assert_eq!(ClaimState::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
        }
    }
}
