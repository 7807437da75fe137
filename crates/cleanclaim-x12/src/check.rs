//! Checking claims straight from an 837: the file's own findings (SNIP 1–3) merged with the
//! engine's, each pointing back into the file.

use std::collections::{BTreeMap, VecDeque};
use std::io::Read;
use std::ops::ControlFlow;
use std::sync::{Mutex, mpsc};

use cleanclaim::{Engine, Finding, Report, Severity};

use crate::envelope::Envelope;
use crate::r837::{Job, JobReader, ParsedClaim};
use crate::sourcemap::SourceMap;

/// Items (claims and rejected sets) past which an input can no longer be "nothing readable".
const BATCH: usize = 2048;

/// A job is handed over once it holds this much and no transaction set is open in it.
const JOB_BYTES: usize = 1 << 20;

/// A transaction set that grows past this is cut: its jobs are read in turn, on one thread.
const SET_BYTES: usize = 16 << 20;

/// The calling thread waits for the oldest job once the jobs not yet handed to the sink hold
/// this much: with the claims a worker holds (`CHECK_CLAIMS`), all the memory a check takes.
const IN_FLIGHT_BYTES: usize = 16 << 20;

/// Claims a worker reads before checking them.
const CHECK_CLAIMS: usize = 256;

/// Rule id of the report that stands for a transaction set the reader had to reject.
pub const STRUCTURE_RULE: &str = "x12.structure";

type Item = Result<ParsedClaim, crate::X12Error>;

/// What a job gave: `work`'s result for each batch of its items, in order, and the job
/// emptied, its buffers to be filled again.
struct Done<T> {
    out: Vec<T>,
    size: usize,
    job: Job,
}

/// Reads one job, handing its items to `work` `CHECK_CLAIMS` at a time, so that a worker
/// holds a few hundred claims however large the job's transaction sets are.
fn read_job<T>(
    reader: &mut JobReader,
    mut job: Job,
    file: Option<&str>,
    work: &impl Fn(&mut Vec<Item>) -> T,
) -> Done<T> {
    let size = job.size();
    let (mut out, mut batch) = (Vec::new(), Vec::new());
    reader.read(&mut job, file, |item| {
        batch.push(item);
        if batch.len() == CHECK_CLAIMS {
            out.push(work(&mut batch));
            batch.clear();
        }
    });
    if !batch.is_empty() {
        out.push(work(&mut batch));
    }
    Done { out, size, job }
}

/// Jobs that continue a transaction set cut in parts, read in turn by one task at a time.
struct Lane {
    jobs: Mutex<LaneJobs>,
    reader: Mutex<JobReader>,
}

#[derive(Default)]
struct LaneJobs {
    waiting: VecDeque<(u64, Job)>,
    /// A task is reading them (it ends once none is left).
    running: bool,
}

type Finished<T> = (u64, std::thread::Result<Done<T>>);

/// The calling thread's side of the jobs: their results put back in file order and handed to
/// `emit` until it breaks, the bytes of the jobs not yet handed over, and the emptied jobs, to
/// fill again (a job's buffers grow to a transaction set's size once).
struct InOrder<T, E> {
    next: u64,
    waiting: BTreeMap<u64, Done<T>>,
    in_flight: usize,
    spare: Vec<Job>,
    emit: E,
    /// `emit` broke: later results are dropped.
    stopped: bool,
}

impl<T, E: FnMut(T) -> ControlFlow<()>> InOrder<T, E> {
    /// Takes a job's result and hands over every result it completes the order of; a panic
    /// in the job goes on here.
    fn receive(&mut self, (seq, done): Finished<T>) {
        let done = done.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        self.waiting.insert(seq, done);
        while let Some(done) = self.waiting.remove(&self.next) {
            self.in_flight -= done.size;
            self.spare.push(done.job);
            self.next += 1;
            for out in done.out {
                self.stopped = self.stopped || (self.emit)(out).is_break();
            }
        }
    }
}

