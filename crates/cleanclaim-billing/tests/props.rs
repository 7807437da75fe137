//! Property tests of the ledger invariants: money is conserved after every event, posting
//! the same 835 twice posts nothing new, and a reversal undoes exactly what it reverses.

mod common;

use cleanclaim::Money;
use cleanclaim_billing::{Balance, Bucket, ClaimAccount, Ledger, PostOptions};
use cleanclaim_x12::r835::{ClaimPayment, Remittance};
use common::{adj, claim_with, clp, d, remit, reversal_of, svc};
use proptest::prelude::*;

/// How one line is adjudicated: shares of the charge, in per mille.
#[derive(Debug, Clone)]
struct LinePlan {
    paid: u32,
    deductible: u32,
    coinsurance: u32,
    denial_carc: Option<&'static str>,
    to_claim_level: bool,
}

#[derive(Debug, Clone)]
enum Op {
    /// Pay claim `claim` per the plan with a new remittance.
    Remit {
        claim: usize,
        lines: Vec<LinePlan>,
        plb: i64,
    },
    /// Post remittance number `n` (mod posted) again.
    Repost(usize),
    /// Reverse remittance number `n` (mod posted).
    Reverse(usize),
    PatientPay {
        claim: usize,
        cents: i64,
        line: bool,
    },
    Refund {
        claim: usize,
        cents: i64,
    },
    ToSecondary(usize),
    ToPatient(usize),
    WriteOff {
        claim: usize,
        patient: bool,
    },
}

fn line_plan() -> impl Strategy<Value = LinePlan> {
    (
        0u32..=1000,
        0u32..=1000,
        0u32..=1000,
        prop::option::of(prop::sample::select(vec!["16", "97", "18", "96", "45"])),
        any::<bool>(),
    )
        .prop_map(|(a, b, c, denial_carc, to_claim_level)| {
            // Scale the three shares so they never exceed the charge.
            let total = (a + b + c).max(1000);
            LinePlan {
                paid: a * 1000 / total,
                deductible: b * 1000 / total,
                coinsurance: c * 1000 / total,
                denial_carc,
                to_claim_level,
            }
        })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0usize..3, prop::collection::vec(line_plan(), 1..4), -500i64..500)
            .prop_map(|(claim, lines, plb)| Op::Remit { claim, lines, plb }),
        1 => (0usize..8).prop_map(Op::Repost),
        2 => (0usize..8).prop_map(Op::Reverse),
        1 => (0usize..3, 1i64..20_000, any::<bool>()).prop_map(|(claim, cents, line)| Op::PatientPay { claim, cents, line }),
        1 => (0usize..3, 1i64..5_000).prop_map(|(claim, cents)| Op::Refund { claim, cents }),
        1 => (0usize..3).prop_map(Op::ToSecondary),
        1 => (0usize..3).prop_map(Op::ToPatient),
        1 => (0usize..3, any::<bool>()).prop_map(|(claim, patient)| Op::WriteOff { claim, patient }),
    ]
}

/// Builds the claim payment for a plan; lines beyond the claim's are ignored.
fn pay(id: &str, charges: &[i64], plan: &[LinePlan]) -> ClaimPayment {
    let lines = charges
        .iter()
        .zip(plan)
        .enumerate()
        .map(|(i, (&c, p))| {
            let paid = c * i64::from(p.paid) / 1000;
            let ded = c * i64::from(p.deductible) / 1000;
            let coins = c * i64::from(p.coinsurance) / 1000;
            let rest = c - paid - ded - coins;
            let mut cas = vec![adj("PR", "1", ded), adj("PR", "2", coins)];
            cas.push(adj("CO", p.denial_carc.unwrap_or("45"), rest));
            cas.retain(|a| a.amount.0 != 0);
            let ctl = format!("L{}", i + 1);
            svc(&format!("9921{i}"), (!p.to_claim_level).then_some(ctl.as_str()), c, paid, cas)
        })
        .collect();
    clp(id, "1", lines)
}

