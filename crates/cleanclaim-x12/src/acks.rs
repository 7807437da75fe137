//! 999 implementation acknowledgment (005010X231A1) and 277CA claim acknowledgment
//! (005010X214) readers, and matching them to submitted claims by CLM01.

use std::io::Read;

use cleanclaim::{Date, Money};

use crate::envelope::{Envelope, Item, TxKind};
use crate::error::{ErrorKind, X12Error};
use crate::money::cents;

/// Acceptance status (AK901 / IK501): `A` accepted, `E` accepted with errors, `P` partially
/// accepted, `R` rejected, `M`/`W`/`X` rejected variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AckCode {
    /// A.
    Accepted,
    /// E.
    AcceptedWithErrors,
    /// P (group level only).
    PartiallyAccepted,
    /// R, M, W or X.
    Rejected,
    /// Anything else.
    Unknown,
}

impl AckCode {
    fn parse(s: &str) -> AckCode {
        match s {
            "A" => AckCode::Accepted,
            "E" => AckCode::AcceptedWithErrors,
            "P" => AckCode::PartiallyAccepted,
            "R" | "M" | "W" | "X" => AckCode::Rejected,
            _ => AckCode::Unknown,
        }
    }

    /// True for A and E.
    pub fn is_accepted(self) -> bool {
        matches!(self, AckCode::Accepted | AckCode::AcceptedWithErrors)
    }
}

/// IK4: an element error inside an IK3 segment error. The bad value (IK404) is not kept: it
/// may be patient data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementError {
    /// IK401-1 element position.
    pub position: u16,
    /// IK401-2 component position.
    pub component: Option<u16>,
    /// IK402 data element reference number.
    pub reference: Option<String>,
    /// IK403 syntax error code (1 required missing, 4 too short, 5 too long, 7 invalid code, ...).
    pub code: String,
}

/// IK3: a segment error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentError {
    /// IK301 segment id.
    pub segment_id: String,
    /// IK302 segment position in the transaction set.
    pub position: u32,
    /// IK303 loop id.
    pub loop_id: Option<String>,
    /// IK304 error code (1 unrecognised, 2 unexpected, 3 required missing, 4 loop over max, 5
    /// segment over max, 7 out of sequence, 8 has data element errors, I4..I9 situational).
    pub code: String,
    /// CTX business unit ids, e.g. `("CLM01", claim id)`.
    pub context: Vec<(String, String)>,
    /// IK4 element errors.
    pub elements: Vec<ElementError>,
}

/// AK2/IK5: acknowledgment of one transaction set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAck {
    /// AK201 transaction set id (`837`).
    pub set_id: String,
    /// AK202 the acknowledged ST02.
    pub control: String,
    /// AK203 implementation version.
    pub version: Option<String>,
    /// IK501.
    pub status: AckCode,
    /// IK502..IK506 syntax error codes.
    pub codes: Vec<String>,
    /// IK3 segment errors.
    pub errors: Vec<SegmentError>,
}

impl SetAck {
    /// Claim ids (CLM01) named by CTX*CLM01 in this set's errors.
    pub fn claim_ids(&self) -> impl Iterator<Item = &str> {
        self.errors.iter().flat_map(|e| e.context.iter()).filter(|(k, _)| k == "CLM01").map(|(_, v)| v.as_str())
    }
}

/// AK1/AK9: acknowledgment of one functional group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupAck {
    /// AK101 functional identifier (`HC`).
    pub functional_id: String,
    /// AK102 the acknowledged GS06.
    pub group_control: String,
    /// AK103 version.
    pub version: Option<String>,
    /// AK901.
    pub status: AckCode,
    /// AK902 number of sets included.
    pub sets_included: Option<u32>,
    /// AK903 number received.
    pub sets_received: Option<u32>,
    /// AK904 number accepted.
    pub sets_accepted: Option<u32>,
    /// AK905..AK909 group error codes.
    pub codes: Vec<String>,
    /// AK2 loops.
    pub sets: Vec<SetAck>,
}

/// A 999 transaction set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack999 {
    /// ST02.
    pub control: String,
    /// Functional group acknowledgments.
    pub groups: Vec<GroupAck>,
}