/// Reads an 837 (any size, streaming) on every core of the pool: its items (claims and
/// transaction sets the reader rejects) go through `work` on a worker, a batch of a few hundred
/// at a time, and each batch's result to `emit` on this thread, in file order, until `emit`
/// breaks (reading stops there). Returns the interchange-level findings.
///
/// This thread only tokenizes the input and checks its envelope, copying the segments of whole
/// transaction sets into jobs of about a megabyte; workers build the claims of a job (through
/// the reader's own steps, with their source maps when `source_map`). A transaction set larger
/// than `set_bytes` is cut, and its jobs are read in turn. Memory is bounded by the jobs in
/// flight (`in_flight_bytes`, and the one being filled) and a few hundred claims a worker,
/// whatever the input's size.
fn map_837<R: Read, T: Send>(
    reader: R,
    file_name: Option<&str>,
    [job_bytes, set_bytes, in_flight_bytes]: [usize; 3],
    source_map: bool,
    work: impl Fn(&mut Vec<Item>) -> T + Sync,
    emit: impl FnMut(T) -> ControlFlow<()>,
) -> Vec<crate::Finding> {
    let mut env = Envelope::new(reader);
    let mut envelope_findings = Vec::new();
    // Called from the pool, this thread could be the one its jobs wait for: read them here.
    let inline = rayon::current_thread_index().is_some();
    let lane = Lane { jobs: Mutex::default(), reader: Mutex::new(JobReader::new(source_map)) };
    rayon::in_place_scope(|scope| {
        let (finished, results) = mpsc::channel::<Finished<T>>();
        let (lane, work) = (&lane, &work);
        let read = move |reader: &mut JobReader, job: Job| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_job(reader, job, file_name, work)))
        };
        let run_lane = move |finished: mpsc::Sender<Finished<T>>| loop {
            let Some((seq, job)) = ({
                let mut jobs = lane.jobs.lock().unwrap_or_else(|p| p.into_inner());
                let next = jobs.waiting.pop_front();
                jobs.running = next.is_some();
                next
            }) else {
                return;
            };
            let mut reader = lane.reader.lock().unwrap_or_else(|p| p.into_inner());
            let _ = finished.send((seq, read(&mut reader, job)));
        };
        let mut order =
            InOrder { next: 0, waiting: BTreeMap::new(), in_flight: 0, spare: Vec::new(), emit, stopped: false };
        let mut next_seq = 0u64;
        // Hands `job` over (`cut`: it holds part of a set cut in parts, read in the lane) and
        // gives the job to fill next, or `None` once `emit` has broken.
        let mut hand_over = |job: Job, cut: bool| -> Option<Job> {
            let seq = next_seq;
            next_seq += 1;
            order.in_flight += job.size();
            // An input of one job is read here: nothing to overlap, and no wait on a channel
            // (whose first use on a thread allocates what a C host's main thread never frees).
            if inline || (seq == 0 && job.last) {
                let done = if cut {
                    read(&mut lane.reader.lock().unwrap_or_else(|p| p.into_inner()), job)
                } else {
                    read(&mut JobReader::new(source_map), job)
                };
                order.receive((seq, done));
            } else {
                if cut {
                    let mut jobs = lane.jobs.lock().unwrap_or_else(|p| p.into_inner());
                    jobs.waiting.push_back((seq, job));
                    if !jobs.running {
                        jobs.running = true;
                        let finished = finished.clone();
                        scope.spawn(move |_| run_lane(finished));
                    }
                } else {
                    let finished = finished.clone();
                    scope.spawn(move |_| {
                        let _ = finished.send((seq, read(&mut JobReader::new(source_map), job)));
                    });
                }
                while order.in_flight > in_flight_bytes {
                    match results.recv() {
                        Ok(done) => order.receive(done),
                        Err(_) => break,
                    }
                }
            }
            (!order.stopped).then(|| order.spare.pop().unwrap_or_default())
        };
        let mut job = Job::default();
        // A set is open at the end of `job`; `job` continues a set cut before it.
        let (mut open, mut cut) = (false, false);
        loop {
            match env.next_item() {
                Ok(Some(item)) => {
                    // ISA, GS, GE and IEA hold nothing to read: the envelope has checked them.
                    if let Some(info) = item.tx {
                        job.push(&item, info);
                        open = item.seg.code() != crate::token::id::SE;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    job.lost(e);
                    open = false;
                }
            }
            env.move_findings_to(&mut envelope_findings);
            let size = job.size();
            if (!open && size >= job_bytes) || size >= set_bytes {
                match hand_over(std::mem::take(&mut job), cut || open) {
                    Some(next) => job = next,
                    None => return,
                }
                cut = open;
            }
        }
        env.move_findings_to(&mut envelope_findings);
        job.last = true;
        hand_over(job, cut || open);
        // The channel closes once every job's task has sent its result.
        drop(finished);
        for done in results.iter() {
            order.receive(done);
        }
    });
    envelope_findings
}

