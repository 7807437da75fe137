//! A JSON reader written for the claim model: it scans bytes straight into a [`Claim`], with
//! no serde in the way, because generic deserialization (visitors, per-field plumbing, string
//! scanning that must handle every case) cost four times what a claim's check does.
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
//! The model cannot drift past it either: each struct is built with a literal naming every field
//! (a new field fails to compile here), unknown keys decline, and the tests compare this reader
//! with serde on claims with every field set (`tests/fast_json.rs`).

use serde::Deserialize;
use serde::de::value::BorrowedStrDeserializer;

use crate::codes::normalize;
use crate::model::{
    Address, Claim, ClaimKind, Diagnosis, IcdProcedure, Payer, Person, PersonName, Provider, ServiceLine, Sex,
    default_frequency,
};
use crate::{Date, Money};

/// One claim object, alone in `text` but for whitespace.
pub(crate) fn claim(text: &str) -> Option<Claim> {
    let mut r = Reader { text, b: text.as_bytes(), i: 0 };
    let c = r.claim()?;
    r.end()?;
    Some(c)
}

/// A JSON array of claim objects, alone in `text` but for whitespace.
pub(crate) fn claims(text: &str) -> Option<Vec<Claim>> {
    let mut r = Reader { text, b: text.as_bytes(), i: 0 };
    let c = r.array(Reader::claim)?;
    r.end()?;
    Some(c)
}

/// A number as serde_json parses it: which of the three kinds decides what a field accepts
/// (`-0` is a float, so an `i32` refuses it).
#[derive(Clone, Copy)]
enum Num {
    U64(u64),
    I64(i64),
    F64(f64),
}

/// serde_json's `f64_from_parts` divides the significand by one of these powers; with a
/// significand below 2^53 and an exact power, the quotient is the correctly rounded value, so
/// it is the same with or without serde_json's `float_roundtrip`.
const POW10: [f64; 19] =
    [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18];

/// Stores a field's value, declining a key seen twice (serde: "duplicate field").
fn set<T>(slot: &mut Option<T>, v: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(v);
    Some(())
}

