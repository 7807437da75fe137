//! The engine: a configured rule set that checks claims. Immutable after construction, so one
//! engine serves any number of threads.

use std::collections::HashMap;

use std::sync::Arc;

use rayon::prelude::*;

use crate::codesets::CodeSets;
use crate::model::{Claim, ClaimType};
use crate::ncci::Ncci;
use crate::prefetch::{self, FIELDS_AHEAD, LISTS_AHEAD};
use crate::profile::{PayerRule, Profile};
use crate::report::{ClaimId, Report, Severity};
use crate::rules::{self, Context, Rule, RuleMeta, Sink};
use crate::{Date, Error};

/// How many claims ahead of the one it checks [`Engine::check_many`] prefetches codes: far
/// enough that they arrive in time, near enough that they are still in cache. MCE rules on
/// 100,000 inpatient claims, one thread, medians of alternating runs: 2 against none ×1.20
/// (seven pairs); against 2, 1 read ×0.98 and 4 ×0.94 (five each).
pub const PREFETCH_AHEAD: usize = 2;

#[derive(Clone, Copy)]
struct Active {
    rule: &'static dyn Rule,
    /// The rule's id, read once when the engine is built rather than per rule per claim.
    id: &'static str,
    severity: Severity,
}

impl std::fmt::Debug for Active {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.id, self.severity)
    }
}

/// Checks claims against the rule catalogue.
///
/// ```
/// use cleanclaim::{Engine, parse_claim};
///
/// let claim = parse_claim(include_str!("../../../examples/claims/clean-office-visit.json"))?;
/// let report = Engine::new().check(&claim);
/// assert!(report.ok, "{:?}", report.findings);
/// # Ok::<(), cleanclaim::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Engine {
    // Split by claim type up front so `check` never filters.
    by_type: [Vec<Active>; 3],
    as_of: Option<Date>,
    ncci: Arc<Ncci>,
    // None: the embedded tables (a `&'static`, so engines share them for free).
    codes: Option<Arc<CodeSets>>,
    payer_rules: Vec<PayerRule>,
    // See `TEST_PANIC_CLAIM_ID`.
    test_panic: bool,
    // Whether `check_many` fetches claims' lists and fields ahead (`crate::prefetch`): not for
    // an engine of code rules alone, which reads little more than its codes.
    prefetch_fields: bool,
}

/// Whether a rule, by its family, reads little of a claim but its codes (and the patient's age
/// and sex): the `dx.*` and `px.*` rules, the MCE edits among them. An engine of such rules
/// alone gains nothing from [`check_many`](Engine::check_many) fetching claims' lists and
/// fields ahead (`crate::prefetch`).
fn reads_codes_only(rule: &str) -> bool {
    rule.starts_with("dx.") || rule.starts_with("px.")
}

/// A claim with this id makes [`Engine::check`] panic, but only on an engine built while the
/// environment variable `CLEANCLAIM_TEST_PANIC` was `1`. It exists so the bindings' tests can
/// prove a panic inside the core (also on a rayon worker in `check_many`) surfaces as an error
/// and never aborts the host process; production engines never see the variable.
pub const TEST_PANIC_CLAIM_ID: &str = "__cleanclaim_test_panic__";

impl Default for Engine {
    fn default() -> Engine {
        Engine::new()
    }
}

fn type_index(t: ClaimType) -> usize {
    match t {
        ClaimType::Professional => 0,
        ClaimType::Inpatient => 1,
        ClaimType::Outpatient => 2,
    }
}

impl Engine {
    /// An engine with every default-enabled rule at its default severity.
    pub fn new() -> Engine {
        Engine::builder().build().expect("the default configuration is valid")
    }

    /// Starts configuring an engine.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The code sets this engine reads.
    pub fn codes(&self) -> &CodeSets {
        self.codes.as_deref().unwrap_or_else(|| CodeSets::embedded())
    }

    /// Everything known about a code (ICD-10-CM, ICD-10-PCS, HCPCS, modifier or CPT shape),
    /// on `date` or across all dates.
    pub fn lookup(&self, code: &str, date: Option<Date>) -> Option<crate::lookup::CodeLookup> {
        crate::lookup::lookup(self.codes(), code, date)
    }