/// A batch of items checked: their reports, with what deciding "nothing readable" needs.
struct Checked {
    reports: Vec<Report>,
    items: usize,
    claims: usize,
    first_error: Option<crate::X12Error>,
}

fn check_items(engine: &Engine, batch: &mut Vec<Item>) -> Checked {
    let mut checked = Checked { reports: check_batch(engine, batch), items: batch.len(), claims: 0, first_error: None };
    for item in batch.drain(..) {
        match item {
            Ok(_) => checked.claims += 1,
            Err(e) => {
                checked.first_error.get_or_insert(e);
            }
        }
    }
    checked
}

/// Reads an 837 (any size, streaming) and checks every claim, handing each report to `sink`
/// in file order. Returns how many reports were produced.
///
/// A transaction set the reader rejects (unknown or misplaced segments, a missing required
/// loop, an unsupported version) becomes a report of its own with no claim id and one
/// `x12.structure` error naming the segment, so nothing is silently dropped; interchange-level
/// findings (control numbers, counts) come last, in a report with no claim id. Input with no
/// readable transaction at all is an error — decided on the first 2,048 claims and rejected
/// sets, whose reports are held until then, so that memory stays bounded.
///
/// Reading is shared by every core of the engine's pool. This thread only tokenizes the input
/// and checks its envelope, copying the segments of whole transaction sets into jobs of about
/// a megabyte; workers build the claims of a job (through the reader's own steps) and check
/// them. A transaction set larger than 16 MiB is cut, and its jobs are read in turn. Reports
/// come back to this thread and reach `sink` here, in file order. Memory is bounded by the
/// jobs in flight (16 MiB, and the one being filled) and a few hundred claims a worker, whatever the input's size.
pub fn check_837_with<R: Read>(
    engine: &Engine,
    reader: R,
    file_name: Option<&str>,
    sink: impl FnMut(Report),
) -> Result<usize, cleanclaim::Error> {
    check_837_sized(engine, reader, file_name, SIZES, sink)
}

/// The job size, transaction-set cut and bytes in flight of [`map_837`].
const SIZES: [usize; 3] = [JOB_BYTES, SET_BYTES, IN_FLIGHT_BYTES];

/// [`check_837_with`] with its job size, transaction-set cut and bytes in flight given
/// (`sizes`, in that order): for tests, which must see jobs cut everywhere give the same
/// reports.
#[doc(hidden)]
pub fn check_837_sized<R: Read>(
    engine: &Engine,
    reader: R,
    file_name: Option<&str>,
    sizes: [usize; 3],
    mut sink: impl FnMut(Report),
) -> Result<usize, cleanclaim::Error> {
    let (mut produced, mut items, mut claims) = (0usize, 0usize, 0usize);
    let mut first_error = None;
    let mut held: Vec<Report> = Vec::new();
    let emit = |done: Checked| {
        items += done.items;
        claims += done.claims;
        if first_error.is_none() {
            first_error = done.first_error;
        }
        produced += done.reports.len();
        if claims > 0 || items >= BATCH {
            held.drain(..).chain(done.reports).for_each(&mut sink);
        } else {
            held.extend(done.reports);
        }
        ControlFlow::Continue(())
    };
    let envelope_findings = map_837(reader, file_name, sizes, true, |batch| check_items(engine, batch), emit);
    if claims == 0 && items < BATCH {
        // Nothing readable at all (not X12, a 4010 file, a broken header): that is an error.
        return match first_error {
            Some(e) => Err(e.into()),
            None => Ok(0),
        };
    }
    if !envelope_findings.is_empty() {
        let findings: Vec<Finding> = envelope_findings.iter().map(crate::Finding::to_core).collect();
        let ok = !findings.iter().any(|f| f.severity == Severity::Error);
        sink(Report { claim_id: None, ok, findings });
        produced += 1;
    }
    Ok(produced)
}

