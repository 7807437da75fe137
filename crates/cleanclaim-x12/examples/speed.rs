//! Rough throughput check (best of N runs, to dampen noise from other processes):
//! `cargo run --release -p cleanclaim-x12 --example speed -- FILE [RUNS]`
use std::time::Instant;

/// CPU time of this thread in seconds (Linux), so that other processes on a busy machine do
/// not distort the figures; wall time elsewhere.
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(s.split_whitespace().next()?.parse::<f64>().ok()? / 1e9)
}

fn best(runs: usize, bytes: &[u8], mut f: impl FnMut() -> usize) -> (f64, usize) {
    let mut out = 0;
    let (t, c) = (Instant::now(), cpu_seconds());
    for _ in 0..runs {
        out = f();
    }
    let dt = match (c, cpu_seconds()) {
        (Some(a), Some(b)) => b - a,
        _ => t.elapsed().as_secs_f64(),
    };
    ((bytes.len() * runs) as f64 / dt / 1e6, out)
}

fn main() {
    let path = std::env::args().nth(1).expect("file");
    let runs: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let bytes = if path == "GEN" { generated() } else { std::fs::read(path).expect("read") };
    println!("input: {} bytes", bytes.len());
    if let Some(out) = std::env::var_os("SAVE") {
        std::fs::write(out, &bytes).expect("write");
    }
    let (mbs, n) = best(runs, &bytes, || bytes.iter().filter(|&&b| b == b'~').count());
    println!("byte loop (calibration): {n} terminators, {mbs:.0} MB/s");
    let (mbs, n) = best(runs, &bytes, || {
        let mut tok = cleanclaim_x12::Tokenizer::new(&bytes[..]);
        let mut n = 0usize;
        while let Some(s) = tok.next_segment().expect("valid") {
            n += s.len();
        }
        n
    });
    println!("tokenize: {n} elements, {mbs:.0} MB/s");
    if std::env::var_os("TOKENIZE_ONLY").is_some() {
        return;
    }
    let (mbs, n) = best(runs, &bytes, || cleanclaim_x12::read_837_bytes(&bytes).filter(|c| c.is_ok()).count());
    println!("read_837: {n} claims, {mbs:.0} MB/s");
    let (mbs, n) = best(runs, &bytes, || {
        cleanclaim_x12::read_837_bytes(&bytes).without_source_map().filter(|c| c.is_ok()).count()
    });
    println!("read_837 without source map: {n} claims, {mbs:.0} MB/s");
}

/// About 32 MB of 837P: one small claim repeated with distinct ids, 5000 claims per ST.
fn generated() -> Vec<u8> {
    use cleanclaim::ClaimKind;
    use cleanclaim_x12::{EnvelopeOptions, read_837_bytes, write_837_vec};
    const SAMPLE: &str = "ISA*00*          *00*          *ZZ*S              *ZZ*R              *260101*1200*^*00501*000000001*0*T*:~\
GS*HC*S*R*20260101*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~BHT*0019*00*1*20260101*1200*CH~\
NM1*41*2*SUB*****46*S~PER*IC*X*TE*8005550100~NM1*40*2*REC*****46*R~HL*1**20*1~PRV*BI*PXC*207Q00000X~\
NM1*85*2*FAMILY PRACTICE CLINIC*****XX*1234567893~N3*100 MAIN STREET~N4*SPRINGFIELD*IL*627010000~REF*EI*111111111~\
HL*2*1*22*0~SBR*P*18*GROUP1******CI~NM1*IL*1*DOE*JANE*Q***MI*MEMBER000001~N3*12 ELM STREET~N4*SPRINGFIELD*IL*62702~\
DMG*D8*19800101*F~NM1*PR*2*ACME HEALTH PLAN*****PI*ACME1~\
CLM*CLAIM000001*245***11:B:1*Y*A*Y*Y~HI*ABK:E119*ABF:I10*ABF:E785~NM1*82*1*DOC*JOHN****XX*1234567893~PRV*PE*PXC*207Q00000X~\
LX*1~SV1*HC:99214:25*150*UN*1***1:2:3~DTP*472*D8*20260105~REF*6R*L1~\
LX*2~SV1*HC:80053*45*UN*1***1~DTP*472*D8*20260105~REF*6R*L2~\
LX*3~SV1*HC:83036*30*UN*1***1~DTP*472*D8*20260105~REF*6R*L3~\
LX*4~SV1*HC:36415*20*UN*1***1~DTP*472*D8*20260105~REF*6R*L4~\
SE*38*0001~GE*1*1~IEA*1*000000001~";
    let base = read_837_bytes(SAMPLE.as_bytes()).next().expect("claim").expect("valid").claim;
    let claims: Vec<_> = (0..40_000)
        .map(|i| {
            let mut c = base.clone();
            c.id = format!("CLAIM{i:08}");
            c
        })
        .collect();
    write_837_vec(&claims, ClaimKind::Professional, &EnvelopeOptions::default()).expect("writes")
}