/// What an acknowledgment says about one submitted claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClaimDisposition {
    /// Accepted (999 A/E set, 277CA A1/A2/A0/A5).
    Accepted,
    /// Rejected (999 R set or an IK3 naming the claim; 277CA A3/A4/A6/A7/A8).
    Rejected,
    /// Pending (277CA P*).
    Pending,
    /// Not mentioned / not determinable.
    Unknown,
}

impl Ack999 {
    /// The disposition of a submitted claim: `set_control` is the ST02 of the 837 that carried
    /// it (see `ParsedClaim::transaction_control`). A set-level rejection rejects every claim in
    /// it; otherwise an IK3 whose CTX names the claim id rejects that claim.
    pub fn claim_disposition(&self, clm01: &str, set_control: &str) -> ClaimDisposition {
        for g in &self.groups {
            for s in &g.sets {
                if s.control != set_control {
                    continue;
                }
                if s.status == AckCode::Rejected || s.claim_ids().any(|id| id == clm01) {
                    return ClaimDisposition::Rejected;
                }
                if s.status.is_accepted() {
                    return ClaimDisposition::Accepted;
                }
            }
        }
        ClaimDisposition::Unknown
    }
}

fn num<T: std::str::FromStr>(s: &str) -> Option<T> {
    s.trim().parse().ok()
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() { None } else { Some(t.to_string()) }
}

fn expect_kind(item: &Item<'_>, want: TxKind) -> Result<(), X12Error> {
    let tx = item.tx.expect("ST carries its transaction");
    if tx.kind != want {
        return Err(item.error(
            ErrorKind::UnexpectedSegment,
            1,
            format!("transaction set {} is not a {}", tx.kind.st01(), want.st01()),
        ));
    }
    Ok(())
}

/// Reads every 999 transaction set of an interchange.
pub fn read_999<R: Read>(reader: R) -> Result<Vec<Ack999>, X12Error> {
    let mut env = Envelope::new(reader);
    let mut out: Vec<Ack999> = Vec::new();
    while let Some(item) = env.next_item()? {
        let seg = &item.seg;
        match seg.id() {
            b"ST" => {
                expect_kind(&item, TxKind::Ack999)?;
                out.push(Ack999 { control: seg.s(2).to_string(), groups: Vec::new() });
            }
            b"AK1" => {
                let ack =
                    out.last_mut().ok_or_else(|| item.error(ErrorKind::UnexpectedSegment, 0, "AK1 outside 999"))?;
                ack.groups.push(GroupAck {
                    functional_id: seg.s(1).to_string(),
                    group_control: seg.s(2).to_string(),
                    version: opt(seg.s(3)),
                    status: AckCode::Unknown,
                    sets_included: None,
                    sets_received: None,
                    sets_accepted: None,
                    codes: Vec::new(),
                    sets: Vec::new(),
                });
            }
            b"AK2" => {
                let g = group(&mut out, &item)?;
                g.sets.push(SetAck {
                    set_id: seg.s(1).to_string(),
                    control: seg.s(2).to_string(),
                    version: opt(seg.s(3)),
                    status: AckCode::Unknown,
                    codes: Vec::new(),
                    errors: Vec::new(),
                });
            }
            b"IK3" => {
                let s = set(&mut out, &item)?;
                s.errors.push(SegmentError {
                    segment_id: seg.s(1).to_string(),
                    position: num(seg.s(2)).unwrap_or(0),
                    loop_id: opt(seg.s(3)),
                    code: seg.s(4).to_string(),
                    context: Vec::new(),
                    elements: Vec::new(),
                });
            }
            b"CTX" => {
                let s = set(&mut out, &item)?;
                if let Some(e) = s.errors.last_mut() {
                    e.context.push((seg.cs(1, 1).to_string(), seg.cs(1, 2).to_string()));
                }
            }
            b"IK4" => {
                let s = set(&mut out, &item)?;
                let Some(e) = s.errors.last_mut() else {
                    return Err(item.error(ErrorKind::UnexpectedSegment, 0, "IK4 without a preceding IK3"));
                };
                e.elements.push(ElementError {
                    position: num(seg.cs(1, 1)).unwrap_or(0),
                    component: num(seg.cs(1, 2)),
                    reference: opt(seg.s(2)),
                    code: seg.s(3).to_string(),
                });
            }
            b"IK5" => {
                let s = set(&mut out, &item)?;
                s.status = AckCode::parse(seg.s(1));
                s.codes = (2..=6).filter_map(|n| opt(seg.s(n))).collect();
            }
            b"AK9" => {
                let g = group(&mut out, &item)?;
                g.status = AckCode::parse(seg.s(1));
                g.sets_included = num(seg.s(2));
                g.sets_received = num(seg.s(3));
                g.sets_accepted = num(seg.s(4));
                g.codes = (5..=9).filter_map(|n| opt(seg.s(n))).collect();
            }
            _ => {}
        }
    }
    Ok(out)
}

