//! `perf stat` target: N status() calls on valid codes (instruction counts are load-independent).
#![allow(clippy::inconsistent_digit_grouping)]
use cleanclaim_codesets::CodeSets;
use std::hint::black_box;

fn main() {
    if std::env::args().nth(1).as_deref() == Some("construct") {
        for _ in 0..10 {
            black_box(CodeSets::from_embedded().unwrap());
        }
        return;
    }
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(0);
    let cm = CodeSets::embedded().icd10cm();
    let codes = ["E1122", "I10", "Z794", "N1830", "S52521A", "O0000", "M5450", "J449"];
    let mut v = 0usize;
    for i in 0..n {
        v += cm.is_valid(black_box(codes[i % 8]), black_box(2025_10_01)) as usize;
    }
    println!("{v}");
}
