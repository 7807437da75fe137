//! Code types: parsing and normalization of the codes a claim carries.
//!
//! Claims arrive with codes written many ways (`e11.9`, `E119`, ` E11.9 `). The model stores
//! every code in one normal form (upper case, no dot, no whitespace) so that look-ups and
//! comparisons never allocate. The typed parsers below check the *shape* of a code; whether a
//! well-shaped code exists on a date is the code sets' business.

use std::fmt;

/// `str::trim`, answering without decoding characters when both ends are printable ASCII (the
/// usual case: every code and date of every claim is trimmed while it is read).
#[inline]
pub fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let graphic = |c: Option<&u8>| c.is_some_and(|&c| c > b' ' && c < 0x7f);
    if graphic(b.first()) && graphic(b.last()) { s } else { s.trim() }
}

/// Normalizes a code: trims, drops dots and inner spaces, upper-cases ASCII.
pub fn normalize(raw: &str) -> String {
    let raw = trim(raw);
    if raw.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
        return owned(raw);
    }
    raw.chars().filter(|c| *c != '.' && !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect()
}

/// `s.to_owned()`, a string of at most 16 bytes copied by [`copy_short`].
#[inline]
pub(crate) fn owned(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_short(&mut out, s);
    out
}

/// `text.push_str(s)`, a string of at most 16 bytes copied by [`copy_short`]: for the
/// bindings' token tapes, which record every key and string value of a claim.
#[inline(always)]
pub fn push_short(text: &mut String, s: &str) {
    let (b, n) = (s.as_bytes(), s.len());
    if n > 16 {
        return text.push_str(s);
    }
    text.reserve(n);
    // SAFETY: `reserve` made room for `n <= 16` more bytes, which `copy_short` writes before the
    // length is set; the new bytes are `s`, a whole `str`, so the text stays UTF-8.
    unsafe {
        let v = text.as_mut_vec();
        copy_short(b, v.as_mut_ptr().add(v.len()));
        v.set_len(v.len() + n);
    }
}

/// Copies `b` to `dst` as two overlapping words, or byte by byte under 4 bytes, instead of by a
/// `memcpy` call, whose dispatch on the size costs more than such a copy: most of a claim's
/// strings (codes, NPIs, ids, dates, keys, most names) have 16 bytes or fewer (~1.5 k of the
/// ~21 k instructions reading a claim from JSON; a third of recording a string on the Python
/// binding's tape).
///
/// # Safety
/// `b` has at most 16 bytes and `dst` is valid for writes of `b.len()` bytes. Each byte written
/// is written with its own value from `b` (overlapping stores write the bytes they share alike).
#[inline(always)]
unsafe fn copy_short(b: &[u8], dst: *mut u8) {
    let n = b.len();
    debug_assert!(n <= 16);
    // SAFETY: the caller's contract; every offset below is under `n`.
    unsafe {
        if n >= 8 {
            let (head, tail): ([u8; 8], [u8; 8]) = (word(b, 0), word(b, n - 8));
            dst.cast::<[u8; 8]>().write_unaligned(head);
            dst.add(n - 8).cast::<[u8; 8]>().write_unaligned(tail);
        } else if n >= 4 {
            let (head, tail): ([u8; 4], [u8; 4]) = (word(b, 0), word(b, n - 4));
            dst.cast::<[u8; 4]>().write_unaligned(head);
            dst.add(n - 4).cast::<[u8; 4]>().write_unaligned(tail);
        } else if n > 0 {
            *dst = b[0];
            *dst.add(n / 2) = b[n / 2];
            *dst.add(n - 1) = b[n - 1];
        }
    }
}

/// The `N` bytes of `b` at `at` (in bounds: the callers check the length first).
#[inline(always)]
fn word<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    b[at..at + N].try_into().expect("N bytes in bounds")
}