fn group<'a>(out: &'a mut [Ack999], item: &Item<'_>) -> Result<&'a mut GroupAck, X12Error> {
    out.last_mut()
        .and_then(|a| a.groups.last_mut())
        .ok_or_else(|| item.error(ErrorKind::UnexpectedSegment, 0, "segment outside an AK1 functional group response"))
}

fn set<'a>(out: &'a mut [Ack999], item: &Item<'_>) -> Result<&'a mut SetAck, X12Error> {
    group(out, item)?
        .sets
        .last_mut()
        .ok_or_else(|| item.error(ErrorKind::UnexpectedSegment, 0, "segment outside an AK2 transaction set response"))
}

// --- 277CA -----------------------------------------------------------------------------------

/// One STC status: category (ECL 507) : status (ECL 508) : entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusInfo {
    /// STC01-1 category code (`A1`, `A3`, `P1`, ...).
    pub category: String,
    /// STC01-2 status code.
    pub status: String,
    /// STC01-3 entity identifier.
    pub entity: Option<String>,
    /// STC02 status effective date.
    pub date: Option<Date>,
    /// STC03 action code (`WQ` accepted, `U` reject).
    pub action: Option<String>,
    /// STC04 amount.
    pub amount: Option<Money>,
    /// STC10/STC11 additional category:status pairs.
    pub more: Vec<(String, String)>,
}

impl StatusInfo {
    /// Disposition by category code.
    pub fn disposition(&self) -> ClaimDisposition {
        match self.category.as_str() {
            "A0" | "A1" | "A2" | "A5" => ClaimDisposition::Accepted,
            "A3" | "A4" | "A6" | "A7" | "A8" => ClaimDisposition::Rejected,
            c if c.starts_with('P') => ClaimDisposition::Pending,
            _ => ClaimDisposition::Unknown,
        }
    }
}

/// A service line status in a 277CA.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineStatus {
    /// SVC01-2 procedure code.
    pub procedure: String,
    /// SVC02 charge.
    pub charge: Option<Money>,
    /// REF*FJ line item control number.
    pub line_control_number: Option<String>,
    /// STC statuses.
    pub statuses: Vec<StatusInfo>,
}

/// A claim-level status in a 277CA (loop 2200D/2200E).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClaimStatus {
    /// TRN02: the submitted CLM01 (patient control number).
    pub clm01: String,
    /// REF*1K payer claim control number.
    pub payer_claim_control_number: Option<String>,
    /// REF*D9 clearinghouse trace number.
    pub clearinghouse_trace: Option<String>,
    /// REF*BLT bill type.
    pub bill_type: Option<String>,
    /// DTP*472 service date (from).
    pub service_date: Option<Date>,
    /// STC statuses.
    pub statuses: Vec<StatusInfo>,
    /// Line statuses.
    pub lines: Vec<LineStatus>,
}

impl ClaimStatus {
    /// Rejected if any status rejects, else accepted if any accepts, else pending/unknown.
    pub fn disposition(&self) -> ClaimDisposition {
        let ds: Vec<ClaimDisposition> = self.statuses.iter().map(StatusInfo::disposition).collect();
        for d in [ClaimDisposition::Rejected, ClaimDisposition::Accepted, ClaimDisposition::Pending] {
            if ds.contains(&d) {
                return d;
            }
        }
        ClaimDisposition::Unknown
    }
}

/// A 277CA transaction set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClaimAck277 {
    /// ST02.
    pub control: String,
    /// Statuses at the receiver / provider levels (HL 21 / 19) that apply to many claims.
    pub batch_statuses: Vec<StatusInfo>,
    /// Claim statuses.
    pub claims: Vec<ClaimStatus>,
}

impl ClaimAck277 {
    /// The status of a submitted claim by its CLM01.
    pub fn find(&self, clm01: &str) -> Option<&ClaimStatus> {
        self.claims.iter().find(|c| c.clm01 == clm01)
    }

