//! `check_837`: engine findings on claims read from X12 point back into the file; broken
//! transaction sets become reports instead of vanishing.

mod common;

use cleanclaim::{Date, Engine};
use cleanclaim_x12::check_837;

const X12: &str = concat!(
    common::head_837!(),
    "NM1*85*2*CLINIC*****XX*1234567890~N3*1 A ST~N4*CITY*ST*12345~REF*EI*111111111~\
HL*2*1*22*0~SBR*P*18*******CI~NM1*IL*1*DOE*JANE****MI*M1~DMG*D8*19700101*F~NM1*PR*2*PAYER*****PI*P1~\
CLM*C1*100***11:B:1*Y*A*Y*Y~HI*ABK:E119~LX*1~SV1*HC:99213*100*UN*1***1~DTP*472*D8*20260105~\
SE*21*0001~GE*1*1~IEA*1*000000001~"
);

fn engine() -> Engine {
    Engine::builder().as_of(Date::new(2026, 11, 30).unwrap()).build().unwrap()
}

#[test]
fn engine_findings_name_the_segment_they_came_from() {
    let reports = check_837(&engine(), X12.as_bytes(), Some("claims.837")).unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    let r = &reports[0];
    assert_eq!(r.claim_id.as_deref(), Some("C1"));
    let npi = r.findings.iter().find(|f| f.rule == "claim.npi_check_digit").expect("bad billing NPI");
    assert_eq!(npi.path, "billing_provider.npi");
    assert!(npi.message.contains("[X12 NM109"), "{}", npi.message);
    assert!(!r.ok);
}

#[test]
fn a_rejected_transaction_set_is_reported_not_dropped() {
    // A second transaction set whose claim has no CLM05: rejected by the reader.
    let bad = X12
        .replace("CLM*C1*100***11:B:1*Y*A*Y*Y~", "CLM*C2*100***~")
        .replace("ST*837*0001", "ST*837*0002")
        .replace("SE*21*0001", "SE*21*0002");
    let body = |t: &str| {
        let s = t.find("ST*837").unwrap();
        let e = t.find("GE*").unwrap();
        t[s..e].to_owned()
    };
    let two = X12.replace(&body(X12), &(body(X12) + &body(&bad))).replace("GE*1*1", "GE*2*1");
    let reports = check_837(&engine(), two.as_bytes(), None).unwrap();
    assert!(reports.iter().any(|r| r.claim_id.as_deref() == Some("C1")));
    let broken =
        reports.iter().find(|r| r.findings.iter().any(|f| f.rule == "x12.structure")).expect("structure report");
    assert!(broken.claim_id.is_none() && !broken.ok);
}

#[test]
fn unreadable_input_is_an_error() {
    let e = check_837(&engine(), b"ISA*00*", None).unwrap_err();
    assert!(matches!(e.code(), "x12" | "limit"), "{e}");
    let e = check_837(&engine(), X12.replace("005010X222A1", "004010X098A1").as_bytes(), None).unwrap_err();
    assert!(e.to_string().contains("004010X098A1"), "{e}");
}

#[test]
fn every_corpus_837_checks() {
    let Some(root) = common::corpus_dir() else { return };
    let files = common::files(&root.join("x12"));
    // The corpus's deliberately broken 837s; every other 837 must check. A file that starts
    // failing (or starts passing) shows up here by name rather than as a smaller claim count.
    const BROKEN: [&str; 10] = [
        "1.edi", // stupidedi: prose before the ISA
        "x12_bad_first_line.txt",
        "x12_bad_segment_identifier.txt",
        "x12_bad_valid_code.txt",
        "x12_loop_errors1_exceeds_max_1_parent.txt",
        "x12_loop_errors3_missing_loops.txt",
        "x12_missing_required_loop_in_one_repeat.txt",
        "x12_no_isa_line.txt",
        "x12_segment_errors.txt",
        "x12_segments_out_of_order.txt",
    ];
    let engine = engine();
    let mut claims = 0;
    let mut refused = Vec::new();
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        if !text.contains("005010X222") && !text.contains("005010X223") {
            continue;
        }
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        match check_837(&engine, &bytes, Some(&name)) {
            Ok(reports) => claims += reports.iter().filter(|r| r.claim_id.is_some()).count(),
            Err(e) => {
                assert!(e.to_string().contains(&name), "the error names the file: {e}");
                refused.push(name);
            }
        }
    }
    refused.sort();
    let mut expected: Vec<String> = BROKEN.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(refused, expected, "corpus 837s refused");
    assert!(claims >= 1_500, "checked {claims} claims");
}