    /// Ranked ICD-10-CM search over descriptions and inclusion terms.
    pub fn search(&self, words: &str, limit: usize) -> Vec<crate::lookup::SearchResult> {
        crate::lookup::search(self.codes(), words, limit)
    }

    /// Whether each ICD-10-CM code is valid on `date`, in input order. Takes any sequence of
    /// strings (`&[&str]`, `&Vec<String>`, an iterator over a column), so a caller need not
    /// collect its codes into a list first. Reads the set of the codes valid on `date`'s span
    /// of dates, which the first call for the span builds, as [`icd10cm_valid`](Engine::icd10cm_valid)
    /// does.
    pub fn icd10cm_validity<S: AsRef<str>>(&self, codes: impl IntoIterator<Item = S>, date: Date) -> Vec<bool> {
        crate::lookup::icd10cm_validity(self.codes(), codes, date)
    }

    /// [`icd10cm_validity`](Engine::icd10cm_validity) of codes keyed already, one
    /// [`CodeKey`](crate::codes::CodeKey) each: for a caller that holds each code's text only
    /// for a moment, as a binding holding the GIL does.
    pub fn icd10cm_validity_of_keys(&self, keys: &[crate::codes::CodeKey], date: Date) -> Vec<bool> {
        crate::lookup::icd10cm_validity_of_keys(self.codes(), keys, date)
    }

    /// [`icd10cm_validity`](Engine::icd10cm_validity) of one code, allocating nothing for a code of at most 8
    /// ASCII characters (every real one; longer or non-ASCII input is normalized into a copy).
    /// The first call for a date builds the set of the codes valid on its span of dates (1–10 ms,
    /// 1 MiB, shared by every engine on the same code sets; at most eight spans), which later
    /// calls read instead of the full 6 MiB index: one code at a time, a look-up waits for its
    /// memory.
    pub fn icd10cm_valid(&self, code: &str, date: Date) -> bool {
        crate::lookup::icd10cm_valid(self.codes(), code, date)
    }

    /// Checks one claim, as of the engine's day ([`as_of`](EngineBuilder::as_of), or today).
    pub fn check(&self, claim: &Claim) -> Report {
        self.check_on(claim, self.day())
    }

    /// The day claims are checked as of: the configured one, or today. A call that checks
    /// many claims asks once, so its claims are checked as of one day even across midnight.
    /// Asking per claim (the clock read, the date worked out) cost ~65 ns a claim: without a
    /// configured day, `check_many` ran the MCE rules ×1.20 and the full catalogue ×1.02
    /// faster asking once (medians of five alternating pairs, twenty-second session).
    fn day(&self) -> Date {
        self.as_of.unwrap_or_else(Date::today)
    }

    /// [`check`](Engine::check) as of `day`.
    fn check_on(&self, claim: &Claim, day: Date) -> Report {
        if self.test_panic && claim.id == TEST_PANIC_CLAIM_ID {
            panic!("deliberate test panic (CLEANCLAIM_TEST_PANIC=1)");
        }
        let mut cx = Context::unfilled(claim, day, &self.ncci, self.codes());
        cx.look_up_codes();
        let mut findings = Vec::new();
        for a in &self.by_type[type_index(cx.claim_type)] {
            a.rule.check(&cx, &mut Sink::new(&mut findings, a.id, a.severity));
        }
        for r in &self.payer_rules {
            r.check(claim, &mut findings);
        }
        let ok = !findings.iter().any(|f| f.severity == Severity::Error);
        Report { claim_id: Some(ClaimId::from(claim.id.as_str())), ok, findings }
    }

    /// Starts loading the code-table entries that checking `claim` reads first (each
    /// diagnosis's and ICD-10-PCS procedure's), without waiting for them: a hint for a loop
    /// that checks claims one by one, called on a claim [`PREFETCH_AHEAD`] ahead of the one
    /// it checks, as [`check_many`](Engine::check_many) does. Among many claims most codes'
    /// entries are not in cache, and [`check`](Engine::check) waits for each in turn.
    #[inline]
    pub fn prefetch(&self, claim: &Claim) {
        let codes = self.codes();
        for d in &claim.diagnoses {
            codes.icd10cm().prefetch(&d.code);
        }
        for p in &claim.procedures {
            codes.icd10pcs().prefetch(&p.code);
        }
    }

