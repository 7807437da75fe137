//! FHIR R4 Claim input.

use cleanclaim::{ClaimKind, Sex};
use cleanclaim_x12::{ErrorKind, read_fhir};

const BUNDLE: &str = r#"{
  "resourceType": "Bundle", "type": "collection",
  "entry": [
    {"fullUrl": "urn:uuid:claim-1", "resource": {
      "resourceType": "Claim", "id": "c1", "status": "active", "use": "claim",
      "identifier": [{"system": "urn:example:pcn", "value": "PCN-77"}],
      "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]},
      "patient": {"reference": "Patient/pat1"},
      "billablePeriod": {"start": "2026-01-05", "end": "2026-01-05"},
      "provider": {"reference": "urn:uuid:org-1"},
      "insurance": [{"sequence": 1, "focal": true, "coverage": {"reference": "Coverage/cov1"}}],
      "careTeam": [
        {"sequence": 1, "provider": {"reference": "Practitioner/doc1"},
         "role": {"coding": [{"code": "rendering"}]}},
        {"sequence": 2, "provider": {"identifier": {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1245319599"}},
         "role": {"coding": [{"code": "referring"}]}}
      ],
      "diagnosis": [
        {"sequence": 2, "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "I10"}]}},
        {"sequence": 1, "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E11.9"}]},
         "type": [{"coding": [{"code": "principal"}]}]}
      ],
      "item": [
        {"sequence": 1, "diagnosisSequence": [1, 2], "careTeamSequence": [1],
         "productOrService": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "99213"}]},
         "modifier": [{"coding": [{"code": "25"}]}],
         "servicedDate": "2026-01-05",
         "locationCodeableConcept": {"coding": [{"code": "11"}]},
         "quantity": {"value": 1}, "net": {"value": 100.00, "currency": "USD"}},
        {"sequence": 2, "diagnosisSequence": [2, 9],
         "productOrService": {"coding": [{"code": "81002"}]},
         "servicedPeriod": {"start": "2026-01-05", "end": "2026-01-06"},
         "locationCodeableConcept": {"coding": [{"code": "11"}]},
         "quantity": {"value": 2}, "unitPrice": {"value": 25.5}}
      ],
      "total": {"value": 151.00}
    }},
    {"fullUrl": "urn:uuid:org-1", "resource": {"resourceType": "Organization", "id": "org1", "name": "TEST CLINIC",
      "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"},
                     {"system": "urn:oid:2.16.840.1.113883.4.4", "value": "123456789"}],
      "address": [{"line": ["1 MAIN ST"], "city": "SPRINGFIELD", "state": "IL", "postalCode": "62701"}]}},
    {"fullUrl": "urn:uuid:doc-1", "resource": {"resourceType": "Practitioner", "id": "doc1",
      "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}],
      "name": [{"family": "DOC", "given": ["JANE"]}]}},
    {"fullUrl": "urn:uuid:pat-1", "resource": {"resourceType": "Patient", "id": "pat1",
      "name": [{"family": "SECRETCHILD", "given": ["KID"]}], "gender": "female", "birthDate": "2015-03-04"}},
    {"fullUrl": "urn:uuid:sub-1", "resource": {"resourceType": "Patient", "id": "sub1",
      "name": [{"family": "SECRETPARENT", "given": ["MOM", "Q"]}], "gender": "female", "birthDate": "1985-07-08"}},
    {"fullUrl": "urn:uuid:cov-1", "resource": {"resourceType": "Coverage", "id": "cov1", "status": "active",
      "subscriberId": "MEMBER9", "subscriber": {"reference": "Patient/sub1"}, "beneficiary": {"reference": "Patient/pat1"},
      "relationship": {"coding": [{"code": "child"}]},
      "class": [{"type": {"coding": [{"code": "group"}]}, "value": "GRP1"}],
      "payor": [{"reference": "Organization/payer1"}]}},
    {"resource": {"resourceType": "Organization", "id": "payer1", "name": "ACME HEALTH",
      "identifier": [{"value": "ACME1"}]}}
  ]
}"#;

