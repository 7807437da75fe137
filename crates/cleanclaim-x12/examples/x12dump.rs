//! Prints what the reader makes of X12 files: `cargo run -p cleanclaim-x12 --example x12dump -- FILE...`
fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("read");
        println!("== {path}");
        let mut r = cleanclaim_x12::read_837_bytes(&bytes);
        for c in r.by_ref() {
            match c {
                Ok(c) => println!(
                    "  claim lines={} dx={} findings={:?}",
                    c.claim.lines.len(),
                    c.claim.diagnoses.len(),
                    c.findings.iter().map(|f| f.to_string()).collect::<Vec<_>>()
                ),
                Err(e) => println!("  ERR {e}"),
            }
        }
        for f in r.envelope_findings() {
            println!("  env {f}");
        }
    }
}
