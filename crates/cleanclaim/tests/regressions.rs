//! Claims that once made the engine panic or echo huge input (found by the property tests in
//! `reliability.rs` and by `fuzz/`, see docs/reliability.md), each kept as a test of its own.

use cleanclaim::{Date, Engine};

fn engine() -> Engine {
    Engine::builder().as_of(Date::new(2026, 11, 30).unwrap()).build().unwrap()
}

fn base() -> cleanclaim::Claim {
    cleanclaim::parse_claim(include_str!("../../../examples/claims/clean-office-visit.json")).unwrap()
}

#[test]
fn a_non_ascii_diagnosis_code_does_not_panic() {
    let mut c = base();
    c.diagnoses[0].code = "\u{1e066}".into();
    c.diagnoses[1].code = "!^\u{1e066}".into();
    let r = engine().check(&c);
    assert!(r.findings.iter().any(|f| f.rule == "dx.invalid" || f.rule == "dx.format"), "{:?}", r.rule_ids());
}

#[test]
fn proc_format_does_not_echo_a_huge_procedure_code() {
    let mut c = base();
    c.lines[0].procedure = Some("9".repeat(300));
    let r = engine().check(&c);
    let f = r.findings.iter().find(|f| f.rule == "proc.format").expect("proc.format fires");
    assert!(f.message.len() < 200, "{}", f.message);
}
