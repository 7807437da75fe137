//! CMS HCPCS Level II alpha-numeric file (`HCPCyyyy_..._ANWEB`), fixed width, 320 columns
//! (domain.md §C3). Columns used (1-based), checked against `HCPC2020_ANWEB_w_disclaimer.txt`:
//!
//! | cols | field |
//! |---|---|
//! | 1–5 | HCPCS code; modifier records: 3 blanks + 2-character modifier |
//! | 6–10 | sequence number |
//! | 11 | record id: 3 code, 4 code continuation, 7 modifier, 8 modifier continuation |
//! | 12–91 | long description (continued on 4/8 records) |
//! | 92–119 | short description |
//! | 230 | coverage code (C, D, I, M, S) |
//! | 269–276 | code added date `YYYYMMDD` |
//! | 277–284 | action effective date |
//! | 285–292 | termination date (blank = none) |
//! | 293 | action code (A add, C change, D discontinue, N no change, P, S, …) |
//!
//! The layout page in domain.md put the dates near 273–281; in the real 2020 file they sit at
//! 269–293 (e.g. `A4466`: added 20100101, action 20170101, terminated 20161231, action `N`).
//! The file is Windows-1252; bytes ≥ 0x80 are decoded as Latin-1. Leading free-text lines (the
//! CMS disclaimer) are skipped until the first record.

use super::CodeSetError;
use crate::date::{Ymd, is_valid_ymd};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HcpcsKind {
    Procedure,
    Modifier,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HcpcsRow {
    pub code: String,
    pub kind: HcpcsKind,
    pub long: String,
    pub short: String,
    pub coverage: Option<char>,
    pub added: Option<Ymd>,
    pub action_effective: Option<Ymd>,
    pub terminated: Option<Ymd>,
    pub action: Option<char>,
}

fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| c as char).collect()
}

fn is_record(l: &[u8]) -> bool {
    l.len() >= 12 && l[5..10].iter().all(u8::is_ascii_digit) && matches!(l[10], b'3' | b'4' | b'7' | b'8')
}

pub fn parse(bytes: &[u8], file: &str) -> Result<Vec<HcpcsRow>, CodeSetError> {
    let mut out: Vec<HcpcsRow> = Vec::new();
    let mut started = false;
    let mut last = 0;
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let n = i + 1;
        last = n;
        let l = raw.strip_suffix(b"\r").unwrap_or(raw);
        if l.iter().all(|b| *b == b' ') {
            continue;
        }
        if !is_record(l) {
            if started {
                return Err(CodeSetError::new(
                    file,
                    n,
                    "not an HCPCS record (bad sequence number or record id in cols 6–11)",
                ));
            }
            continue;
        }
        started = true;
        let rec = l[10];
        let err = |m: String| CodeSetError::new(file, n, m);
        let field = |a: usize, b: usize| latin1(&l[a.min(l.len())..b.min(l.len())]).trim().to_string();
        let code = match rec {
            b'3' | b'4' => field(0, 5),
            _ => {
                if &l[0..3] != b"   " {
                    return Err(err("modifier record must start with 3 blanks".into()));
                }
                field(3, 5)
            }
        };
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(err(format!("bad code `{code}`")));
        }
        let long = field(11, 91);
        match rec {
            b'4' | b'8' => {
                let prev = out
                    .last_mut()
                    .filter(|p| p.code == code)
                    .ok_or_else(|| err(format!("continuation record for {code} without a first record")))?;
                if !long.is_empty() {
                    if !prev.long.is_empty() {
                        prev.long.push(' ');
                    }
                    prev.long.push_str(&long);
                }
            }
            _ => {
                if l.len() < 293 {
                    return Err(err(format!(
                        "truncated record: {} columns, the first record of a code needs 293",
                        l.len()
                    )));
                }
                let date = |a: usize| -> Result<Option<Ymd>, CodeSetError> {
                    let s = field(a, a + 8);
                    if s.is_empty() {
                        return Ok(None);
                    }
                    s.parse::<u32>()
                        .ok()
                        .filter(|d| is_valid_ymd(*d))
                        .map(Some)
                        .ok_or_else(|| err(format!("bad date `{s}` at column {}", a + 1)))
                };
                let ch = |a: usize| Some(l[a] as char).filter(|c| *c != ' ');
                out.push(HcpcsRow {
                    kind: if rec == b'3' { HcpcsKind::Procedure } else { HcpcsKind::Modifier },
                    long,
                    short: field(91, 119),
                    coverage: ch(229),
                    added: date(268)?,
                    action_effective: date(276)?,
                    terminated: date(284)?,
                    action: ch(292),
                    code,
                });
            }
        }
    }
    if out.is_empty() {
        return Err(CodeSetError::new(file, last, "no HCPCS records"));
    }
    Ok(out)
}
