//! Checking claims straight from an 837: the file's own findings (SNIP 1–3) merged with the
//! engine's, each pointing back into the file.

use std::io::Read;

use cleanclaim::{Engine, Finding, Report, Severity};

use crate::r837::{ParsedClaim, read_837};
use crate::sourcemap::SourceMap;

/// Claims checked per batch: enough to keep every core busy, small enough to stream.
const BATCH: usize = 4096;

/// Rule id of the report that stands for a transaction set the reader had to reject.
pub const STRUCTURE_RULE: &str = "x12.structure";

/// Reads an 837 (any size, streaming) and checks every claim, handing each report to `sink`
/// in file order. Returns how many reports were produced.
///
/// A transaction set the reader rejects (unknown or misplaced segments, a missing required
/// loop, an unsupported version) becomes a report of its own with no claim id and one
/// `x12.structure` error naming the segment, so nothing is silently dropped; interchange-level
/// findings (control numbers, counts) come last, in a report with no claim id. Input with no
/// readable transaction at all is an error — decided on the first batch of 4,096 transaction
/// sets, so that memory stays bounded: past it, rejected sets are already reports.
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
    let mut batch: Vec<Result<ParsedClaim, crate::X12Error>> = Vec::with_capacity(BATCH);
    let mut produced = 0usize;
    let mut flush = |batch: &mut Vec<Result<ParsedClaim, crate::X12Error>>, produced: &mut usize| {
        // Checked in place: cloning every claim for the batch would double the reader's work.
        let claims: Vec<&cleanclaim::Claim> = batch.iter().filter_map(|r| r.as_ref().ok().map(|p| &p.claim)).collect();
        let mut reports = engine.check_many_refs(&claims).into_iter();
        for item in batch.drain(..) {
            *produced += 1;
            match item {
                Ok(parsed) => {
                    let report = reports.next().expect("one report per claim");
                    sink(merge(report, &parsed.findings, &parsed.origin));
                }
                Err(e) => sink(structure_report(&e)),
            }
        }
    };
    for item in &mut x12 {
        batch.push(item);
        if batch.len() == BATCH {
            flush(&mut batch, &mut produced);
        }
    }
    // Nothing readable at all (not X12, a 4010 file, a broken header): that is an error.
    if produced == 0 && batch.iter().all(|r| r.is_err()) {
        if let Some(Err(e)) = batch.into_iter().next() {
            return Err(e.into());
        }
        return Ok(0);
    }
    flush(&mut batch, &mut produced);
    let envelope = x12.envelope_findings();
    if !envelope.is_empty() {
        let findings: Vec<Finding> = envelope.iter().map(crate::Finding::to_core).collect();
        let ok = !findings.iter().any(|f| f.severity == Severity::Error);
        sink(Report { claim_id: None, ok, findings });
        produced += 1;
    }
    Ok(produced)
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
