//! 837P / 837I reader: X12 into [`cleanclaim::Claim`], with a [`SourceMap`] per claim and
//! SNIP 2–3 findings.

use std::collections::VecDeque;
use std::io::Read;

use cleanclaim::codes::trim;
use cleanclaim::model::{Address, IcdProcedure, Payer, PersonName};
use cleanclaim::{Claim, ClaimKind, Date, Diagnosis, Money, Person, Provider, ServiceLine, Sex};

use crate::envelope::{Envelope, Item, TxInfo, TxKind};
use crate::error::{ErrorKind, Location, X12Error};
use crate::finding::{Finding, Severity};
use crate::money::cents;
use crate::schema837::{INSTITUTIONAL, PROFESSIONAL};
use crate::sourcemap::{Entry, Field, Lp, SourceMap};
use crate::structure::Structure;
use crate::token::{Delimiters, SEGMENT_CODES, Segment, id, seg_index};

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
    /// Claims wait here boxed as they were built: only pointers move until one is handed out.
    queue: Queue,
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

    fn pump(&mut self) {
        while self.queue.is_empty() && !self.done {
            // `lost`: the envelope lost its place, and the transaction set with it.
            let (result, lost) = match self.env.next_item() {
                Ok(Some(item)) => (step(&mut self.tx, &item, &mut self.queue, self.source_map), false),
                Ok(None) => {
                    self.done = true;
                    (Ok(()), false)
                }
                Err(e) => (Err(e), true),
            };
            settle(&mut self.tx, result, lost, self.done, &mut self.queue, self.file.as_deref());
            self.env.move_findings_to(&mut self.envelope_findings);
        }
    }
}

/// What follows one segment's `step` (or the envelope's error, `lost`, which loses the open
/// transaction set), and the end of input (`end`): a claim finished before an error or the end
/// still comes before it; after an error the set reads nothing more.
fn settle(
    tx: &mut Option<Tx>,
    result: Result<(), X12Error>,
    lost: bool,
    end: bool,
    queue: &mut Queue,
    file: Option<&str>,
) {
    if let Some(t) = tx.as_mut()
        && (result.is_err() || end)
    {
        t.resolve_pending(queue, Dead::NONE);
        if result.is_err() {
            t.failed = true;
            t.claim = None;
        }
    }
    if lost {
        *tx = None;
    }
    if let Err(e) = result {
        queue.push_back(Err(match file {
            Some(f) => e.with_file(f),
            None => e,
        }));
    }
}

/// The segments of transaction sets, copied off the tokenizer's buffer so that another thread
/// can build their claims ([`JobReader`]); the envelope's errors among them, in their place.
/// Whole sets, but for a set too large to hold at once, which is cut into jobs read in turn by
/// one [`JobReader`].
///
/// A segment takes its bytes and 24 more: what can be found again in the bytes (the element
/// separators, whether they are ASCII) is found again there, by the worker, and the segment's
/// number and offset are kept in 32 bits from a base. Copying the separators too, and both
/// numbers in full, made the job of a 3.2 MB set of short segments 11 MB (by arithmetic from
/// its 135,010 segments and 590,061 separators).
#[derive(Default)]
pub(crate) struct Job {
    bytes: Vec<u8>,
    events: Vec<Event>,
    sets: Vec<(TxInfo, Delimiters)>,
    /// The errors of the `Event::Lost` events, in order.
    errors: Vec<X12Error>,
    /// The numbers and offsets segments count from, in order: one for each `Event::Base`; the
    /// last is in force.
    bases: Vec<(u64, u64)>,
    /// The input ends after it.
    pub(crate) last: bool,
}

enum Event {
    Seg(JobSeg),
    /// The envelope's error: the open set is lost.
    Lost,
    /// The segments after it count their number and offset from the next of `Job::bases`.
    Base,
}

const _: () = assert!(std::mem::size_of::<Event>() == 24);

struct JobSeg {
    /// Its bytes follow those of the segment before it in `Job::bytes`.
    len: u32,
    code: u32,
    in_set: u32,
    /// From the base in force.
    number: u32,
    offset: u32,
}

impl Job {
    /// Copies a segment of an open transaction set (`item.tx` is set).
    pub(crate) fn push(&mut self, item: &Item<'_>, info: &TxInfo) {
        let seg = &item.seg;
        if item.seg.code() == id::ST || self.sets.is_empty() {
            self.sets.push((info.clone(), seg.delims));
        }
        let from = |base: (u64, u64)| {
            Some((u32::try_from(seg.number - base.0).ok()?, u32::try_from(seg.offset - base.1).ok()?))
        };
        let (number, offset) = match self.bases.last().copied().and_then(from) {
            Some(delta) => delta,
            None => {
                self.bases.push((seg.number, seg.offset));
                self.events.push(Event::Base);
                (0, 0)
            }
        };
        // A segment is at most the tokenizer's longest (1 MiB).
        let len = seg.raw().len() as u32;
        self.bytes.extend_from_slice(seg.raw());
        self.events.push(Event::Seg(JobSeg { len, code: seg.code(), in_set: item.in_set, number, offset }));
    }

    pub(crate) fn lost(&mut self, e: X12Error) {
        self.errors.push(e);
        self.events.push(Event::Lost);
    }

    /// Bytes held, roughly.
    pub(crate) fn size(&self) -> usize {
        self.bytes.len() + std::mem::size_of::<Event>() * self.events.len()
    }
}

/// Reads [`Job`]s into claims as [`Reader837`] reads the same segments: through the same `step`
/// and [`settle`], so the claims, findings and errors are the same, in the same order.
pub(crate) struct JobReader {
    tx: Option<Tx>,
    queue: Queue,
    source_map: bool,
    /// The element separators of the segment at hand, found again.
    seps: Vec<u32>,
}

impl JobReader {
    pub(crate) fn new(source_map: bool) -> JobReader {
        JobReader { tx: None, queue: VecDeque::new(), source_map, seps: Vec::new() }
    }

