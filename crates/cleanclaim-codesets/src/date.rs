//! `Ymd` helpers (`u32` `YYYYMMDD`).

/// A date as `YYYYMMDD`, e.g. `20251001`.
pub type Ymd = u32;

/// End of an open-ended period ("until a later release says otherwise").
pub const OPEN: Ymd = 9999_12_31;

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) {
                29
            } else {
                28
            }
        }
    }
}

/// Whether `d` is a real calendar date.
pub fn is_valid_ymd(d: Ymd) -> bool {
    let (y, m, dd) = (d / 10000, d / 100 % 100, d % 100);
    (1..=12).contains(&m) && dd >= 1 && dd <= days_in_month(y, m) && y >= 1900
}

/// The day before `d`.
pub fn prev_day(d: Ymd) -> Ymd {
    let (mut y, mut m, dd) = (d / 10000, d / 100 % 100, d % 100);
    if dd > 1 {
        return d - 1;
    }
    if m == 1 {
        y -= 1;
        m = 12;
    } else {
        m -= 1;
    }
    y * 10000 + m * 100 + days_in_month(y, m)
}

/// Parse `YYYY-MM-DD` or `YYYYMMDD`; `None` if malformed.
pub fn parse_ymd(s: &str) -> Option<Ymd> {
    let s = s.trim();
    let digits: String = match s.len() {
        10 if s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-' => {
            format!("{}{}{}", &s[0..4], &s[5..7], &s[8..10])
        }
        8 => s.to_string(),
        _ => return None,
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let d: u32 = digits.parse().ok()?;
    is_valid_ymd(d).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn prev() {
        assert_eq!(prev_day(20261001), 20260930);
        assert_eq!(prev_day(20250101), 20241231);
        assert_eq!(prev_day(20240301), 20240229);
        assert_eq!(parse_ymd("2026-09-30"), Some(20260930));
        assert_eq!(parse_ymd("2026-02-30"), None);
    }
}
