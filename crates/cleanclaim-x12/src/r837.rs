//! 837P / 837I reader: X12 into [`cleanclaim::Claim`], with a [`SourceMap`] per claim and
//! SNIP 2–3 findings.

use std::collections::VecDeque;
use std::io::Read;

use cleanclaim::model::{Address, IcdProcedure, Payer, PersonName};
use cleanclaim::{Claim, ClaimKind, Date, Diagnosis, Money, Person, Provider, ServiceLine, Sex};

use crate::envelope::{Envelope, Item, TxKind};
use crate::error::{ErrorKind, Location, X12Error};
use crate::finding::{Finding, Severity};
use crate::money::cents;
use crate::schema837::{INSTITUTIONAL, PROFESSIONAL};
use crate::sourcemap::{SourceMap, SourceRef};
use crate::structure::Structure;
use crate::token::Segment;

/// One claim read from an 837, with where its fields came from and SNIP 2–3 findings.
#[derive(Debug, Clone)]
pub struct ParsedClaim {
    /// The claim.
    pub claim: Claim,
    /// Field path → X12 position.
    pub origin: SourceMap,
    /// SNIP 1–3 findings for this claim (envelope-level findings are on the reader).
    pub findings: Vec<Finding>,
    /// Implementation version of the transaction set (`005010X222A1`).
    pub version: String,
    /// ST02 of the transaction set.
    pub transaction_control: String,
}

/// Streaming 837 reader: an iterator of claims.
///
/// A structural error (unknown or misplaced segment, missing required loop, unsupported
/// version) is yielded as an `Err` and the rest of that transaction set is skipped, as a
/// receiver's 999 would reject it; reading continues with the next transaction set. Claims
/// of the set that were complete before the error have already been yielded.
#[derive(Debug)]
pub struct Reader837<R> {
    env: Envelope<R>,
    tx: Option<Tx>,
    queue: VecDeque<Result<ParsedClaim, X12Error>>,
    file: Option<String>,
    done: bool,
    envelope_findings: Vec<Finding>,
    source_map: bool,
}

/// Reads 837P/837I claims from any reader, streaming.
pub fn read_837<R: Read>(reader: R) -> Reader837<R> {
    Reader837 {
        env: Envelope::new(reader),
        tx: None,
        queue: VecDeque::new(),
        file: None,
        done: false,
        envelope_findings: Vec::new(),
        source_map: true,
    }
}

/// Reads 837P/837I claims from bytes.
pub fn read_837_bytes(bytes: &[u8]) -> Reader837<&[u8]> {
    read_837(bytes)
}

impl<R: Read> Reader837<R> {
    /// Names the input in error locations.
    pub fn with_file_name(mut self, name: &str) -> Self {
        self.file = Some(name.to_string());
        self
    }

    /// Skips recording where each field came from ([`ParsedClaim::origin`] stays empty): faster
    /// when only the claims are needed.
    pub fn without_source_map(mut self) -> Self {
        self.source_map = false;
        self
    }

    /// SNIP 1 envelope findings (segment counts, control numbers) seen so far.
    pub fn envelope_findings(&self) -> &[Finding] {
        &self.envelope_findings
    }

    fn push_err(&mut self, e: X12Error) {
        let e = match &self.file {
            Some(f) => e.with_file(f),
            None => e,
        };
        self.queue.push_back(Err(e));
    }

    fn pump(&mut self) {
        while self.queue.is_empty() && !self.done {
            let item = match self.env.next_item() {
                Ok(Some(item)) => item,
                Ok(None) => {
                    self.done = true;
                    self.envelope_findings.extend(self.env.take_findings());
                    break;
                }
                Err(e) => {
                    self.tx = None;
                    self.push_err(e);
                    continue;
                }
            };
            let result = step(&mut self.tx, &item, &mut self.queue, self.source_map);
            if let Err(e) = result {
                if let Some(tx) = self.tx.as_mut() {
                    tx.failed = true;
                    tx.claim = None;
                }
                self.push_err(e);
            }
            self.envelope_findings.extend(self.env.take_findings());
        }
    }
}

impl<R: Read> Iterator for Reader837<R> {
    type Item = Result<ParsedClaim, X12Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.queue.is_empty() {
            self.pump();
        }
        self.queue.pop_front()
    }
}

/// Reads every claim of an 837 in memory; the first error stops.
pub fn read_837_all(bytes: &[u8]) -> Result<Vec<ParsedClaim>, X12Error> {
    read_837_bytes(bytes).collect()
}

// ---------------------------------------------------------------------------------------------

#[derive(Debug)]
struct Tx {
    kind: ClaimKind,
    structure: Structure,
    version: String,
    control: String,
    failed: bool,
    ctx: Ctx,
    claim: Option<Build>,
    source_map: bool,
}

#[derive(Debug, Default)]
struct Ctx {
    billing: Provider,
    billing_src: Vec<SourceRef>,
    billing_findings: Vec<Finding>,
    subscriber: Person,
    payer: Payer,
    sub_src: Vec<SourceRef>,
    sub_findings: Vec<Finding>,
    patient: Option<Person>,
    pat_src: Vec<SourceRef>,
    pat_findings: Vec<Finding>,
    header_findings: Vec<Finding>,
}

#[derive(Debug)]
struct Build {
    claim: Claim,
    src: SourceMap,
    findings: Vec<Finding>,
    /// Index of the open service line.
    line: Option<usize>,
    /// Which provider slot an open 2310/2420 loop fills.
    slot: Slot,
    /// CLM02 as read (for balancing).
    clm_seg: (u64, u32, u64),
    prior_paid_seen: bool,
    /// Provider of a 2310/2420 loop the model has no slot for (thrown away).
    scratch: Option<Provider>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    None,
    Rendering,
    Referring,
    Attending,
    LineRendering,
}

