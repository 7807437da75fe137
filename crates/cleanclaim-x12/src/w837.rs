//! 837P / 837I writer: claims from the model into a complete ISA/GS/ST envelope.

use std::io::Write;

use cleanclaim::{Claim, ClaimKind, Date, Diagnosis, Person, Provider};

use crate::error::{ErrorKind, X12Error};
use crate::money::format_cents;
use crate::token::Delimiters;

/// A named party of the envelope (submitter 1000A, receiver 1000B).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeParty {
    /// Organization name (NM103).
    pub name: String,
    /// Identifier (NM109, with qualifier 46 ETIN).
    pub id: String,
}

/// Envelope values for [`write_837`].
#[derive(Debug, Clone)]
pub struct EnvelopeOptions {
    /// ISA05/ISA06 sender qualifier and id (padded to 15).
    pub sender_qualifier: String,
    /// ISA06 / GS02.
    pub sender_id: String,
    /// ISA07 receiver qualifier.
    pub receiver_qualifier: String,
    /// ISA08 / GS03.
    pub receiver_id: String,
    /// ISA13 interchange control number (1..=999_999_999).
    pub interchange_control: u32,
    /// GS06 group control number.
    pub group_control: u32,
    /// ST02 of the first transaction set (each further set adds 1).
    pub transaction_control: u32,
    /// Interchange date (ISA09/GS04, BHT04).
    pub date: Date,
    /// Interchange time `HHMM`.
    pub time: String,
    /// ISA15 `P` production / `T` test.
    pub production: bool,
    /// 1000A submitter.
    pub submitter: EnvelopeParty,
    /// 1000A PER contact name.
    pub submitter_contact: String,
    /// 1000A PER telephone.
    pub submitter_phone: String,
    /// 1000B receiver.
    pub receiver: EnvelopeParty,
    /// Implementation version override (default `005010X222A1` / `005010X223A2`).
    pub version: Option<String>,
    /// Delimiters (default `*`, `^`, `:`, `~`).
    pub delimiters: Delimiters,
    /// Write a newline after each segment terminator.
    pub newlines: bool,
    /// Claims per transaction set (ST..SE); the IG recommends at most 5000.
    pub claims_per_transaction: usize,
}

impl Default for EnvelopeOptions {
    fn default() -> Self {
        EnvelopeOptions {
            sender_qualifier: "ZZ".into(),
            sender_id: "SENDER".into(),
            receiver_qualifier: "ZZ".into(),
            receiver_id: "RECEIVER".into(),
            interchange_control: 1,
            group_control: 1,
            transaction_control: 1,
            date: Date::new(2026, 1, 1).expect("valid date"),
            time: "1200".into(),
            production: false,
            submitter: EnvelopeParty { name: "SUBMITTER".into(), id: "SUBMITTER".into() },
            submitter_contact: "CONTACT".into(),
            submitter_phone: "8005550100".into(),
            receiver: EnvelopeParty { name: "RECEIVER".into(), id: "RECEIVER".into() },
            version: None,
            delimiters: Delimiters::default(),
            newlines: false,
            claims_per_transaction: 5000,
        }
    }
}

/// Segment builder: checks that no value contains a delimiter, counts segments.
struct Seg {
    buf: Vec<u8>,
    d: Delimiters,
    count: u32,
    newlines: bool,
    path: String,
}

impl Seg {
    fn check(&self, v: &str) -> Result<(), X12Error> {
        let d = self.d;
        let bad = v.bytes().any(|b| {
            b == d.element || b == d.component || b == d.segment || Some(b) == d.repetition || b == b'\r' || b == b'\n'
        });
        if bad {
            return Err(X12Error::new(
                ErrorKind::BadElement,
                None,
                format!("{}: a value contains an X12 delimiter character and cannot be written", self.path),
            ));
        }
        Ok(())
    }

    /// Writes `id*e1*e2...~`, dropping trailing empty elements. Elements may be composites
    /// built with [`comp`].
    fn w(&mut self, id: &str, els: &[&str]) -> Result<(), X12Error> {
        let last = els.iter().rposition(|e| !e.is_empty()).map_or(0, |i| i + 1);
        self.buf.extend_from_slice(id.as_bytes());
        for e in &els[..last] {
            self.buf.push(self.d.element);
            self.buf.extend_from_slice(e.as_bytes());
        }
        self.buf.push(self.d.segment);
        if self.newlines {
            self.buf.push(b'\n');
        }
        self.count += 1;
        Ok(())
    }
}

