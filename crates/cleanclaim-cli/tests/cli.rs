//! End-to-end: the `cleanclaim` binary on the example claims, with its exit codes.

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cleanclaim")).args(args).current_dir(root()).output().unwrap()
}

fn examples(prefix: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("examples/claims"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix) && n.ends_with(".json"))
        .map(|n| format!("examples/claims/{n}"))
        .collect();
    v.sort();
    v
}

const AS_OF: &str = "--as-of=2026-11-30";

/// The clean office-visit example as JSON, for a test to edit.
fn office_visit() -> serde_json::Value {
    let text = std::fs::read_to_string(root().join("examples/claims/clean-office-visit.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A scratch folder for one test, removed when the test ends (pass or fail).
struct Scratch(PathBuf);

fn scratch(name: &str) -> Scratch {
    Scratch(cleanclaim_testkit::scratch_dir("cleanclaim-cli", name))
}

impl std::ops::Deref for Scratch {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn clean_examples_exit_zero_with_no_findings() {
    let files = examples("clean-");
    assert!(files.len() >= 2);
    let mut args = vec!["check", AS_OF];
    args.extend(files.iter().map(String::as_str));
    let out = run(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(stdout.matches(": clean").count(), files.len(), "{stdout}");
}

#[test]
fn each_defective_example_has_findings_and_exit_is_one() {
    for file in examples("defective-") {
        let out = run(&["check", AS_OF, "--format=jsonl", &file]);
        assert_eq!(out.status.code(), Some(1), "{file}");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["ok"], false, "{file}");
        assert!(!report["findings"].as_array().unwrap().is_empty(), "{file}");
    }
}

#[test]
fn json_format_has_reports_and_summary() {
    let mut args = vec!["check", AS_OF, "--format", "json"];
    let files = examples("");
    args.extend(files.iter().map(String::as_str));
    let out = run(&args);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["claims"], files.len());
    assert_eq!(doc["reports"].as_array().unwrap().len(), files.len());
    assert!(doc["summary"]["findings_by_rule"]["claim.total_mismatch"].as_u64().unwrap() >= 1);
}

#[test]
fn malformed_json_exits_two_naming_file_line_and_column() {
    let dir = scratch("json");
    let bad = dir.join("broken.json");
    std::fs::write(&bad, "{\n  \"id\": \"X\",\n  \"kind\": professional\n}").unwrap();
    let out = run(&["check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.json:3:"), "{err}");

    let missing = dir.join("missing-field.json");
    let mut v = office_visit();
    v["lines"][0].as_object_mut().unwrap().remove("charge");
    std::fs::write(&missing, v.to_string()).unwrap();
    let out = run(&["check", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("lines[0]") && err.contains("charge"), "{err}");
}

#[test]
fn json_lines_report_the_claims_before_a_bad_line_then_exit_two() {
    let dir = scratch("stream");
    let v = office_visit();
    let claim = |i: usize| {
        let mut c = v.clone();
        c["id"] = format!("L{i}").into();
        c.to_string()
    };
    // 2,000 claims of about 1 KB: the bad line sits in the second streamed piece.
    let mut lines: Vec<String> = (0..2000).map(claim).collect();
    lines[1500] = lines[1500].replacen("\"kind\"", "\"kind\" 1", 1);
    let file = dir.join("batch.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out = run(&["check", AS_OF, "--format=jsonl", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("batch.jsonl:1501:"), "{err}");
    let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["claim_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, (0..1500).map(|i| format!("L{i}")).collect::<Vec<_>>());
}

/// `n` claims (`claim(i)`, given the id `L{i}`) as JSON lines in `dir`, and the same claims
/// as an 837 made by `convert`: the two files' paths.
fn batch_files(dir: &Scratch, n: usize, claim: impl Fn(usize) -> serde_json::Value) -> (PathBuf, PathBuf) {
    let lines: Vec<String> = (0..n)
        .map(|i| {
            let mut c = claim(i);
            c["id"] = format!("L{i}").into();
            c.to_string()
        })
        .collect();
    let jsonl = dir.join("batch.jsonl");
    std::fs::write(&jsonl, lines.join("\n")).unwrap();
    let out = run(&["convert", "--to", "x12", jsonl.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let x12 = dir.join("batch.837");
    std::fs::write(&x12, &out.stdout).unwrap();
    (jsonl, x12)
}

/// A report that cannot be written stops the check with that error, once, and exit 2, for
/// streamed JSON lines and X12 alike (the output fills up long before the input ends).
#[cfg(target_os = "linux")]
#[test]
fn a_write_error_stops_a_streamed_check() {
    let dir = scratch("full");
    let v = office_visit();
    let (jsonl, x12) = batch_files(&dir, 2000, |_| v.clone());
    for file in [&jsonl, &x12] {
        let out = Command::new(env!("CARGO_BIN_EXE_cleanclaim"))
            .args(["check", AS_OF, "--format=jsonl", file.to_str().unwrap()])
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{file:?}: {err}");
        assert!(err.contains("No space left on device"), "{file:?}: {err}");
    }
}

/// `convert` writes claims as it reads them, in every direction: JSON lines to an 837 of
/// several transaction sets and back, to JSON lines and to an array, the same claims in order.
/// The first error stops it (exit 2) after the claims before it, and the output is left
/// without its end.
#[test]
fn convert_streams_claims_and_stops_at_the_first_error() {
    let dir = scratch("convert");
    let v = office_visit();
    // More than one transaction set of 5,000 claims, and more than one piece of JSON lines.
    let (jsonl, x12) = batch_files(&dir, 6000, |_| v.clone());
    let text = String::from_utf8(std::fs::read(&x12).unwrap()).unwrap();
    assert_eq!(text.matches("~ST*837*").count(), 2);
    assert!(text.contains("~SE*") && text.contains("~GE*2*1~IEA*1*"), "{}", &text[text.len() - 200..]);
    let out = |args: &[&str]| {
        let o = run(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let lines =
        |text: &str| -> Vec<serde_json::Value> { text.lines().map(|l| serde_json::from_str(l).unwrap()).collect() };
    let from_x12 = lines(&out(&["convert", "--to", "jsonl", x12.to_str().unwrap()]));
    let from_jsonl = lines(&out(&["convert", "--to", "jsonl", jsonl.to_str().unwrap()]));
    let array = |file: &PathBuf| -> Vec<serde_json::Value> {
        serde_json::from_str(&out(&["convert", "--to", "json", file.to_str().unwrap()])).unwrap()
    };
    // Whole claims compared without printing them: 6,000 would drown the message.
    assert!(from_x12 == array(&x12), "837 to JSON lines and to an array differ");
    assert!(from_jsonl == array(&jsonl), "JSON lines to JSON lines and to an array differ");
    for claims in [&from_x12, &from_jsonl] {
        let ids: Vec<String> = claims.iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
        assert_eq!(ids, (0..6000).map(|i| format!("L{i}")).collect::<Vec<_>>());
    }
    // The 837 holds the claims of the JSON lines: its claims written as JSON lines and
    // converted again give the same 837.
    let again = dir.join("again.jsonl");
    std::fs::write(&again, out(&["convert", "--to", "jsonl", x12.to_str().unwrap()])).unwrap();
    assert!(
        out(&["convert", "--to", "x12", again.to_str().unwrap()]) == text,
        "the 837 does not convert back to itself"
    );

    // A claim of the other kind at 5,500: the first set (5,000 claims) was written, not the
    // second, and the interchange has no end.
    let mut mixed: Vec<String> = std::fs::read_to_string(&jsonl).unwrap().lines().map(str::to_owned).collect();
    let mut other: serde_json::Value = serde_json::from_str(&mixed[5500]).unwrap();
    other["kind"] = "institutional".into();
    mixed[5500] = other.to_string();
    let bad = dir.join("mixed.jsonl");
    std::fs::write(&bad, mixed.join("\n")).unwrap();
    let o = run(&["convert", "--to", "x12", bad.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("mixed.jsonl: ") && err.contains("claims[5500] is Institutional but the 837 is Professional"),
        "{err}"
    );
    let partial = String::from_utf8(o.stdout).unwrap();
    assert_eq!(partial.matches("~ST*837*").count(), 1);
    assert!(partial.ends_with("*0001~") && !partial.contains("~GE*"), "{}", &partial[partial.len() - 100..]);

    // An error before the first claim writes nothing.
    let broken = dir.join("broken.837");
    std::fs::write(&broken, "ISA*00*~").unwrap();
    for to in ["jsonl", "json", "x12"] {
        let o = run(&["convert", "--to", to, broken.to_str().unwrap()]);
        assert_eq!((o.status.code(), o.stdout.len()), (Some(2), 0), "{}", String::from_utf8_lossy(&o.stderr));
    }

    // A bad JSON line at 5,999: the lines before it, then the error naming its line.
    mixed[5500] = mixed[5499].clone();
    mixed[5999] = "{not json".into();
    std::fs::write(&bad, mixed.join("\n")).unwrap();
    for to in ["jsonl", "json"] {
        let o = run(&["convert", "--to", to, bad.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("mixed.jsonl") && err.contains("6000"), "{err}");
        let written = String::from_utf8(o.stdout).unwrap();
        match to {
            "jsonl" => assert_eq!(written.lines().count(), 5999),
            _ => assert!(written.starts_with('[') && !written.trim_end().ends_with(']')),
        }
    }
}

/// A large 837 is streamed from disk or standard input (its first bytes tell its format, the
/// rest is read as it is checked, on two threads): each claim's findings are those of the same
/// claim as JSON, in the same order.
#[test]
fn a_large_837_gives_the_findings_of_its_claims_as_json() {
    let dir = scratch("large");
    let defective = {
        let text = std::fs::read_to_string(root().join("examples/claims/defective-pointer-and-units.json")).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()
    };
    let (jsonl, x12) = batch_files(&dir, 5000, |i| if i % 7 == 3 { defective.clone() } else { office_visit() });
    assert!(std::fs::metadata(&x12).unwrap().len() > 1 << 20);
    // A file by its path, or on standard input (`-`).
    let found = |file: &PathBuf, stdin: bool| -> Vec<(String, Vec<String>)> {
        let out = Command::new(env!("CARGO_BIN_EXE_cleanclaim"))
            .args(["check", AS_OF, "--format=jsonl", if stdin { "-" } else { file.to_str().unwrap() }])
            .stdin(if stdin { std::fs::File::open(file).unwrap().into() } else { std::process::Stdio::null() })
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let r: serde_json::Value = serde_json::from_str(l).unwrap();
                let rules = r["findings"].as_array().unwrap().iter();
                (r["claim_id"].to_string(), rules.map(|f| format!("{} {}", f["rule"], f["path"])).collect())
            })
            .collect()
    };
    let (from_x12, from_json) = (found(&x12, false), found(&jsonl, false));
    assert_eq!(from_x12.len(), 5000);
    assert_eq!(from_x12.iter().filter(|(_, f)| !f.is_empty()).count(), 714);
    assert_eq!(from_x12, from_json);
    assert_eq!(found(&x12, true), from_x12);
    assert_eq!(found(&jsonl, true), from_json);
}

#[test]
fn an_835_given_to_check_is_unusable_and_named() {
    let dir = scratch("remit");
    let remit = dir.join("day.835");
    std::fs::write(
        &remit,
        "ISA*00*          *00*          *ZZ*S              *ZZ*R              *260101*1200*^*00501*000000001*0*T*:~\
GS*HP*S*R*20260101*1200*1*X*005010X221A1~ST*835*0001~",
    )
    .unwrap();
    let out = run(&["check", AS_OF, remit.to_str().unwrap(), "examples/claims/clean-office-visit.json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("day.835: an 835 remittance, not claims"), "{err}");
    // The other file is still checked.
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 claim(s) read, 1 clean"));
}

#[test]
fn bad_usage_exits_two() {
    assert_eq!(run(&["check"]).status.code(), Some(2));
    assert_eq!(
        run(&["check", "--disable", "no.such_rule", "examples/claims/clean-office-visit.json"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn rules_lists_the_catalogue() {
    let out = run(&["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for id in [
        "claim.npi_check_digit",
        "claim.total_mismatch",
        "line.units_invalid",
        "line.pointer_invalid",
        "claim.dates_order",
    ] {
        assert!(text.contains(id), "{id} missing from:\n{text}");
    }
}

#[test]
fn lookup_search_and_codesets() {
    let out = run(&["lookup", "W21.89A", "--date", "2026-03-01"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("W21.89XA"), "{text}");

    let out = run(&["lookup", "E11.22", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["system"], "icd10cm");
    assert_eq!(v["display"], "E11.22");

    assert_eq!(run(&["lookup", "NOTACODE"]).status.code(), Some(1));

    let out = run(&["search", "type", "2", "diabetes", "with", "chronic", "kidney", "disease", "--limit", "3"]);
    assert!(String::from_utf8_lossy(&out.stdout).lines().next().unwrap().starts_with("E11.22"));

    let out = run(&["codesets", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["hcpcs_release_year"], 2020);
    assert_eq!(v["hcpcs_stale"], true);
    let text = String::from_utf8_lossy(&run(&["codesets"]).stdout).into_owned();
    assert!(text.contains("STALE"), "{text}");
}

#[test]
fn profiles_change_the_findings() {
    let dir = scratch("profile");
    let claim = dir.join("telehealth-venipuncture.json");
    let mut v = office_visit();
    v["place_of_service"] = "02".into();
    std::fs::write(&claim, v.to_string()).unwrap();
    let path = claim.to_str().unwrap();
    assert_eq!(run(&["check", AS_OF, path]).status.code(), Some(0));
    let out = run(&["check", AS_OF, "--profile", "commercial-default", "--format", "jsonl", path]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("payer.telehealth_pos_not_allowed"));

    let custom = dir.join("acme.toml");
    std::fs::write(
        &custom,
        "name = \"acme\"\n[[payer_rules]]\nid = \"payer.acme_no_83036\"\nkind = \"forbid_code\"\ncodes = [\"83036\"]\nmessage = \"Acme does not pay 83036\"\n",
    )
    .unwrap();
    let out = run(&["check", AS_OF, "--profile", custom.to_str().unwrap(), "--format", "jsonl", path]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("payer.acme_no_83036"));

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "name = \"bad\"\n[rules]\ndisable = [\"no.such_rule\"]\n").unwrap();
    let out = run(&["check", "--profile", bad.to_str().unwrap(), path]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no.such_rule"));
}

#[test]
fn ncci_tables_from_a_folder() {
    let dir = scratch("ncci");
    let claim = dir.join("injection-with-guidance.json");
    let mut v = office_visit();
    // Arthrocentesis (20610) with ultrasound guidance (76942): PTP modifier indicator 0.
    v["lines"][1]["procedure"] = "20610".into();
    v["lines"][2]["procedure"] = "76942".into();
    std::fs::write(&claim, v.to_string()).unwrap();
    let tables = root().join("crates/cleanclaim/tests/fixtures/ncci/tables");
    let path = claim.to_str().unwrap();
    assert_eq!(run(&["check", AS_OF, path]).status.code(), Some(0));
    let out = run(&["check", AS_OF, "--format", "jsonl", "--ncci", tables.to_str().unwrap(), path]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &report["findings"][0];
    assert_eq!((f["rule"].as_str(), f["path"].as_str()), (Some("ncci.ptp"), Some("lines[2].procedure")), "{report}");

    let out = run(&["check", "--ncci", dir.to_str().unwrap(), path]);
    assert_eq!(out.status.code(), Some(2), "a folder without tables is a usage error");
}

#[test]
fn x12_and_fhir_inputs_are_recognised_and_convert_round_trips() {
    let dir = scratch("x12");
    // JSON → 837 → check: the same findings as the JSON claim.
    let out = run(&["convert", "examples/claims/defective-pointer-and-units.json", "--to", "x12"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let x12 = dir.join("claims.837");
    std::fs::write(&x12, &out.stdout).unwrap();
    let from_x12 = run(&["check", AS_OF, "--format", "jsonl", x12.to_str().unwrap()]);
    let from_json = run(&["check", AS_OF, "--format", "jsonl", "examples/claims/defective-pointer-and-units.json"]);
    assert_eq!(from_x12.status.code(), Some(1));
    let rules = |o: &Output| -> Vec<String> {
        let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        r["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(rules(&from_x12), rules(&from_json));
    let r: serde_json::Value = serde_json::from_slice(&from_x12.stdout).unwrap();
    assert!(r["findings"][0]["message"].as_str().unwrap().contains("[X12 "), "{r}");

    // 837 → JSON gives back the claim.
    let back = run(&["convert", x12.to_str().unwrap(), "--to", "json"]);
    let claims: Vec<serde_json::Value> = serde_json::from_slice(&back.stdout).unwrap();
    assert_eq!(claims[0]["id"], "PCN-2026-0003");
    // The same from standard input.
    let piped = Command::new(env!("CARGO_BIN_EXE_cleanclaim"))
        .args(["convert", "-", "--to", "json"])
        .stdin(std::fs::File::open(&*x12).unwrap())
        .output()
        .unwrap();
    assert_eq!(piped.stdout, back.stdout, "{}", String::from_utf8_lossy(&piped.stderr));

    // A FHIR R4 Claim is recognised by content.
    let fhir = serde_json::json!({
        "resourceType": "Claim", "status": "active", "use": "claim", "id": "F1",
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]},
        "patient": {"reference": "Patient/1"}, "created": "2026-03-02",
        "provider": {"identifier": {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567890"}},
        "insurance": [{"sequence": 1, "focal": true, "coverage": {"reference": "Coverage/1"}}],
        "diagnosis": [{"sequence": 1, "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E11.9"}]}}],
        "item": [{"sequence": 1, "diagnosisSequence": [1], "servicedDate": "2026-03-02",
                  "productOrService": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "99213"}]},
                  "quantity": {"value": 1}, "net": {"value": 100, "currency": "USD"}}],
        "total": {"value": 100, "currency": "USD"}
    });
    let f = dir.join("claim.fhir.json");
    std::fs::write(&f, fhir.to_string()).unwrap();
    let out = run(&["check", AS_OF, "--format", "jsonl", f.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("claim.npi_check_digit"), "{stdout}{}", String::from_utf8_lossy(&out.stderr));

    // A 4010 file is refused with the version named.
    let old = dir.join("old.837");
    std::fs::write(
        &old,
        String::from_utf8_lossy(&std::fs::read(&x12).unwrap()).replace("005010X222A1", "004010X098A1"),
    )
    .unwrap();
    let out = run(&["check", old.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("004010X098A1"));

    // A structural error names the file once, then the segment.
    let text = String::from_utf8_lossy(&std::fs::read(&x12).unwrap()).into_owned();
    let broken = dir.join("broken.837");
    std::fs::write(&broken, text.replacen("~CLM*", "~CLX*", 1)).unwrap();
    let out = run(&["check", broken.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.matches("broken.837").count(), 1, "{stderr}");
    assert!(stderr.contains("segment"), "{stderr}");

    // X12 that is not an interchange is named as such, not read as JSON.
    let preamble = dir.join("preamble.837");
    std::fs::write(&preamble, format!("Example claim\n{text}")).unwrap();
    let bare = dir.join("bare.837");
    std::fs::write(&bare, &text[text.find("GS*").unwrap()..]).unwrap();
    for (f, says) in [(&preamble, "ISA starts at byte 14"), (&bare, "must start with an ISA segment")] {
        let out = run(&["check", f.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
    }
}

#[test]
fn release_files_load_on_top_of_the_embedded_code_sets() {
    let dir = scratch("release");
    // A next-year release in the MCE CSV layout adding U00.1 from 2027-10-01. A release is
    // complete: codes it does not list end the day before it starts, so this one lists the
    // claim's other codes too.
    let csv = dir.join("icd10cm_dx_master_fy2028.csv");
    std::fs::write(&csv, "code,effective_date,termination_date,flags\nE1165,2027-10-01,,\nE785,2027-10-01,,\nI10,2027-10-01,,\nU001,2027-10-01,,\n").unwrap();
    let claim = dir.join("new-code.json");
    let mut v = office_visit();
    v["diagnoses"][2]["code"] = "U00.1".into();
    for k in ["statement_from", "statement_to"] {
        v[k] = "2027-10-05".into();
    }
    for l in v["lines"].as_array_mut().unwrap() {
        l["date"] = "2027-10-05".into();
    }
    std::fs::write(&claim, v.to_string()).unwrap();
    let release = format!("--release=icd10cm-mce:{}@2028-09-30", csv.display());
    let path = claim.to_str().unwrap();
    let before = run(&["check", "--as-of=2027-12-01", "--format=jsonl", path]);
    assert!(String::from_utf8_lossy(&before.stdout).contains("dx.invalid"));
    let after = run(&["check", "--as-of=2027-12-01", &release, path]);
    assert_eq!(after.status.code(), Some(0), "{}", String::from_utf8_lossy(&after.stdout));

    let out = run(&["codesets", "import", &release]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("CLEANCLAIM_RELEASES"));

    std::fs::write(&csv, "code,effective_date,termination_date,flags\nU001,2027-10\n").unwrap();
    let out = run(&["codesets", "import", &release]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("icd10cm_dx_master_fy2028.csv:2"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
