//! Release-mode measurements for `benches/compare/run.sh`: each subcommand prints one JSON
//! object of numbers (medians over several runs) on stdout.
//!
//! ```text
//! measure engine                      Engine::new() time and memory in a fresh process
//! measure check [N]                   per-core and all-core throughput on synthetic claims
//! measure scaling [MAX]               check_many from 10^3 claims up to MAX (default 10^7)
//! measure codes FILE                  ICD-10-CM batch validity and descriptions of FILE's codes
//! measure mce FILE.jsonl              MCE-equivalent rule ids per claim (JSON lines out)
//! measure mce-rate FILE.jsonl         MCE-equivalent rules per core on FILE's claims
//! measure gen-x12 FILE BYTES KIND     writes a synthetic 837 of at least BYTES
//! measure read-x12 FILE [nomap]       streams FILE through the 837 reader: rate and peak memory
//!                                     (`nomap`: without recording each field's origin)
//! measure gen-jsonl FILE N KIND [uniform] [dx=D]
//!                                     (`dx=D`: D diagnoses a claim, 4 unless told)
//! measure gen-codes FILE [N]          N dotted ICD-10-CM codes: 7/8 valid on 2026-04-01, 1/8 not
//! measure profile WHAT N ROUNDS       runs one path (check|mce|check-many|mce-many|parse|json|check-json|validity)
//!                                     ROUNDS times, for a profiler
//! ```

// The allocator the CLI and the Python and Node bindings ship with, so the numbers are theirs.
#[global_allocator]
static GLOBAL: cleanclaim_alloc::MiMalloc = cleanclaim_alloc::MiMalloc;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::Instant;

use cleanclaim::{Claim, ClaimKind, Engine, parse_claims};
use cleanclaim_benches::{MCE_RULES, full_engine, inpatient, inpatient_config, mce_engine, professional};
use cleanclaim_synth::{Config, Generator, to_jsonl, write_x12_stream};
use serde_json::{Value, json};

const RUNS: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    let out = match arg(0) {
        Some("engine") => engine(),
        Some("check") => check(arg(1).map_or(200_000, |n| n.parse().expect("N"))),
        Some("scaling") => scaling(arg(1).map_or(10_000_000, |n| n.parse().expect("MAX"))),
        Some("codes") => codes(arg(1).expect("FILE")),
        Some("mce") => mce(arg(1).expect("FILE")),
        Some("mce-rate") => mce_rate(arg(1).expect("FILE"), arg(2) == Some("mce-only")),
        Some("gen-x12") => gen_x12(arg(1).expect("FILE"), arg(2).expect("BYTES").parse().expect("BYTES"), kind(arg(3))),
        Some("read-x12") => read_x12(arg(1).expect("FILE"), arg(2) != Some("nomap")),
        Some("gen-codes") => gen_codes(arg(1).expect("FILE"), arg(2).map_or(100_000, |n| n.parse().expect("N"))),
        Some("gen-jsonl") => gen_jsonl(
            arg(1).expect("FILE"),
            arg(2).expect("N").parse().expect("N"),
            kind(arg(3)),
            args.iter().any(|a| a == "uniform"),
            args.iter().find_map(|a| a.strip_prefix("dx=")).map_or(4, |d| d.parse().expect("dx=D")),
        ),
        Some("profile") => profile(
            arg(1).expect("WHAT"),
            arg(2).map_or(10_000, |n| n.parse().expect("N")),
            arg(3).map_or(100, |s| s.parse().expect("ROUNDS")),
        ),
        _ => {
            eprintln!(
                "usage: measure engine|check|scaling|codes|mce|mce-rate|gen-x12|read-x12|gen-jsonl|gen-codes|profile ..."
            );
            std::process::exit(2);
        }
    };
    println!("{out}");
}

fn kind(s: Option<&str>) -> ClaimKind {
    match s {
        Some("institutional") => ClaimKind::Institutional,
        _ => ClaimKind::Professional,
    }
}

