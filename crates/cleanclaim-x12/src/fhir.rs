//! FHIR R4 `Claim` (alone or in a `Bundle` with Patient, Coverage, Practitioner, Organization)
//! into the claim model.

use serde_json::Value;

use cleanclaim::model::{Address, IcdProcedure, Payer, PersonName};
use cleanclaim::{Claim, ClaimKind, Date, Diagnosis, Money, Person, Provider, ServiceLine, Sex};

use crate::error::{ErrorKind, X12Error};

const NPI: &str = "http://hl7.org/fhir/sid/us-npi";
const EIN: &str = "urn:oid:2.16.840.1.113883.4.4";

fn err(path: &str, reason: &str) -> X12Error {
    X12Error::new(ErrorKind::Json, None, format!("{path}: {reason}"))
}

/// Parses a FHIR R4 `Claim` resource, or a `Bundle` holding one (the first `Claim` entry),
/// into a [`Claim`].
pub fn read_fhir(text: &str) -> Result<Claim, X12Error> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        X12Error::new(
            ErrorKind::Json,
            None,
            format!("invalid JSON at line {} column {} ({:?})", e.line(), e.column(), e.classify()),
        )
    })?;
    read_fhir_value(&v)
}

/// [`read_fhir`] of a resource's bytes, with the core's errors: bytes that are not UTF-8 are
/// an error at their line and column; `name` (a file name) is given to every error.
pub fn read_fhir_bytes(bytes: &[u8], name: Option<&str>) -> Result<Claim, cleanclaim::Error> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let e = cleanclaim::Error::not_utf8(bytes, e.valid_up_to());
        match name {
            Some(n) => e.with_source(n),
            None => e,
        }
    })?;
    read_fhir(text).map_err(|e| match name {
        Some(n) => e.with_file(n).into(),
        None => e.into(),
    })
}

/// As [`read_fhir`], from a parsed JSON value.
pub fn read_fhir_value(v: &Value) -> Result<Claim, X12Error> {
    let rt = v.get("resourceType").and_then(Value::as_str).unwrap_or("");
    let empty = Vec::new();
    let (claim, entries): (&Value, &Vec<Value>) = match rt {
        "Claim" => (v, v.get("contained").and_then(Value::as_array).unwrap_or(&empty)),
        "Bundle" => {
            let entries = v.get("entry").and_then(Value::as_array).unwrap_or(&empty);
            let c = entries
                .iter()
                .filter_map(|e| e.get("resource"))
                .find(|r| r.get("resourceType").and_then(Value::as_str) == Some("Claim"))
                .ok_or_else(|| err("entry", "the Bundle holds no Claim resource"))?;
            (c, entries)
        }
        _ => return Err(err("resourceType", "expected a FHIR Claim or a Bundle containing one")),
    };
    let ctx = Ctx { entries, contained: claim.get("contained").and_then(Value::as_array).unwrap_or(&empty) };
    build(claim, &ctx)
}

struct Ctx<'a> {
    entries: &'a [Value],
    contained: &'a [Value],
}

