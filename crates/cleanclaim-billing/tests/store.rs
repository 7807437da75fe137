//! The SQLite store: migrations, idempotent posting, one writer with many readers, and a
//! child process killed (SIGKILL) in the middle of posting a large remittance.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use cleanclaim::Money;
use cleanclaim_billing::store::MIGRATIONS;
use cleanclaim_billing::{ClaimState, Error, Store, commands, post_835_on};
use common::{adj, clp, d, remit, reversal_of, svc, write_835};

fn scratch(name: &str) -> PathBuf {
    cleanclaim_testkit::scratch_dir("cleanclaim-billing", name)
}

/// A remittance paying `n` claims of three lines each (80 % paid, CO-45, PR-1/PR-2).
fn big_835(trace: &str, n: usize) -> String {
    let claims = (0..n)
        .map(|i| {
            let lines = (0..3)
                .map(|j| {
                    let c = 10_000 + (i as i64 * 37 + j * 11) % 5_000;
                    let paid = c * 7 / 10;
                    let ded = c / 10;
                    let coins = c / 20;
                    svc(
                        "99213",
                        None,
                        c,
                        paid,
                        vec![adj("CO", "45", c - paid - ded - coins), adj("PR", "1", ded), adj("PR", "2", coins)],
                    )
                })
                .collect();
            clp(&format!("BIG{i:05}"), "1", lines)
        })
        .collect();
    write_835(&remit(trace, "2025-04-01", claims, vec![("L6", -1_234), ("WO", 5_000)]))
}

#[test]
fn migrations_are_recorded_and_a_newer_schema_is_refused() {
    let dir = scratch("migrate");
    let db = dir.join("p.db");
    {
        let s = Store::open(&db).unwrap();
        assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
    }
    // Reopening applies nothing twice.
    let s = Store::open(&db).unwrap();
    assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
    drop(s);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0)).unwrap();
    assert_eq!(n, MIGRATIONS.len() as i64);
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    assert!(matches!(Store::open(&db), Err(Error::SchemaTooNew { found: 99, .. })));
    assert!(matches!(Store::open_readonly(&db), Err(Error::SchemaTooNew { .. })));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn posting_twice_posts_nothing_and_a_reversal_undoes_the_payment() {
    let mut db = Store::open_in_memory().unwrap();
    let pay =
        clp("C1", "1", vec![svc("99213", None, 20_000, 12_000, vec![adj("CO", "45", 5_000), adj("PR", "3", 3_000)])]);
    let first = write_835(&remit("EFT1", "2025-02-01", vec![pay.clone()], vec![]));
    let s = post_835_on(&mut db, first.as_bytes(), d("2025-02-01")).unwrap();
    assert!(s.reconciled());
    assert_eq!(s.remittances[0].created, 1);
    let after_first = db.load_ledger().unwrap();
    let again = post_835_on(&mut db, first.as_bytes(), d("2025-02-02")).unwrap();
    assert_eq!(again.remittances[0].posted, 0);
    assert_eq!(again.remittances[0].duplicates, 1);
    assert_eq!(db.load_ledger().unwrap(), after_first, "a repost changed the database");
    let st = commands::status(&db, "C1").unwrap();
    assert_eq!(st.balance.patient, Money(3_000));
    assert_eq!(st.patient_shares.copay, Money(3_000));
    assert_eq!(st.state, ClaimState::Paid);

    // Takeback: the reversal and a corrected payment in one 835.
    let better = clp("C1", "1", vec![svc("99213", None, 20_000, 15_000, vec![adj("CO", "45", 5_000)])]);
    let second = write_835(&remit("EFT2", "2025-03-01", vec![reversal_of(&pay), better], vec![]));
    let s = post_835_on(&mut db, second.as_bytes(), d("2025-03-01")).unwrap();
    assert!(s.reconciled(), "{s}");
    assert_eq!(s.remittances[0].reversals, 1);
    let st = commands::status(&db, "C1").unwrap();
    assert_eq!(st.balance.payments, Money(15_000));
    assert_eq!(st.balance.patient, Money::ZERO);
    assert_eq!(st.balance.open(), Money::ZERO);
    assert_eq!(st.state, ClaimState::Closed);
    let path: Vec<ClaimState> = st.history.iter().map(|t| t.to).collect();
    assert_eq!(
        path,
        [ClaimState::Submitted, ClaimState::Paid, ClaimState::Pending, ClaimState::Paid, ClaimState::Closed]
    );
    assert!(st.history.iter().any(|t| t.source.id == "EFT2" && t.reason.contains("22")));
    db.verify().unwrap();
    println!("{st}");
}

