// x12-types 0.12 (crates.io) parsing the same synthetic 837 as cleanclaim: bytes per second.
// Built by run.sh in a scratch cargo project under target/compare; not part of the workspace.
use std::time::Instant;
use x12_types::util::Parser;
use x12_types::v005010::{Transmission, _837};

fn main() {
    let path = std::env::args().nth(1).expect("FILE");
    let runs: usize = std::env::args().nth(2).map_or(3, |r| r.parse().expect("RUNS"));
    let text = std::fs::read_to_string(&path).expect("read");
    let mut rates = Vec::new();
    let mut interchanges = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let mut rest: &str = &text;
        interchanges = 0;
        while !rest.trim().is_empty() {
            let (r, obj) = Transmission::<_837>::parse(rest).expect("x12-types parses the 837");
            std::hint::black_box(obj);
            rest = r.trim_start();
            interchanges += 1;
        }
        rates.push(text.len() as f64 / t.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    println!("{{\"bytes\":{},\"interchanges\":{},\"bytes_per_sec\":{}}}", text.len(), interchanges, rates[rates.len() / 2]);
}
