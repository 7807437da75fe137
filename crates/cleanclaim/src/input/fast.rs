//! A JSON reader written for the claim model: it scans bytes straight into a [`Claim`], with
//! no serde in the way, because generic deserialization (visitors, per-field plumbing, string
//! scanning that must handle every case) cost about twice what checking the claim does.
//!
//! **Contract: accept or decline.** [`claim`] and [`claims`] return either exactly the value
//! `serde_json::from_str` would return, or `None`, and then the caller runs serde, which also
//! produces every error message. So this reader handles only the valid common case and declines
//! anything else rather than decide it: a string escape or control character, an unknown or
//! duplicate key, a missing required field, a value of a type it does not expect, numbers with
//! exponents or more than 18 digits, `-0` where an integer is wanted, a struct written as an
//! array, an enum written as a map, trailing bytes. It must never accept input serde rejects.
//!
//! Every value goes through the conversion serde's impls use (`codes::normalize`,
//! `Date::parse`, the `Money` constructors, the enums' own `Deserialize` on a borrowed string,
//! `default_frequency`), and numbers are read into serde_json's three kinds (u64, i64, f64)
//! with its arithmetic, so the two cannot drift apart on values.
//!
//! The reader of the claim model is written once, over any [`Source`] of values: JSON text
//! here, and the token tape the Python binding records from dicts and lists, which it reads
//! under the same contract against serde over the tape.
//!
//! Model changes: a key the reader does not know declines, so a new field only needs handling
//! here to be fast. The blank values below are literals naming every field (the claim's is
//! `Claim::blank`), so a new field does not compile until
//! someone writes its blank value; its `match` arm and, for a field without a serde default, the
//! struct's `required` mask must be added by hand. `tests/fast_json.rs` compares this reader
//! with serde on a claim with every field set, and on the example and vector claims with each
//! key removed in turn.

use serde::Deserialize;
use serde::de::value::BorrowedStrDeserializer;

use crate::codes::{normalize, owned};
use crate::model::{
    Address, Claim, ClaimKind, Diagnosis, IcdProcedure, Payer, Person, PersonName, Provider, ServiceLine, Sex,
    default_frequency,
};
use crate::{Date, Money};

/// One claim object, alone in `text` but for whitespace.
pub(crate) fn claim(text: &str) -> Option<Claim> {
    let mut c = blank_claim();
    claim_into(text, &mut c)?;
    Some(c)
}

/// [`claim`] into a claim from [`blank_claim`], which is left in an unspecified state when the
/// reader declines. Saves the callers that only wrap the claim (`Ok(c)`) a copy of it.
pub(crate) fn claim_into(text: &str, c: &mut Claim) -> Option<()> {
    let mut r = Reader::new(text);
    r.claim(c)?;
    r.end()
}

/// A JSON array of claim objects, alone in `text` but for whitespace.
pub(crate) fn claims(text: &str) -> Option<Vec<Claim>> {
    let mut r = Reader::new(text);
    let c = r.array(|r| {
        let mut c = blank_claim();
        r.claim(&mut c)?;
        Some(c)
    })?;
    r.end()?;
    Some(c)
}

/// A number in the three kinds serde's visitors are handed (serde_json reads JSON numbers into
/// them): the kind decides what a field accepts (`-0` is a float, so an `i32` refuses it).
#[derive(Debug, Clone, Copy)]
pub enum Number {
    /// A non-negative integer.
    U64(u64),
    /// A negative integer (or any integer, from a source that keeps them signed).
    I64(i64),
    /// A float: in JSON, a number with a fraction (or `-0`).
    F64(f64),
}

/// serde_json's `f64_from_parts` divides the significand by one of these powers; with a
/// significand below 2^53 and an exact power, the quotient is the correctly rounded value, so
/// it is the same with or without serde_json's `float_roundtrip`.
const POW10: [f64; 19] =
    [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18];

