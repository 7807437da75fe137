//! Shared test helpers: the corpus, claims, and an 835 writer for synthetic remittances.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use cleanclaim::{Claim, Date, Money};
use cleanclaim_x12::r835::{Adjustment, ClaimPayment, LinePayment, Payment, ProviderAdjustment, Remittance};

/// The corpus with its X12 files (see [`cleanclaim_testkit::corpus_dir`]).
pub fn corpus_dir() -> Option<PathBuf> {
    cleanclaim_testkit::corpus_dir("x12")
}

/// Every file under `dir` whose text contains `needle`, sorted.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read corpus dir") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::read(&p).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes())) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

pub fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// A professional claim with one line per charge (cents): procedures 9921{i}, REF*6R `L{i}`.
pub fn claim_with(id: &str, charges: &[i64]) -> Claim {
    let mut c = cleanclaim::parse_claim(include_str!("../../../../examples/claims/clean-office-visit.json")).unwrap();
    c.id = id.to_string();
    let template = c.lines[0].clone();
    c.lines = charges
        .iter()
        .enumerate()
        .map(|(i, &ch)| {
            let mut l = template.clone();
            l.procedure = Some(format!("9921{}", i % 10));
            l.control_number = Some(format!("L{}", i + 1));
            l.charge = Money(ch);
            l
        })
        .collect();
    c.total_charge = Money(charges.iter().sum());
    c
}

pub fn adj(group: &str, reason: &str, cents: i64) -> Adjustment {
    Adjustment { group: group.into(), reason: reason.into(), amount: Money(cents), quantity: None }
}

pub fn svc(procedure: &str, control: Option<&str>, charge: i64, paid: i64, cas: Vec<Adjustment>) -> LinePayment {
    LinePayment {
        procedure_qualifier: "HC".into(),
        procedure: procedure.into(),
        charge: Money(charge),
        paid: Money(paid),
        line_control_number: control.map(str::to_string),
        adjustments: cas,
        ..LinePayment::default()
    }
}

/// A claim payment whose CLP03/CLP04/CLP05 follow from its lines.
pub fn clp(id: &str, status: &str, lines: Vec<LinePayment>) -> ClaimPayment {
    let charge = lines.iter().map(|l| l.charge.0).sum();
    let paid = lines.iter().map(|l| l.paid.0).sum();
    let pr = lines.iter().flat_map(|l| &l.adjustments).filter(|a| a.group == "PR").map(|a| a.amount.0).sum();
    ClaimPayment {
        patient_control_number: id.into(),
        status: status.into(),
        charge: Money(charge),
        paid: Money(paid),
        patient_responsibility: Some(Money(pr)),
        filing_indicator: Some("12".into()),
        payer_claim_control_number: Some(format!("PCN-{id}")),
        lines,
        ..ClaimPayment::default()
    }
}

/// The reversal (CLP02 22) of a claim payment: every amount negated.
pub fn reversal_of(c: &ClaimPayment) -> ClaimPayment {
    let neg = |a: &Adjustment| Adjustment { amount: Money(-a.amount.0), ..a.clone() };
    ClaimPayment {
        status: "22".into(),
        charge: Money(-c.charge.0),
        paid: Money(-c.paid.0),
        patient_responsibility: c.patient_responsibility.map(|m| Money(-m.0)),
        adjustments: c.adjustments.iter().map(neg).collect(),
        lines: c
            .lines
            .iter()
            .map(|l| LinePayment {
                charge: Money(-l.charge.0),
                paid: Money(-l.paid.0),
                adjustments: l.adjustments.iter().map(neg).collect(),
                ..l.clone()
            })
            .collect(),
        ..c.clone()
    }
}