/// Every line and claim conserves money, and balances match the entries.
fn check_conserved(l: &Ledger) -> Result<(), TestCaseError> {
    l.verify().map_err(|e| TestCaseError::fail(e.to_string()))?;
    for c in l.claims.values() {
        let b = c.balance();
        prop_assert!(b.is_conserved(), "claim {} not conserved: {b:?}", c.claim_id);
        for line in &c.lines {
            prop_assert!(line.balance.is_conserved());
            prop_assert_eq!(line.balance.charges, line.charge);
        }
        // Independent of the ledger's own arithmetic: Σ of signed entry effects.
        let charges: i64 = c.lines.iter().map(|l| l.charge.0).sum();
        prop_assert_eq!(b.charges.0, charges);
        prop_assert_eq!(b.payments.0 + b.adjustments.0 + b.insurance.0 + b.patient.0, charges);
    }
    Ok(())
}

fn balances(l: &Ledger) -> Vec<(String, Vec<Balance>, Balance)> {
    l.claims
        .values()
        .map(|c| (c.claim_id.clone(), c.lines.iter().map(|x| x.balance).collect(), c.claim_level))
        .collect()
}

const CHARGES: [&[i64]; 3] = [&[10_000, 2_500, 999], &[45_000], &[1, 7_777, 123_456]];

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_after_every_event(ops in prop::collection::vec(op(), 1..25)) {
        let mut l = Ledger::new();
        let date = d("2025-01-01");
        for (i, ch) in CHARGES.iter().enumerate() {
            let mut acc = ClaimAccount::from_claim(&claim_with(&format!("C{i}"), ch), "P1", date);
            acc.lifecycle.scrub(&cleanclaim::Report { ok: true, ..Default::default() }, date).unwrap();
            acc.lifecycle.submit(Default::default(), date).unwrap();
            l.add_claim(acc).unwrap();
        }
        let opts = PostOptions::new(date);
        let mut posted: Vec<Remittance> = Vec::new();
        let mut reversed = vec![false; 0];
        for (n, op) in ops.into_iter().enumerate() {
            match op {
                Op::Remit { claim, lines, plb } => {
                    let id = format!("C{claim}");
                    let r = remit(&format!("T{n}"), "2025-02-01", vec![pay(&id, CHARGES[claim], &lines)], vec![("WO", plb)]);
                    let s = l.post_remittance(&r, opts).unwrap();
                    prop_assert_eq!(s.difference, Money::ZERO);
                    prop_assert_eq!(s.posted, 1);
                    posted.push(r);
                    reversed.push(false);
                }
                Op::Repost(k) if !posted.is_empty() => {
                    let r = &posted[k % posted.len()];
                    let before = l.clone();
                    let s = l.post_remittance(r, opts).unwrap();
                    prop_assert_eq!(s.posted, 0);
                    prop_assert_eq!(s.entries_added, 0);
                    prop_assert_eq!(s.difference, Money::ZERO);
                    prop_assert!(l == before, "a repost changed the ledger");
                }
                Op::Reverse(k) if !posted.is_empty() => {
                    let k = k % posted.len();
                    if reversed[k] {
                        continue;
                    }
                    let orig = posted[k].clone();
                    // Another unreversed posting with the same amounts may be taken instead;
                    // skip when none is left to take.
                    let c0 = &orig.claims[0];
                    let open = l.postings.values().any(|p| {
                        p.claim_id == c0.patient_control_number && p.reversed_by.is_none() && p.status != "22" && p.paid == c0.paid && p.charge == c0.charge
                    });
                    if !open {
                        continue;
                    }
                    let before = balances(&l);
                    let c = &orig.claims[0];
                    let rev = remit(&format!("R{n}"), "2025-03-01", vec![reversal_of(c)], vec![]);
                    let s = l.post_remittance(&rev, opts).unwrap();
                    prop_assert_eq!(s.reversals, 1, "the reversal did not find its original");
                    prop_assert_eq!(s.difference, Money::ZERO);
                    // The posting it reversed (the latest with the same amounts; with equal
                    // amounts any of them is a correct original).
                    let rkey = cleanclaim_billing::ledger::remittance_key(&rev);
                    let rp = l.postings.values().find(|p| p.remittance == rkey).unwrap();
                    let op = &l.postings[rp.reverses.as_ref().unwrap()];
                    prop_assert_eq!(op.reversed_by.as_deref(), Some(rp.key.as_str()));
                    prop_assert_eq!(op.paid.0, -rev.claims[0].paid.0);
                    let acc = l.claim(&c.patient_control_number).unwrap();
                    let mut delta_orig = vec![Balance::default(); acc.lines.len() + 1];
                    for e in &acc.entries[op.first_entry..op.first_entry + op.entries] {
                        let mut b = Balance::default();
                        apply(&mut b, e);
                        add(&mut delta_orig[e.line.map_or(0, |n| n as usize)], &b);
                    }
                    let orig_remit = op.remittance.clone();
                    if let Some(j) = posted.iter().position(|r| cleanclaim_billing::ledger::remittance_key(r) == orig_remit) {
                        reversed[j] = true;
                    }
                    let after = balances(&l);
                    // after = before − delta(original), line by line, to the cent.
                    for ((id, lines_b, cl_b), (_, lines_a, cl_a)) in before.iter().zip(&after) {
                        let is_claim = *id == c.patient_control_number;
                        for (i, (b, a)) in lines_b.iter().zip(lines_a).enumerate() {
                            let mut expect = *b;
                            if is_claim { sub(&mut expect, &delta_orig[i + 1]); }
                            prop_assert_eq!(*a, expect, "claim {} line {}", id, i + 1);
                        }
                        let mut expect = *cl_b;
                        if is_claim { sub(&mut expect, &delta_orig[0]); }
                        prop_assert_eq!(*cl_a, expect);
                    }
                    prop_assert_eq!(l.claim(&c.patient_control_number).unwrap().lifecycle.state, cleanclaim_billing::ClaimState::Pending);
                }
                Op::PatientPay { claim, cents, line } => {
                    let acc = l.claim_mut(&format!("C{claim}")).unwrap();
                    acc.patient_payment(line.then_some(1), Money(cents), d("2025-02-10"), "R1").unwrap();
                }
                Op::Refund { claim, cents } => {
                    l.claim_mut(&format!("C{claim}")).unwrap().patient_refund(Money(cents), d("2025-02-11"), "R2").unwrap();
                }
                Op::ToSecondary(claim) => {
                    l.claim_mut(&format!("C{claim}")).unwrap().transfer_to_secondary(d("2025-02-12"), "SEC").unwrap();
                }
                Op::ToPatient(claim) => {
                    l.claim_mut(&format!("C{claim}")).unwrap().transfer_to_patient(d("2025-02-12")).unwrap();
                }
                Op::WriteOff { claim, patient } => {
                    let b = if patient { Bucket::Patient } else { Bucket::Insurance };
                    l.claim_mut(&format!("C{claim}")).unwrap().write_off(b, "small_balance", d("2025-02-13")).unwrap();
                }
                _ => {}
            }
            check_conserved(&l)?;
        }
        // The whole ledger survives JSON.
        let back: Ledger = serde_json::from_str(&serde_json::to_string(&l).unwrap()).unwrap();
        prop_assert!(back == l);
    }
}

