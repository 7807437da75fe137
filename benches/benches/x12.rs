//! X12 837 throughput (bytes per second) on synthetic 837P and 837I: the tokenizer alone, the
//! full 837 reader (envelope, loops, claims, source maps), and on every core what the CLI's
//! `check` and `convert --to jsonl` do with a file; writing the claims back as an 837.

// The allocator the CLI and the Python and Node bindings ship with, as `measure` uses, so the
// numbers are theirs (`docs/performance.md`, twenty-second session).
#[global_allocator]
static GLOBAL: cleanclaim_alloc::MiMalloc = cleanclaim_alloc::MiMalloc;

use std::hint::black_box;

use cleanclaim::{ClaimKind, Engine};
use cleanclaim_benches::smoke;
use cleanclaim_synth::{Config, write_x12_stream};
use cleanclaim_x12::{EnvelopeOptions, Tokenizer, check_837_with, map_input_with, read_837_bytes, write_837};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn x12(c: &mut Criterion) {
    let size = if smoke() { 20_000 } else { 8 << 20 };
    let mut g = c.benchmark_group("x12_837");
    for (name, kind) in [("professional", ClaimKind::Professional), ("institutional", ClaimKind::Institutional)] {
        let mut bytes = Vec::new();
        write_x12_stream(&Config::default(), kind, size, 5000, &mut bytes).expect("synthetic claims write");
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(format!("tokenize_{name}"), |b| {
            b.iter(|| {
                let mut t = Tokenizer::new(bytes.as_slice());
                let mut n = 0u64;
                while t.next_segment().expect("valid X12").is_some() {
                    n += 1;
                }
                n
            })
        });
        g.bench_function(format!("read_{name}"), |b| {
            b.iter(|| read_837_bytes(black_box(&bytes)).map(|r| r.expect("valid 837").claim.lines.len()).sum::<usize>())
        });
        // Transaction sets of 1,000 claims, so that 8 MB make a dozen jobs for the pool: in
        // sets of 5,000 it is three jobs, and filling and draining the pipeline is the time.
        let mut sets = Vec::new();
        write_x12_stream(&Config::default(), kind, size, 1000, &mut sets).expect("synthetic claims write");
        g.throughput(Throughput::Bytes(sets.len() as u64));
        let engine = Engine::new();
        g.bench_function(format!("check_all_cores_{name}"), |b| {
            b.iter(|| {
                let mut ok = 0usize;
                check_837_with(&engine, black_box(sets.as_slice()), None, |r| ok += usize::from(r.ok))
                    .expect("valid 837");
                ok
            })
        });
        g.bench_function(format!("to_json_lines_all_cores_{name}"), |b| {
            b.iter(|| {
                let mut written = 0usize;
                let line = |c: &mut cleanclaim::Claim| serde_json::to_vec(c).expect("a claim serializes").len() + 1;
                map_input_with(black_box(sets.as_slice()), None, line, |n| written += n).expect("valid 837");
                written
            })
        });
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        let claims: Vec<_> = read_837_bytes(&bytes).map(|r| r.expect("valid 837").claim).collect();
        g.bench_function(format!("write_{name}"), |b| {
            let mut out = Vec::with_capacity(bytes.len() + (bytes.len() >> 2));
            b.iter(|| {
                out.clear();
                write_837(black_box(&claims), kind, &mut out, &EnvelopeOptions::default()).expect("claims write");
                out.len()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, x12);
criterion_main!(benches);
