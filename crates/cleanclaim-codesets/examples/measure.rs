//! `cargo run --release -p cleanclaim-codesets --example measure`: construction time, RSS and
//! lookup cost of the embedded tables (informal; criterion bench in `benches/codesets.rs`).
#![allow(clippy::inconsistent_digit_grouping)]
use cleanclaim_codesets::CodeSets;
use std::hint::black_box;
use std::time::Instant;

fn rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with("VmRSS") || l.starts_with("VmHWM"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn main() {
    println!("before: {}", rss());
    let t = Instant::now();
    let cs = CodeSets::embedded();
    println!("first construction: {:?}; {}", t.elapsed(), rss());
    let t = Instant::now();
    for _ in 0..20 {
        black_box(CodeSets::from_embedded().unwrap());
    }
    println!("warm construction: {:?} each", t.elapsed() / 20);
    let cm = cs.icd10cm();
    let codes: Vec<&str> = cm.valid_codes_on(2025_10_01);
    let t = Instant::now();
    let mut n = 0usize;
    for _ in 0..10 {
        for c in &codes {
            n += cm.is_valid(black_box(c), 2025_10_01) as usize;
        }
    }
    let per = t.elapsed().as_nanos() as f64 / n as f64;
    println!("status() over all {} valid codes x10: {per:.1} ns/lookup", codes.len());
    let t = Instant::now();
    let mut n = 0usize;
    for _ in 0..1_000_000 {
        n += cm.is_valid(black_box("E1122"), black_box(2025_10_01)) as usize;
    }
    println!("status(E1122) repeated: {:.1} ns", t.elapsed().as_nanos() as f64 / n as f64);
    let t = Instant::now();
    let hits = cm.search("type 2 diabetes with chronic kidney disease", 5);
    println!("first search (builds index): {:?}; top {}; {}", t.elapsed(), hits[0].code, rss());
    let t = Instant::now();
    let _ = cm.search("fracture of right radius", 5);
    println!("second search: {:?}", t.elapsed());
}

#[allow(dead_code)]
fn parts() {}