    /// Checks claims on every core, all as of one day (the engine's, or today when the call
    /// starts); reports come back in input order.
    pub fn check_many(&self, claims: &[Claim]) -> Vec<Report> {
        self.check_ahead(claims.len(), |i| &claims[i])
    }

    /// [`check_many`](Engine::check_many) over borrowed claims, for callers that hold their
    /// claims elsewhere (a binding's own objects) and should not copy them into a slice.
    pub fn check_many_refs(&self, claims: &[&Claim]) -> Vec<Report> {
        self.check_ahead(claims.len(), |i| claims[i])
    }

    /// Checks claims `claim(0..n)`, already built, as [`try_check_each`](Engine::try_check_each)
    /// does, [prefetching](Engine::prefetch) each claim's codes [`PREFETCH_AHEAD`] claims
    /// before its turn, and the claim's own lists and fields before that (`crate::prefetch`).
    /// Where a thread's share ends, it prefetches for the next share's first claims, which
    /// another thread checks: a few wasted hints a share.
    fn check_ahead<'c>(&self, n: usize, claim: impl Fn(usize) -> &'c Claim + Sync) -> Vec<Report> {
        let ahead = |i: usize| {
            if self.prefetch_fields {
                if i + LISTS_AHEAD < n {
                    prefetch::lists(claim(i + LISTS_AHEAD));
                }
                if i + FIELDS_AHEAD < n {
                    prefetch::fields(claim(i + FIELDS_AHEAD));
                }
            } else {
                if i + LISTS_AHEAD < n {
                    prefetch::code_lists(claim(i + LISTS_AHEAD));
                }
                if i + FIELDS_AHEAD < n {
                    prefetch::codes(claim(i + FIELDS_AHEAD));
                }
            }
            if i + PREFETCH_AHEAD < n {
                self.prefetch(claim(i + PREFETCH_AHEAD));
            }
            Ok::<_, std::convert::Infallible>(claim(i))
        };
        let Ok(reports) = self.try_check_each(n, ahead);
        reports
    }

    /// Checks the `n` claims that `claim(i)` builds or borrows (for `i` in `0..n`), on every
    /// core when there are many; reports in input order. When building a claim fails, the
    /// error of the earliest failing `i` is returned instead, as a serial loop would give —
    /// for callers whose claims still need parsing (a binding's dicts or table rows).
    pub fn try_check_each<C, E>(&self, n: usize, claim: impl Fn(usize) -> Result<C, E> + Sync) -> Result<Vec<Report>, E>
    where
        C: std::borrow::Borrow<Claim>,
        E: Send,
    {
        let day = self.day();
        let one = |i| claim(i).map(|c| self.check_on(c.borrow(), day));
        // Waking the pool costs more than checking a few claims.
        if n < 64 {
            return (0..n).map(one).collect();
        }
        // Collected straight into the reports, the earliest error kept aside. Collecting `Result`s
        // and turning them into reports afterwards, `check_many` on one thread ran the MCE rules
        // ~10 % slower (six alternating pairs: ×0.96–1.18 for this, median ×1.10); rayon's own
        // collect into a `Result` (which stops at some error, not the earliest) ran them ×0.91–0.99
        // of that, as it gives up the indexed collect.
        let failed: std::sync::Mutex<Option<(usize, E)>> = std::sync::Mutex::new(None);
        let reports: Vec<Report> = (0..n)
            .into_par_iter()
            .with_min_len(64)
            .map(|i| {
                one(i).unwrap_or_else(|e| {
                    let mut first = failed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    if first.as_ref().is_none_or(|&(j, _)| i < j) {
                        *first = Some((i, e));
                    }
                    Report::default()
                })
            })
            .collect();
        match failed.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner) {
            Some((_, e)) => Err(e),
            None => Ok(reports),
        }
    }

    /// Checks claims that `produce` hands over in batches, on every core, while `produce` is
    /// still running on the calling thread: for callers that can only prepare claims on one
    /// thread (a binding converting its objects under an interpreter lock), so that checking
    /// the first batches overlaps with preparing the next.
    ///
    /// `produce` calls its argument once per batch; `len(b)` is the number of claims in batch
    /// `b`, and `claim(b, k)` builds claim `k` of it or borrows it from `b`, on any thread.
    /// `checked(b)` runs once checking batch `b` is over, an error included (on the worker, or inside
    /// `wait` for a batch spread over the pool), before `b` goes back: the place to
    /// free what only checking needed (a binding's parsed copy of its objects), so that memory
    /// holds the batches in flight rather than every batch until the end. The calling
    /// thread blocks only inside `wait`, which must call the function it is given (a binding
    /// releases its lock around it). Batches come back to the calling thread and are dropped
    /// there after `wait` returns, so they may hold references that only that thread may
    /// release; a batch whose check panicked is dropped on the worker while unwinding.
    ///
    /// Reports come back in input order. A batch handed over alone is spread over the pool
    /// as by [`try_check_each`](Engine::try_check_each); with more, each is checked on one
    /// thread. If `produce` fails, its error is returned (once the batches it handed over are
    /// done). Otherwise, when claims fail to build, the earliest one's error is returned with
    /// its index in the whole input, as a serial loop would give. A panic on a worker is
    /// resumed on the calling thread once every batch is done.
    ///
    /// Call it from outside rayon's pool: `wait` blocks the calling thread on a channel, and a
    /// pool thread blocked there could be the one its batches wait for.
    ///
    /// ```
    /// use cleanclaim::{Engine, parse_claim};
    /// use std::borrow::Cow;
    ///
    /// let claim = parse_claim(include_str!("../../../examples/claims/clean-office-visit.json"))?;
    /// let batches = vec![vec![claim.clone(); 100], vec![claim.clone(); 50], vec![claim; 7]];
    /// let checked = Engine::new().try_check_batches(
    ///     |send| {
    ///         batches.into_iter().for_each(send);
    ///         Ok::<(), String>(())
    ///     },
    ///     |b| b.len(),
    ///     |b, k| Ok::<_, String>(Cow::Borrowed(&b[k])),
    ///     |_| {},
    ///     |check| check(),
    /// );
    /// assert_eq!(checked.unwrap().unwrap().len(), 157);
    /// # Ok::<(), cleanclaim::Error>(())
    /// ```
    pub fn try_check_batches<B, E, P>(
        &self,
        produce: impl FnOnce(&mut dyn FnMut(B)) -> Result<(), P>,
        len: impl Fn(&B) -> usize,
        claim: impl for<'b> Fn(&'b B, usize) -> Result<std::borrow::Cow<'b, Claim>, E> + Sync,
        checked: impl Fn(&mut B) + Sync,
        wait: impl FnOnce(&mut (dyn FnMut() + Send)),
    ) -> Result<Result<Vec<Report>, (usize, E)>, P>
    where
        B: Send + Sync,
        E: Send,
    {
        type Checked<B, E> = (usize, B, Result<Vec<Report>, (usize, E)>);
        let (claim, len, checked, day) = (&claim, &len, &checked, self.day());
        debug_assert!(rayon::current_thread_index().is_none(), "try_check_batches called from the rayon pool");
        let mut alone = None;
        let mut done: Vec<Checked<B, E>> = Vec::new();
        let (tx, rx) = std::sync::mpsc::channel::<Checked<B, E>>();
        let produced = rayon::in_place_scope(|scope| {
            let mut next = 0;
            // Owns the only `tx` outside the workers, so the channel closes when the last
            // worker finishes or unwinds: nothing counts what was sent.
            let mut spawn = move |b: B| {
                let (base, n, tx) = (next, len(&b), tx.clone());
                next += n;
                scope.spawn(move |_| {
                    let mut b = b;
                    let result = (0..n)
                        .map(|k| claim(&b, k).map(|c| self.check_on(&c, day)).map_err(|e| (base + k, e)))
                        .collect();
                    checked(&mut b);
                    let _ = tx.send((base, b, result));
                });
            };
            // The first batch waits for a second: alone, it is worth spreading over the pool.
            let mut first = None;
            let mut got_first = false;
            let produced = produce(&mut |b| match first.take() {
                None if !got_first => {
                    got_first = true;
                    first = Some(b);
                }
                held => {
                    held.into_iter().for_each(&mut spawn);
                    spawn(b);
                }
            });
            drop(spawn);
            match first {
                Some(mut b) if produced.is_ok() => {
                    let (n, alone) = (len(&b), &mut alone);
                    wait(&mut move || {
                        *alone = Some(self.try_check_each(n, |k| claim(&b, k).map_err(|e| (k, e))));
                        checked(&mut b);
                    });
                }
                Some(_) => {}
                None => {
                    let done = &mut done;
                    wait(&mut move || done.extend(rx.iter()));
                }
            }
            produced
        });
        produced?;
        if let Some(checked) = alone {
            return Ok(checked);
        }
        done.sort_unstable_by_key(|(base, ..)| *base);
        let mut reports = Vec::with_capacity(done.iter().map(|(.., r)| r.as_ref().map_or(0, Vec::len)).sum());
        for (_, _, result) in done {
            match result {
                Ok(r) => reports.extend(r),
                Err(e) => return Ok(Err(e)),
            }
        }
        Ok(Ok(reports))
    }

    /// Parses JSON (one claim, an array or JSON lines) and checks every claim.
    ///
    /// On bad input nothing is returned but the error; [`check_json_with`](Engine::check_json_with)
    /// also hands over the reports of the claims before the bad one.
    pub fn check_json(&self, text: &str) -> Result<Vec<Report>, Error> {
        let mut reports = Vec::new();
        self.check_json_with(text, |r| reports.push(r))?;
        Ok(reports)
    }

    /// Parses JSON (one claim, an array or JSON lines) and checks every claim on every core,
    /// handing each report to `on_report` on the calling thread, in input order, as soon as
    /// its piece is checked. Returns how many reports were handed over.
    ///
    /// JSON lines stream: they are parsed and checked 1 MB of lines at a time, so however
    /// large `text` is, only one piece's claims and reports are held at once. An array or a
    /// single claim is one JSON document and is parsed whole first.
    ///
    /// Bad input gives the error [`parse_claims`](crate::parse_claims) gives: the earliest
    /// bad line's, with its line, column and path. As with the streaming X12 check, the reports
    /// of every claim before that line have been handed over by then (all of them, whatever
    /// the split into pieces), and none after it; a caller that must not act on a partial
    /// batch collects them and drops them on error, as [`check_json`](Engine::check_json)
    /// does. A bad array or single claim hands over nothing.
    ///
    /// ```
    /// use cleanclaim::Engine;
    ///
    /// let claim: serde_json::Value =
    ///     serde_json::from_str(include_str!("../../../examples/claims/clean-office-visit.json")).unwrap();
    /// let text = format!("{claim}\n{claim}\n{{\"id\": 1}}\n{claim}\n");
    /// let mut ok = 0;
    /// let err = Engine::new().check_json_with(&text, |r| ok += usize::from(r.ok)).unwrap_err();
    /// assert_eq!(ok, 2, "the two claims before the bad line");
    /// assert!(matches!(err, cleanclaim::Error::Json { line: 3, .. }), "{err}");
    /// ```
    pub fn check_json_with(&self, text: &str, on_report: impl FnMut(Report)) -> Result<usize, Error> {
        let day = self.day();
        crate::input::map_claims_with(text, |c| self.check_on(c, day), on_report)
    }

    /// [`check_json_with`](Engine::check_json_with) of claims read from `reader` (a file, a
    /// pipe): JSON lines are read a piece at a time, so a batch of any size takes the memory
    /// of one piece (about a megabyte of lines) and never the whole input; an array or a
    /// single claim is read whole first. Bytes that are not UTF-8 are an error at their line;
    /// a failed read is an [`Error::Io`] with an empty path ([`Error::with_source`] names it).
    pub fn check_json_read_with(
        &self,
        reader: impl std::io::Read,
        on_report: impl FnMut(Report),
    ) -> Result<usize, Error> {
        let day = self.day();
        crate::input::map_claims_read(reader, |c| self.check_on(c, day), on_report)
    }

    /// The rules this engine runs, with their effective severities, in catalogue order.
    pub fn rules(&self) -> Vec<(&'static RuleMeta, Severity)> {
        let mut out: Vec<(&'static RuleMeta, Severity)> = Vec::new();
        for list in &self.by_type {
            for a in list {
                if !out.iter().any(|(m, _)| m.id == a.rule.meta().id) {
                    out.push((a.rule.meta(), a.severity));
                }
            }
        }
        let order = |id: &str| rules::catalogue().iter().position(|r| r.meta().id == id);
        out.sort_by_key(|(m, _)| order(m.id));
        out
    }
}

