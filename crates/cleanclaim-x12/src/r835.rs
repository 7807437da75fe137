//! 835 remittance advice reader (005010X221A1) with SNIP 3 balancing findings.

use std::io::Read;

use cleanclaim::{Date, Money};

use crate::envelope::{Envelope, Item, TxKind};
use crate::error::{ErrorKind, X12Error};
use crate::finding::{Finding, Severity};
use crate::money::cents;

/// A party named in the 835 header (N1*PR payer, N1*PE payee).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    /// N102 name.
    pub name: Option<String>,
    /// N103 id qualifier (`XX` NPI, `FI` tax id, `XV` plan id).
    pub id_qualifier: Option<String>,
    /// N104 id.
    pub id: Option<String>,
}

/// BPR: the payment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Payment {
    /// BPR01 transaction handling code (`I` remittance + payment, `H` notification only, ...).
    pub handling: String,
    /// BPR02 total actual provider payment.
    pub amount: Money,
    /// BPR03 `C` credit / `D` debit.
    pub credit_debit: String,
    /// BPR04 method: `ACH`, `CHK`, `BOP`, `FWT`, `NON`.
    pub method: String,
    /// BPR16 check issue or EFT effective date.
    pub date: Option<Date>,
}

/// One CAS adjustment (a CAS segment holds up to six).
#[derive(Debug, Clone, PartialEq)]
pub struct Adjustment {
    /// Group code: `CO`, `PR`, `OA`, `PI`, `CR`.
    pub group: String,
    /// Claim adjustment reason code (CARC).
    pub reason: String,
    /// Amount (positive reduces payment).
    pub amount: Money,
    /// Quantity (units adjusted), if any.
    pub quantity: Option<f64>,
}

/// 2110 SVC: payment for one service line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LinePayment {
    /// SVC01-1 qualifier (`HC`, `NU`, `N4`, ...).
    pub procedure_qualifier: String,
    /// SVC01-2 procedure code as adjudicated (revenue code when the qualifier is `NU`).
    pub procedure: String,
    /// SVC01-3..6 modifiers.
    pub modifiers: Vec<String>,
    /// SVC02 line charge.
    pub charge: Money,
    /// SVC03 line paid.
    pub paid: Money,
    /// SVC04 revenue code (institutional).
    pub revenue_code: Option<String>,
    /// SVC05 paid units.
    pub units: Option<f64>,
    /// REF*6R line item control number (from the 837's REF*6R).
    pub line_control_number: Option<String>,
    /// DTM*472 (or 150) service date.
    pub date: Option<Date>,
    /// AMT*B6 allowed amount.
    pub allowed: Option<Money>,
    /// Line CAS adjustments.
    pub adjustments: Vec<Adjustment>,
    /// LQ*HE remark codes (RARC).
    pub rarcs: Vec<String>,
}

/// 2100 CLP: payment for one claim.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClaimPayment {
    /// CLP01 patient control number: the 837's CLM01.
    pub patient_control_number: String,
    /// CLP02 claim status (`1` primary, `2` secondary, `4` denied, `22` reversal, ...).
    pub status: String,
    /// CLP03 total charge.
    pub charge: Money,
    /// CLP04 payment amount.
    pub paid: Money,
    /// CLP05 patient responsibility.
    pub patient_responsibility: Option<Money>,
    /// CLP06 claim filing indicator.
    pub filing_indicator: Option<String>,
    /// CLP07 payer claim control number (use it as REF*F8 on corrections).
    pub payer_claim_control_number: Option<String>,
    /// CLP08 facility type / place of service.
    pub facility_type: Option<String>,
    /// CLP09 frequency code.
    pub frequency: Option<String>,
    /// CLP11 DRG code.
    pub drg: Option<String>,
    /// Claim-level CAS adjustments.
    pub adjustments: Vec<Adjustment>,
    /// MOA/MIA remark codes (RARC).
    pub rarcs: Vec<String>,
    /// Service lines.
    pub lines: Vec<LinePayment>,
}