/// `VmRSS` and `VmHWM` of this process in MiB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Nanoseconds this thread has run on a CPU: per-core rates are measured in CPU time, so a
/// machine shared with other work does not depress them.
fn thread_cpu_ns() -> Option<u64> {
    cpu_ns(libc::CLOCK_THREAD_CPUTIME_ID)
}

/// CPU nanoseconds of every thread of this process: the per-core cost of work that fans out to
/// the rayon pool (parallel JSON lines, `check_json`).
fn process_cpu_ns() -> Option<u64> {
    cpu_ns(libc::CLOCK_PROCESS_CPUTIME_ID)
}

/// What a CPU-time clock reads. Not `/proc/thread-self/schedstat`, which this used to read: on
/// this machine it lags a running thread by up to a scheduler tick (4 ms), so the MCE rules' 50 ms
/// runs read up to 8 % off, in steps (1.79 or 1.92 M claims/s and nothing between); the clock
/// brings the running thread's time up to date.
fn cpu_ns(clock: libc::clockid_t) -> Option<u64> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid place for the call to write; it reads nothing.
    if unsafe { libc::clock_gettime(clock, &mut ts) } != 0 {
        return None;
    }
    Some(u64::try_from(ts.tv_sec).ok()? * 1_000_000_000 + u64::try_from(ts.tv_nsec).ok()?)
}

/// Median per-core rate (items per CPU-second of this thread) of `f` over [`RUNS`] runs, after
/// one warm-up run. Falls back to wall time where the clock cannot be read.
fn rate(items: usize, f: impl FnMut() -> usize) -> f64 {
    cpu_rate(items, thread_cpu_ns, f)
}

/// As [`rate`], counting the CPU time of every thread (work handed to the pool is not free).
fn process_rate(items: usize, f: impl FnMut() -> usize) -> f64 {
    cpu_rate(items, process_cpu_ns, f)
}

fn cpu_rate(items: usize, clock: fn() -> Option<u64>, mut f: impl FnMut() -> usize) -> f64 {
    std::hint::black_box(f());
    median((0..RUNS).map(|_| items as f64 / timed(clock, || std::hint::black_box(f())).1).collect())
}

/// One run of `f`: its result, the CPU seconds `clock` counted (wall seconds where it cannot
/// count) and the wall seconds.
fn timed<R>(clock: fn() -> Option<u64>, f: impl FnOnce() -> R) -> (R, f64, f64) {
    let (c, t) = (clock(), Instant::now());
    let r = f();
    let wall = t.elapsed().as_secs_f64();
    let cpu = match (c, clock()) {
        (Some(a), Some(b)) if b > a => (b - a) as f64 / 1e9,
        _ => wall,
    };
    (r, cpu, wall)
}

/// Median wall-clock rate: for work spread over every core (check_many, check_json).
fn wall_rate(items: usize, f: impl FnMut() -> usize) -> f64 {
    // A clock that never answers: `timed` falls back to wall time.
    cpu_rate(items, || None, f)
}

fn engine() -> Value {
    // A fixed claim parsed before the clock starts: what is timed is the engine, not JSON.
    let claim =
        cleanclaim::parse_claim(include_str!("../../../examples/claims/clean-inpatient.json")).expect("example");
    let (rss0, _) = memory();
    let t = Instant::now();
    let e = Engine::new();
    let new_ms = t.elapsed().as_secs_f64() * 1e3;
    // The embedded tables are read on first use: the first check is the honest "ready" time.
    let ok = e.check(&claim).ok;
    let ready_ms = t.elapsed().as_secs_f64() * 1e3;
    let (rss1, hwm) = memory();
    let t = Instant::now();
    let again = Engine::new();
    std::hint::black_box(again.check(&claim));
    let again_ms = t.elapsed().as_secs_f64() * 1e3;
    json!({
        "engine_new_ms": new_ms,
        "engine_new_and_first_check_ms": ready_ms,
        "second_engine_and_check_ms": again_ms,
        "rss_before_mib": rss0,
        "rss_after_first_check_mib": rss1,
        "peak_rss_mib": hwm,
        "first_claim_ok": ok,
    })
}