/// Configures an [`Engine`]: which rules run, at which severity, on which "today".
#[derive(Debug, Default, Clone)]
pub struct EngineBuilder {
    enable: Vec<String>,
    disable: Vec<String>,
    severity: HashMap<String, Severity>,
    as_of: Option<Date>,
    ncci: Option<Arc<Ncci>>,
    codes: Option<Arc<CodeSets>>,
    profile: Option<Profile>,
    releases: Vec<crate::release::ReleaseFile>,
}

impl EngineBuilder {
    /// Runs a rule that is off by default.
    pub fn enable(mut self, rule: &str) -> Self {
        self.enable.push(rule.to_owned());
        self
    }

    /// Turns a rule off.
    pub fn disable(mut self, rule: &str) -> Self {
        self.disable.push(rule.to_owned());
        self
    }

    /// Overrides a rule's severity.
    pub fn severity(mut self, rule: &str, severity: Severity) -> Self {
        self.severity.insert(rule.to_owned(), severity);
        self
    }

    /// Fixes "today" (for dates-in-the-future checks), making runs reproducible. Without it,
    /// each call reads the clock once: the claims of one `check_many` (or one input) are
    /// checked as of the day the call started.
    pub fn as_of(mut self, date: Date) -> Self {
        self.as_of = Some(date);
        self
    }

