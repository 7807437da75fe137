//! Prints what the 835 reader makes of files: `cargo run -p cleanclaim-x12 --example dump835 -- FILE...`
fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("read");
        println!("== {path}");
        match cleanclaim_x12::read_835_bytes(&bytes) {
            Ok(rs) => {
                for r in rs {
                    println!(
                        "  remit paid={} method={} trace={:?} claims={} lines={} plb={}",
                        r.payment.amount,
                        r.payment.method,
                        r.trace_number,
                        r.claims.len(),
                        r.claims.iter().map(|c| c.lines.len()).sum::<usize>(),
                        r.plb.len()
                    );
                    for f in &r.findings {
                        println!("    {f}");
                    }
                }
            }
            Err(e) => println!("  ERR {e}"),
        }
    }
}