impl<'a> Ctx<'a> {
    /// Resolves a `{"reference": ...}`: `Type/id`, `urn:uuid:...` (fullUrl) or `#id` (contained).
    fn resolve(&self, r: Option<&'a Value>) -> Option<&'a Value> {
        let reference = r?.get("reference")?.as_str()?;
        if let Some(id) = reference.strip_prefix('#') {
            return self.contained.iter().find(|c| c.get("id").and_then(Value::as_str) == Some(id));
        }
        for e in self.entries {
            let res = e.get("resource").unwrap_or(e);
            if e.get("fullUrl").and_then(Value::as_str) == Some(reference) {
                return Some(res);
            }
            if let (Some(t), Some(id)) =
                (res.get("resourceType").and_then(Value::as_str), res.get("id").and_then(Value::as_str))
            {
                let tail = reference.rsplit('/').take(2).collect::<Vec<_>>();
                if tail.len() == 2 && tail[0] == id && tail[1] == t {
                    return Some(res);
                }
            }
        }
        None
    }
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn first_code(cc: Option<&Value>) -> Option<(&str, Option<&str>)> {
    let cc = cc?;
    arr(cc, "coding").iter().find_map(|c| Some((s(c, "code")?, s(c, "system"))))
}

fn date(v: Option<&Value>, path: &str) -> Result<Option<Date>, X12Error> {
    match v.and_then(Value::as_str) {
        None => Ok(None),
        // dateTime values carry a time after the date: keep the date.
        Some(t) => Date::parse(t.get(..10).unwrap_or(t)).map(Some).map_err(|_| err(path, "not a valid date")),
    }
}

fn money(v: Option<&Value>, path: &str) -> Result<Option<Money>, X12Error> {
    let Some(m) = v else { return Ok(None) };
    let Some(val) = m.get("value") else { return Ok(None) };
    let cents = match val {
        Value::Number(n) => {
            let txt = n.to_string();
            crate::money::cents(txt.as_bytes()).or_else(|| n.as_f64().map(|f| (f * 100.0).round() as i64))
        }
        _ => None,
    };
    cents.map(|c| Some(Money::from_cents(c))).ok_or_else(|| err(path, "not a valid amount"))
}

fn identifier<'a>(v: &'a Value, system: &str) -> Option<&'a str> {
    arr(v, "identifier").iter().find(|i| s(i, "system") == Some(system)).and_then(|i| s(i, "value"))
}

fn address(v: &Value) -> Option<Address> {
    let a = arr(v, "address").first()?;
    Some(Address {
        lines: arr(a, "line").iter().filter_map(Value::as_str).map(str::to_string).collect(),
        city: s(a, "city").map(str::to_string),
        state: s(a, "state").map(str::to_string),
        postal_code: s(a, "postalCode").map(str::to_string),
    })
}

fn provider(ctx: &Ctx<'_>, r: Option<&Value>) -> Option<Provider> {
    let r = r?;
    let res = ctx.resolve(Some(r));
    // A logical reference carries the NPI directly.
    let logical_npi = r.get("identifier").filter(|i| s(i, "system") == Some(NPI)).and_then(|i| s(i, "value"));
    let Some(res) = res else {
        return Some(Provider {
            npi: logical_npi.map(str::to_string),
            name: s(r, "display").map(str::to_string),
            ..Provider::default()
        });
    };
    let name = match s(res, "resourceType") {
        Some("Practitioner") => arr(res, "name").first().map(|n| {
            let family = s(n, "family").unwrap_or("");
            let given: Vec<&str> = arr(n, "given").iter().filter_map(Value::as_str).collect();
            if given.is_empty() { family.to_string() } else { format!("{family}, {}", given.join(" ")) }
        }),
        _ => s(res, "name").map(str::to_string),
    };
    let taxonomy = arr(res, "qualification")
        .iter()
        .find_map(|q| first_code(q.get("code")).filter(|(_, sys)| sys.is_some_and(|x| x.contains("nucc"))))
        .map(|(c, _)| c.to_string());
    Some(Provider {
        npi: identifier(res, NPI).or(logical_npi).map(str::to_string),
        name,
        tax_id: identifier(res, EIN).map(str::to_string),
        taxonomy,
        address: address(res),
    })
}

fn person(res: &Value) -> Person {
    let name = arr(res, "name").first().map(|n| {
        let given: Vec<&str> = arr(n, "given").iter().filter_map(Value::as_str).collect();
        PersonName {
            last: s(n, "family").map(str::to_string),
            first: given.first().map(|g| g.to_string()),
            middle: given.get(1).map(|g| g.to_string()),
        }
    });
    Person {
        name,
        birth_date: s(res, "birthDate").and_then(|d| Date::parse(d).ok()),
        sex: match s(res, "gender") {
            Some("male") => Some(Sex::Male),
            Some("female") => Some(Sex::Female),
            Some("unknown" | "other") => Some(Sex::Unknown),
            _ => None,
        },
        address: address(res),
        ..Person::default()
    }
}

