//! Envelope layer (SNIP level 1): ISA/IEA, GS/GE, ST/SE nesting, counts and control numbers,
//! implementation-version detection.

use std::io::Read;

use crate::error::{ErrorKind, Location, X12Error};
use crate::finding::{Finding, Severity};
use crate::token::{Segment, Tokenizer};

/// Transaction set implementations this crate understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TxKind {
    /// 837 professional (005010X222A1/A2; also X298 reporting).
    Professional837,
    /// 837 institutional (005010X223A1/A2/A3).
    Institutional837,
    /// 835 remittance advice (005010X221A1).
    Remittance835,
    /// 999 implementation acknowledgment (005010X231A1).
    Ack999,
    /// 277CA claim acknowledgment (005010X214).
    ClaimAck277,
}

impl TxKind {
    /// The ST01 transaction set id for this kind.
    pub fn st01(self) -> &'static str {
        match self {
            TxKind::Professional837 | TxKind::Institutional837 => "837",
            TxKind::Remittance835 => "835",
            TxKind::Ack999 => "999",
            TxKind::ClaimAck277 => "277",
        }
    }

    /// Maps an implementation convention reference (GS08/ST03) to a kind.
    pub fn from_version(v: &str) -> Option<TxKind> {
        Some(match v {
            "005010X222A1" | "005010X222A2" | "005010X222" => TxKind::Professional837,
            "005010X223A1" | "005010X223A2" | "005010X223A3" | "005010X223" => TxKind::Institutional837,
            "005010X221A1" | "005010X221" => TxKind::Remittance835,
            "005010X231A1" | "005010X231" => TxKind::Ack999,
            "005010X214" => TxKind::ClaimAck277,
            _ => return None,
        })
    }
}

/// The transaction set currently open.
#[derive(Clone, Debug)]
pub struct TxInfo {
    /// What it is.
    pub kind: TxKind,
    /// Implementation convention reference (`005010X222A1`).
    pub version: String,
    /// ST02.
    pub control: String,
    /// GS06 of the enclosing group.
    pub group_control: String,
    /// ISA13 of the enclosing interchange.
    pub interchange_control: String,
    /// 1-based ordinal of this transaction set in the file.
    pub ordinal: u32,
}

/// One segment with its envelope context.
#[derive(Debug)]
pub struct Item<'a> {
    /// The segment.
    pub seg: Segment<'a>,
    /// Position inside ST..SE (ST = 1), 0 for ISA/GS/GE/IEA.
    pub in_set: u32,
    /// The open transaction set (also set for its ST and SE).
    pub tx: Option<&'a TxInfo>,
}

impl Item<'_> {
    /// Location of element `n` of this segment.
    pub fn loc(&self, element: u16) -> Location {
        self.seg.loc(element, self.in_set)
    }

    /// An error at element `n` of this segment.
    pub fn error(&self, kind: ErrorKind, element: u16, reason: impl Into<String>) -> X12Error {
        X12Error::new(kind, Some(self.loc(element)), reason)
    }
}

#[derive(Debug, Default)]
struct Isa {
    control: String,
    groups: u64,
}

#[derive(Debug, Default)]
struct Gs {
    control: String,
    version: String,
    sets: u64,
}

/// Envelope-checking reader over a [`Tokenizer`].
#[derive(Debug)]
pub struct Envelope<R> {
    tok: Tokenizer<R>,
    isa: Option<Isa>,
    gs: Option<Gs>,
    tx: Option<TxInfo>,
    in_set: u32,
    /// Skipping the rest of a transaction set after an unsupported version error.
    skipping: bool,
    ordinal: u32,
    findings: Vec<Finding>,
    done: bool,
    saw_isa: bool,
    closing: Option<TxInfo>,
}

#[derive(Clone, Copy, Debug)]
enum Which {
    None,
    Open,
    Closing,
}

