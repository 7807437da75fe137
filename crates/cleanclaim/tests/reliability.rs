//! Reliability: one engine shared by 8 threads answers exactly as one thread does, and no field
//! value (huge, odd Unicode, extreme dates and numbers) makes `check` panic.
//! (The test-only panic hook has its own binary, `panic_hook.rs`: it sets an env var.)

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use cleanclaim::model::{Address, PersonName};
use cleanclaim::{Claim, ClaimKind, Date, Diagnosis, Engine, Money, Report, Sex};
use common::root;
use proptest::collection::vec;
use proptest::prelude::*;

fn engine() -> Engine {
    Engine::builder().as_of(Date::new(2026, 11, 30).unwrap()).build().unwrap()
}

fn base() -> Claim {
    cleanclaim::parse_claim(include_str!("../../../examples/claims/clean-office-visit.json")).unwrap()
}

/// Every shared vector's claim, every example, and deterministic variants of the examples that
/// make many rules fire (bad codes, pointers, units, dates, totals, NPIs).
fn corpus() -> Vec<Claim> {
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = Vec::new();
    for dir in [root().join("tests/vectors"), root().join("examples/claims")] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.retain(|p| p.extension().is_some_and(|x| x == "json"));
        files.sort();
        dirs.extend(files);
    }
    for p in &dirs {
        let text = std::fs::read_to_string(p).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let claim = v.get("claim").cloned().unwrap_or(v);
        out.push(serde_json::from_value::<Claim>(claim).unwrap());
    }
    let examples: Vec<Claim> = out.clone();
    let dx = ["E11.65", "I10", "Z00.00", "O80", "P07.01", "C50.911", "S52.521A", "S52.52", "A00", "ZZZ9", "N40.0"];
    let procs = ["99214", "83036", "36415", "G0438", "J3490", "0001U", "99999", "A0021", "27447", "11042"];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for i in 0..1500 {
        let mut c = examples[i % examples.len()].clone();
        c.id = format!("SYN-{i}");
        c.diagnoses = (0..(next() % 6)).map(|_| Diagnosis::new(dx[(next() % dx.len() as u64) as usize])).collect();
        for l in &mut c.lines {
            if next() % 3 == 0 {
                l.procedure = Some(procs[(next() % procs.len() as u64) as usize].into());
            }
            l.pointers = (0..(next() % 4)).map(|_| (next() % 7) as i32 - 1).collect();
            l.units = (next() % 5) as f64 - 1.0;
            l.charge = Money::from_cents((next() % 50_000) as i64);
            l.date = Date::from_days_since_epoch(20_000 + (next() % 900) as i64);
        }
        if next() % 2 == 0 {
            c.total_charge = c.lines.iter().map(|l| l.charge).sum();
        }
        if next() % 4 == 0 {
            c.subscriber.birth_date = Date::from_days_since_epoch((next() % 25_000) as i64 - 5_000);
            c.subscriber.sex = Some(if next() % 2 == 0 { Sex::Male } else { Sex::Female });
        }
        if next() % 5 == 0 {
            c.billing_provider.npi = Some(format!("{:010}", next() % 10_000_000_000));
        }
        out.push(c);
    }
    out
}

fn as_json(rs: &[Report]) -> Vec<String> {
    rs.iter().map(|r| serde_json::to_string(r).unwrap()).collect()
}

#[test]
fn eight_threads_on_one_engine_agree_with_one_thread() {
    let claims = Arc::new(corpus());
    assert!(claims.len() > 1500);
    let engine = Arc::new(engine());
    let want: Vec<String> = as_json(&claims.iter().map(|c| engine.check(c)).collect::<Vec<_>>());
    assert!(want.iter().filter(|r| r.contains("\"ok\":false")).count() > 500, "the corpus must exercise rules");
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let (claims, engine) = (Arc::clone(&claims), Arc::clone(&engine));
            std::thread::spawn(move || {
                // Each thread walks the claims from a different start, and odd threads also go
                // through rayon, so the same claim is checked concurrently in both ways.
                let n = claims.len();
                let mut got = vec![String::new(); n];
                for k in 0..n {
                    let i = (k + t * n / 8) % n;
                    got[i] = serde_json::to_string(&engine.check(&claims[i])).unwrap();
                }
                let many = if t % 2 == 1 { Some(as_json(&engine.check_many(&claims))) } else { None };
                (got, many)
            })
        })
        .collect();
    for h in handles {
        let (got, many) = h.join().expect("a checking thread panicked");
        assert!(got == want, "a thread's reports differ from the single-threaded ones");
        if let Some(many) = many {
            assert!(many == want, "check_many on a thread differs from the single-threaded reports");
        }
    }
}

