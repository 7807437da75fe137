//! Reading claims from JSON: one claim, an array of claims, or JSON lines.
//!
//! Errors name the line, column and field path, and never echo input values.
//!
//! Claims go through [`fast`], a reader written for the claim model, first; when it declines
//! (anything but the plain valid case), serde reads the text and gives the claim or the error.
//! The same reader reads any other [`Source`] of values: the Python binding's token tape is one.

mod fast;

pub use fast::{Number, Source, claim_from};

use std::io::Read;

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use crate::Error;
use crate::error::scrub_serde_message;
use crate::model::Claim;

/// Largest JSON document accepted in one piece (a whole batch file is read line by line
/// instead when it is JSON lines).
pub const MAX_DOCUMENT_BYTES: usize = 1 << 30;

/// Below this many claims, an array's claims are mapped on the calling thread: waking the pool
/// costs more than the work.
const PARALLEL_MIN_LINES: usize = 64;

/// JSON lines are read in pieces of about this size, one after another: the claims and results
/// held at once are one piece's.
const SPLIT_CHUNK_BYTES: usize = 1 << 20;

/// A piece is read on every core in parts of about this size: small enough that the cores
/// finish a piece together, large enough that a part is worth handing to the pool.
const PART_BYTES: usize = 32 << 10;

fn json_error(e: serde_path_to_error::Error<serde_json::Error>, line_offset: usize) -> Error {
    let path = e.path().to_string();
    let inner = e.into_inner();
    Error::Json {
        source_name: None,
        line: inner.line() + line_offset,
        column: inner.column(),
        path: (inner.classify() == serde_json::error::Category::Data).then_some(path),
        message: strip_position(&scrub_serde_message(&inner.to_string())),
    }
}

/// serde_json appends " at line L column C"; the error carries them as fields already.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// Parses one JSON value of type `T` with path-aware errors.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    from_json_at(text, 0)
}