/// `check_many` on a pool of one thread: what one core does with a batch of parsed claims
/// (the calling thread's CPU time, which is the pool's one thread).
fn per_core(engine: &Engine, claims: &[Claim]) -> f64 {
    one_thread().install(|| rate(claims.len(), || engine.check_many(claims).iter().filter(|r| r.ok).count()))
}

/// A loop of `check`, each report dropped as it comes: one claim at a time, so no claim's
/// codes are [prefetched](Engine::prefetch) before its turn.
fn per_core_loop(engine: &Engine, claims: &[Claim]) -> f64 {
    rate(claims.len(), || claims.iter().filter(|c| engine.check(c).ok).count())
}

fn one_thread() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a pool of one thread"))
}

fn check(n: usize) -> Value {
    let full = full_engine();
    let mce = mce_engine();
    let prof = professional(n, 1);
    let inp = inpatient(n, 2, false);
    let prof_json = to_jsonl(&prof);
    let findings: usize = prof.iter().map(|c| full.check(c).findings.len()).sum();
    json!({
        "claims": n,
        "threads": cores(),
        "professional_findings_per_claim": findings as f64 / n as f64,
        "check_professional_per_core": per_core(&full, &prof),
        "check_inpatient_per_core": per_core(&full, &inp),
        "mce_rules_inpatient_per_core": per_core(&mce, &inp),
        "check_professional_loop": per_core_loop(&full, &prof),
        "mce_rules_inpatient_loop": per_core_loop(&mce, &inp),
        // Parsing JSON lines fans out to the pool: CPU time of every thread.
        "parse_json_per_core": process_rate(n, || parse_claims(&prof_json).expect("valid JSON").len()),
        "json_parse_and_check_per_core": process_rate(n, || {
            parse_claims(&prof_json).expect("valid JSON").iter().filter(|c| full.check(c).ok).count()
        }),
        "check_json_per_core": process_rate(n, || full.check_json(&prof_json).expect("valid JSON").len()),
        // The same on a pool of one thread: what one core does alone, so that the rate above
        // (both cores busy, CPU of every thread) can be told apart from what contention between
        // the two cores costs.
        "check_json_one_thread": one_thread().install(|| rate(n, || full.check_json(&prof_json).expect("valid JSON").len())),
        "check_json_all_cores": wall_rate(n, || full.check_json(&prof_json).expect("valid JSON").len()),
        "check_many_all_cores": wall_rate(n, || full.check_many(&prof).len()),
        "json_bytes_per_claim": prof_json.len() as f64 / n as f64,
    })
}

/// Runs one path over N claims `rounds` times, with the inputs built first, so a profiler sees
/// mostly that path (under callgrind, `--toggle-collect` the path's function; round one fills
/// lazy caches).
fn profile(what: &str, n: usize, rounds: usize) -> Value {
    let (full, mce) = (full_engine(), mce_engine());
    let claims = match what {
        "mce" | "mce-many" => inpatient(n, 2, false),
        "validity" | "validity-sorted" => Vec::new(),
        _ => professional(n, 1),
    };
    let text = to_jsonl(&claims);
    let codes = if what.starts_with("validity") { validity_codes(n, what == "validity") } else { Vec::new() };
    let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
    let on = cleanclaim::Date::new(2026, 4, 1).expect("valid date");
    let step: Box<dyn Fn() -> usize> = match what {
        "check" => Box::new(|| claims.iter().filter(|c| full.check(c).ok).count()),
        "mce" => Box::new(|| claims.iter().filter(|c| mce.check(c).ok).count()),
        "mce-many" => Box::new(|| one_thread().install(|| mce.check_many(&claims).iter().filter(|r| r.ok).count())),
        "check-many" => Box::new(|| one_thread().install(|| full.check_many(&claims).iter().filter(|r| r.ok).count())),
        "parse" => Box::new(|| text.lines().map(|l| cleanclaim::parse_claim(l).expect("valid JSON").lines.len()).sum()),
        "check-json" => Box::new(|| full.check_json(&text).expect("valid JSON").iter().filter(|r| r.ok).count()),
        "json" => Box::new(|| {
            text.lines().filter(|l| full.check(&cleanclaim::parse_claim(l).expect("valid JSON")).ok).count()
        }),
        "validity" | "validity-sorted" => {
            Box::new(|| full.icd10cm_validity(&codes, on).into_iter().filter(|v| *v).count())
        }
        _ => panic!(
            "WHAT is check, mce, check-many, mce-many (check_many on one thread), parse, json, check-json, validity (codes in random order) or validity-sorted"
        ),
    };
    let t = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(step());
    }
    json!({ "what": what, "per_second": (rounds * n) as f64 / t.elapsed().as_secs_f64() })
}

