//! The fast JSON claim reader against serde: it must return exactly serde's claim or decline
//! (`None`), never accept what serde refuses, and it must accept the plain shapes serde writes
//! (otherwise every claim silently takes the slow path and the speed-up is fake).

mod common;

use std::collections::BTreeSet;

use cleanclaim::input::{fast_claim, fast_claims};
use cleanclaim::model::{Address, IcdProcedure, Payer, PersonName};
use cleanclaim::{Claim, ClaimKind, Date, Diagnosis, Money, Person, Provider, ServiceLine, Sex};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use serde_json::Value;

use common::{date, json_files, money, root};

/// The contract on one text: serde refuses ⇒ the fast reader declines; serde reads `a` ⇒ the
/// fast reader declines or reads `a` (compared as values and as re-serialized JSON, which also
/// tells `-0.0` from `0.0`). Returns whether the fast reader accepted.
fn contract(text: &str) -> bool {
    let serde = serde_json::from_str::<Claim>(text);
    let fast = fast_claim(text);
    match (&serde, &fast) {
        (_, None) => false,
        (Ok(a), Some(b)) => {
            assert_eq!(a, b, "fast reader differs from serde on {text:?}");
            assert_eq!(serde_json::to_string(a).unwrap(), serde_json::to_string(b).unwrap(), "{text:?}");
            true
        }
        (Err(e), Some(_)) => panic!("fast reader accepted what serde refuses ({e}): {text:?}"),
    }
}

fn accepts(text: &str) {
    assert!(contract(text), "fast reader declined a plain claim: {text}");
}

// ---- arbitrary claims with every field in play --------------------------------------------

/// Codes as people write them: any case, dots, surrounding spaces (both readers normalize).
fn code() -> impl Strategy<Value = String> {
    "[ ]?[A-Za-z][0-9][0-9A-Za-z]{0,2}[.]?[0-9A-Za-z]{0,3}[ ]?"
}

/// Printable text without `"` and `\`, which serde writes as escapes (declined, see below),
/// and some non-ASCII, which it writes as is.
fn text() -> impl Strategy<Value = String> {
    "[ -!#-\\[\\]-~àéüñ中]{0,12}"
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    option::of(text())
}

fn address() -> BoxedStrategy<Address> {
    (vec(text(), 0..3), opt_text(), option::of("[A-Z]{2}"), option::of("[0-9]{5}"))
        .prop_map(|(lines, city, state, postal_code)| Address { lines, city, state, postal_code })
        .boxed()
}

fn person() -> BoxedStrategy<Person> {
    (
        option::of((opt_text(), opt_text(), opt_text()))
            .prop_map(|n| n.map(|(last, first, middle)| PersonName { last, first, middle })),
        opt_text(),
        opt_text(),
        option::of(date()),
        option::of(prop_oneof![Just(Sex::Male), Just(Sex::Female), Just(Sex::Unknown)]),
        option::of(address()),
        option::of("[0-9]{2}"),
    )
        .prop_map(|(name, member_id, group_number, birth_date, sex, address, relationship)| Person {
            name,
            member_id,
            group_number,
            birth_date,
            sex,
            address,
            relationship,
        })
        .boxed()
}

fn provider() -> BoxedStrategy<Provider> {
    (
        option::of("[0-9]{10}"),
        opt_text(),
        option::of("[0-9]{9}"),
        option::of("[0-9]{3}[A-Z0-9]{7}"),
        option::of(address()),
    )
        .prop_map(|(npi, name, tax_id, taxonomy, address)| Provider { npi, name, tax_id, taxonomy, address })
        .boxed()
}

fn diagnosis() -> BoxedStrategy<Diagnosis> {
    (code(), option::of("ABK|ABF|BK|APR"), option::of("[YNUW1]"))
        .prop_map(|(code, qualifier, poa)| Diagnosis { code, qualifier, poa })
        .boxed()
}

fn icd_procedure() -> BoxedStrategy<IcdProcedure> {
    (code(), option::of(date()), option::of("BBR|BBQ|BR"))
        .prop_map(|(code, date, qualifier)| IcdProcedure { code, date, qualifier })
        .boxed()
}

/// Units as claims carry them: whole, quarters, or minutes with decimals.
fn units() -> impl Strategy<Value = f64> {
    prop_oneof![
        (0u32..1000).prop_map(f64::from),
        (-40i32..4000).prop_map(|u| f64::from(u) / 4.0),
        (0u32..100_000).prop_map(|u| f64::from(u) / 100.0),
    ]
}