struct At<'a, 'b> {
    item: &'a Item<'b>,
    seg: Segment<'b>,
    loop_id: &'static str,
    /// A wrong component separator was used in this segment's composites (lenient repair).
    alt_component: Option<u8>,
}

impl<'a, 'b> At<'a, 'b> {
    fn new(item: &'a Item<'b>, loop_id: &'static str) -> At<'a, 'b> {
        let mut seg = item.seg;
        let composite = match seg.id() {
            b"SV1" | b"HI" => Some(1),
            b"SV2" => Some(2),
            b"CLM" => Some(5),
            _ => None,
        };
        let mut alt_component = None;
        if let Some(n) = composite {
            let el = seg.el(n);
            if !el.contains(&seg.delims.component)
                && let Some(&alt) = el.iter().take(4).find(|b| matches!(b, b'>' | b'<' | b'|' | b'\\' | b'}' | b'^'))
                && Some(alt) != seg.delims.repetition
            {
                seg.delims.component = alt;
                alt_component = Some(alt);
            }
        }
        At { item, seg, loop_id, alt_component }
    }

    fn seg(&self) -> &Segment<'b> {
        &self.seg
    }

    fn r(&self, template: &'static str, idx: [u32; 2], element: u16, component: u16) -> SourceRef {
        SourceRef {
            template,
            idx,
            segment_in_file: self.item.seg.number,
            segment_in_set: self.item.in_set,
            segment_id: static_id(self.item.seg.id()),
            loop_id: self.loop_id,
            element,
            component,
        }
    }

    fn loc(&self, element: u16, component: u16) -> Location {
        let mut l = self.item.loc(element);
        l.component = component;
        l.loop_id = Some(self.loop_id);
        l
    }

    fn err(&self, kind: ErrorKind, element: u16, component: u16, reason: impl Into<String>) -> X12Error {
        X12Error::new(kind, Some(self.loc(element, component)), reason)
    }

    fn finding(&self, rule: &'static str, sev: Severity, path: &str, element: u16, msg: String) -> Finding {
        Finding { rule, severity: sev, path: path.to_string(), message: msg, location: Some(self.loc(element, 0)) }
    }
}

fn static_id(id: &[u8]) -> &'static str {
    macro_rules! ids {
        ($($s:literal),*) => {
            match id { $( x if x == $s.as_bytes() => $s, )* _ => "?" }
        };
    }
    ids!(
        "CLM", "SV1", "SV2", "HI", "DTP", "NM1", "N3", "N4", "REF", "DMG", "SBR", "PAT", "PRV", "CL1", "AMT", "LX",
        "SVD", "HL", "ST", "SE", "BHT", "PER"
    )
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() { None } else { Some(t.to_string()) }
}

fn code(s: &str) -> String {
    let t = s.trim();
    if t.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
        t.to_string()
    } else {
        t.chars().filter(|c| *c != '.' && !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect()
    }
}

fn parse_date(at: &At<'_, '_>, s: &str, element: u16) -> Result<Date, X12Error> {
    Date::parse(s).map_err(|_| at.err(ErrorKind::BadElement, element, 0, "not a valid CCYYMMDD date"))
}

/// DTP03 by DTP02 format: (from, to).
fn dtp_dates(at: &At<'_, '_>) -> Result<Option<(Date, Option<Date>)>, X12Error> {
    let seg = at.seg();
    let v = seg.s(3);
    match seg.el(2) {
        b"D8" => Ok(Some((parse_date(at, v, 3)?, None))),
        b"DT" if v.len() >= 8 => Ok(Some((parse_date(at, &v[..8], 3)?, None))),
        b"RD8" => match v.split_once('-') {
            Some((a, b)) => Ok(Some((parse_date(at, a, 3)?, Some(parse_date(at, b, 3)?)))),
            // Lenient: a single date under RD8 (seen in TR3 examples) is a one-day range.
            None if v.len() == 8 => {
                let d = parse_date(at, v, 3)?;
                Ok(Some((d, Some(d))))
            }
            None => Err(at.err(ErrorKind::BadElement, 3, 0, "RD8 date range must be CCYYMMDD-CCYYMMDD")),
        },
        _ => Ok(None),
    }
}

fn name_of(seg: &Segment<'_>) -> Option<String> {
    let last = seg.s(3).trim();
    let first = seg.s(4).trim();
    let middle = seg.s(5).trim();
    if last.is_empty() {
        return None;
    }
    if seg.el(2) == b"1" && !first.is_empty() {
        let mut n = format!("{last}, {first}");
        if !middle.is_empty() {
            n.push(' ');
            n.push_str(middle);
        }
        Some(n)
    } else {
        Some(last.to_string())
    }
}

fn nm1_id(seg: &Segment<'_>, qual: &[u8]) -> Option<String> {
    if seg.el(8) == qual { opt(seg.s(9)) } else { None }
}

fn n3(addr: &mut Option<Address>, seg: &Segment<'_>) {
    let a = addr.get_or_insert_with(Address::default);
    a.lines.clear();
    for n in 1..=2 {
        if let Some(l) = opt(seg.s(n)) {
            a.lines.push(l);
        }
    }
}

fn n4(addr: &mut Option<Address>, seg: &Segment<'_>) {
    let a = addr.get_or_insert_with(Address::default);
    a.city = opt(seg.s(1));
    a.state = opt(seg.s(2));
    a.postal_code = opt(seg.s(3));
}

