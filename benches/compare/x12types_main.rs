// x12-types 0.12 (crates.io) parsing the same synthetic 837 as cleanclaim: bytes per CPU-second
// of the parsing thread.
// Built by run.sh in a scratch cargo project under target/compare; not part of the workspace.
use std::time::Instant;
use x12_types::util::Parser;
use x12_types::v005010::{Transmission, _837};

/// CPU time of this thread in seconds (`/proc/thread-self/schedstat`), as cleanclaim's `measure`
/// uses: a machine shared with other work depresses neither side.
fn thread_cpu() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(s.split_whitespace().next()?.parse::<u64>().ok()? as f64 / 1e9)
}

fn main() {
    let path = std::env::args().nth(1).expect("FILE");
    let runs: usize = std::env::args().nth(2).map_or(3, |r| r.parse().expect("RUNS"));
    let text = std::fs::read_to_string(&path).expect("read");
    let mut rates = Vec::new();
    let mut interchanges = 0;
    for _ in 0..runs {
        let (c, t) = (thread_cpu(), Instant::now());
        let mut rest: &str = &text;
        interchanges = 0;
        while !rest.trim().is_empty() {
            let (r, obj) = Transmission::<_837>::parse(rest).expect("x12-types parses the 837");
            std::hint::black_box(obj);
            rest = r.trim_start();
            interchanges += 1;
        }
        let secs = match (c, thread_cpu()) {
            (Some(a), Some(b)) if b > a => b - a,
            _ => t.elapsed().as_secs_f64(),
        };
        rates.push(text.len() as f64 / secs);
    }
    rates.sort_by(f64::total_cmp);
    println!("{{\"bytes\":{},\"interchanges\":{},\"bytes_per_sec\":{}}}", text.len(), interchanges, rates[rates.len() / 2]);
}
