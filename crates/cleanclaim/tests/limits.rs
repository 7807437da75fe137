//! Limits: huge claims, huge fields and hostile nesting give bounded work and clear answers.

use cleanclaim::{Claim, Date, Engine};

fn base() -> Claim {
    cleanclaim::parse_claim(include_str!("../../../examples/claims/clean-office-visit.json")).unwrap()
}

fn engine() -> Engine {
    Engine::builder().as_of(Date::new(2026, 11, 30).unwrap()).build().unwrap()
}

#[test]
fn a_claim_with_10000_lines_is_reported_not_choked_on() {
    let mut c = base();
    let lines = c.lines.clone();
    c.lines = (0..10_000).map(|i| lines[i % lines.len()].clone()).collect();
    c.total_charge = c.lines.iter().map(|l| l.charge).sum();
    let r = engine().check(&c);
    assert!(r.findings.iter().any(|f| f.rule == "claim.line_count"));
    // Every repeat after the first three lines is a duplicate of one of them.
    assert_eq!(r.findings.iter().filter(|f| f.rule == "claim.duplicate_line").count(), 9_997);
}

#[test]
fn megabyte_fields_are_never_echoed() {
    let mut c = base();
    let big = "Q".repeat(1 << 20);
    c.subscriber.member_id = Some(big.clone());
    c.billing_provider.npi = Some(big.clone());
    c.lines[0].modifiers = vec![big.clone()];
    let r = engine().check(&c);
    assert!(!r.ok);
    for f in &r.findings {
        assert!(f.message.len() < 4096, "{} echoed a huge field ({} bytes)", f.rule, f.message.len());
    }
    // The same through JSON.
    let json = serde_json::to_string(&c).unwrap();
    let r2 = engine().check_json(&json).unwrap();
    assert_eq!(r2[0].rule_ids(), r.rule_ids());
}

#[test]
fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
    for depth in [1_000usize, 100_000] {
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let e = cleanclaim::parse_claims(&text).unwrap_err();
        assert_eq!(e.code(), "json");
        let text = format!("{{\"id\": {}{}}}", "{\"a\":".repeat(depth), "}".repeat(depth));
        assert!(cleanclaim::parse_claims(&text).is_err());
    }
}
