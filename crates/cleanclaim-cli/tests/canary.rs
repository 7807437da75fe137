//! Patient-data canary through the `cleanclaim` command: stdout and stderr (its only "logs")
//! never show a planted name, member id, group number, address or birth date, in any output
//! format, for a checkable claim and for malformed variants of it.

use std::path::PathBuf;
use std::process::Command;

const CANARY: &str = "Qz8Canary";
const LEAKS: [&str; 5] = [CANARY, "1901-02-03", "19010203", "02/03/1901", "1901"];

fn planted() -> serde_json::Value {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join("examples/claims/clean-office-visit.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let s = &mut v["subscriber"];
    s["name"] = serde_json::json!({"last": format!("{CANARY}L"), "first": format!("{CANARY}F")});
    s["member_id"] = serde_json::json!(format!("{CANARY}Id"));
    s["group_number"] = serde_json::json!(format!("{CANARY}G"));
    s["birth_date"] = serde_json::json!("1901-02-03");
    s["address"] = serde_json::json!({"lines": [format!("{CANARY}A")], "city": format!("{CANARY}C"),
        "state": "IL", "postal_code": format!("{CANARY}Z")});
    v["diagnoses"][0]["code"] = serde_json::json!("O80"); // uses the birth date
    v["total_charge"] = serde_json::json!(1);
    v
}

fn run(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cleanclaim")).args(args).output().unwrap();
    (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn assert_clean(what: &str, shown: &str) {
    for l in LEAKS {
        assert!(!shown.contains(l), "{what} shows patient data `{l}`:\n{shown}");
    }
}

#[test]
fn the_command_never_prints_patient_data() {
    let dir = cleanclaim_testkit::scratch_dir("cleanclaim-canary", "command");
    let good = dir.join("claim.json");
    std::fs::write(&good, planted().to_string()).unwrap();
    let good = good.to_str().unwrap();
    for format in ["text", "json", "jsonl"] {
        let (code, shown) = run(&["check", "--as-of=2026-11-30", "--quiet", "--format", format, good]);
        assert_eq!(code, Some(1), "{shown}");
        assert!(shown.contains("dx.age_conflict"), "{shown}");
        assert_clean(&format!("check --format {format}"), &shown);
    }
    let mut bad_values = vec![
        ("birth_date", serde_json::json!(CANARY)),
        ("birth_date", serde_json::json!(19010203)),
        ("birth_date", serde_json::json!("02/03/1901")),
        ("member_id", serde_json::json!([CANARY])),
        ("name", serde_json::json!(CANARY)),
        ("address", serde_json::json!(CANARY)),
    ];
    for (i, (field, value)) in bad_values.drain(..).enumerate() {
        let mut v = planted();
        v["subscriber"][field] = value;
        let p = dir.join(format!("bad{i}.json"));
        std::fs::write(&p, v.to_string()).unwrap();
        let (code, shown) = run(&["check", "--as-of=2026-11-30", "--quiet", p.to_str().unwrap()]);
        assert_ne!(code, Some(0), "{shown}");
        assert_clean(&format!("error for subscriber.{field}"), &shown);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