/// The index of the first `"`, `\\` or control character in `b`: where a string without escapes
/// ends. Sixteen bytes at a time: scanning strings is the largest part of reading a claim, and
/// with most keys and values shorter than 16 bytes the loop's exit branch is predictable.
#[inline(always)]
fn special(b: &[u8]) -> Option<usize> {
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

struct Reader<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
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

    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_owned)
    }

    /// `null` or a value (serde's `Option`: `None` for null or a missing key).
    fn opt<T>(&mut self, value: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.null() { Some(None) } else { value(self).map(Some) }
    }

    fn opt_string(&mut self) -> Option<Option<String>> {
        self.opt(Self::string)
    }

    /// A code, normalized as `serde_norm::code` does.
    fn code(&mut self) -> Option<String> {
        self.str().map(normalize)
    }

    fn opt_code(&mut self) -> Option<Option<String>> {
        self.opt(Self::code)
    }

    fn date(&mut self) -> Option<Date> {
        Date::parse(self.str()?).ok()
    }

    fn opt_date(&mut self) -> Option<Option<Date>> {
        self.opt(Self::date)
    }

    /// A unit-variant enum from its name, by the type's own `Deserialize` (renames included).
    fn variant<T: Deserialize<'a>>(&mut self) -> Option<T> {
        let d = BorrowedStrDeserializer::<serde::de::value::Error>::new(self.str()?);
        T::deserialize(d).ok()
    }

    /// A JSON number as serde_json reads it, or `None` for the rare syntax it leaves to serde.
    fn number(&mut self) -> Option<Num> {
        self.peek()?;
        let b = self.b;
        let mut i = self.i;
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
                Num::U64(sig)
            } else if sig == 0 {
                Num::F64(-0.0)
            } else {
                Num::I64(-(sig as i64))
            }
        } else {
            if sig >= 1 << 53 {
                return None;
            }
            let f = sig as f64 / POW10[frac];
            Num::F64(if neg { -f } else { f })
        })
    }

    /// An `f64` field: serde's visitor converts integers with `as`.
    fn f64(&mut self) -> Option<f64> {
        Some(match self.number()? {
            Num::U64(v) => v as f64,
            Num::I64(v) => v as f64,
            Num::F64(v) => v,
        })
    }

    /// An `i32` field: integers in range only (serde refuses floats, `-0` included).
    fn i32(&mut self) -> Option<i32> {
        match self.number()? {
            Num::U64(v) => i32::try_from(v).ok(),
            Num::I64(v) => i32::try_from(v).ok(),
            Num::F64(_) => None,
        }
    }

    /// An amount: a number or a decimal string, through `Money`'s own conversions.
    fn money(&mut self) -> Option<Money> {
        if self.peek()? == b'"' {
            return Money::parse(self.str()?);
        }
        match self.number()? {
            Num::U64(v) => Money::from_dollars_u64(v),
            Num::I64(v) => Money::from_dollars(v),
            Num::F64(v) => Money::from_f64(v),
        }
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

    fn array<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.eat(b'[')?;
        let mut out = Vec::new();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(out);
        }
        loop {
            out.push(item(self)?);
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(out);
                }
                _ => return None,
            }
        }
    }

    fn name(&mut self) -> Option<PersonName> {
        let (mut last, mut first, mut middle) = (None, None, None);
        self.object(|r, key| match key {
            "last" => set(&mut last, r.opt_string()?),
            "first" => set(&mut first, r.opt_string()?),
            "middle" => set(&mut middle, r.opt_string()?),
            _ => None,
        })?;
        Some(PersonName { last: last.flatten(), first: first.flatten(), middle: middle.flatten() })
    }

    fn address(&mut self) -> Option<Address> {
        let (mut lines, mut city, mut state, mut postal_code) = (None, None, None, None);
        self.object(|r, key| match key {
            "lines" => set(&mut lines, r.array(Self::string)?),
            "city" => set(&mut city, r.opt_string()?),
            "state" => set(&mut state, r.opt_string()?),
            "postal_code" => set(&mut postal_code, r.opt_string()?),
            _ => None,
        })?;
        Some(Address {
            lines: lines.unwrap_or_default(),
            city: city.flatten(),
            state: state.flatten(),
            postal_code: postal_code.flatten(),
        })
    }

    fn person(&mut self) -> Option<Person> {
        let (mut name, mut member_id, mut group_number, mut birth_date) = (None, None, None, None);
        let (mut sex, mut address, mut relationship) = (None, None, None);
        self.object(|r, key| match key {
            "name" => set(&mut name, r.opt(Self::name)?),
            "member_id" => set(&mut member_id, r.opt_string()?),
            "group_number" => set(&mut group_number, r.opt_string()?),
            "birth_date" => set(&mut birth_date, r.opt_date()?),
            "sex" => set(&mut sex, r.opt(Self::variant::<Sex>)?),
            "address" => set(&mut address, r.opt(Self::address)?),
            "relationship" => set(&mut relationship, r.opt_string()?),
            _ => None,
        })?;
        Some(Person {
            name: name.flatten(),
            member_id: member_id.flatten(),
            group_number: group_number.flatten(),
            birth_date: birth_date.flatten(),
            sex: sex.flatten(),
            address: address.flatten(),
            relationship: relationship.flatten(),
        })
    }

    fn provider(&mut self) -> Option<Provider> {
        let (mut npi, mut name, mut tax_id, mut taxonomy, mut address) = (None, None, None, None, None);
        self.object(|r, key| match key {
            "npi" => set(&mut npi, r.opt_string()?),
            "name" => set(&mut name, r.opt_string()?),
            "tax_id" => set(&mut tax_id, r.opt_string()?),
            "taxonomy" => set(&mut taxonomy, r.opt_string()?),
            "address" => set(&mut address, r.opt(Self::address)?),
            _ => None,
        })?;
        Some(Provider {
            npi: npi.flatten(),
            name: name.flatten(),
            tax_id: tax_id.flatten(),
            taxonomy: taxonomy.flatten(),
            address: address.flatten(),
        })
    }

    fn payer(&mut self) -> Option<Payer> {
        let (mut id, mut name) = (None, None);
        self.object(|r, key| match key {
            "id" => set(&mut id, r.opt_string()?),
            "name" => set(&mut name, r.opt_string()?),
            _ => None,
        })?;
        Some(Payer { id: id.flatten(), name: name.flatten() })
    }

    fn diagnosis(&mut self) -> Option<Diagnosis> {
        let (mut code, mut qualifier, mut poa) = (None, None, None);
        self.object(|r, key| match key {
            "code" => set(&mut code, r.code()?),
            "qualifier" => set(&mut qualifier, r.opt_string()?),
            "poa" => set(&mut poa, r.opt_string()?),
            _ => None,
        })?;
        Some(Diagnosis { code: code?, qualifier: qualifier.flatten(), poa: poa.flatten() })
    }

    fn icd_procedure(&mut self) -> Option<IcdProcedure> {
        let (mut code, mut date, mut qualifier) = (None, None, None);
        self.object(|r, key| match key {
            "code" => set(&mut code, r.code()?),
            "date" => set(&mut date, r.opt_date()?),
            "qualifier" => set(&mut qualifier, r.opt_string()?),
            _ => None,
        })?;
        Some(IcdProcedure { code: code?, date: date.flatten(), qualifier: qualifier.flatten() })
    }

    fn line(&mut self) -> Option<ServiceLine> {
        let (mut procedure, mut modifiers, mut revenue_code, mut units) = (None, None, None, None);
        let (mut unit_basis, mut charge, mut pointers, mut date, mut date_to) = (None, None, None, None, None);
        let (mut place_of_service, mut rendering_provider, mut control_number) = (None, None, None);
        self.object(|r, key| match key {
            "procedure" => set(&mut procedure, r.opt_code()?),
            "modifiers" => set(&mut modifiers, r.array(Self::code)?),
            "revenue_code" => set(&mut revenue_code, r.opt_code()?),
            "units" => set(&mut units, r.f64()?),
            "unit_basis" => set(&mut unit_basis, r.opt_string()?),
            "charge" => set(&mut charge, r.money()?),
            "pointers" => set(&mut pointers, r.array(Self::i32)?),
            "date" => set(&mut date, r.opt_date()?),
            "date_to" => set(&mut date_to, r.opt_date()?),
            "place_of_service" => set(&mut place_of_service, r.opt_code()?),
            "rendering_provider" => set(&mut rendering_provider, r.opt(Self::provider)?),
            "control_number" => set(&mut control_number, r.opt_string()?),
            _ => None,
        })?;
        Some(ServiceLine {
            procedure: procedure.flatten(),
            modifiers: modifiers.unwrap_or_default(),
            revenue_code: revenue_code.flatten(),
            units: units?,
            unit_basis: unit_basis.flatten(),
            charge: charge?,
            pointers: pointers.unwrap_or_default(),
            date: date.flatten(),
            date_to: date_to.flatten(),
            place_of_service: place_of_service.flatten(),
            rendering_provider: rendering_provider.flatten(),
            control_number: control_number.flatten(),
        })
    }

    fn claim(&mut self) -> Option<Claim> {
        let (mut id, mut kind, mut frequency, mut payer_claim_control_number) = (None, None, None, None);
        let (mut billing_provider, mut rendering_provider) = (None, None);
        let (mut referring_provider, mut attending_provider) = (None, None);
        let (mut subscriber, mut patient, mut payer, mut place_of_service) = (None, None, None, None);
        let (mut type_of_bill, mut statement_from, mut statement_to) = (None, None, None);
        let (mut admission_date, mut discharge_date, mut discharge_status) = (None, None, None);
        let (mut diagnoses, mut admitting_diagnosis, mut procedures) = (None, None, None);
        let (mut lines, mut total_charge, mut prior_payer_paid) = (None, None, None);
        self.object(|r, key| match key {
            "id" => set(&mut id, r.string()?),
            "kind" => set(&mut kind, r.variant::<ClaimKind>()?),
            "frequency" => set(&mut frequency, r.string()?),
            "payer_claim_control_number" => set(&mut payer_claim_control_number, r.opt_string()?),
            "billing_provider" => set(&mut billing_provider, r.provider()?),
            "rendering_provider" => set(&mut rendering_provider, r.opt(Self::provider)?),
            "referring_provider" => set(&mut referring_provider, r.opt(Self::provider)?),
            "attending_provider" => set(&mut attending_provider, r.opt(Self::provider)?),
            "subscriber" => set(&mut subscriber, r.person()?),
            "patient" => set(&mut patient, r.opt(Self::person)?),
            "payer" => set(&mut payer, r.payer()?),
            "place_of_service" => set(&mut place_of_service, r.opt_code()?),
            "type_of_bill" => set(&mut type_of_bill, r.opt_string()?),
            "statement_from" => set(&mut statement_from, r.opt_date()?),
            "statement_to" => set(&mut statement_to, r.opt_date()?),
            "admission_date" => set(&mut admission_date, r.opt_date()?),
            "discharge_date" => set(&mut discharge_date, r.opt_date()?),
            "discharge_status" => set(&mut discharge_status, r.opt_string()?),
            "diagnoses" => set(&mut diagnoses, r.array(Self::diagnosis)?),
            "admitting_diagnosis" => set(&mut admitting_diagnosis, r.opt(Self::diagnosis)?),
            "procedures" => set(&mut procedures, r.array(Self::icd_procedure)?),
            "lines" => set(&mut lines, r.array(Self::line)?),
            "total_charge" => set(&mut total_charge, r.money()?),
            "prior_payer_paid" => set(&mut prior_payer_paid, r.opt(Self::money)?),
            _ => None,
        })?;
        Some(Claim {
            id: id?,
            kind: kind?,
            frequency: frequency.unwrap_or_else(default_frequency),
            payer_claim_control_number: payer_claim_control_number.flatten(),
            billing_provider: billing_provider?,
            rendering_provider: rendering_provider.flatten(),
            referring_provider: referring_provider.flatten(),
            attending_provider: attending_provider.flatten(),
            subscriber: subscriber?,
            patient: patient.flatten(),
            payer: payer?,
            place_of_service: place_of_service.flatten(),
            type_of_bill: type_of_bill.flatten(),
            statement_from: statement_from.flatten(),
            statement_to: statement_to.flatten(),
            admission_date: admission_date.flatten(),
            discharge_date: discharge_date.flatten(),
            discharge_status: discharge_status.flatten(),
            diagnoses: diagnoses.unwrap_or_default(),
            admitting_diagnosis: admitting_diagnosis.flatten(),
            procedures: procedures.unwrap_or_default(),
            lines: lines?,
            total_charge: total_charge?,
            prior_payer_paid: prior_payer_paid.flatten(),
        })
    }
}