/// [`from_json`] for text that starts on line `line_offset + 1` of its document (one line of
/// JSON lines), so errors name the document's line.
fn from_json_at<T: DeserializeOwned>(text: &str, line_offset: usize) -> Result<T, Error> {
    // Path tracking costs on every field; valid input (the common case) skips it, and only a
    // failed parse is repeated with tracking to name the path.
    if let Ok(v) = serde_json::from_str(text) {
        return Ok(v);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let v = serde_path_to_error::deserialize(&mut de).map_err(|e| json_error(e, line_offset))?;
    de.end().map_err(|e| Error::Json {
        source_name: None,
        line: e.line() + line_offset,
        column: e.column(),
        path: None,
        message: strip_position(&e.to_string()),
    })?;
    Ok(v)
}

/// Parses one claim.
pub fn parse_claim(text: &str) -> Result<Claim, Error> {
    claim_at(text, 0)
}

/// The fast claim reader alone: `Some` only with the claim serde would read from `text`,
/// `None` when it leaves `text` (valid or not) to serde. For tests and fuzzing of that contract;
/// [`parse_claim`] already tries it first.
#[doc(hidden)]
pub fn fast_claim(text: &str) -> Option<Claim> {
    fast::claim(text)
}

/// [`fast_claim`] for an array of claims.
#[doc(hidden)]
pub fn fast_claims(text: &str) -> Option<Vec<Claim>> {
    fast::claims(text)
}

/// One claim, by the fast reader or else by serde, with errors numbered as [`from_json_at`]'s.
fn claim_at(text: &str, line_offset: usize) -> Result<Claim, Error> {
    // Filled in place: a claim is about 2 KB, and each `Option` to `Result` hand-over copied it.
    let mut c = fast::blank_claim();
    // Not `claim_into_at`, whose reset of the claim (needed when it is reused) would build a
    // second blank here: +640 instructions a claim (callgrind, `parse_claim`, +3 %).
    match fast::claim_into(text, &mut c) {
        Some(()) => Ok(c),
        None => from_json_at(text, line_offset),
    }
}

/// [`claim_at`] into `c`, in place of the claim it held: a claim is about 2 KB, and returning
/// one by value copied it twice more on its way to the caller's `f` (~2 % of reading and
/// checking a claim).
fn claim_into_at(text: &str, line_offset: usize, c: &mut Claim) -> Result<(), Error> {
    *c = fast::blank_claim();
    if fast::claim_into(text, c).is_none() {
        *c = from_json_at(text, line_offset)?;
    }
    Ok(())
}

/// An array of claims, by the fast reader or else by serde.
fn claim_array(text: &str) -> Result<Vec<Claim>, Error> {
    match fast::claims(text) {
        Some(c) => Ok(c),
        None => from_json(text),
    }
}

/// Parses claims from a document holding one claim object, an array of claims, or JSON lines
/// (one claim object per line; blank lines skipped).
///
/// JSON lines are parsed on every core; the error returned is the one of the earliest bad
/// line, as if the lines were read one after another.
pub fn parse_claims(text: &str) -> Result<Vec<Claim>, Error> {
    match shape(text)? {
        Shape::Array => claim_array(text),
        Shape::One => claim_at(text, 0).map(|c| vec![c]),
        Shape::Lines => {
            // Every claim is kept, so streaming would save nothing: one piece, and the result
            // sized once instead of grown claim by claim (a claim is a large struct to copy).
            let parts = map_piece(text, &|c| std::mem::replace(c, fast::blank_claim()));
            let mut claims = Vec::with_capacity(parts.iter().map(|p| p.out.len()).sum());
            hand_over(parts, &mut 0, |c| claims.push(c))?;
            Ok(claims)
        }
    }
}

/// Reads claims like [`parse_claims`], maps each one with `f` (on every core for many claims)
/// and hands the results to `sink` in input order, on the calling thread. Returns how many
/// results `sink` received.
///
/// JSON lines are read [`SPLIT_CHUNK_BYTES`] at a time: a claim lives only while `f` runs and
/// a result only until that piece is handed over, so memory is bounded by the piece, not the
/// batch. On a bad line, the results of every line before it have reached `sink`, none after
/// it have, and the error is the earliest bad line's, as a serial read would give: what is
/// emitted does not depend on how the work was split.
pub(crate) fn map_claims_with<R: Send>(
    text: &str,
    f: impl Fn(&mut Claim) -> R + Sync + Send,
    mut sink: impl FnMut(R),
) -> Result<usize, Error> {
    match shape(text)? {
        Shape::Array => {
            let claims = claim_array(text)?;
            let n = claims.len();
            // Waking the pool costs more than checking a few claims.
            if n < PARALLEL_MIN_LINES {
                claims.into_iter().map(|mut c| f(&mut c)).for_each(sink);
            } else {
                let out: Vec<R> =
                    claims.into_par_iter().with_min_len(PARALLEL_MIN_LINES).map(|mut c| f(&mut c)).collect();
                out.into_iter().for_each(sink);
            }
            Ok(n)
        }
        Shape::Lines => map_json_lines(text, f, sink),
        Shape::One => {
            sink(f(&mut claim_at(text, 0)?));
            Ok(1)
        }
    }
}

/// Reads claims like [`parse_claims`] from `reader` (a file, a pipe), maps each one with `f`
/// on every core and hands the results to `sink` in input order, on the calling thread;
/// returns how many results `sink` received. `f` may take the claim (`std::mem::replace`) or
/// turn it into what the caller keeps (`cleanclaim convert` writes its JSON there).
///
/// JSON lines are read a piece of about a megabyte at a time, so that memory is bounded by
/// the piece whatever the size of the input (a file is never held whole); an array
/// or a single claim (the first piece is not JSON lines) is read whole first, up to
/// [`MAX_DOCUMENT_BYTES`].
///
/// On a bad line, the results of every line before it have reached `sink`, none after it
/// have, and the error is the earliest bad line's, as a serial read would give; bytes that
/// are not UTF-8 are an error at their line. A read that fails is an [`Error::Io`] (with an
/// empty path, for the caller to name: [`Error::with_source`]), returned after the results of
/// the complete lines read before it.
pub fn map_claims_read<R: Send>(
    mut reader: impl Read,
    f: impl Fn(&mut Claim) -> R + Sync + Send,
    mut sink: impl FnMut(R),
) -> Result<usize, Error> {
    // A piece and the start of the line after it.
    let mut buf = Vec::with_capacity(SPLIT_CHUNK_BYTES + (SPLIT_CHUNK_BYTES >> 2));
    // A failed read ends the input: the complete lines before it are handed over first.
    let (mut eof, mut failed) = match fill(&mut reader, &mut buf) {
        Ok(end) => (end, None),
        Err(e) => (false, Some(e)),
    };
    let head = match std::str::from_utf8(&buf) {
        Ok(head) => head,
        Err(e) => std::str::from_utf8(&buf[..e.valid_up_to()]).unwrap_or_default(),
    };
    if !looks_like_json_lines(head) {
        if let Some(e) = failed {
            return Err(e);
        }
        // One document: the limit is checked by `shape` on the text, so one byte past it is
        // read and no more.
        let limit = (MAX_DOCUMENT_BYTES + 1).saturating_sub(buf.len()) as u64;
        reader.take(limit).read_to_end(&mut buf).map_err(io_error)?;
        let text = std::str::from_utf8(&buf).map_err(|e| Error::not_utf8(&buf, e.valid_up_to()))?;
        return map_claims_with(text, f, sink);
    }
    let (mut emitted, mut lines_before) = (0, 0);
    loop {
        // Whole lines only, unless the input ends here; a line longer than the piece waits for
        // more of itself.
        let cut = if eof { buf.len() } else { memchr::memrchr(b'\n', &buf).map_or(0, |i| i + 1) };
        let piece = &buf[..cut];
        let text = match std::str::from_utf8(piece) {
            Ok(text) => text,
            Err(e) => {
                // The lines before the bad one are handed over, as their reports would be in
                // a text that went on with other lines.
                let good = memchr::memrchr(b'\n', &piece[..e.valid_up_to()]).map_or(0, |i| i + 1);
                let text = std::str::from_utf8(&piece[..good]).unwrap_or_default();
                hand_over(map_piece(text, &f), &mut lines_before, &mut sink)?;
                return Err(after_lines(Error::not_utf8(&piece[good..], e.valid_up_to() - good), lines_before));
            }
        };
        emitted += hand_over(map_piece(text, &f), &mut lines_before, &mut sink)?;
        if let Some(e) = failed {
            return Err(e);
        }
        if eof {
            return Ok(emitted);
        }
        buf.drain(..cut);
        match fill(&mut reader, &mut buf) {
            Ok(end) => eof = end,
            Err(e) => failed = Some(e),
        }
    }
}

/// Adds [`SPLIT_CHUNK_BYTES`] of input to `buf`, or what is left of it: true when the input
/// has ended. A line longer than that grows `buf` by as much on each call until it is whole.
fn fill(reader: &mut impl Read, buf: &mut Vec<u8>) -> Result<bool, Error> {
    let want = SPLIT_CHUNK_BYTES as u64;
    let got = reader.by_ref().take(want).read_to_end(buf).map_err(io_error)?;
    Ok((got as u64) < want)
}

fn io_error(source: std::io::Error) -> Error {
    Error::Io { path: String::new(), source }
}

enum Shape {
    Array,
    Lines,
    One,
}

fn shape(text: &str) -> Result<Shape, Error> {
    if text.len() > MAX_DOCUMENT_BYTES && !looks_like_json_lines(text) {
        return Err(Error::Limit(format!("JSON document over {MAX_DOCUMENT_BYTES} bytes; use JSON lines")));
    }
    if text.trim_start().starts_with('[') {
        Ok(Shape::Array)
    } else if looks_like_json_lines(text) {
        Ok(Shape::Lines)
    } else {
        Ok(Shape::One)
    }
}

/// What one part of JSON lines gave: the results of its lines up to the first bad one, that
/// line's error (line numbers counted from the part's start) and how many lines the part has.
struct Part<R> {
    out: Vec<R>,
    error: Option<Error>,
    lines: usize,
}

/// Reads one part's lines in order, stopping at the first bad one: a later line's error or
/// result could never be reported. Each line is read into the same claim, which `f` may take.
fn map_part<R>(part: &str, f: &impl Fn(&mut Claim) -> R) -> Part<R> {
    // A claim line is about a kilobyte: reserving for that spares most regrowth copies.
    let mut out = Vec::with_capacity(part.len() / 512 + 1);
    let (mut lines, mut claim) = (0, fast::blank_claim());
    for (n, line) in text_lines(part).enumerate() {
        lines = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        match claim_into_at(line, n, &mut claim) {
            Ok(()) => out.push(f(&mut claim)),
            Err(e) => return Part { out, error: Some(e), lines },
        }
    }
    Part { out, error: None, lines }
}

fn map_json_lines<R: Send>(
    text: &str,
    f: impl Fn(&mut Claim) -> R + Sync,
    mut sink: impl FnMut(R),
) -> Result<usize, Error> {
    let (mut emitted, mut lines_before) = (0, 0);
    for piece in NewlineCuts::new(text, SPLIT_CHUNK_BYTES) {
        emitted += hand_over(map_piece(piece, &f), &mut lines_before, &mut sink)?;
    }
    Ok(emitted)
}

/// Maps one piece of JSON lines, part by part on every core.
fn map_piece<R: Send>(piece: &str, f: &(impl Fn(&mut Claim) -> R + Sync)) -> Vec<Part<R>> {
    // Parts share no state; line numbers are only needed for an error, so each part counts
    // its own and `hand_over` adds them up in order, instead of numbering every line before
    // the work starts.
    let parts: Vec<&str> = NewlineCuts::new(piece, PART_BYTES).collect();
    if parts.len() == 1 {
        // Waking the pool costs more than reading a few claims.
        return vec![map_part(piece, f)];
    }
    parts.into_par_iter().map(|p| map_part(p, f)).collect()
}

/// Hands a piece's results to `sink` in order, up to its first bad line, whose error it
/// returns, numbered in the document; `lines_before` is the document's line count before the
/// piece, and after it on return.
fn hand_over<R>(parts: Vec<Part<R>>, lines_before: &mut usize, mut sink: impl FnMut(R)) -> Result<usize, Error> {
    let mut emitted = 0;
    for part in parts {
        emitted += part.out.len();
        part.out.into_iter().for_each(&mut sink);
        if let Some(e) = part.error {
            return Err(after_lines(e, *lines_before));
        }
        *lines_before += part.lines;
    }
    Ok(emitted)
}

/// Moves an error found in a part of a document down by the `n` lines before the part.
fn after_lines(mut e: Error, n: usize) -> Error {
    if let Error::Json { line, .. } = &mut e {
        *line += n;
    }
    e
}

/// Cuts text into pieces of about `size` bytes, each ending just after a newline (the last one
/// at the end of the text), so that `str::lines` over the pieces gives the text's lines.
struct NewlineCuts<'a> {
    rest: &'a str,
    size: usize,
}