/// Marks a field as read, declining a key seen twice (serde: "duplicate field"); `bit` is the
/// field's own bit in its struct's `seen`.
#[inline(always)]
fn first_sight(seen: &mut u32, bit: u32) -> Option<()> {
    if *seen & 1 << bit != 0 {
        return None;
    }
    *seen |= 1 << bit;
    Some(())
}

/// Stores a field's value the first time its key is seen (see [`first_sight`]).
#[inline(always)]
fn field<T>(seen: &mut u32, bit: u32, place: &mut T, value: T) -> Option<()> {
    first_sight(seen, bit)?;
    *place = value;
    Some(())
}

// The blank values the readers fill in place: literals naming every field, so that a field added
// to the model fails to compile until its blank value is written (see the module comment).

/// The claim [`claim_into`] fills.
pub(crate) fn blank_claim() -> Claim {
    Claim::blank(String::new(), ClaimKind::Professional)
}

fn blank_line() -> ServiceLine {
    ServiceLine {
        procedure: None,
        modifiers: Vec::new(),
        revenue_code: None,
        units: 0.0,
        unit_basis: None,
        charge: Money::ZERO,
        pointers: Vec::new(),
        date: None,
        date_to: None,
        place_of_service: None,
        rendering_provider: None,
        control_number: None,
    }
}

fn blank_diagnosis() -> Diagnosis {
    Diagnosis { code: String::new(), qualifier: None, poa: None }
}

fn blank_provider() -> Provider {
    Provider { npi: None, name: None, tax_id: None, taxonomy: None, address: None }
}

// The optional providers and the patient are boxed in the model (see `Claim`).
fn boxed_provider() -> Box<Provider> {
    Box::new(blank_provider())
}

fn boxed_person() -> Box<Person> {
    Box::new(blank_person())
}

fn blank_person() -> Person {
    Person {
        name: None,
        member_id: None,
        group_number: None,
        birth_date: None,
        sex: None,
        address: None,
        relationship: None,
    }
}

/// Declines unless every field of `mask` was seen.
fn required(seen: u32, mask: u32) -> Option<()> {
    (seen & mask == mask).then_some(())
}

/// The index of the first `"`, `\\` or control character in `b`: where a string without escapes
/// ends. Sixteen bytes at a time: scanning strings is the largest part of reading a claim, and
/// with most keys and values shorter than 16 bytes the loop's exit branch is predictable.
#[inline(always)]
fn special(b: &[u8]) -> Option<usize> {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        // SAFETY: this build targets SSE2 (the x86-64 baseline), so every CPU it runs on has it.
        unsafe { special_sse2(b) }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        special_swar(b)
    }
}

/// [`special`] with SSE2: three byte compares and a mask per 16 bytes, where the portable
/// [`special_swar`] does its arithmetic on two words (callgrind, reading professional claims
/// from JSON: 24.8 k -> 20.8 k instructions a claim).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
fn special_sse2(b: &[u8]) -> Option<usize> {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8,
    };
    let quote = _mm_set1_epi8(b'"' as i8);
    let backslash = _mm_set1_epi8(b'\\' as i8);
    let control = _mm_set1_epi8(0x1F);
    let mut i = 0;
    while let Some(chunk) = b.get(i..i + 16) {
        let lo = u64::from_le_bytes(chunk[..8].try_into().expect("8 bytes"));
        let hi = u64::from_le_bytes(chunk[8..].try_into().expect("8 bytes"));
        let v = _mm_set_epi64x(hi as i64, lo as i64);
        // A byte is at most 0x1F (unsigned) exactly when its maximum with 0x1F is 0x1F.
        let below = _mm_cmpeq_epi8(_mm_max_epu8(v, control), control);
        let hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), below);
        let mask = _mm_movemask_epi8(hits) as u32;
        if mask != 0 {
            return Some(i + mask.trailing_zeros() as usize);
        }
        i += 16;
    }
    b[i..].iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).map(|n| i + n)
}