/// Cores this process may use: rayon's pool (which `check_many` uses) has one thread each.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// check_many at 10^3..MAX claims. Up to 10^5 the claims are generated once and checked
/// several times; above that they are generated in chunks of 10^5 (generation not timed), so
/// memory stays bounded and every claim is distinct.
fn scaling(max: usize) -> Value {
    let engine = full_engine();
    let mut rows = Vec::new();
    let mut n = 1_000;
    while n <= max {
        let r = if n <= 100_000 {
            let claims = professional(n, 4);
            wall_rate(n, || engine.check_many(&claims).len())
        } else {
            let chunk = 100_000;
            let mut g = Generator::new(Config { seed: 4, ..Config::default() });
            let mut secs = 0.0;
            for _ in 0..n / chunk {
                let claims = g.claims(chunk);
                let t = Instant::now();
                std::hint::black_box(engine.check_many(&claims));
                secs += t.elapsed().as_secs_f64();
            }
            n as f64 / secs
        };
        let (_, hwm) = memory();
        rows.push(json!({"claims": n, "rate": r, "peak_rss_mib": hwm}));
        n *= 10;
    }
    json!({ "scaling": rows })
}

fn codes(path: &str) -> Value {
    let text = std::fs::read_to_string(path).expect("codes file");
    let raw: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    let engine = full_engine();
    let date = cleanclaim::Date::new(2026, 4, 1).expect("valid date");
    let cm = engine.codes().icd10cm();
    // The same dotted input the peer gets, through the public batch API (it normalizes).
    let valid = engine.icd10cm_validity(&raw, date).iter().filter(|v| **v).count();
    let normalized: Vec<String> = raw.iter().map(|r| cleanclaim::codes::normalize(r)).collect();
    let norm: Vec<&str> = normalized.iter().map(String::as_str).collect();
    json!({
        "codes": raw.len(),
        "valid": valid,
        "is_valid_raw_per_sec": rate(raw.len(), || engine.icd10cm_validity(&raw, date).len()),
        "is_valid_normalized_per_sec": rate(raw.len(), || engine.icd10cm_validity(&norm, date).len()),
        "description_per_sec": rate(raw.len(), || {
            normalized.iter().filter_map(|c| cm.description(c)).map(|d| d.len()).sum::<usize>()
        }),
    })
}

fn mce(path: &str) -> Value {
    let claims = parse_claims(&std::fs::read_to_string(path).expect("claims file")).expect("valid claims");
    let engine = mce_engine();
    let out = std::io::stdout();
    let mut w = BufWriter::new(out.lock());
    for c in &claims {
        let r = engine.check(c);
        let findings: Vec<Value> = r.findings.iter().map(|f| json!({"rule": f.rule, "path": f.path})).collect();
        writeln!(w, "{}", json!({"id": c.id, "findings": findings})).expect("stdout");
    }
    w.flush().expect("stdout");
    json!({ "claims": claims.len(), "rules": MCE_RULES })
}

