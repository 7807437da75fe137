//! Patient-data canary: a unique string in every subscriber/patient field (names, member id,
//! group number, address lines, city, state, postal code) and an unmistakable birth date
//! (1901-02-03) never show up in findings, reports, `Debug` output, errors (also from malformed
//! variants of the same claim) or panic messages. The core has no logging at all; the CLI's
//! stdout/stderr are covered by `crates/cleanclaim-cli/tests/canary.rs`.
//! Alone in its binary because it installs a process-wide panic hook.

use std::sync::{Arc, Mutex};

use cleanclaim::{Claim, Date, Engine};
use serde_json::{Value, json};

const CANARY: &str = "Qz8Canary";
// The birth date in every spelling a message could use.
const BIRTH_FORMS: [&str; 5] = ["1901-02-03", "19010203", "02/03/1901", "1901", "Feb"];

fn plant(p: &mut Value, tag: &str) {
    let c = |f: &str| format!("{CANARY}{tag}{f}");
    p["name"] = json!({"last": c("Last"), "first": c("First"), "middle": c("Mid")});
    p["member_id"] = json!(c("Member"));
    p["group_number"] = json!(c("Group"));
    p["birth_date"] = json!("1901-02-03");
    p["address"] =
        json!({"lines": [c("Line1"), c("Line2")], "city": c("City"), "state": c("St"), "postal_code": c("Zip")});
}

/// The office-visit example with the canary planted and defects that make rules fire, some of
/// them about the patient (age, birth date).
fn planted() -> Value {
    let mut v: Value = serde_json::from_str(include_str!("../../../examples/claims/clean-office-visit.json")).unwrap();
    plant(&mut v["subscriber"], "Sub");
    let mut pat = v["subscriber"].clone();
    plant(&mut pat, "Pat");
    pat["relationship"] = json!("19");
    v["patient"] = pat;
    v["total_charge"] = json!(1);
    v["lines"][0]["pointers"] = json!([9]);
    v["lines"][1]["units"] = json!(0);
    v["billing_provider"]["npi"] = json!("1234567890");
    v["diagnoses"][0]["code"] = json!("O80"); // maternity code on a 125-year-old
    v["diagnoses"][1]["code"] = json!("P07.01"); // newborn code on the same
    v
}

fn assert_clean(what: &str, shown: &str) {
    assert!(!shown.contains(CANARY), "{what} shows patient data: {shown}");
    for b in BIRTH_FORMS {
        assert!(!shown.contains(b), "{what} shows the birth date ({b}): {shown}");
    }
}

/// Malformed variants: each puts the canary (or the birth date) in a wrongly typed or unusable
/// value of a patient field.
fn broken() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut edit = |name: &str, f: &dyn Fn(&mut Value)| {
        let mut v = planted();
        f(&mut v);
        out.push((name.to_owned(), v.to_string()));
    };
    for who in ["subscriber", "patient"] {
        edit("birth date is the canary", &|v| v[who]["birth_date"] = json!(CANARY));
        edit("birth date as a number", &|v| v[who]["birth_date"] = json!(19010203));
        edit("birth date in US form", &|v| v[who]["birth_date"] = json!("02/03/1901"));
        edit("birth date impossible", &|v| v[who]["birth_date"] = json!("1901-02-30"));
        edit("birth date as an object", &|v| v[who]["birth_date"] = json!({"y": 1901}));
        edit("member id as a number", &|v| v[who]["member_id"] = json!(19010203));
        edit("member id as a list", &|v| v[who]["member_id"] = json!([CANARY]));
        edit("group number as a bool", &|v| v[who]["group_number"] = json!(true));
        edit("name as a string", &|v| v[who]["name"] = json!(CANARY));
        edit("last name as an object", &|v| v[who]["name"]["last"] = json!({"x": CANARY}));
        edit("address as a string", &|v| v[who]["address"] = json!(CANARY));
        edit("address lines as a string", &|v| v[who]["address"]["lines"] = json!(CANARY));
        edit("city as a list", &|v| v[who]["address"]["city"] = json!([CANARY]));
        edit("postal code as a number", &|v| v[who]["address"]["postal_code"] = json!(19010203));
        edit("sex is the canary", &|v| v[who]["sex"] = json!(CANARY));
        edit("relationship as an object", &|v| v[who]["relationship"] = json!({"r": CANARY}));
    }
    // Broken JSON syntax right after a canary value.
    let text = planted().to_string();
    let at = text.find(CANARY).unwrap() + CANARY.len() + 4;
    out.push(("truncated inside a name".into(), text[..at].to_owned()));
    out.push(("garbage after a name".into(), format!("{}\u{1}{}", &text[..at], &text[at..])));
    let at = text.find("1901-02-03").unwrap();
    out.push(("truncated inside the birth date".into(), text[..at + 6].to_owned()));
    out
}

#[test]
fn patient_data_never_leaves() {
    let panics = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = Arc::clone(&panics);
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        seen.lock().unwrap().push(info.to_string());
        default_hook(info);
    }));

    let engine = Engine::builder().as_of(Date::new(2026, 11, 30).unwrap()).build().unwrap();
    let text = planted().to_string();
    let claim: Claim = cleanclaim::parse_claim(&text).unwrap();
    assert_eq!(claim.subscriber.birth_date, Date::new(1901, 2, 3));

    // Findings, as values, JSON and Debug, through every entry point.
    let r = engine.check(&claim);
    assert!(r.findings.len() >= 5, "the planted claim must trigger rules: {:?}", r.rule_ids());
    // The birth date was read and used, yet (below) never printed.
    assert!(r.findings.iter().any(|f| f.rule == "dx.age_conflict"), "{:?}", r.rule_ids());
    for f in &r.findings {
        assert_clean(&format!("finding {}", f.rule), &format!("{} {} {f:?}", f.message, f.path));
    }
    assert_clean("report JSON", &serde_json::to_string(&r).unwrap());
    assert_clean("report Debug", &format!("{r:?} {r:#?}"));
    assert_clean("check_json", &format!("{:?}", engine.check_json(&format!("[{text},{text}]")).unwrap()));
    assert_clean("check_many", &format!("{:?}", engine.check_many(&[claim.clone(), claim.clone()])));
    // The claim and its parts in Debug.
    assert_clean("claim Debug", &format!("{claim:?} {claim:#?}"));
    assert_clean("subscriber Debug", &format!("{:?}", claim.subscriber));
    assert_clean("engine Debug", &format!("{engine:?}"));

    // Errors from malformed variants: Display, Debug and code.
    for (name, bad) in broken() {
        let e = match cleanclaim::parse_claims(&bad) {
            Err(e) => e,
            Ok(_) => panic!("{name}: should not parse"),
        };
        assert_clean(&format!("error for `{name}`"), &format!("{e} {e:?} {}", e.code()));
        let e = engine.check_json(&bad).unwrap_err();
        assert_clean(&format!("check_json error for `{name}`"), &format!("{e} {e:?}"));
    }

    let _ = std::panic::take_hook();
    let panics = panics.lock().unwrap();
    assert!(panics.is_empty(), "nothing may panic: {panics:?}");
}
