//! Property tests: serde round trips of the model, and no input makes parsing or checking panic.

mod common;

use cleanclaim::model::{Address, IcdProcedure, Payer, PersonName};
use cleanclaim::{Claim, ClaimKind, Date, Diagnosis, Encounter, Engine, Person, Provider, ServiceLine, Sex};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use common::{date, money};

fn code() -> impl Strategy<Value = String> {
    "[A-Z][0-9][0-9A-Z]{1,5}"
}

fn text() -> impl Strategy<Value = String> {
    "[ -~]{0,12}"
}

fn address() -> impl Strategy<Value = Address> {
    (vec(text(), 0..3), option::of(text()), option::of("[A-Z]{2}"), option::of("[0-9]{5}"))
        .prop_map(|(lines, city, state, postal_code)| Address { lines, city, state, postal_code })
}

fn person() -> impl Strategy<Value = Person> {
    (
        option::of((option::of(text()), option::of(text()), option::of(text())))
            .prop_map(|n| n.map(|(last, first, middle)| PersonName { last, first, middle })),
        option::of(text()),
        option::of(date()),
        option::of(prop_oneof![Just(Sex::Male), Just(Sex::Female), Just(Sex::Unknown)]),
        option::of(address()),
        option::of("[0-9]{2}"),
    )
        .prop_map(|(name, member_id, birth_date, sex, address, relationship)| Person {
            name,
            member_id: member_id.clone(),
            group_number: member_id,
            birth_date,
            sex,
            address,
            relationship,
        })
}

fn provider() -> impl Strategy<Value = Provider> {
    (option::of("[0-9]{10}"), option::of(text()), option::of("[0-9]{9}"), option::of(address()))
        .prop_map(|(npi, name, tax_id, address)| Provider { npi, name, tax_id, taxonomy: None, address })
}

fn diagnosis() -> impl Strategy<Value = Diagnosis> {
    (
        code(),
        option::of(prop_oneof![Just("ABK"), Just("ABF"), Just("BK")]),
        option::of(prop_oneof![Just("Y"), Just("N")]),
    )
        .prop_map(|(code, q, poa)| Diagnosis {
            code,
            qualifier: q.map(str::to_owned),
            poa: poa.map(str::to_owned),
        })
}

fn line() -> impl Strategy<Value = ServiceLine> {
    (
        option::of("[0-9]{5}|[A-V][0-9]{4}"),
        vec("[0-9A-Z]{2}", 0..4),
        option::of("[0-9]{4}"),
        (-10i32..1000).prop_map(|u| f64::from(u) / 4.0),
        money(),
        vec(-2i32..15, 0..6),
        option::of(date()),
        option::of(provider()),
    )
        .prop_map(|(procedure, modifiers, revenue_code, units, charge, pointers, date, rendering_provider)| {
            ServiceLine {
                procedure,
                modifiers,
                revenue_code,
                units,
                unit_basis: None,
                charge,
                pointers,
                date,
                date_to: None,
                place_of_service: None,
                rendering_provider: rendering_provider.map(Box::new),
                control_number: None,
            }
        })
}

fn claim() -> impl Strategy<Value = Claim> {
    (
        (text(), prop_oneof![Just(ClaimKind::Professional), Just(ClaimKind::Institutional)], "[1578]"),
        (provider(), option::of(provider()), person(), option::of(person())),
        (option::of("[0-9]{2}"), option::of("[0-9]{3}"), option::of(date()), option::of(date())),
        (vec(diagnosis(), 0..14), vec(line(), 0..6), money()),
        vec((code(), option::of(date())), 0..3),
    )
        .prop_map(
            |((id, kind, frequency), (bp, rp, subscriber, patient), (pos, tob, from, to), (dx, lines, total), px)| {
                Claim {
                    id,
                    kind,
                    frequency,
                    payer_claim_control_number: None,
                    billing_provider: bp,
                    rendering_provider: rp.map(Box::new),
                    referring_provider: None,
                    attending_provider: None,
                    subscriber,
                    patient: patient.map(Box::new),
                    payer: Payer { id: Some("00431".into()), name: None },
                    place_of_service: pos,
                    type_of_bill: tob,
                    statement_from: from,
                    statement_to: to,
                    admission_date: None,
                    discharge_date: None,
                    discharge_status: None,
                    diagnoses: dx,
                    admitting_diagnosis: None,
                    procedures: px
                        .into_iter()
                        .map(|(code, date)| IcdProcedure { code, date, qualifier: None })
                        .collect(),
                    lines,
                    total_charge: total,
                    prior_payer_paid: None,
                }
            },
        )
}