fn comp(d: Delimiters, parts: &[&str]) -> String {
    let last = parts.iter().rposition(|e| !e.is_empty()).map_or(0, |i| i + 1);
    let mut s = String::new();
    for (i, p) in parts[..last].iter().enumerate() {
        if i > 0 {
            s.push(d.component as char);
        }
        s.push_str(p);
    }
    s
}

fn pad(s: &str, n: usize) -> String {
    let mut t: String = s.chars().take(n).collect();
    while t.len() < n {
        t.push(' ');
    }
    t
}

fn d8(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

fn units(u: f64) -> String {
    if u.fract() == 0.0 && u.abs() < 1e15 { format!("{}", u as i64) } else { format!("{u}") }
}

/// Splits a provider name into NM102 entity type and last/first.
fn provider_name(name: Option<&str>) -> (&'static str, String, String) {
    match name {
        Some(n) => match n.split_once(", ") {
            Some((last, first)) => ("1", last.to_string(), first.to_string()),
            None => ("2", n.to_string(), String::new()),
        },
        None => ("2", String::new(), String::new()),
    }
}

fn check_claim(s: &Seg, c: &Claim) -> Result<(), X12Error> {
    // Validate every string that will be written, once, with a path in the error.
    let mut vals: Vec<&str> = vec![c.id.as_str(), c.frequency.as_str()];
    fn provider<'a>(p: &'a Provider, v: &mut Vec<&'a str>) {
        v.extend(p.npi.as_deref());
        v.extend(p.name.as_deref());
        v.extend(p.tax_id.as_deref());
        v.extend(p.taxonomy.as_deref());
        if let Some(a) = &p.address {
            v.extend(a.lines.iter().map(String::as_str));
            v.extend(a.city.as_deref());
            v.extend(a.state.as_deref());
            v.extend(a.postal_code.as_deref());
        }
    }
    fn person<'a>(p: &'a Person, v: &mut Vec<&'a str>) {
        if let Some(n) = &p.name {
            v.extend(n.last.as_deref());
            v.extend(n.first.as_deref());
            v.extend(n.middle.as_deref());
        }
        v.extend(p.member_id.as_deref());
        v.extend(p.group_number.as_deref());
        v.extend(p.relationship.as_deref());
        if let Some(a) = &p.address {
            v.extend(a.lines.iter().map(String::as_str));
            v.extend(a.city.as_deref());
            v.extend(a.state.as_deref());
            v.extend(a.postal_code.as_deref());
        }
    }
    provider(&c.billing_provider, &mut vals);
    for p in [&c.rendering_provider, &c.referring_provider, &c.attending_provider].into_iter().flatten() {
        provider(p, &mut vals);
    }
    person(&c.subscriber, &mut vals);
    if let Some(p) = &c.patient {
        person(p, &mut vals);
    }
    vals.extend(c.payer.id.as_deref());
    vals.extend(c.payer.name.as_deref());
    vals.extend(c.place_of_service.as_deref());
    vals.extend(c.type_of_bill.as_deref());
    vals.extend(c.payer_claim_control_number.as_deref());
    vals.extend(c.discharge_status.as_deref());
    for d in c.diagnoses.iter().chain(&c.admitting_diagnosis) {
        vals.push(&d.code);
        vals.extend(d.qualifier.as_deref());
        vals.extend(d.poa.as_deref());
    }
    for p in &c.procedures {
        vals.push(&p.code);
        vals.extend(p.qualifier.as_deref());
    }
    for l in &c.lines {
        vals.extend(l.procedure.as_deref());
        vals.extend(l.modifiers.iter().map(String::as_str));
        vals.extend(l.revenue_code.as_deref());
        vals.extend(l.unit_basis.as_deref());
        vals.extend(l.place_of_service.as_deref());
        vals.extend(l.control_number.as_deref());
        if let Some(p) = &l.rendering_provider {
            provider(p, &mut vals);
        }
    }
    for v in vals {
        s.check(v)?;
    }
    Ok(())
}

fn nm1_provider(s: &mut Seg, code: &str, p: &Provider) -> Result<(), X12Error> {
    let (et, last, first) = provider_name(p.name.as_deref());
    let npi = p.npi.as_deref().unwrap_or("");
    s.w("NM1", &[code, et, &last, &first, "", "", "", if npi.is_empty() { "" } else { "XX" }, npi])
}

