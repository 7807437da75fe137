//! The generator's promises: deterministic, clean claims pass the full catalogue, each
//! injected defect is reported by its rule, and the outputs parse back.

use std::collections::BTreeMap;

use cleanclaim::{ClaimKind, Engine, Severity, parse_claims};
use cleanclaim_synth::{AS_OF, Config, Generator, to_jsonl, write_x12_stream};

fn engine() -> Engine {
    Engine::builder().as_of(AS_OF).build().unwrap()
}

#[test]
fn same_seed_same_claims() {
    let cfg = Config { institutional_share: 0.5, ..Config::default() };
    let a = Generator::new(cfg.clone()).claims(50);
    let b = Generator::new(cfg).claims(50);
    assert_eq!(a, b);
    let c = Generator::new(Config { seed: 1, institutional_share: 0.5, ..Config::default() }).claims(50);
    assert_ne!(a, c);
}

#[test]
fn clean_claims_have_no_errors() {
    let e = engine();
    for share in [0.0, 1.0] {
        let mut g = Generator::new(Config { defect_rate: 0.0, institutional_share: share, ..Config::default() });
        let mut errors: BTreeMap<String, usize> = BTreeMap::new();
        for _ in 0..200 {
            let c = g.next_synth().claim;
            assert_eq!(c.diagnoses.len(), 4);
            assert_eq!(c.lines.len(), 3);
            // Excludes1 is a warning; the generator avoids its pairs all the same.
            for f in
                e.check(&c).findings.into_iter().filter(|f| f.severity == Severity::Error || f.rule == "dx.excludes1")
            {
                *errors.entry(format!("{}: {}", f.rule, f.message)).or_default() += 1;
            }
        }
        assert!(errors.is_empty(), "institutional share {share}: {errors:#?}");
    }
}

#[test]
fn every_injected_defect_is_reported_by_its_rule() {
    let e = engine();
    let mut g = Generator::new(Config { defect_rate: 1.0, institutional_share: 0.5, ..Config::default() });
    for _ in 0..200 {
        let s = g.next_synth();
        let d = s.defect.expect("defect rate 1");
        let r = e.check(&s.claim);
        assert!(r.findings.iter().any(|f| f.rule == d.rule()), "{d:?} not reported: {:?}", r.findings);
    }
}

#[test]
fn jsonl_parses_back_to_the_same_claims() {
    let claims = Generator::new(Config { institutional_share: 0.5, ..Config::default() }).claims(30);
    assert_eq!(parse_claims(&to_jsonl(&claims)).unwrap(), claims);
}

#[test]
fn x12_stream_reads_back() {
    for kind in [ClaimKind::Professional, ClaimKind::Institutional] {
        let mut out = Vec::new();
        let (n, bytes) = write_x12_stream(&Config::default(), kind, 30_000, 7, &mut out).unwrap();
        assert_eq!(bytes as usize, out.len());
        assert!(bytes >= 30_000);
        let read: Vec<_> = cleanclaim_x12::read_837_bytes(&out).collect::<Result<_, _>>().unwrap();
        assert_eq!(read.len() as u64, n);
        assert!(read.iter().all(|p| p.claim.kind == kind && p.claim.diagnoses.len() == 4));
    }
}

/// `check_837` past its first batch reads and checks at once, on two threads: the reports
/// must still come one per transaction item, in file order, each with what a serial read and
/// check of the same item finds.
#[test]
fn check_837_reports_every_claim_in_file_order() {
    let mut out = Vec::new();
    write_x12_stream(&Config::default(), ClaimKind::Professional, 4_000_000, 50, &mut out).unwrap();
    // A segment no loop allows, in a transaction set near the middle: it is rejected and must
    // keep its place among the reports.
    let mid = out.len() / 2 + find_from(&out, out.len() / 2, b"~CLM*").expect("a claim past the middle");
    out.splice(mid + 1..mid + 1, b"ZZZ*1~".iter().copied());
    let engine = engine();
    // A report as one line: the claim id, then each finding's rule and path.
    let line = |id: Option<&str>, found: Vec<(&str, &str)>| {
        let found: Vec<String> = found.into_iter().map(|(rule, path)| format!("{rule} {path}")).collect();
        format!("{id:?}: {}", found.join(", "))
    };
    let mut read = cleanclaim_x12::read_837_bytes(&out);
    let mut expected: Vec<String> = read
        .by_ref()
        .map(|item| match item {
            Ok(p) => {
                let report = engine.check(&p.claim);
                let mut found: Vec<_> = report.findings.iter().map(|f| (f.rule.as_str(), f.path.as_str())).collect();
                found.extend(p.findings.iter().map(|f| (f.rule, f.path.as_str())));
                line(Some(&p.claim.id), found)
            }
            Err(_) => line(None, vec![(cleanclaim_x12::check::STRUCTURE_RULE, "")]),
        })
        .collect();
    assert!(expected.len() > 3 * 2048, "{} items: not past two batches", expected.len());
    assert_eq!(expected.iter().filter(|l| l.starts_with("None")).count(), 1);
    // The inserted segment is off the SE count: the interchange's findings come last.
    let envelope = read.envelope_findings();
    assert!(!envelope.is_empty());
    expected.push(line(None, envelope.iter().map(|f| (f.rule, f.path.as_str())).collect()));
    let reports = cleanclaim_x12::check_837(&engine, &out, None).unwrap();
    assert_eq!(reports.len(), expected.len());
    // The same when the format is told from the input's first bytes.
    let mut told = Vec::new();
    cleanclaim_x12::check_input_with(&engine, &out[..], None, |r| told.push(r)).unwrap();
    assert_eq!(told, reports);
    for (i, (r, e)) in reports.iter().zip(&expected).enumerate() {
        let found = r.findings.iter().map(|f| (f.rule.as_str(), f.path.as_str())).collect();
        assert_eq!(&line(r.claim_id.as_deref(), found), e, "report {i}");
    }
    // Jobs cut anywhere — every transaction set (~32 KB) cut in parts and read in turn, even
    // one segment a job — and the caller waiting on every job: the same reports.
    for sizes in [[4 << 10, 8 << 10, 16 << 10], [64 << 10, 1 << 20, 0], [1, 1, 1 << 20]] {
        let mut cut = Vec::new();
        cleanclaim_x12::check::check_837_sized(&engine, &out[..], None, sizes, |r| cut.push(r)).unwrap();
        assert!(cut == reports, "{sizes:?}");
    }
}

fn find_from(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay[from..].windows(needle.len()).position(|w| w == needle)
}