    /// The disposition of a submitted claim by its CLM01.
    pub fn claim_disposition(&self, clm01: &str) -> ClaimDisposition {
        self.find(clm01).map_or(ClaimDisposition::Unknown, ClaimStatus::disposition)
    }
}

fn stc(item: &Item<'_>) -> Result<StatusInfo, X12Error> {
    let seg = &item.seg;
    let date = match seg.s(2) {
        "" => None,
        d => Some(Date::parse(d).map_err(|_| item.error(ErrorKind::BadElement, 2, "not a valid CCYYMMDD date"))?),
    };
    let amount = match seg.el(4) {
        [] => None,
        v => Some(Money::from_cents(
            cents(v).ok_or_else(|| item.error(ErrorKind::BadElement, 4, "not a valid decimal amount"))?,
        )),
    };
    let more = [10usize, 11]
        .iter()
        .filter(|&&n| !seg.el(n).is_empty())
        .map(|&n| (seg.cs(n, 1).to_string(), seg.cs(n, 2).to_string()))
        .collect();
    Ok(StatusInfo {
        category: seg.cs(1, 1).to_string(),
        status: seg.cs(1, 2).to_string(),
        entity: opt(seg.cs(1, 3)),
        date,
        action: opt(seg.s(3)),
        amount,
        more,
    })
}

/// Reads every 277CA transaction set of an interchange.
pub fn read_277ca<R: Read>(reader: R) -> Result<Vec<ClaimAck277>, X12Error> {
    let mut env = Envelope::new(reader);
    let mut out: Vec<ClaimAck277> = Vec::new();
    // HL level of the current loop: 20 source, 21 receiver, 19 provider, PT patient/claim.
    let mut level = String::new();
    let mut in_line = false;
    while let Some(item) = env.next_item()? {
        let seg = &item.seg;
        match seg.id() {
            b"ST" => {
                expect_kind(&item, TxKind::ClaimAck277)?;
                out.push(ClaimAck277 { control: seg.s(2).to_string(), ..ClaimAck277::default() });
                level.clear();
            }
            b"HL" => {
                level = seg.s(3).to_string();
                in_line = false;
            }
            b"TRN" if level == "PT" => {
                let ack =
                    out.last_mut().ok_or_else(|| item.error(ErrorKind::UnexpectedSegment, 0, "TRN outside 277"))?;
                ack.claims.push(ClaimStatus { clm01: seg.s(2).to_string(), ..ClaimStatus::default() });
                in_line = false;
            }
            b"STC" => {
                let s = stc(&item)?;
                let Some(ack) = out.last_mut() else { continue };
                match (level.as_str(), ack.claims.last_mut()) {
                    ("PT", Some(c)) => match (in_line, c.lines.last_mut()) {
                        (true, Some(l)) => l.statuses.push(s),
                        _ => c.statuses.push(s),
                    },
                    _ => ack.batch_statuses.push(s),
                }
            }
            b"REF" if level == "PT" => {
                let Some(c) = out.last_mut().and_then(|a| a.claims.last_mut()) else { continue };
                let v = opt(seg.s(2));
                match (seg.el(1), in_line) {
                    (b"1K", false) => c.payer_claim_control_number = v,
                    (b"D9", false) => c.clearinghouse_trace = v,
                    (b"BLT", false) => c.bill_type = v,
                    (b"FJ", true) => {
                        if let Some(l) = c.lines.last_mut() {
                            l.line_control_number = v;
                        }
                    }
                    _ => {}
                }
            }
            b"DTP" if level == "PT" && seg.el(1) == b"472" && !in_line => {
                let Some(c) = out.last_mut().and_then(|a| a.claims.last_mut()) else { continue };
                let v = seg.s(3);
                c.service_date = Date::parse(v.get(..8).unwrap_or(v)).ok();
            }
            b"SVC" if level == "PT" => {
                let charge = cents(seg.el(2)).map(Money::from_cents);
                let Some(c) = out.last_mut().and_then(|a| a.claims.last_mut()) else { continue };
                c.lines.push(LineStatus { procedure: seg.cs(1, 2).to_string(), charge, ..LineStatus::default() });
                in_line = true;
            }
            _ => {}
        }
    }
    Ok(out)
}