/// The MCE-equivalent rules' rate on the claims in `path`, and the full catalogue's unless
/// `mce_only` (the alternating pairs time only the MCE rules, so that ours follows theirs closely).
fn mce_rate(path: &str, mce_only: bool) -> Value {
    let claims = parse_claims(&std::fs::read_to_string(path).expect("claims file")).expect("valid claims");
    let mut out = json!({
        "claims": claims.len(),
        "mce_rules_per_core": per_core(&mce_engine(), &claims),
        "mce_rules_loop": per_core_loop(&mce_engine(), &claims),
        // What the Python side of the comparison enables, so both run the same rules.
        "rules": MCE_RULES,
    });
    if !mce_only {
        out["full_catalogue_per_core"] = json!(per_core(&full_engine(), &claims));
    }
    out
}

fn gen_x12(path: &str, bytes: u64, kind: ClaimKind) -> Value {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path).expect("create"));
    let t = Instant::now();
    let (claims, written) = write_x12_stream(&Config::default(), kind, bytes, 5000, &mut w).expect("write 837");
    w.flush().expect("flush");
    json!({"claims": claims, "bytes": written, "secs": t.elapsed().as_secs_f64()})
}

fn read_x12(path: &str, source_map: bool) -> Value {
    let len = std::fs::metadata(path).expect("file").len();
    let (mut rates, mut wall) = (Vec::new(), Vec::new());
    let (mut claims, mut lines) = (0usize, 0usize);
    // A file this large is read once: the run is long enough, and the page cache may not hold it.
    let runs = if len > 200 << 20 { 1 } else { RUNS };
    for _ in 0..runs {
        let ((c, l), cpu, secs) = timed(thread_cpu_ns, || {
            // The file as it is: the tokenizer reads in chunks of its own, and a `BufReader`
            // around it only copies every byte once more.
            let claims = cleanclaim_x12::read_837(File::open(path).expect("open"));
            let claims = if source_map { claims } else { claims.without_source_map() };
            claims.fold((0, 0), |(c, l), r| (c + 1, l + r.expect("valid 837").claim.lines.len()))
        });
        (claims, lines) = (c, l);
        rates.push(len as f64 / cpu);
        wall.push(len as f64 / secs);
    }
    let mut segments = 0u64;
    let tokenize = rate(len as usize, || {
        let mut t = cleanclaim_x12::Tokenizer::new(File::open(path).expect("open"));
        segments = 0;
        while t.next_segment().expect("valid X12").is_some() {
            segments += 1;
        }
        segments as usize
    });
    let (_, hwm) = memory();
    json!({
        "bytes": len,
        "segments": segments,
        "tokenize_bytes_per_sec": tokenize,
        "claims": claims,
        "lines": lines,
        "bytes_per_sec": median(rates),
        "wall_bytes_per_sec": median(wall),
        "peak_rss_mib": hwm,
    })
}

fn gen_jsonl(path: &str, n: usize, kind: ClaimKind, uniform: bool, diagnoses: usize) -> Value {
    let institutional = kind == ClaimKind::Institutional;
    let cfg = if institutional { inpatient_config(11, uniform) } else { Config { seed: 11, ..Config::default() } };
    let claims = Generator::new(Config { diagnoses, ..cfg }).claims(n);
    std::fs::write(path, to_jsonl(&claims)).expect("write");
    json!({"claims": n, "path": path})
}

/// `n` dotted codes (the peer takes dotted codes), in code order or shuffled; an eighth get a
/// ninth character no code has, so they are not in the table.
fn validity_codes(n: usize, shuffled: bool) -> Vec<String> {
    let cm = cleanclaim::codesets::CodeSets::embedded().icd10cm();
    let valid = cm.valid_codes_on(2026_04_01);
    let step = (valid.len() / n.max(1)).max(1);
    let mut out: Vec<String> = valid
        .iter()
        .cycle()
        .step_by(step)
        .take(n)
        .enumerate()
        .map(|(i, code)| cleanclaim::codes::dotted(code) + if i % 8 == 7 { "9Z" } else { "" })
        .collect();
    if shuffled {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for i in (1..out.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            out.swap(i, (x % (i as u64 + 1)) as usize);
        }
    }
    out
}

fn gen_codes(path: &str, n: usize) -> Value {
    let mut out = validity_codes(n, false).join("\n");
    out.push('\n');
    std::fs::write(path, out).expect("write");
    json!({"codes": n, "path": path})
}
