//! Locating the shared corpus (never copied into the repository).

use std::path::{Path, PathBuf};

/// `$CLEANCLAIM_CORPUS`, else `<workspace>/../shared/corpus`. `None` (with a printed note)
/// when missing, unless `CI` is set, then it panics.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("CLEANCLAIM_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    };
    if dir.join("x12").is_dir() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!("corpus not found at {} (set CLEANCLAIM_CORPUS)", dir.display());
    }
    eprintln!("note: corpus not found at {}; skipping corpus tests (set CLEANCLAIM_CORPUS)", dir.display());
    None
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
