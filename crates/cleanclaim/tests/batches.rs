//! `Engine::try_check_batches`: batches produced on the calling thread are checked on the pool,
//! and what comes back is exactly what a serial loop over the claims gives: every report in
//! input order, or the earliest failing claim's error with its index in the whole input, or
//! the producer's error. Batches come back to the calling thread; a worker's panic reaches
//! the caller instead of hanging it.

use std::borrow::Cow;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::ThreadId;

use cleanclaim::{Claim, Engine, Report, parse_claim};

fn engine() -> Engine {
    Engine::builder().as_of(cleanclaim::Date::parse("2026-06-30").unwrap()).build().unwrap()
}

/// `n` claims with distinct ids; odd ones with a bad total, so reports differ.
fn claims(n: usize) -> Vec<Claim> {
    let base = parse_claim(include_str!("../../../examples/claims/clean-office-visit.json")).unwrap();
    (0..n)
        .map(|i| {
            let mut c = base.clone();
            c.id = format!("C{i}");
            if i % 2 == 1 {
                c.total_charge = cleanclaim::Money(1);
            }
            c
        })
        .collect()
}

fn ids(reports: &[Report]) -> Vec<Option<String>> {
    reports.iter().map(|r| r.claim_id.as_deref().map(str::to_owned)).collect()
}

/// A batch: its claims' positions in `all`, and which of them fail to build.
struct Batch<'a> {
    all: &'a [Claim],
    range: std::ops::Range<usize>,
    bad: &'a [usize],
}

/// Runs `try_check_batches` over `all` cut into batches of the given sizes.
fn run(
    all: &[Claim],
    sizes: &[usize],
    bad: &[usize],
    fail_producing: bool,
) -> Result<Result<Vec<Report>, (usize, String)>, &'static str> {
    let engine = engine();
    let (waits, freed) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let result = engine.try_check_batches(
        |send| {
            let mut start = 0;
            for &n in sizes {
                send(Batch { all, range: start..start + n, bad });
                start += n;
            }
            if fail_producing { Err("producer failed") } else { Ok(()) }
        },
        |b| b.range.len(),
        |b, k| {
            let i = b.range.start + k;
            if b.bad.contains(&i) { Err(format!("claim {i} is bad")) } else { Ok(Cow::Borrowed(&b.all[i])) }
        },
        |b| {
            freed.fetch_add(1, Ordering::Relaxed);
            // Nothing reads a batch after it is checked: an emptied one must not change a report.
            b.range = b.range.end..b.range.end;
        },
        |check| {
            waits.fetch_add(1, Ordering::Relaxed);
            check();
            // Before the batches come back, not after: that is what the hook is for.
            let freed = freed.load(Ordering::Relaxed);
            assert!(freed <= sizes.len(), "`checked` runs at most once per batch");
            assert!(fail_producing || freed == sizes.len(), "`checked` ran on {freed} of {} batches", sizes.len());
        },
    );
    assert!(waits.load(Ordering::Relaxed) <= 1, "the caller blocks in one `wait`");
    assert!(fail_producing || waits.load(Ordering::Relaxed) == 1, "a whole run waits once");
    result
}

#[test]
fn reports_come_back_in_input_order_however_the_claims_are_cut() {
    let all = claims(1000);
    let serial = engine().check_many(&all);
    for sizes in [&[1000][..], &[1, 999], &[256, 256, 256, 232], &[10; 100], &[0, 500, 0, 500]] {
        let reports = run(&all, sizes, &[], false).unwrap().unwrap();
        assert_eq!(ids(&reports), ids(&serial), "{sizes:?}");
        assert_eq!(reports.iter().map(|r| r.ok).collect::<Vec<_>>(), serial.iter().map(|r| r.ok).collect::<Vec<_>>());
    }
    assert!(run(&all, &[], &[], false).unwrap().unwrap().is_empty());
}

#[test]
fn the_earliest_bad_claim_wins_with_its_index_in_the_whole_input() {
    let all = claims(1000);
    for sizes in [&[1000][..], &[256, 256, 256, 232], &[7; 142]] {
        let sizes: Vec<usize> = sizes.iter().copied().chain([1000 - sizes.iter().sum::<usize>()]).collect();
        let err = run(&all, &sizes, &[900, 321, 322, 10_000], false).unwrap().unwrap_err();
        assert_eq!(err, (321, "claim 321 is bad".to_string()), "{sizes:?}");
    }
}

#[test]
fn a_producer_error_comes_first() {
    let all = claims(600);
    for sizes in [&[600][..], &[300, 300], &[]] {
        assert_eq!(run(&all, sizes, &[5], true).unwrap_err(), "producer failed", "{sizes:?}");
    }
}

/// Records the thread that drops it.
struct Tracked<'a> {
    claims: Vec<Claim>,
    dropped_on: &'a std::sync::Mutex<Vec<ThreadId>>,
}

impl Drop for Tracked<'_> {
    fn drop(&mut self) {
        self.dropped_on.lock().unwrap().push(std::thread::current().id());
    }
}

#[test]
fn batches_are_dropped_on_the_calling_thread() {
    let dropped_on = std::sync::Mutex::new(Vec::new());
    let all = claims(900);
    let reports = engine()
        .try_check_batches(
            |send| {
                for part in all.chunks(100) {
                    send(Tracked { claims: part.to_vec(), dropped_on: &dropped_on });
                }
                Ok::<(), ()>(())
            },
            |b| b.claims.len(),
            |b, k| Ok::<_, ()>(Cow::Borrowed(&b.claims[k])),
            |_| {},
            |check| std::thread::scope(|s| s.spawn(check).join().unwrap()),
        )
        .unwrap()
        .unwrap();
    assert_eq!(reports.len(), 900);
    let dropped_on = dropped_on.into_inner().unwrap();
    assert_eq!(dropped_on.len(), 9);
    assert!(dropped_on.iter().all(|&t| t == std::thread::current().id()), "{dropped_on:?}");
}