proptest! {
    #[test]
    fn claim_serde_round_trip(c in claim()) {
        let json = serde_json::to_string(&c).unwrap();
        let back: Claim = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, c);
    }

    #[test]
    fn encounter_serde_round_trip(c in claim(), date in date()) {
        let enc = Encounter {
            id: c.id.clone(), kind: c.kind, patient: c.subscriber.clone(), subscriber: c.patient.as_deref().cloned(),
            payer: c.payer.clone(), billing_provider: c.billing_provider.clone(),
            rendering_provider: c.rendering_provider.as_deref().cloned(), referring_provider: None, date, end_date: None,
            place_of_service: c.place_of_service.clone(), type_of_bill: c.type_of_bill.clone(),
            admission_date: None, discharge_date: None, discharge_status: None, diagnoses: c.diagnoses.clone(),
            procedures: vec![], icd_procedures: c.procedures.clone(),
        };
        let back: Encounter = serde_json::from_str(&serde_json::to_string(&enc).unwrap()).unwrap();
        prop_assert_eq!(back, enc);
    }

    #[test]
    fn checking_any_claim_never_panics(c in claim()) {
        let r = Engine::builder().as_of(Date::new(2026, 11, 30).unwrap()).build().unwrap().check(&c);
        prop_assert_eq!(r.ok, !r.findings.iter().any(|f| f.severity == cleanclaim::Severity::Error));
    }

    #[test]
    fn random_bytes_never_panic(bytes in vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = cleanclaim::parse_claims(&text);
    }

    #[test]
    fn random_json_never_panics(v in arb_json()) {
        let text = v.to_string();
        let _ = cleanclaim::parse_claims(&text);
        let _ = Engine::new().check_json(&text);
    }
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(serde_json::Value::from),
        prop_oneof![text(), Just("2026-01-01".to_owned()), Just("professional".to_owned())]
            .prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        let keys = prop_oneof![
            Just("id"),
            Just("kind"),
            Just("lines"),
            Just("units"),
            Just("charge"),
            Just("pointers"),
            Just("diagnoses"),
            Just("code"),
            Just("subscriber"),
            Just("payer"),
            Just("billing_provider"),
            Just("total_charge"),
            Just("birth_date"),
            Just("npi"),
        ];
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            vec((keys, inner), 0..8)
                .prop_map(|kv| { serde_json::Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()) }),
        ]
    })
}

#[test]
fn from_encounter_makes_pointers_and_total() {
    let enc: Encounter = serde_json::from_str(include_str!("../../../examples/encounters/office-visit.json")).unwrap();
    let claim = Claim::from_encounter(&enc).unwrap();
    assert_eq!(claim.lines[0].pointers, [1, 2, 3]);
    assert_eq!(claim.lines[1].pointers, [1]);
    assert_eq!(claim.total_charge, claim.lines.iter().map(|l| l.charge).sum());
    let report = Engine::builder().as_of(Date::new(2026, 11, 30).unwrap()).build().unwrap().check(&claim);
    assert!(report.findings.is_empty(), "{:?}", report.findings);

    let mut bad = enc.clone();
    bad.procedures[1].diagnoses = vec!["Z0000".into()];
    let e = Claim::from_encounter(&bad).unwrap_err();
    assert!(e.to_string().contains("procedures[1].diagnoses[0]"), "{e}");
}

#[test]
fn debug_output_redacts_patient_data() {
    let canary = "ZQXCANARY";
    let p = Person {
        name: Some(PersonName { last: Some(canary.into()), first: Some(canary.into()), middle: None }),
        member_id: Some(canary.into()),
        group_number: Some(canary.into()),
        birth_date: Date::new(1961, 4, 12),
        sex: Some(Sex::Female),
        address: Some(Address {
            lines: vec![canary.into()],
            city: Some(canary.into()),
            state: None,
            postal_code: None,
        }),
        relationship: None,
    };
    let shown = format!("{p:?} {p:#?}");
    assert!(!shown.contains(canary) && !shown.contains("1961"), "{shown}");
}
