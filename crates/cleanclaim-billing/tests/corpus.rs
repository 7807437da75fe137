//! Every 835 in the shared corpus posts and reconciles to the cent with its BPR, against the
//! corpus 837 claims where CLP01 = CLM01, else against claims opened from the remittance.

mod common;

use std::collections::BTreeSet;

use cleanclaim::Money;
use cleanclaim_billing::{Store, commands, post_835_on};
use common::{clp, corpus_dir, d, files_containing, svc, write_835};

#[test]
fn every_corpus_835_reconciles_with_its_bpr() {
    let Some(dir) = corpus_dir() else { return };
    let x12 = dir.join("x12");
    let remits = files_containing(&x12, "ST*835");
    assert!(remits.len() >= 10, "expected the corpus 835s, found {}", remits.len());
    // CLM01s of every readable corpus 837, for matching.
    let mut clm01s = BTreeSet::new();
    let mut sources_837 = Vec::new();
    for p in files_containing(&x12, "ST*837") {
        let bytes = std::fs::read(&p).unwrap();
        if let Ok(claims) = cleanclaim_x12::read_837_all(&bytes) {
            for c in &claims {
                clm01s.insert(c.claim.id.clone());
            }
            sources_837.push((p, bytes, claims.into_iter().map(|c| c.claim.id).collect::<Vec<_>>()));
        }
    }
    let mut all = Store::open_in_memory().unwrap();
    println!("{:<70} {:>13} {:>13} {:>9} {:>6}  claims", "file / trace", "BPR02", "posted", "PLB", "diff");
    let (mut files, mut remittances, mut claims, mut matched, mut refused) = (0, 0, 0, 0, 0);
    for p in &remits {
        let rel = p.strip_prefix(&x12).unwrap().display().to_string();
        let bytes = std::fs::read(p).unwrap();
        let parsed = match cleanclaim_x12::read_835_bytes(&bytes) {
            Ok(r) => r,
            // The stupidedi `_case` files are prose scenarios around a dotted-out ISA, not
            // interchanges (see the corpus SOURCES.md); the reader refuses them by design.
            Err(e) if rel.contains("_case/") => {
                println!("{rel:<70} not an interchange, not posted ({})", e.code());
                refused += 1;
                continue;
            }
            Err(e) => panic!("{rel}: the 835 reader refused it: {e}"),
        };
        let mut db = Store::open_in_memory().unwrap();
        // Claims the corpus 837s carry go in first, as submitted.
        for (_, b837, ids) in &sources_837 {
            if parsed.iter().flat_map(|r| &r.claims).any(|c| ids.contains(&c.patient_control_number)) {
                commands::import_837(&mut db, b837, d("2025-01-01")).unwrap();
            }
        }
        let s = post_835_on(&mut db, &bytes, d("2025-01-01")).unwrap();
        for (r, rs) in parsed.iter().zip(&s.remittances) {
            // The file's own arithmetic: BPR02 (signed) − (Σ CLP04 − Σ PLB).
            let bpr = if r.payment.credit_debit == "D" { -r.payment.amount.0 } else { r.payment.amount.0 };
            let own =
                bpr - (r.claims.iter().map(|c| c.paid.0).sum::<i64>() - r.plb.iter().map(|a| a.amount.0).sum::<i64>());
            println!(
                "{:<70} {:>13} {:>13} {:>9} {:>6}  {} ({} matched to an 837)",
                format!("{rel} / {}", rs.trace_number.as_deref().unwrap_or("-")),
                rs.bpr_amount.to_string(),
                rs.posted_total.to_string(),
                rs.plb_total.to_string(),
                rs.difference.to_string(),
                rs.claims,
                rs.matched
            );
            assert_eq!(own, 0, "{rel}: the file itself does not balance");
            assert_eq!(rs.difference, Money::ZERO, "{rel}: posted payments do not reconcile with BPR02");
            assert_eq!(rs.posted, r.claims.len());
            remittances += 1;
            claims += rs.claims;
            matched += rs.matched;
            let _ = clm01s.len();
        }
        db.verify().unwrap_or_else(|e| panic!("{rel}: {e}"));
        // Posting the same file again posts nothing.
        let again = post_835_on(&mut db, &bytes, d("2025-01-01")).unwrap();
        assert!(
            again.remittances.iter().all(|r| r.posted == 0 && r.entries_added == 0 && r.difference.0 == 0),
            "{rel}"
        );
        // One practice database for everything: files that repeat a remittance post nothing new.
        post_835_on(&mut all, &bytes, d("2025-01-01")).unwrap();
        files += 1;
    }
    assert!(refused <= 3, "only the three no-envelope case files may be refused");
    let ledger = all.verify().unwrap();
    println!(
        "corpus: {files} 835 files posted ({refused} refused as not interchanges), {remittances} remittances, {claims} claim payments, {matched} matched to corpus 837 claims; one shared database: {} claims, {} postings, {} remittances",
        ledger.claims.len(),
        ledger.postings.len(),
        ledger.remittances.len()
    );
    println!("{}", commands::denials(&all).unwrap());
    println!("{}", commands::aging(&all, d("2025-03-01")).unwrap());
}