/// PLB provider-level adjustment (one reason/amount pair).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderAdjustment {
    /// PLB01 provider identifier.
    pub provider_id: String,
    /// PLB02 fiscal period date.
    pub fiscal_period_end: Option<Date>,
    /// Adjustment reason (`WO` overpayment recovery, `L6` interest, `FB` forwarding balance, ...).
    pub reason: String,
    /// Reference identifier (second component).
    pub reference: Option<String>,
    /// Amount: positive reduces the payment, negative increases it.
    pub amount: Money,
}

/// One 835 transaction set.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Remittance {
    /// Implementation version (`005010X221A1`).
    pub version: String,
    /// ST02.
    pub control: String,
    /// N1*PR.
    pub payer: Party,
    /// N1*PE.
    pub payee: Party,
    /// BPR.
    pub payment: Payment,
    /// TRN02 check or EFT trace number (the re-association key).
    pub trace_number: Option<String>,
    /// TRN03 originating company id.
    pub trace_originator: Option<String>,
    /// Claim payments.
    pub claims: Vec<ClaimPayment>,
    /// Provider-level adjustments.
    pub plb: Vec<ProviderAdjustment>,
    /// Balancing (SNIP 3) findings; paths like `claims[0].lines[1].paid`.
    pub findings: Vec<Finding>,
}

impl Remittance {
    /// The claim payments for a submitted claim id (CLM01 = CLP01); reversals and corrections
    /// can make several.
    pub fn for_claim<'a>(&'a self, clm01: &'a str) -> impl Iterator<Item = &'a ClaimPayment> + 'a {
        self.claims.iter().filter(move |c| c.patient_control_number == clm01)
    }
}

/// Reads every 835 transaction set of an interchange.
pub fn read_835<R: Read>(reader: R) -> Result<Vec<Remittance>, X12Error> {
    Reader835::new(reader).collect()
}

/// The 835 transaction sets of an interchange, one at a time as they are read: what
/// [`read_835`] returns, in the memory of two sets rather than of the whole file. The first
/// error ends the iteration.
///
/// A set is handed over once the next one ends or the input does, as [`read_835`] gave them:
/// envelope findings after a set's SE (a GE or IEA out of order, say) belong to the next set,
/// or to the last one.
pub struct Reader835<R: Read> {
    env: Envelope<R>,
    cur: Option<Builder>,
    /// The last set finished, kept until the next one finishes or the input ends.
    done: Option<Remittance>,
    ended: bool,
}

impl<R: Read> Reader835<R> {
    /// Reads an interchange from `reader`.
    pub fn new(reader: R) -> Reader835<R> {
        Reader835 { env: Envelope::new(reader), cur: None, done: None, ended: false }
    }

    fn step(&mut self) -> Result<Option<Remittance>, X12Error> {
        while let Some(item) = self.env.next_item()? {
            match item.seg.id() {
                b"ISA" | b"GS" | b"GE" | b"IEA" => {}
                b"ST" => {
                    let tx = item.tx.expect("ST carries its transaction");
                    if tx.kind != TxKind::Remittance835 {
                        return Err(item.error(
                            ErrorKind::UnexpectedSegment,
                            1,
                            format!("transaction set {} is not an 835 remittance", tx.kind.st01()),
                        ));
                    }
                    self.cur = Some(Builder::new(tx.version.clone(), tx.control.clone()));
                }
                b"SE" => {
                    let earlier = self.cur.take().and_then(|b| self.done.replace(b.finish()));
                    // Findings up to here belong to the set just finished, or to the last one
                    // when this SE ended none.
                    let found = self.env.take_findings();
                    if let Some(r) = self.done.as_mut() {
                        r.findings.extend(found);
                    }
                    if earlier.is_some() {
                        return Ok(earlier);
                    }
                }
                _ => {
                    if let Some(b) = self.cur.as_mut() {
                        b.segment(&item)?;
                    }
                }
            }
        }
        self.ended = true;
        let found = self.env.take_findings();
        Ok(self.done.take().map(|mut r| {
            r.findings.extend(found);
            r
        }))
    }
}