#[test]
fn a_panic_on_a_worker_reaches_the_caller() {
    let all = claims(2000);
    for sizes in [&[2000][..], &[256; 7]] {
        let sizes: Vec<usize> = sizes.iter().copied().chain([2000 - sizes.iter().sum::<usize>()]).collect();
        let engine = engine();
        let caught = catch_unwind(AssertUnwindSafe(|| {
            engine.try_check_batches(
                |send| {
                    let mut start = 0;
                    for &n in &sizes {
                        send((&all[..], start..start + n));
                        start += n;
                    }
                    Ok::<(), ()>(())
                },
                |(_, range)| range.len(),
                |(all, range), k| {
                    let i = range.start + k;
                    assert_ne!(i, 1234, "deliberate test panic");
                    Ok::<_, ()>(Cow::Borrowed(&all[i]))
                },
                |_| {},
                |check| check(),
            )
        }));
        assert!(caught.is_err(), "{sizes:?}");
    }
}

/// `check_many` loads each claim's codes two claims ahead of its check: the reports must be
/// those of checking one claim after another, at every length (the serial path under 64
/// claims, the pool above it, the last claims with no claim that far ahead), whatever the
/// codes (not normalized, ICD-9, empty, not ASCII, none at all).
#[test]
fn check_many_reports_what_checking_one_by_one_reports() {
    let e = engine();
    let examples = [
        include_str!("../../../examples/claims/clean-inpatient.json"),
        include_str!("../../../examples/claims/clean-office-visit.json"),
        include_str!("../../../examples/claims/defective-dates.json"),
        include_str!("../../../examples/claims/defective-pointer-and-units.json"),
    ];
    let codes = ["E11.9", "e119", "I10", "S52521A", "Z", "", "é11", "25000", "A00", "R69"];
    let all: Vec<Claim> = (0..300)
        .map(|i| {
            let mut c = parse_claim(examples[i % examples.len()]).unwrap();
            c.id = format!("C{i}");
            if let Some(d) = c.diagnoses.first_mut() {
                d.code = codes[i % codes.len()].to_string();
                // Every seventh claim says its codes are ICD-9.
                d.qualifier = (i % 7 == 0).then(|| "BK".to_string());
            }
            if i % 11 == 0 {
                c.diagnoses.clear();
                c.procedures.clear();
            }
            c
        })
        .collect();
    let refs: Vec<&Claim> = all.iter().collect();
    for n in [0, 1, 2, 3, 63, 64, 65, 66, 300] {
        let one_by_one: Vec<Report> = all[..n].iter().map(|c| e.check(c)).collect();
        assert_eq!(e.check_many(&all[..n]), one_by_one, "{n} claims");
        assert_eq!(e.check_many_refs(&refs[..n]), one_by_one, "{n} borrowed claims");
    }
    // The reports differ from claim to claim, so a report out of place would show.
    let distinct: std::collections::HashSet<String> =
        e.check_many(&all).iter().map(|r| format!("{:?}", r.findings)).collect();
    assert!(distinct.len() > 10, "only {} distinct sets of findings", distinct.len());
    // An engine without a day of its own asks once per call: the same reports, as of today
    // (unless the day changed while they were made).
    let today = Engine::new();
    let before = cleanclaim::Date::today();
    let (many, one_by_one) = (today.check_many(&all), all.iter().map(|c| today.check(c)).collect::<Vec<_>>());
    if cleanclaim::Date::today() == before {
        assert_eq!(many, one_by_one);
    }
}

/// Reports hold claim ids of up to 24 bytes inline and longer ones on the heap: both come back
/// whole, in reports and in their JSON.
#[test]
fn claim_ids_of_any_length_come_back_whole() {
    let e = engine();
    let mut cs = claims(3);
    let long = "X".repeat(24) + "-and-then-some-more-than-fits-inline";
    cs[0].id = "C".repeat(24);
    cs[1].id = long.clone();
    cs[2].id = "ÄÖÜ-é".into();
    let reports = e.check_many(&cs);
    assert_eq!(ids(&reports), vec![Some("C".repeat(24)), Some(long.clone()), Some("ÄÖÜ-é".into())]);
    let json = serde_json::to_value(&reports[1]).unwrap();
    assert_eq!(json["claim_id"], serde_json::Value::String(long));
    let back: Report = serde_json::from_value(json).unwrap();
    assert_eq!(back, reports[1]);
}

#[test]
fn try_check_each_gives_the_serial_loops_reports_or_its_earliest_error() {
    let all = claims(5000);
    let e = engine();
    let serial: Vec<Report> = all.iter().map(|c| e.check(c)).collect();
    let reports = e.try_check_each(all.len(), |i| Ok::<_, usize>(&all[i])).unwrap();
    assert_eq!(reports, serial);
    // Failures in every part of the input, so that each thread of the pool meets some; the
    // earliest is not the first any thread meets.
    for earliest in [0, 1, 1_200, 2_400, 2_500, 4_999] {
        let bad = |i: usize| i == earliest || (i > earliest && i.is_multiple_of(97));
        let got = e.try_check_each(all.len(), |i| if bad(i) { Err(i) } else { Ok(&all[i]) });
        assert_eq!(got.unwrap_err(), earliest);
    }
}
