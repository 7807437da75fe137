//! Scenarios through the lifecycle and the ledger: scrub, hold, override, acknowledgments,
//! rejections, partial payment, appeal, patient money, transfers, write-offs, denials and
//! aging, and no patient data in any output.

mod common;

use cleanclaim::{Engine, Money};
use cleanclaim_billing::analytics::{self, rule_for};
use cleanclaim_billing::{
    Bucket, ClaimAccount, ClaimState, ControlNumbers, Error, Ledger, PostOptions, Store, commands, patient_key,
};
use cleanclaim_x12::ClaimDisposition;
use common::{adj, claim_with, clp, d, remit, svc};

fn ctl(id: &str) -> ControlNumbers {
    ControlNumbers { isa13: "000000123".into(), gs06: "45".into(), st02: "0001".into(), clm01: id.into() }
}

#[test]
fn a_claim_from_scrub_to_closed() {
    let mut claim = claim_with("PCN-9", &[18_500, 4_500]);
    claim.lines[1].pointers = vec![9]; // a blocking finding: pointer to nothing
    let mut db = Store::open_in_memory().unwrap();
    let mut acc = ClaimAccount::from_claim(&claim, &patient_key(&claim), d("2026-03-02"));
    let report = Engine::builder().as_of(d("2026-03-03")).build().unwrap().check(&claim);
    assert_eq!(acc.lifecycle.scrub(&report, d("2026-03-03")).unwrap(), ClaimState::Held);
    assert!(matches!(acc.lifecycle.submit(ctl("PCN-9"), d("2026-03-03")), Err(Error::Held { .. })));
    db.add_claim(&acc).unwrap();

    // An illegal move through the store writes nothing.
    let e = db.update_claim("PCN-9", |a| a.lifecycle.appeal(d("2026-03-03"), "no")).unwrap_err();
    assert_eq!(e.to_string(), "claim PCN-9: illegal transition from held to appealed");
    assert_eq!(db.claim("PCN-9").unwrap().lifecycle.history.len(), 1);

    db.update_claim("PCN-9", |a| {
        for r in a.lifecycle.unresolved().into_iter().map(String::from).collect::<Vec<_>>() {
            a.lifecycle.override_rule(&r, "payer's own pointer rules", d("2026-03-03"))?;
        }
        a.lifecycle.submit(ctl("PCN-9"), d("2026-03-03"))?;
        a.lifecycle.acknowledge(true, "999-1", vec![], d("2026-03-04"))?;
        a.lifecycle.claim_ack(ClaimDisposition::Rejected, "277-1", vec!["A7:562:85".into()], d("2026-03-05"))
    })
    .unwrap();
    let st = commands::status(&db, "PCN-9").unwrap();
    assert_eq!(st.state, ClaimState::Draft);
    assert_eq!(st.rejections[0].reasons, ["A7:562:85"]);

    // Fixed, scrubbed clean, resubmitted, accepted, pending.
    let mut fixed = claim.clone();
    fixed.lines[1].pointers = vec![1];
    let report = Engine::builder().as_of(d("2026-03-06")).build().unwrap().check(&fixed);
    db.update_claim("PCN-9", |a| {
        assert_eq!(a.lifecycle.scrub(&report, d("2026-03-06"))?, ClaimState::Scrubbed);
        a.lifecycle.submit(ctl("PCN-9"), d("2026-03-06"))?;
        a.lifecycle.claim_ack(ClaimDisposition::Accepted, "277-2", vec!["A2:20".into()], d("2026-03-07"))?;
        a.lifecycle.claim_ack(ClaimDisposition::Pending, "277-3", vec!["P1:20".into()], d("2026-03-10"))?;
        Ok(())
    })
    .unwrap();

    // 835: line 1 paid with a copay, line 2 denied as bundled (CO-97).
    let pay = clp(
        "PCN-9",
        "1",
        vec![
            svc("99210", Some("L1"), 18_500, 10_000, vec![adj("CO", "45", 6_500), adj("PR", "3", 2_000)]),
            svc("99211", Some("L2"), 4_500, 0, vec![adj("CO", "97", 4_500)]),
        ],
    );
    let x = common::write_835(&remit("EFT-9", "2026-04-01", vec![pay], vec![]));
    let s = commands::post_835_on(&mut db, x.as_bytes(), d("2026-04-01")).unwrap();
    assert!(s.reconciled() && s.remittances[0].matched == 1, "{s}");
    let st = commands::status(&db, "PCN-9").unwrap();
    assert_eq!(st.state, ClaimState::PartiallyPaid);
    assert_eq!(st.patient_shares.copay, Money(2_000));
    assert_eq!(st.lines[1].balance.adjustments, Money(4_500));

    // Appeal, patient pays the copay, the claim closes.
    db.update_claim("PCN-9", |a| {
        a.lifecycle.appeal(d("2026-04-05"), "modifier 59 documented")?;
        a.patient_payment(None, Money(2_000), d("2026-04-06"), "RCPT-1")?;
        assert_eq!(a.balance().open(), Money::ZERO);
        a.lifecycle.close(
            d("2026-04-06"),
            cleanclaim_billing::SourceDoc::new(cleanclaim_billing::DocKind::User, "RCPT-1"),
            "paid in full",
        )
    })
    .unwrap();
    let st = commands::status(&db, "PCN-9").unwrap();
    assert_eq!(st.state, ClaimState::Closed);
    let states: Vec<&str> = st.history.iter().map(|t| t.to.as_str()).collect();
    assert_eq!(
        states,
        [
            "held",
            "scrubbed",
            "submitted",
            "acknowledged",
            "draft",
            "scrubbed",
            "submitted",
            "accepted",
            "pending",
            "partially_paid",
            "appealed",
            "closed"
        ]
    );
    let l = db.verify().unwrap();
    let den = analytics::denials(&l);
    assert_eq!(den.by_reason[0].key, "CO-97");
    assert_eq!(den.by_rule[0].key, "ncci.ptp");
    assert_eq!(den.by_payer[0].key, "00431"); // the claim's payer id from the 837 model
    assert_eq!(den.by_rendering[0].key, "1678901236");
    assert_eq!(den.total, Money(4_500));
    assert_eq!(den.clean_claim_rate, Some(0.0)); // rejected once

    // No patient data in any output.
    let acc = db.claim("PCN-9").unwrap();
    let out = format!(
        "{acc:?}\n{st}\n{st:?}\n{}\n{}\n{l:?}",
        serde_json::to_string(&acc).unwrap(),
        serde_json::to_string(&l).unwrap()
    );
    for secret in ["Doe", "Jane", "XJH123456789", "1961", "Elm Road", "62704"] {
        assert!(!out.contains(secret), "patient data {secret:?} in the output");
    }
}

