//! JSON lines are read on every core: the claims, reports and errors must be exactly those of
//! reading the lines one after another (the earliest bad line's error, with its line, column
//! and path).

use cleanclaim::{Claim, Engine, Error, parse_claim, parse_claims};
use serde_json::Value;

const EXAMPLES: [&str; 2] = [
    include_str!("../../../examples/claims/clean-office-visit.json"),
    include_str!("../../../examples/claims/clean-inpatient.json"),
];

fn engine() -> Engine {
    Engine::builder().as_of(cleanclaim::Date::parse("2026-06-30").unwrap()).build().unwrap()
}

/// `n` distinct one-line claims, some with codes written the way people write them (dots,
/// lower case, spaces, JSON escapes) so normalization runs on the parallel path too.
fn lines(n: usize) -> Vec<String> {
    let bases: Vec<Value> = EXAMPLES.iter().map(|t| serde_json::from_str(t).unwrap()).collect();
    (0..n)
        .map(|i| {
            let mut v = bases[i % bases.len()].clone();
            v["id"] = format!("C{i}").into();
            if let Some(dx) = v["diagnoses"].as_array_mut() {
                let code = dx[0]["code"].as_str().unwrap().to_owned();
                dx[0]["code"] = match i % 4 {
                    0 => code.into(),
                    1 => code.to_lowercase().into(),
                    2 => format!(" {}.{} ", &code[..3], &code[3..]).into(),
                    _ => format!("{}.{}", &code[..3], &code[3..]).into(),
                };
            }
            let mut s = v.to_string();
            if i % 7 == 3 {
                // An escaped letter: serde hands the visitor an owned string, not a borrowed one.
                s = s.replacen("\"C", "\"\\u0043", 1);
            }
            s
        })
        .collect()
}

/// Joins lines with blank lines and CRLF endings mixed in; returns the text and each claim
/// line's 0-based line number.
fn join(lines: &[String]) -> (String, Vec<usize>) {
    let mut text = String::new();
    let mut at = Vec::new();
    let mut n = 0;
    for (i, l) in lines.iter().enumerate() {
        if i % 11 == 5 {
            text.push_str("\n   \n");
            n += 2;
        }
        at.push(n);
        text.push_str(l);
        text.push_str(if i % 5 == 0 { "\r\n" } else { "\n" });
        n += 1;
    }
    (text, at)
}

fn one_by_one(lines: &[String]) -> Vec<Claim> {
    lines.iter().map(|l| parse_claim(l).unwrap()).collect()
}

#[test]
fn parallel_read_gives_the_claims_and_reports_of_a_serial_read() {
    // 3,000 claims of about 1 KB: several split pieces and many rayon jobs.
    for n in [2, 63, 64, 65, 3000] {
        let ls = lines(n);
        let (text, _) = join(&ls);
        let expected = one_by_one(&ls);
        assert_eq!(parse_claims(&text).unwrap(), expected, "{n} claims");
        let e = engine();
        assert_eq!(e.check_json(&text).unwrap(), e.check_many(&expected), "{n} claims");
    }
}

#[test]
fn arrays_and_single_claims_read_as_before() {
    let ls = lines(200);
    let expected = one_by_one(&ls);
    let array = format!("[{}]", ls.join(",\n"));
    assert_eq!(parse_claims(&array).unwrap(), expected);
    let e = engine();
    assert_eq!(e.check_json(&array).unwrap(), e.check_many(&expected));
    assert_eq!(e.check_json(&ls[0]).unwrap(), e.check_many(&expected[..1]));
}

/// The error a serial read reports for `bad` on 0-based line `n`.
fn serial_error(bad: &str, n: usize) -> (usize, usize, Option<String>, String) {
    match parse_claim(bad).unwrap_err() {
        Error::Json { line, column, path, message, .. } => (line + n, column, path, message),
        e => panic!("{e}"),
    }
}

fn fields(e: Error) -> (usize, usize, Option<String>, String) {
    match e {
        Error::Json { line, column, path, message, .. } => (line, column, path, message),
        e => panic!("{e}"),
    }
}

#[test]
fn the_earliest_bad_line_wins_with_its_position_and_path() {
    let good = lines(3000);
    let mut units: Value = serde_json::from_str(&good[0]).unwrap();
    units["lines"][1]["units"] = "Zelda".into();
    let mut missing: Value = serde_json::from_str(&good[1]).unwrap();
    missing.as_object_mut().unwrap().remove("kind");
    let bads = [
        units.to_string(),
        missing.to_string(),
        good[2].replacen("\"kind\"", "\"kind\" 1", 1),
        format!("{} x", good[3]),
        good[4].replacen("\"total_charge\"", "\"total_charg\"", 1),
    ];
    let e = engine();
    for (k, bad_at) in [vec![0], vec![1, 2], vec![63, 64], vec![64], vec![1500, 2999], vec![2999], vec![700, 20]]
        .into_iter()
        .enumerate()
    {
        let mut ls = good.clone();
        for (j, &at) in bad_at.iter().enumerate() {
            ls[at] = bads[(k + j) % bads.len()].clone();
        }
        let (text, line_no) = join(&ls);
        let first = *bad_at.iter().min().unwrap();
        let expected = serial_error(&ls[first], line_no[first]);
        assert_eq!(fields(parse_claims(&text).unwrap_err()), expected, "bad lines {bad_at:?}");
        assert_eq!(fields(e.check_json(&text).unwrap_err()), expected, "bad lines {bad_at:?}");
        let shown = parse_claims(&text).unwrap_err().to_string();
        assert!(!shown.contains("Zelda"), "{shown}");
    }
}