/// [`normalize`] into `buf`, allocating nothing, for the common case: ASCII, at most 8
/// characters once dots and spaces are dropped (no code is longer). `None` leaves the input
/// to [`normalize`].
pub(crate) fn normalize_into<'b>(raw: &str, buf: &'b mut [u8; 8]) -> Option<&'b str> {
    let mut n = 0;
    for &b in trim(raw).as_bytes() {
        if !b.is_ascii() {
            return None;
        }
        if b == b'.' || (b as char).is_whitespace() {
            continue;
        }
        *buf.get_mut(n)? = b.to_ascii_uppercase();
        n += 1;
    }
    // The checked conversion was an eighth of a batch look-up's time, for bytes known to be
    // ASCII.
    // SAFETY: every byte written above is ASCII (a non-ASCII byte returned early), and ASCII
    // is UTF-8.
    Some(unsafe { std::str::from_utf8_unchecked(&buf[..n]) })
}

/// The look-up key ([`key_of`](crate::codesets::refs::key_of)) of `raw` normalized: what
/// `key_of(normalize(raw))` gives, `None` when that has no key. A batch validity query spent
/// half its time normalizing byte by byte; a code of at most 8 bytes of letters, digits and at
/// most one dot (nearly every input) is keyed as one word here instead.
#[inline]
pub(crate) fn code_key(raw: &str) -> Option<u64> {
    let b = raw.as_bytes();
    if let Some(key) = short_key(b) {
        return (key != 0).then_some(key);
    }
    // Longer printable ASCII keeps all but its dots: over 8 of those is no code, decided
    // without the byte-wise path (~200 instructions each; most of the compare's codes that
    // are in no table are such).
    let (printable, kept) =
        b.iter().fold((true, 0usize), |(p, k), &c| (p & (c > b' ' && c < 0x80), k + usize::from(c != b'.')));
    if printable && kept > 8 {
        return None;
    }
    let mut buf = [0; 8];
    match normalize_into(raw, &mut buf) {
        Some(code) => crate::codesets::refs::key_of(code.as_bytes()),
        // ASCII that normalizes to more than 8 bytes: no code is that long.
        None if raw.is_ascii() => None,
        None => crate::codesets::refs::key_of(normalize(raw).as_bytes()),
    }
}

/// A code reduced to the 8-byte word the code tables compare: all a batch look-up
/// ([`Engine::icd10cm_validity_of_keys`](crate::Engine::icd10cm_validity_of_keys)) needs of it,
/// made while the caller still holds the text. A binding reading a Python list keys each `str`
/// where it lies instead of copying it into a buffer that outlives the GIL. The code is
/// normalized as [`normalize`] does; input that is no code of at most 8 characters gets the
/// empty key, which no table holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CodeKey(pub(crate) u64);

impl CodeKey {
    /// The key of `raw`, normalized.
    #[inline]
    pub fn of(raw: &str) -> CodeKey {
        CodeKey(code_key(raw).unwrap_or(0))
    }
}

/// The key of `b` (1 to 8 bytes) when its bytes are ASCII letters, digits and at most one dot:
/// upper-cased, the dot dropped. `None` leaves anything else to the byte-wise path.
#[inline]
fn short_key(b: &[u8]) -> Option<u64> {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    return short_key_sse2(b);
    #[cfg(not(all(target_arch = "x86_64", not(miri))))]
    return crate::codesets::refs::word_of(b).and_then(|w| word_key(w, b.len()));
}

