//! The test-only panic hook (`CLEANCLAIM_TEST_PANIC=1` + claim id `TEST_PANIC_CLAIM_ID`) and what
//! a panic inside `check_many`'s rayon workers does: it comes back to the caller as an ordinary
//! unwinding panic (which a binding's `catch_unwind` turns into an error), never an abort.
//! Alone in its binary because it sets a process-wide environment variable.

use std::panic::{AssertUnwindSafe, catch_unwind};

use cleanclaim::{Claim, Engine, TEST_PANIC_CLAIM_ID};

fn claim(id: &str) -> Claim {
    let mut c = cleanclaim::parse_claim(include_str!("../../../examples/claims/clean-office-visit.json")).unwrap();
    c.id = id.to_owned();
    c
}

#[test]
fn the_hook_panics_only_when_armed_and_rayon_panics_unwind_to_the_caller() {
    let bomb = claim(TEST_PANIC_CLAIM_ID);
    // Not armed: an ordinary claim id.
    let plain = Engine::new();
    assert_eq!(plain.check(&bomb).claim_id.as_deref(), Some(TEST_PANIC_CLAIM_ID));

    // SAFETY: this binary has one test, so no other thread reads the environment meanwhile.
    unsafe { std::env::set_var("CLEANCLAIM_TEST_PANIC", "1") };
    let armed = Engine::new();
    unsafe { std::env::remove_var("CLEANCLAIM_TEST_PANIC") };
    // Read once at build: removing the variable later does not disarm this engine.
    assert!(catch_unwind(AssertUnwindSafe(|| armed.check(&bomb))).is_err());
    // Other claims are checked as usual by the armed engine, and engines built after are safe.
    assert!(armed.check(&claim("C1")).ok);
    assert!(Engine::new().check(&bomb).ok);

    // Inside rayon: 1,000 claims so the work is split across worker threads, the bomb in the middle.
    let mut many: Vec<Claim> = (0..1000).map(|i| claim(&format!("C{i}"))).collect();
    many[637] = bomb.clone();
    let r = catch_unwind(AssertUnwindSafe(|| armed.check_many(&many)));
    let payload = r.expect_err("the panic must reach the caller");
    let msg =
        payload.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| payload.downcast_ref::<String>().cloned());
    assert!(msg.unwrap_or_default().contains("deliberate test panic"));
    // The pool survives: the same engine checks the rest afterwards.
    many[637] = claim("C637");
    assert_eq!(armed.check_many(&many).len(), 1000);
    // And through JSON.
    let json = serde_json::to_string(&vec![claim("A"), bomb]).unwrap();
    assert!(catch_unwind(AssertUnwindSafe(|| armed.check_json(&json))).is_err());
}
