//! Checking claims straight from an 837: the file's own findings (SNIP 1–3) merged with the
//! engine's, each pointing back into the file.

use std::io::Read;
use std::sync::mpsc;

use cleanclaim::{Engine, Finding, Report, Severity};

use crate::r837::{ParsedClaim, read_837};
use crate::sourcemap::SourceMap;

/// Claims checked per batch: enough to keep every core busy, small enough to stream. Three
/// batches are in memory at most (one being read, one waiting, one being checked).
const BATCH: usize = 2048;

/// Rule id of the report that stands for a transaction set the reader had to reject.
pub const STRUCTURE_RULE: &str = "x12.structure";

type Item = Result<ParsedClaim, crate::X12Error>;

/// Reads an 837 (any size, streaming) and checks every claim, handing each report to `sink`
/// in file order. Returns how many reports were produced.
///
/// A transaction set the reader rejects (unknown or misplaced segments, a missing required
/// loop, an unsupported version) becomes a report of its own with no claim id and one
/// `x12.structure` error naming the segment, so nothing is silently dropped; interchange-level
/// findings (control numbers, counts) come last, in a report with no claim id. Input with no
/// readable transaction at all is an error — decided on the first batch of 2,048 transaction
/// sets, so that memory stays bounded: past it, rejected sets are already reports.
///
/// Past the first batch, reading and checking overlap: this thread reads the next batch (and
/// calls `sink`) while another thread checks the last one on the engine's cores. Reading is
/// most of the work (a claim is read in ~4 µs and checked in ~1), so checking in turns left
/// every other core idle for most of a large file.
pub fn check_837_with<R: Read>(
    engine: &Engine,
    reader: R,
    file_name: Option<&str>,
    mut sink: impl FnMut(Report),
) -> Result<usize, cleanclaim::Error> {
    let mut x12 = read_837(reader);
    if let Some(name) = file_name {
        x12 = x12.with_file_name(name);
    }
    let first: Vec<Item> = x12.by_ref().take(BATCH).collect();
    let mut produced = 0usize;
    let mut emit = |reports: Vec<Report>| {
        produced += reports.len();
        reports.into_iter().for_each(&mut sink);
    };
    if first.len() < BATCH {
        // Nothing readable at all (not X12, a 4010 file, a broken header): that is an error.
        if first.iter().all(|r| r.is_err()) {
            return match first.into_iter().next() {
                Some(Err(e)) => Err(e.into()),
                _ => Ok(0),
            };
        }
        // All of the input in one batch: no thread to start.
        emit(check_batch(engine, first));
    } else {
        std::thread::scope(|s| {
            let (to_check, batches) = mpsc::sync_channel::<Vec<Item>>(1);
            // Unbounded, so that the checker never waits on this thread while this thread
            // waits to hand it a batch; it holds at most the reports of the batches in flight.
            let (checked, reports) = mpsc::channel::<Vec<Report>>();
            s.spawn(move || {
                for batch in batches {
                    if checked.send(check_batch(engine, batch)).is_err() {
                        return;
                    }
                }
            });
            let mut batch = first;
            while !batch.is_empty() && to_check.send(batch).is_ok() {
                batch = x12.by_ref().take(BATCH).collect();
                while let Ok(done) = reports.try_recv() {
                    emit(done);
                }
            }
            drop(to_check);
            reports.into_iter().for_each(&mut emit);
        });
    }
    let envelope = x12.envelope_findings();
    if !envelope.is_empty() {
        let findings: Vec<Finding> = envelope.iter().map(crate::Finding::to_core).collect();
        let ok = !findings.iter().any(|f| f.severity == Severity::Error);
        emit(vec![Report { claim_id: None, ok, findings }]);
    }
    Ok(produced)
}

/// The reports of one batch, in its order: the claims checked in place (cloning every claim
/// would double the reader's work), each merged with what the reader found.
fn check_batch(engine: &Engine, batch: Vec<Item>) -> Vec<Report> {
    let claims: Vec<&cleanclaim::Claim> = batch.iter().filter_map(|r| r.as_ref().ok().map(|p| &p.claim)).collect();
    let mut reports = engine.check_many_refs(&claims).into_iter();
    batch
        .iter()
        .map(|item| match item {
            Ok(parsed) => merge(reports.next().expect("one report per claim"), &parsed.findings, &parsed.origin),
            Err(e) => structure_report(e),
        })
        .collect()
}

/// Bytes read at a time to tell an input's format.
const HEAD_BYTES: u64 = 64 << 10;

/// The first bytes of `reader`, enough to tell its format: [`detect`](crate::detect) looks at
/// 8 KiB past any leading blank space, so an input that opens with more blank space than one
/// read is read on until that much follows it (or the input ends).
fn read_head(reader: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    loop {
        let before = head.len();
        reader.by_ref().take(HEAD_BYTES).read_to_end(&mut head)?;
        let ended = head.len() - before < HEAD_BYTES as usize;
        if ended || crate::detect::content(&head).len() >= crate::detect::WINDOW {
            return Ok(head);
        }
    }
}

/// What an input of claims holds, told from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimInput {
    /// An X12 837P or 837I (or an X12 interchange of an unsupported version, which its reader
    /// rejects naming the version).
    X12,
    /// A FHIR R4 Claim or Bundle.
    Fhir,
    /// The claim JSON model: one claim, an array, or JSON lines (anything else is read as
    /// JSON, which names the first thing wrong).
    Json,
}

