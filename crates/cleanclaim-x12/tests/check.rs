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
        let checked = check_837(&engine, &bytes, Some(&name));
        let lines = |reports: &Vec<cleanclaim::Report>| reports.iter().map(line_of).collect::<Vec<_>>();
        assert_eq!(checked.as_ref().map(lines).map_err(|e| e.to_string()), serial(&engine, &bytes, &name), "{name}");
        // Every segment a job of its own, each set read in turn, the caller waiting on each.
        let mut cut = Vec::new();
        let cut_result =
            cleanclaim_x12::check::check_837_sized(&engine, &bytes[..], Some(&name), [1, 1, 0], |r| cut.push(r));
        match &checked {
            Ok(reports) => assert!(cut_result.is_ok() && &cut == reports, "{name}"),
            Err(e) => assert_eq!(cut_result.unwrap_err().to_string(), e.to_string(), "{name}"),
        }
        match checked {
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

/// A report as one line: its claim id, then each finding's rule and path.
fn line_of(r: &cleanclaim::Report) -> String {
    let found: Vec<String> = r.findings.iter().map(|f| format!("{} {}", f.rule, f.path)).collect();
    format!("{:?}: {}", r.claim_id, found.join(", "))
}

/// What `check_837` must give, as [`line_of`] shows it, from a serial read of `bytes` and a
/// check of each claim on its own: one line per claim or rejected set, in file order, then the
/// interchange's findings; or, when nothing is readable, the first error.
fn serial(engine: &Engine, bytes: &[u8], name: &str) -> Result<Vec<String>, String> {
    let mut read = cleanclaim_x12::read_837_bytes(bytes).with_file_name(name);
    let items: Vec<_> = read.by_ref().collect();
    if items.len() < 2048 && items.iter().all(|i| i.is_err()) {
        return match items.into_iter().next() {
            Some(Err(e)) => Err(cleanclaim::Error::from(e).to_string()),
            _ => Ok(Vec::new()),
        };
    }
    let mut lines: Vec<String> = items
        .iter()
        .map(|item| match item {
            Ok(p) => {
                let mut r = engine.check(&p.claim);
                r.findings.extend(p.findings.iter().map(cleanclaim_x12::Finding::to_core));
                line_of(&r)
            }
            Err(_) => format!("None: {} ", cleanclaim_x12::check::STRUCTURE_RULE),
        })
        .collect();
    let envelope = read.envelope_findings();
    if !envelope.is_empty() {
        let findings = envelope.iter().map(cleanclaim_x12::Finding::to_core).collect();
        lines.push(line_of(&cleanclaim::Report { claim_id: None, ok: false, findings }));
    }
    Ok(lines)
}

/// Every report `check_input_with` hands over, or its error.
fn input(bytes: &[u8], name: Option<&str>) -> Result<Vec<cleanclaim::Report>, cleanclaim::Error> {
    let mut out = Vec::new();
    cleanclaim_x12::check_input_with(&engine(), bytes, name, |r| out.push(r)).map(|n| {
        assert_eq!(n, out.len());
        out
    })
}

#[test]
fn any_input_is_told_by_its_content_and_checked_as_its_reader_would() {
    let e = engine();
    // An 837: the same as `check_837` (past the 64 KiB head: the synth crate's tests).
    let bytes = X12.as_bytes();
    assert_eq!(input(bytes, None).unwrap(), check_837(&e, bytes, None).unwrap());
    // Claim JSON, one claim and JSON lines: the same as `check_json`.
    let claim = include_str!("../../../examples/claims/defective-pointer-and-units.json");
    let one: serde_json::Value = serde_json::from_str(claim).unwrap();
    let lines: String =
        (0..3000).map(|i| format!("{}\n", one.to_string().replacen("PCN", &format!("L{i}-"), 1))).collect();
    for text in [claim, lines.as_str()] {
        assert_eq!(input(text.as_bytes(), None).unwrap(), e.check_json(text).unwrap());
    }
    assert_eq!(input(lines.as_bytes(), None).unwrap().len(), 3000);
    // A bad line names the input.
    let bad = format!("{lines}{{\"id\": 7}}\n");
    let err = input(bad.as_bytes(), Some("day.jsonl")).unwrap_err();
    assert!(err.to_string().starts_with("day.jsonl:3001:"), "{err}");
}

#[test]
fn an_input_that_opens_with_more_blank_space_than_one_read_is_still_told_by_its_content() {
    let e = engine();
    // Past the first 64 KiB read, and past the 8 KiB the content is told from.
    for blanks in [70_000, 64 * 1024 - 100, 200_000] {
        let pad = "\r\n ".repeat(blanks / 3);
        let x12 = format!("{pad}{X12}");
        assert_eq!(input(x12.as_bytes(), None).unwrap(), check_837(&e, x12.as_bytes(), None).unwrap(), "{blanks}");
        let claim = include_str!("../../../examples/claims/defective-pointer-and-units.json");
        let json = format!("{pad}{claim}");
        assert_eq!(input(json.as_bytes(), None).unwrap(), e.check_json(&json).unwrap(), "{blanks}");
    }
    // Blank space alone is JSON with nothing in it, whatever its length.
    assert_eq!(input(" ".repeat(300_000).as_bytes(), None).unwrap_err().code(), "json");
}

#[test]
fn x12_that_holds_no_claims_is_an_error_that_says_what_it_is() {
    let isa =
        "ISA*00*          *00*          *ZZ*S              *ZZ*R              *260101*1200*^*00501*000000001*0*T*:~";
    let cases = [
        (format!("{isa}GS*HP*S*R*20260101*1200*1*X*005010X221A1~ST*835*0001~"), "an 835 remittance, not claims"),
        (format!("{isa}GS*FA*S*R*20260101*1200*1*X*005010X231A1~ST*999*0001*005010X231A1~"), "an acknowledgment"),
        ("GS*HC*S*R*20260101*1200*1*X*005010X222A1~ST*837*0001~".to_owned(), "without an interchange"),
        (format!("hello\n{X12}"), "the ISA starts at byte 6"),
    ];
    for (text, says) in cases {
        let err = input(text.as_bytes(), Some("in.x12")).unwrap_err();
        assert_eq!(err.code(), "x12", "{err}");
        let shown = err.to_string();
        assert!(shown.starts_with("in.x12: ") && shown.contains(says), "{shown}");
    }
    // Not claims at all: JSON's error.
    assert_eq!(input(b"\x00\x01 binary", None).unwrap_err().code(), "json");
}

#[test]
fn a_fhir_claim_is_read_whole_and_checked() {
    let fhir = serde_json::json!({
        "resourceType": "Claim", "status": "active", "use": "claim", "id": "F1",
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]},
        "created": "2026-01-05",
        "diagnosis": [{"sequence": 1, "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E119"}]}}],
        "item": [{"sequence": 1, "productOrService": {"coding": [{"code": "99213"}]}, "servicedDate": "2026-01-05",
                  "quantity": {"value": 1}, "net": {"value": 100}, "diagnosisSequence": [1]}]
    })
    .to_string();
    let reports = input(fhir.as_bytes(), Some("claim.json")).unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0], engine().check(&cleanclaim_x12::read_fhir(&fhir).unwrap()));
    let mut bad = fhir.into_bytes();
    bad[40] = 0xFF;
    let err = input(&bad, Some("claim.json")).unwrap_err();
    assert!(err.to_string().starts_with("claim.json:1:41: not UTF-8"), "{err}");
}