#[test]
fn bundle_maps_to_the_model() {
    let c = read_fhir(BUNDLE).unwrap();
    assert_eq!(c.id, "PCN-77");
    assert_eq!(c.kind, ClaimKind::Professional);
    assert_eq!(c.billing_provider.npi.as_deref(), Some("1234567893"));
    assert_eq!(c.billing_provider.tax_id.as_deref(), Some("123456789"));
    assert_eq!(c.rendering_provider.as_deref().unwrap().name.as_deref(), Some("DOC, JANE"));
    assert_eq!(c.referring_provider.as_deref().unwrap().npi.as_deref(), Some("1245319599"));
    // Principal first, regardless of sequence order in the JSON.
    assert_eq!(c.diagnoses.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(), ["E119", "I10"]);
    assert_eq!(c.lines[0].pointers, vec![1, 2]);
    // Sequence 9 does not exist: kept out of range so the rule engine reports it.
    assert_eq!(c.lines[1].pointers[0], 2);
    assert!(c.lines[1].pointers[1] > 12);
    assert_eq!(c.lines[0].modifiers, vec!["25"]);
    assert_eq!(c.place_of_service.as_deref(), Some("11"));
    assert_eq!(c.lines[1].place_of_service, None);
    assert_eq!(c.lines[1].charge.cents(), 5100);
    assert_eq!(c.lines[1].units, 2.0);
    assert_eq!(c.lines[1].date_to.unwrap().to_string(), "2026-01-06");
    assert_eq!(c.total_charge.cents(), 15100);
    assert_eq!(c.subscriber.member_id.as_deref(), Some("MEMBER9"));
    assert_eq!(c.subscriber.group_number.as_deref(), Some("GRP1"));
    assert_eq!(c.subscriber.name.as_ref().unwrap().middle.as_deref(), Some("Q"));
    let p = c.patient.as_deref().unwrap();
    assert_eq!(p.sex, Some(Sex::Female));
    assert_eq!(p.relationship.as_deref(), Some("19"));
    assert_eq!(c.payer.name.as_deref(), Some("ACME HEALTH"));
    assert_eq!(c.payer.id.as_deref(), Some("ACME1"));
    assert_eq!(c.statement_from.unwrap().to_string(), "2026-01-05");
    assert!(!format!("{c:?}").contains("SECRET"));
}

#[test]
fn standalone_institutional_claim() {
    let json = r#"{"resourceType": "Claim", "id": "inst-1",
      "type": {"coding": [{"code": "institutional"}]},
      "diagnosis": [{"sequence": 1, "diagnosisCodeableConcept": {"coding": [{"code": "I21.4"}]},
                     "onAdmission": {"coding": [{"code": "y"}]}},
                    {"sequence": 2, "diagnosisCodeableConcept": {"coding": [{"code": "R07.9"}]},
                     "type": [{"coding": [{"code": "admitting"}]}]}],
      "procedure": [{"sequence": 1, "date": "2026-01-02T10:00:00Z",
                     "procedureCodeableConcept": {"coding": [{"code": "02703ZZ"}]}}],
      "supportingInfo": [{"sequence": 1, "category": {"coding": [{"code": "typeofbill"}]}, "code": {"coding": [{"code": "0111"}]}},
                         {"sequence": 2, "category": {"coding": [{"code": "admissionperiod"}]},
                          "timingPeriod": {"start": "2026-01-01", "end": "2026-01-03"}}],
      "item": [{"sequence": 1, "revenue": {"coding": [{"code": "0120"}]}, "net": {"value": 200}}]}"#;
    let c = read_fhir(json).unwrap();
    assert_eq!(c.kind, ClaimKind::Institutional);
    assert_eq!(c.id, "inst-1");
    assert_eq!(c.type_of_bill.as_deref(), Some("111"));
    assert_eq!(c.frequency, "1");
    assert_eq!(c.diagnoses[0].poa.as_deref(), Some("Y"));
    assert_eq!(c.admitting_diagnosis.as_ref().unwrap().code, "R079");
    assert_eq!(c.procedures[0].date.unwrap().to_string(), "2026-01-02");
    assert_eq!(c.admission_date.unwrap().to_string(), "2026-01-01");
    assert_eq!(c.discharge_date.unwrap().to_string(), "2026-01-03");
    assert_eq!(c.lines[0].revenue_code.as_deref(), Some("0120"));
    assert_eq!(c.total_charge.cents(), 20000);
}

#[test]
fn unusable_fhir_is_an_error_with_a_path() {
    let e = read_fhir("{").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Json);
    assert_eq!(e.code(), "json");
    let e = read_fhir(r#"{"resourceType": "Patient"}"#).unwrap_err();
    assert!(e.to_string().contains("resourceType"), "{e}");
    let e = read_fhir(r#"{"resourceType": "Claim", "id": "x", "item": [{"sequence": 1, "net": {"value": 1}}]}"#)
        .unwrap_err();
    assert!(e.to_string().contains("item[0].productOrService"), "{e}");
    let e = read_fhir(
        r#"{"resourceType": "Claim", "id": "x", "item": [{"productOrService": {"coding": [{"code": "99213"}]}}]}"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("item[0].net"), "{e}");
    let e = read_fhir(r#"{"resourceType": "Bundle", "entry": []}"#).unwrap_err();
    assert!(e.to_string().contains("no Claim"), "{e}");
}
