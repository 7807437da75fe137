//! Test support shared by the workspace's test suites.
//!
//! The corpus of real public data (code sets, X12 files) lives beside the checkout in
//! `../shared/corpus` and is never copied into the repository; tests that read it find it here.
//! Tests that write files get a scratch folder here.

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

/// An empty folder `<temp>/<prefix>-<name>-<pid>` for one test to write in: whatever an earlier
/// run left under that name is removed first. The caller removes it when done.
pub fn scratch_dir(prefix: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("{prefix}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