fn address(s: &mut Seg, a: &Option<cleanclaim::model::Address>) -> Result<(), X12Error> {
    if let Some(a) = a {
        if !a.lines.is_empty() {
            let l2 = a.lines.get(1).map_or("", String::as_str);
            s.w("N3", &[&a.lines[0], l2])?;
        }
        if a.city.is_some() || a.state.is_some() || a.postal_code.is_some() {
            s.w(
                "N4",
                &[
                    a.city.as_deref().unwrap_or(""),
                    a.state.as_deref().unwrap_or(""),
                    a.postal_code.as_deref().unwrap_or(""),
                ],
            )?;
        }
    }
    Ok(())
}

fn person_segments(s: &mut Seg, code: &str, p: &Person) -> Result<(), X12Error> {
    let n = p.name.clone().unwrap_or_default();
    let id = p.member_id.as_deref().unwrap_or("");
    s.w(
        "NM1",
        &[
            code,
            "1",
            n.last.as_deref().unwrap_or(""),
            n.first.as_deref().unwrap_or(""),
            n.middle.as_deref().unwrap_or(""),
            "",
            "",
            if id.is_empty() { "" } else { "MI" },
            id,
        ],
    )?;
    address(s, &p.address)?;
    if p.birth_date.is_some() || p.sex.is_some() {
        let bd = p.birth_date.map(d8).unwrap_or_default();
        let sex = match p.sex {
            Some(cleanclaim::Sex::Male) => "M",
            Some(cleanclaim::Sex::Female) => "F",
            Some(cleanclaim::Sex::Unknown) => "U",
            None => "",
        };
        s.w("DMG", &["D8", &bd, sex])?;
    }
    Ok(())
}

fn hi_el(d: Delimiters, dx: &Diagnosis, default_qual: &str) -> String {
    let q = dx.qualifier.as_deref().unwrap_or(default_qual);
    match &dx.poa {
        Some(p) => comp(d, &[q, &dx.code, "", "", "", "", "", "", p]),
        None => comp(d, &[q, &dx.code]),
    }
}

/// Writes claims as one interchange with one functional group and as many transaction sets
/// as `claims_per_transaction` requires. All claims must be of `kind`. On an error, `out`
/// holds the transaction sets completed before it (see [`Writer837`]).
pub fn write_837<W: Write>(
    claims: &[Claim],
    kind: ClaimKind,
    out: &mut W,
    opts: &EnvelopeOptions,
) -> Result<(), X12Error> {
    let mut w = Writer837::new(out, kind, opts)?;
    for c in claims {
        w.write(c)?;
    }
    w.finish()?;
    Ok(())
}

/// Writes an 837 a claim at a time, as [`write_837`] writes a list: each transaction set
/// reaches the output once it is complete, so a writer holds one set (at most
/// `claims_per_transaction` claims' segments), never the whole interchange, and converting a
/// file of any size takes the memory of one set. [`finish`](Writer837::finish) closes the
/// envelope; an interchange left without it (after an error) has no GE and IEA, so no reader
/// takes it for complete.
pub struct Writer837<W: Write> {
    out: W,
    s: Seg,
    kind: ClaimKind,
    opts: EnvelopeOptions,
    version: String,
    ccyymmdd: String,
    gs06: String,
    isa13: String,
    sets: u32,
    /// Claims given so far, written or refused: the next claim's index in errors.
    claims: usize,
    set: Option<OpenSet>,
}

/// Counts only: the buffer holds patients' names and ids.
impl<W: Write> std::fmt::Debug for Writer837<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer837")
            .field("kind", &self.kind)
            .field("sets", &self.sets)
            .field("claims", &self.claims)
            .finish()
    }
}

/// The transaction set being written.
struct OpenSet {
    st02: String,
    /// Segments written before its ST.
    start: u32,
    claims: usize,
    hl: u32,
    billing_hl: u32,
    /// The billing provider of its last HL 20, which the next claim's shares unless it differs.
    billing: Option<Provider>,
}