impl<R: Read> Iterator for Reader835<R> {
    type Item = Result<Remittance, X12Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.ended {
            return None;
        }
        match self.step() {
            Ok(r) => r.map(Ok),
            Err(e) => {
                self.ended = true;
                Some(Err(e))
            }
        }
    }
}

impl<R: Read> std::fmt::Debug for Reader835<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Counts, not contents: a set holds patients' names and member ids.
        f.debug_struct("Reader835").field("held", &self.done.is_some()).field("ended", &self.ended).finish()
    }
}

/// Reads 835 bytes.
pub fn read_835_bytes(bytes: &[u8]) -> Result<Vec<Remittance>, X12Error> {
    read_835(bytes)
}

#[derive(Debug)]
struct Builder {
    r: Remittance,
    n1: Option<u8>, // b'R' payer, b'E' payee
    seen_bpr: bool,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() { None } else { Some(t.to_string()) }
}

fn amount(item: &Item<'_>, n: usize, required: bool) -> Result<Option<Money>, X12Error> {
    let v = item.seg.el(n);
    if v.is_empty() {
        if required {
            return Err(item.error(ErrorKind::MissingElement, n as u16, "required amount is missing"));
        }
        return Ok(None);
    }
    cents(v)
        .map(|c| Some(Money::from_cents(c)))
        .ok_or_else(|| item.error(ErrorKind::BadElement, n as u16, "not a valid decimal amount"))
}

fn qty(item: &Item<'_>, n: usize) -> Result<Option<f64>, X12Error> {
    let v = item.seg.s(n).trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<f64>()
        .ok()
        .filter(|q| q.is_finite())
        .map(Some)
        .ok_or_else(|| item.error(ErrorKind::BadElement, n as u16, "not a valid quantity"))
}

fn cas(item: &Item<'_>) -> Result<Vec<Adjustment>, X12Error> {
    let seg = &item.seg;
    let group = seg.s(1).trim().to_string();
    if group.is_empty() {
        return Err(item.error(ErrorKind::MissingElement, 1, "CAS01 adjustment group code is required"));
    }
    let mut out = Vec::new();
    for k in 0..6 {
        let r = 2 + 3 * k;
        if seg.el(r).is_empty() {
            continue;
        }
        let amt = amount(item, r + 1, true)?.unwrap_or_default();
        out.push(Adjustment {
            group: group.clone(),
            reason: seg.s(r).trim().to_string(),
            amount: amt,
            quantity: qty(item, r + 2)?,
        });
    }
    if out.is_empty() {
        return Err(item.error(ErrorKind::MissingElement, 2, "CAS02 adjustment reason code is required"));
    }
    Ok(out)
}

impl Builder {
    fn new(version: String, control: String) -> Builder {
        Builder { r: Remittance { version, control, ..Remittance::default() }, n1: None, seen_bpr: false }
    }

    /// A date element; an invalid date is a finding (the remittance stays usable).
    fn date(&mut self, item: &Item<'_>, n: usize) -> Option<Date> {
        let v = item.seg.s(n);
        if v.is_empty() {
            return None;
        }
        match Date::parse(v) {
            Ok(d) => Some(d),
            Err(_) => {
                let mut loc = item.loc(n as u16);
                loc.loop_id = None;
                self.r.findings.push(Finding {
                    rule: "x12.snip2.date",
                    severity: Severity::Error,
                    path: String::new(),
                    message: format!("{}{n:02} is not a valid CCYYMMDD date", item.seg.id_str()),
                    location: Some(loc),
                });
                None
            }
        }
    }

    fn line(&mut self) -> Option<&mut LinePayment> {
        self.r.claims.last_mut().and_then(|c| c.lines.last_mut())
    }