/// [`short_key`] with SSE2, which every x86_64 CPU has: its byte compares classify the eight
/// bytes in ~15 instructions, where the word arithmetic of [`word_key`] took ~45 (batch
/// validity spent two thirds of its ~165 instructions a code keying codes; 74 of 119 now).
#[cfg(all(target_arch = "x86_64", not(miri)))]
#[inline]
fn short_key_sse2(b: &[u8]) -> Option<u64> {
    use std::arch::x86_64::*;
    let n = b.len();
    if !(1..=8).contains(&n) {
        return None;
    }
    // Byte i of the code in bits 8i..8i+8, zero past the end: two overlapping 4-byte loads
    // (their shared bytes are equal, so OR keeps them), or three single bytes.
    let le = |i: usize| u64::from(u32::from_le_bytes(word(b, i)));
    let w = if n >= 4 {
        le(0) | le(n - 4) << (8 * (n - 4))
    } else {
        u64::from(b[0]) | u64::from(b[n / 2]) << (8 * (n / 2)) | u64::from(b[n - 1]) << (8 * (n - 1))
    };
    // SAFETY: SSE2 is part of the x86_64 baseline; these intrinsics only compute on registers.
    let (ok, dots, upper) = unsafe {
        let x = _mm_cvtsi64_si128(w as i64);
        let set = |c: u8| _mm_set1_epi8(c as i8);
        // Signed compares: bytes of 0x80 and over are negative and fall in no range below.
        let within =
            |v: __m128i, lo: u8, hi: u8| _mm_and_si128(_mm_cmpgt_epi8(v, set(lo - 1)), _mm_cmplt_epi8(v, set(hi + 1)));
        let digit = within(x, b'0', b'9');
        // Bit 5 set folds A-Z onto a-z and moves nothing else into a-z.
        let letter = within(_mm_or_si128(x, set(0x20)), b'a', b'z');
        let dot = _mm_cmpeq_epi8(x, set(b'.'));
        let ok = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(digit, letter), dot)) as u32;
        let upper = _mm_andnot_si128(_mm_and_si128(letter, set(0x20)), x);
        (ok, _mm_movemask_epi8(dot) as u32, _mm_cvtsi128_si64(upper) as u64)
    };
    // Every byte of the code, and no other (the zeros past its end are none of the classes).
    if ok != (1 << n) - 1 {
        return None;
    }
    let key = match (dots, dots & dots.wrapping_sub(1)) {
        (0, _) => upper,
        // Where a dotted ICD-10-CM code has it, after the category: shifts by constants.
        (0b1000, _) => (upper & 0xFF_FFFF) | (upper >> 32) << 24,
        (_, 0) => {
            // Bytes after the dot move down one place over it.
            let p = 8 * dots.trailing_zeros();
            (upper & ((1 << p) - 1)) | (upper >> p >> 8) << p
        }
        _ => return None,
    };
    Some(key.swap_bytes())
}

/// The key of the `n` bytes at the top of `word` when they are ASCII letters, digits and at
/// most one dot: upper-cased, the dot dropped. `None` leaves anything else to the byte-wise
/// path.
#[cfg_attr(all(target_arch = "x86_64", not(miri), not(test)), allow(dead_code))]
#[inline]
fn word_key(word: u64, n: usize) -> Option<u64> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    if word & HIGH != 0 {
        return None;
    }
    // Per byte (all below 0x80, so no add carries into the next): high bit set where the
    // byte is at least `lo`, and then where it lies in `lo..=hi`.
    let at_least = |w: u64, lo: u8| (w + ONES * u64::from(0x80 - lo)) & HIGH;
    let within = |w: u64, lo: u8, hi: u8| at_least(w, lo) & !at_least(w, hi + 1);
    // 0x60..=0x7F down to 0x40..=0x5F: a-z to A-Z, and the rest of that row stays out of A-Z.
    let upper = word - (at_least(word, 0x60) >> 2);
    let alnum = within(word, b'0', b'9') | within(upper, b'A', b'Z');
    let dot = within(word, b'.', b'.');
    let used = !u64::MAX.checked_shr(8 * n as u32).unwrap_or(0) & HIGH;
    if (alnum | dot) != used {
        return None;
    }
    // Not `count_ones`: the x86-64 baseline has no popcnt, and its software count was a
    // fifth of this function.
    match (dot == 0, dot & dot.wrapping_sub(1) == 0) {
        (true, _) => Some(upper),
        (false, true) => {
            // Bytes after the dot move up one place over it.
            let p = dot.leading_zeros() / 8;
            let before = upper & !(u64::MAX.checked_shr(8 * p).unwrap_or(0));
            let after = upper.checked_shl(8 * (p + 1)).unwrap_or(0) >> (8 * p);
            Some(before | after)
        }
        (false, false) => None,
    }
}

/// A code as messages show it: as given, or cut to 16 characters when the input is not a
/// code at all (a message must never echo a megabyte of input).
pub fn shown(code: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 16;
    if code.len() <= MAX {
        return code.into();
    }
    let cut = (0..=MAX).rev().find(|&i| code.is_char_boundary(i)).unwrap_or(0);
    format!("{}…", &code[..cut]).into()
}