/// What claims the input starting with `head` (its first 64 KiB, or all of it) holds;
/// an X12 input that holds none — an 835 remittance, a 999 or 277CA acknowledgment — or X12
/// segments without their interchange is an error message that says what the input is.
pub fn claim_input(head: &[u8]) -> Result<ClaimInput, String> {
    use crate::{Format, TxKind};
    match crate::detect(head) {
        Format::X12 { kind: Some(TxKind::Remittance835), .. } => {
            Err("an 835 remittance, not claims: post it to the billing store (`cleanclaim post`)".into())
        }
        Format::X12 { kind: Some(TxKind::Ack999 | TxKind::ClaimAck277), .. } => {
            Err("an acknowledgment (999/277CA), not claims".into())
        }
        Format::X12 { .. } => Ok(ClaimInput::X12),
        Format::X12WithoutIsa { isa_at: Some(at) } => Err(format!(
            "X12 must start with its ISA segment, but the ISA starts at byte {at}, after other text: remove what comes before it"
        )),
        Format::X12WithoutIsa { isa_at: None } => {
            Err("X12 segments without an interchange: the input must start with an ISA segment".into())
        }
        Format::FhirJson => Ok(ClaimInput::Fhir),
        _ => Ok(ClaimInput::Json),
    }
}

/// Checks the claims of an input in any format cleanclaim reads, told from its content
/// ([`claim_input`]), handing each report to `sink` in input order; returns how many there
/// were. An 837 goes through [`check_837_with`] and claim JSON through
/// [`Engine::check_json_read_with`]: both are read as they are checked, so an input of any
/// size takes the memory of a few thousand claims. A FHIR resource is read whole. `name` (a
/// file name) is given to the errors, which say where the input went wrong.
pub fn check_input_with<R: Read>(
    engine: &Engine,
    mut reader: R,
    name: Option<&str>,
    mut sink: impl FnMut(Report),
) -> Result<usize, cleanclaim::Error> {
    let named = |e: cleanclaim::Error| match name {
        Some(n) => e.with_source(n),
        None => e,
    };
    let io = |source| named(cleanclaim::Error::Io { path: String::new(), source });
    let head = read_head(&mut reader).map_err(io)?;
    let kind = claim_input(&head)
        .map_err(|message| cleanclaim::Error::X12 { location: name.unwrap_or("input").to_owned(), message })?;
    let mut rest = head.as_slice().chain(reader);
    match kind {
        ClaimInput::X12 => check_837_with(engine, rest, name, sink),
        ClaimInput::Json => engine.check_json_read_with(rest, sink).map_err(named),
        ClaimInput::Fhir => {
            let mut bytes = Vec::new();
            rest.read_to_end(&mut bytes).map_err(io)?;
            sink(engine.check(&crate::read_fhir_bytes(&bytes, name)?));
            Ok(1)
        }
    }
}

/// The reports `check` hands over while it reads the file at `path`, collected. A file that
/// cannot be opened is [`cleanclaim::Error::Io`] naming it, and so are the errors `check`
/// gives without a name.
pub fn file_reports(
    path: &str,
    check: impl FnOnce(std::fs::File, &mut dyn FnMut(Report)) -> Result<usize, cleanclaim::Error>,
) -> Result<Vec<Report>, cleanclaim::Error> {
    let file = std::fs::File::open(path).map_err(|source| cleanclaim::Error::Io { path: path.to_owned(), source })?;
    let mut out = Vec::new();
    check(file, &mut |r| out.push(r)).map_err(|e| e.with_source(path))?;
    Ok(out)
}

/// [`check_input_with`] of the file at `path`, collecting the reports: a file of any size is
/// read as it is checked (but for a FHIR resource).
pub fn check_file(engine: &Engine, path: &str) -> Result<Vec<Report>, cleanclaim::Error> {
    file_reports(path, |file, sink| check_input_with(engine, file, Some(path), sink))
}

/// Reads and checks a whole 837 held in memory; see [`check_837_with`].
pub fn check_837(engine: &Engine, bytes: &[u8], file_name: Option<&str>) -> Result<Vec<Report>, cleanclaim::Error> {
    let mut out = Vec::new();
    check_837_with(engine, bytes, file_name, |r| out.push(r))?;
    Ok(out)
}

/// The engine's report plus the file's findings; each engine finding's message says which
/// segment and element its path came from.
fn merge(mut report: Report, x12: &[crate::Finding], origin: &SourceMap) -> Report {
    for f in &mut report.findings {
        if let Some(at) = origin.lookup(&f.path) {
            f.message = format!(
                "{} [X12 {}, segment {}, loop {}]",
                f.message,
                at.element_name(),
                at.segment_in_file,
                at.loop_id
            );
        }
    }
    report.findings.extend(x12.iter().map(crate::Finding::to_core));
    report.ok = !report.findings.iter().any(|f| f.severity == Severity::Error);
    report
}

fn structure_report(e: &crate::X12Error) -> Report {
    Report {
        claim_id: None,
        ok: false,
        findings: vec![Finding {
            rule: STRUCTURE_RULE.to_owned(),
            severity: Severity::Error,
            path: String::new(),
            message: format!("transaction set rejected: {e}"),
            line: None,
        }],
    }
}