/// FHIR subscriber relationship → X12 individual relationship code.
fn relationship(code: &str) -> &'static str {
    match code {
        "self" => "18",
        "spouse" => "01",
        "child" => "19",
        "parent" => "32",
        "common" => "53",
        "injured" => "41",
        _ => "G8",
    }
}

fn build(c: &Value, ctx: &Ctx<'_>) -> Result<Claim, X12Error> {
    let kind = match first_code(c.get("type")).map(|(code, _)| code) {
        Some("institutional") => ClaimKind::Institutional,
        Some("professional") | None => ClaimKind::Professional,
        Some(_) => return Err(err("type", "only professional and institutional claims map to the claim model")),
    };
    let id = arr(c, "identifier")
        .iter()
        .find_map(|i| s(i, "value"))
        .or_else(|| s(c, "id"))
        .ok_or_else(|| err("identifier", "the Claim has neither an identifier nor an id"))?
        .to_string();

    // Patient, coverage, subscriber, payer.
    let patient_res = ctx.resolve(c.get("patient"));
    let patient = patient_res.map(person).unwrap_or_default();
    let insurances = arr(c, "insurance");
    let ins = insurances.iter().find(|i| i.get("focal").and_then(Value::as_bool) == Some(true)).or(insurances.first());
    let coverage = ins.and_then(|i| ctx.resolve(i.get("coverage")));
    let mut payer = Payer::default();
    let (mut subscriber, mut pat) = (patient.clone(), None);
    let mut rel = Some("18".to_string());
    if let Some(cov) = coverage {
        if let Some(org) = arr(cov, "payor").first().and_then(|p| ctx.resolve(Some(p))) {
            payer.name = s(org, "name").map(str::to_string);
            payer.id = arr(org, "identifier").iter().find_map(|i| s(i, "value")).map(str::to_string);
        } else if let Some(p) = arr(cov, "payor").first() {
            payer.name = s(p, "display").map(str::to_string);
        }
        if let Some((code, _)) = first_code(cov.get("relationship")) {
            rel = Some(relationship(code).to_string());
        }
        let sub_res = ctx.resolve(cov.get("subscriber"));
        let same = match (sub_res, patient_res) {
            (Some(a), Some(b)) => std::ptr::eq(a, b),
            (None, _) => true,
            _ => false,
        };
        if !same {
            subscriber = sub_res.map(person).unwrap_or_default();
            let mut p = patient.clone();
            p.relationship = rel.clone();
            pat = Some(p);
            rel = Some("18".to_string());
        }
        subscriber.member_id = s(cov, "subscriberId").map(str::to_string);
        subscriber.group_number = arr(cov, "class")
            .iter()
            .find(|cl| first_code(cl.get("type")).map(|(c, _)| c) == Some("group"))
            .and_then(|cl| s(cl, "value"))
            .map(str::to_string);
    }
    if payer.name.is_none() {
        payer.name = c.get("insurer").and_then(|i| s(i, "display")).map(str::to_string);
    }
    subscriber.relationship = rel;

    // Providers.
    let billing = provider(ctx, c.get("provider")).unwrap_or_default();
    let mut care: Vec<(u64, String, Provider)> = Vec::new();
    for (k, m) in arr(c, "careTeam").iter().enumerate() {
        let seq = m.get("sequence").and_then(Value::as_u64).unwrap_or(k as u64 + 1);
        let role = first_code(m.get("role")).map(|(r, _)| r.to_string()).unwrap_or_default();
        if let Some(p) = provider(ctx, m.get("provider")) {
            care.push((seq, role, p));
        }
    }
    let by_role = |roles: &[&str]| care.iter().find(|(_, r, _)| roles.contains(&r.as_str())).map(|(_, _, p)| p.clone());
    let rendering = by_role(&["rendering", "primary", "performing"]);
    let referring = by_role(&["referring"]);
    let attending = by_role(&["attending"]);

    // Diagnoses by sequence.
    let mut dx: Vec<(u64, &Value)> = arr(c, "diagnosis")
        .iter()
        .enumerate()
        .map(|(k, d)| (d.get("sequence").and_then(Value::as_u64).unwrap_or(k as u64 + 1), d))
        .collect();
    dx.sort_by_key(|(seq, _)| *seq);
    let mut diagnoses = Vec::new();
    let mut seq_to_pointer = Vec::new();
    let mut admitting = None;
    for (k, (seq, d)) in dx.iter().enumerate() {
        let path = format!("diagnosis[{k}]");
        let (code, system) = first_code(d.get("diagnosisCodeableConcept")).ok_or_else(|| {
            err(&path, "diagnosisCodeableConcept has no coding (diagnosisReference is not supported)")
        })?;
        let icd9 = system.is_some_and(|s| s.contains("icd-9"));
        let types: Vec<&str> = arr(d, "type").iter().filter_map(|t| first_code(Some(t)).map(|(c, _)| c)).collect();
        let poa = first_code(d.get("onAdmission")).map(|(c, _)| c.to_ascii_uppercase());
        let mut dg = Diagnosis::new(code);
        dg.poa = poa;
        if types.contains(&"admitting") {
            dg.qualifier = Some(if icd9 { "BJ" } else { "ABJ" }.to_string());
            admitting = Some(dg);
            continue;
        }
        let principal = types.contains(&"principal");
        if icd9 {
            dg.qualifier = Some(if diagnoses.is_empty() || principal { "BK" } else { "BF" }.to_string());
        }
        if principal && !diagnoses.is_empty() {
            diagnoses.insert(0, dg);
            for (_, p) in seq_to_pointer.iter_mut() {
                *p += 1;
            }
            seq_to_pointer.push((*seq, 1));
        } else {
            diagnoses.push(dg);
            seq_to_pointer.push((*seq, diagnoses.len() as i32));
        }
    }

    // ICD procedures.
    let mut procedures = Vec::new();
    for (k, p) in arr(c, "procedure").iter().enumerate() {
        let path = format!("procedure[{k}]");
        let (code, _) = first_code(p.get("procedureCodeableConcept"))
            .ok_or_else(|| err(&path, "procedureCodeableConcept has no coding"))?;
        procedures.push(IcdProcedure {
            code: code.to_string(),
            date: date(p.get("date"), &format!("{path}.date"))?,
            qualifier: None,
        });
    }

    // Items.
    let mut items: Vec<&Value> = arr(c, "item").iter().collect();
    items.sort_by_key(|i| i.get("sequence").and_then(Value::as_u64).unwrap_or(0));
    let mut lines = Vec::new();
    let mut claim_pos: Option<String> = None;
    for (k, it) in items.iter().enumerate() {
        let path = format!("item[{k}]");
        let procedure = first_code(it.get("productOrService")).map(|(c, _)| c.to_string()).filter(|c| c != "NOPROC");
        let revenue = first_code(it.get("revenue")).map(|(c, _)| c.to_string());
        if procedure.is_none() && revenue.is_none() {
            return Err(err(&format!("{path}.productOrService"), "an item needs a procedure or a revenue code"));
        }
        let modifiers =
            arr(it, "modifier").iter().filter_map(|m| first_code(Some(m)).map(|(c, _)| c.to_string())).collect();
        let units = match it.get("quantity").and_then(|q| q.get("value")) {
            Some(v) => v.as_f64().ok_or_else(|| err(&format!("{path}.quantity"), "not a number"))?,
            None => 1.0,
        };
        let charge = match money(it.get("net"), &format!("{path}.net"))? {
            Some(m) => m,
            None => {
                let up = money(it.get("unitPrice"), &format!("{path}.unitPrice"))?
                    .ok_or_else(|| err(&format!("{path}.net"), "an item needs net or unitPrice"))?;
                Money::from_cents((up.cents() as f64 * units).round() as i64)
            }
        };
        let mut pointers = Vec::new();
        for (j, seq) in arr(it, "diagnosisSequence").iter().enumerate() {
            let seq = seq.as_u64().ok_or_else(|| err(&format!("{path}.diagnosisSequence[{j}]"), "not a number"))?;
            // Unknown sequences stay visible as out-of-range pointers for the rule engine.
            let p = seq_to_pointer.iter().find(|(s, _)| *s == seq).map_or(seq as i32 + 1000, |(_, p)| *p);
            pointers.push(p);
        }
        let (from, to) = match (it.get("servicedDate"), it.get("servicedPeriod")) {
            (Some(d), _) => (date(Some(d), &format!("{path}.servicedDate"))?, None),
            (None, Some(p)) => {
                let f = date(p.get("start"), &format!("{path}.servicedPeriod.start"))?;
                let t = date(p.get("end"), &format!("{path}.servicedPeriod.end"))?;
                (f, t.filter(|t| Some(*t) != f))
            }
            _ => (None, None),
        };
        let pos = first_code(it.get("locationCodeableConcept")).map(|(c, _)| c.to_string());
        if k == 0 {
            claim_pos = pos.clone();
        }
        let line_rendering = arr(it, "careTeamSequence")
            .first()
            .and_then(Value::as_u64)
            .and_then(|seq| care.iter().find(|(s, _, _)| *s == seq))
            .map(|(_, _, p)| p.clone())
            .filter(|p| Some(p) != rendering.as_ref());
        lines.push(ServiceLine {
            procedure,
            modifiers,
            revenue_code: revenue,
            units,
            unit_basis: None,
            charge,
            pointers,
            date: from,
            date_to: to,
            place_of_service: if pos != claim_pos { pos } else { None },
            rendering_provider: line_rendering.map(Box::new),
            control_number: None,
        });
    }
    let total = match money(c.get("total"), "total")? {
        Some(t) => t,
        None => lines.iter().map(|l| l.charge).sum(),
    };

    // Supporting info: type of bill, admission period, discharge status.
    let mut tob = None;
    let (mut admission, mut discharge, mut discharge_status) = (None, None, None);
    for (k, si) in arr(c, "supportingInfo").iter().enumerate() {
        let cat = first_code(si.get("category")).map(|(c, _)| c).unwrap_or("");
        let path = format!("supportingInfo[{k}]");
        match cat {
            "typeofbill" => tob = first_code(si.get("code")).map(|(c, _)| c.to_string()),
            "admissionperiod" => {
                let p = si.get("timingPeriod");
                admission = date(p.and_then(|p| p.get("start")), &path)?;
                discharge = date(p.and_then(|p| p.get("end")), &path)?;
            }
            "discharge-status" => discharge_status = first_code(si.get("code")).map(|(c, _)| c.to_string()),
            _ => {}
        }
    }
    let tob = tob.map(|t| if t.len() == 4 { t[1..].to_string() } else { t });
    let frequency = match (kind, &tob) {
        (ClaimKind::Institutional, Some(t)) if t.len() == 3 => t[2..].to_string(),
        _ => "1".to_string(),
    };
    let pccn = arr(c, "related")
        .iter()
        .find_map(|r| r.get("claim").and_then(|cl| cl.get("identifier")).and_then(|i| s(i, "value")))
        .map(str::to_string);
    let period = c.get("billablePeriod");
    Ok(Claim {
        id,
        kind,
        frequency,
        payer_claim_control_number: pccn,
        billing_provider: billing,
        rendering_provider: rendering.map(Box::new),
        referring_provider: referring.map(Box::new),
        attending_provider: attending.map(Box::new),
        subscriber,
        patient: pat.map(Box::new),
        payer,
        place_of_service: if kind == ClaimKind::Professional { claim_pos } else { None },
        type_of_bill: tob,
        statement_from: date(period.and_then(|p| p.get("start")), "billablePeriod.start")?,
        statement_to: date(period.and_then(|p| p.get("end")), "billablePeriod.end")?,
        admission_date: admission,
        discharge_date: discharge,
        discharge_status,
        diagnoses,
        admitting_diagnosis: admitting,
        procedures,
        lines,
        total_charge: total,
        prior_payer_paid: None,
    })
}