/// Formats a normalized ICD-10-CM code with its dot after the category (`E119` → `E11.9`).
pub fn dotted(code: &str) -> String {
    if code.len() > 7 {
        return shown(code).into_owned();
    }
    if code.len() > 3 && code.is_char_boundary(3) {
        // Not `format!`: a finding's message spells its code dotted, and through the
        // formatting machinery a call cost ~540 instructions against ~110 now (callgrind).
        let mut s = String::with_capacity(code.len() + 1);
        s.push_str(&code[..3]);
        s.push('.');
        s.push_str(&code[3..]);
        s
    } else {
        code.to_owned()
    }
}

/// Why a code does not have the shape its code system requires.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{system} code must be {expected}")]
pub struct CodeError {
    /// The code system, e.g. `ICD-10-CM`.
    pub system: &'static str,
    /// The shape that was expected.
    pub expected: &'static str,
}

macro_rules! code_type {
    ($(#[$doc:meta])* $name:ident, $system:literal, $expected:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Parses and normalizes; fails when the shape is wrong.
            pub fn parse(raw: &str) -> Result<Self, CodeError> {
                let code = normalize(raw);
                let check: fn(&[u8]) -> bool = $check;
                if check(code.as_bytes()) {
                    Ok($name(code))
                } else {
                    Err(CodeError { system: $system, expected: $expected })
                }
            }

            /// True when `raw` (already normalized) has this code system's shape.
            pub fn is_shape(normalized: &str) -> bool {
                let check: fn(&[u8]) -> bool = $check;
                check(normalized.as_bytes())
            }

            /// The normalized code.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = CodeError;
            fn from_str(s: &str) -> Result<Self, CodeError> {
                Self::parse(s)
            }
        }
    };
}

fn alnum(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

code_type!(
    /// An ICD-10-CM diagnosis code: a letter, a digit, a letter or digit, then up to four
    /// more letters or digits (`E11`, `E119`, `S52521A`).
    Icd10Cm,
    "ICD-10-CM",
    "3 to 7 characters: letter, digit, then letters or digits",
    |b| (3..=7).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b[1].is_ascii_digit()
        && b[2..].iter().all(|&c| alnum(c))
);

code_type!(
    /// An ICD-10-PCS procedure code: exactly 7 characters of digits and letters other than I and O.
    Icd10Pcs,
    "ICD-10-PCS",
    "7 characters of digits and letters other than I and O",
    |b| b.len() == 7 && b.iter().all(|&c| alnum(c) && c != b'I' && c != b'O')
);

code_type!(
    /// A procedure code on a service line: CPT (5 digits, or 4 digits and F/T/U for category II,
    /// III and PLA codes) or HCPCS Level II (a letter A–V and 4 digits).
    ProcedureCode,
    "CPT/HCPCS",
    "5 digits, 4 digits followed by F, T or U, or a letter followed by 4 digits",
    |b| b.len() == 5
        && (b.iter().all(u8::is_ascii_digit)
            || (b[..4].iter().all(u8::is_ascii_digit) && matches!(b[4], b'F' | b'T' | b'U'))
            || (b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit)))
);

code_type!(
    /// A procedure modifier: two letters or digits (`25`, `LT`, `XS`).
    Modifier,
    "modifier",
    "2 letters or digits",
    |b| b.len() == 2 && b.iter().all(|&c| alnum(c))
);

code_type!(
    /// A CMS place-of-service code: two digits (`11` office).
    PlaceOfService,
    "place of service",
    "2 digits",
    |b| b.len() == 2 && b.iter().all(u8::is_ascii_digit)
);

code_type!(
    /// A NUBC revenue code: four digits (`0450`).
    RevenueCode,
    "revenue code",
    "4 digits",
    |b| b.len() == 4 && b.iter().all(u8::is_ascii_digit)
);

impl ProcedureCode {
    /// True for a HCPCS Level II code (letter + 4 digits), false for CPT.
    pub fn is_hcpcs_level2(&self) -> bool {
        self.0.as_bytes()[0].is_ascii_uppercase()
    }
}