impl<W: Write> Writer837<W> {
    /// Starts the interchange (ISA, GS) of claims of `kind`.
    pub fn new(out: W, kind: ClaimKind, opts: &EnvelopeOptions) -> Result<Writer837<W>, X12Error> {
        let d = opts.delimiters;
        let version = opts.version.clone().unwrap_or_else(|| {
            match kind {
                ClaimKind::Professional => "005010X222A1",
                ClaimKind::Institutional => "005010X223A2",
            }
            .to_string()
        });
        let yymmdd = &d8(opts.date)[2..];
        let rep = d.repetition.map_or("U".to_string(), |r| (r as char).to_string());
        let isa13 = format!("{:09}", opts.interchange_control % 1_000_000_000);
        let nl = if opts.newlines { "\n" } else { "" };
        let isa = format!(
            "ISA{e}00{e}{sp}{e}00{e}{sp}{e}{sq}{e}{sid}{e}{rq}{e}{rid}{e}{yymmdd}{e}{time}{e}{rep}{e}00501{e}{isa13}{e}0{e}{usage}{e}{c}{t}{nl}",
            e = d.element as char,
            sp = pad("", 10),
            sq = pad(&opts.sender_qualifier, 2),
            sid = pad(&opts.sender_id, 15),
            rq = pad(&opts.receiver_qualifier, 2),
            rid = pad(&opts.receiver_id, 15),
            time = pad(&opts.time, 4),
            usage = if opts.production { 'P' } else { 'T' },
            c = d.component as char,
            t = d.segment as char,
        );
        // Kept between sets: it grows to a set's size once.
        let buf = isa.into_bytes();
        let mut s = Seg { buf, d, count: 0, newlines: opts.newlines, path: String::new() };
        for v in [
            &opts.sender_id,
            &opts.receiver_id,
            &opts.submitter.name,
            &opts.submitter.id,
            &opts.receiver.name,
            &opts.receiver.id,
        ] {
            s.path = "envelope".into();
            s.check(v)?;
        }
        let ccyymmdd = d8(opts.date);
        let gs06 = opts.group_control.to_string();
        s.w("GS", &["HC", &opts.sender_id, &opts.receiver_id, &ccyymmdd, &opts.time, &gs06, "X", &version])?;
        Ok(Writer837 {
            out,
            s,
            kind,
            opts: opts.clone(),
            version,
            ccyymmdd,
            gs06,
            isa13,
            sets: 0,
            claims: 0,
            set: None,
        })
    }

    /// Writes one claim, opening a transaction set when none is open and handing the set to
    /// the output once it holds `claims_per_transaction` claims.
    pub fn write(&mut self, c: &Claim) -> Result<(), X12Error> {
        let (kind, i) = (self.kind, self.claims);
        self.claims += 1;
        if c.kind != kind {
            return Err(X12Error::new(
                ErrorKind::BadElement,
                None,
                format!("claims[{i}] is {:?} but the 837 is {kind:?}: write each kind to an 837 of its own", c.kind),
            ));
        }
        let s = &mut self.s;
        s.path = format!("claims[{i}]");
        check_claim(s, c)?;
        let set = match &mut self.set {
            Some(set) => set,
            None => {
                let o = &self.opts;
                let st02 = format!("{:04}", o.transaction_control as usize + self.sets as usize);
                self.sets += 1;
                let start = s.count;
                s.w("ST", &["837", &st02, &self.version])?;
                s.w("BHT", &["0019", "00", &st02, &self.ccyymmdd, &o.time, "CH"])?;
                s.w("NM1", &["41", "2", &o.submitter.name, "", "", "", "", "46", &o.submitter.id])?;
                s.w("PER", &["IC", &o.submitter_contact, "TE", &o.submitter_phone])?;
                s.w("NM1", &["40", "2", &o.receiver.name, "", "", "", "", "46", &o.receiver.id])?;
                self.set.insert(OpenSet { st02, start, claims: 0, hl: 0, billing_hl: 0, billing: None })
            }
        };
        if set.billing.as_ref() != Some(&c.billing_provider) {
            set.hl += 1;
            set.billing_hl = set.hl;
            s.w("HL", &[&set.hl.to_string(), "", "20", "1"])?;
            let bp = &c.billing_provider;
            if let Some(t) = &bp.taxonomy {
                s.w("PRV", &["BI", "PXC", t])?;
            }
            nm1_provider(s, "85", bp)?;
            address(s, &bp.address)?;
            if let Some(t) = &bp.tax_id {
                s.w("REF", &["EI", t])?;
            }
            set.billing = Some(bp.clone());
        }
        set.hl += 1;
        let sub_hl = set.hl;
        let has_patient = c.patient.is_some();
        s.w("HL", &[&sub_hl.to_string(), &set.billing_hl.to_string(), "22", if has_patient { "1" } else { "0" }])?;
        let sub = &c.subscriber;
        s.w(
            "SBR",
            &[
                "P",
                sub.relationship.as_deref().unwrap_or(""),
                sub.group_number.as_deref().unwrap_or(""),
                "",
                "",
                "",
                "",
                "",
                "CI",
            ],
        )?;
        person_segments(s, "IL", sub)?;
        let pid = c.payer.id.as_deref().unwrap_or("");
        s.w(
            "NM1",
            &[
                "PR",
                "2",
                c.payer.name.as_deref().unwrap_or(""),
                "",
                "",
                "",
                "",
                if pid.is_empty() { "" } else { "PI" },
                pid,
            ],
        )?;
        if let Some(p) = &c.patient {
            set.hl += 1;
            s.w("HL", &[&set.hl.to_string(), &sub_hl.to_string(), "23", "0"])?;
            s.w("PAT", &[p.relationship.as_deref().unwrap_or("")])?;
            person_segments(s, "QC", p)?;
        }
        write_claim(s, c, kind)?;
        set.claims += 1;
        if set.claims == self.opts.claims_per_transaction.max(1) {
            self.close_set()?;
        }
        Ok(())
    }

