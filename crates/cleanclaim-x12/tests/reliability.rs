//! Reliability of the X12 layer: generated claims survive write → read unchanged, envelope
//! counts claiming a billion segments cost nothing, and a huge segment or element is a clear
//! error (or a bounded read), never unbounded memory.

use cleanclaim::model::{Address, PersonName};
use cleanclaim::{Claim, ClaimKind, Date, Diagnosis, Engine, Money};
use cleanclaim_x12::{EnvelopeOptions, ErrorKind, read_835_bytes, read_837_bytes, read_999, write_837_vec};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

fn example(name: &str) -> Claim {
    let path = format!("{}/../../examples/claims/{name}", env!("CARGO_MANIFEST_DIR"));
    cleanclaim::parse_claim(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn round_trip(c: &Claim) -> Claim {
    let out = write_837_vec(std::slice::from_ref(c), c.kind, &EnvelopeOptions::default()).unwrap();
    let mut r = read_837_bytes(&out);
    let back: Vec<_> = r.by_ref().collect();
    assert!(r.envelope_findings().is_empty(), "{:?}", r.envelope_findings());
    assert_eq!(back.len(), 1);
    back.into_iter().next().unwrap().unwrap().claim
}

/// What the 837 must carry unchanged. The reader also fills in what X12 states explicitly and
/// the JSON model leaves optional (HI qualifiers, the unit basis `UN`, a professional claim's
/// statement dates from its line dates), so the full claim is compared after one trip instead.
fn essentials(c: &Claim) -> String {
    let s = &c.subscriber;
    let name = s.name.as_ref().filter(|n| n.last.is_some() || n.first.is_some()).map(|n| (&n.last, &n.first));
    // Person fields are redacted in Debug: spell them out.
    let addr = s.address.as_ref().map(|a| (&a.lines, &a.city, &a.state, &a.postal_code));
    let person = format!("{name:?} {:?} {:?} {addr:?} {:?}", s.member_id, s.birth_date.map(|d| d.to_string()), s.sex);
    let lines: Vec<_> = c
        .lines
        .iter()
        .map(|l| (&l.procedure, &l.modifiers, &l.revenue_code, l.units, l.charge, &l.pointers, l.date))
        .collect();
    let dx: Vec<_> = c.diagnoses.iter().map(|d| &d.code).collect();
    format!("{:?} {:?} {:?} {dx:?} {lines:?} {person} {:?}", c.id, c.kind, c.total_charge, c.type_of_bill)
}

/// One trip keeps the essentials; a second trip changes nothing at all.
fn assert_round_trips(c: &Claim) {
    let once = round_trip(c);
    assert_eq!(essentials(&once), essentials(c));
    let twice = round_trip(&once);
    assert!(twice == once, "second trip changed the claim");
}

#[test]
fn examples_round_trip() {
    for name in ["clean-office-visit.json", "clean-inpatient.json", "clean-outpatient-er.json"] {
        assert_round_trips(&example(name));
    }
}

fn day() -> impl Strategy<Value = Date> {
    (20_089i64..20_850).prop_map(|d| Date::from_days_since_epoch(d).unwrap())
}

fn word() -> impl Strategy<Value = String> {
    "[A-Z][A-Z0-9 ]{0,10}[A-Z]"
}

/// Claims the 837 can carry: values free of delimiters, codes in their X12 (undotted) form.
fn claim(base: Claim) -> impl Strategy<Value = Claim> {
    let kind = base.kind;
    (
        "[A-Z0-9][A-Z0-9-]{0,18}",
        vec("[A-TV-Z][0-9]{2}[0-9A-Z]{0,4}", 1..12),
        (option::of(word()), option::of(word()), option::of("[A-Z0-9]{2,15}"), option::of(day())),
        (vec(word(), 1..3), word(), "[A-Z]{2}", "[0-9]{5}"),
        vec(
            (
                "[0-9]{5}|[A-V][0-9]{4}",
                vec("[0-9A-Z]{2}", 0..4),
                (1u32..40).prop_map(|u| f64::from(u) / 2.0),
                0i64..5_000_000,
                vec(1i32..5, 1..4),
                day(),
            ),
            1..8,
        ),
        day(),
    )
        .prop_map(move |(id, dx, (last, first, member, birth), (lines, city, state, zip), svc, from)| {
            let mut c = base.clone();
            c.id = id;
            c.diagnoses = dx.iter().map(|d| Diagnosis::new(d)).collect();
            c.subscriber.name = Some(PersonName { last, first, middle: None });
            c.subscriber.member_id = member;
            c.subscriber.birth_date = birth;
            c.subscriber.address =
                Some(Address { lines, city: Some(city), state: Some(state), postal_code: Some(zip) });
            let template = c.lines[0].clone();
            c.lines = svc
                .into_iter()
                .map(|(procedure, modifiers, units, cents, mut pointers, date)| {
                    let mut l = template.clone();
                    l.procedure = Some(procedure);
                    l.modifiers = modifiers;
                    l.units = units;
                    l.charge = Money::from_cents(cents);
                    pointers.retain(|&p| p as usize <= dx.len());
                    pointers.dedup();
                    l.pointers = if kind == ClaimKind::Professional { pointers } else { Vec::new() };
                    l.date = Some(date);
                    l
                })
                .collect();
            c.total_charge = c.lines.iter().map(|l| l.charge).sum();
            c.statement_from = Some(from);
            c
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn professional_claims_round_trip(c in claim(example("clean-office-visit.json"))) {
        assert_round_trips(&c);
    }

    #[test]
    fn institutional_claims_round_trip(c in claim(example("clean-outpatient-er.json"))) {
        assert_round_trips(&c);
    }
}

fn office_visit_837() -> String {
    let out =
        write_837_vec(&[example("clean-office-visit.json")], ClaimKind::Professional, &EnvelopeOptions::default())
            .unwrap();
    String::from_utf8(out).unwrap()
}

/// Replaces the first element of the segment `id` (e.g. `SE`) with `value`.
fn set_count(text: &str, id: &str, value: &str) -> String {
    let at = text.find(&format!("~{id}*")).unwrap() + id.len() + 2;
    let end = at + text[at..].find('*').unwrap();
    format!("{}{value}{}", &text[..at], &text[end..])
}

fn peak_rss_kb() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_billion_segments_claimed_by_se_ge_iea_costs_nothing() {
    let before = peak_rss_kb();
    let mut text = office_visit_837();
    for id in ["SE", "GE", "IEA"] {
        text = set_count(&text, id, "1000000000");
    }
    let t = std::time::Instant::now();
    let mut r = read_837_bytes(text.as_bytes());
    let claims: Vec<_> = r.by_ref().collect();
    assert_eq!(claims.len(), 1);
    assert!(claims[0].is_ok());
    let rules: Vec<_> = r.envelope_findings().iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["x12.envelope.se_count", "x12.envelope.ge_count", "x12.envelope.iea_count"]);
    assert!(r.envelope_findings()[0].to_string().contains("1000000000"));
    // Larger than any integer type the reader might size a buffer with.
    let text = set_count(&text, "SE", &"9".repeat(40));
    assert_eq!(read_837_bytes(text.as_bytes()).count(), 1);
    assert!(t.elapsed().as_secs() < 10);
    // Also the 835 and 999 readers.
    let r835 = "ISA*00*          *00*          *ZZ*P              *ZZ*R              *260201*1200*^*00501*000000007*0*P*:~\
GS*HP*P*R*20260201*1200*7*X*005010X221A1~ST*835*0001~BPR*I*0*C*NON************20260201~TRN*1*1*1~\
N1*PR*P~N1*PE*C*XX*1234567893~SE*1000000000*0001~GE*1000000000*7~IEA*1000000000*000000007~";
    let _ = read_835_bytes(r835.as_bytes());
    let r999 = "ISA*00*          *00*          *ZZ*R              *ZZ*S              *260101*1200*^*00501*000000009*0*P*:~\
GS*FA*R*S*20260101*1200*9*X*005010X231A1~ST*999*0001*005010X231A1~AK1*HC*1*005010X222A1~AK9*A*1000000000*1000000000*1000000000~\
SE*1000000000*0001~GE*1000000000*9~IEA*1000000000*000000009~";
    let _ = read_999(r999.as_bytes());
    // Nothing was sized by the counts: well under a gigabyte more than before.
    let grown = peak_rss_kb().saturating_sub(before);
    assert!(grown < 256 * 1024, "peak RSS grew by {grown} kB");
}

#[test]
fn a_huge_segment_is_a_clear_error_with_bounded_memory() {
    let before = peak_rss_kb();
    let text = office_visit_837();
    let at = text.find("~NM1*IL*1*").unwrap() + 10;
    // 64 MB in one element, no terminator in sight.
    let huge = format!("{}{}{}", &text[..at], "A".repeat(64 << 20), &text[at..]);
    let errs: Vec<_> = read_837_bytes(huge.as_bytes()).filter_map(Result::err).collect();
    assert!(!errs.is_empty());
    let e = &errs[0];
    assert_eq!(e.code(), "x12");
    assert!(e.to_string().contains("no segment terminator within"), "{e}");
    assert!(!e.to_string().contains("AAAAAAAA"), "the value is not echoed");
    drop(huge);
    // The reader's buffer stays bounded (the 64 MB input itself is the caller's).
    let grown = peak_rss_kb().saturating_sub(before);
    assert!(grown < 400 * 1024, "peak RSS grew by {grown} kB");
    // Just under the limit: read, and the engine does not echo it.
    let big = format!("{}{}{}", &text[..at], "A".repeat(900_000), &text[at..]);
    let pc = read_837_bytes(big.as_bytes()).next().unwrap().unwrap();
    let r = Engine::new().check(&pc.claim);
    assert!(r.findings.iter().all(|f| f.message.len() < 4096));
    // A segment of half a million empty elements, and one of a million components.
    let many = format!("{}{}{}", &text[..at], "*".repeat(500_000), &text[at..]);
    let _ = read_837_bytes(many.as_bytes()).count();
    let at = text.find("~HI*").unwrap() + 4;
    let comps = format!("{}{}{}", &text[..at], ":".repeat(1_000_000), &text[at..]);
    let e = read_837_bytes(comps.as_bytes()).find_map(Result::err);
    assert!(e.is_none_or(|e| e.kind != ErrorKind::Io));
}
