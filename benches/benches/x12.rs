//! X12 837 reading throughput (bytes per second): tokenizer alone and the full 837 reader
//! (envelope, loops, claims, source maps) on synthetic 837P and 837I.

use std::hint::black_box;

use cleanclaim::ClaimKind;
use cleanclaim_benches::smoke;
use cleanclaim_synth::{Config, write_x12_stream};
use cleanclaim_x12::{Tokenizer, read_837_bytes};
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
    }
    g.finish();
}

criterion_group!(benches, x12);
criterion_main!(benches);
