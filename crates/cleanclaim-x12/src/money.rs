//! Decimal parsing for X12 `R` / `N2` elements: money in integer cents, quantities in
//! thousandths.

/// Parses a decimal string with at most `scale` fraction digits into an integer scaled by
/// `10^scale`. Extra fraction digits must be zeros. `None` on anything malformed.
pub fn parse_scaled(s: &[u8], scale: u32) -> Option<i64> {
    let (neg, digits) = match s.first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut int: i64 = 0;
    let mut frac: i64 = 0;
    let mut frac_digits = 0u32;
    let mut seen_point = false;
    let mut any = false;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                any = true;
                let d = i64::from(b - b'0');
                if seen_point {
                    if frac_digits < scale {
                        frac = frac * 10 + d;
                        frac_digits += 1;
                    } else if d != 0 {
                        return None;
                    }
                } else {
                    int = int.checked_mul(10)?.checked_add(d)?;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => return None,
        }
    }
    if !any {
        return None;
    }
    while frac_digits < scale {
        frac *= 10;
        frac_digits += 1;
    }
    let v = int.checked_mul(10i64.pow(scale))?.checked_add(frac)?;
    Some(if neg { -v } else { v })
}

/// Money in cents (`"12.25"` → 1225).
pub fn cents(s: &[u8]) -> Option<i64> {
    parse_scaled(s, 2)
}

/// Formats cents as an X12 `R` value (`1225` → `"12.25"`, `500` → `"5"`).
pub fn format_cents(c: i64) -> String {
    let sign = if c < 0 { "-" } else { "" };
    let a = c.unsigned_abs();
    let (i, f) = (a / 100, a % 100);
    if f == 0 {
        format!("{sign}{i}")
    } else if f % 10 == 0 {
        format!("{sign}{i}.{}", f / 10)
    } else {
        format!("{sign}{i}.{f:02}")
    }
}

/// Formats a value scaled by 1000 (`1500` → `"1.5"`).
pub fn format_milli(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    let (i, mut f) = (a / 1000, a % 1000);
    if f == 0 {
        return format!("{sign}{i}");
    }
    let mut digits = 3;
    while f % 10 == 0 {
        f /= 10;
        digits -= 1;
    }
    format!("{sign}{i}.{f:0digits$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money() {
        assert_eq!(cents(b"12.25"), Some(1225));
        assert_eq!(cents(b"500"), Some(50000));
        assert_eq!(cents(b"-5.5"), Some(-550));
        assert_eq!(cents(b".5"), Some(50));
        assert_eq!(cents(b"1.230"), Some(123));
        assert_eq!(cents(b"1.234"), None);
        assert_eq!(cents(b""), None);
        assert_eq!(cents(b"1a"), None);
        assert_eq!(cents(b"99999999999999999999"), None);
        assert_eq!(format_cents(1225), "12.25");
        assert_eq!(format_cents(50000), "500");
        assert_eq!(format_cents(-550), "-5.5");
        assert_eq!(format_cents(5), "0.05");
        assert_eq!(format_milli(1500), "1.5");
        assert_eq!(format_milli(1005), "1.005");
        assert_eq!(format_milli(2000), "2");
    }
}