    /// Reads `job`, handing each claim or error to `each` in order, and empties it (its
    /// buffers kept for the next job). A set the job leaves open goes on in the next job this
    /// reader reads.
    pub(crate) fn read(
        &mut self,
        job: &mut Job,
        file: Option<&str>,
        mut each: impl FnMut(Result<ParsedClaim, X12Error>),
    ) {
        let Job { bytes, events, sets, errors, bases, last } = job;
        let (mut errors, mut bases) = (errors.drain(..), bases.drain(..));
        let (mut raw_at, mut base_at, mut set) = (0usize, (0u64, 0u64), None);
        for event in events.drain(..) {
            let (result, lost) = match event {
                Event::Seg(s) => {
                    let raw = &bytes[raw_at..raw_at + s.len as usize];
                    raw_at += s.len as usize;
                    // The set in force: the job's first, then one more at each ST, as `push`
                    // added them.
                    let at = match set {
                        Some(at) if s.code != id::ST => at,
                        Some(at) => at + 1,
                        None => 0,
                    };
                    set = Some(at);
                    let (info, delims) = &sets[at];
                    let ascii = crate::token::split_again(raw, *delims, &mut self.seps);
                    let seg = Segment::from_parts(
                        raw,
                        &self.seps,
                        s.code,
                        ascii,
                        *delims,
                        base_at.0 + u64::from(s.number),
                        base_at.1 + u64::from(s.offset),
                    );
                    let item = Item { seg, in_set: s.in_set, tx: Some(info) };
                    (step(&mut self.tx, &item, &mut self.queue, self.source_map), false)
                }
                Event::Lost => (Err(errors.next().expect("an error for each lost set")), true),
                Event::Base => {
                    base_at = bases.next().expect("a base for each Base event");
                    continue;
                }
            };
            self.settle(result, lost, false, file, &mut each);
        }
        if *last {
            self.settle(Ok(()), false, true, file, &mut each);
        }
        bytes.clear();
        sets.clear();
        *last = false;
    }

    /// [`settle`], then what it finished handed to `each`.
    fn settle(
        &mut self,
        result: Result<(), X12Error>,
        lost: bool,
        end: bool,
        file: Option<&str>,
        each: &mut impl FnMut(Result<ParsedClaim, X12Error>),
    ) {
        settle(&mut self.tx, result, lost, end, &mut self.queue, file);
        self.queue.drain(..).for_each(|r| each(r.map(|b| b.pc)));
    }
}

impl<R: Read> Iterator for Reader837<R> {
    type Item = Result<ParsedClaim, X12Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.queue.is_empty() {
            self.pump();
        }
        self.queue.pop_front().map(|r| r.map(|b| b.pc))
    }
}

/// Reads every claim of an 837 in memory; the first error stops.
pub fn read_837_all(bytes: &[u8]) -> Result<Vec<ParsedClaim>, X12Error> {
    read_837_bytes(bytes).collect()
}

// ---------------------------------------------------------------------------------------------

/// Claims and errors in the order they are handed out.
type Queue = VecDeque<Result<Box<Build>, X12Error>>;

#[derive(Debug)]
struct Tx {
    kind: ClaimKind,
    structure: Structure,
    version: String,
    control: String,
    failed: bool,
    ctx: Ctx,
    /// Boxed: the claim (~0.9 KB plus its lines) is built in place and only its pointer moves until it is handed out.
    claim: Option<Box<Build>>,
    /// A finished claim waiting for its subscriber, payer and patient: it ended at a billing
    /// provider HL, and the next HL usually replaces those, so they can be moved instead of
    /// cloned. Resolved before anything else reaches the queue.
    pending: Option<Box<Build>>,
    source_map: bool,
}

#[derive(Debug, Default)]
struct Ctx {
    billing: Provider,
    billing_src: Vec<Entry>,
    billing_findings: Vec<Finding>,
    subscriber: Person,
    payer: Payer,
    sub_src: Vec<Entry>,
    sub_findings: Vec<Finding>,
    patient: Option<Box<Person>>,
    pat_src: Vec<Entry>,
    pat_findings: Vec<Finding>,
    header_findings: Vec<Finding>,
}

#[derive(Debug)]
struct Build {
    /// The claim, its source map and findings, in the form the reader yields.
    pc: ParsedClaim,
    /// Index of the open service line.
    line: Option<usize>,
    /// Which provider slot an open 2310/2420 loop fills.
    slot: Slot,
    /// CLM02 as read (for balancing).
    clm_seg: (u64, u32, u64),
    prior_paid_seen: bool,
    /// Provider of a 2310/2420 loop the model has no slot for (thrown away).
    scratch: Option<Box<Provider>>,
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
    lp: Lp,
    /// Index of the segment id in the source map's id table.
    seg_ix: u8,
    /// A wrong component separator was used in this segment's composites (lenient repair).
    alt_component: Option<u8>,
}

impl<'a, 'b> At<'a, 'b> {
    fn new(item: &'a Item<'b>, lp: Lp) -> At<'a, 'b> {
        let mut seg = item.seg;
        let code = seg.code();
        let composite = match code {
            id::SV1 | id::HI => Some(1),
            id::SV2 => Some(2),
            id::CLM => Some(5),
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
        At { item, seg, lp, seg_ix: seg_index(code), alt_component }
    }

    fn seg(&self) -> &Segment<'b> {
        &self.seg
    }

    /// Element `n` as text (empty when absent or not UTF-8).
    #[inline]
    fn s(&self, n: usize) -> &'b str {
        self.seg.s(n)
    }

    /// Component `c` of element `n` as text.
    #[inline]
    fn cs(&self, n: usize, c: usize) -> &'b str {
        self.seg.cs(n, c)
    }

    #[inline]
    fn r(&self, field: Field, idx: [u32; 2], element: u16, component: u16) -> Entry {
        Entry {
            segment_in_file: self.item.seg.number,
            segment_in_set: self.item.in_set,
            idx,
            element,
            component,
            field,
            lp: self.lp,
            seg_ix: self.seg_ix,
        }
    }

    /// Records where the fields of service line `li` are in this segment.
    #[inline]
    fn record_line(&self, origin: &mut SourceMap, li: u32, fields: &[(Field, u16, u16)]) {
        for &(field, element, component) in fields {
            origin.push(self.r(field, [li, 0], element, component));
        }
    }

    fn loc(&self, element: u16, component: u16) -> Location {
        let mut l = self.item.loc(element);
        l.component = component;
        l.loop_id = Some(self.lp.id());
        l
    }

    fn err(&self, kind: ErrorKind, element: u16, component: u16, reason: impl Into<String>) -> X12Error {
        X12Error::new(kind, Some(self.loc(element, component)), reason)
    }

    fn finding(&self, rule: &'static str, sev: Severity, path: &str, element: u16, msg: String) -> Finding {
        Finding { rule, severity: sev, path: path.to_string(), message: msg, location: Some(self.loc(element, 0)) }
    }
}