fn provider_nm1(at: &At<'_, '_>, src: &mut Vec<SourceRef>, prefix: &'static [&'static str; 2]) -> Provider {
    let seg = at.seg();
    let p = Provider { npi: nm1_id(seg, b"XX"), name: name_of(seg), ..Provider::default() };
    src.push(at.r(prefix[0], [0, 0], 3, 0));
    if p.npi.is_some() {
        src.push(at.r(prefix[1], [0, 0], 9, 0));
    }
    p
}

fn person_nm1(seg: &Segment<'_>) -> Person {
    let name = PersonName { last: opt(seg.s(3)), first: opt(seg.s(4)), middle: opt(seg.s(5)) };
    Person {
        name: if name.last.is_some() || name.first.is_some() { Some(name) } else { None },
        member_id: nm1_id(seg, b"MI").or_else(|| nm1_id(seg, b"II")),
        ..Person::default()
    }
}

fn dmg(at: &At<'_, '_>, p: &mut Person) -> Result<(), X12Error> {
    let seg = at.seg();
    if seg.el(1) == b"D8" && !seg.el(2).is_empty() {
        p.birth_date = Some(parse_date(at, seg.s(2), 2)?);
    }
    p.sex = match seg.el(3) {
        b"M" => Some(Sex::Male),
        b"F" => Some(Sex::Female),
        b"U" => Some(Sex::Unknown),
        _ => None,
    };
    Ok(())
}

fn money(at: &At<'_, '_>, element: u16, component: u16, v: &[u8], required: bool) -> Result<Option<Money>, X12Error> {
    if v.is_empty() {
        if required {
            return Err(at.err(ErrorKind::MissingElement, element, component, "required amount is missing"));
        }
        return Ok(None);
    }
    cents(v)
        .map(|c| Some(Money::from_cents(c)))
        .ok_or_else(|| at.err(ErrorKind::BadElement, element, component, "not a valid decimal amount"))
}

fn quantity(at: &At<'_, '_>, element: u16, v: &[u8]) -> Result<f64, X12Error> {
    let s = std::str::from_utf8(v).unwrap_or("");
    let ok = !s.is_empty() && s.len() <= 15 && s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
    match s.parse::<f64>() {
        Ok(q) if ok && q.is_finite() => Ok(q),
        _ => Err(at.err(ErrorKind::BadElement, element, 0, "not a valid quantity")),
    }
}

fn step(
    tx_slot: &mut Option<Tx>,
    item: &Item<'_>,
    queue: &mut VecDeque<Result<ParsedClaim, X12Error>>,
    source_map: bool,
) -> Result<(), X12Error> {
    let seg = &item.seg;
    match seg.id() {
        b"ISA" | b"GS" | b"GE" | b"IEA" => return Ok(()),
        b"ST" => {
            let info = item.tx.expect("ST has tx info");
            let kind = match info.kind {
                TxKind::Professional837 => ClaimKind::Professional,
                TxKind::Institutional837 => ClaimKind::Institutional,
                other => {
                    *tx_slot = None;
                    return Err(item.error(
                        ErrorKind::UnexpectedSegment,
                        1,
                        format!("transaction set {} is not an 837 claim (kind {other:?})", info.kind.st01()),
                    ));
                }
            };
            let hl = if kind == ClaimKind::Professional { &PROFESSIONAL } else { &INSTITUTIONAL };
            *tx_slot = Some(Tx {
                kind,
                structure: Structure::new(hl, seg),
                version: info.version.clone(),
                control: info.control.clone(),
                failed: false,
                ctx: Ctx::default(),
                claim: None,
                source_map,
            });
            return Ok(());
        }
        b"SE" => {
            let Some(mut tx) = tx_slot.take() else {
                return Ok(());
            };
            if tx.failed {
                return Ok(());
            }
            let at = At::new(item, "SE");
            tx.finish_claim(queue);
            tx.structure.finish().map_err(|mut e| {
                if e.location.is_none() {
                    e.location = Some(Box::new(at.loc(0, 0)));
                }
                e
            })?;
            return Ok(());
        }
        _ => {}
    }
    let Some(tx) = tx_slot.as_mut() else {
        return Ok(());
    };
    if tx.failed {
        return Ok(());
    }
    let loop_id = tx.structure.feed(seg, item.in_set)?;
    let at = At::new(item, loop_id);
    tx.segment(&at, queue)
}

impl Tx {
    fn finish_claim(&mut self, queue: &mut VecDeque<Result<ParsedClaim, X12Error>>) {
        let Some(mut b) = self.claim.take() else {
            return;
        };
        // SNIP 3: CLM02 = sum of line charges.
        let sum: i64 = b.claim.lines.iter().map(|l| l.charge.cents()).sum();
        if sum != b.claim.total_charge.cents() {
            b.findings.push(Finding {
                rule: "x12.snip3.claim_balance",
                severity: Severity::Error,
                path: "total_charge".into(),
                message: format!(
                    "CLM02 total charge {} does not equal the sum of the service line charges {}",
                    b.claim.total_charge,
                    Money::from_cents(sum)
                ),
                location: Some(Location {
                    segment_in_file: b.clm_seg.0,
                    segment_in_set: b.clm_seg.1,
                    segment_id: "CLM".into(),
                    byte_offset: b.clm_seg.2,
                    element: 2,
                    loop_id: Some("2300"),
                    ..Location::default()
                }),
            });
        }
        let mut findings = self.ctx.header_findings.clone();
        findings.extend(self.ctx.billing_findings.iter().cloned());
        findings.extend(self.ctx.sub_findings.iter().cloned());
        if b.claim.patient.is_some() {
            findings.extend(self.ctx.pat_findings.iter().cloned());
        }
        findings.append(&mut b.findings);
        queue.push_back(Ok(ParsedClaim {
            claim: b.claim,
            origin: b.src,
            findings,
            version: self.version.clone(),
            transaction_control: self.control.clone(),
        }));
    }