#[test]
fn readers_see_whole_remittances_while_one_writer_posts() {
    let dir = scratch("readers");
    let db = dir.join("p.db");
    let mut w = Store::open(&db).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (db, stop) = (db.clone(), stop.clone());
            std::thread::spawn(move || {
                let r = Store::open_readonly(&db).unwrap();
                let mut reads = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    // verify() fails on a half-posted remittance or unconserved balances.
                    let l = r.verify().unwrap();
                    for rem in l.remittances.values() {
                        let (paid, plb) = l.remittance_totals(&rem.key);
                        assert_eq!(rem.amount.0, paid.0 - plb.0, "a reader saw part of a remittance");
                    }
                    reads += 1;
                }
                reads
            })
        })
        .collect();
    for k in 0..15 {
        let x = big_835(&format!("W{k}"), 20);
        let s = post_835_on(&mut w, x.as_bytes(), d("2025-04-01")).unwrap();
        assert!(s.reconciled());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let reads: Vec<usize> = readers.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(reads.iter().all(|&n| n > 0), "{reads:?}");
    println!("reader snapshots checked while writing: {reads:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// Writes the marker whole or not at all: the parent polls for it, and a plain write lets it
/// see the file created but still empty (which failed this test under load).
fn put_marker(marker: &Path, text: &[u8]) {
    let tmp = marker.with_extension("tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, marker).unwrap();
}

fn crash_child(db: &str) {
    let after: u64 = std::env::var("BILLING_CRASH_AFTER").unwrap().parse().unwrap();
    let marker = PathBuf::from(std::env::var("BILLING_CRASH_MARKER").unwrap());
    let x12 = std::fs::read(std::env::var("BILLING_CRASH_835").unwrap()).unwrap();
    let mut s = Store::open(db).unwrap();
    s.set_row_hook(
        after,
        Box::new(move || {
            put_marker(&marker, b"inside the transaction");
            // Wait here, mid-transaction, for the parent's SIGKILL.
            loop {
                std::thread::sleep(Duration::from_secs(1));
            }
        }),
    );
    post_835_on(&mut s, &x12, d("2025-04-01")).unwrap();
    // Only reached when the hook never fired (fewer rows than `after`).
    put_marker(Path::new(&std::env::var("BILLING_CRASH_MARKER").unwrap()), b"finished");
}

fn remittance_postings(db: &Path, trace: &str) -> usize {
    let l = Store::open(db).unwrap().verify().unwrap_or_else(|e| panic!("inconsistent after the crash: {e}"));
    let keys: Vec<&String> = l.remittances.keys().filter(|k| k.starts_with(&format!("{trace}|"))).collect();
    l.postings.values().filter(|p| keys.contains(&&p.remittance)).count()
}

#[test]
fn a_process_killed_mid_post_leaves_all_or_nothing() {
    if let Ok(db) = std::env::var("BILLING_CRASH_CHILD_DB") {
        crash_child(&db);
        return;
    }
    let dir = scratch("crash");
    let db = dir.join("practice.db");
    // Something committed before, which must survive.
    {
        let mut s = Store::open(&db).unwrap();
        post_835_on(&mut s, big_835("BEFORE", 5).as_bytes(), d("2025-03-01")).unwrap();
    }
    let big = dir.join("big.835");
    let claims = 400;
    std::fs::write(&big, big_835("BIG", claims)).unwrap();
    let exe = std::env::current_exe().unwrap();
    for after in [1u64, 2_000, 9_000] {
        let marker = dir.join(format!("marker-{after}"));
        let mut child = Command::new(&exe)
            .args(["--exact", "a_process_killed_mid_post_leaves_all_or_nothing", "--nocapture", "--test-threads=1"])
            .env("BILLING_CRASH_CHILD_DB", &db)
            .env("BILLING_CRASH_AFTER", after.to_string())
            .env("BILLING_CRASH_MARKER", &marker)
            .env("BILLING_CRASH_835", &big)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let t0 = Instant::now();
        while !marker.exists() {
            assert!(t0.elapsed() < Duration::from_secs(120), "the child never reached row {after}");
            if let Some(st) = child.try_wait().unwrap() {
                panic!("the child exited ({st}) before row {after}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(std::fs::read(&marker).unwrap(), b"inside the transaction", "row {after} is past the last row");
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // Reopen: the earlier remittance is whole, the killed one is absent, money conserved.
        assert_eq!(remittance_postings(&db, "BEFORE"), 5);
        assert_eq!(remittance_postings(&db, "BIG"), 0, "killed after {after} rows: something was half posted");
        println!("killed after {after} rows: database consistent, nothing of the remittance posted");
    }
    // And the same file posts whole afterwards.
    let mut s = Store::open(&db).unwrap();
    let sum = post_835_on(&mut s, &std::fs::read(&big).unwrap(), d("2025-04-01")).unwrap();
    assert!(sum.reconciled(), "{sum}");
    assert_eq!(sum.remittances[0].posted, claims);
    assert_eq!(remittance_postings(&db, "BIG"), claims);
    std::fs::remove_dir_all(dir).unwrap();
}

/// An 835 read from a file is posted a transaction set at a time, as the bytes post: the
/// same summaries. When a later set is broken, the sets posted before it are rolled back
/// with it, and the error names where the input broke.
#[test]
fn an_835_posts_as_it_is_read_and_a_broken_later_set_rolls_back_the_earlier() {
    let dir = scratch("post-read");
    let sets: Vec<String> = ["STREAM1", "STREAM2", "STREAM3"].iter().map(|t| big_835(t, 40)).collect();
    let whole = sets.concat();
    let file = dir.join("three.835");
    std::fs::write(&file, &whole).unwrap();
    let (mut a, mut b) = (Store::open(dir.join("a.db")).unwrap(), Store::open(dir.join("b.db")).unwrap());
    let read = commands::post_835_read(&mut a, std::fs::File::open(&file).unwrap(), d("2025-04-01")).unwrap();
    let bytes = post_835_on(&mut b, whole.as_bytes(), d("2025-04-01")).unwrap();
    assert_eq!(read.remittances.len(), 3);
    assert_eq!(read, bytes);

    // The third interchange cut short after its first claim: the first two sets were read
    // (and posted in the open transaction) before the third's end was found missing.
    let cut = sets[2].find("CLP*BIG00001").expect("a second claim");
    let broken = format!("{}{}{}", sets[0].replace("STREAM1", "BROKEN1"), sets[1], &sets[2][..cut]);
    let db = dir.join("c.db");
    let mut c = Store::open(&db).unwrap();
    let err = commands::post_835_read(&mut c, broken.as_bytes(), d("2025-04-01")).unwrap_err();
    assert!(matches!(err, Error::X12(_)), "{err}");
    assert!(err.to_string().contains("segment"), "{err}");
    drop(c);
    assert_eq!(remittance_postings(&db, "BROKEN1"), 0);
    assert_eq!(remittance_postings(&db, "STREAM2"), 0);
}

/// The reader behind [`commands::post_835_read`] hands over a set before it has read the
/// sets after the next: it holds two sets at most, never the whole input.
#[test]
fn an_835_is_read_a_set_at_a_time() {
    struct Counted<'a>(&'a [u8], std::rc::Rc<std::cell::Cell<usize>>);
    impl std::io::Read for Counted<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.read(buf)?;
            self.1.set(self.1.get() + n);
            Ok(n)
        }
    }
    let sets: Vec<String> = (0..6).map(|i| big_835(&format!("LAZY{i}"), 1_500)).collect();
    let whole = sets.concat();
    let read = std::rc::Rc::new(std::cell::Cell::new(0));
    let mut r = cleanclaim_x12::Reader835::new(Counted(whole.as_bytes(), read.clone()));
    let first = r.next().expect("a set").expect("valid");
    assert_eq!(first.trace_number.as_deref(), Some("LAZY0"));
    // The first set is handed over once the second has ended, with a read (256 KiB) ahead
    // at most: 1.05 of the 2.4 MB.
    assert!(read.get() < sets[0].len() + sets[1].len() + (512 << 10), "{} of {} bytes read", read.get(), whole.len());
    assert_eq!(r.map(|s| s.expect("valid").claims.len()).collect::<Vec<_>>(), [1_500; 5]);
}