/// What `map_input_with` must give: the claims a serial read gives up to its first error, and
/// that error.
fn serial_until_error(bytes: &[u8], name: &str) -> (Vec<String>, Option<String>) {
    let mut ids = Vec::new();
    for item in cleanclaim_x12::read_837_bytes(bytes).with_file_name(name) {
        match item {
            Ok(parsed) => ids.push(parsed.claim.id),
            Err(e) => return (ids, Some(cleanclaim::Error::from(e).to_string())),
        }
    }
    (ids, None)
}

fn mapped(bytes: &[u8], name: &str) -> (Vec<String>, Option<String>) {
    let mut ids = Vec::new();
    let result = cleanclaim_x12::map_input_with(bytes, Some(name), |c| std::mem::take(&mut c.id), |id| ids.push(id));
    match result {
        Ok(n) => {
            assert_eq!(n, ids.len());
            (ids, None)
        }
        Err(e) => (ids, Some(e.to_string())),
    }
}

/// Read on every core, an 837's claims come in file order up to its first rejected set, and
/// none after it, though the sets after it were read by then.
#[test]
fn map_input_stops_at_the_first_rejected_set() {
    let body = |t: &str| t[t.find("ST*837").unwrap()..t.find("GE*").unwrap()].to_owned();
    let set = |i: usize, clm: &str| {
        body(X12)
            .replace("CLM*C1*100***11:B:1*Y*A*Y*Y~", &clm.replace("{i}", &i.to_string()))
            .replace("ST*837*0001", &format!("ST*837*{i:04}"))
            .replace("SE*21*0001", &format!("SE*21*{i:04}"))
    };
    // Three jobs' worth of sets (a job is handed over at 1 MiB); set 2,000 has a claim with
    // no CLM05, which the reader rejects.
    let n = 8_000;
    let sets: String = (1..=n)
        .map(|i| if i == 2_000 { set(i, "CLM*C{i}*100***~") } else { set(i, "CLM*C{i}*100***11:B:1*Y*A*Y*Y~") })
        .collect();
    let text = X12.replace(&body(X12), &sets).replace("GE*1*1", &format!("GE*{n}*1"));
    assert!(text.len() > 3 << 20, "{}", text.len());
    let (ids, error) = mapped(text.as_bytes(), "sets.837");
    assert_eq!(ids, (1..2_000).map(|i| format!("C{i}")).collect::<Vec<_>>());
    assert!(error.as_deref().is_some_and(|e| e.contains("sets.837")), "{error:?}");
    assert_eq!((ids, error), serial_until_error(text.as_bytes(), "sets.837"));
    // Without the broken set, every claim.
    let good = text.replace("CLM*C2000*100***~", "CLM*C2000*100***11:B:1*Y*A*Y*Y~");
    assert_eq!(mapped(good.as_bytes(), "sets.837"), ((1..=n).map(|i| format!("C{i}")).collect(), None));
}

#[test]
fn map_input_gives_every_corpus_837_as_a_serial_read() {
    let Some(root) = common::corpus_dir() else { return };
    let mut claims = 0;
    for f in common::files(&root.join("x12")) {
        let bytes = std::fs::read(&f).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        if !text.contains("005010X222") && !text.contains("005010X223") || !text.trim_start().starts_with("ISA") {
            continue;
        }
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let got = mapped(&bytes, &name);
        assert_eq!(got, serial_until_error(&bytes, &name), "{name}");
        claims += got.0.len();
    }
    assert!(claims >= 1_500, "read {claims} claims");
}