    fn segment(
        &mut self,
        at: &At<'_, '_>,
        queue: &mut VecDeque<Result<ParsedClaim, X12Error>>,
    ) -> Result<(), X12Error> {
        let seg = at.seg();
        let id = seg.id();
        // A claim ends where its 2300 loop ends.
        let top_level = matches!(
            at.loop_id,
            "HEADER"
                | "1000A"
                | "1000B"
                | "2000A"
                | "2010AA"
                | "2010AB"
                | "2010AC"
                | "2000B"
                | "2010BA"
                | "2010BB"
                | "2000C"
                | "2010CA"
        );
        if self.claim.is_some() && (top_level || id == b"CLM") {
            self.finish_claim(queue);
        }
        let mut findings = std::mem::take(&mut self.structure.findings);
        if let Some(alt) = at.alt_component {
            findings.push(at.finding(
                "x12.snip1.component_separator",
                Severity::Error,
                "",
                0,
                format!(
                    "composite uses {:?} but ISA16 declares {:?} as the component separator",
                    alt as char, at.item.seg.delims.component as char
                ),
            ));
        }
        snip2(at, self.kind, &mut findings);
        let target: &mut Vec<Finding> = match (&mut self.claim, at.loop_id) {
            (Some(b), _) => &mut b.findings,
            (None, "2000A" | "2010AA" | "2010AB" | "2010AC") => &mut self.ctx.billing_findings,
            (None, "2000B" | "2010BA" | "2010BB") => &mut self.ctx.sub_findings,
            (None, "2000C" | "2010CA") => &mut self.ctx.pat_findings,
            (None, _) => &mut self.ctx.header_findings,
        };
        target.append(&mut findings);

        let ctx = &mut self.ctx;
        match (at.loop_id, id) {
            ("2000A", b"HL") => {
                ctx.billing = Provider::default();
                ctx.billing_src.clear();
                ctx.billing_findings.clear();
                ctx.sub_findings.clear();
                ctx.pat_findings.clear();
            }
            ("2000A", b"PRV") => {
                if seg.el(1) == b"BI" || seg.el(1) == b"PT" {
                    ctx.billing.taxonomy = opt(seg.s(3));
                    ctx.billing_src.push(at.r("billing_provider.taxonomy", [0, 0], 3, 0));
                }
            }
            ("2010AA", b"NM1") => {
                let taxonomy = ctx.billing.taxonomy.take();
                ctx.billing =
                    provider_nm1(at, &mut ctx.billing_src, &["billing_provider.name", "billing_provider.npi"]);
                ctx.billing.taxonomy = taxonomy;
            }
            ("2010AA", b"N3") => {
                n3(&mut ctx.billing.address, seg);
                ctx.billing_src.push(at.r("billing_provider.address", [0, 0], 1, 0));
            }
            ("2010AA", b"N4") => n4(&mut ctx.billing.address, seg),
            ("2010AA", b"REF") if matches!(seg.el(1), b"EI" | b"SY") => {
                ctx.billing.tax_id = opt(seg.s(2));
                ctx.billing_src.push(at.r("billing_provider.tax_id", [0, 0], 2, 0));
            }
            ("2000B", b"HL") => {
                ctx.subscriber = Person::default();
                ctx.payer = Payer::default();
                ctx.patient = None;
                ctx.sub_src.clear();
                ctx.pat_src.clear();
                ctx.sub_findings.clear();
                ctx.pat_findings.clear();
            }
            ("2000B", b"SBR") => {
                ctx.subscriber.group_number = opt(seg.s(3));
                ctx.subscriber.relationship = opt(seg.s(2));
                if ctx.subscriber.group_number.is_some() {
                    ctx.sub_src.push(at.r("subscriber.group_number", [0, 0], 3, 0));
                }
            }
            ("2010BA", b"NM1") => {
                let keep = (ctx.subscriber.group_number.take(), ctx.subscriber.relationship.take());
                ctx.subscriber = person_nm1(seg);
                (ctx.subscriber.group_number, ctx.subscriber.relationship) = keep;
                ctx.sub_src.push(at.r("subscriber.name", [0, 0], 3, 0));
                ctx.sub_src.push(at.r("subscriber.member_id", [0, 0], 9, 0));
            }
            ("2010BA", b"N3") => n3(&mut ctx.subscriber.address, seg),
            ("2010BA", b"N4") => n4(&mut ctx.subscriber.address, seg),
            ("2010BA", b"DMG") => {
                dmg(at, &mut ctx.subscriber)?;
                ctx.sub_src.push(at.r("subscriber.birth_date", [0, 0], 2, 0));
                ctx.sub_src.push(at.r("subscriber.sex", [0, 0], 3, 0));
            }
            ("2010BB", b"NM1") => {
                ctx.payer = Payer { id: opt(seg.s(9)), name: opt(seg.s(3)) };
                ctx.sub_src.push(at.r("payer.name", [0, 0], 3, 0));
                ctx.sub_src.push(at.r("payer.id", [0, 0], 9, 0));
            }
            ("2000C", b"HL") => {
                ctx.patient = Some(Person::default());
                ctx.pat_src.clear();
                ctx.pat_findings.clear();
            }
            ("2000C", b"PAT") => {
                if let Some(p) = ctx.patient.as_mut() {
                    p.relationship = opt(seg.s(1));
                    ctx.pat_src.push(at.r("patient.relationship", [0, 0], 1, 0));
                }
            }
            ("2010CA", b"NM1") => {
                let rel = ctx.patient.as_mut().and_then(|p| p.relationship.take());
                let mut p = person_nm1(seg);
                p.relationship = rel;
                ctx.patient = Some(p);
                ctx.pat_src.push(at.r("patient.name", [0, 0], 3, 0));
            }
            ("2010CA", b"N3") => n3(&mut ctx.patient.get_or_insert_with(Person::default).address, seg),
            ("2010CA", b"N4") => n4(&mut ctx.patient.get_or_insert_with(Person::default).address, seg),
            ("2010CA", b"DMG") => {
                dmg(at, ctx.patient.get_or_insert_with(Person::default))?;
                ctx.pat_src.push(at.r("patient.birth_date", [0, 0], 2, 0));
                ctx.pat_src.push(at.r("patient.sex", [0, 0], 3, 0));
            }
            ("2300", b"CLM") => self.start_claim(at)?,
            _ => {
                if let Some(b) = self.claim.as_mut() {
                    claim_segment(b, self.kind, at)?;
                }
            }
        }
        Ok(())
    }