fn line() -> BoxedStrategy<ServiceLine> {
    (
        (option::of(code()), vec("[0-9A-Za-z]{2}", 0..4), option::of("[0-9]{4}"), units(), option::of("UN|MJ")),
        (money(), vec(-2i32..15, 0..6), option::of(date()), option::of(date()), option::of("[0-9]{2}")),
        (option::of(provider()), opt_text()),
    )
        .prop_map(
            |(
                (procedure, modifiers, revenue_code, units, unit_basis),
                (charge, pointers, date, date_to, place_of_service),
                (rendering_provider, control_number),
            )| ServiceLine {
                procedure,
                modifiers,
                revenue_code,
                units,
                unit_basis,
                charge,
                pointers,
                date,
                date_to,
                place_of_service,
                rendering_provider: rendering_provider.map(Box::new),
                control_number,
            },
        )
        .boxed()
}

fn claim() -> BoxedStrategy<Claim> {
    (
        (text(), prop_oneof![Just(ClaimKind::Professional), Just(ClaimKind::Institutional)], "[1578]", opt_text()),
        (provider(), option::of(provider()), option::of(provider()), option::of(provider())),
        (person(), option::of(person()), (opt_text(), opt_text()).prop_map(|(id, name)| Payer { id, name })),
        (option::of("[0-9]{2}"), option::of("[0-9]{3,4}"), option::of(date()), option::of(date())),
        (option::of(date()), option::of(date()), option::of("[0-9]{2}")),
        (vec(diagnosis(), 0..14), option::of(diagnosis()), vec(icd_procedure(), 0..3)),
        (vec(line(), 0..6), money(), option::of(money())),
    )
        .prop_map(
            |(
                (id, kind, frequency, payer_claim_control_number),
                (billing_provider, rendering_provider, referring_provider, attending_provider),
                (subscriber, patient, payer),
                (place_of_service, type_of_bill, statement_from, statement_to),
                (admission_date, discharge_date, discharge_status),
                (diagnoses, admitting_diagnosis, procedures),
                (lines, total_charge, prior_payer_paid),
            )| Claim {
                id,
                kind,
                frequency,
                payer_claim_control_number,
                billing_provider,
                rendering_provider: rendering_provider.map(Box::new),
                referring_provider: referring_provider.map(Box::new),
                attending_provider: attending_provider.map(Box::new),
                subscriber,
                patient: patient.map(Box::new),
                payer,
                place_of_service,
                type_of_bill,
                statement_from,
                statement_to,
                admission_date,
                discharge_date,
                discharge_status,
                diagnoses,
                admitting_diagnosis,
                procedures,
                lines,
                total_charge,
                prior_payer_paid,
            },
        )
        .boxed()
}

