//! The JSON Schemas in `docs/` describe what the model accepts and what reports look like:
//! every example claim and every vector's claim validates, and so does every report.

mod common;

use cleanclaim::{Claim, Engine};

use common::{json_files, root};

fn schema(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("docs").join(name)).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

#[test]
fn examples_vectors_and_reports_validate() {
    let claim_schema = schema("claim.schema.json");
    let report_schema = schema("report.schema.json");
    let engine = Engine::new();
    let mut claims: Vec<(String, serde_json::Value)> = Vec::new();
    for p in json_files(&root().join("examples/claims")) {
        claims.push((p.display().to_string(), serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()));
    }
    for p in json_files(&root().join("tests/vectors")) {
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        claims.push((p.display().to_string(), v["claim"].clone()));
    }
    assert!(claims.len() > 10);
    for (name, value) in claims {
        if let Err(e) = claim_schema.validate(&value) {
            panic!("{name}: {e}");
        }
        // What the schema accepts the model accepts, and its output validates too.
        let claim: Claim = serde_json::from_value(value).unwrap_or_else(|e| panic!("{name}: {e}"));
        let round = serde_json::to_value(&claim).unwrap();
        claim_schema.validate(&round).unwrap_or_else(|e| panic!("{name} (serialized): {e}"));
        let report = serde_json::to_value(engine.check(&claim)).unwrap();
        report_schema.validate(&report).unwrap_or_else(|e| panic!("{name} (report): {e}"));
    }
}

#[test]
fn schema_rejects_what_the_model_rejects() {
    let claim_schema = schema("claim.schema.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("examples/claims/clean-office-visit.json")).unwrap())
            .unwrap();
    v["unexpected_field"] = 1.into();
    assert!(claim_schema.validate(&v).is_err());
    assert!(serde_json::from_value::<Claim>(v).is_err());
}