    fn start_claim(&mut self, at: &At<'_, '_>) -> Result<(), X12Error> {
        let seg = at.seg();
        let id = seg.s(1).trim();
        if id.is_empty() {
            return Err(at.err(ErrorKind::MissingElement, 1, 0, "CLM01 patient control number is required"));
        }
        let total = money(at, 2, 0, seg.el(2), true)?.unwrap_or_default();
        let c1 = seg.cs(5, 1);
        let c3 = seg.cs(5, 3);
        if seg.el(5).is_empty() || c1.is_empty() {
            return Err(at.err(
                ErrorKind::MissingElement,
                5,
                1,
                if self.kind == ClaimKind::Professional {
                    "CLM05-1 place of service code is required"
                } else {
                    "CLM05-1 facility type code is required"
                },
            ));
        }
        let frequency = if c3.is_empty() { "1".to_string() } else { c3.to_string() };
        let ctx = &self.ctx;
        let (subscriber, patient) = match &ctx.patient {
            Some(p) => (ctx.subscriber.clone(), Some(p.clone())),
            None => (ctx.subscriber.clone(), None),
        };
        let mut claim = Claim {
            id: id.to_string(),
            kind: self.kind,
            frequency,
            payer_claim_control_number: None,
            billing_provider: ctx.billing.clone(),
            rendering_provider: None,
            referring_provider: None,
            attending_provider: None,
            subscriber,
            patient,
            payer: ctx.payer.clone(),
            place_of_service: None,
            type_of_bill: None,
            statement_from: None,
            statement_to: None,
            admission_date: None,
            discharge_date: None,
            discharge_status: None,
            diagnoses: Vec::new(),
            admitting_diagnosis: None,
            procedures: Vec::new(),
            lines: Vec::new(),
            total_charge: total,
            prior_payer_paid: None,
        };
        let mut src = if self.source_map { SourceMap::default() } else { SourceMap::disabled() };
        for r in ctx.billing_src.iter().chain(&ctx.sub_src) {
            src.push(*r);
        }
        if claim.patient.is_some() && self.source_map {
            for r in &ctx.pat_src {
                src.push(*r);
            }
        }
        src.push(at.r("id", [0, 0], 1, 0));
        src.push(at.r("total_charge", [0, 0], 2, 0));
        src.push(at.r("frequency", [0, 0], 5, 3));
        match self.kind {
            ClaimKind::Professional => {
                claim.place_of_service = Some(code(c1));
                src.push(at.r("place_of_service", [0, 0], 5, 1));
            }
            ClaimKind::Institutional => {
                claim.type_of_bill = Some(format!("{}{}", c1.trim(), claim.frequency));
                src.push(at.r("type_of_bill", [0, 0], 5, 1));
            }
        }
        self.claim = Some(Build {
            claim,
            src,
            findings: Vec::new(),
            line: None,
            slot: Slot::None,
            clm_seg: (seg.number, at.item.in_set, seg.offset),
            prior_paid_seen: false,
            scratch: None,
        });
        Ok(())
    }
}

fn line_index(b: &Build) -> u32 {
    b.line.unwrap_or(0) as u32
}

