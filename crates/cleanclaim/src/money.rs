//! Money as integer cents, so totals add up exactly.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount in US cents. JSON accepts a number (`125.5`) or a decimal string (`"125.50"`)
/// and writes a number.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub i64);

/// Largest amount accepted: one trillion dollars, far above any claim, far below overflow.
const MAX_CENTS: i64 = 100_000_000_000_000;

impl Money {
    /// Zero dollars.
    pub const ZERO: Money = Money(0);

    /// From whole cents.
    pub const fn from_cents(cents: i64) -> Money {
        Money(cents)
    }

    /// The amount in cents.
    pub const fn cents(self) -> i64 {
        self.0
    }

    /// Parses a decimal amount with at most two fraction digits: `125`, `125.5`, `-3.25`.
    pub fn parse(s: &str) -> Option<Money> {
        let s = s.trim();
        let (neg, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() && frac.is_empty() || frac.len() > 2 {
            return None;
        }
        if !whole.bytes().chain(frac.bytes()).all(|c| c.is_ascii_digit()) {
            return None;
        }
        let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
        let mut frac_cents: i64 = if frac.is_empty() { 0 } else { frac.parse().ok()? };
        if frac.len() == 1 {
            frac_cents *= 10;
        }
        let cents = whole.checked_mul(100)?.checked_add(frac_cents)?;
        (cents <= MAX_CENTS).then_some(Money(if neg { -cents } else { cents }))
    }

    /// A JSON floating-point amount (`125.5`), rounded to the cent.
    pub(crate) fn from_f64(v: f64) -> Option<Money> {
        let cents = (v * 100.0).round();
        (v.is_finite() && cents.abs() <= MAX_CENTS as f64).then_some(Money(cents as i64))
    }

    /// A JSON integer amount in whole dollars (`125`, `-3`).
    pub(crate) fn from_dollars(v: i64) -> Option<Money> {
        v.checked_mul(100).filter(|c| c.abs() <= MAX_CENTS).map(Money)
    }

    /// A JSON integer amount above `i64::MAX` fails like any other too large amount.
    pub(crate) fn from_dollars_u64(v: u64) -> Option<Money> {
        i64::try_from(v).ok().and_then(Money::from_dollars)
    }

    /// Sum that reports overflow instead of wrapping.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", a / 100, a % 100)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${self}")
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).fold(0i64, i64::saturating_add))
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 100 == 0 { s.serialize_i64(self.0 / 100) } else { s.serialize_f64(self.0 as f64 / 100.0) }
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount in dollars (number or decimal string, at most 2 decimals)")
            }
            // The conversions are shared with the fast JSON reader (`input::fast`), which must
            // give the very same amounts.
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Money, E> {
                Money::from_dollars(v).ok_or_else(|| E::custom("amount out of range"))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Money, E> {
                Money::from_dollars_u64(v).ok_or_else(|| E::custom("amount out of range"))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Money, E> {
                Money::from_f64(v).ok_or_else(|| E::custom("amount out of range"))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Money, E> {
                Money::parse(v).ok_or_else(|| E::custom("not a decimal amount with at most 2 decimals"))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimal_strings_exactly() {
        assert_eq!(Money::parse("125.50"), Some(Money(12_550)));
        assert_eq!(Money::parse("125.5"), Some(Money(12_550)));
        assert_eq!(Money::parse("-3.05"), Some(Money(-305)));
        assert_eq!(Money::parse(".5"), Some(Money(50)));
        assert_eq!(Money::parse("1.234"), None);
        assert_eq!(Money::parse("abc"), None);
        assert_eq!(Money::parse(""), None);
    }

    #[test]
    fn json_numbers_become_cents() {
        let m: Money = serde_json::from_str("0.29").unwrap();
        assert_eq!(m, Money(29));
        let m: Money = serde_json::from_str("\"19.99\"").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "19.99");
        assert_eq!(serde_json::to_string(&Money(5000)).unwrap(), "50");
        assert!(serde_json::from_str::<Money>("1e300").is_err());
    }
}
