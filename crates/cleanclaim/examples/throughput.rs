//! Quick single-core throughput of `Engine::check` on the example claims:
//! `cargo run --release -p cleanclaim --example throughput [N]`.

use std::time::Instant;

use cleanclaim::{Date, Engine, parse_claim};

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let t = Instant::now();
    let engine = Engine::builder().as_of(Date::new(2026, 11, 30).unwrap()).build().unwrap();
    let _ = engine.codes().icd10cm().len();
    println!("engine + embedded code sets: {:?}", t.elapsed());
    let texts = [
        include_str!("../../../examples/claims/clean-office-visit.json"),
        include_str!("../../../examples/claims/clean-inpatient.json"),
        include_str!("../../../examples/claims/defective-npi-and-total.json"),
    ];
    for text in texts {
        let claim = parse_claim(text).unwrap();
        let _ = engine.check(&claim);
        let t = Instant::now();
        let mut findings = 0;
        for _ in 0..n {
            findings += engine.check(&claim).findings.len();
        }
        let el = t.elapsed();
        println!("{}: {:.0} claims/s parsed ({} findings)", claim.id, n as f64 / el.as_secs_f64(), findings / n);
        let t = Instant::now();
        for _ in 0..n / 4 {
            assert_eq!(engine.check_json(text).unwrap().len(), 1);
        }
        println!("{}: {:.0} claims/s from JSON", claim.id, (n / 4) as f64 / t.elapsed().as_secs_f64());
    }
}
