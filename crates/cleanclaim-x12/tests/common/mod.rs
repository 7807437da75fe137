//! Helpers shared by this crate's integration tests: locating the shared corpus (never copied
//! into the repository) and the head of the small 837 test interchanges.

use std::path::{Path, PathBuf};

/// The head of the test 837P interchanges, up to and including the billing provider's HL
/// (each fixture goes on with its own `NM1*85`). A macro so that fixtures can stay `const`
/// with `concat!(common::head_837!(), "...")`. Not every test binary uses it, hence the allows.
#[allow(unused_macros)]
macro_rules! head_837 {
    () => {
        "ISA*00*          *00*          *ZZ*S              *ZZ*R              *260101*1200*^*00501*000000001*0*T*:~\
GS*HC*S*R*20260101*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~BHT*0019*00*1*20260101*1200*CH~\
NM1*41*2*SUB*****46*S~PER*IC*X*TE*8005550100~NM1*40*2*REC*****46*R~HL*1**20*1~"
    };
}
#[allow(unused_imports)]
pub(crate) use head_837;

/// The corpus with its X12 files (see [`cleanclaim_testkit::corpus_dir`]).
#[allow(dead_code)]
pub fn corpus_dir() -> Option<PathBuf> {
    cleanclaim_testkit::corpus_dir("x12")
}

/// Every file under `dir`, sorted.
#[allow(dead_code)]
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read corpus dir") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