fn claim_segment(b: &mut Build, kind: ClaimKind, at: &At<'_, '_>) -> Result<(), X12Error> {
    let seg = at.seg();
    let id = seg.id();
    match (at.loop_id, id) {
        ("2300", b"REF") if seg.el(1) == b"F8" => {
            b.claim.payer_claim_control_number = opt(seg.s(2));
            b.src.push(at.r("payer_claim_control_number", [0, 0], 2, 0));
        }
        ("2300", b"DTP") => {
            let Some((from, to)) = dtp_dates(at)? else {
                return Ok(());
            };
            match seg.el(1) {
                b"434" => {
                    b.claim.statement_from = Some(from);
                    b.claim.statement_to = Some(to.unwrap_or(from));
                    b.src.push(at.r("statement_from", [0, 0], 3, 0));
                    b.src.push(at.r("statement_to", [0, 0], 3, 0));
                }
                b"435" => {
                    b.claim.admission_date = Some(from);
                    b.src.push(at.r("admission_date", [0, 0], 3, 0));
                }
                b"096" => {
                    b.claim.discharge_date = Some(from);
                    b.src.push(at.r("discharge_date", [0, 0], 3, 0));
                }
                _ => {}
            }
        }
        ("2300", b"CL1") => {
            b.claim.discharge_status = opt(seg.s(3));
            if b.claim.discharge_status.is_some() {
                b.src.push(at.r("discharge_status", [0, 0], 3, 0));
            }
        }
        ("2300", b"HI") => hi(b, at)?,
        ("2310A" | "2310B" | "2310D" | "2310F", b"NM1") => {
            let slot = match (kind, at.loop_id, seg.el(1)) {
                (ClaimKind::Professional, "2310A", b"DN") => Slot::Referring,
                (ClaimKind::Professional, "2310B", _) => Slot::Rendering,
                (ClaimKind::Institutional, "2310A", _) => Slot::Attending,
                (ClaimKind::Institutional, "2310D", _) => Slot::Rendering,
                (ClaimKind::Institutional, "2310F", _) => Slot::Referring,
                _ => Slot::None,
            };
            b.slot = slot;
            let names: &'static [&'static str; 2] = match slot {
                Slot::Rendering => &["rendering_provider.name", "rendering_provider.npi"],
                Slot::Referring => &["referring_provider.name", "referring_provider.npi"],
                Slot::Attending => &["attending_provider.name", "attending_provider.npi"],
                _ => return Ok(()),
            };
            let mut src = Vec::new();
            let p = provider_nm1(at, &mut src, names);
            for r in src {
                b.src.push(r);
            }
            *slot_mut(b, slot) = Some(p);
        }
        ("2310A" | "2310B" | "2310D" | "2310F" | "2420A" | "2420C", b"PRV") => {
            let slot = if at.loop_id.starts_with("2420") { Slot::LineRendering } else { b.slot };
            if let Some(p) = slot_mut(b, slot).as_mut() {
                p.taxonomy = opt(seg.s(3));
            }
        }
        ("2320", b"SBR") => {}
        ("2320", b"AMT") if seg.el(1) == b"D" => {
            let paid = money(at, 2, 0, seg.el(2), true)?.unwrap_or_default();
            let prev = b.claim.prior_payer_paid.unwrap_or_default();
            b.claim.prior_payer_paid = Some(Money::from_cents(prev.cents() + paid.cents()));
            if !b.prior_paid_seen {
                b.src.push(at.r("prior_payer_paid", [0, 0], 2, 0));
                b.prior_paid_seen = true;
            }
        }
        ("2400", b"LX") => {
            b.line = None;
            b.slot = Slot::None;
        }
        ("2400", b"SV1") => {
            let li = b.claim.lines.len() as u32;
            let qual = seg.cs(1, 1);
            let procedure = seg.cs(1, 2);
            if procedure.trim().is_empty() {
                return Err(at.err(ErrorKind::MissingElement, 1, 2, "SV101-2 procedure code is required"));
            }
            let _ = qual;
            let modifiers: Vec<String> =
                (3..=6).map(|c| seg.cs(1, c)).filter(|m| !m.trim().is_empty()).map(code).collect();
            let charge = money(at, 2, 0, seg.el(2), true)?.unwrap_or_default();
            let units = if seg.el(4).is_empty() {
                return Err(at.err(ErrorKind::MissingElement, 4, 0, "SV104 service unit count is required"));
            } else {
                quantity(at, 4, seg.el(4))?
            };
            let mut pointers = Vec::new();
            for (k, p) in seg.comps(7).enumerate() {
                if p.is_empty() {
                    continue;
                }
                let txt = std::str::from_utf8(p).unwrap_or("").trim();
                let n = txt.parse::<i32>().ok().or_else(|| {
                    // Lenient: "1.00" (seen in examples) is pointer 1, flagged as a finding.
                    let v = crate::money::parse_scaled(txt.as_bytes(), 2)?;
                    (v % 100 == 0 && v.abs() < 10_000).then_some((v / 100) as i32)
                });
                if n.is_some() && txt.contains('.') {
                    b.findings.push(at.finding(
                        "x12.snip2.element_format",
                        Severity::Error,
                        "",
                        7,
                        "SV107 diagnosis pointers must be whole numbers".to_string(),
                    ));
                }
                match n {
                    Some(n) => pointers.push(n),
                    None => {
                        return Err(at.err(
                            ErrorKind::BadElement,
                            7,
                            k as u16 + 1,
                            "diagnosis pointer is not a number",
                        ));
                    }
                }
            }
            b.claim.lines.push(ServiceLine {
                procedure: Some(code(procedure)),
                modifiers,
                revenue_code: None,
                units,
                unit_basis: opt(seg.s(3)),
                charge,
                pointers,
                date: None,
                date_to: None,
                place_of_service: opt(seg.s(5)).map(|s| code(&s)),
                rendering_provider: None,
                control_number: None,
            });
            b.line = Some(li as usize);
            b.src.push(at.r("lines[].procedure", [li, 0], 1, 2));
            b.src.push(at.r("lines[].modifiers", [li, 0], 1, 3));
            b.src.push(at.r("lines[].charge", [li, 0], 2, 0));
            b.src.push(at.r("lines[].unit_basis", [li, 0], 3, 0));
            b.src.push(at.r("lines[].units", [li, 0], 4, 0));
            b.src.push(at.r("lines[].place_of_service", [li, 0], 5, 0));
            b.src.push(at.r("lines[].pointers", [li, 0], 7, 0));
            for k in 0..b.claim.lines[li as usize].pointers.len() as u32 {
                b.src.push(at.r("lines[].pointers[]", [li, k], 7, k as u16 + 1));
            }
        }
        ("2400", b"SV2") => {
            let li = b.claim.lines.len() as u32;
            let rev = seg.s(1);
            if rev.trim().is_empty() {
                return Err(at.err(ErrorKind::MissingElement, 1, 0, "SV201 revenue code is required"));
            }
            let procedure = seg.cs(2, 2);
            let modifiers: Vec<String> =
                (3..=6).map(|c| seg.cs(2, c)).filter(|m| !m.trim().is_empty()).map(code).collect();
            let charge = money(at, 3, 0, seg.el(3), true)?.unwrap_or_default();
            let units = if seg.el(5).is_empty() { 0.0 } else { quantity(at, 5, seg.el(5))? };
            b.claim.lines.push(ServiceLine {
                procedure: opt(procedure).map(|p| code(&p)),
                modifiers,
                revenue_code: Some(code(rev)),
                units,
                unit_basis: opt(seg.s(4)),
                charge,
                pointers: Vec::new(),
                date: None,
                date_to: None,
                place_of_service: None,
                rendering_provider: None,
                control_number: None,
            });
            b.line = Some(li as usize);
            b.src.push(at.r("lines[].revenue_code", [li, 0], 1, 0));
            b.src.push(at.r("lines[].procedure", [li, 0], 2, 2));
            b.src.push(at.r("lines[].modifiers", [li, 0], 2, 3));
            b.src.push(at.r("lines[].charge", [li, 0], 3, 0));
            b.src.push(at.r("lines[].unit_basis", [li, 0], 4, 0));
            b.src.push(at.r("lines[].units", [li, 0], 5, 0));
        }
        ("2400", b"DTP") if seg.el(1) == b"472" => {
            let li = line_index(b);
            let Some((from, to)) = dtp_dates(at)? else {
                return Ok(());
            };
            if let Some(l) = b.line.and_then(|i| b.claim.lines.get_mut(i)) {
                l.date = Some(from);
                l.date_to = to;
                b.src.push(at.r("lines[].date", [li, 0], 3, 0));
            }
        }
        ("2400", b"REF") if seg.el(1) == b"6R" => {
            let li = line_index(b);
            if let Some(l) = b.line.and_then(|i| b.claim.lines.get_mut(i)) {
                l.control_number = opt(seg.s(2));
                b.src.push(at.r("lines[].control_number", [li, 0], 2, 0));
            }
        }
        ("2420A" | "2420C", b"NM1") => {
            let rendering = (kind == ClaimKind::Professional && at.loop_id == "2420A")
                || (kind == ClaimKind::Institutional && at.loop_id == "2420C");
            if rendering {
                let li = line_index(b);
                let p = Provider { npi: nm1_id(seg, b"XX"), name: name_of(seg), ..Provider::default() };
                if let Some(l) = b.line.and_then(|i| b.claim.lines.get_mut(i)) {
                    l.rendering_provider = Some(p);
                    b.src.push(at.r("lines[].rendering_provider.npi", [li, 0], 9, 0));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn slot_mut(b: &mut Build, slot: Slot) -> &mut Option<Provider> {
    match slot {
        Slot::Rendering => &mut b.claim.rendering_provider,
        Slot::Referring => &mut b.claim.referring_provider,
        Slot::Attending => &mut b.claim.attending_provider,
        Slot::LineRendering => match b.line.and_then(|i| b.claim.lines.get_mut(i)) {
            Some(l) => &mut l.rendering_provider,
            None => &mut b.claim.rendering_provider,
        },
        Slot::None => &mut b.scratch,
    }
}

fn hi(b: &mut Build, at: &At<'_, '_>) -> Result<(), X12Error> {
    let seg = at.seg();
    let comp = seg.delims.component;
    let mut n = 0;
    while n < seg.len().min(24) {
        n += 1;
        let el = seg.el(n);
        if el.is_empty() {
            continue;
        }
        let qual = seg.cs(n, 1);
        let mut value = seg.cs(n, 2);
        if !el.contains(&comp) && is_hi_qualifier(qual) {
            // Lenient: qualifier and code in two simple elements (`HI*BK*8901`).
            let next = seg.el(n + 1);
            if !next.is_empty() && !next.contains(&comp) && !is_hi_qualifier(seg.s(n + 1)) {
                value = seg.s(n + 1);
                b.findings.push(at.finding(
                    "x12.snip2.composite",
                    Severity::Error,
                    "diagnoses",
                    n as u16,
                    format!(
                        "HI{n:02} must be a composite qualifier{}code; the code is in HI{:02}",
                        comp as char,
                        n + 1
                    ),
                ));
                n += 1;
            }
        }
        if value.trim().is_empty() {
            return Err(at.err(ErrorKind::MissingElement, n as u16, 2, format!("HI{n:02}-2 code is missing")));
        }
        let poa = opt(seg.cs(n, 9));
        let dx = |q: &str| Diagnosis { code: code(value), qualifier: Some(q.to_string()), poa: poa.clone() };
        match qual {
            "ABK" | "BK" | "ABF" | "BF" | "APR" | "PR" | "ABN" | "BN" => {
                let i = b.claim.diagnoses.len() as u32;
                b.claim.diagnoses.push(dx(qual));
                b.src.push(at.r("diagnoses[]", [i, 0], n as u16, 2));
            }
            "ABJ" | "BJ" => {
                b.claim.admitting_diagnosis = Some(dx(qual));
                b.src.push(at.r("admitting_diagnosis", [0, 0], n as u16, 2));
            }
            "BBR" | "BBQ" | "BR" | "BQ" => {
                let date = match seg.cs(n, 3) {
                    "D8" => Some(
                        Date::parse(seg.cs(n, 4))
                            .map_err(|_| at.err(ErrorKind::BadElement, n as u16, 4, "not a valid CCYYMMDD date"))?,
                    ),
                    _ => None,
                };
                let i = b.claim.procedures.len() as u32;
                b.claim.procedures.push(IcdProcedure { code: code(value), date, qualifier: Some(qual.to_string()) });
                b.src.push(at.r("procedures[]", [i, 0], n as u16, 2));
            }
            _ => {} // condition, occurrence, value codes, DRG, anesthesia: not in the model
        }
    }
    Ok(())
}

fn is_hi_qualifier(q: &str) -> bool {
    matches!(
        q,
        "ABK"
            | "BK"
            | "ABF"
            | "BF"
            | "APR"
            | "PR"
            | "ABN"
            | "BN"
            | "ABJ"
            | "BJ"
            | "BBR"
            | "BBQ"
            | "BR"
            | "BQ"
            | "BG"
            | "BH"
            | "BI"
            | "BE"
            | "BP"
            | "BO"
            | "DR"
            | "TC"
            | "CAH"
            | "BBP"
    )
}

// --- SNIP 2 element checks (findings) --------------------------------------------------------

fn snip2(at: &At<'_, '_>, kind: ClaimKind, out: &mut Vec<Finding>) {
    let seg = at.seg();
    let code = seg.code();
    let req: &[u16] = match code {
        id::NM1 => &[1, 2],
        id::N3 => &[1],
        id::N4 => &[1],
        id::REF => &[1, 2],
        id::DTP => &[1, 2, 3],
        id::SBR => &[1],
        id::PAT => &[],
        id::DMG => &[1, 2],
        id::CLM => &[1, 2, 5],
        id::HI => &[1],
        id::LX => &[1],
        id::SV1 => &[1, 2, 3, 4, 7],
        id::SV2 => &[1, 3, 4, 5],
        id::PRV => &[1, 2, 3],
        id::AMT => &[1, 2],
        id::CAS => &[1, 2, 3],
        id::SVD => &[1, 2, 3, 5],
        id::BHT => &[1, 2, 3, 4, 5, 6],
        id::HL => &[1, 3, 4],
        _ => &[],
    };
    for &e in req {
        if seg.el(e as usize).is_empty() {
            out.push(at.finding(
                "x12.snip2.required_element",
                Severity::Error,
                "",
                e,
                format!("required element {}{e:02} is missing", seg.id_str()),
            ));
        }
    }
    let bad_code = |e: u16, allowed: &[&[u8]], out: &mut Vec<Finding>| {
        let v = seg.el(e as usize);
        if !v.is_empty() && !allowed.contains(&v) {
            let shown = if !seg.is(b"DMG") && v.len() <= 4 && v.iter().all(|b| b.is_ascii_alphanumeric()) {
                format!(" ({})", String::from_utf8_lossy(v))
            } else {
                String::new()
            };
            out.push(at.finding(
                "x12.snip2.code_value",
                Severity::Error,
                "",
                e,
                format!("{}{e:02} has a value{shown} outside the implementation guide's code list", seg.id_str()),
            ));
        }
    };
    match code {
        id::NM1 => bad_code(2, &[b"1", b"2"], out),
        id::DTP => bad_code(2, &[b"D8", b"RD8", b"DT", b"TM"], out),
        id::DMG => bad_code(3, &[b"M", b"F", b"U"], out),
        id::SBR => bad_code(1, &[b"P", b"S", b"T", b"A", b"B", b"C", b"D", b"E", b"F", b"G", b"H", b"U"], out),
        id::SV1 => bad_code(3, &[b"UN", b"MJ"], out),
        id::SV2 => bad_code(4, &[b"UN", b"DA", b"F2", b"GR", b"ME", b"ML"], out),
        id::CLM => {
            let q = seg.comp(5, 2);
            let want: &[u8] = if kind == ClaimKind::Professional { b"B" } else { b"A" };
            if !q.is_empty() && q != want {
                out.push(at.finding(
                    "x12.snip2.code_value",
                    Severity::Error,
                    "",
                    5,
                    format!("CLM05-2 facility code qualifier must be {}", want[0] as char),
                ));
            }
        }
        _ => {}
    }
    // Element lengths (max) for identifiers the receiver stores.
    let maxlen: &[(u16, usize)] = match code {
        id::CLM => &[(1, 38), (2, 18)],
        id::NM1 => &[(3, 60), (4, 35), (9, 80)],
        id::REF => &[(2, 50)],
        id::N3 => &[(1, 55), (2, 55)],
        id::N4 => &[(1, 30), (3, 15)],
        id::SV1 => &[(2, 18), (4, 15)],
        id::SV2 => &[(1, 48), (3, 18), (5, 15)],
        _ => &[],
    };
    for &(e, max) in maxlen {
        let len = seg.el(e as usize).len();
        if len > max {
            out.push(at.finding(
                "x12.snip2.element_length",
                Severity::Error,
                "",
                e,
                format!("{}{e:02} is {len} characters long (maximum {max})", seg.id_str()),
            ));
        }
    }
}

/// Packed segment ids for fast dispatch.
#[allow(dead_code)]
mod id {
    use crate::token::pack_id;
    pub const AMT: u32 = pack_id(b"AMT");
    pub const BHT: u32 = pack_id(b"BHT");
    pub const CAS: u32 = pack_id(b"CAS");
    pub const CLM: u32 = pack_id(b"CLM");
    pub const DMG: u32 = pack_id(b"DMG");
    pub const DTP: u32 = pack_id(b"DTP");
    pub const HI: u32 = pack_id(b"HI");
    pub const HL: u32 = pack_id(b"HL");
    pub const LX: u32 = pack_id(b"LX");
    pub const N3: u32 = pack_id(b"N3");
    pub const N4: u32 = pack_id(b"N4");
    pub const NM1: u32 = pack_id(b"NM1");
    pub const PAT: u32 = pack_id(b"PAT");
    pub const PRV: u32 = pack_id(b"PRV");
    pub const REF: u32 = pack_id(b"REF");
    pub const SBR: u32 = pack_id(b"SBR");
    pub const SV1: u32 = pack_id(b"SV1");
    pub const SV2: u32 = pack_id(b"SV2");
    pub const SVD: u32 = pack_id(b"SVD");
}
