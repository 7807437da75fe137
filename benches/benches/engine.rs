//! Engine throughput: construction, `check` per claim, `check_json`, `check_many` scaling and
//! code validity look-ups. `cargo bench -p cleanclaim-benches --bench engine`; under
//! `cargo nextest run --all-targets` every bench runs once on small inputs as a smoke test.

// The allocator the CLI and the Python and Node bindings ship with, as `measure` uses, so the
// numbers are theirs (`docs/performance.md`, twenty-second session).
#[global_allocator]
static GLOBAL: cleanclaim_alloc::MiMalloc = cleanclaim_alloc::MiMalloc;

use std::hint::black_box;

use cleanclaim::codesets::CodeSets;
use cleanclaim::{Engine, parse_claims};
use cleanclaim_benches::{full_engine, inpatient, mce_engine, professional, smoke};
use cleanclaim_synth::to_jsonl;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

fn construction(c: &mut Criterion) {
    let mut g = c.benchmark_group("construct");
    g.bench_function("engine_new", |b| b.iter(|| black_box(Engine::new())));
    g.bench_function("codesets_from_embedded", |b| b.iter(|| black_box(CodeSets::from_embedded().unwrap())));
    g.finish();
}

fn check(c: &mut Criterion) {
    let n = if smoke() { 50 } else { 10_000 };
    let engine = full_engine();
    let mut g = c.benchmark_group("check");
    g.throughput(Throughput::Elements(1));
    for (name, claims, e) in [
        ("professional", professional(n, 1), &engine),
        ("inpatient", inpatient(n, 2, false), &engine),
        ("inpatient_mce_only", inpatient(n, 2, false), &mce_engine()),
    ] {
        let mut i = 0;
        g.bench_function(name, |b| {
            b.iter(|| {
                i = (i + 1) % claims.len();
                black_box(e.check(&claims[i]))
            })
        });
    }
    g.finish();
}

fn json(c: &mut Criterion) {
    let n = if smoke() { 50 } else { 10_000 };
    let engine = full_engine();
    let text = to_jsonl(&professional(n, 3));
    let mut g = c.benchmark_group("json");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("parse_claims", |b| b.iter(|| black_box(parse_claims(&text).unwrap())));
    g.bench_function("parse_and_check_one_core", |b| {
        b.iter(|| parse_claims(&text).unwrap().iter().map(|c| engine.check(c).findings.len()).sum::<usize>())
    });
    g.bench_function("check_json_all_cores", |b| b.iter(|| black_box(engine.check_json(&text).unwrap())));
    g.finish();
}

fn scaling(c: &mut Criterion) {
    let sizes: &[usize] = if smoke() { &[1_000] } else { &[1_000, 10_000, 100_000, 1_000_000] };
    let engine = full_engine();
    let mut g = c.benchmark_group("check_many");
    g.sample_size(10);
    for &n in sizes {
        let claims = professional(n, 4);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(format!("{n}"), |b| b.iter(|| black_box(engine.check_many(&claims))));
    }
    g.finish();
}

fn codes(c: &mut Criterion) {
    let cm = CodeSets::embedded().icd10cm();
    let date = 2026_03_01;
    let step = if smoke() { 997 } else { 7 };
    // Mostly valid codes, one in eight made unknown, as a real batch would be.
    let mut batch: Vec<String> = cm.valid_codes_on(date).into_iter().step_by(step).map(str::to_owned).collect();
    for (i, code) in batch.iter_mut().enumerate() {
        if i % 8 == 0 {
            code.push('9');
        }
    }
    let mut g = c.benchmark_group("codes");
    g.throughput(Throughput::Elements(batch.len() as u64));
    g.bench_function("icd10cm_is_valid_batch", |b| {
        b.iter(|| batch.iter().filter(|code| cm.is_valid(code, date)).count())
    });
    g.bench_function("icd10cm_normalize_and_is_valid_batch", |b| {
        b.iter_batched(
            || batch.iter().map(|c| format!("{}.{}", &c[..3], &c[3..]).to_lowercase()).collect::<Vec<_>>(),
            |raw| raw.iter().filter(|r| cm.is_valid(&cleanclaim::codes::normalize(r), date)).count(),
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, construction, check, json, scaling, codes);
criterion_main!(benches);