/// A National Provider Identifier: 10 digits whose last digit is the Luhn check digit computed
/// over the card-issuer prefix 80840 and the first nine digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Npi(String);

/// Why a string is not an NPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NpiError {
    /// Not exactly ten digits.
    #[error("NPI must be exactly 10 digits")]
    Shape,
    /// Ten digits, but the check digit is wrong.
    #[error("NPI check digit is {found}, the Luhn check digit (prefix 80840) is {expected}")]
    CheckDigit {
        /// The tenth digit of the input.
        found: u8,
        /// The digit the first nine imply.
        expected: u8,
    },
}

impl Npi {
    /// Parses and verifies an NPI.
    pub fn parse(raw: &str) -> Result<Npi, NpiError> {
        Npi::verify(raw)?;
        Ok(Npi(raw.trim().to_owned()))
    }

    /// Verifies an NPI's shape and check digit without keeping it (allocates nothing: the
    /// `claim.npi_check_digit` edit runs it on every provider of every claim).
    pub fn verify(raw: &str) -> Result<(), NpiError> {
        let Ok(b) = <&[u8; 10]>::try_from(trim(raw).as_bytes()) else { return Err(NpiError::Shape) };
        // Eight of the ten bytes are tested as one word: each has high nibble 3, and adding 6
        // carries none of them out of it (so the low nibble is 0-9).
        let w = u64::from_le_bytes(*b.first_chunk().expect("8 of the 10 bytes"));
        let ascii_digits = w & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030
            && w.wrapping_add(0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030;
        if !ascii_digits || !b[8].is_ascii_digit() || !b[9].is_ascii_digit() {
            return Err(NpiError::Shape);
        }
        let expected = npi_check_digit(b.first_chunk().expect("9 digits"));
        let found = b[9] - b'0';
        if found != expected {
            return Err(NpiError::CheckDigit { found, expected });
        }
        Ok(())
    }

    /// The ten digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The check digit for the first nine digits of an NPI (ASCII digits; for other bytes the
/// digit is meaningless, as [`Npi::verify`] tests the shape first).
///
/// Luhn over `80840` + the nine digits; the prefix contributes a constant 24.
pub fn npi_check_digit(first9: &[u8; 9]) -> u8 {
    // Luhn doubles the 1st, 3rd, 5th, 7th and 9th digits, taking 9 off a doubled digit of 5 or
    // more: the sum is all digits, plus those five again, less 9 for each of them >= 5. The first
    // eight are summed as the bytes of one word (at most 72, so no byte overflows).
    const ODD: u64 = 0x00FF_00FF_00FF_00FF;
    let v = u64::from_le_bytes(*first9.first_chunk().expect("9 bytes")).wrapping_sub(0x3030_3030_3030_3030);
    let bytes_sum = |x: u64| (x.wrapping_mul(0x0101_0101_0101_0101) >> 56) as u32;
    let last = u32::from(first9[8] - b'0');
    let doubled = v & ODD;
    // Adding 123 sets a byte's top bit exactly when the digit is 5 or more; those bits are
    // counted as bytes (the x86-64 baseline has no popcnt instruction).
    let big =
        bytes_sum((doubled.wrapping_add(0x007B_007B_007B_007B) & 0x0080_0080_0080_0080) >> 7) + u32::from(last >= 5);
    let sum = 24 + bytes_sum(v) + last + bytes_sum(doubled) + last - 9 * big;
    ((10 - sum % 10) % 10) as u8
}

impl fmt::Display for Npi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Npi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Npi({})", self.0)
    }
}

/// Serde helpers that normalize codes while deserializing, so the model holds one form.
///
/// They read the code as a borrowed `&str` where the input allows it and allocate once, for
/// the normalized code; errors are those of deserializing a `String`.
pub(crate) mod serde_norm {
    use std::fmt;

    use serde::Deserializer;
    use serde::de::{DeserializeSeed, SeqAccess, Visitor};

    struct Code;

