//! Writes synthetic claims to stdout.
//!
//! `cargo run -p cleanclaim-synth --example gen -- --claims 1000 --format jsonl`
//! `cargo run -p cleanclaim-synth --example gen -- --bytes 100000000 --format x12 --kind institutional`
//!
//! Options: `--claims N`, `--bytes N` (x12 only: at least this many bytes), `--format jsonl|x12`,
//! `--kind professional|institutional|mixed` (mixed: jsonl only), `--seed N`, `--defect-rate F`,
//! `--uniform` (draw codes uniformly, ignoring the patient).

use std::io::{BufWriter, Write};

use cleanclaim::ClaimKind;
use cleanclaim_synth::{Config, Generator, to_jsonl, write_x12_stream};

fn main() {
    if let Err(e) = run() {
        eprintln!("gen: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let mut cfg = Config::default();
    let (mut claims, mut bytes, mut format, mut kind) = (1000u64, 0u64, "jsonl".to_owned(), "professional".to_owned());
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--claims" => claims = val()?.parse().map_err(|e| format!("--claims: {e}"))?,
            "--bytes" => bytes = val()?.parse().map_err(|e| format!("--bytes: {e}"))?,
            "--format" => format = val()?,
            "--kind" => kind = val()?,
            "--seed" => cfg.seed = val()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--defect-rate" => cfg.defect_rate = val()?.parse().map_err(|e| format!("--defect-rate: {e}"))?,
            "--uniform" => cfg.uniform_codes = true,
            other => return Err(format!("unknown option {other}")),
        }
    }
    cfg.institutional_share = match kind.as_str() {
        "professional" => 0.0,
        "institutional" => 1.0,
        "mixed" => 0.5,
        k => return Err(format!("unknown kind {k}")),
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    match format.as_str() {
        "jsonl" => {
            let mut g = Generator::new(cfg);
            let mut left = claims;
            while left > 0 {
                let n = left.min(10_000);
                out.write_all(to_jsonl(&g.claims(n as usize)).as_bytes()).map_err(|e| e.to_string())?;
                left -= n;
            }
        }
        "x12" => {
            let k = if kind == "institutional" { ClaimKind::Institutional } else { ClaimKind::Professional };
            if bytes == 0 {
                // Claims were asked for: one interchange of exactly that many.
                let mut g = Generator::new(cfg);
                let c = g.claims(claims as usize);
                cleanclaim_x12::write_837(&c, k, &mut out, &Default::default()).map_err(|e| e.to_string())?;
            } else {
                let (n, b) = write_x12_stream(&cfg, k, bytes, 5000, &mut out).map_err(|e| e.to_string())?;
                eprintln!("gen: {n} claims, {b} bytes");
            }
        }
        f => return Err(format!("unknown format {f}")),
    }
    out.flush().map_err(|e| e.to_string())
}
