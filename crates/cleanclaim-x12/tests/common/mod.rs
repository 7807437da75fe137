//! Locating the shared corpus (never copied into the repository).

use std::path::{Path, PathBuf};

/// The corpus with its X12 files (see [`cleanclaim_testkit::corpus_dir`]).
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