/// Portable [`special`]: sixteen bytes as one `u128`.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
#[inline(always)]
fn special_swar(b: &[u8]) -> Option<usize> {
    const ONES: u128 = u128::from_le_bytes([1; 16]);
    const HIGH: u128 = u128::from_le_bytes([0x80; 16]);
    // A byte's high bit is set where the byte is below `n` (`n <= 0x80`); the lowest such bit is
    // exact (borrows only run upwards), and it is the only one used.
    let below = |x: u128, n: u8| x.wrapping_sub(ONES * u128::from(n)) & !x & HIGH;
    let mut i = 0;
    while let Some(chunk) = b.get(i..i + 16) {
        let x = u128::from_le_bytes(chunk.try_into().expect("16 bytes"));
        let hits = below(x ^ (ONES * u128::from(b'"')), 1) | below(x ^ (ONES * u128::from(b'\\')), 1) | below(x, 0x20);
        if hits != 0 {
            return Some(i + hits.trailing_zeros() as usize / 8);
        }
        i += 16;
    }
    b[i..].iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).map(|n| i + n)
}

/// A unit-variant enum from its name, by the type's own `Deserialize` (renames included).
fn variant_of<'a, T: Deserialize<'a>>(name: &'a str) -> Option<T> {
    T::deserialize(BorrowedStrDeserializer::<serde::de::value::Error>::new(name)).ok()
}

/// Room for one more item. An empty list gets the places `Vec`'s own growth gives a first item
/// of more than a byte (4 up to 1 KiB, 1 for larger ones such as a `Claim`; no list read here
/// holds bytes), but without its general growth path: a claim reads ~9 lists, most of one to
/// four items, and growing each through it cost ~60 instructions beyond the allocation.
#[inline(always)]
fn room_for_one<T>(v: &mut Vec<T>) {
    if v.len() == v.capacity() {
        if v.capacity() == 0 {
            *v = Vec::with_capacity(if std::mem::size_of::<T>() <= 1024 { 4 } else { 1 });
        } else {
            v.reserve(1);
        }
    }
}

struct Reader<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Reader<'a> {
        Reader { text, b: text.as_bytes(), i: 0 }
    }

    /// Skips JSON whitespace (exactly serde_json's four bytes) and returns the next byte.
    #[inline(always)]
    fn peek(&mut self) -> Option<u8> {
        // Compact JSON has no whitespace between tokens: one test in the common case.
        match self.b.get(self.i) {
            Some(&c) if c > b' ' => Some(c),
            _ => self.skip_whitespace(),
        }
    }

    #[cold]
    fn skip_whitespace(&mut self) -> Option<u8> {
        while let Some(&c) = self.b.get(self.i) {
            if !matches!(c, b' ' | b'\n' | b'\t' | b'\r') {
                return Some(c);
            }
            self.i += 1;
        }
        None
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    fn end(&mut self) -> Option<()> {
        self.peek().is_none().then_some(())
    }

    /// [`str`](Self::str) once [`peek`](Self::peek) has found its opening quote.
    #[inline(always)]
    fn str_at_quote(&mut self) -> Option<&'a str> {
        let start = self.i + 1;
        let rest = &self.b[start..];
        // Escapes and control characters (serde_json refuses raw ones) decline.
        let n = special(rest)?;
        if rest[n] != b'"' {
            return None;
        }
        self.i = start + n + 1;
        // Both ends are next to an ASCII quote, so they are char boundaries.
        self.text.get(start..start + n)
    }
}