impl<'a> NewlineCuts<'a> {
    fn new(text: &'a str, size: usize) -> Self {
        NewlineCuts { rest: text, size }
    }
}

impl<'a> Iterator for NewlineCuts<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        // A newline is ASCII, so the cut after it is a char boundary.
        let cut = match self.rest.as_bytes().get(self.size..).and_then(|b| memchr::memchr(b'\n', b)) {
            Some(i) => self.size + i + 1,
            None => self.rest.len(),
        };
        let (piece, rest) = self.rest.split_at(cut);
        self.rest = rest;
        Some(piece)
    }
}

/// `str::lines`, finding the newlines with the memchr crate's vector search rather than std's
/// word-at-a-time scan (callgrind: −3.5 % instructions reading a piece of JSON lines).
fn text_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    let mut newlines = memchr::memchr_iter(b'\n', text.as_bytes());
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let (line, next) = match newlines.next() {
            // A newline is ASCII, so both cuts are char boundaries.
            Some(end) => (text[start..end].strip_suffix('\r').unwrap_or(&text[start..end]), end + 1),
            // The last line has no newline, and then a final `\r` is its own (as in std).
            None => (&text[start..], text.len()),
        };
        start = next;
        Some(line)
    })
}

/// JSON lines: more than one non-blank line, each a complete object on its own.
fn looks_like_json_lines(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let (Some(first), Some(second)) = (lines.next(), lines.next()) else {
        return false;
    };
    let whole = |l: &str| l.starts_with('{') && l.ends_with('}');
    whole(first) && whole(second) && serde_json::from_str::<serde::de::IgnoredAny>(first).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLAIM: &str = include_str!("../../../examples/claims/clean-office-visit.json");

    #[test]
    fn lines_are_str_lines() {
        let texts = ["", "a", "a\n", "\n", "\n\n", "a\r\nb", "a\r", "a\rb\n", "\r\n", "a\n\r", "é\nü\r\n", "a\nb\n\nc"];
        for t in texts {
            assert_eq!(text_lines(t).collect::<Vec<_>>(), t.lines().collect::<Vec<_>>(), "{t:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn lines_are_str_lines_on_any_text(t in "[a\r\n{}é ]{0,40}") {
            proptest::prop_assert_eq!(text_lines(&t).collect::<Vec<_>>(), t.lines().collect::<Vec<_>>());
        }
    }

    #[test]
    fn reads_one_an_array_and_json_lines() {
        assert_eq!(parse_claims(CLAIM).unwrap().len(), 1);
        assert_eq!(parse_claims(&format!("[{CLAIM},{CLAIM}]")).unwrap().len(), 2);
        let one_line: serde_json::Value = serde_json::from_str(CLAIM).unwrap();
        let l = one_line.to_string();
        assert_eq!(parse_claims(&format!("{l}\n\n{l}\n{l}\n")).unwrap().len(), 3);
    }

    #[test]
    fn json_lines_are_mapped_one_piece_ahead_of_the_sink_at_most() {
        use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
        let line = serde_json::from_str::<serde_json::Value>(CLAIM).unwrap().to_string();
        let n = 4 * SPLIT_CHUNK_BYTES / line.len();
        let text = vec![line.as_str(); n].join("\n");
        let mapped = AtomicUsize::new(0);
        let (mut emitted, mut most_held) = (0, 0);
        let count = map_claims_with(
            &text,
            |_| {
                mapped.fetch_add(1, Relaxed);
            },
            |_| {
                most_held = most_held.max(mapped.load(Relaxed) - emitted);
                emitted += 1;
            },
        )
        .unwrap();
        assert_eq!((count, emitted), (n, n));
        let piece = SPLIT_CHUNK_BYTES / line.len() + 1;
        assert!(most_held <= piece, "{most_held} claims mapped and not yet handed over; a piece holds {piece}");
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let err = parse_claims("{\n  \"id\": \"A\",\n  \"kind\": }").unwrap_err();
        match err {
            Error::Json { line, column, path, .. } => {
                assert_eq!(line, 3);
                assert!(column > 0);
                assert!(path.is_none());
            }
            e => panic!("{e}"),
        }
    }

    #[test]
    fn missing_and_mistyped_fields_name_the_path_without_values() {
        let mut v: serde_json::Value = serde_json::from_str(CLAIM).unwrap();
        v["lines"][1].as_object_mut().unwrap().remove("units");
        let e = parse_claim(&v.to_string()).unwrap_err().to_string();
        assert!(e.contains("lines[1]") && e.contains("units"), "{e}");

        let mut v: serde_json::Value = serde_json::from_str(CLAIM).unwrap();
        v["subscriber"]["birth_date"] = "Zelda-Canary".into();
        let e = parse_claim(&v.to_string()).unwrap_err().to_string();
        assert!(e.contains("subscriber.birth_date"), "{e}");
        assert!(!e.contains("Zelda"), "{e}");
    }
}
