//! No input makes a reader panic: random bytes, random text, and mutations of a valid file.

mod common;

use cleanclaim_x12::{Tokenizer, detect, read_277ca, read_835_bytes, read_837_bytes, read_999, read_fhir};
use proptest::prelude::*;

const VALID: &str = concat!(
    common::head_837!(),
    "NM1*85*2*CLINIC*****XX*1234567893~N3*1 A ST~N4*CITY*ST*12345~REF*EI*111111111~\
HL*2*1*22*0~SBR*P*18*******CI~NM1*IL*1*X*Y****MI*M1~DMG*D8*19800101*M~NM1*PR*2*PAYER*****PI*P1~\
CLM*C1*100***11:B:1*Y*A*Y*Y~HI*ABK:E119*ABF:I10~LX*1~SV1*HC:99213:25*100*UN*1***1:2~DTP*472*D8*20260105~\
SE*21*0001~GE*1*1~IEA*1*000000001~"
);

fn exercise(bytes: &[u8]) {
    for r in read_837_bytes(bytes) {
        let _ = r.map(|c| format!("{c:?}")).map_err(|e| e.to_string());
    }
    let _ = read_835_bytes(bytes);
    let _ = read_999(bytes);
    let _ = read_277ca(bytes);
    let _ = detect(bytes);
    let mut t = Tokenizer::new(bytes);
    for _ in 0..10_000 {
        match t.next_segment() {
            Ok(Some(s)) => {
                let _ = (s.id(), s.comp(1, 2), s.reps(2));
                for n in 0..=s.len() + 1 {
                    let _ = (s.el(n), s.s(n), s.comp(n, 1), s.comp(n, 3));
                }
            }
            _ => break,
        }
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        let _ = read_fhir(s);
    }
}

/// The valid file with other delimiters, a line break or two after some terminators, and
/// before some (which the tokenizer tolerates, even when the element separator is one).
fn with_delimiters(delims: &[u8], breaks: &[u8]) -> Vec<u8> {
    let (el, comp, term, rep) = (delims[0], delims[1], delims[2], delims[3]);
    let mut out = Vec::new();
    let mut breaks = breaks.iter().cycle();
    for &b in VALID.as_bytes() {
        match b {
            b'*' => out.push(el),
            b':' => out.push(comp),
            b'^' => out.push(rep),
            b'~' => {
                let gap: &[u8] = match breaks.next() {
                    Some(0) => b"",
                    Some(1) => b"\n",
                    _ => b"\r\n",
                };
                // Before the ISA's terminator the fixed-width ISA would no longer fit.
                if out.len() > 106 {
                    out.extend_from_slice(gap);
                }
                out.push(term);
                out.extend_from_slice(gap);
            }
            b => out.push(b),
        }
    }
    out
}

fn engine() -> &'static cleanclaim::Engine {
    static ENGINE: std::sync::OnceLock<cleanclaim::Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| cleanclaim::Engine::builder().build().unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Any delimiters the ISA allows, line breaks among them included, with line breaks around
    /// terminators: read, and checked through the parallel reader, without a panic.
    #[test]
    fn valid_file_with_any_delimiters(
        delims in prop::sample::subsequence(b"*|\n\r\t!#%&+<>?@{}'".to_vec(), 4).prop_shuffle(),
        breaks in proptest::collection::vec(0u8..3, 1..8),
    ) {
        let b = with_delimiters(&delims, &breaks);
        exercise(&b);
        let _ = cleanclaim_x12::check::check_837(engine(), &b, None);
    }

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        exercise(&bytes);
    }

    #[test]
    fn random_bytes_after_isa(tail in proptest::collection::vec(any::<u8>(), 0..1024)) {
        let mut b = VALID.as_bytes()[..106].to_vec();
        b.extend_from_slice(&tail);
        exercise(&b);
    }

    #[test]
    fn mutated_valid_file(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
                          cut in any::<prop::sample::Index>()) {
        let mut b = VALID.as_bytes().to_vec();
        for (i, v) in edits {
            let at = i.index(b.len());
            b[at] = v;
        }
        exercise(&b);
        let end = cut.index(b.len());
        exercise(&b[..end]);
    }

    #[test]
    fn mutated_valid_file_with_delimiters(edits in proptest::collection::vec(
        (any::<prop::sample::Index>(), prop::sample::select(vec![b'*', b':', b'~', b'^', b'\n', b'0', b'9', b'A', b' '])), 1..6)) {
        let mut b = VALID.as_bytes().to_vec();
        for (i, v) in edits {
            let at = i.index(b.len());
            b[at] = v;
        }
        exercise(&b);
    }

    #[test]
    fn random_json_like(s in r#"\{("[a-zA-Z]{1,12}": ?(\[|\{|"[a-z0-9.\-]{0,8}"|[0-9.\-]{1,6}|null|true)[,\]\} ]{0,3}){0,12}"#) {
        let _ = read_fhir(&s);
        let with_type = s.replacen('{', r#"{"resourceType": "Claim", "#, 1);
        let _ = read_fhir(&with_type);
    }
}

#[test]
fn valid_sample_is_valid() {
    let claims: Vec<_> = read_837_bytes(VALID.as_bytes()).collect();
    assert_eq!(claims.len(), 1);
    assert!(claims[0].is_ok(), "{:?}", claims[0]);
}

/// The rewritten files are still 837s a reader reads, not noise.
#[test]
fn the_valid_file_with_other_delimiters_is_still_valid() {
    for (delims, breaks) in [(&b"|<\n!"[..], &[0u8][..]), (b"*:~^", &[2, 1, 0]), (b"\t}'@", &[1])] {
        let claims: Vec<_> = read_837_bytes(&with_delimiters(delims, breaks)).collect();
        assert_eq!(claims.len(), 1);
        assert!(claims[0].is_ok(), "{delims:?}: {:?}", claims[0]);
    }
}