#[test]
fn crossover_transfers_write_offs_and_refunds() {
    let mut l = Ledger::new();
    let mut acc = ClaimAccount::from_claim(&claim_with("X1", &[10_000, 5_000]), "P7", d("2025-01-02"));
    acc.lifecycle.scrub(&cleanclaim::Report { ok: true, ..Default::default() }, d("2025-01-02")).unwrap();
    acc.lifecycle.submit(ctl("X1"), d("2025-01-02")).unwrap();
    l.add_claim(acc).unwrap();
    let pay = clp(
        "X1",
        "19",
        vec![
            svc(
                "99210",
                Some("L1"),
                10_000,
                6_000,
                vec![adj("CO", "45", 2_000), adj("PR", "1", 1_500), adj("PR", "2", 500)],
            ),
            svc("99211", Some("L2"), 5_000, 4_000, vec![adj("PR", "2", 1_000)]),
        ],
    );
    let s =
        l.post_remittance(&remit("T19", "2025-02-01", vec![pay], vec![]), PostOptions::new(d("2025-02-01"))).unwrap();
    assert_eq!(s.difference, Money::ZERO);
    let a = l.claim("X1").unwrap();
    assert_eq!(a.lifecycle.state, ClaimState::SecondaryBilled, "CLP02 19 crosses over");
    let sh = a.patient_shares();
    assert_eq!((sh.deductible, sh.coinsurance), (Money(1_500), Money(1_500)));
    assert_eq!(a.balance().patient, Money(3_000));
    assert_eq!(l.patient_balance("P7").patient, Money(3_000));

    let a = l.claim_mut("X1").unwrap();
    assert_eq!(a.transfer_to_secondary(d("2025-02-02"), "SEC1").unwrap(), Money(3_000));
    assert_eq!((a.balance().insurance, a.balance().patient), (Money(3_000), Money::ZERO));
    assert_eq!(a.transfer_to_patient(d("2025-03-01")).unwrap(), Money(3_000));
    a.patient_payment(Some(2), Money(1_000), d("2025-03-02"), "R1").unwrap();
    // Overpaid line 1 by mistake, then refunded.
    a.patient_payment(Some(1), Money(2_500), d("2025-03-02"), "R2").unwrap();
    assert_eq!(a.lines[0].balance.patient, Money(-500));
    a.patient_refund(Money(500), d("2025-03-03"), "R3").unwrap();
    assert_eq!(a.balance().patient, Money::ZERO);
    a.verify().unwrap();
    assert!(a.patient_payment(Some(9), Money(1), d("2025-03-03"), "R4").is_err());
    assert!(a.patient_refund(Money(0), d("2025-03-03"), "R5").is_err());

    // A second claim written off as a small balance.
    let mut b = ClaimAccount::from_claim(&claim_with("X2", &[300]), "P7", d("2025-01-02"));
    b.lifecycle.scrub(&cleanclaim::Report { ok: true, ..Default::default() }, d("2025-01-02")).unwrap();
    b.lifecycle.submit(ctl("X2"), d("2025-01-02")).unwrap();
    l.add_claim(b).unwrap();
    let pay = clp("X2", "1", vec![svc("99210", Some("L1"), 300, 200, vec![adj("PR", "2", 100)])]);
    l.post_remittance(&remit("T20", "2025-02-01", vec![pay], vec![]), PostOptions::new(d("2025-02-01"))).unwrap();
    let b = l.claim_mut("X2").unwrap();
    assert_eq!(b.write_off(Bucket::Patient, "small_balance", d("2025-05-01")).unwrap(), Money(100));
    assert_eq!(b.lifecycle.state, ClaimState::WrittenOff);
    l.verify().unwrap();
}

