//! Validity look-ups agree with the code-set rows on every date: for random codes and random
//! dates, "valid" must equal "one of the code's MCE rows covers the date", computed here
//! straight from `../shared/corpus/codesets/mce*/icd10cm_dx_master.csv`:
//! * the embedded tables (`Engine::icd10cm_validity`) against the FY2027 rows, which replace
//!   the older releases from 2015-10-01 on (see the code-set crate's README);
//! * tables built at run time from the MCE 43.1 file (`CodeSetsBuilder::icd10cm_mce_csv`)
//!   against that file's own rows.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use cleanclaim::codes::CodeKey;
use cleanclaim::codesets::{CodeSets, CodeSetsBuilder};
use cleanclaim::{Date, Engine};
use proptest::prelude::*;

type Rows = HashMap<String, Vec<(u32, u32)>>;

struct Master {
    rows: Rows,
    codes: Vec<String>,
}

fn corpus() -> Option<PathBuf> {
    cleanclaim_testkit::corpus_dir("codesets")
}

fn ymd(s: &str) -> u32 {
    s.replace('-', "").parse().unwrap()
}

/// The rows, parsed independently of the code-set crate: `code,effective,termination,flags`,
/// an empty termination meaning open-ended.
fn load(rel: &str) -> Option<(String, Master)> {
    let text = std::fs::read_to_string(corpus()?.join(rel)).unwrap();
    let mut rows: Rows = HashMap::new();
    for line in text.lines().skip(1).filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        let to = if f[2].is_empty() { u32::MAX } else { ymd(f[2]) };
        rows.entry(f[0].to_owned()).or_default().push((ymd(f[1]), to));
    }
    let mut codes: Vec<String> = rows.keys().cloned().collect();
    codes.sort();
    Some((text, Master { rows, codes }))
}

fn fy2027() -> Option<&'static Master> {
    static M: OnceLock<Option<Master>> = OnceLock::new();
    M.get_or_init(|| load("codesets/mce-fy2027/icd10cm_dx_master.csv").map(|(_, m)| m)).as_ref()
}

fn mce431() -> Option<&'static (Master, CodeSets)> {
    static M: OnceLock<Option<(Master, CodeSets)>> = OnceLock::new();
    M.get_or_init(|| {
        let (text, m) = load("codesets/mce/icd10cm_dx_master.csv")?;
        let cs = CodeSetsBuilder::empty().icd10cm_mce_csv(&text, "icd10cm_dx_master.csv", 2026_09_30).unwrap();
        Some((m, cs.build().unwrap()))
    })
    .as_ref()
}

fn expected(m: &Master, code: &str, on: u32) -> bool {
    m.rows.get(code).is_some_and(|ps| ps.iter().any(|&(from, to)| from <= on && on <= to))
}

/// A code from the file, sometimes changed by one character (often into another real code or
/// a header, which must then be invalid unless its own rows say otherwise).
fn code_in(m: &'static Master) -> impl Strategy<Value = String> {
    (any::<prop::sample::Index>(), 0u8..4, any::<prop::sample::Index>(), prop::sample::select(b"0129AXZ".to_vec()))
        .prop_map(move |(i, how, at, ch)| {
            let mut c = m.codes[i.index(m.codes.len())].clone();
            match how {
                0 => {
                    let at = at.index(c.len());
                    c.replace_range(at..=at, &(ch as char).to_string());
                }
                1 => {
                    c.pop();
                }
                _ => {}
            }
            c
        })
}

fn date() -> impl Strategy<Value = Date> {
    // 2014 to 2029: before the first ICD-10 day, across every October update, past coverage.
    (16_071i64..21_915).prop_map(|d| Date::from_days_since_epoch(d).unwrap())
}

/// How a caller might spell the code: as stored, dotted, lower case.
fn spelled(code: &str, how: u8) -> String {
    let dotted = if code.len() > 3 { format!("{}.{}", &code[..3], &code[3..]) } else { code.to_owned() };
    match how {
        0 => code.to_owned(),
        1 => dotted,
        _ => dotted.to_ascii_lowercase(),
    }
}

#[test]
fn boundary_days_of_every_row_agree() {
    // Deterministic companion of the properties: the first and last day of a sample of rows,
    // and the days just outside them.
    let Some(m) = fy2027() else { return };
    let engine = Engine::new();
    for code in m.codes.iter().step_by(97) {
        for &(from, to) in &m.rows[code] {
            for on in [from, to] {
                let Some(d) = Date::from_ymd(on) else { continue };
                for day in [d.days_since_epoch() - 1, d.days_since_epoch(), d.days_since_epoch() + 1] {
                    let d = Date::from_days_since_epoch(day).unwrap();
                    let got = engine.icd10cm_validity([code], d)[0];
                    assert_eq!(got, expected(m, code, d.ymd()), "{code} on {d}");
                    // One code at a time reads the set of the codes valid on the date's span.
                    assert_eq!(engine.icd10cm_valid(code, d), got, "{code} on {d}, one call");
                }
            }
        }
    }
}

#[test]
fn one_batch_of_every_code_agrees_with_the_rows() {
    // Every code in one call, so that look-ups go in full groups and meet slot collisions,
    // each followed by its parent (often a header) and by a code that is not in the table,
    // on days where the newest period answers and on days where older periods must.
    let Some(m) = fy2027() else { return };
    let engine = Engine::new();
    let codes: Vec<String> =
        m.codes.iter().flat_map(|c| [c.clone(), c[..c.len() - 1].to_owned(), format!("{c}X")]).collect();
    let given: Vec<String> = codes.iter().enumerate().map(|(i, c)| spelled(c, (i % 3) as u8)).collect();
    let given: Vec<&str> = given.iter().map(String::as_str).collect();
    for on in ["2015-10-01", "2019-06-15", "2024-10-01", "2026-04-01"] {
        let d = Date::parse(on).unwrap();
        let got = engine.icd10cm_validity(&given, d);
        assert_eq!(got.len(), codes.len());
        let keys: Vec<_> = given.iter().map(|c| CodeKey::of(c)).collect();
        assert!(engine.icd10cm_validity_of_keys(&keys, d) == got, "keyed batch on {on}");
        for (c, got) in codes.iter().zip(got) {
            assert_eq!(got, expected(m, c, d.ymd()), "{c} on {on}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn embedded_validity_equals_the_fy2027_rows(
        (code, how) in match fy2027() { Some(m) => (code_in(m), 0u8..3).boxed(), None => Just((String::new(), 0)).boxed() },
        on in date(),
    ) {
        let Some(m) = fy2027() else { return Ok(()) };
        let want = expected(m, &code, on.ymd());
        let engine = Engine::new();
        let got = engine.icd10cm_validity([spelled(&code, how)], on)[0];
        prop_assert_eq!(got, want, "{} on {}", code, on);
        prop_assert_eq!(engine.icd10cm_valid(&spelled(&code, how), on), want, "{} on {}, one call", code, on);
        prop_assert_eq!(CodeSets::embedded().icd10cm().is_valid(&code, on.ymd()), want);
    }

    #[test]
    fn built_validity_equals_the_mce_431_rows(
        code in match mce431() { Some((m, _)) => code_in(m).boxed(), None => Just(String::new()).boxed() },
        on in date(),
    ) {
        let Some((m, cs)) = mce431() else { return Ok(()) };
        prop_assert_eq!(cs.icd10cm().is_valid(&code, on.ymd()), expected(m, &code, on.ymd()), "{} on {}", code, on);
    }
}