/// Where the claim reader takes its values from: JSON text in this module, or the tokens a
/// binding recorded from its own objects (Python's dicts and lists), so that every input form
/// is read by the one reader of the claim model below.
///
/// **Contract: accept or decline**, as for JSON (see the module comment): each reading method
/// reads exactly one value and returns it, or returns `None` (`false` for
/// [`null`](Source::null)) for anything it does not read the way the source's serde path would.
/// Declining may leave the source anywhere: the caller then discards it and runs serde over the
/// same input.
///
/// An interface for this workspace's bindings, which record their own objects as tokens; it
/// may gain methods.
pub trait Source<'a>: Sized {
    /// A missing value (JSON `null`), consumed; anything else is left for the value's reader.
    fn null(&mut self) -> bool;

    /// A string value, borrowed from the input.
    fn str(&mut self) -> Option<&'a str>;

    /// Whether the next value is a string, without reading it; `None` at the end of the input.
    fn is_str(&mut self) -> Option<bool>;

    /// A number, of the kind serde's visitor would be handed for it.
    fn number(&mut self) -> Option<Number>;

    /// An object (map), handing each key to `field`, which reads the value or declines.
    fn object(&mut self, field: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()>;

    /// An array (list), handing each item to `item`, which reads it or declines.
    fn items(&mut self, item: impl FnMut(&mut Self) -> Option<()>) -> Option<()>;

    /// `null` or a string value, handed to `value`: `Some(None)` for `null`.
    #[inline(always)]
    fn opt_str_then<T>(&mut self, value: impl FnOnce(&'a str) -> Option<T>) -> Option<Option<T>> {
        if self.null() { Some(None) } else { value(self.str()?).map(Some) }
    }
}

/// One claim from `src`: exactly the claim the source's serde path would build, or `None` when
/// the reader declines (see [`Source`]).
pub fn claim_from<'a, S: Source<'a>>(src: &mut S) -> Option<Claim> {
    let mut c = blank_claim();
    src.claim(&mut c)?;
    Some(c)
}

impl<'a> Source<'a> for Reader<'a> {
    /// `null`, consumed; anything else is left for the value's reader.
    fn null(&mut self) -> bool {
        let found = self.peek() == Some(b'n') && self.b[self.i..].starts_with(b"null");
        if found {
            self.i += 4;
        }
        found
    }

    /// A string without escapes, borrowed from the input.
    #[inline(always)]
    fn str(&mut self) -> Option<&'a str> {
        if self.peek()? != b'"' {
            return None;
        }
        self.str_at_quote()
    }

    #[inline(always)]
    fn is_str(&mut self) -> Option<bool> {
        Some(self.peek()? == b'"')
    }

    /// A JSON number as serde_json reads it, or `None` for the rare syntax it leaves to serde.
    fn number(&mut self) -> Option<Number> {
        self.peek()?;
        let b = self.b;
        let mut i = self.i;
        // Diagnosis pointers: one digit, then the next item or the end of the array.
        if let Some(&[d @ b'0'..=b'9', b',' | b']' | b'}']) = b.get(i..i + 2) {
            self.i = i + 1;
            return Some(Number::U64(u64::from(d - b'0')));
        }
        let neg = b[i] == b'-';
        i += usize::from(neg);
        let start = i;
        let mut sig: u64 = 0;
        match *b.get(i)? {
            b'0' => i += 1,
            b'1'..=b'9' => {
                while let Some(&c @ b'0'..=b'9') = b.get(i) {
                    sig = sig.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
                    i += 1;
                }
            }
            _ => return None,
        }
        let mut frac = 0;
        if b.get(i) == Some(&b'.') {
            i += 1;
            while let Some(&c @ b'0'..=b'9') = b.get(i) {
                sig = sig.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
                i += 1;
                frac += 1;
            }
            if frac == 0 {
                return None;
            }
        }
        // A leading zero followed by digits is invalid JSON; exponents are left to serde; 18
        // digits cannot overflow the u64 the digits were gathered in.
        if matches!(b.get(i), Some(b'0'..=b'9' | b'e' | b'E')) || i - start - usize::from(frac > 0) > 18 {
            return None;
        }
        self.i = i;
        Some(if frac == 0 {
            if !neg {
                Number::U64(sig)
            } else if sig == 0 {
                Number::F64(-0.0)
            } else {
                Number::I64(-(sig as i64))
            }
        } else {
            if sig >= 1 << 53 {
                return None;
            }
            let f = sig as f64 / POW10[frac];
            Number::F64(if neg { -f } else { f })
        })
    }

    /// An object, handing each key to `field`, which reads the value or declines.
    fn object(&mut self, mut field: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            let key = self.str()?;
            // Compact JSON puts the colon right after the key.
            if self.b.get(self.i) == Some(&b':') {
                self.i += 1;
            } else {
                self.eat(b':')?;
            }
            field(self, key)?;
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// An array, handing each item to `item`, which reads it or declines.
    #[inline(always)]
    fn items(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.eat(b'[')?;
        if self.peek()? == b']' {
            self.i += 1;
            return Some(());
        }
        loop {
            item(self)?;
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// `null` or a string value, whose reader would look at the same byte again through
    /// `Model::opt`: a claim has ~30 optional strings, codes and dates.
    #[inline(always)]
    fn opt_str_then<T>(&mut self, value: impl FnOnce(&'a str) -> Option<T>) -> Option<Option<T>> {
        match self.peek()? {
            b'"' => value(self.str_at_quote()?).map(Some),
            _ => self.null().then_some(None),
        }
    }
}

/// The claim model's readers, for every [`Source`].
trait Model<'a>: Source<'a> {
    fn string(&mut self) -> Option<String> {
        self.str().map(owned)
    }

    /// `null` or a value (serde's `Option`: `None` for null or a missing key).
    fn opt<T>(&mut self, value: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.null() { Some(None) } else { value(self).map(Some) }
    }

    // The three optional readers inlined into each field's arm: -0.8 % instructions reading
    // and checking claims from JSON (callgrind); the plain ones and `opt` gained 0.1 % more.
    #[inline(always)]
    fn opt_string(&mut self) -> Option<Option<String>> {
        self.opt_str_then(|s| Some(owned(s)))
    }

    /// A code, normalized as `serde_norm::code` does.
    fn code(&mut self) -> Option<String> {
        self.str().map(normalize)
    }

    #[inline(always)]
    fn opt_code(&mut self) -> Option<Option<String>> {
        self.opt_str_then(|s| Some(normalize(s)))
    }

    #[inline(always)]
    fn opt_date(&mut self) -> Option<Option<Date>> {
        self.opt_str_then(|s| Date::parse(s).ok())
    }

    /// [`variant_of`] a string value.
    fn variant<T: Deserialize<'a>>(&mut self) -> Option<T> {
        variant_of(self.str()?)
    }

    /// An `f64` field: serde's visitor converts integers with `as`.
    fn f64(&mut self) -> Option<f64> {
        Some(match self.number()? {
            Number::U64(v) => v as f64,
            Number::I64(v) => v as f64,
            Number::F64(v) => v,
        })
    }

    /// An `i32` field: integers in range only (serde refuses floats, `-0` included).
    fn i32(&mut self) -> Option<i32> {
        match self.number()? {
            Number::U64(v) => i32::try_from(v).ok(),
            Number::I64(v) => i32::try_from(v).ok(),
            Number::F64(_) => None,
        }
    }

    /// An amount: a number or a decimal string, through `Money`'s own conversions.
    fn money(&mut self) -> Option<Money> {
        if self.is_str()? {
            return Money::parse(self.str()?);
        }
        match self.number()? {
            Number::U64(v) => Money::from_dollars_u64(v),
            Number::I64(v) => Money::from_dollars(v),
            Number::F64(v) => Money::from_f64(v),
        }
    }

    fn array<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let mut out = Vec::new();
        self.items(|r| {
            let value = item(r)?;
            room_for_one(&mut out);
            out.push(value);
            Some(())
        })?;
        Some(out)
    }

    /// An array field read in place, once per key: each item is pushed blank and filled where
    /// it lies. A service line is ~400 bytes, and reading one into a local to push it copied it
    /// three times (callgrind: three `memcpy` calls a line).
    fn array_into<T>(
        &mut self,
        seen: &mut u32,
        bit: u32,
        out: &mut Vec<T>,
        blank: impl Fn() -> T,
        mut read: impl FnMut(&mut Self, &mut T) -> Option<()>,
    ) -> Option<()> {
        first_sight(seen, bit)?;
        out.clear();
        self.items(|r| {
            // Not `push`: its value is built before the room is made, so it is built on the
            // stack and copied in (a `memcpy` call a line).
            room_for_one(out);
            let n = out.len();
            out.spare_capacity_mut()[0].write(blank());
            // SAFETY: the slot at `n` was just written.
            unsafe { out.set_len(n + 1) };
            read(r, &mut out[n])
        })
    }

    // Each struct is read into a literal that names every field, so a field added to the model
    // fails to compile here. `seen` has a bit per field: a key seen twice declines (serde:
    // "duplicate field"), and a required field whose bit is missing declines (serde: "missing
    // field"). Values are written in place: moving a claim (~2 KB then, ~0.9 KB plus its lines
    // now) and its parts from slot to slot was a tenth of the reader's time.

    fn name(&mut self) -> Option<PersonName> {
        let mut n = PersonName { last: None, first: None, middle: None };
        let mut seen = 0;
        self.object(|r, key| match key {
            "last" => field(&mut seen, 0, &mut n.last, r.opt_string()?),
            "first" => field(&mut seen, 1, &mut n.first, r.opt_string()?),
            "middle" => field(&mut seen, 2, &mut n.middle, r.opt_string()?),
            _ => None,
        })?;
        Some(n)
    }

    fn address(&mut self) -> Option<Address> {
        let mut a = Address { lines: Vec::new(), city: None, state: None, postal_code: None };
        let mut seen = 0;
        self.object(|r, key| match key {
            "lines" => field(&mut seen, 0, &mut a.lines, r.array(Self::string)?),
            "city" => field(&mut seen, 1, &mut a.city, r.opt_string()?),
            "state" => field(&mut seen, 2, &mut a.state, r.opt_string()?),
            "postal_code" => field(&mut seen, 3, &mut a.postal_code, r.opt_string()?),
            _ => None,
        })?;
        Some(a)
    }

    fn person(&mut self, p: &mut Person) -> Option<()> {
        let mut seen = 0;
        self.object(|r, key| match key {
            "name" => field(&mut seen, 0, &mut p.name, r.opt(Self::name)?),
            "member_id" => field(&mut seen, 1, &mut p.member_id, r.opt_string()?),
            "group_number" => field(&mut seen, 2, &mut p.group_number, r.opt_string()?),
            "birth_date" => field(&mut seen, 3, &mut p.birth_date, r.opt_date()?),
            "sex" => field(&mut seen, 4, &mut p.sex, r.opt_str_then(variant_of::<Sex>)?),
            "address" => field(&mut seen, 5, &mut p.address, r.opt(Self::address)?),
            "relationship" => field(&mut seen, 6, &mut p.relationship, r.opt_string()?),
            _ => None,
        })
    }

    fn provider(&mut self, p: &mut Provider) -> Option<()> {
        let mut seen = 0;
        self.object(|r, key| match key {
            "npi" => field(&mut seen, 0, &mut p.npi, r.opt_string()?),
            "name" => field(&mut seen, 1, &mut p.name, r.opt_string()?),
            "tax_id" => field(&mut seen, 2, &mut p.tax_id, r.opt_string()?),
            "taxonomy" => field(&mut seen, 3, &mut p.taxonomy, r.opt_string()?),
            "address" => field(&mut seen, 4, &mut p.address, r.opt(Self::address)?),
            _ => None,
        })
    }

    /// A struct read in place, for the large ones (see [`claim_into`]), once per key: `null`
    /// declines (the field is not optional).
    #[inline(always)]
    fn struct_into<T>(
        &mut self,
        seen: &mut u32,
        bit: u32,
        place: &mut T,
        read: impl FnOnce(&mut Self, &mut T) -> Option<()>,
    ) -> Option<()> {
        first_sight(seen, bit)?;
        read(self, place)
    }

    /// An optional struct read in place: the place is `None` when the key is first seen, so
    /// `null` leaves it and an object fills a blank.
    // Forced, as `struct_into`: since the reader became generic over its source, LLVM kept these
    // two out of line, +1 % instructions reading and checking claims from JSON (callgrind).
    #[inline(always)]
    fn opt_struct_into<T>(
        &mut self,
        seen: &mut u32,
        bit: u32,
        place: &mut Option<T>,
        blank: fn() -> T,
        read: impl FnOnce(&mut Self, &mut T) -> Option<()>,
    ) -> Option<()> {
        self.struct_into(seen, bit, place, |r, place| if r.null() { Some(()) } else { read(r, place.insert(blank())) })
    }

    fn payer(&mut self) -> Option<Payer> {
        let mut p = Payer { id: None, name: None };
        let mut seen = 0;
        self.object(|r, key| match key {
            "id" => field(&mut seen, 0, &mut p.id, r.opt_string()?),
            "name" => field(&mut seen, 1, &mut p.name, r.opt_string()?),
            _ => None,
        })?;
        Some(p)
    }

    fn diagnosis(&mut self, d: &mut Diagnosis) -> Option<()> {
        let mut seen = 0;
        self.object(|r, key| match key {
            "code" => field(&mut seen, 0, &mut d.code, r.code()?),
            "qualifier" => field(&mut seen, 1, &mut d.qualifier, r.opt_string()?),
            "poa" => field(&mut seen, 2, &mut d.poa, r.opt_string()?),
            _ => None,
        })?;
        required(seen, 0b1)
    }

    fn icd_procedure(&mut self) -> Option<IcdProcedure> {
        let mut p = IcdProcedure { code: String::new(), date: None, qualifier: None };
        let mut seen = 0;
        self.object(|r, key| match key {
            "code" => field(&mut seen, 0, &mut p.code, r.code()?),
            "date" => field(&mut seen, 1, &mut p.date, r.opt_date()?),
            "qualifier" => field(&mut seen, 2, &mut p.qualifier, r.opt_string()?),
            _ => None,
        })?;
        required(seen, 0b1)?;
        Some(p)
    }

    fn line(&mut self, l: &mut ServiceLine) -> Option<()> {
        let mut seen = 0;
        self.object(|r, key| match key {
            "procedure" => field(&mut seen, 0, &mut l.procedure, r.opt_code()?),
            "modifiers" => field(&mut seen, 1, &mut l.modifiers, r.array(Self::code)?),
            "revenue_code" => field(&mut seen, 2, &mut l.revenue_code, r.opt_code()?),
            "units" => field(&mut seen, 3, &mut l.units, r.f64()?),
            "unit_basis" => field(&mut seen, 4, &mut l.unit_basis, r.opt_string()?),
            "charge" => field(&mut seen, 5, &mut l.charge, r.money()?),
            "pointers" => field(&mut seen, 6, &mut l.pointers, r.array(Self::i32)?),
            "date" => field(&mut seen, 7, &mut l.date, r.opt_date()?),
            "date_to" => field(&mut seen, 8, &mut l.date_to, r.opt_date()?),
            "place_of_service" => field(&mut seen, 9, &mut l.place_of_service, r.opt_code()?),
            "rendering_provider" => {
                r.opt_struct_into(&mut seen, 10, &mut l.rendering_provider, boxed_provider, |r, p| r.provider(p))
            }
            "control_number" => field(&mut seen, 11, &mut l.control_number, r.opt_string()?),
            _ => None,
        })?;
        required(seen, 1 << 3 | 1 << 5)
    }

    fn claim(&mut self, c: &mut Claim) -> Option<()> {
        let mut seen = 0;
        self.object(|r, key| match key {
            "id" => field(&mut seen, 0, &mut c.id, r.string()?),
            "kind" => field(&mut seen, 1, &mut c.kind, r.variant::<ClaimKind>()?),
            "frequency" => field(&mut seen, 2, &mut c.frequency, r.string()?),
            "payer_claim_control_number" => field(&mut seen, 3, &mut c.payer_claim_control_number, r.opt_string()?),
            "billing_provider" => r.struct_into(&mut seen, 4, &mut c.billing_provider, Self::provider),
            "rendering_provider" => {
                r.opt_struct_into(&mut seen, 5, &mut c.rendering_provider, boxed_provider, |r, p| r.provider(p))
            }
            "referring_provider" => {
                r.opt_struct_into(&mut seen, 6, &mut c.referring_provider, boxed_provider, |r, p| r.provider(p))
            }
            "attending_provider" => {
                r.opt_struct_into(&mut seen, 7, &mut c.attending_provider, boxed_provider, |r, p| r.provider(p))
            }
            "subscriber" => r.struct_into(&mut seen, 8, &mut c.subscriber, Self::person),
            "patient" => r.opt_struct_into(&mut seen, 9, &mut c.patient, boxed_person, |r, p| r.person(p)),
            "payer" => field(&mut seen, 10, &mut c.payer, r.payer()?),
            "place_of_service" => field(&mut seen, 11, &mut c.place_of_service, r.opt_code()?),
            "type_of_bill" => field(&mut seen, 12, &mut c.type_of_bill, r.opt_string()?),
            "statement_from" => field(&mut seen, 13, &mut c.statement_from, r.opt_date()?),
            "statement_to" => field(&mut seen, 14, &mut c.statement_to, r.opt_date()?),
            "admission_date" => field(&mut seen, 15, &mut c.admission_date, r.opt_date()?),
            "discharge_date" => field(&mut seen, 16, &mut c.discharge_date, r.opt_date()?),
            "discharge_status" => field(&mut seen, 17, &mut c.discharge_status, r.opt_string()?),
            "diagnoses" => r.array_into(&mut seen, 18, &mut c.diagnoses, blank_diagnosis, Self::diagnosis),
            "admitting_diagnosis" => {
                r.opt_struct_into(&mut seen, 19, &mut c.admitting_diagnosis, blank_diagnosis, Self::diagnosis)
            }
            "procedures" => field(&mut seen, 20, &mut c.procedures, r.array(Self::icd_procedure)?),
            "lines" => r.array_into(&mut seen, 21, &mut c.lines, blank_line, Self::line),
            "total_charge" => field(&mut seen, 22, &mut c.total_charge, r.money()?),
            "prior_payer_paid" => field(&mut seen, 23, &mut c.prior_payer_paid, r.opt(Self::money)?),
            _ => None,
        })?;
        // id, kind, billing_provider, subscriber, payer, lines, total_charge.
        required(seen, 1 << 0 | 1 << 1 | 1 << 4 | 1 << 8 | 1 << 10 | 1 << 21 | 1 << 22)?;
        if seen & 1 << 2 == 0 {
            c.frequency = default_frequency();
        }
        Some(())
    }
}

impl<'a, S: Source<'a>> Model<'a> for S {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both scans find what a byte-by-byte search finds: every special byte (and bytes either
    /// side of the ranges: 0x1F/0x20, and `"`/`\\` neighbours, high bytes) at every position of
    /// strings of 0 to 40 bytes, so each of the 16-byte blocks and the tail is tested.
    #[test]
    fn scans_find_the_first_quote_backslash_or_control_byte() {
        let naive = |b: &[u8]| b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
        let bytes = [0x00, 0x1F, 0x20, b'!', b'"', b'#', b'[', b'\\', b']', 0x7F, 0x80, 0xE9, 0xFF];
        for len in 0..=40 {
            for at in 0..=len {
                for &x in &bytes {
                    let mut b = vec![b'a'; len];
                    if at < len {
                        b[at] = x;
                    }
                    // A second special byte later on must not win over the first.
                    if at + 3 < len {
                        b[at + 3] = b'"';
                    }
                    assert_eq!(special(&b), naive(&b), "{b:?}");
                    assert_eq!(special_swar(&b), naive(&b), "{b:?}");
                }
            }
        }
    }
}
