//! Calendar dates without time zones, as claims carry them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date (proleptic Gregorian), e.g. a date of service or a birth date.
///
/// Parses `YYYY-MM-DD` and the X12 form `YYYYMMDD`; prints `YYYY-MM-DD`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    // Field order gives the derived ordering: year, then month, then day.
    year: u16,
    month: u8,
    day: u8,
}

/// Why a string is not a date. Carries no part of the input (it may be a birth date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a valid date (expected YYYY-MM-DD or YYYYMMDD)")]
pub struct DateError;

impl Date {
    /// A date from its parts, or `None` when the day does not exist.
    pub const fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if year == 0 || month == 0 || month > 12 || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD` or `YYYYMMDD` (surrounding whitespace allowed).
    pub fn parse(s: &str) -> Result<Date, DateError> {
        // Claims carry a date of birth, statement dates and one or two per line: the untrimmed
        // forms take eight digits as one word (callgrind, reading JSON claims: 114 -> ~84
        // instructions a call). Anything else, errors included, takes the byte-wise path below,
        // which decides the same for these forms (their ends are digits, so trimming is a no-op).
        let b = s.as_bytes();
        let head = b.get(..8).map(|w| u64::from_le_bytes(w.try_into().expect("8 bytes")));
        let digits = match (b.len(), head) {
            // `YYYY-MM-` then `DD`: the dashes out, the day's two bytes in.
            (10, Some(w)) if w & 0xFF00_00FF_0000_0000 == 0x2D00_002D_0000_0000 => {
                let day = u64::from(u16::from_le_bytes([b[8], b[9]]));
                Some(w & 0xFFFF_FFFF | (w >> 8) & 0xFFFF_0000_0000 | day << 48)
            }
            (8, w) => w,
            _ => None,
        };
        if let Some(date) = digits.and_then(Date::from_digits) {
            return Ok(date);
        }
        Date::parse_bytewise(s)
    }

    /// The date of the eight ASCII digits `YYYYMMDD` in `w` (first digit in the lowest byte),
    /// or `None` when a byte is not a digit or the date does not exist.
    #[inline]
    fn from_digits(w: u64) -> Option<Date> {
        const HIGH_NIBBLES: u64 = 0xF0F0_F0F0_F0F0_F0F0;
        const ZEROS: u64 = 0x3030_3030_3030_3030;
        // A byte is a digit when its high nibble is 3 before and after adding 6 (0x3A..=0x3F
        // become 0x40..=0x45); no byte carries into the next, as none exceeds 0x3F + 6.
        if w & HIGH_NIBBLES != ZEROS || w.wrapping_add(0x0606_0606_0606_0606) & HIGH_NIBBLES != ZEROS {
            return None;
        }
        let d = w & 0x0F0F_0F0F_0F0F_0F0F;
        // Byte 2k becomes 10 * digit(2k) + digit(2k + 1): at most 99, so nothing carries.
        let pairs = d.wrapping_mul(10).wrapping_add(d >> 8);
        let pair = |k: u32| (pairs >> (16 * k)) as u8;
        Date::new(u16::from(pair(0)) * 100 + u16::from(pair(1)), pair(2), pair(3))
    }

    fn parse_bytewise(s: &str) -> Result<Date, DateError> {
        let b = crate::codes::trim(s).as_bytes();
        let (y, m, d) = match b.len() {
            10 if b[4] == b'-' && b[7] == b'-' => (&b[0..4], &b[5..7], &b[8..10]),
            8 => (&b[0..4], &b[4..6], &b[6..8]),
            _ => return Err(DateError),
        };
        let num = |digits: &[u8]| -> Result<u16, DateError> {
            digits.iter().try_fold(0u16, |acc, &c| {
                if c.is_ascii_digit() { Ok(acc * 10 + u16::from(c - b'0')) } else { Err(DateError) }
            })
        };
        Date::new(num(y)?, num(m)? as u8, num(d)? as u8).ok_or(DateError)
    }

    /// Year, 1..=9999.
    pub fn year(self) -> u16 {
        self.year
    }
    /// Month, 1..=12.
    pub fn month(self) -> u8 {
        self.month
    }
    /// Day of month.
    pub fn day(self) -> u8 {
        self.day
    }

    /// The date as the integer `YYYYMMDD`, the key the code-set tables use.
    pub fn ymd(self) -> u32 {
        u32::from(self.year) * 10_000 + u32::from(self.month) * 100 + u32::from(self.day)
    }

    /// The date from an integer `YYYYMMDD`.
    pub fn from_ymd(v: u32) -> Option<Date> {
        Date::new(u16::try_from(v / 10_000).ok()?, ((v / 100) % 100) as u8, (v % 100) as u8)
    }

    /// Formats an integer `YYYYMMDD` (as the code-set tables store dates) for messages.
    pub fn show_ymd(v: u32) -> String {
        Date::from_ymd(v).map(|d| d.to_string()).unwrap_or_else(|| v.to_string())
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let m = i64::from(self.month);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01, if it is within years 1..=9999.
    pub fn from_days_since_epoch(days: i64) -> Option<Date> {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Date::new(u16::try_from(y).ok()?, m as u8, d as u8)
    }

    /// Today in UTC, from the system clock.
    pub fn today() -> Date {
        let secs =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
        Date::from_days_since_epoch(secs.div_euclid(86_400)).unwrap_or(Date { year: 1970, month: 1, day: 1 })
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.days_since_epoch() - self.days_since_epoch()
    }

    /// Age in whole years on `on` for someone born on `self` (0 when `on` is before `self`).
    pub fn age_on(self, on: Date) -> u32 {
        if on <= self {
            return 0;
        }
        let mut age = u32::from(on.year - self.year);
        if (on.month, on.day) < (self.month, self.day) {
            age -= 1;
        }
        age
    }
}

const fn is_leap(y: u16) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

const fn days_in_month(y: u16, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::str::FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Date, DateError> {
        Date::parse(s)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date as YYYY-MM-DD")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Date, E> {
                Date::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms_and_rejects_impossible_days() {
        assert_eq!(Date::parse("2024-02-29").unwrap().ymd(), 20240229);
        assert_eq!(Date::parse("20240229").unwrap().to_string(), "2024-02-29");
        assert!(Date::parse("2023-02-29").is_err());
        assert!(Date::parse("2023-13-01").is_err());
        assert!(Date::parse("2023-1-01").is_err());
        assert!(Date::parse("").is_err());
    }

    /// The one-word path decides as the byte-wise one does: on every month and day 0..=99 of
    /// edge years in both forms, and with each byte of a valid date replaced by bytes either side
    /// of the digits, the dash, whitespace and high bytes.
    #[test]
    fn word_parse_agrees_with_bytewise_parse() {
        let same = |s: &[u8]| {
            let s = String::from_utf8_lossy(s);
            assert_eq!(Date::parse(&s), Date::parse_bytewise(&s), "{s:?}");
        };
        for year in [0, 1, 99, 1899, 1900, 2000, 2023, 2024, 2100, 9999] {
            for month in 0..100 {
                for day in 0..100 {
                    same(format!("{year:04}-{month:02}-{day:02}").as_bytes());
                    same(format!("{year:04}{month:02}{day:02}").as_bytes());
                }
            }
        }
        let edges = [0x00, b'\t', b' ', b'+', b'-', b'.', b'/', b'0', b'9', b':', b'@', b'O', b'o', 0x7F, 0xB0];
        for valid in ["2024-02-29", "20240229", " 2024-02-29", "2024-02-29 ", " 20240229 "] {
            for at in 0..valid.len() {
                for &x in &edges {
                    let mut b = valid.as_bytes().to_vec();
                    b[at] = x;
                    same(&b);
                }
            }
        }
    }

    #[test]
    fn epoch_days_round_trip() {
        for d in [-700_000i64, -1, 0, 1, 19_000, 20_500, 2_900_000] {
            let date = Date::from_days_since_epoch(d).unwrap();
            assert_eq!(date.days_since_epoch(), d);
        }
        assert_eq!(Date::parse("1970-01-02").unwrap().days_since_epoch(), 1);
    }

    #[test]
    fn age_counts_whole_years() {
        let born = Date::parse("2000-06-15").unwrap();
        assert_eq!(born.age_on(Date::parse("2020-06-14").unwrap()), 19);
        assert_eq!(born.age_on(Date::parse("2020-06-15").unwrap()), 20);
        assert_eq!(born.age_on(Date::parse("1999-01-01").unwrap()), 0);
    }
}