/// Re-spaces compact JSON: whitespace from `ws` (cycled) around every structural character
/// outside strings.
fn respace(compact: &str, ws: &[&str]) -> String {
    let mut out = String::with_capacity(compact.len() * 2);
    let (mut in_str, mut escaped, mut k) = (false, false, 0);
    let mut next = || {
        k += 1;
        ws[k % ws.len()]
    };
    out.push_str(next());
    for c in compact.chars() {
        if in_str {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                out.push(c);
            }
            '{' | '[' | ',' | ':' => {
                out.push(c);
                out.push_str(next());
            }
            '}' | ']' => {
                out.push_str(next());
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out.push_str(next());
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn accepts_what_serde_writes_and_reads_the_same_claim(c in claim()) {
        let compact = serde_json::to_string(&c).unwrap();
        accepts(&compact);
        accepts(&serde_json::to_string_pretty(&c).unwrap());
        accepts(&respace(&compact, &[" ", "\n", "\t", "\r\n", "", "  \t "]));
        // Keys in another order (a `Value` map sorts them).
        accepts(&serde_json::to_value(&c).unwrap().to_string());
    }

    #[test]
    fn arrays_of_claims(cs in vec(claim(), 0..4)) {
        let text = serde_json::to_string_pretty(&cs).unwrap();
        let got = fast_claims(&text);
        prop_assert!(got.is_some(), "declined an array serde wrote");
        prop_assert_eq!(got.unwrap(), serde_json::from_str::<Vec<Claim>>(&text).unwrap());
    }

    /// Any text, any units: escapes, non-ASCII, floats that need exponents. Accept or decline.
    #[test]
    fn escapes_and_any_float_keep_the_contract(
        mut c in claim(),
        id in any::<String>(),
        name in any::<String>(),
        units in any::<f64>(),
        code in any::<String>(),
    ) {
        c.id = id;
        c.billing_provider.name = Some(name);
        c.diagnoses.push(Diagnosis { code, qualifier: None, poa: None });
        if let Some(l) = c.lines.first_mut() {
            l.units = units;
        }
        if let Ok(text) = serde_json::to_string(&c) {
            contract(&text);
        }
    }

    /// Byte-level damage to a serialized claim.
    #[test]
    fn damaged_claims_keep_the_contract(c in claim(), edits in vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..4)) {
        let mut bytes = serde_json::to_string(&c).unwrap().into_bytes();
        for (at, byte, how) in edits {
            if bytes.is_empty() {
                break;
            }
            let i = at.index(bytes.len());
            match how {
                0 => bytes[i] = byte,
                1 => { bytes.remove(i); }
                2 => bytes.insert(i, byte),
                _ => bytes.truncate(i),
            }
        }
        if let Ok(text) = String::from_utf8(bytes) {
            contract(&text);
        }
    }
}

// ---- a claim with every field set: the fast reader must know every key ------------------

fn full_address() -> Address {
    Address {
        lines: vec!["1 Main St".into(), "Apt 2".into()],
        city: Some("Springfield".into()),
        state: Some("IL".into()),
        postal_code: Some("62701".into()),
    }
}

fn full_provider() -> Provider {
    Provider {
        npi: Some("1284567892".into()),
        name: Some("Clinic".into()),
        tax_id: Some("371234567".into()),
        taxonomy: Some("207Q00000X".into()),
        address: Some(full_address()),
    }
}

fn full_person() -> Person {
    Person {
        name: Some(PersonName { last: Some("Doe".into()), first: Some("Jane".into()), middle: Some("Q".into()) }),
        member_id: Some("XJH1".into()),
        group_number: Some("G7".into()),
        birth_date: Date::new(1961, 4, 12),
        sex: Some(Sex::Female),
        address: Some(full_address()),
        relationship: Some("18".into()),
    }
}

fn full_diagnosis() -> Diagnosis {
    Diagnosis { code: "E119".into(), qualifier: Some("ABK".into()), poa: Some("Y".into()) }
}

// Boxed strategies keep the generated value trees off the stack (debug test threads are small).

/// Every optional field `Some`, every list non-empty. A field added to the model must be added
/// here (these are struct literals), and `full_claim_names_every_field` checks it was set.
fn full_claim() -> Claim {
    let d = Date::new(2026, 3, 2);
    Claim {
        id: "PCN-1".into(),
        kind: ClaimKind::Institutional,
        frequency: "7".into(),
        payer_claim_control_number: Some("F8-1".into()),
        billing_provider: full_provider(),
        rendering_provider: Some(Box::new(full_provider())),
        referring_provider: Some(Box::new(full_provider())),
        attending_provider: Some(Box::new(full_provider())),
        subscriber: full_person(),
        patient: Some(Box::new(full_person())),
        payer: Payer { id: Some("00431".into()), name: Some("Plan".into()) },
        place_of_service: Some("21".into()),
        type_of_bill: Some("111".into()),
        statement_from: d,
        statement_to: d,
        admission_date: d,
        discharge_date: d,
        discharge_status: Some("01".into()),
        diagnoses: vec![full_diagnosis()],
        admitting_diagnosis: Some(full_diagnosis()),
        procedures: vec![IcdProcedure { code: "0DTJ4ZZ".into(), date: d, qualifier: Some("BBR".into()) }],
        lines: vec![ServiceLine {
            procedure: Some("99214".into()),
            modifiers: vec!["25".into()],
            revenue_code: Some("0450".into()),
            units: 1.5,
            unit_basis: Some("MJ".into()),
            charge: Money::from_cents(18_550),
            pointers: vec![1],
            date: d,
            date_to: d,
            place_of_service: Some("21".into()),
            rendering_provider: Some(Box::new(full_provider())),
            control_number: Some("L1".into()),
        }],
        total_charge: Money::from_cents(18_550),
        prior_payer_paid: Some(Money::from_cents(100)),
    }
}

/// The field names serde knows for `T`, from the message it gives for an unknown field.
fn serde_fields<T: serde::de::DeserializeOwned>() -> BTreeSet<String> {
    let e = serde_json::from_str::<T>(r#"{"\u0000": 0}"#).err().expect("unknown field refused").to_string();
    // "unknown field ``, expected `a` or `b`" / "..., expected one of `a`, `b`, `c`".
    let list = e.split(", expected ").nth(1).unwrap_or_else(|| panic!("{e}"));
    list.split('`').skip(1).step_by(2).map(str::to_owned).collect()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().expect("object").keys().cloned().collect()
}

#[test]
fn full_claim_names_every_field() {
    let v = serde_json::to_value(full_claim()).unwrap();
    let line = &v["lines"][0];
    let checks: [(&str, &Value, BTreeSet<String>); 9] = [
        ("Claim", &v, serde_fields::<Claim>()),
        ("ServiceLine", line, serde_fields::<ServiceLine>()),
        ("Provider", &v["billing_provider"], serde_fields::<Provider>()),
        ("Address", &v["billing_provider"]["address"], serde_fields::<Address>()),
        ("Person", &v["subscriber"], serde_fields::<Person>()),
        ("PersonName", &v["subscriber"]["name"], serde_fields::<PersonName>()),
        ("Payer", &v["payer"], serde_fields::<Payer>()),
        ("Diagnosis", &v["diagnoses"][0], serde_fields::<Diagnosis>()),
        ("IcdProcedure", &v["procedures"][0], serde_fields::<IcdProcedure>()),
    ];
    for (name, value, fields) in checks {
        assert!(fields.len() >= 2, "{name}: {fields:?}");
        assert_eq!(keys(value), fields, "{name}: the full claim must set every field serde knows");
    }
    accepts(&serde_json::to_string(&full_claim()).unwrap());
    accepts(&serde_json::to_string_pretty(&full_claim()).unwrap());
}

// ---- mutations of the example claims and the shared vectors ------------------------------

/// The claim texts of `examples/claims` (as written) and of `tests/vectors` (re-printed).
fn sample_claims() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for p in json_files(&root().join("examples/claims")) {
        out.push((p.display().to_string(), std::fs::read_to_string(&p).unwrap()));
    }
    for p in json_files(&root().join("tests/vectors")) {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        out.push((p.display().to_string(), serde_json::to_string_pretty(&v["claim"]).unwrap()));
    }
    assert!(out.len() > 20, "{} sample claims", out.len());
    out
}

#[test]
fn example_and_vector_claims_are_accepted() {
    for (name, text) in sample_claims() {
        assert!(contract(&text), "{name}: declined");
        let compact = serde_json::from_str::<Value>(&text).unwrap().to_string();
        assert!(contract(&compact), "{name}: declined compact");
    }
}

/// Every path to a value in `v` (object keys and array indices).
fn paths(v: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                at.push(Step::Key(k.clone()));
                paths(x, at, out);
                at.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                at.push(Step::Index(i));
                paths(x, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn at_mut<'v>(v: &'v mut Value, path: &[Step]) -> &'v mut Value {
    path.iter().fold(v, |v, s| match s {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

const HOLE: &str = "\u{1}hole\u{1}";

/// `v` printed with the value at `path` replaced by raw text, which need not be valid JSON.
fn with_raw(v: &Value, path: &[Step], raw: &str) -> String {
    let mut v = v.clone();
    *at_mut(&mut v, path) = Value::String(HOLE.into());
    serde_json::to_string(&v).unwrap().replacen(&serde_json::to_string(HOLE).unwrap(), raw, 1)
}

/// Values of every type and number syntax, valid and not, to put where any value was.
const RAW_VALUES: &[&str] = &[
    "null",
    "nul",
    "true",
    "false",
    "0",
    "-0",
    "-0.0",
    "0.0",
    "01",
    "1.",
    ".5",
    "-",
    "-5",
    "1.5",
    "-2.25",
    "1.005",
    "1e2",
    "1E-2",
    "2.5e0",
    "99999999999999999999",
    "9007199254740993",
    "123456789012345678",
    "1234567890123456789",
    "0.1234567890123456789",
    "4294967296",
    "-2147483649",
    "2147483647",
    "\"\"",
    "\"x\"",
    "\"12.50\"",
    "\"-3\"",
    "\"1.234\"",
    "\" e11.9 \"",
    "\"E11\\u002e9\"",
    "\"a\\\"b\"",
    "\"tab\there\"",
    "\"line\\nbreak\"",
    "\"M\"",
    "\"F\"",
    "\"professional\"",
    "\"Professional\"",
    "\"2026-03-02\"",
    "\"20260302\"",
    "\"2026-02-30\"",
    "[]",
    "[1]",
    "[\"25\"]",
    "[null]",
    "[1,]",
    "{}",
    "{\"code\":\"E11.9\"}",
    "{\"M\":null}",
    "[\"x\",\"y\"]",
];

#[test]
fn mutated_claims_keep_the_contract() {
    let mut accepted = 0usize;
    let mut total = 0usize;
    for (name, text) in sample_claims() {
        let v: Value = serde_json::from_str(&text).unwrap();
        let mut all = Vec::new();
        paths(&v, &mut Vec::new(), &mut all);
        let mut tried = |t: &str| {
            total += 1;
            accepted += usize::from(contract(t));
        };
        // Truncations and byte damage of the text as written.
        let bytes = text.as_bytes();
        for i in (0..bytes.len()).step_by(13) {
            if let Ok(t) = std::str::from_utf8(&bytes[..i]) {
                tried(t);
            }
            let mut flipped = bytes.to_vec();
            flipped[i] ^= 0x20;
            if let Ok(t) = std::str::from_utf8(&flipped) {
                tried(t);
            }
            let mut deleted = bytes.to_vec();
            deleted.remove(i);
            if let Ok(t) = std::str::from_utf8(&deleted) {
                tried(t);
            }
        }
        tried(&format!("{text}x"));
        tried(&format!("{text}{text}"));
        tried(&format!("\u{feff}{text}"));
        tried(&format!("[{text}]"));
        // Every value replaced by values of every type (the sample's file picks which values,
        // so each file tries a different slice and the whole set is covered across files).
        for (n, path) in all.iter().enumerate() {
            for (k, raw) in RAW_VALUES.iter().enumerate() {
                if (n + k + name.len()) % 5 == 0 {
                    tried(&with_raw(&v, path, raw));
                }
            }
        }
        // Every key of every object repeated, removed (serde: missing field, or the default)
        // and spelled with an escape; every object with an unknown key.
        let printed = serde_json::to_string(&v).unwrap();
        for path in &all {
            let mut w = v.clone();
            let Value::Object(m) = at_mut(&mut w, path) else { continue };
            let fields: Vec<(String, Value)> = m.iter().map(|(k, x)| (k.clone(), x.clone())).collect();
            m.insert("unexpected".into(), Value::from(1));
            tried(&serde_json::to_string(&w).unwrap());
            for (k, x) in fields {
                let key = serde_json::to_string(&k).unwrap();
                tried(&printed.replacen(&format!("{key}:"), &format!("{key}:{x},{key}:"), 1));
                let escaped = format!("\"\\u00{:02x}{}", k.as_bytes()[0], &key[2..]);
                tried(&printed.replacen(&key, &escaped, 1));
                let mut w = v.clone();
                if let Value::Object(m) = at_mut(&mut w, path) {
                    m.remove(&k);
                    tried(&serde_json::to_string(&w).unwrap());
                }
            }
        }
    }
    // The mutations are mostly invalid, but a good share are valid claims the reader takes.
    assert!(accepted * 10 > total, "accepted {accepted} of {total}");
}

#[test]
fn amounts_and_units_read_as_serde_reads_them() {
    let base: Value = serde_json::from_str(include_str!("../../../examples/claims/clean-office-visit.json")).unwrap();
    for raw in
        ["185", "185.0", "185.5", "185.55", "\"185.55\"", "0.29", "-0", "-0.0", "-12.5", "1.10", "0.07", "\"-0.5\""]
    {
        for path in [
            &[Step::Key("total_charge".into())][..],
            &[Step::Key("lines".into()), Step::Index(0), Step::Key("units".into())],
        ] {
            let text = with_raw(&base, path, raw);
            if serde_json::from_str::<Claim>(&text).is_ok() {
                accepts(&text);
            } else {
                contract(&text);
            }
        }
    }
    // Out-of-range amounts, and floats or too large numbers where serde wants an integer: serde
    // refuses them, and the reader must decline (`contract` panics if it accepts).
    for raw in ["1000000000001", "-1000000000001"] {
        let text = with_raw(&base, &[Step::Key("total_charge".into())], raw);
        assert!(serde_json::from_str::<Claim>(&text).is_err(), "{raw}");
        contract(&text);
    }
    for raw in ["1.0", "-0", "2147483648"] {
        let path = [Step::Key("lines".into()), Step::Index(0), Step::Key("pointers".into()), Step::Index(0)];
        let text = with_raw(&base, &path, raw);
        assert!(serde_json::from_str::<Claim>(&text).is_err(), "{raw}");
        contract(&text);
    }
    // An exponent is a valid amount to serde ($1,500); the reader may decline it, never differ.
    contract(&with_raw(&base, &[Step::Key("total_charge".into())], "1.5e3"));
}
