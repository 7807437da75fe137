//! Embedded construction time and `status()` lookups.
#![allow(clippy::inconsistent_digit_grouping)]
use cleanclaim_codesets::CodeSets;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    c.bench_function("construct_embedded", |b| b.iter(|| black_box(CodeSets::from_embedded().unwrap())));
    let cs = CodeSets::embedded();
    let cm = cs.icd10cm();
    let codes: Vec<&str> = cm.valid_codes_on(2025_10_01).into_iter().step_by(97).collect();
    let mut i = 0;
    c.bench_function("icd10cm_status_valid", |b| {
        b.iter(|| {
            i = (i + 1) % codes.len();
            black_box(cm.status(black_box(codes[i]), 2025_10_01))
        })
    });
    c.bench_function("icd10cm_status_claim_4dx", |b| {
        b.iter(|| {
            for code in ["E1122", "I10", "Z794", "N1830"] {
                black_box(cm.status(black_box(code), 2025_10_01));
            }
        })
    });
    c.bench_function("icd10cm_status_unknown", |b| b.iter(|| black_box(cm.status(black_box("E11999"), 2025_10_01))));
    let pcs = cs.icd10pcs();
    c.bench_function("icd10pcs_status_valid", |b| b.iter(|| black_box(pcs.status(black_box("0016070"), 2025_10_01))));
}

criterion_group!(benches, bench);
criterion_main!(benches);