    fn segment(&mut self, item: &Item<'_>) -> Result<(), X12Error> {
        let seg = &item.seg;
        let in_claim = !self.r.claims.is_empty();
        match seg.id() {
            b"BPR" => {
                self.seen_bpr = true;
                let date = self.date(item, 16);
                self.r.payment = Payment {
                    handling: seg.s(1).to_string(),
                    amount: amount(item, 2, true)?.unwrap_or_default(),
                    credit_debit: seg.s(3).to_string(),
                    method: seg.s(4).to_string(),
                    date,
                };
            }
            b"TRN" => {
                self.r.trace_number = opt(seg.s(2));
                self.r.trace_originator = opt(seg.s(3));
            }
            b"N1" if !in_claim => {
                let party = Party { name: opt(seg.s(2)), id_qualifier: opt(seg.s(3)), id: opt(seg.s(4)) };
                match seg.el(1) {
                    b"PR" => {
                        self.r.payer = party;
                        self.n1 = Some(b'R');
                    }
                    b"PE" => {
                        self.r.payee = party;
                        self.n1 = Some(b'E');
                    }
                    _ => self.n1 = None,
                }
            }
            b"CLP" => {
                if !self.seen_bpr {
                    return Err(item.error(ErrorKind::MissingSegment, 0, "CLP before the required BPR segment"));
                }
                let id = seg.s(1).trim();
                if id.is_empty() {
                    return Err(item.error(ErrorKind::MissingElement, 1, "CLP01 patient control number is required"));
                }
                self.r.claims.push(ClaimPayment {
                    patient_control_number: id.to_string(),
                    status: seg.s(2).to_string(),
                    charge: amount(item, 3, true)?.unwrap_or_default(),
                    paid: amount(item, 4, true)?.unwrap_or_default(),
                    patient_responsibility: amount(item, 5, false)?,
                    filing_indicator: opt(seg.s(6)),
                    payer_claim_control_number: opt(seg.s(7)),
                    facility_type: opt(seg.s(8)),
                    frequency: opt(seg.s(9)),
                    drg: opt(seg.s(11)),
                    ..ClaimPayment::default()
                });
            }
            b"SVC" => {
                let Some(ci) = self.r.claims.len().checked_sub(1) else {
                    return Err(item.error(ErrorKind::UnexpectedSegment, 0, "SVC outside a CLP claim payment loop"));
                };
                if seg.comp(1, 2).is_empty() {
                    let mut loc = item.loc(1);
                    loc.component = 2;
                    self.r.findings.push(Finding {
                        rule: "x12.snip2.required_element",
                        severity: Severity::Error,
                        path: format!("claims[{ci}].lines[{}].procedure", self.r.claims[ci].lines.len()),
                        message: "SVC01-2 procedure code is missing".into(),
                        location: Some(loc),
                    });
                }
                let modifiers = (3..=6).map(|c| seg.cs(1, c)).filter(|m| !m.is_empty()).map(str::to_string).collect();
                let line = LinePayment {
                    procedure_qualifier: seg.cs(1, 1).to_string(),
                    procedure: seg.cs(1, 2).to_string(),
                    modifiers,
                    charge: amount(item, 2, true)?.unwrap_or_default(),
                    paid: amount(item, 3, true)?.unwrap_or_default(),
                    revenue_code: opt(seg.s(4)),
                    units: qty(item, 5)?,
                    ..LinePayment::default()
                };
                self.r.claims[ci].lines.push(line);
            }
            b"CAS" => {
                let adj = cas(item)?;
                match self.line() {
                    Some(l) => l.adjustments.extend(adj),
                    None => match self.r.claims.last_mut() {
                        Some(c) => c.adjustments.extend(adj),
                        None => return Err(item.error(ErrorKind::UnexpectedSegment, 0, "CAS outside a claim payment")),
                    },
                }
            }
            b"REF" if seg.el(1) == b"6R" => {
                if let Some(l) = self.line() {
                    l.line_control_number = opt(seg.s(2));
                }
            }
            b"DTM" if matches!(seg.el(1), b"472" | b"150") => {
                let d = self.date(item, 2);
                if let Some(l) = self.line()
                    && l.date.is_none()
                {
                    l.date = d;
                }
            }
            b"AMT" if seg.el(1) == b"B6" => {
                let a = amount(item, 2, true)?;
                if let Some(l) = self.line() {
                    l.allowed = a;
                }
            }
            b"LQ" if seg.el(1) == b"HE" || seg.el(1) == b"RX" => {
                let code = seg.s(2).to_string();
                if let Some(l) = self.line() {
                    l.rarcs.push(code);
                }
            }
            b"MOA" | b"MIA" => {
                // Remark codes: MOA03..07, MIA05, MIA20..24.
                let positions: &[usize] = if seg.is(b"MOA") { &[3, 4, 5, 6, 7] } else { &[5, 20, 21, 22, 23, 24] };
                let codes: Vec<String> = positions.iter().filter_map(|&p| opt(seg.s(p))).collect();
                if let Some(c) = self.r.claims.last_mut() {
                    c.rarcs.extend(codes);
                }
            }
            b"PLB" => {
                let provider_id = seg.s(1).to_string();
                let fiscal = self.date(item, 2);
                for k in 0..6 {
                    let n = 3 + 2 * k;
                    if seg.el(n).is_empty() {
                        continue;
                    }
                    self.r.plb.push(ProviderAdjustment {
                        provider_id: provider_id.clone(),
                        fiscal_period_end: fiscal,
                        reason: seg.cs(n, 1).to_string(),
                        reference: opt(seg.cs(n, 2)),
                        amount: amount(item, n + 1, true)?.unwrap_or_default(),
                    });
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(mut self) -> Remittance {
        balance(&mut self.r);
        self.r
    }
}

fn finding(path: String, rule: &'static str, message: String) -> Finding {
    Finding { rule, severity: Severity::Error, path, message, location: None }
}

/// SNIP 3 balancing of an 835:
/// * line: SVC02 − Σ line CAS = SVC03;
/// * claim: CLP03 − Σ claim CAS − Σ line CAS = CLP04 (line CAS only when lines are present);
/// * payment: BPR02 = Σ CLP04 − Σ PLB amounts.
pub fn balance(r: &mut Remittance) {
    let mut out = Vec::new();
    let mut total_paid = 0i64;
    for (ci, c) in r.claims.iter().enumerate() {
        let mut line_adj = 0i64;
        for (li, l) in c.lines.iter().enumerate() {
            let adj: i64 = l.adjustments.iter().map(|a| a.amount.cents()).sum();
            line_adj += adj;
            if l.charge.cents() - adj != l.paid.cents() {
                out.push(finding(
                    format!("claims[{ci}].lines[{li}].paid"),
                    "x12.835.line_balance",
                    format!(
                        "line charge {} minus adjustments {} is {}, but the line paid amount is {}",
                        l.charge,
                        Money::from_cents(adj),
                        Money::from_cents(l.charge.cents() - adj),
                        l.paid
                    ),
                ));
            }
        }
        let claim_adj: i64 = c.adjustments.iter().map(|a| a.amount.cents()).sum();
        let expected = c.charge.cents() - claim_adj - line_adj;
        // Reversals (status 22) carry negative amounts and balance the same way.
        if expected != c.paid.cents() {
            out.push(finding(
                format!("claims[{ci}].paid"),
                "x12.835.claim_balance",
                format!(
                    "claim charge {} minus adjustments {} is {}, but CLP04 paid is {}",
                    c.charge,
                    Money::from_cents(claim_adj + line_adj),
                    Money::from_cents(expected),
                    c.paid
                ),
            ));
        }
        total_paid += c.paid.cents();
    }
    let plb: i64 = r.plb.iter().map(|p| p.amount.cents()).sum();
    let expected = total_paid - plb;
    let bpr = if r.payment.credit_debit == "D" { -r.payment.amount.cents() } else { r.payment.amount.cents() };
    if expected != bpr {
        out.push(finding(
            "payment.amount".into(),
            "x12.835.payment_balance",
            format!(
                "BPR02 payment {} does not equal the sum of claim payments {} minus provider adjustments {}",
                r.payment.amount,
                Money::from_cents(total_paid),
                Money::from_cents(plb)
            ),
        ));
    }
    r.findings.extend(out);
}