    /// Writes the open set's SE and hands what is written to the output.
    fn close_set(&mut self) -> Result<(), X12Error> {
        if let Some(set) = self.set.take() {
            let n = (self.s.count - set.start + 1).to_string();
            self.s.w("SE", &[&n, &set.st02])?;
            self.out.write_all(&self.s.buf)?;
            self.s.buf.clear();
        }
        Ok(())
    }

    /// Closes the open transaction set and the envelope (GE, IEA) and returns the output,
    /// flushed.
    pub fn finish(mut self) -> Result<W, X12Error> {
        self.close_set()?;
        let sets = self.sets.to_string();
        self.s.w("GE", &[&sets, &self.gs06])?;
        self.s.w("IEA", &["1", &self.isa13])?;
        self.out.write_all(&self.s.buf)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn write_claim(s: &mut Seg, c: &Claim, kind: ClaimKind) -> Result<(), X12Error> {
    let d = s.d;
    let total = format_cents(c.total_charge.cents());
    let clm05 = match kind {
        ClaimKind::Professional => comp(d, &[c.place_of_service.as_deref().unwrap_or("11"), "B", &c.frequency]),
        ClaimKind::Institutional => {
            let tob = c.type_of_bill.as_deref().unwrap_or("131");
            let tob = if tob.len() == 4 { &tob[1..] } else { tob };
            let facility = tob.get(..2).unwrap_or(tob);
            comp(d, &[facility, "A", &c.frequency])
        }
    };
    match kind {
        ClaimKind::Professional => s.w("CLM", &[&c.id, &total, "", "", &clm05, "Y", "A", "Y", "Y"])?,
        ClaimKind::Institutional => s.w("CLM", &[&c.id, &total, "", "", &clm05, "", "A", "Y", "Y"])?,
    }
    if kind == ClaimKind::Professional
        && let Some(dd) = c.discharge_date
    {
        s.w("DTP", &["096", "D8", &d8(dd)])?;
    }
    if kind == ClaimKind::Institutional
        && let (Some(f), t) = (c.statement_from, c.statement_to)
    {
        let range = format!("{}-{}", d8(f), d8(t.unwrap_or(f)));
        s.w("DTP", &["434", "RD8", &range])?;
    }
    if let Some(a) = c.admission_date {
        s.w("DTP", &["435", "D8", &d8(a)])?;
    }
    if kind == ClaimKind::Institutional
        && let Some(st) = &c.discharge_status
    {
        s.w("CL1", &["", "", st])?;
    }
    if let Some(f8) = &c.payer_claim_control_number {
        s.w("REF", &["F8", f8])?;
    }
    // HI: 837P has one HI of up to 12 codes (principal first); 837I has the principal alone,
    // then the others in groups of 12.
    if kind == ClaimKind::Professional && !c.diagnoses.is_empty() {
        for (k, chunk) in c.diagnoses.chunks(12).enumerate() {
            // A 13th code has no place on an 837P (`claim.dx_count` reports it); it is still
            // written rather than dropped, in a second HI.
            let els: Vec<String> = chunk
                .iter()
                .enumerate()
                .map(|(i, dx)| hi_el(d, dx, if k == 0 && i == 0 { "ABK" } else { "ABF" }))
                .collect();
            let refs: Vec<&str> = els.iter().map(String::as_str).collect();
            s.w("HI", &refs)?;
        }
    } else if let Some((first, rest)) = c.diagnoses.split_first() {
        s.w("HI", &[&hi_el(d, first, "ABK")])?;
        for chunk in rest.chunks(12) {
            let els: Vec<String> = chunk.iter().map(|dx| hi_el(d, dx, "ABF")).collect();
            let refs: Vec<&str> = els.iter().map(String::as_str).collect();
            s.w("HI", &refs)?;
        }
    }
    if let Some(adm) = &c.admitting_diagnosis {
        s.w("HI", &[&hi_el(d, adm, "ABJ")])?;
    }
    for (k, chunk) in c.procedures.chunks(12).enumerate() {
        let els: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let q = p.qualifier.clone().unwrap_or_else(|| if k == 0 && i == 0 { "BBR" } else { "BBQ" }.to_string());
                match p.date {
                    Some(dt) => comp(d, &[&q, &p.code, "D8", &d8(dt)]),
                    None => comp(d, &[&q, &p.code]),
                }
            })
            .collect();
        let refs: Vec<&str> = els.iter().map(String::as_str).collect();
        s.w("HI", &refs)?;
    }
    let provider_loop = |s: &mut Seg, code: &str, prv: &str, p: &Provider| -> Result<(), X12Error> {
        nm1_provider(s, code, p)?;
        if let Some(t) = &p.taxonomy {
            s.w("PRV", &[prv, "PXC", t])?;
        }
        Ok(())
    };
    match kind {
        ClaimKind::Professional => {
            if let Some(p) = &c.referring_provider {
                provider_loop(s, "DN", "RF", p)?;
            }
            if let Some(p) = &c.rendering_provider {
                provider_loop(s, "82", "PE", p)?;
            }
        }
        ClaimKind::Institutional => {
            if let Some(p) = &c.attending_provider {
                provider_loop(s, "71", "AT", p)?;
            }
            if let Some(p) = &c.rendering_provider {
                provider_loop(s, "82", "PE", p)?;
            }
            if let Some(p) = &c.referring_provider {
                provider_loop(s, "DN", "RF", p)?;
            }
        }
    }
    if let Some(paid) = c.prior_payer_paid {
        s.w("SBR", &["S", "", "", "", "", "", "", "", "CI"])?;
        s.w("AMT", &["D", &format_cents(paid.cents())])?;
        s.w("OI", &["", "", "Y", "", "", "Y"])?;
    }
    for (i, l) in c.lines.iter().enumerate() {
        s.w("LX", &[&(i + 1).to_string()])?;
        let mut proc_parts: Vec<&str> = vec!["HC", l.procedure.as_deref().unwrap_or("")];
        proc_parts.extend(l.modifiers.iter().map(String::as_str));
        let proc_comp = if l.procedure.is_some() { comp(d, &proc_parts) } else { String::new() };
        let charge = format_cents(l.charge.cents());
        let u = units(l.units);
        match kind {
            ClaimKind::Professional => {
                let ptrs: Vec<String> = l.pointers.iter().map(|p| p.to_string()).collect();
                let ptr_refs: Vec<&str> = ptrs.iter().map(String::as_str).collect();
                let ptr_comp = comp(d, &ptr_refs);
                s.w(
                    "SV1",
                    &[
                        &proc_comp,
                        &charge,
                        l.unit_basis.as_deref().unwrap_or("UN"),
                        &u,
                        l.place_of_service.as_deref().unwrap_or(""),
                        "",
                        &ptr_comp,
                    ],
                )?;
            }
            ClaimKind::Institutional => {
                s.w(
                    "SV2",
                    &[
                        l.revenue_code.as_deref().unwrap_or(""),
                        &proc_comp,
                        &charge,
                        l.unit_basis.as_deref().unwrap_or("UN"),
                        &u,
                    ],
                )?;
            }
        }
        if let Some(from) = l.date {
            match l.date_to {
                Some(to) => s.w("DTP", &["472", "RD8", &format!("{}-{}", d8(from), d8(to))])?,
                None => s.w("DTP", &["472", "D8", &d8(from)])?,
            }
        }
        if let Some(ctl) = &l.control_number {
            s.w("REF", &["6R", ctl])?;
        }
        if let Some(p) = &l.rendering_provider {
            provider_loop(s, "82", "PE", p)?;
        }
    }
    Ok(())
}

/// Writes to a byte vector.
pub fn write_837_vec(claims: &[Claim], kind: ClaimKind, opts: &EnvelopeOptions) -> Result<Vec<u8>, X12Error> {
    let mut v = Vec::new();
    write_837(claims, kind, &mut v, opts)?;
    Ok(v)
}