fn opt(s: &str) -> Option<String> {
    let t = trim(s);
    if t.is_empty() { None } else { Some(t.to_string()) }
}

fn code(s: &str) -> String {
    cleanclaim::codes::normalize(s)
}

/// `opt(s).map(|s| code(&s))` without the intermediate string.
fn opt_code(s: &str) -> Option<String> {
    if trim(s).is_empty() { None } else { Some(code(s)) }
}

fn parse_date(at: &At<'_, '_>, s: &str, element: u16) -> Result<Date, X12Error> {
    Date::parse(s).map_err(|_| at.err(ErrorKind::BadElement, element, 0, "not a valid CCYYMMDD date"))
}

/// DTP03 by DTP02 format: (from, to).
fn dtp_dates(at: &At<'_, '_>) -> Result<Option<(Date, Option<Date>)>, X12Error> {
    let seg = at.seg();
    let v = at.s(3);
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

fn name_of(at: &At<'_, '_>) -> Option<String> {
    let last = trim(at.s(3));
    let first = trim(at.s(4));
    let middle = trim(at.s(5));
    if last.is_empty() {
        return None;
    }
    if at.seg().el(2) == b"1" && !first.is_empty() {
        let mut n = String::with_capacity(last.len() + first.len() + middle.len() + 3);
        n.push_str(last);
        n.push_str(", ");
        n.push_str(first);
        if !middle.is_empty() {
            n.push(' ');
            n.push_str(middle);
        }
        Some(n)
    } else {
        Some(last.to_string())
    }
}

fn nm1_id(at: &At<'_, '_>, qual: &[u8]) -> Option<String> {
    if at.seg().el(8) == qual { opt(at.s(9)) } else { None }
}

fn n3(addr: &mut Option<Address>, at: &At<'_, '_>) {
    let a = addr.get_or_insert_with(Address::default);
    a.lines.clear();
    // N3 holds at most two lines: room for both at once instead of growing on the first push.
    a.lines.reserve_exact(2);
    for n in 1..=2 {
        if let Some(l) = opt(at.s(n)) {
            a.lines.push(l);
        }
    }
}

fn n4(addr: &mut Option<Address>, at: &At<'_, '_>) {
    let a = addr.get_or_insert_with(Address::default);
    a.city = opt(at.s(1));
    a.state = opt(at.s(2));
    a.postal_code = opt(at.s(3));
}

fn provider_of(at: &At<'_, '_>) -> Provider {
    Provider { npi: nm1_id(at, b"XX"), name: name_of(at), ..Provider::default() }
}

/// A provider NM1 with the origins of its name and NPI (`fields`), handed to `record`: the
/// billing provider's go to the transaction context, a claim's 2310 providers to the claim.
fn provider_nm1(at: &At<'_, '_>, fields: [Field; 2], mut record: impl FnMut(Entry)) -> Provider {
    let p = provider_of(at);
    record(at.r(fields[0], [0, 0], 3, 0));
    if p.npi.is_some() {
        record(at.r(fields[1], [0, 0], 9, 0));
    }
    p
}

fn person_nm1(at: &At<'_, '_>) -> Person {
    let name = PersonName { last: opt(at.s(3)), first: opt(at.s(4)), middle: opt(at.s(5)) };
    Person {
        name: if name.last.is_some() || name.first.is_some() { Some(name) } else { None },
        member_id: nm1_id(at, b"MI").or_else(|| nm1_id(at, b"II")),
        ..Person::default()
    }
}

fn dmg(at: &At<'_, '_>, p: &mut Person) -> Result<(), X12Error> {
    let seg = at.seg();
    if seg.el(1) == b"D8" && !seg.el(2).is_empty() {
        p.birth_date = Some(parse_date(at, at.s(2), 2)?);
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
    // Units are nearly always whole: up to 15 digits are exact in an `f64`, the value the
    // float parser (~150 instructions a call) gives them.
    if !v.is_empty() && v.len() <= 15 && v.iter().all(u8::is_ascii_digit) {
        return Ok(v.iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')) as f64);
    }
    let s = std::str::from_utf8(v).unwrap_or("");
    let ok = !s.is_empty() && s.len() <= 15 && s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
    match s.parse::<f64>() {
        Ok(q) if ok && q.is_finite() => Ok(q),
        _ => Err(at.err(ErrorKind::BadElement, element, 0, "not a valid quantity")),
    }
}

fn step(tx_slot: &mut Option<Tx>, item: &Item<'_>, queue: &mut Queue, source_map: bool) -> Result<(), X12Error> {
    let seg = &item.seg;
    match seg.code() {
        id::ISA | id::GS | id::GE | id::IEA => return Ok(()),
        id::ST => {
            if let Some(old) = tx_slot.as_mut() {
                old.resolve_pending(queue, Dead::NONE);
            }
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
                pending: None,
                source_map,
            });
            return Ok(());
        }
        id::SE => {
            let Some(mut tx) = tx_slot.take() else {
                return Ok(());
            };
            if tx.failed {
                return Ok(());
            }
            let at = At::new(item, Lp::Se);
            tx.finish_claim(queue, Dead::ALL);
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
    let lp = tx.structure.feed(seg, item.in_set)?;
    let at = At::new(item, lp);
    tx.segment(&at, queue)
}

/// Which parts of the transaction context the segment that ends a claim is about to reset:
/// those are moved into the claim instead of cloned.
#[derive(Clone, Copy)]
struct Dead {
    billing: bool,
    /// Subscriber and payer.
    subscriber: bool,
    patient: bool,
}

impl Dead {
    const NONE: Dead = Dead { billing: false, subscriber: false, patient: false };
    const ALL: Dead = Dead { billing: true, subscriber: true, patient: true };

    /// What segment `code` at `level` resets: a new HL replaces its own level and those below.
    fn before(level: Level, code: u32) -> Dead {
        match (level, code) {
            (Level::Billing, id::HL) => Dead { billing: true, ..Dead::NONE },
            (Level::Subscriber, id::HL) => Dead { subscriber: true, patient: true, ..Dead::NONE },
            (Level::Patient, id::HL) => Dead { patient: true, ..Dead::NONE },
            _ => Dead::NONE,
        }
    }
}

/// The part of the transaction a loop belongs to: the transaction context's levels (each
/// with its own findings, reset by its HL), or a claim.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    /// The header and the submitter and receiver names.
    Header,
    /// The billing provider HL and its names.
    Billing,
    /// The subscriber HL, its name and the payer.
    Subscriber,
    /// The patient HL and its name.
    Patient,
    /// A claim's 2300 loop and the loops inside it.
    Claim,
}

impl Lp {
    fn level(self) -> Level {
        match self {
            Lp::Header | Lp::L1000A | Lp::L1000B => Level::Header,
            Lp::L2000A | Lp::L2010AA | Lp::L2010AB | Lp::L2010AC => Level::Billing,
            Lp::L2000B | Lp::L2010BA | Lp::L2010BB => Level::Subscriber,
            Lp::L2000C | Lp::L2010CA => Level::Patient,
            _ => Level::Claim,
        }
    }
}

fn take_or_clone<T: Clone + Default>(v: &mut T, take: bool) -> T {
    if take { std::mem::take(v) } else { v.clone() }
}

impl Tx {
    /// Queues the open claim, if any, after the pending one (a claim waits for the next HL only
    /// when no claim is open, so at most one of the two is there).
    fn finish_claim(&mut self, queue: &mut Queue, dead: Dead) {
        self.resolve_pending(queue, dead);
        let Some(mut b) = self.claim.take() else {
            return;
        };
        // The claim-wide parts were left empty at CLM: nothing inside the claim's loops
        // changes them, so they are filled here, moved when the context is about to be reset.
        let with_patient = self.ctx.patient.is_some();
        b.pc.claim.billing_provider = take_or_clone(&mut self.ctx.billing, dead.billing);
        // SNIP 3: CLM02 = sum of line charges.
        let sum: i64 = b.pc.claim.lines.iter().map(|l| l.charge.cents()).sum();
        if sum != b.pc.claim.total_charge.cents() {
            b.pc.findings.push(Finding {
                rule: "x12.snip3.claim_balance",
                severity: Severity::Error,
                path: "total_charge".into(),
                message: format!(
                    "CLM02 total charge {} does not equal the sum of the service line charges {}",
                    b.pc.claim.total_charge,
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
        let ctx = &self.ctx;
        if !(ctx.header_findings.is_empty()
            && ctx.billing_findings.is_empty()
            && ctx.sub_findings.is_empty()
            && (!with_patient || ctx.pat_findings.is_empty()))
        {
            let mut findings = ctx.header_findings.clone();
            findings.extend(ctx.billing_findings.iter().cloned());
            findings.extend(ctx.sub_findings.iter().cloned());
            if with_patient {
                findings.extend(ctx.pat_findings.iter().cloned());
            }
            findings.append(&mut b.pc.findings);
            b.pc.findings = findings;
        }
        // At a billing provider HL the subscriber level is replaced by the next HL, not this
        // one: wait for it (only the box's pointer moves).
        if !dead.billing || dead.subscriber {
            self.complete(b, queue, dead);
        } else {
            self.pending = Some(b);
        }
    }

    /// Completes the pending claim with the subscriber, payer and patient (moved when `dead`
    /// says the context is about to reset them) and queues it.
    fn resolve_pending(&mut self, queue: &mut Queue, dead: Dead) {
        if let Some(p) = self.pending.take() {
            self.complete(p, queue, dead);
        }
    }

    /// Fills in the subscriber, payer and patient and queues the claim.
    #[inline]
    fn complete(&mut self, mut b: Box<Build>, queue: &mut Queue, dead: Dead) {
        let ctx = &mut self.ctx;
        // Filled in the box, which is queued as it is: the claim is copied once, when handed out.
        let c = &mut b.pc.claim;
        c.subscriber = take_or_clone(&mut ctx.subscriber, dead.subscriber);
        c.payer = take_or_clone(&mut ctx.payer, dead.subscriber);
        c.patient = take_or_clone(&mut ctx.patient, dead.patient);
        queue.push_back(Ok(b));
    }

    fn segment(&mut self, at: &At<'_, '_>, queue: &mut Queue) -> Result<(), X12Error> {
        let seg = at.seg();
        let code = at.seg.code();
        let level = at.lp.level();
        if self.pending.is_some() && level != Level::Billing {
            // Segments of the billing provider level leave subscriber, payer and patient alone;
            // anything else may change them (or starts a claim).
            self.resolve_pending(queue, Dead::before(level, code));
        }
        // A claim ends where its 2300 loop ends.
        if self.claim.is_some() && (level != Level::Claim || code == id::CLM) {
            self.finish_claim(queue, Dead::before(level, code));
        }
        {
            let target: &mut Vec<Finding> = match (&mut self.claim, level) {
                (Some(b), _) => &mut b.pc.findings,
                (None, Level::Billing) => &mut self.ctx.billing_findings,
                (None, Level::Subscriber) => &mut self.ctx.sub_findings,
                (None, Level::Patient) => &mut self.ctx.pat_findings,
                (None, Level::Header | Level::Claim) => &mut self.ctx.header_findings,
            };
            target.append(&mut self.structure.findings);
            if let Some(alt) = at.alt_component {
                target.push(at.finding(
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
            snip2(at, self.kind, target);
        }

        let ctx = &mut self.ctx;
        match (at.lp, code) {
            (Lp::L2000A, id::HL) => {
                ctx.billing = Provider::default();
                ctx.billing_src.clear();
                ctx.billing_findings.clear();
                ctx.sub_findings.clear();
                ctx.pat_findings.clear();
            }
            (Lp::L2000A, id::PRV) => {
                if seg.el(1) == b"BI" || seg.el(1) == b"PT" {
                    ctx.billing.taxonomy = opt(at.s(3));
                    ctx.billing_src.push(at.r(Field::BillingTaxonomy, [0, 0], 3, 0));
                }
            }
            (Lp::L2010AA, id::NM1) => {
                let taxonomy = ctx.billing.taxonomy.take();
                ctx.billing = provider_nm1(at, [Field::BillingName, Field::BillingNpi], |e| ctx.billing_src.push(e));
                ctx.billing.taxonomy = taxonomy;
            }
            (Lp::L2010AA, id::N3) => {
                n3(&mut ctx.billing.address, at);
                ctx.billing_src.push(at.r(Field::BillingAddress, [0, 0], 1, 0));
            }
            (Lp::L2010AA, id::N4) => n4(&mut ctx.billing.address, at),
            (Lp::L2010AA, id::REF) if matches!(seg.el(1), b"EI" | b"SY") => {
                ctx.billing.tax_id = opt(at.s(2));
                ctx.billing_src.push(at.r(Field::BillingTaxId, [0, 0], 2, 0));
            }
            (Lp::L2000B, id::HL) => {
                ctx.subscriber = Person::default();
                ctx.payer = Payer::default();
                ctx.patient = None;
                ctx.sub_src.clear();
                ctx.pat_src.clear();
                ctx.sub_findings.clear();
                ctx.pat_findings.clear();
            }
            (Lp::L2000B, id::SBR) => {
                ctx.subscriber.group_number = opt(at.s(3));
                ctx.subscriber.relationship = opt(at.s(2));
                if ctx.subscriber.group_number.is_some() {
                    ctx.sub_src.push(at.r(Field::SubscriberGroup, [0, 0], 3, 0));
                }
            }
            (Lp::L2010BA, id::NM1) => {
                let keep = (ctx.subscriber.group_number.take(), ctx.subscriber.relationship.take());
                ctx.subscriber = person_nm1(at);
                (ctx.subscriber.group_number, ctx.subscriber.relationship) = keep;
                ctx.sub_src.push(at.r(Field::SubscriberName, [0, 0], 3, 0));
                ctx.sub_src.push(at.r(Field::SubscriberMemberId, [0, 0], 9, 0));
            }
            (Lp::L2010BA, id::N3) => n3(&mut ctx.subscriber.address, at),
            (Lp::L2010BA, id::N4) => n4(&mut ctx.subscriber.address, at),
            (Lp::L2010BA, id::DMG) => {
                dmg(at, &mut ctx.subscriber)?;
                ctx.sub_src.push(at.r(Field::SubscriberBirthDate, [0, 0], 2, 0));
                ctx.sub_src.push(at.r(Field::SubscriberSex, [0, 0], 3, 0));
            }
            (Lp::L2010BB, id::NM1) => {
                ctx.payer = Payer { id: opt(at.s(9)), name: opt(at.s(3)) };
                ctx.sub_src.push(at.r(Field::PayerName, [0, 0], 3, 0));
                ctx.sub_src.push(at.r(Field::PayerId, [0, 0], 9, 0));
            }
            (Lp::L2000C, id::HL) => {
                ctx.patient = Some(Box::default());
                ctx.pat_src.clear();
                ctx.pat_findings.clear();
            }
            (Lp::L2000C, id::PAT) => {
                if let Some(p) = ctx.patient.as_mut() {
                    p.relationship = opt(at.s(1));
                    ctx.pat_src.push(at.r(Field::PatientRelationship, [0, 0], 1, 0));
                }
            }
            (Lp::L2010CA, id::NM1) => {
                // The name replaces the person PAT began (its relationship kept), in the box HL made.
                let p = ctx.patient.get_or_insert_with(Box::default);
                **p = Person { relationship: p.relationship.take(), ..person_nm1(at) };
                ctx.pat_src.push(at.r(Field::PatientName, [0, 0], 3, 0));
            }
            (Lp::L2010CA, id::N3) => n3(&mut ctx.patient.get_or_insert_with(Box::default).address, at),
            (Lp::L2010CA, id::N4) => n4(&mut ctx.patient.get_or_insert_with(Box::default).address, at),
            (Lp::L2010CA, id::DMG) => {
                dmg(at, ctx.patient.get_or_insert_with(Box::default))?;
                ctx.pat_src.push(at.r(Field::PatientBirthDate, [0, 0], 2, 0));
                ctx.pat_src.push(at.r(Field::PatientSex, [0, 0], 3, 0));
            }
            (Lp::L2300, id::CLM) => self.start_claim(at)?,
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
        let id = trim(at.s(1));
        if id.is_empty() {
            return Err(at.err(ErrorKind::MissingElement, 1, 0, "CLM01 patient control number is required"));
        }
        let total = money(at, 2, 0, seg.el(2), true)?.unwrap_or_default();
        let c1 = at.cs(5, 1);
        let c3 = at.cs(5, 3);
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
        // Billing provider, subscriber, payer and patient are filled in when the claim ends.
        let mut claim = Claim { frequency, total_charge: total, ..Claim::blank(id, self.kind) };
        let mut src = if self.source_map {
            // Room for a typical claim (header, 4 diagnoses, 3 lines) without regrowing.
            SourceMap::with_capacity(ctx.billing_src.len() + ctx.sub_src.len() + ctx.pat_src.len() + 48)
        } else {
            SourceMap::disabled()
        };
        src.extend_from_slice(&ctx.billing_src);
        src.extend_from_slice(&ctx.sub_src);
        if ctx.patient.is_some() {
            src.extend_from_slice(&ctx.pat_src);
        }
        src.push(at.r(Field::Id, [0, 0], 1, 0));
        src.push(at.r(Field::TotalCharge, [0, 0], 2, 0));
        src.push(at.r(Field::Frequency, [0, 0], 5, 3));
        match self.kind {
            ClaimKind::Professional => {
                claim.place_of_service = Some(code(c1));
                src.push(at.r(Field::PlaceOfService, [0, 0], 5, 1));
            }
            ClaimKind::Institutional => {
                let c1 = trim(c1);
                let mut tob = String::with_capacity(c1.len() + claim.frequency.len());
                tob.push_str(c1);
                tob.push_str(&claim.frequency);
                claim.type_of_bill = Some(tob);
                src.push(at.r(Field::TypeOfBill, [0, 0], 5, 1));
            }
        }
        self.claim = Some(Box::new(Build {
            pc: ParsedClaim {
                claim,
                origin: src,
                findings: Vec::new(),
                version: self.version.clone(),
                transaction_control: self.control.clone(),
            },
            line: None,
            slot: Slot::None,
            clm_seg: (seg.number, at.item.in_set, seg.offset),
            prior_paid_seen: false,
            scratch: None,
        }));
        Ok(())
    }
}

fn line_index(b: &Build) -> u32 {
    b.line.unwrap_or(0) as u32
}

fn claim_segment(b: &mut Build, kind: ClaimKind, at: &At<'_, '_>) -> Result<(), X12Error> {
    let seg = at.seg();
    match (at.lp, at.seg.code()) {
        (Lp::L2300, id::REF) if seg.el(1) == b"F8" => {
            b.pc.claim.payer_claim_control_number = opt(at.s(2));
            b.pc.origin.push(at.r(Field::PayerClaimControl, [0, 0], 2, 0));
        }
        (Lp::L2300, id::DTP) => {
            let Some((from, to)) = dtp_dates(at)? else {
                return Ok(());
            };
            match seg.el(1) {
                b"434" => {
                    b.pc.claim.statement_from = Some(from);
                    b.pc.claim.statement_to = Some(to.unwrap_or(from));
                    b.pc.origin.push(at.r(Field::StatementFrom, [0, 0], 3, 0));
                    b.pc.origin.push(at.r(Field::StatementTo, [0, 0], 3, 0));
                }
                b"435" => {
                    b.pc.claim.admission_date = Some(from);
                    b.pc.origin.push(at.r(Field::AdmissionDate, [0, 0], 3, 0));
                }
                b"096" => {
                    b.pc.claim.discharge_date = Some(from);
                    b.pc.origin.push(at.r(Field::DischargeDate, [0, 0], 3, 0));
                }
                _ => {}
            }
        }
        (Lp::L2300, id::CL1) => {
            b.pc.claim.discharge_status = opt(at.s(3));
            if b.pc.claim.discharge_status.is_some() {
                b.pc.origin.push(at.r(Field::DischargeStatus, [0, 0], 3, 0));
            }
        }
        (Lp::L2300, id::HI) => hi(b, at)?,
        (Lp::L2310A | Lp::L2310B | Lp::L2310D | Lp::L2310F, id::NM1) => {
            let slot = match (kind, at.lp, seg.el(1)) {
                (ClaimKind::Professional, Lp::L2310A, b"DN") => Slot::Referring,
                (ClaimKind::Professional, Lp::L2310B, _) => Slot::Rendering,
                (ClaimKind::Institutional, Lp::L2310A, _) => Slot::Attending,
                (ClaimKind::Institutional, Lp::L2310D, _) => Slot::Rendering,
                (ClaimKind::Institutional, Lp::L2310F, _) => Slot::Referring,
                _ => Slot::None,
            };
            b.slot = slot;
            let names = match slot {
                Slot::Rendering => [Field::RenderingName, Field::RenderingNpi],
                Slot::Referring => [Field::ReferringName, Field::ReferringNpi],
                Slot::Attending => [Field::AttendingName, Field::AttendingNpi],
                _ => return Ok(()),
            };
            let p = provider_nm1(at, names, |e| b.pc.origin.push(e));
            *slot_mut(b, slot) = Some(Box::new(p));
        }
        (Lp::L2310A | Lp::L2310B | Lp::L2310D | Lp::L2310F | Lp::L2420A | Lp::L2420C, id::PRV) => {
            let slot = if matches!(at.lp, Lp::L2420A | Lp::L2420C) { Slot::LineRendering } else { b.slot };
            if let Some(p) = slot_mut(b, slot).as_mut() {
                p.taxonomy = opt(at.s(3));
            }
        }
        (Lp::L2320, id::SBR) => {}
        (Lp::L2320, id::AMT) if seg.el(1) == b"D" => {
            let paid = money(at, 2, 0, seg.el(2), true)?.unwrap_or_default();
            let prev = b.pc.claim.prior_payer_paid.unwrap_or_default();
            b.pc.claim.prior_payer_paid = Some(Money::from_cents(prev.cents() + paid.cents()));
            if !b.prior_paid_seen {
                b.pc.origin.push(at.r(Field::PriorPayerPaid, [0, 0], 2, 0));
                b.prior_paid_seen = true;
            }
        }
        (Lp::L2400, id::LX) => {
            b.line = None;
            b.slot = Slot::None;
        }
        (Lp::L2400, id::SV1) => {
            let li = b.pc.claim.lines.len() as u32;
            let procedure = at.cs(1, 2);
            if trim(procedure).is_empty() {
                return Err(at.err(ErrorKind::MissingElement, 1, 2, "SV101-2 procedure code is required"));
            }
            let modifiers = modifiers(at, 1);
            let charge = money(at, 2, 0, seg.el(2), true)?.unwrap_or_default();
            let units = if seg.el(4).is_empty() {
                return Err(at.err(ErrorKind::MissingElement, 4, 0, "SV104 service unit count is required"));
            } else {
                quantity(at, 4, seg.el(4))?
            };
            // SV107 holds up to four pointers: room for them at once, not a grow on the first push.
            let mut pointers = Vec::with_capacity(4);
            for (k, p) in seg.comps(7).enumerate() {
                if p.is_empty() {
                    continue;
                }
                let txt = trim(at.seg.text_of(p));
                let n = txt.parse::<i32>().ok().or_else(|| {
                    // Lenient: "1.00" (seen in examples) is pointer 1, flagged as a finding.
                    let v = crate::money::parse_scaled(txt.as_bytes(), 2)?;
                    (v % 100 == 0 && v.abs() < 10_000).then_some((v / 100) as i32)
                });
                if n.is_some() && txt.contains('.') {
                    b.pc.findings.push(at.finding(
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
            b.pc.claim.lines.push(ServiceLine {
                procedure: Some(code(procedure)),
                modifiers,
                revenue_code: None,
                units,
                unit_basis: opt(at.s(3)),
                charge,
                pointers,
                date: None,
                date_to: None,
                place_of_service: opt_code(at.s(5)),
                rendering_provider: None,
                control_number: None,
            });
            b.line = Some(li as usize);
            at.record_line(&mut b.pc.origin, li, SV1_FIELDS);
            for k in 0..b.pc.claim.lines[li as usize].pointers.len() as u32 {
                b.pc.origin.push(at.r(Field::LinePointer, [li, k], 7, k as u16 + 1));
            }
        }
        (Lp::L2400, id::SV2) => {
            let li = b.pc.claim.lines.len() as u32;
            let rev = at.s(1);
            if trim(rev).is_empty() {
                return Err(at.err(ErrorKind::MissingElement, 1, 0, "SV201 revenue code is required"));
            }
            let procedure = at.cs(2, 2);
            let modifiers = modifiers(at, 2);
            let charge = money(at, 3, 0, seg.el(3), true)?.unwrap_or_default();
            let units = if seg.el(5).is_empty() { 0.0 } else { quantity(at, 5, seg.el(5))? };
            b.pc.claim.lines.push(ServiceLine {
                procedure: opt_code(procedure),
                modifiers,
                revenue_code: Some(code(rev)),
                units,
                unit_basis: opt(at.s(4)),
                charge,
                pointers: Vec::new(),
                date: None,
                date_to: None,
                place_of_service: None,
                rendering_provider: None,
                control_number: None,
            });
            b.line = Some(li as usize);
            at.record_line(&mut b.pc.origin, li, SV2_FIELDS);
        }
        (Lp::L2400, id::DTP) if seg.el(1) == b"472" => {
            let li = line_index(b);
            let Some((from, to)) = dtp_dates(at)? else {
                return Ok(());
            };
            if let Some(l) = b.line.and_then(|i| b.pc.claim.lines.get_mut(i)) {
                l.date = Some(from);
                l.date_to = to;
                b.pc.origin.push(at.r(Field::LineDate, [li, 0], 3, 0));
            }
        }
        (Lp::L2400, id::REF) if seg.el(1) == b"6R" => {
            let li = line_index(b);
            if let Some(l) = b.line.and_then(|i| b.pc.claim.lines.get_mut(i)) {
                l.control_number = opt(at.s(2));
                b.pc.origin.push(at.r(Field::LineControlNumber, [li, 0], 2, 0));
            }
        }
        (Lp::L2420A | Lp::L2420C, id::NM1) => {
            let rendering = (kind == ClaimKind::Professional && at.lp == Lp::L2420A)
                || (kind == ClaimKind::Institutional && at.lp == Lp::L2420C);
            if rendering {
                let li = line_index(b);
                let p = provider_of(at);
                if let Some(l) = b.line.and_then(|i| b.pc.claim.lines.get_mut(i)) {
                    l.rendering_provider = Some(Box::new(p));
                    b.pc.origin.push(at.r(Field::LineRenderingNpi, [li, 0], 9, 0));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Where a service line's fields are in SV1: (field, element, component).
const SV1_FIELDS: &[(Field, u16, u16)] = &[
    (Field::LineProcedure, 1, 2),
    (Field::LineModifiers, 1, 3),
    (Field::LineCharge, 2, 0),
    (Field::LineUnitBasis, 3, 0),
    (Field::LineUnits, 4, 0),
    (Field::LinePlaceOfService, 5, 0),
    (Field::LinePointers, 7, 0),
];

/// Where a service line's fields are in SV2: (field, element, component).
const SV2_FIELDS: &[(Field, u16, u16)] = &[
    (Field::LineRevenueCode, 1, 0),
    (Field::LineProcedure, 2, 2),
    (Field::LineModifiers, 2, 3),
    (Field::LineCharge, 3, 0),
    (Field::LineUnitBasis, 4, 0),
    (Field::LineUnits, 5, 0),
];

/// Components 3–6 of a procedure composite (the modifiers), non-empty ones, in one pass.
fn modifiers(at: &At<'_, '_>, n: usize) -> Vec<String> {
    let comp = at.seg().delims.component;
    at.seg()
        .el(n)
        .split(|&b| b == comp)
        .skip(2)
        .take(4)
        .map(|m| at.seg.text_of(m))
        .filter(|m| !trim(m).is_empty())
        .map(code)
        .collect()
}

fn slot_mut(b: &mut Build, slot: Slot) -> &mut Option<Box<Provider>> {
    match slot {
        Slot::Rendering => &mut b.pc.claim.rendering_provider,
        Slot::Referring => &mut b.pc.claim.referring_provider,
        Slot::Attending => &mut b.pc.claim.attending_provider,
        Slot::LineRendering => match b.line.and_then(|i| b.pc.claim.lines.get_mut(i)) {
            Some(l) => &mut l.rendering_provider,
            None => &mut b.pc.claim.rendering_provider,
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
        let qual = at.cs(n, 1);
        let mut value = at.cs(n, 2);
        if !el.contains(&comp) && is_hi_qualifier(qual) {
            // Lenient: qualifier and code in two simple elements (`HI*BK*8901`).
            let next = seg.el(n + 1);
            if !next.is_empty() && !next.contains(&comp) && !is_hi_qualifier(at.s(n + 1)) {
                value = at.s(n + 1);
                b.pc.findings.push(at.finding(
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
        if trim(value).is_empty() {
            return Err(at.err(ErrorKind::MissingElement, n as u16, 2, format!("HI{n:02}-2 code is missing")));
        }
        let dx = |q: &str| Diagnosis { code: code(value), qualifier: Some(q.to_string()), poa: opt(at.cs(n, 9)) };
        match qual {
            "ABK" | "BK" | "ABF" | "BF" | "APR" | "PR" | "ABN" | "BN" => {
                let i = b.pc.claim.diagnoses.len() as u32;
                b.pc.claim.diagnoses.push(dx(qual));
                b.pc.origin.push(at.r(Field::Diagnosis, [i, 0], n as u16, 2));
            }
            "ABJ" | "BJ" => {
                b.pc.claim.admitting_diagnosis = Some(dx(qual));
                b.pc.origin.push(at.r(Field::AdmittingDiagnosis, [0, 0], n as u16, 2));
            }
            "BBR" | "BBQ" | "BR" | "BQ" => {
                let date = match at.cs(n, 3) {
                    "D8" => Some(
                        Date::parse(at.cs(n, 4))
                            .map_err(|_| at.err(ErrorKind::BadElement, n as u16, 4, "not a valid CCYYMMDD date"))?,
                    ),
                    _ => None,
                };
                let i = b.pc.claim.procedures.len() as u32;
                b.pc.claim.procedures.push(IcdProcedure { code: code(value), date, qualifier: Some(qual.to_string()) });
                b.pc.origin.push(at.r(Field::Procedure, [i, 0], n as u16, 2));
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

/// The SNIP 2 element checks of one segment id: required elements, one element's code list,
/// maximum lengths.
struct ElementRules {
    required: &'static [u16],
    /// Element and the values it may take (none to check when empty).
    code_list: (u16, &'static [&'static [u8]]),
    max_len: &'static [(u16, usize)],
}

const fn element_rules(code: u32) -> ElementRules {
    let required: &[u16] = match code {
        id::NM1 => &[1, 2],
        id::N3 => &[1],
        id::N4 => &[1],
        id::REF => &[1, 2],
        id::DTP => &[1, 2, 3],
        id::SBR => &[1],
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
    let code_list: (u16, &[&[u8]]) = match code {
        id::NM1 => (2, &[b"1", b"2"]),
        id::DTP => (2, &[b"D8", b"RD8", b"DT", b"TM"]),
        id::DMG => (3, &[b"M", b"F", b"U"]),
        id::SBR => (1, &[b"P", b"S", b"T", b"A", b"B", b"C", b"D", b"E", b"F", b"G", b"H", b"U"]),
        id::SV1 => (3, &[b"UN", b"MJ"]),
        id::SV2 => (4, &[b"UN", b"DA", b"F2", b"GR", b"ME", b"ML"]),
        _ => (0, &[]),
    };
    // Element lengths (max) for identifiers the receiver stores.
    let max_len: &[(u16, usize)] = match code {
        id::CLM => &[(1, 38), (2, 18)],
        id::NM1 => &[(3, 60), (4, 35), (9, 80)],
        id::REF => &[(2, 50)],
        id::N3 => &[(1, 55), (2, 55)],
        id::N4 => &[(1, 30), (3, 15)],
        id::SV1 => &[(2, 18), (4, 15)],
        id::SV2 => &[(1, 48), (3, 18), (5, 15)],
        _ => &[],
    };
    ElementRules { required, code_list, max_len }
}

/// [`element_rules`] by segment index ([`seg_index`]): one look-up per segment instead of a
/// branch tree per check.
static ELEMENT_RULES: [ElementRules; SEGMENT_CODES.len()] = {
    const NONE: ElementRules = ElementRules { required: &[], code_list: (0, &[]), max_len: &[] };
    let mut t = [NONE; SEGMENT_CODES.len()];
    let mut i = 0;
    while i < t.len() {
        t[i] = element_rules(SEGMENT_CODES[i]);
        i += 1;
    }
    t
};

fn snip2(at: &At<'_, '_>, kind: ClaimKind, out: &mut Vec<Finding>) {
    let seg = at.seg();
    let rules = &ELEMENT_RULES[usize::from(at.seg_ix)];
    for &e in rules.required {
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
    let (e, allowed) = rules.code_list;
    if !allowed.is_empty() {
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
    }
    if at.seg.code() == id::CLM {
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
    for &(e, max) in rules.max_len {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::Envelope;

    /// What `x12` gives read as one job whose segments were `shift` times their number further
    /// on, in segments and in bytes; and how many bases the job took.
    fn read_as_one_job(x12: &[u8], shift: u64) -> (Vec<Result<ParsedClaim, X12Error>>, usize) {
        let mut env = Envelope::new(x12);
        let mut job = Job::default();
        while let Some(mut item) = env.next_item().unwrap() {
            if let Some(info) = item.tx {
                item.seg.offset += item.seg.number * shift;
                item.seg.number += item.seg.number * shift;
                job.push(&item, info);
            }
        }
        job.last = true;
        let bases = job.bases.len();
        let mut out = Vec::new();
        JobReader::new(true).read(&mut job, None, |c| out.push(c));
        (out, bases)
    }

    /// A job keeps each segment's number and offset in 32 bits from a base: one further than
    /// that from the base starts a new base, and reads back as far as it was.
    #[test]
    fn a_job_counts_segments_further_than_32_bits_from_a_new_base() {
        let claim: cleanclaim::Claim =
            serde_json::from_str(include_str!("../../../examples/claims/defective-pointer-and-units.json")).unwrap();
        let opts = crate::EnvelopeOptions { claims_per_transaction: 1, ..Default::default() };
        let x12 = crate::write_837_vec(&[claim.clone(), claim.clone(), claim], ClaimKind::Professional, &opts).unwrap();
        // The second set is rejected at a segment of its own, which its error locates.
        let text = String::from_utf8(x12).unwrap();
        let second = text.match_indices("~CLM*").nth(1).unwrap().0;
        let x12 = format!("{}~ZZ9*A{}", &text[..second], &text[second..]).into_bytes();
        let (near, one_base) = read_as_one_job(&x12, 0);
        assert_eq!(one_base, 1);
        let shift = (1 << 32) + 7;
        let (far, bases) = read_as_one_job(&x12, shift);
        let segments = x12.iter().filter(|&&b| b == b'~').count();
        assert!(bases > segments / 2, "{bases} bases for {segments} segments");
        assert_eq!(near.len(), 3);
        assert_eq!(far.len(), 3);
        for (n, f) in near.iter().zip(&far) {
            match (n, f) {
                (Ok(n), Ok(f)) => {
                    assert_eq!(n.claim, f.claim);
                    let (ns, fs): (Vec<_>, Vec<_>) = (n.origin.entries().collect(), f.origin.entries().collect());
                    assert_eq!(ns.len(), fs.len());
                    assert!(!ns.is_empty());
                    for (n, f) in ns.iter().zip(&fs) {
                        assert_eq!(f.segment_in_file, n.segment_in_file * (1 + shift));
                        assert_eq!(
                            (f.template, f.segment_in_set, f.element),
                            (n.template, n.segment_in_set, n.element)
                        );
                    }
                }
                (Err(n), Err(f)) => {
                    let (n, f) = (n.location.as_deref().unwrap(), f.location.as_deref().unwrap());
                    assert!(x12[n.byte_offset as usize..].starts_with(b"ZZ9*"), "{n:?}");
                    assert_eq!(f.segment_in_file, n.segment_in_file * (1 + shift));
                    assert_eq!(f.byte_offset, n.byte_offset + n.segment_in_file * shift);
                    assert!(f.byte_offset > u64::from(u32::MAX));
                }
                _ => panic!("{n:?} / {f:?}"),
            }
        }
        assert!(near[1].is_err());
    }
}