// The effect table, restated here so the test does not trust the ledger's own arithmetic.
fn apply(b: &mut Balance, e: &cleanclaim_billing::Entry) {
    use cleanclaim_billing::EntryKind::*;
    let a = e.amount.0;
    let (c, p, adj, ins, pat) = match e.kind {
        Charge => (a, 0, 0, a, 0),
        PayerPayment => (0, a, 0, -a, 0),
        Adjustment => (0, 0, a, -a, 0),
        PatientResponsibility | TransferToPatient => (0, 0, 0, -a, a),
        PatientPayment => (0, a, 0, 0, -a),
        PatientRefund => (0, -a, 0, 0, a),
        TransferToSecondary => (0, 0, 0, a, -a),
        WriteOff if e.bucket == Some(Bucket::Patient) => (0, 0, a, 0, -a),
        WriteOff => (0, 0, a, -a, 0),
    };
    b.charges.0 += c;
    b.payments.0 += p;
    b.adjustments.0 += adj;
    b.insurance.0 += ins;
    b.patient.0 += pat;
}

fn add(b: &mut Balance, o: &Balance) {
    b.charges.0 += o.charges.0;
    b.payments.0 += o.payments.0;
    b.adjustments.0 += o.adjustments.0;
    b.insurance.0 += o.insurance.0;
    b.patient.0 += o.patient.0;
}

fn sub(b: &mut Balance, o: &Balance) {
    b.charges.0 -= o.charges.0;
    b.payments.0 -= o.payments.0;
    b.adjustments.0 -= o.adjustments.0;
    b.insurance.0 -= o.insurance.0;
    b.patient.0 -= o.patient.0;
}
