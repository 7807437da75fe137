//! Test support shared by the workspace's test suites.
//!
//! The corpus of real public data (code sets, X12 files) lives beside the checkout in
//! `../shared/corpus` and is never copied into the repository; tests that read it find it here.

use std::path::PathBuf;

/// The corpus at `$CLEANCLAIM_CORPUS`, else `<workspace>/../shared/corpus`, when it holds the
/// folder `part` (`"codesets"`, `"x12"`). When it is missing: a printed note and `None`, so a
/// developer without the corpus can still run the other tests; but with `CI` set a missing
/// corpus fails the test, so CI never passes by skipping.
pub fn corpus_dir(part: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("CLEANCLAIM_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"));
    if dir.join(part).is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "corpus not found at {} (CI is set; set CLEANCLAIM_CORPUS)",
        dir.display()
    );
    eprintln!("note: corpus not found at {}; skipping corpus tests (set CLEANCLAIM_CORPUS)", dir.display());
    None
}