    impl<'de> Visitor<'de> for Code {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            // What serde's `String` visitor says, so errors read as before.
            f.write_str("a string")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(super::normalize(v))
        }
        fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<String, E> {
            match std::str::from_utf8(v) {
                Ok(s) => Ok(super::normalize(s)),
                Err(_) => Err(E::invalid_value(serde::de::Unexpected::Bytes(v), &self)),
            }
        }
    }

    impl<'de> DeserializeSeed<'de> for Code {
        type Value = String;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
            d.deserialize_string(self)
        }
    }

    struct OptCode;

    impl<'de> Visitor<'de> for OptCode {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("option")
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
            d.deserialize_string(Code).map(Some)
        }
    }

    struct Codes;

    impl<'de> Visitor<'de> for Codes {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a sequence")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
            while let Some(code) = seq.next_element_seed(Code)? {
                out.push(code);
            }
            Ok(out)
        }
    }

    pub fn code<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        d.deserialize_string(Code)
    }

    pub fn opt_code<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_option(OptCode)
    }

    pub fn codes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        d.deserialize_seq(Codes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_into_agrees_with_normalize() {
        let inputs = [
            "E11.9",
            " e11.9 ",
            "E119",
            "S52.521A",
            "s52 521 a",
            "Z99.890AB",
            "Z99.890ABC",
            "",
            " ",
            ".",
            "E1\t1.9",
            "E11.9\u{a0}",
            "É11",
            "e11.9\n",
            "123456789",
            "A.B.C.D.E.F.G.H",
            "a\u{b}b",
        ];
        for raw in inputs {
            let mut buf = [0; 8];
            match normalize_into(raw, &mut buf) {
                Some(code) => assert_eq!(code, normalize(raw), "{raw:?}"),
                // Only non-ASCII input or more than 8 characters is left to `normalize`.
                None => assert!(!raw.is_ascii() || normalize(raw).len() > 8, "{raw:?}"),
            }
        }
    }

    /// `normalize` by the book: trimmed, dots and whitespace dropped, upper-cased.
    fn normalize_by_the_book(raw: &str) -> String {
        raw.trim().chars().filter(|c| *c != '.' && !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect()
    }

    /// `code_key` by the book: normalized character by character, then keyed.
    fn key_by_the_book(raw: &str) -> Option<u64> {
        crate::codesets::refs::key_of(normalize_by_the_book(raw).as_bytes())
    }

    #[test]
    fn code_key_and_normalize_are_by_the_book() {
        let cases = [
            "E11.9",
            "e11.9",
            "E119",
            "I10",
            "i1",
            "Z",
            ".",
            "..",
            "A.",
            ".A",
            "S52.521A",
            "s52.521a",
            "S52521A",
            "S52.521AB",
            "E1.1.9",
            " E11.9",
            "E11.9 ",
            "E11 9",
            "E11.9\0",
            "É11",
            "E11-9",
            "e11.9z",
            "`11",
            "{11",
            "@11",
            "[11",
            "/11",
            ":11",
            "ABCDEFG.",
            "A.BCDEFG",
            "ABC.DEFG",
            "ABC.",
            "abc.d",
            "ABCDEFGH",
            "",
            "ABCDEFGHI",
        ];
        for raw in cases {
            assert_eq!(code_key(raw), key_by_the_book(raw), "{raw:?}");
            assert_eq!(normalize(raw), normalize_by_the_book(raw), "{raw:?}");
        }
        // Every mix of bytes around the ranges' edges, dots and spaces, up to 9 long.
        let alphabet = b"09AZaz./:@[`{ \x7f\0-Ee1\xe9";
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 10) as usize;
            let raw: String =
                (0..len).map(|i| alphabet[((x >> (8 + 5 * i)) % alphabet.len() as u64) as usize] as char).collect();
            assert_eq!(code_key(&raw), key_by_the_book(&raw), "{raw:?}");
            assert_eq!(normalize(&raw), normalize_by_the_book(&raw), "{raw:?}");
            // The word arithmetic that keys codes where there is no SSE2 answers alike.
            let b = raw.as_bytes();
            assert_eq!(crate::codesets::refs::word_of(b).and_then(|w| word_key(w, b.len())), short_key(b), "{raw:?}");
        }
    }

    #[test]
    fn owned_and_push_short_copy_every_length() {
        let text = "0123456789abcdefghij\u{e9}\u{20ac}\u{1F600}xyz";
        for start in 0..text.len() {
            for end in start..=text.len() {
                if let Some(s) = text.get(start..end) {
                    let o = owned(s);
                    assert_eq!((o.as_str(), o.len()), (s, s.len()), "{start}..{end}");
                    // After 0-3 bytes already there, at several capacities.
                    for (before, cap) in [(0, 0), (1, 1), (2, 7), (3, 64)] {
                        let mut t = String::with_capacity(cap);
                        t.push_str(&"p".repeat(before));
                        push_short(&mut t, s);
                        assert_eq!(t, format!("{}{s}", "p".repeat(before)), "{start}..{end} after {before}");
                    }
                }
            }
        }
    }

    #[test]
    fn trim_is_str_trim() {
        for s in ["", " ", "a", " a", "a ", "\u{a0}a", "a\u{3000}", "\tE11.9\n", "E11.9", "é", "x\u{85}", "\u{7f}"] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn normalizes_dots_case_and_space() {
        assert_eq!(normalize(" e11.9 "), "E119");
        assert_eq!(normalize("S52.521A"), "S52521A");
        assert_eq!(dotted("E119"), "E11.9");
        assert_eq!(dotted("Z23"), "Z23");
    }

    #[test]
    fn code_shapes() {
        assert!(Icd10Cm::parse("e11.9").is_ok());
        assert!(Icd10Cm::parse("11.9").is_err());
        assert!(Icd10Cm::parse("E11.90000").is_err());
        assert!(Icd10Pcs::parse("0DTJ4ZZ").is_ok());
        assert!(Icd10Pcs::parse("0DTJ4ZO").is_err());
        assert!(ProcedureCode::parse("99213").is_ok());
        assert!(ProcedureCode::parse("0001F").is_ok());
        assert!(ProcedureCode::parse("G0438").unwrap().is_hcpcs_level2());
        assert!(ProcedureCode::parse("9921").is_err());
        assert!(ProcedureCode::parse("99213X").is_err());
        assert!(Modifier::parse("lt").is_ok());
        assert!(PlaceOfService::parse("11").is_ok());
        assert!(PlaceOfService::parse("1").is_err());
        assert!(RevenueCode::parse("0450").is_ok());
    }

    /// The helpers as they were (a `Cow` read, then a second allocation to normalize): the
    /// borrowed-string versions must give the same values and the same errors.
    mod before {
        use serde::{Deserialize, Deserializer};

        pub fn code<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
            let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
            Ok(crate::codes::normalize(&s))
        }

        pub fn opt_code<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
            Ok(Option::<std::borrow::Cow<'de, str>>::deserialize(d)?.map(|s| crate::codes::normalize(&s)))
        }

        pub fn codes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
            let v = Vec::<std::borrow::Cow<'de, str>>::deserialize(d)?;
            Ok(v.iter().map(|s| crate::codes::normalize(s)).collect())
        }
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct New {
        #[serde(default, deserialize_with = "serde_norm::code")]
        a: String,
        #[serde(default, deserialize_with = "serde_norm::opt_code")]
        b: Option<String>,
        #[serde(default, deserialize_with = "serde_norm::codes")]
        c: Vec<String>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Old {
        #[serde(default, deserialize_with = "before::code")]
        a: String,
        #[serde(default, deserialize_with = "before::opt_code")]
        b: Option<String>,
        #[serde(default, deserialize_with = "before::codes")]
        c: Vec<String>,
    }

    #[test]
    fn borrowed_code_helpers_match_the_cow_ones() {
        let values = [
            r#""E11.9""#,
            r#"" e11.9 ""#,
            r#""E119""#,
            r#""\u0065\u0031\u0031.9""#,
            r#""s52.521a\t""#,
            r#""ü.1""#,
            r#""""#,
            "null",
            "12",
            "-1.5",
            "true",
            "{}",
            r#"["e11.9"]"#,
            r#"["a", 1]"#,
            r#"["x\"y", null]"#,
            "[]",
            r#""unterminated"#,
        ];
        let mut docs = vec!["{}".to_owned()];
        for v in values {
            for field in ["a", "b", "c"] {
                docs.push(format!("{{\"{field}\": {v}}}"));
            }
        }
        for doc in &docs {
            let new = serde_json::from_str::<New>(doc);
            let old = serde_json::from_str::<Old>(doc);
            match (&new, &old) {
                (Ok(n), Ok(o)) => {
                    assert_eq!((&n.a, &n.b, &n.c), (&o.a, &o.b, &o.c), "{doc}");
                }
                (Err(n), Err(o)) => {
                    assert_eq!(n.to_string(), o.to_string(), "{doc}");
                }
                _ => panic!("{doc}: new {new:?}, old {old:?}"),
            }
            // With path tracking too (the path of an error is part of the message users see).
            let track = |doc: &str, old: bool| {
                let mut de = serde_json::Deserializer::from_str(doc);
                if old {
                    serde_path_to_error::deserialize::<_, Old>(&mut de).map(|_| ()).map_err(|e| e.to_string())
                } else {
                    serde_path_to_error::deserialize::<_, New>(&mut de).map(|_| ()).map_err(|e| e.to_string())
                }
            };
            assert_eq!(track(doc, false), track(doc, true), "{doc}");
        }
    }

    #[test]
    fn npi_check_digit_is_luhn_over_the_prefix_and_digits() {
        // The digit by the book: Luhn over 80840 and the nine digits, doubling every second digit
        // from the right, starting with the rightmost.
        let luhn = |first9: &[u8; 9]| {
            let sum: u32 = b"80840".iter().chain(first9).rev().enumerate().fold(0, |sum, (i, &c)| {
                let d = u32::from(c - b'0') * if i % 2 == 0 { 2 } else { 1 };
                sum + d / 10 + d % 10
            });
            ((10 - sum % 10) % 10) as u8
        };
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for n in 0..20_000u64 {
            // Each digit nine times (the first ten), multiples of 111,111,111 (the first 1,000),
            // then pseudo-random strings.
            let seed = if n < 1_000 { n * 111_111_111 % 1_000_000_000 } else { x % 1_000_000_000 };
            x = x.rotate_left(17).wrapping_mul(0x2545_F491_4F6C_DD1D);
            let d: [u8; 9] = format!("{seed:09}").into_bytes().try_into().unwrap();
            assert_eq!(npi_check_digit(&d), luhn(&d), "{}", String::from_utf8_lossy(&d));
        }
        for d in [b"000000000", b"999999999", b"555555555", b"444444444", b"123456789"] {
            assert_eq!(npi_check_digit(d), luhn(d));
        }
    }

    #[test]
    fn npi_shape_is_ten_ascii_digits_in_every_place() {
        for i in 0..10 {
            for bad in [b'/', b':', b'a', b' ', 0x10, 0x7F] {
                let mut b = *b"1234567893";
                b[i] = bad;
                let s = String::from_utf8(b.to_vec()).unwrap();
                assert_eq!(Npi::verify(&s), Err(NpiError::Shape), "{s:?}");
            }
            // Ten bytes, nine characters: one of them two bytes long.
            if i < 9 {
                let s = format!("{}é{}", &"1234567893"[..i], &"1234567893"[i + 2..]);
                assert_eq!(Npi::verify(&s), Err(NpiError::Shape), "{s:?}");
            }
        }
        assert_eq!(Npi::verify(" 1234567893\n"), Ok(()));
        assert_eq!(Npi::verify("12345678931"), Err(NpiError::Shape));
    }

    #[test]
    fn npi_luhn_with_80840_prefix() {
        // CMS's published example: 123456789 has check digit 3.
        assert!(Npi::parse("1234567893").is_ok());
        assert_eq!(Npi::parse("1234567890"), Err(NpiError::CheckDigit { found: 0, expected: 3 }));
        assert_eq!(Npi::parse("12345"), Err(NpiError::Shape));
        assert_eq!(Npi::parse("123456789a"), Err(NpiError::Shape));
    }
}