/// No corpus 835 pays a corpus 837 claim (their CLP01s and CLM01s differ), so the matching
/// path runs on a remittance written for a real corpus 837 claim.
#[test]
fn a_corpus_837_claim_is_matched_by_clm01_and_line_control_number() {
    let Some(dir) = corpus_dir() else { return };
    let x12 = dir.join("x12");
    let (bytes, claim) = files_containing(&x12, "ST*837")
        .into_iter()
        .filter_map(|p| {
            let b = std::fs::read(&p).ok()?;
            let c = cleanclaim_x12::read_837_all(&b).ok()?.into_iter().find(|c| c.claim.lines.len() >= 2)?;
            Some((b, c.claim))
        })
        .next()
        .expect("a corpus 837 claim with two lines");
    let mut db = Store::open_in_memory().unwrap();
    let imported = commands::import_837(&mut db, &bytes, d("2025-01-01")).unwrap();
    assert!(imported.added >= 1);
    // Pay every line at 80 %, the rest 10 % contractual and 10 % coinsurance; lines in reverse
    // order so only the match keys (not positions) can pair them.
    let mut lines: Vec<_> = claim
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let c = l.charge.0;
            let paid = c * 8 / 10;
            let co = (c - paid) / 2;
            let proc = l.procedure.clone().or(l.revenue_code.clone()).unwrap_or_default();
            let ctl = l.control_number.clone().unwrap_or_else(|| format!("none{i}"));
            svc(&proc, Some(&ctl), c, paid, vec![common::adj("CO", "45", co), common::adj("PR", "2", c - paid - co)])
        })
        .collect();
    lines.reverse();
    let r = common::remit("EFT-837-MATCH", "2025-02-01", vec![clp(&claim.id, "1", lines)], vec![]);
    let s = post_835_on(&mut db, write_835(&r).as_bytes(), d("2025-02-01")).unwrap();
    assert_eq!(s.remittances[0].matched, 1, "{s}");
    assert_eq!(s.remittances[0].created, 0);
    assert_eq!(s.remittances[0].difference, Money::ZERO);
    let st = commands::status(&db, &claim.id).unwrap();
    for (l, orig) in st.lines.iter().zip(&claim.lines) {
        assert_eq!(l.balance.payments.0, orig.charge.0 * 8 / 10, "line {} paid to the wrong line", l.number);
        assert!(l.balance.is_conserved());
    }
    assert_eq!(st.state, cleanclaim_billing::ClaimState::Paid);
    assert!(st.control.as_ref().is_some_and(|c| !c.st02.is_empty() && c.clm01 == claim.id));
    // Patient data from the 837 never shows in the status text or its JSON.
    let text = format!("{st}\n{st:?}\n{}", serde_json::to_string(&st).unwrap());
    for secret in [claim.subscriber.member_id.clone(), claim.patient().name.as_ref().and_then(|n| n.last.clone())]
        .into_iter()
        .flatten()
        .filter(|s| s.len() > 3)
    {
        assert!(!text.contains(&secret), "patient data leaked into the status");
    }
    db.verify().unwrap();
}