#[test]
fn aging_buckets_and_days_in_ar() {
    let mut l = Ledger::new();
    for (id, sent, cents) in [
        ("A", "2025-06-25", 1_000),
        ("B", "2025-05-20", 2_000),
        ("C", "2025-04-15", 3_000),
        ("D", "2025-03-10", 4_000),
        ("E", "2024-12-01", 5_000),
    ] {
        let mut acc = ClaimAccount::from_claim(&claim_with(id, &[cents]), "P", d(sent));
        acc.lifecycle.scrub(&cleanclaim::Report { ok: true, ..Default::default() }, d(sent)).unwrap();
        acc.lifecycle.submit(ctl(id), d(sent)).unwrap();
        l.add_claim(acc).unwrap();
    }
    let rep = analytics::aging(&l, d("2025-07-01"));
    let got: Vec<(&str, usize, i64)> =
        rep.buckets.iter().map(|b| (b.label.as_str(), b.claims, b.insurance.0)).collect();
    assert_eq!(
        got,
        [("0-30", 1, 1_000), ("31-60", 1, 2_000), ("61-90", 1, 3_000), ("91-120", 1, 4_000), ("120+", 1, 5_000)]
    );
    assert_eq!(rep.total, Money(15_000));
    // Charges dated within 90 days of 2025-07-01: A, B, C (6,000); 15,000 / (6,000 / 90) = 225 days.
    assert_eq!(rep.charges_90d, Money(6_000));
    assert!((rep.days_in_ar.unwrap() - 225.0).abs() < 1e-9);
    let text = rep.to_string();
    assert!(text.contains("120+") && text.contains("225.0"), "{text}");
}

#[test]
fn carc_to_rule_map_is_approximate_but_stable() {
    assert_eq!(rule_for("16", &[]), Some("claim.required_field"));
    assert_eq!(rule_for("125", &["MA130".into()]), Some("claim.required_field"));
    assert_eq!(rule_for("18", &[]), Some("claim.duplicate_line"));
    assert_eq!(rule_for("97", &[]), Some("ncci.ptp"));
    assert_eq!(rule_for("151", &[]), Some("ncci.mue"));
    assert_eq!(rule_for("6", &[]), Some("dx.age_conflict"));
    assert_eq!(rule_for("7", &[]), Some("dx.sex_conflict"));
    assert_eq!(rule_for("5", &[]), Some("pos.invalid"));
    assert_eq!(rule_for("4", &[]), Some("modifier.invalid"));
    assert_eq!(rule_for("146", &[]), Some("dx.invalid"));
    assert_eq!(rule_for("11", &[]), None);
    assert_eq!(rule_for("50", &[]), None);
    assert!(!analytics::is_denial(cleanclaim_billing::AdjGroup::CO, "45"));
    assert!(!analytics::is_denial(cleanclaim_billing::AdjGroup::PR, "1"));
    assert!(analytics::is_denial(cleanclaim_billing::AdjGroup::PR, "96"));
    assert!(analytics::is_denial(cleanclaim_billing::AdjGroup::CO, "16"));
}
