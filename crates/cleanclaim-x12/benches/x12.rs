//! Throughput of the X12 reader: the largest corpus 837 and a large generated 837P.
//!
//! `cargo bench -p cleanclaim-x12 --bench x12` (corpus from `$CLEANCLAIM_CORPUS` or
//! `../shared/corpus`; the corpus case is skipped with a note when it is missing).

use std::hint::black_box;
use std::path::{Path, PathBuf};

use cleanclaim::ClaimKind;
use cleanclaim_x12::{EnvelopeOptions, Tokenizer, read_837_bytes, write_837_vec};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("CLEANCLAIM_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    };
    dir.join("x12").is_dir().then_some(dir)
}

/// The largest 5010 837 of the corpus that reads without errors.
fn largest_corpus_837() -> Option<(String, Vec<u8>)> {
    let dir = corpus_dir()?.join("x12");
    let mut best: Option<(String, Vec<u8>)> = None;
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).ok()?.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let s = p.to_string_lossy().into_owned();
            if s.contains("835") || s.contains("4010") {
                continue;
            }
            let Ok(bytes) = std::fs::read(&p) else { continue };
            if best.as_ref().is_some_and(|(_, b)| b.len() >= bytes.len()) {
                continue;
            }
            let ok = read_837_bytes(&bytes).all(|r| r.is_ok()) && read_837_bytes(&bytes).next().is_some();
            if ok {
                best = Some((s, bytes));
            }
        }
    }
    best
}

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

/// About `target` bytes of 837P: the sample claim repeated with distinct ids.
fn generated(target: usize) -> Vec<u8> {
    let base = read_837_bytes(SAMPLE.as_bytes()).next().expect("one claim").expect("valid sample").claim;
    let one = write_837_vec(std::slice::from_ref(&base), ClaimKind::Professional, &EnvelopeOptions::default())
        .expect("writes")
        .len();
    let n = (target / one.max(1)).max(1) * 2;
    let claims: Vec<_> = (0..n)
        .map(|i| {
            let mut c = base.clone();
            c.id = format!("CLAIM{i:08}");
            c
        })
        .collect();
    write_837_vec(&claims, ClaimKind::Professional, &EnvelopeOptions::default()).expect("writes")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("x12");
    g.sample_size(10);

    let big = generated(32 << 20);
    g.throughput(Throughput::Bytes(big.len() as u64));
    g.bench_function(format!("tokenize generated 837P ({} MB)", big.len() >> 20), |b| {
        b.iter(|| {
            let mut t = Tokenizer::new(black_box(&big[..]));
            let mut n = 0usize;
            while let Some(s) = t.next_segment().expect("valid") {
                n += s.len();
            }
            n
        })
    });
    g.bench_function(format!("read_837 generated 837P ({} MB)", big.len() >> 20), |b| {
        b.iter(|| read_837_bytes(black_box(&big[..])).map(|c| c.expect("valid").claim.lines.len()).sum::<usize>())
    });

    match largest_corpus_837() {
        Some((name, bytes)) => {
            let short = Path::new(&name).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or(name);
            g.throughput(Throughput::Bytes(bytes.len() as u64));
            g.bench_function(format!("read_837 corpus {short} ({} KB)", bytes.len() >> 10), |b| {
                b.iter(|| read_837_bytes(black_box(&bytes[..])).filter_map(Result::ok).count())
            });
        }
        None => eprintln!("note: corpus not found; skipping the corpus benchmark (set CLEANCLAIM_CORPUS)"),
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
