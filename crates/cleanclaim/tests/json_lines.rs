//! JSON lines are read on every core, and `Engine::check_json_with` streams them 1 MB at a
//! time: the claims, reports and errors must be exactly those of reading the lines one after
//! another (the earliest bad line's error, with its line, column and path), wherever the piece
//! and part boundaries fall.

use cleanclaim::{Claim, Engine, Error, Report, parse_claim, parse_claims};
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

/// The size of a streamed piece (`input::SPLIT_CHUNK_BYTES`).
const PIECE: usize = 1 << 20;

/// `n` distinct one-line claims, every third one with a finding, so reports differ in more
/// than their ids.
fn lines_with_findings(n: usize) -> Vec<String> {
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

/// Every report `check_json_with` hands over, and what it returns. `check_json_read_with`,
/// reading the same text in reads of odd sizes, must hand over and return the same.
fn streamed(e: &Engine, text: &str) -> (Vec<Report>, Result<usize, Error>) {
    let mut got = Vec::new();
    let r = e.check_json_with(text, |rep| got.push(rep));
    let mut read = Vec::new();
    let from_reader = e.check_json_read_with(Trickle::new(text.as_bytes()), |rep| read.push(rep));
    assert_eq!(read, got, "reports from a reader");
    let shown = |r: &Result<usize, Error>| r.as_ref().map(|n| *n).map_err(|e| (e.code(), e.to_string()));
    assert_eq!(shown(&from_reader), shown(&r), "from a reader");
    (got, r)
}

/// A reader that hands over its bytes in reads of changing, odd sizes (up to ~300 KB), and
/// then fails with `fail` if one is set.
struct Trickle<'a> {
    rest: &'a [u8],
    reads: usize,
    fail: Option<std::io::ErrorKind>,
}

impl<'a> Trickle<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Trickle { rest: bytes, reads: 0, fail: None }
    }
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.rest.is_empty()
            && let Some(kind) = self.fail
        {
            return Err(kind.into());
        }
        self.reads += 1;
        let n = [1, 7919, 104_729, 299_993, 65_536][self.reads % 5].min(buf.len()).min(self.rest.len());
        buf[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        Ok(n)
    }
}

#[test]
fn from_a_reader_bytes_that_are_not_utf8_are_an_error_at_their_line() {
    let e = engine();
    let good = lines_with_findings(3000);
    let text = good.join("\n");
    let mut bytes = text.clone().into_bytes();
    // An invalid byte in claim line 2500's id (1-based line 2501).
    let at = text.match_indices('\n').nth(2499).unwrap().0 + 9;
    bytes[at] = 0xFF;
    let mut got = Vec::new();
    let err = e.check_json_read_with(Trickle::new(&bytes), |r| got.push(r)).unwrap_err();
    assert_eq!(got, e.check_many(&serial(&good[..2500])));
    let (line, column, _, message) = fields(err);
    assert_eq!((line, column, message.as_str()), (2501, 9, "not UTF-8 text"));
    // In the first piece, and in a document that is not JSON lines.
    let mut first = text.clone().into_bytes();
    first[3] = 0xC3;
    let err = e.check_json_read_with(Trickle::new(&first), |_| panic!("no claim before line 1")).unwrap_err();
    assert_eq!(fields(err).0, 1);
    let mut array = format!("[\n{}\n]", good[..3].join(",\n")).into_bytes();
    let second = array.len() / 2;
    array[second] = 0xFE;
    let err = e.check_json_read_with(&array[..], |_| panic!("an array is one document")).unwrap_err();
    assert_eq!(err.code(), "json");
}

#[test]
fn from_a_reader_a_line_longer_than_a_piece_is_read_whole() {
    let e = engine();
    let mut ls = lines_with_findings(2500);
    // Blank space inside a claim line, more than a piece of it: the line spans three reads.
    ls[1500] = ls[1500].replacen('{', &format!("{{{}", " ".repeat(2 * PIECE + 17)), 1);
    let (got, n) = streamed(&e, &ls.join("\n"));
    assert_eq!(n.unwrap(), 2500);
    assert_eq!(got, e.check_many(&serial(&ls)));
}

#[test]
fn from_a_reader_a_failed_read_is_an_io_error_after_the_lines_before_it() {
    let e = engine();
    let good = lines_with_findings(3000);
    let text = good.join("\n");
    // The input stops in the middle of line 2000.
    let cut = text.match_indices('\n').nth(1999).unwrap().0 - 5;
    let mut got = Vec::new();
    let reader = Trickle { fail: Some(std::io::ErrorKind::ConnectionReset), ..Trickle::new(&text.as_bytes()[..cut]) };
    let err = e.check_json_read_with(reader, |r| got.push(r)).unwrap_err();
    assert_eq!(err.code(), "io");
    assert_eq!(got, e.check_many(&serial(&good[..1999])));
    assert!(err.with_source("batch.jsonl").to_string().starts_with("batch.jsonl: "));
}

/// 1-based line of byte `at` of `text`.
fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1
}

#[test]
fn reports_come_in_input_order_across_pieces_whatever_the_boundaries() {
    let e = engine();
    let ls = lines_with_findings(4000);
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
    let ls = lines_with_findings(3000);
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
    let good = lines_with_findings(4000);
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
    let ls = lines_with_findings(300);
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
