//! `Engine::check_json_with` streams JSON lines 1 MB at a time: the reports it hands over, and
//! the error it returns, must be those of reading the lines one after another, wherever the
//! piece and part boundaries fall.

use cleanclaim::{Claim, Engine, Error, Report, parse_claim};
use serde_json::Value;

const EXAMPLES: [&str; 2] = [
    include_str!("../../../examples/claims/clean-office-visit.json"),
    include_str!("../../../examples/claims/clean-inpatient.json"),
];

/// The size of a streamed piece (`input::SPLIT_CHUNK_BYTES`).
const PIECE: usize = 1 << 20;

fn engine() -> Engine {
    Engine::builder().as_of(cleanclaim::Date::parse("2026-06-30").unwrap()).build().unwrap()
}

/// `n` distinct one-line claims, every third one with a finding, so reports differ in more
/// than their ids.
fn lines(n: usize) -> Vec<String> {
    let bases: Vec<Value> = EXAMPLES.iter().map(|t| serde_json::from_str(t).unwrap()).collect();
    (0..n)
        .map(|i| {
            let mut v = bases[i % bases.len()].clone();
            v["id"] = format!("S{i}").into();
            if i % 3 == 0 {
                v["total_charge"] = "1.00".into();
            }
            v.to_string()
        })
        .collect()
}

fn serial(lines: &[String]) -> Vec<Claim> {
    lines.iter().map(|l| parse_claim(l).unwrap()).collect()
}

/// Every report `check_json_with` hands over, and what it returns.
fn streamed(e: &Engine, text: &str) -> (Vec<Report>, Result<usize, Error>) {
    let mut got = Vec::new();
    let r = e.check_json_with(text, |rep| got.push(rep));
    (got, r)
}

fn fields(e: Error) -> (usize, usize, Option<String>, String) {
    match e {
        Error::Json { line, column, path, message, .. } => (line, column, path, message),
        e => panic!("{e}"),
    }
}

/// 1-based line of byte `at` of `text`.
fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1
}

#[test]
fn reports_come_in_input_order_across_pieces_whatever_the_boundaries() {
    let e = engine();
    let ls = lines(4000);
    let expected = e.check_many(&serial(&ls));
    // Leading blank lines of different lengths move every piece boundary: onto a line start,
    // into the middle of a claim, onto a newline.
    for lead in [0, 1, 2, 517, 1023] {
        let text = format!("{}{}\n", "\n".repeat(lead), ls.join("\n"));
        assert!(text.len() > 3 * PIECE);
        let (got, n) = streamed(&e, &text);
        assert_eq!(n.unwrap(), ls.len(), "lead {lead}");
        assert_eq!(got, expected, "lead {lead}");
    }
    // A line that spans the first piece boundary is read whole, once.
    let text = ls.join("\n");
    let start = text[..PIECE].rfind('\n').unwrap() + 1;
    assert!(text[start..].find('\n').unwrap() + start > PIECE, "no line spans the boundary");
    assert_eq!(streamed(&e, &text).0, expected);
}

#[test]
fn blank_lines_and_crlf_are_skipped_and_counted() {
    let e = engine();
    let ls = lines(3000);
    let mut text = String::from("\r\n  \n");
    for (i, l) in ls.iter().enumerate() {
        text.push_str(l);
        text.push_str(match i % 4 {
            0 => "\r\n",
            1 => "\n\n\t\n",
            2 => "\n \r\n",
            _ => "\n",
        });
    }
    let (got, n) = streamed(&e, &text);
    assert_eq!(n.unwrap(), ls.len());
    assert_eq!(got, e.check_many(&serial(&ls)));
    // The line count across pieces: a bad last line is named by its line in the document.
    let bad = format!("{text}{{\"id\": 7}}\n");
    let (got, r) = streamed(&e, &bad);
    assert_eq!(got.len(), ls.len());
    assert_eq!(fields(r.unwrap_err()).0, line_of(&bad, bad.len() - 1));
}

#[test]
fn the_earliest_bad_line_wins_and_every_claim_before_it_is_reported() {
    let e = engine();
    let good = lines(4000);
    let mut units: Value = serde_json::from_str(&good[0]).unwrap();
    units["lines"][0]["units"] = "Zelda".into();
    let bads = [units.to_string(), format!("{} x", good[1]), good[2].replacen("\"kind\"", "\"kind\" 1", 1)];
    // Bad lines in the same part, in later parts, in later pieces, and the first and last line.
    for (k, bad_at) in [vec![0], vec![5, 6], vec![40, 2000], vec![2000, 40], vec![1500, 1501, 3999], vec![3999]]
        .into_iter()
        .enumerate()
    {
        let mut ls = good.clone();
        for (j, &at) in bad_at.iter().enumerate() {
            ls[at] = bads[(k + j) % bads.len()].clone();
        }
        let text = ls.join("\n");
        let first = *bad_at.iter().min().unwrap();
        let (line, column, path, message) = fields(parse_claim(&ls[first]).unwrap_err());
        let expected = (line + first, column, path, message);
        let (got, r) = streamed(&e, &text);
        let err = r.unwrap_err();
        assert!(!err.to_string().contains("Zelda"), "{err}");
        assert_eq!(fields(err), expected, "bad lines {bad_at:?}");
        assert_eq!(got, e.check_many(&serial(&good[..first])), "bad lines {bad_at:?}");
        assert_eq!(fields(e.check_json(&text).unwrap_err()), expected, "bad lines {bad_at:?}");
        assert_eq!(fields(cleanclaim::parse_claims(&text).unwrap_err()), expected, "bad lines {bad_at:?}");
    }
}

#[test]
fn arrays_and_single_claims_are_whole_documents() {
    let e = engine();
    let ls = lines(300);
    let expected = e.check_many(&serial(&ls));
    for n in [1, 2, 63, 64, 300] {
        let array = format!("[\n{}\n]", ls[..n].join(",\n"));
        let (got, r) = streamed(&e, &array);
        assert_eq!(r.unwrap(), n);
        assert_eq!(got, expected[..n], "{n} claims");
    }
    let (got, r) = streamed(&e, EXAMPLES[1]);
    assert_eq!(r.unwrap(), 1);
    assert_eq!(got, e.check_many(&[parse_claim(EXAMPLES[1]).unwrap()]));

    // A bad array or claim hands over nothing: it is one document.
    let bad_array = format!("[{},{}]", ls[0], ls[1].replacen("\"kind\"", "\"kind\" 1", 1));
    let (got, r) = streamed(&e, &bad_array);
    assert!(got.is_empty());
    assert_eq!(fields(r.unwrap_err()), fields(cleanclaim::parse_claims(&bad_array).unwrap_err()));
    let (got, r) = streamed(&e, "{\"id\": \"A\"}");
    assert!(got.is_empty());
    assert_eq!(r.unwrap_err().code(), "json");
}