/// The reports of one batch, in its order: the claims checked in place (cloning every claim
/// would double the reader's work), each merged with what the reader found.
fn check_batch(engine: &Engine, batch: &[Item]) -> Vec<Report> {
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
    reader: R,
    name: Option<&str>,
    mut sink: impl FnMut(Report),
) -> Result<usize, cleanclaim::Error> {
    let (kind, rest) = told_input(reader, name)?;
    match kind {
        ClaimInput::X12 => check_837_with(engine, rest, name, sink),
        ClaimInput::Json => engine.check_json_read_with(rest, sink).map_err(|e| named(e, name)),
        ClaimInput::Fhir => {
            sink(engine.check(&read_fhir_whole(rest, name)?));
            Ok(1)
        }
    }
}

/// Reads the claims of an input in any format cleanclaim reads, told from its content
/// ([`claim_input`]), maps each with `f` on every core and hands the results to `sink` in
/// input order; returns how many there were. An 837 and JSON lines are read as they are
/// handed over, so an input of any size takes the memory of a few thousand claims
/// (`cleanclaim convert` of a file of any size); a FHIR resource, a JSON array or a single
/// claim is read whole. The first error stops, after the results of the claims before it: an
/// 837's transaction set the reader rejects (the reading stops there), a bad JSON line. `name`
/// (a file name) is given to the errors.
pub fn map_input_with<R: Read, T: Send>(
    reader: R,
    name: Option<&str>,
    f: impl Fn(&mut cleanclaim::Claim) -> T + Sync + Send,
    mut sink: impl FnMut(T),
) -> Result<usize, cleanclaim::Error> {
    let (kind, rest) = told_input(reader, name)?;
    match kind {
        ClaimInput::X12 => {
            let (mut n, mut failed) = (0, None);
            let work = |batch: &mut Vec<Item>| -> Vec<_> {
                batch.drain(..).map(|item| item.map(|mut parsed| f(&mut parsed.claim))).collect()
            };
            map_837(rest, name, SIZES, false, work, |results| {
                for result in results {
                    match result {
                        Ok(t) => {
                            sink(t);
                            n += 1;
                        }
                        Err(e) => {
                            failed = Some(e);
                            return ControlFlow::Break(());
                        }
                    }
                }
                ControlFlow::Continue(())
            });
            match failed {
                Some(e) => Err(e.into()),
                None => Ok(n),
            }
        }
        ClaimInput::Json => cleanclaim::map_claims_read(rest, f, sink).map_err(|e| named(e, name)),
        ClaimInput::Fhir => {
            sink(f(&mut read_fhir_whole(rest, name)?));
            Ok(1)
        }
    }
}

/// [`map_input_with`], handing over the claims themselves.
pub fn read_input_with<R: Read>(
    reader: R,
    name: Option<&str>,
    sink: impl FnMut(cleanclaim::Claim),
) -> Result<usize, cleanclaim::Error> {
    let blank = || cleanclaim::Claim::blank(String::new(), cleanclaim::ClaimKind::Professional);
    map_input_with(reader, name, |c| std::mem::replace(c, blank()), sink)
}

/// `e`, naming the input `name` when there is one.
fn named(e: cleanclaim::Error, name: Option<&str>) -> cleanclaim::Error {
    match name {
        Some(n) => e.with_source(n),
        None => e,
    }
}

fn io_error(source: std::io::Error, name: Option<&str>) -> cleanclaim::Error {
    named(cleanclaim::Error::Io { path: String::new(), source }, name)
}

/// What claims `reader` holds ([`claim_input`] of its first bytes), and the whole input again.
fn told_input<R: Read>(mut reader: R, name: Option<&str>) -> Result<(ClaimInput, impl Read), cleanclaim::Error> {
    let head = read_head(&mut reader).map_err(|e| io_error(e, name))?;
    let kind = claim_input(&head)
        .map_err(|message| cleanclaim::Error::X12 { location: name.unwrap_or("input").to_owned(), message })?;
    Ok((kind, std::io::Cursor::new(head).chain(reader)))
}

/// The FHIR resource `rest` holds, read whole.
fn read_fhir_whole(mut rest: impl Read, name: Option<&str>) -> Result<cleanclaim::Claim, cleanclaim::Error> {
    let mut bytes = Vec::new();
    rest.read_to_end(&mut bytes).map_err(|e| io_error(e, name))?;
    crate::read_fhir_bytes(&bytes, name)
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
