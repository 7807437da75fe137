//! Every file of the shared X12 corpus is handled: valid files parse without errors, broken
//! ones give errors naming the segment and the reason, 4010 gives "unsupported version", and
//! every 5010 837 survives read → write → read.

mod common;

use std::path::Path;

use cleanclaim::ClaimKind;
use cleanclaim_x12::{EnvelopeOptions, ErrorKind, X12Error, read_835_bytes, read_837_bytes, write_837_vec};

/// imsweb negative cases and the error kind each must produce.
const BROKEN: &[(&str, ErrorKind, &str)] = &[
    ("x12_bad_first_line.txt", ErrorKind::BadIsa, "ISA"),
    ("x12_bad_segment_identifier.txt", ErrorKind::BadSegmentId, ""),
    ("x12_bad_valid_code.txt", ErrorKind::UnexpectedSegment, "NM1"),
    ("x12_loop_errors1_exceeds_max_1_parent.txt", ErrorKind::TooManyRepeats, "NM1"),
    ("x12_loop_errors2_exceeds_max_repeats_multiple_parents.txt", ErrorKind::TooManyRepeats, "NM1"),
    ("x12_loop_errors3_missing_loops.txt", ErrorKind::MissingSegment, "HL"),
    ("x12_missing_elements.txt", ErrorKind::MissingElement, "CLM"),
    ("x12_missing_required_loop_in_one_repeat.txt", ErrorKind::MissingSegment, "HL"),
    ("x12_missing_required_loops_mult_repeats.txt", ErrorKind::UnexpectedSegment, "SV1"),
    ("x12_no_isa_line.txt", ErrorKind::NotX12, "GS"),
    ("x12_segment_errors.txt", ErrorKind::TooManyRepeats, "REF"),
    ("x12_segments_out_of_order.txt", ErrorKind::UnexpectedSegment, "N4"),
];

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

fn read_all_837(bytes: &[u8]) -> (Vec<cleanclaim_x12::ParsedClaim>, Vec<X12Error>) {
    let mut ok = Vec::new();
    let mut errs = Vec::new();
    for r in read_837_bytes(bytes) {
        match r {
            Ok(c) => ok.push(c),
            Err(e) => errs.push(e),
        }
    }
    (ok, errs)
}

#[test]
fn every_corpus_file_is_handled() {
    let Some(dir) = common::corpus_dir() else { return };
    let files = common::files(&dir.join("x12"));
    assert!(files.len() >= 90, "expected the whole corpus, found {} files", files.len());
    let (mut valid, mut broken, mut v4010, mut no_envelope, mut remits, mut claims) = (0, 0, 0, 0, 0, 0);
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let p = path.to_string_lossy();
        let n = name(path);
        if p.contains("4010_") {
            let (ok, errs) = read_all_837(&bytes);
            assert!(ok.is_empty(), "{p}: 4010 must not produce claims");
            let e = errs.first().unwrap_or_else(|| panic!("{p}: no error"));
            assert_eq!(e.kind, ErrorKind::UnsupportedVersion, "{p}: {e}");
            assert!(e.to_string().contains("unsupported version 004010X09"), "{p}: {e}");
            v4010 += 1;
        } else if p.contains("_case/") || p.contains("X298") {
            // Narrative text around an interchange / a different implementation guide.
            let (ok, errs) = if p.contains("835") {
                (0, read_835_bytes(&bytes).err().into_iter().collect::<Vec<_>>())
            } else {
                let (ok, errs) = read_all_837(&bytes);
                (ok.len(), errs)
            };
            assert_eq!(ok, 0, "{p}");
            let e = errs.first().unwrap_or_else(|| panic!("{p}: no error"));
            assert!(matches!(e.kind, ErrorKind::NotX12 | ErrorKind::UnsupportedVersion), "{p}: {e}");
            no_envelope += 1;
        } else if let Some((_, kind, seg)) = BROKEN.iter().find(|(f, _, _)| *f == n) {
            let (_, errs) = read_all_837(&bytes);
            let e = errs.first().unwrap_or_else(|| panic!("{p}: broken file gave no error"));
            assert_eq!(e.kind, *kind, "{p}: {e}");
            let msg = e.to_string();
            assert!(msg.contains("segment "), "{p}: error must name the segment: {msg}");
            if !seg.is_empty() {
                assert_eq!(e.segment_id(), Some(*seg), "{p}: {msg}");
            }
            assert!(e.location.as_ref().is_some_and(|l| l.segment_in_file > 0), "{p}: {msg}");
            broken += 1;
        } else if p.contains("835") {
            let rs = read_835_bytes(&bytes).unwrap_or_else(|e| panic!("{p}: {e}"));
            assert!(!rs.is_empty() && rs.iter().all(|r| !r.claims.is_empty()), "{p}");
            remits += 1;
        } else {
            let (ok, errs) = read_all_837(&bytes);
            assert!(errs.is_empty(), "{p}: {:?}", errs.iter().map(ToString::to_string).collect::<Vec<_>>());
            assert!(!ok.is_empty(), "{p}: no claims");
            claims += ok.len();
            valid += 1;
        }
    }
    println!(
        "corpus: {} files: {valid} valid 837 ({claims} claims), {remits} 835, {broken} broken with errors, {v4010} 4010 rejected, {no_envelope} not-an-interchange/unsupported",
        files.len()
    );
    assert_eq!(valid + remits + broken + v4010 + no_envelope, files.len());
    assert_eq!(broken, BROKEN.len());
}

#[test]
fn round_trip_every_5010_837() {
    let Some(dir) = common::corpus_dir() else { return };
    let mut files_done = 0;
    let mut claims_done = 0;
    for path in common::files(&dir.join("x12")) {
        let p = path.to_string_lossy().into_owned();
        if p.contains("835") || p.contains("4010_") || p.contains("_case/") || p.contains("X298") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let (first, errs) = read_all_837(&bytes);
        if !errs.is_empty() || first.is_empty() {
            continue; // the broken files
        }
        for kind in [ClaimKind::Professional, ClaimKind::Institutional] {
            let claims: Vec<_> = first.iter().filter(|c| c.claim.kind == kind).map(|c| c.claim.clone()).collect();
            if claims.is_empty() {
                continue;
            }
            let out = write_837_vec(&claims, kind, &EnvelopeOptions::default()).unwrap_or_else(|e| panic!("{p}: {e}"));
            let mut reader = read_837_bytes(&out);
            let again: Vec<_> =
                reader.by_ref().map(|r| r.unwrap_or_else(|e| panic!("{p}: re-read: {e}")).claim).collect();
            assert_eq!(again, claims, "{p}: round trip changed the claims");
            assert!(reader.envelope_findings().is_empty(), "{p}: {:?}", reader.envelope_findings());
            claims_done += claims.len();
        }
        files_done += 1;
    }
    println!("round trip: {files_done} files, {claims_done} claims");
    assert!(files_done >= 50, "only {files_done} files round-tripped");
}