    /// Uses these NCCI tables (PTP, MUE, add-on codes).
    pub fn ncci(mut self, tables: Ncci) -> Self {
        self.ncci = Some(Arc::new(tables));
        self
    }

    /// Uses these code sets instead of the embedded ones (e.g. with a newer release loaded
    /// through [`CodeSets::builder`]).
    pub fn codesets(mut self, codes: CodeSets) -> Self {
        self.codes = Some(Arc::new(codes));
        self
    }

    /// Loads a CMS/CDC release file on top of the code sets (see [`crate::release`]); files
    /// load in the order given, when the engine is built.
    pub fn release(mut self, file: crate::release::ReleaseFile) -> Self {
        self.releases.push(file);
        self
    }

    /// Applies a profile: its rule selection, severities and payer rules. Calls to
    /// `enable`/`disable`/`severity` on this builder take precedence over the profile.
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = Some(profile);
        self
    }

    /// Builds the engine; an unknown rule id is a configuration error.
    pub fn build(mut self) -> Result<Engine, Error> {
        if !self.releases.is_empty() {
            if self.codes.is_some() {
                return Err(Error::Config("give either code sets or release files, not both".into()));
            }
            self.codes = Some(Arc::new(crate::release::load(&self.releases)?));
        }
        let mut payer_rules = Vec::new();
        if let Some(p) = self.profile.take() {
            let sel = p.rules;
            // Profile first, builder calls after: the later entry wins below.
            let (enable, disable) = (std::mem::take(&mut self.enable), std::mem::take(&mut self.disable));
            self.enable =
                sel.enable.into_iter().filter(|e| !disable.contains(e)).chain(enable.iter().cloned()).collect();
            self.disable = sel.disable.into_iter().filter(|d| !enable.contains(d)).chain(disable).collect();
            for (id, sev) in sel.severity {
                self.severity.entry(id).or_insert(sev);
            }
            payer_rules = p.payer_rules;
        }
        for id in self.enable.iter().chain(&self.disable).chain(self.severity.keys()) {
            if rules::find(id).is_none() {
                return Err(Error::Config(format!("unknown rule id `{id}` (see `cleanclaim rules`)")));
            }
        }
        let mut by_type: [Vec<Active>; 3] = Default::default();
        for &rule in rules::catalogue() {
            let m = rule.meta();
            let on =
                (m.default_enabled || self.enable.iter().any(|e| e == m.id)) && !self.disable.iter().any(|d| d == m.id);
            if !on {
                continue;
            }
            let severity = self.severity.get(m.id).copied().unwrap_or(m.severity);
            for &t in m.applies_to {
                by_type[type_index(t)].push(Active { rule, id: m.id, severity });
            }
        }
        let prefetch_fields = by_type.iter().flatten().any(|a| !reads_codes_only(a.id));
        // Read once here, so `check` costs one bool test and the variable can't change mid-run.
        let test_panic = std::env::var_os("CLEANCLAIM_TEST_PANIC").is_some_and(|v| v == "1");
        Ok(Engine {
            by_type,
            as_of: self.as_of,
            ncci: self.ncci.unwrap_or_default(),
            codes: self.codes,
            payer_rules,
            test_panic,
            prefetch_fields,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Engine>();
    }

    #[test]
    fn unknown_rule_ids_are_configuration_errors() {
        let e = Engine::builder().disable("no.such_rule").build().unwrap_err();
        assert_eq!(e.code(), "config");
    }

    #[test]
    fn severity_overrides_and_disabling_apply() {
        let mut claim = crate::rules::testing::base_claim();
        claim.total_charge = crate::Money(1);
        let r = Engine::builder().severity("claim.total_mismatch", Severity::Warning).build().unwrap().check(&claim);
        assert!(r.ok);
        assert_eq!(r.findings[0].severity, Severity::Warning);
        let r = Engine::builder().disable("claim.total_mismatch").build().unwrap().check(&claim);
        assert!(r.findings.is_empty());
    }

    /// Prefetching cannot change an answer; what can go wrong is the stages' walk over a claim
    /// (empty lists, missing boxes, boxes present) on the pooled path, and which engines run it.
    #[test]
    fn check_many_stages_walk_empty_and_boxed_fields_and_skip_code_only_engines() {
        let base = crate::rules::testing::base_claim();
        let mut odd = base.clone();
        // Nothing behind the lists and boxes the stages follow: empty and missing everywhere.
        odd.diagnoses.clear();
        odd.lines.clear();
        odd.patient = None;
        odd.rendering_provider = None;
        odd.billing_provider = crate::model::Provider::default();
        let mut boxed = base.clone();
        boxed.patient = Some(Box::new(base.subscriber.clone()));
        boxed.referring_provider = Some(Box::new(base.billing_provider.clone()));
        let claims: Vec<Claim> = (0..300)
            .map(|i| {
                let mut c = [&base, &odd, &boxed][i % 3].clone();
                c.id = format!("C{i}");
                c
            })
            .collect();
        let full = Engine::new();
        // The MCE-equivalent set is all `dx.*` and `px.*`; one `claim.*` rule turns the stages on.
        let mce = ["dx.invalid", "dx.age_conflict", "px.invalid", "px.noncovered"];
        let off = rules::catalogue().iter().map(|r| r.meta().id).filter(|id| !mce.contains(id));
        let codes_only = off.clone().fold(Engine::builder(), |b, id| b.disable(id)).build().unwrap();
        let plus_one = off.filter(|id| *id != "claim.dates").fold(Engine::builder(), |b, id| b.disable(id));
        let plus_one = plus_one.build().unwrap();
        assert!(full.prefetch_fields);
        assert!(!codes_only.prefetch_fields);
        assert!(plus_one.prefetch_fields);
        for engine in [&full, &codes_only] {
            let one_by_one: Vec<Report> = claims.iter().map(|c| engine.check(c)).collect();
            assert_eq!(engine.check_many(&claims), one_by_one);
            assert_eq!(engine.check_many_refs(&claims.iter().collect::<Vec<_>>()), one_by_one);
        }
    }
}
