//! Helpers shared by this crate's integration tests (each test binary that needs them declares
//! `mod common;`; not every binary uses every helper).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use cleanclaim::{Date, Money};
use proptest::prelude::*;

/// The workspace root (holds `docs/`, `examples/` and `tests/vectors/`).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `.json` files directly in `dir`, sorted.
pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

pub fn date() -> impl Strategy<Value = Date> {
    (1900u16..2100, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
}

pub fn money() -> impl Strategy<Value = Money> {
    (-1_000_000i64..100_000_000).prop_map(Money::from_cents)
}