fn odd_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,40}",
        Just(String::new()),
        Just("\u{0}\u{feff}\u{202e}\u{1F600}é".to_owned()),
        Just("E11.65\u{0}".to_owned()),
        (1usize..70_000).prop_map(|n| "9".repeat(n)),
        (1usize..20_000).prop_map(|n| "é".repeat(n)),
    ]
}

fn odd_date() -> impl Strategy<Value = Option<Date>> {
    prop_oneof![
        Just(None),
        (1u16..=u16::MAX, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| Date::new(y, m, d)),
        Just(Date::new(1, 1, 1)),
        Just(Date::new(u16::MAX, 12, 31)),
        Just(Date::new(2024, 2, 29)),
    ]
}

fn odd_units() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::MAX),
        Just(-0.0),
        Just(1e-300)
    ]
}

fn odd_money() -> impl Strategy<Value = Money> {
    prop_oneof![any::<i64>(), Just(i64::MAX), Just(i64::MIN), Just(0i64)].prop_map(Money::from_cents)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Unlike `prop.rs` (well-formed values), every string here may be anything at all.
    #[test]
    fn any_field_value_never_panics(
        strings in vec(odd_string(), 24),
        dates in vec(odd_date(), 8),
        units in vec(odd_units(), 3),
        money in vec(odd_money(), 4),
        pointers in vec(any::<i32>(), 0..5),
        kind in prop_oneof![Just(ClaimKind::Professional), Just(ClaimKind::Institutional)],
        copies in 1usize..12,
    ) {
        let mut c = base();
        let s = |i: usize| strings[i].clone();
        c.id = s(0);
        c.kind = kind;
        c.frequency = s(1);
        c.type_of_bill = Some(s(2));
        c.place_of_service = Some(s(3));
        c.discharge_status = Some(s(4));
        c.billing_provider.npi = Some(s(5));
        c.billing_provider.taxonomy = Some(s(6));
        c.subscriber.name = Some(PersonName { last: Some(s(7)), first: Some(s(8)), middle: None });
        c.subscriber.member_id = Some(s(9));
        c.subscriber.relationship = Some(s(10));
        c.subscriber.address = Some(Address { lines: vec![s(11)], city: Some(s(12)), state: Some(s(13)), postal_code: Some(s(14)) });
        c.subscriber.birth_date = dates[0];
        c.statement_from = dates[1];
        c.statement_to = dates[2];
        c.admission_date = dates[3];
        c.discharge_date = dates[4];
        c.diagnoses = vec![Diagnosis::new(&s(15)), Diagnosis { code: s(16), qualifier: Some(s(17)), poa: Some(s(18)) }];
        c.admitting_diagnosis = Some(Diagnosis::new(&s(19)));
        c.total_charge = money[0];
        c.prior_payer_paid = Some(money[1]);
        let template = c.lines[0].clone();
        c.lines = (0..copies).map(|i| {
            let mut l = template.clone();
            l.procedure = Some(s(20 + i % 2));
            l.modifiers = vec![s(22), s(23)];
            l.revenue_code = Some(s(23));
            l.units = units[i % units.len()];
            l.charge = money[2 + i % 2];
            l.pointers = pointers.clone();
            l.date = dates[5 + i % 2];
            l.date_to = dates[7];
            l
        }).collect();
        let r = engine().check(&c);
        prop_assert_eq!(r.ok, !r.findings.iter().any(|f| f.severity == cleanclaim::Severity::Error));
        for f in &r.findings {
            prop_assert!(f.message.len() < 4096, "{} echoed a huge value", f.rule);
        }
        // The same claim through JSON (where it still serializes: NaN units do not).
        if let Ok(json) = serde_json::to_string(&c) {
            let _ = engine().check_json(&json);
        }
    }
}