/// A remittance paying `claims`, BPR02 = Σ CLP04 − Σ PLB.
pub fn remit(trace: &str, date: &str, claims: Vec<ClaimPayment>, plb: Vec<(&str, i64)>) -> Remittance {
    let plb: Vec<ProviderAdjustment> = plb
        .into_iter()
        .map(|(reason, cents)| ProviderAdjustment {
            provider_id: "1234567893".into(),
            fiscal_period_end: Some(d("2025-12-31")),
            reason: reason.into(),
            reference: Some("REF1".into()),
            amount: Money(cents),
        })
        .collect();
    let total: i64 = claims.iter().map(|c| c.paid.0).sum::<i64>() - plb.iter().map(|p| p.amount.0).sum::<i64>();
    let mut r = Remittance {
        version: "005010X221A1".into(),
        control: "0001".into(),
        payment: Payment {
            handling: "I".into(),
            amount: Money(total.abs()),
            credit_debit: if total < 0 { "D".into() } else { "C".into() },
            method: "CHK".into(),
            date: Some(d(date)),
        },
        trace_number: Some(trace.into()),
        trace_originator: Some("1999999999".into()),
        claims,
        plb,
        ..Remittance::default()
    };
    r.payer.id = Some("ACME".into());
    r.payer.name = Some("ACME HEALTH".into());
    r.payer.id_qualifier = Some("XV".into());
    r
}

fn amt(m: Money) -> String {
    let s = m.to_string();
    s.strip_suffix(".00").map(str::to_string).unwrap_or(s)
}

/// Writes a remittance as an X12 835 interchange (enough for the reader).
pub fn write_835(r: &Remittance) -> String {
    let mut segs: Vec<String> = Vec::new();
    let p = &r.payment;
    let date = p.date.map(|d| d.ymd().to_string()).unwrap_or_default();
    segs.push(format!("BPR*{}*{}*{}*{}************{date}", p.handling, amt(p.amount), p.credit_debit, p.method));
    segs.push(format!(
        "TRN*1*{}*{}",
        r.trace_number.as_deref().unwrap_or(""),
        r.trace_originator.as_deref().unwrap_or("")
    ));
    segs.push(format!(
        "N1*PR*{}*XV*{}",
        r.payer.name.as_deref().unwrap_or("PAYER"),
        r.payer.id.as_deref().unwrap_or("")
    ));
    segs.push("N1*PE*CLINIC*XX*1234567893".into());
    segs.push("LX*1".into());
    let cas = |segs: &mut Vec<String>, adjs: &[Adjustment]| {
        for a in adjs {
            segs.push(format!("CAS*{}*{}*{}", a.group, a.reason, amt(a.amount)));
        }
    };
    for c in &r.claims {
        segs.push(format!(
            "CLP*{}*{}*{}*{}*{}*12*{}",
            c.patient_control_number,
            c.status,
            amt(c.charge),
            amt(c.paid),
            c.patient_responsibility.map(amt).unwrap_or_default(),
            c.payer_claim_control_number.as_deref().unwrap_or("")
        ));
        cas(&mut segs, &c.adjustments);
        for l in &c.lines {
            segs.push(format!("SVC*HC:{}*{}*{}", l.procedure, amt(l.charge), amt(l.paid)));
            cas(&mut segs, &l.adjustments);
            if let Some(cn) = &l.line_control_number {
                segs.push(format!("REF*6R*{cn}"));
            }
            for rarc in &l.rarcs {
                segs.push(format!("LQ*HE*{rarc}"));
            }
        }
    }
    for a in &r.plb {
        segs.push(format!(
            "PLB*{}*20251231*{}:{}*{}",
            a.provider_id,
            a.reason,
            a.reference.as_deref().unwrap_or(""),
            amt(a.amount)
        ));
    }
    let mut out = String::new();
    out.push_str(
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       *250110*1200*^*00501*000000001*0*P*:~",
    );
    out.push_str("GS*HP*PAYER*PROVIDER*20250110*1200*1*X*005010X221A1~");
    write!(out, "ST*835*{}~", r.control).unwrap();
    for s in &segs {
        write!(out, "{s}~").unwrap();
    }
    write!(out, "SE*{}*{}~GE*1*1~IEA*1*000000001~", segs.len() + 2, r.control).unwrap();
    out
}
