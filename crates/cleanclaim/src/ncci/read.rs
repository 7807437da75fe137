//! Reading CMS table files: tab-delimited TXT with header lines, or CSV exports of the XLSX
//! (comma separated, quoted cells, header cells with line breaks).
//!
//! Every table is read the same way: preamble lines (copyright notices) until a header row the
//! table recognises, header continuation lines (the TXT files break header cells over several
//! lines), then one edit per row. A file without a header is read by position when its first
//! cell already looks like a code. Malformed rows are errors naming file and line.

use std::io::{BufRead, BufReader, Read};

use crate::Error;

/// Preamble records read before giving up on finding a header.
const MAX_PREAMBLE: usize = 50;
/// Physical lines one quoted cell may span before the quote counts as unterminated.
const MAX_RECORD_LINES: usize = 20;

pub(super) fn err(file: &str, line: usize, message: impl Into<String>) -> Error {
    Error::CodeSet { file: file.to_owned(), line, message: message.into() }
}

/// Lower-case letters and digits only: `"Deletion Date\n*=no data"` → `deletiondatenodata`.
pub(super) fn norm(cell: &str) -> String {
    cell.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// Splits one record into cells. Returns false when a quoted cell is still open at the end
/// (the record continues on the next line). A quote only opens a quoted cell at the start of
/// the cell, so the TXT files' `CPT "Separate procedure" definition` stays literal.
fn split(record: &str, delim: char, cells: &mut Vec<String>) -> bool {
    cells.clear();
    let mut chars = record.chars().peekable();
    loop {
        let mut cell = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => return false,
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        cell.push('"');
                    }
                    Some('"') => break,
                    Some(c) => cell.push(c),
                }
            }
        }
        let mut end_of_record = true;
        for c in chars.by_ref() {
            if c == delim {
                end_of_record = false;
                break;
            }
            cell.push(c);
        }
        cells.push(cell.trim().to_owned());
        if end_of_record {
            return true;
        }
    }
}

/// What a table does with the rows of one file.
pub(super) trait Layout {
    /// Column positions, resolved from a header row or by position.
    type Cols;
    /// The columns named by a header row, `None` when `cells` is not this table's header;
    /// an error (a message) when it is the header but lacks a required column.
    fn header(&mut self, cells: &[String]) -> Option<Result<Self::Cols, String>>;
    /// The columns of a file without a header.
    fn positional(&self) -> Self::Cols;
    /// Stores one data row.
    fn row(&mut self, cols: &Self::Cols, cells: &[String]) -> Result<(), String>;
}

/// Physical-line reader that joins lines while a quoted cell is open.
struct Records<R> {
    src: BufReader<R>,
    file: String,
    line: usize,
    buf: Vec<u8>,
}

impl<R: Read> Records<R> {
    fn physical(&mut self) -> Result<Option<String>, Error> {
        self.buf.clear();
        let n =
            self.src.read_until(b'\n', &mut self.buf).map_err(|e| Error::Io { path: self.file.clone(), source: e })?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
            self.buf.pop();
        }
        let mut text = String::from_utf8_lossy(&self.buf).into_owned();
        if self.line == 1 && text.starts_with('\u{feff}') {
            text.remove(0);
        }
        Ok(Some(text))
    }

    /// The next record split with `delim` (or, before the delimiter is known, with a tab when
    /// the line has one and a comma otherwise), with the line it starts on.
    fn next(&mut self, delim: Option<char>, cells: &mut Vec<String>) -> Result<Option<(usize, char)>, Error> {
        let Some(mut text) = self.physical()? else {
            return Ok(None);
        };
        let start = self.line;
        let delim = delim.unwrap_or(if text.contains('\t') { '\t' } else { ',' });
        let mut lines = 1;
        while !split(&text, delim, cells) {
            if lines >= MAX_RECORD_LINES {
                return Err(err(&self.file, start, "unterminated quoted cell"));
            }
            let Some(more) = self.physical()? else {
                return Err(err(&self.file, start, "file ends inside a quoted cell (truncated?)"));
            };
            text.push('\n');
            text.push_str(&more);
            lines += 1;
        }
        Ok(Some((start, delim)))
    }
}

fn blank(cells: &[String]) -> bool {
    cells.iter().all(String::is_empty)
}

