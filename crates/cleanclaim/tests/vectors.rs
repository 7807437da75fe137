//! Runs the shared test vectors (`tests/vectors/*.json`) through the Rust core.

use std::path::PathBuf;

use cleanclaim::{Claim, Date, Engine, Profile};
use serde::Deserialize;

#[derive(Deserialize)]
struct Vector {
    #[allow(dead_code)]
    description: String,
    as_of: Date,
    #[serde(default)]
    profile: Option<String>,
    claim: serde_json::Value,
    expect: Vec<String>,
}

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

#[test]
fn every_vector_gives_the_expected_rule_ids() {
    let mut files: Vec<_> = std::fs::read_dir(vectors_dir())
        .expect("tests/vectors exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "too few vectors: {}", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let v: Vector = serde_json::from_str(&std::fs::read_to_string(path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let claim: Claim = serde_json::from_value(v.claim).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut builder = Engine::builder().as_of(v.as_of);
        if let Some(name) = &v.profile {
            builder = builder.profile(Profile::builtin(name).unwrap());
        }
        let report = builder.build().unwrap().check(&claim);
        let got: Vec<&str> = report.rule_ids();
        if got != v.expect {
            failures.push(format!("{}: expected {:?}, got {:?}", path.display(), v.expect, report.findings));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