fn envelope_finding(rule: &'static str, loc: Location, message: String) -> Finding {
    Finding { rule, severity: Severity::Error, path: String::new(), message, location: Some(loc) }
}

impl<R: Read> Envelope<R> {
    /// An envelope reader.
    pub fn new(reader: R) -> Envelope<R> {
        Envelope {
            tok: Tokenizer::new(reader),
            isa: None,
            gs: None,
            tx: None,
            in_set: 0,
            skipping: false,
            ordinal: 0,
            findings: Vec::new(),
            done: false,
            saw_isa: false,
            closing: None,
        }
    }

    /// Envelope findings so far (count and control-number mismatches).
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Takes the findings collected so far.
    pub fn take_findings(&mut self) -> Vec<Finding> {
        std::mem::take(&mut self.findings)
    }

    /// Moves the findings collected so far to the end of `out`; nearly free when there are
    /// none, as after nearly every segment.
    pub(crate) fn move_findings_to(&mut self, out: &mut Vec<Finding>) {
        out.append(&mut self.findings);
    }

    /// The delimiters of the current interchange.
    pub fn delimiters(&self) -> Option<crate::token::Delimiters> {
        self.tok.delimiters()
    }

    /// The next segment with its context; `Ok(None)` at end of input.
    ///
    /// Errors for one transaction set (unsupported version) leave the reader positioned to
    /// continue with the next one.
    pub fn next_item(&mut self) -> Result<Option<Item<'_>>, X12Error> {
        let (in_set, which) = match self.step()? {
            Some(x) => x,
            None => return Ok(None),
        };
        let Some(seg) = self.tok.current() else {
            return Ok(None);
        };
        let tx = match which {
            Which::None => None,
            Which::Open => self.tx.as_ref(),
            Which::Closing => self.closing.as_ref(),
        };
        Ok(Some(Item { seg, in_set, tx }))
    }

    fn step(&mut self) -> Result<Option<(u32, Which)>, X12Error> {
        if self.done {
            return Ok(None);
        }
        loop {
            let seg = match self.tok.next_segment() {
                Ok(Some(s)) => s,
                Ok(None) => {
                    self.done = true;
                    let what = if self.tx.is_some() {
                        Some("SE")
                    } else if self.gs.is_some() {
                        Some("GE")
                    } else if self.isa.is_some() {
                        Some("IEA")
                    } else if !self.saw_isa {
                        Some("ISA")
                    } else {
                        None
                    };
                    if let Some(what) = what {
                        // Where the missing segment would be: after the last, at the end.
                        let loc = Location {
                            segment_in_file: self.tok.segment_count() + 1,
                            byte_offset: self.tok.bytes_read(),
                            ..Location::default()
                        };
                        return Err(X12Error::new(
                            ErrorKind::Envelope,
                            Some(loc),
                            format!("input ends without the {what} segment"),
                        ));
                    }
                    return Ok(None);
                }
                Err(e) => {
                    if matches!(
                        e.kind,
                        ErrorKind::BadIsa | ErrorKind::NotX12 | ErrorKind::SegmentTooLong | ErrorKind::Io
                    ) {
                        self.done = true;
                    } else if self.tx.is_some() {
                        self.in_set += 1;
                    }
                    let mut e = e;
                    if let Some(l) = e.location.as_deref_mut() {
                        l.segment_in_set = if self.tx.is_some() { self.in_set } else { 0 };
                    }
                    return Err(e);
                }
            };
            // Borrow juggling: decide on the segment, then build the item.
            let id = seg.id();
            match id {
                b"ISA" => {
                    let loc = || seg.loc(0, 0);
                    if self.tx.is_some() || self.gs.is_some() || self.isa.is_some() {
                        self.tx = None;
                        self.gs = None;
                        self.isa = None;
                        self.skipping = false;
                        return Err(X12Error::new(
                            ErrorKind::Envelope,
                            Some(loc()),
                            "ISA before the previous interchange was closed by IEA",
                        ));
                    }
                    self.saw_isa = true;
                    self.isa = Some(Isa { control: seg.s(13).trim().to_string(), groups: 0 });
                    return Ok(Some((0, Which::None)));
                }
                b"IEA" => {
                    let loc = || seg.loc(0, 0);
                    if self.tx.is_some() || self.gs.is_some() {
                        self.tx = None;
                        self.gs = None;
                        self.isa = None;
                        self.skipping = false;
                        return Err(X12Error::new(
                            ErrorKind::Envelope,
                            Some(loc()),
                            "IEA before GE/SE closed the group",
                        ));
                    }
                    let Some(isa) = self.isa.take() else {
                        return Err(X12Error::new(ErrorKind::Envelope, Some(loc()), "IEA without ISA"));
                    };
                    check_count(&mut self.findings, "x12.envelope.iea_count", &seg, 1, isa.groups, "functional groups");
                    if seg.s(2).trim() != isa.control {
                        self.findings.push(envelope_finding(
                            "x12.envelope.iea_control",
                            seg.loc(2, 0),
                            "IEA02 does not match ISA13 interchange control number".into(),
                        ));
                    }
                    return Ok(Some((0, Which::None)));
                }
                b"GS" => {
                    let loc = || seg.loc(0, 0);
                    let Some(isa) = self.isa.as_mut() else {
                        return Err(X12Error::new(ErrorKind::Envelope, Some(loc()), "GS outside an ISA interchange"));
                    };
                    if self.gs.is_some() || self.tx.is_some() {
                        self.gs = None;
                        self.tx = None;
                        self.skipping = false;
                        return Err(X12Error::new(
                            ErrorKind::Envelope,
                            Some(loc()),
                            "GS before the previous group was closed by GE",
                        ));
                    }
                    isa.groups += 1;
                    self.gs = Some(Gs { control: seg.s(6).to_string(), version: seg.s(8).to_string(), sets: 0 });
                    return Ok(Some((0, Which::None)));
                }
                b"GE" => {
                    let loc = || seg.loc(0, 0);
                    if self.tx.is_some() {
                        self.tx = None;
                        self.skipping = false;
                        self.gs = None;
                        return Err(X12Error::new(
                            ErrorKind::Envelope,
                            Some(loc()),
                            "GE before SE closed the transaction set",
                        ));
                    }
                    let Some(gs) = self.gs.take() else {
                        return Err(X12Error::new(ErrorKind::Envelope, Some(loc()), "GE without GS"));
                    };
                    check_count(&mut self.findings, "x12.envelope.ge_count", &seg, 1, gs.sets, "transaction sets");
                    if seg.s(2) != gs.control {
                        self.findings.push(envelope_finding(
                            "x12.envelope.ge_control",
                            seg.loc(2, 0),
                            "GE02 does not match GS06 group control number".into(),
                        ));
                    }
                    return Ok(Some((0, Which::None)));
                }
                b"ST" => {
                    let loc = || seg.loc(0, 1);
                    let Some(gs) = self.gs.as_mut() else {
                        return Err(X12Error::new(
                            ErrorKind::Envelope,
                            Some(loc()),
                            "ST outside a GS functional group",
                        ));
                    };
                    if self.tx.is_some() {
                        self.tx = None;
                        self.skipping = false;
                        return Err(X12Error::new(
                            ErrorKind::Envelope,
                            Some(loc()),
                            "ST before SE closed the previous transaction set",
                        ));
                    }
                    gs.sets += 1;
                    self.ordinal += 1;
                    self.in_set = 1;
                    let version = if seg.s(3).is_empty() { gs.version.clone() } else { seg.s(3).to_string() };
                    let isa_control = self.isa.as_ref().map(|i| i.control.clone()).unwrap_or_default();
                    let st01 = seg.s(1);
                    let kind = match TxKind::from_version(&version) {
                        Some(k) if k.st01() == st01 => k,
                        Some(k) => {
                            self.skipping = true;
                            self.tx = Some(placeholder_tx(st01, &version));
                            return Err(X12Error::new(
                                ErrorKind::Envelope,
                                Some(seg.loc(1, 1)),
                                format!("ST01 is {st01} but version {version} is a {} implementation", k.st01()),
                            ));
                        }
                        None => {
                            self.skipping = true;
                            self.tx = Some(placeholder_tx(st01, &version));
                            let printable: String =
                                version.chars().filter(|c| c.is_ascii_alphanumeric()).take(20).collect();
                            return Err(X12Error::new(
                                ErrorKind::UnsupportedVersion,
                                Some(seg.loc(if seg.s(3).is_empty() { 0 } else { 3 }, 1)),
                                format!(
                                    "unsupported version {printable} (this reader handles X12 005010 837P/837I/835/999/277CA)"
                                ),
                            ));
                        }
                    };
                    self.tx = Some(TxInfo {
                        kind,
                        version,
                        control: seg.s(2).to_string(),
                        group_control: gs.control.clone(),
                        interchange_control: isa_control,
                        ordinal: self.ordinal,
                    });
                    return Ok(Some((1, Which::Open)));
                }
                b"SE" => {
                    let loc = || seg.loc(0, self.in_set + 1);
                    let Some(tx) = self.tx.take() else {
                        return Err(X12Error::new(ErrorKind::Envelope, Some(loc()), "SE without ST"));
                    };
                    self.in_set += 1;
                    let skipped = std::mem::replace(&mut self.skipping, false);
                    if !skipped {
                        check_count(
                            &mut self.findings,
                            "x12.envelope.se_count",
                            &seg,
                            self.in_set,
                            u64::from(self.in_set),
                            "segments",
                        );
                        if seg.s(2) != tx.control {
                            self.findings.push(envelope_finding(
                                "x12.envelope.se_control",
                                seg.loc(2, self.in_set),
                                "SE02 does not match ST02 transaction set control number".into(),
                            ));
                        }
                    }
                    self.tx = Some(tx);
                    let in_set = self.in_set;
                    self.in_set = 0;
                    if skipped {
                        self.tx = None;
                        continue;
                    }
                    // Hand out SE with the closing transaction's info, then forget it.
                    self.closing = self.tx.take();
                    return Ok(Some((in_set, Which::Closing)));
                }
                _ => {
                    if self.tx.is_none() {
                        let loc = || seg.loc(0, 0);
                        return Err(X12Error::new(
                            ErrorKind::Envelope,
                            Some(loc()),
                            "segment outside an ST..SE transaction set",
                        ));
                    }
                    self.in_set += 1;
                    if self.skipping {
                        continue;
                    }
                    let in_set = self.in_set;
                    return Ok(Some((in_set, Which::Open)));
                }
            }
        }
    }
}

fn placeholder_tx(st01: &str, version: &str) -> TxInfo {
    let _ = st01;
    TxInfo {
        kind: TxKind::Professional837,
        version: version.to_string(),
        control: String::new(),
        group_control: String::new(),
        interchange_control: String::new(),
        ordinal: 0,
    }
}

fn check_count(
    findings: &mut Vec<Finding>,
    rule: &'static str,
    seg: &Segment<'_>,
    in_set: u32,
    actual: u64,
    what: &str,
) {
    let claimed = seg.s(1).trim();
    // Parse without allocating anything proportional to the claimed count.
    let ok = claimed.len() <= 20 && claimed.parse::<u64>().ok() == Some(actual);
    if !ok {
        let shown: String = claimed.chars().filter(|c| c.is_ascii_digit()).take(20).collect();
        findings.push(envelope_finding(
            rule,
            seg.loc(1, in_set),
            format!(
                "{}01 says {} {what}, found {actual}",
                seg.id_str(),
                if shown.is_empty() { "no number of".to_string() } else { shown }
            ),
        ));
    }
}
