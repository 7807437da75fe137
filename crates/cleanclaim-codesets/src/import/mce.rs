//! MCE-style CSVs (`icd10cm_dx_master.csv`, `icd10pcs_sg_master.csv`, `age_ranges.csv`,
//! `discharge_status.csv`): `code,effective_date,termination_date,flags`, dates `YYYY-MM-DD`,
//! an empty termination date = open-ended (through the release's termination date).

use super::{CodeSetError, lines, normalize_code, split_csv};
use crate::date::{OPEN, Ymd, parse_ymd};
use crate::model::{AgeRow, Period};
use std::collections::BTreeMap;

fn header<'a>(file: &str, it: &mut impl Iterator<Item = (usize, &'a str)>, want: &[&str]) -> Result<(), CodeSetError> {
    let (n, h) = it.next().ok_or_else(|| CodeSetError::new(file, 0, "empty file"))?;
    let cols = split_csv(h);
    if cols.len() < want.len() || cols.iter().zip(want).any(|(a, b)| a.trim() != *b) {
        return Err(CodeSetError::new(file, n, format!("expected header starting `{}`, found `{h}`", want.join(","))));
    }
    Ok(())
}

fn date(file: &str, n: usize, s: &str, open_ok: bool) -> Result<Ymd, CodeSetError> {
    if s.trim().is_empty() && open_ok {
        return Ok(OPEN);
    }
    parse_ymd(s).ok_or_else(|| CodeSetError::new(file, n, format!("bad date `{s}`")))
}

/// Parse a code master. `parse_flags` turns the space-separated flag column into a bitset
/// (`Err(flag)` for an unknown flag). Rows of a code must not overlap.
pub fn parse_master<F: Copy>(
    text: &str,
    file: &str,
    parse_flags: impl Fn(&str) -> Result<F, String>,
) -> Result<BTreeMap<String, Vec<Period<F>>>, CodeSetError> {
    let mut it = lines(text);
    header(file, &mut it, &["code", "effective_date", "termination_date", "flags"])?;
    let mut out: BTreeMap<String, Vec<Period<F>>> = BTreeMap::new();
    let mut last = 0;
    for (n, l) in it {
        last = n;
        if l.is_empty() {
            continue;
        }
        let c = split_csv(l);
        if c.len() != 4 {
            return Err(CodeSetError::new(file, n, format!("expected 4 columns, found {}", c.len())));
        }
        let code = normalize_code(&c[0]).ok_or_else(|| CodeSetError::new(file, n, format!("bad code `{}`", c[0])))?;
        let from = date(file, n, &c[1], false)?;
        let to = date(file, n, &c[2], true)?;
        if to < from {
            return Err(CodeSetError::new(file, n, "termination date before effective date"));
        }
        let flags = parse_flags(&c[3]).map_err(|f| CodeSetError::new(file, n, format!("unknown MCE flag `{f}`")))?;
        let ps = out.entry(code.clone()).or_default();
        if let Some(p) = ps.last()
            && p.to >= from
        {
            return Err(CodeSetError::new(file, n, format!("rows of {code} overlap or are unsorted")));
        }
        ps.push(Period { from, to, flags });
    }
    if out.is_empty() {
        return Err(CodeSetError::new(file, last, "no rows"));
    }
    if !text.ends_with('\n') {
        return Err(CodeSetError::new(file, last, "truncated file (no final newline)"));
    }
    Ok(out)
}

/// `age_ranges.csv`.
pub fn parse_age_ranges(text: &str, file: &str) -> Result<Vec<AgeRow>, CodeSetError> {
    let mut it = lines(text);
    header(file, &mut it, &["age_group", "flag", "start_age", "end_age", "effective_date"])?;
    let mut out = Vec::new();
    for (n, l) in it {
        if l.is_empty() {
            continue;
        }
        let c = split_csv(l);
        if c.len() != 6 {
            return Err(CodeSetError::new(file, n, "expected 6 columns"));
        }
        let age = |s: &str| s.trim().parse::<u8>().map_err(|_| CodeSetError::new(file, n, format!("bad age `{s}`")));
        out.push(AgeRow {
            flag: c[1].trim().to_string(),
            lo: age(&c[2])?,
            hi: age(&c[3])?,
            from: date(file, n, &c[4], false)?,
            to: date(file, n, &c[5], true)?,
        });
    }
    Ok(out)
}

/// `discharge_status.csv`: `(code, from, to)`.
pub fn parse_discharge(text: &str, file: &str) -> Result<Vec<(String, Ymd, Ymd)>, CodeSetError> {
    let mut it = lines(text);
    header(file, &mut it, &["code", "effective_date", "termination_date"])?;
    let mut out = Vec::new();
    for (n, l) in it {
        if l.is_empty() {
            continue;
        }
        let c = split_csv(l);
        if c.len() != 3 || c[0].len() != 2 || !c[0].bytes().all(|b| b.is_ascii_digit()) {
            return Err(CodeSetError::new(file, n, "expected `NN,effective,termination`"));
        }
        out.push((c[0].clone(), date(file, n, &c[1], false)?, date(file, n, &c[2], true)?));
    }
    Ok(out)
}