/// True when a cell has the shape of a 5-character HCPCS/CPT code.
fn code_like(cell: &str) -> bool {
    cell.len() == 5 && cell.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Reads one table file into `layout`; returns the number of data rows.
pub(super) fn read<L: Layout>(reader: impl Read, file: &str, layout: &mut L) -> Result<usize, Error> {
    let mut rec =
        Records { src: BufReader::with_capacity(1 << 16, reader), file: file.to_owned(), line: 0, buf: Vec::new() };
    let mut cells = Vec::new();
    // Preamble: find the header (or the first data row of a file without one).
    let (cols, delim, mut rows) = loop {
        let Some((line, delim)) = rec.next(None, &mut cells)? else {
            return Err(err(file, rec.line.max(1), "no header row and no edits: the file is empty or not this table"));
        };
        if line > MAX_PREAMBLE {
            return Err(err(file, line, "no header row found in the first lines: not this table"));
        }
        if let Some(cols) = layout.header(&cells) {
            break (cols.map_err(|m| err(file, line, m))?, delim, 0);
        }
        if cells.first().is_some_and(|c| code_like(c)) {
            let cols = layout.positional();
            layout.row(&cols, &cells).map_err(|m| err(file, line, m))?;
            break (cols, delim, 1);
        }
    };
    let mut after_header = rows == 0;
    while let Some((line, _)) = rec.next(Some(delim), &mut cells)? {
        if blank(&cells) {
            continue;
        }
        // The TXT header spans several lines; its continuation lines have an empty first cell.
        if after_header && cells.first().is_none_or(String::is_empty) {
            continue;
        }
        after_header = false;
        layout.row(&cols, &cells).map_err(|m| err(file, line, m))?;
        rows += 1;
    }
    if rows == 0 {
        return Err(err(file, rec.line.max(1), "header but no edits: the file is empty or truncated"));
    }
    Ok(rows)
}

/// The first preamble record `test` recognises as a header, read without loading the file.
pub(super) fn find_header<T>(
    reader: impl Read,
    file: &str,
    test: impl Fn(&[String]) -> Option<T>,
) -> Result<Option<T>, Error> {
    let mut rec = Records { src: BufReader::new(reader), file: file.to_owned(), line: 0, buf: Vec::new() };
    let mut cells = Vec::new();
    while rec.line < MAX_PREAMBLE {
        match rec.next(None, &mut cells) {
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e @ Error::Io { .. }) => return Err(e),
            // Not a table this reader understands: not an error for a directory scan.
            Err(_) => break,
        }
        if let Some(t) = test(&cells) {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

/// The cell at `i`, or an error naming how many cells the row has.
pub(super) fn cell<'a>(cells: &'a [String], i: usize, what: &str) -> Result<&'a str, String> {
    cells.get(i).map(String::as_str).ok_or_else(|| {
        format!("row has {} cell(s) but {what} is column {} (truncated or not this table?)", cells.len(), i + 1)
    })
}

/// A 5-character HCPCS/CPT code from a table, upper-cased.
pub(super) fn code(raw: &str, what: &str) -> Result<String, String> {
    let c = raw.trim().to_ascii_uppercase();
    if code_like(&c) { Ok(c) } else { Err(format!("{what} `{}` is not a 5-character HCPCS/CPT code", clip(raw))) }
}

/// A date as `YYYYMMDD`, `YYYY-MM-DD` or `M/D/YYYY` (spreadsheet exports); empty or `*` is none.
pub(super) fn date(raw: &str, what: &str) -> Result<Option<u32>, String> {
    let s = raw.trim();
    if s.is_empty() || s == "*" {
        return Ok(None);
    }
    let bad = || format!("{what} `{}` is not a date (YYYYMMDD)", clip(raw));
    // Exports sometimes carry a time of day after the date.
    let s = s.split_whitespace().next().unwrap_or(s);
    let ymd = if s.contains('/') {
        let mut parts = s.split('/').map(|p| p.parse::<u32>().ok());
        match (parts.next().flatten(), parts.next().flatten(), parts.next().flatten(), parts.next()) {
            (Some(m), Some(d), Some(y), None) if y >= 1000 => y * 10_000 + m * 100 + d,
            _ => return Err(bad()),
        }
    } else {
        crate::Date::parse(s).map_err(|_| bad())?.ymd()
    };
    crate::Date::from_ymd(ymd).map(|_| Some(ymd)).ok_or_else(bad)
}

/// Cuts a table value for an error message (table values are public CMS data, never patient
/// data, but a garbled line can be long).
pub(super) fn clip(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 40 { format!("{}…", s.chars().take(40).collect::<String>()) } else { s.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quoted_and_plain_cells() {
        let mut cells = Vec::new();
        assert!(split("\"a,b\",\"say \"\"hi\"\"\",c", ',', &mut cells));
        assert_eq!(cells, ["a,b", "say \"hi\"", "c"]);
        assert!(split("CPT \"Separate procedure\" definition\tx", '\t', &mut cells));
        assert_eq!(cells, ["CPT \"Separate procedure\" definition", "x"]);
        assert!(!split("\"open", ',', &mut cells));
        assert!(split("", ',', &mut cells));
        assert_eq!(cells, [""]);
    }

    #[test]
    fn dates_in_three_forms() {
        assert_eq!(date("20240101", "d"), Ok(Some(20240101)));
        assert_eq!(date("2024-01-01", "d"), Ok(Some(20240101)));
        assert_eq!(date("1/31/2024 0:00", "d"), Ok(Some(20240131)));
        assert_eq!(date("*", "d"), Ok(None));
        assert!(date("20241301", "d").is_err());
        assert!(date("2/30/2024", "d").is_err());
        assert!(date("2024", "d").is_err());
    }
}
