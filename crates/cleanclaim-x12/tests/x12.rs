//! Reader, writer, envelope and privacy tests on small hand-written interchanges.

use std::io::Read;

use cleanclaim::ClaimKind;
use cleanclaim_x12::{
    ClaimDisposition, EnvelopeOptions, ErrorKind, Format, Tokenizer, TxKind, Writer837, detect, read_277ca,
    read_835_bytes, read_837, read_837_bytes, read_999, write_837_vec,
};

/// A small 837P with made-up data; `{E}`, `{C}`, `{T}`, `{R}` are the delimiters.
const P837: &str = "ISA{E}00{E}          {E}00{E}          {E}ZZ{E}SUBMITTER01    {E}ZZ{E}RECEIVER01     {E}260101{E}1200{E}{R}{E}00501{E}000000101{E}0{E}T{E}{C}{T}\n\
GS{E}HC{E}SUBMITTER01{E}RECEIVER01{E}20260101{E}1200{E}101{E}X{E}005010X222A1{T}\n\
ST{E}837{E}0001{E}005010X222A1{T}\n\
BHT{E}0019{E}00{E}0001{E}20260101{E}1200{E}CH{T}\n\
NM1{E}41{E}2{E}BILLING SERVICE{E}{E}{E}{E}{E}46{E}S01{T}\n\
PER{E}IC{E}DESK{E}TE{E}8005550100{T}\n\
NM1{E}40{E}2{E}PAYER RECEIVER{E}{E}{E}{E}{E}46{E}R01{T}\n\
HL{E}1{E}{E}20{E}1{T}\n\
PRV{E}BI{E}PXC{E}207Q00000X{T}\n\
NM1{E}85{E}2{E}TEST CLINIC{E}{E}{E}{E}{E}XX{E}1234567893{T}\n\
N3{E}1 MAIN ST{T}\n\
N4{E}SPRINGFIELD{E}IL{E}627010000{T}\n\
REF{E}EI{E}123456789{T}\n\
HL{E}2{E}1{E}22{E}0{T}\n\
SBR{E}P{E}18{E}GRP77{E}{E}{E}{E}{E}{E}CI{T}\n\
NM1{E}IL{E}1{E}SECRETLAST{E}SECRETFIRST{E}{E}{E}{E}MI{E}MEMBER4242{T}\n\
N3{E}99 HIDDEN LANE{T}\n\
N4{E}SECRETVILLE{E}IL{E}62702{T}\n\
DMG{E}D8{E}19700215{E}F{T}\n\
NM1{E}PR{E}2{E}ACME HEALTH{E}{E}{E}{E}{E}PI{E}ACME1{T}\n\
CLM{E}PCN-1{E}150{E}{E}{E}11{C}B{C}1{E}Y{E}A{E}Y{E}Y{T}\n\
HI{E}ABK{C}E119{E}ABF{C}I10{T}\n\
NM1{E}82{E}1{E}DOC{E}JANE{E}{E}{E}{E}XX{E}1234567893{T}\n\
PRV{E}PE{E}PXC{E}207Q00000X{T}\n\
LX{E}1{T}\n\
SV1{E}HC{C}99213{C}25{E}100{E}UN{E}1{E}{E}{E}1{C}2{T}\n\
DTP{E}472{E}D8{E}20260105{T}\n\
REF{E}6R{E}LINE1{T}\n\
LX{E}2{T}\n\
SV1{E}HC{C}81002{E}50{E}UN{E}2.5{E}{E}{E}2{T}\n\
DTP{E}472{E}RD8{E}20260105-20260106{T}\n\
SE{E}30{E}0001{T}\n\
GE{E}1{E}101{T}\n\
IEA{E}1{E}000000101{T}\n";

fn p837(e: char, c: char, t: char, r: char) -> String {
    P837.replace("{E}", &e.to_string())
        .replace("{C}", &c.to_string())
        .replace("{T}", &t.to_string())
        .replace("{R}", &r.to_string())
}

fn default_837() -> String {
    p837('*', ':', '~', '^')
}

#[test]
fn reads_a_professional_claim() {
    let text = default_837();
    let mut r = read_837_bytes(text.as_bytes());
    let claims: Vec<_> = r.by_ref().map(|c| c.unwrap()).collect();
    assert!(r.envelope_findings().is_empty(), "{:?}", r.envelope_findings());
    assert_eq!(claims.len(), 1);
    let pc = &claims[0];
    let c = &pc.claim;
    assert_eq!(c.id, "PCN-1");
    assert_eq!(c.kind, ClaimKind::Professional);
    assert_eq!(c.total_charge.cents(), 15000);
    assert_eq!(c.place_of_service.as_deref(), Some("11"));
    assert_eq!(c.frequency, "1");
    assert_eq!(c.billing_provider.npi.as_deref(), Some("1234567893"));
    assert_eq!(c.billing_provider.tax_id.as_deref(), Some("123456789"));
    assert_eq!(c.billing_provider.taxonomy.as_deref(), Some("207Q00000X"));
    assert_eq!(c.subscriber.member_id.as_deref(), Some("MEMBER4242"));
    assert_eq!(c.subscriber.group_number.as_deref(), Some("GRP77"));
    assert_eq!(c.payer.id.as_deref(), Some("ACME1"));
    assert_eq!(c.rendering_provider.as_deref().and_then(|p| p.name.as_deref()), Some("DOC, JANE"));
    assert_eq!(c.diagnoses.len(), 2);
    assert_eq!(c.diagnoses[0].code, "E119");
    assert_eq!(c.diagnoses[0].qualifier.as_deref(), Some("ABK"));
    assert_eq!(c.lines.len(), 2);
    assert_eq!(c.lines[0].procedure.as_deref(), Some("99213"));
    assert_eq!(c.lines[0].modifiers, vec!["25"]);
    assert_eq!(c.lines[0].pointers, vec![1, 2]);
    assert_eq!(c.lines[0].control_number.as_deref(), Some("LINE1"));
    assert_eq!(c.lines[1].units, 2.5);
    assert_eq!(c.lines[1].date_to.map(|d| d.to_string()).as_deref(), Some("2026-01-06"));
    assert!(pc.findings.is_empty(), "{:?}", pc.findings);
    assert_eq!(pc.version, "005010X222A1");
    assert_eq!(pc.transaction_control, "0001");
}

/// SV104 reads whole numbers without the float parser: the same values, and the same refusals,
/// as the float parser gives every form.
#[test]
fn service_units_read_as_the_float_parser_reads_them() {
    let sv1 = "SV1*HC:99213:25*100*UN*1***1:2~";
    assert!(default_837().contains(sv1), "the sample changed");
    for units in ["1", "007", "12", "999999999999999", "1234567890123456", "2.5", "0.50", "-1", "1e3", "1 ", "+1", "."]
    {
        let text = default_837().replace(sv1, &format!("SV1*HC:99213:25*100*UN*{units}***1:2~"));
        let got = read_837_bytes(text.as_bytes()).next().expect("one item");
        let ok = !units.is_empty()
            && units.len() <= 15
            && units.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
        match units.parse::<f64>() {
            Ok(want) if ok => assert_eq!(got.expect(units).claim.lines[0].units, want, "{units}"),
            _ => {
                let e = got.expect_err(units);
                assert_eq!(e.kind, ErrorKind::BadElement, "{units}");
                assert!(e.to_string().contains("quantity"), "{units}: {e}");
            }
        }
    }
}

#[test]
fn source_map_points_back_into_the_file() {
    let text = default_837();
    let pc = read_837_bytes(text.as_bytes()).next().unwrap().unwrap();
    let r = pc.origin.get("lines[1].units").expect("lines[1].units recorded");
    assert_eq!(r.segment_id, "SV1");
    assert_eq!(r.element, 4);
    assert_eq!(r.loop_id, "2400");
    assert_eq!(r.segment_in_set, 28); // ST = 1
    assert_eq!(r.segment_in_file, 30);
    assert_eq!(r.path(), "lines[1].units");
    let p = pc.origin.get("lines[0].pointers[1]").unwrap();
    assert_eq!((p.element, p.component), (7, 2));
    assert_eq!(pc.origin.get("id").unwrap().element_name(), "CLM01");
    assert_eq!(pc.origin.get("diagnoses[1]").unwrap().segment_id, "HI");
    assert_eq!(pc.origin.lookup("lines[0].pointers[7]").unwrap().path(), "lines[0].pointers");
    assert_eq!(pc.origin.get("billing_provider.npi").unwrap().loop_id, "2010AA");
}

#[test]
fn non_default_delimiters_crlf_and_tiny_reads() {
    let reference = read_837_bytes(default_837().as_bytes()).next().unwrap().unwrap().claim;
    let odd = p837('|', '>', '\u{1d}', '}').replace('\n', "\r\n");
    let c = read_837_bytes(odd.as_bytes()).next().unwrap().unwrap().claim;
    assert_eq!(c, reference);

    // One byte per read() call: segments spanning chunk boundaries.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() || buf.is_empty() {
                return Ok(0);
            }
            buf[0] = self.0[0];
            self.0 = &self.0[1..];
            Ok(1)
        }
    }
    let text = default_837();
    let c = read_837(Trickle(text.as_bytes())).next().unwrap().unwrap().claim;
    assert_eq!(c, reference);
}

#[test]
fn several_interchanges_with_different_delimiters() {
    let two = format!("{}{}", default_837(), p837('|', '>', '\n', '^'));
    let claims: Vec<_> = read_837_bytes(two.as_bytes()).map(|c| c.unwrap()).collect();
    assert_eq!(claims.len(), 2);
    assert_eq!(claims[0].claim, claims[1].claim);
    let mut t = Tokenizer::new(two.as_bytes());
    let mut n = 0;
    while let Some(seg) = t.next_segment().unwrap() {
        n += 1;
        assert_eq!(seg.number, n);
    }
    assert_eq!(n, 68);
}

#[test]
fn envelope_count_mismatch_is_a_finding_and_huge_counts_do_not_allocate() {
    let text = default_837().replace("SE*30*0001", "SE*999999999999*0001").replace("GE*1*101", "GE*4000000000*101");
    let mut r = read_837_bytes(text.as_bytes());
    assert!(r.by_ref().all(|c| c.is_ok()));
    let rules: Vec<_> = r.envelope_findings().iter().map(|f| f.rule).collect();
    assert_eq!(rules, vec!["x12.envelope.se_count", "x12.envelope.ge_count"]);
    let msg = r.envelope_findings()[0].to_string();
    assert!(msg.contains("SE01 says 999999999999 segments, found 30"), "{msg}");
    let text = default_837().replace("SE*30*0001", "SE*30*0002").replace("IEA*1*000000101", "IEA*1*000000102");
    let mut r = read_837_bytes(text.as_bytes());
    assert!(r.by_ref().all(|c| c.is_ok()));
    let rules: Vec<_> = r.envelope_findings().iter().map(|f| f.rule).collect();
    assert_eq!(rules, vec!["x12.envelope.se_control", "x12.envelope.iea_control"]);
}

/// A truncated interchange is an error at its end: the missing segment's number and the byte
/// where it would start, not byte 0.
#[test]
fn a_truncated_interchange_is_an_error_at_its_end() {
    let full = default_837();
    let cut = &full[..full.find("SE*").unwrap()];
    let segments = cut.matches('~').count() as u64;
    let e = read_837_bytes(cut.as_bytes()).find_map(Result::err).expect("an error");
    let at = e.location.as_ref().expect("a location");
    assert_eq!((at.segment_in_file, at.byte_offset), (segments + 1, cut.len() as u64), "{e}");
    assert!(e.to_string().contains("without the SE segment"), "{e}");
}

#[test]
fn version_4010_is_rejected_clearly() {
    let text = default_837().replace("005010X222A1", "004010X098A1").replace("00501", "00401");
    let errs: Vec<_> = read_837_bytes(text.as_bytes()).collect();
    assert_eq!(errs.len(), 1);
    let e = errs.into_iter().next().unwrap().unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnsupportedVersion);
    assert!(e.to_string().contains("unsupported version 004010X098A1"), "{e}");
    assert_eq!(e.code(), "x12");
}

#[test]
fn errors_and_debug_never_show_patient_data() {
    let secrets = ["SECRETLAST", "SECRETFIRST", "MEMBER4242", "HIDDEN", "SECRETVILLE", "19700215", "1970-02-15"];
    // A bad birth date, a bad amount, a bad segment id: each error names place and reason only.
    for bad in [
        default_837().replace("DMG*D8*19700215", "DMG*D8*19701315"),
        default_837().replace("CLM*PCN-1*150", "CLM*PCN-1*SECRETLAST"),
        default_837().replace("NM1*IL*1*SECRETLAST", "nm1*IL*1*SECRETLAST"),
        default_837().replace("N3*99 HIDDEN LANE~", "N3*99 HIDDEN LANE~N3*SECRETLAST~"),
    ] {
        let errs: Vec<_> = read_837_bytes(bad.as_bytes()).filter_map(Result::err).collect();
        assert!(!errs.is_empty());
        for e in errs {
            let shown = format!("{e} {e:?}");
            assert!(shown.contains("segment "), "{shown}");
            for s in secrets {
                assert!(!shown.contains(s), "error shows patient data {s}: {shown}");
            }
        }
    }
    let pc = read_837_bytes(default_837().as_bytes()).next().unwrap().unwrap();
    let shown = format!("{pc:?}");
    for s in secrets {
        assert!(!shown.contains(s), "Debug shows patient data {s}");
    }
}

#[test]
fn structural_errors_name_segment_and_reason() {
    // Out of order: N4 before N3 in 2010AA.
    let t = default_837()
        .replace("N3*1 MAIN ST~\nN4*SPRINGFIELD*IL*627010000~", "N4*SPRINGFIELD*IL*627010000~\nN3*1 MAIN ST~");
    let e = read_837_bytes(t.as_bytes()).find_map(Result::err).unwrap();
    assert_eq!(e.kind, ErrorKind::UnexpectedSegment);
    assert_eq!(e.segment_id(), Some("N3"));
    assert!(e.to_string().contains("out of order in loop 2010AA"), "{e}");
    // Missing HI.
    let t = default_837().replace("HI*ABK:E119*ABF:I10~\n", "");
    let e = read_837_bytes(t.as_bytes()).find_map(Result::err).unwrap();
    assert_eq!(e.kind, ErrorKind::MissingSegment);
    assert!(e.to_string().contains("missing required segment HI"), "{e}");
    // Missing required segment outside the claim, and a missing required loop: both are
    // reported when the loop closes, at the loop's first segment.
    let t = default_837().replace("N3*1 MAIN ST~\n", "");
    let e = read_837_bytes(t.as_bytes()).find_map(Result::err).unwrap();
    assert_eq!(e.kind, ErrorKind::MissingSegment);
    assert_eq!(e.segment_id(), Some("NM1"));
    assert!(
        e.to_string()
            .contains("loop 2010AA (billing provider name, starting with NM1*85) is missing required segment N3"),
        "{e}"
    );
    let t = default_837().replace("NM1*PR*2*ACME HEALTH*****PI*ACME1~\n", "");
    let e = read_837_bytes(t.as_bytes()).find_map(Result::err).unwrap();
    assert_eq!(e.kind, ErrorKind::MissingSegment);
    assert_eq!(e.segment_id(), Some("HL"));
    assert!(
        e.to_string().contains("loop 2000B (subscriber hierarchical level, starting with HL) is missing required loop 2010BB (payer name, NM1*PR)"),
        "{e}"
    );
    // Claim balancing is a finding.
    let t = default_837().replace("CLM*PCN-1*150", "CLM*PCN-1*151");
    let pc = read_837_bytes(t.as_bytes()).next().unwrap().unwrap();
    assert_eq!(pc.findings[0].rule, "x12.snip3.claim_balance");
    assert_eq!(pc.findings[0].path, "total_charge");
}

#[test]
fn writer_round_trip_and_envelope() {
    let claims: Vec<_> = read_837_bytes(default_837().as_bytes()).map(|c| c.unwrap().claim).collect();
    let opts = EnvelopeOptions { interchange_control: 42, claims_per_transaction: 1, ..EnvelopeOptions::default() };
    let many: Vec<_> = (0..3).flat_map(|_| claims.clone()).collect();
    let out = write_837_vec(&many, ClaimKind::Professional, &opts).unwrap();
    assert_eq!(out.len() - out.iter().position(|&b| b == b'~').unwrap(), out.len() - 105);
    let mut r = read_837_bytes(&out);
    let again: Vec<_> = r.by_ref().map(|c| c.unwrap()).collect();
    assert!(r.envelope_findings().is_empty(), "{:?}", r.envelope_findings());
    assert_eq!(again.len(), 3);
    assert_eq!(again[2].transaction_control, "0003");
    for a in &again {
        assert_eq!(a.claim, claims[0]);
        assert!(a.findings.is_empty(), "{:?}", a.findings);
    }
    assert!(String::from_utf8_lossy(&out).contains("IEA*1*000000042~"));
    // A delimiter inside a value is refused, naming the claim.
    let mut bad = claims[0].clone();
    bad.id = "A*B".into();
    let e = write_837_vec(&[bad], ClaimKind::Professional, &opts).unwrap_err();
    assert!(e.to_string().contains("claims[0]"), "{e}");
}

/// `Writer837` hands each transaction set to its output once the set is complete, and writes
/// what `write_837` writes of the same claims.
#[test]
fn a_streamed_writer_hands_over_whole_sets() {
    let claims: Vec<_> = read_837_bytes(default_837().as_bytes()).map(|c| c.unwrap().claim).collect();
    let opts = EnvelopeOptions { claims_per_transaction: 2, ..EnvelopeOptions::default() };
    let mut out = Vec::new();
    let mut w = Writer837::new(&mut out, ClaimKind::Professional, &opts).unwrap();
    w.write(&claims[0]).unwrap();
    // Its Debug shows counts, not the buffer of patients' data.
    let shown = format!("{w:?}");
    assert!(shown.contains("sets: 1") && !shown.contains("SECRET"), "{shown}");
    w.write(&claims[0]).unwrap();
    w.write(&claims[0]).unwrap();
    // The third claim opened a set that is not handed over yet; its error leaves the first.
    let mut bad = claims[0].clone();
    bad.kind = ClaimKind::Institutional;
    assert!(w.write(&bad).unwrap_err().to_string().contains("claims[3]"));
    // A refused claim still counts: the next is claims[4].
    bad.kind = ClaimKind::Professional;
    bad.id = "A*B".into();
    assert!(w.write(&bad).unwrap_err().to_string().contains("claims[4]"));
    drop(w);
    let first = String::from_utf8(out.clone()).unwrap();
    let last_segment = first.trim_end_matches('~').rsplit('~').next().unwrap();
    assert!(last_segment.starts_with("SE*") && last_segment.ends_with("*0001"), "{first}");
    assert_eq!(first.matches("~ST*").count(), 1, "{first}");
    assert!(!first.contains("GE*"), "an unfinished interchange has no GE: {first}");
    // Finished, it is what `write_837` writes, and reads back.
    let mut out = Vec::new();
    let mut w = Writer837::new(&mut out, ClaimKind::Professional, &opts).unwrap();
    for _ in 0..3 {
        w.write(&claims[0]).unwrap();
    }
    w.finish().unwrap();
    let three = vec![claims[0].clone(); 3];
    assert_eq!(out, write_837_vec(&three, ClaimKind::Professional, &opts).unwrap());
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("GE*2*1~IEA*1*000000001~"), "{text}");
    assert_eq!(read_837_bytes(&out).map(|c| c.unwrap().claim).collect::<Vec<_>>(), three);
    // No claims: an interchange of no sets, as `write_837` of an empty list writes it.
    let empty = Writer837::new(Vec::new(), ClaimKind::Professional, &opts).unwrap().finish().unwrap();
    assert_eq!(empty, write_837_vec(&[], ClaimKind::Professional, &opts).unwrap());
    assert!(String::from_utf8_lossy(&empty).ends_with("GE*0*1~IEA*1*000000001~"));
}

#[test]
fn institutional_claim_round_trip() {
    let text = "ISA*00*          *00*          *ZZ*S              *ZZ*R              *260101*1200*^*00501*000000001*0*T*:~\
GS*HC*S*R*20260101*1200*1*X*005010X223A2~ST*837*0001*005010X223A2~BHT*0019*00*1*20260101*1200*CH~\
NM1*41*2*SUB*****46*S~PER*IC*X*TE*8005550100~NM1*40*2*REC*****46*R~HL*1**20*1~\
NM1*85*2*GENERAL HOSPITAL*****XX*1234567893~N3*1 A ST~N4*CITY*ST*12345~REF*EI*111111111~\
HL*2*1*22*0~SBR*P*18*******MC~NM1*IL*1*X*Y****MI*M1~NM1*PR*2*MEDICARE*****PI*00001~\
CLM*IC-1*300***11:A:1**A*Y*Y~DTP*434*RD8*20260101-20260103~DTP*435*D8*20260101~CL1*1*7*01~\
HI*ABK:I214:::::::Y~HI*ABF:E119:::::::N*ABF:I10:::::::Y~HI*ABJ:R079~HI*BBR:02703ZZ:D8:20260102~\
NM1*71*1*ATTEND*ANN****XX*1234567893~\
LX*1~SV2*0120**200*DA*2~DTP*472*D8*20260101~LX*2~SV2*0450*HC:99284*100*UN*1~\
SE*29*0001~GE*1*1~IEA*1*000000001~";
    let mut r = read_837_bytes(text.as_bytes());
    let pc = r.next().unwrap().unwrap();
    assert!(r.envelope_findings().is_empty(), "{:?}", r.envelope_findings());
    let c = &pc.claim;
    assert_eq!(c.kind, ClaimKind::Institutional);
    assert_eq!(c.type_of_bill.as_deref(), Some("111"));
    assert_eq!(c.statement_to.unwrap().to_string(), "2026-01-03");
    assert_eq!(c.discharge_status.as_deref(), Some("01"));
    assert_eq!(c.diagnoses.iter().map(|d| d.poa.as_deref().unwrap()).collect::<Vec<_>>(), ["Y", "N", "Y"]);
    assert_eq!(c.admitting_diagnosis.as_ref().unwrap().code, "R079");
    assert_eq!(c.procedures[0].code, "02703ZZ");
    assert_eq!(c.procedures[0].date.unwrap().to_string(), "2026-01-02");
    assert_eq!(c.attending_provider.as_deref().unwrap().name.as_deref(), Some("ATTEND, ANN"));
    assert_eq!(c.lines[0].revenue_code.as_deref(), Some("0120"));
    assert_eq!(c.lines[0].procedure, None);
    assert_eq!(c.lines[1].procedure.as_deref(), Some("99284"));
    let out = write_837_vec(std::slice::from_ref(c), ClaimKind::Institutional, &EnvelopeOptions::default()).unwrap();
    let again = read_837_bytes(&out).next().unwrap().unwrap();
    assert_eq!(&again.claim, c);
}

const R835: &str = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       *260201*1200*^*00501*000000007*0*P*:~\
GS*HP*PAYER*PROVIDER*20260201*1200*7*X*005010X221A1~ST*835*0001~\
BPR*I*125*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999999999*DA*654321*20260201~\
TRN*1*EFT12345*1512345678~N1*PR*ACME HEALTH~N1*PE*TEST CLINIC*XX*1234567893~LX*1~\
CLP*PCN-1*1*150*130*20*12*PAYERCLM1*11*1~CAS*PR*2*20~\
SVC*HC:99213:25*100*80*10~CAS*CO*45*0~DTM*472*20260105~REF*6R*LINE1~AMT*B6*80~LQ*HE*N130~\
SVC*HC:81002*50*50**2~DTM*472*20260105~REF*6R*LINE2~\
PLB*1234567893*20261231*L6:INT1*-5*WO:RECOUP*10~SE*19*0001~GE*1*7~IEA*1*000000007~";

#[test]
fn reads_and_balances_an_835() {
    let rs = read_835_bytes(R835.as_bytes()).unwrap();
    assert_eq!(rs.len(), 1);
    let r = &rs[0];
    assert_eq!(r.payment.amount.cents(), 12500);
    assert_eq!(r.payment.method, "ACH");
    assert_eq!(r.payment.date.unwrap().to_string(), "2026-02-01");
    assert_eq!(r.trace_number.as_deref(), Some("EFT12345"));
    assert_eq!(r.payee.id.as_deref(), Some("1234567893"));
    let c = r.for_claim("PCN-1").next().unwrap();
    assert_eq!(c.status, "1");
    assert_eq!(c.payer_claim_control_number.as_deref(), Some("PAYERCLM1"));
    assert_eq!(c.patient_responsibility.unwrap().cents(), 2000);
    assert_eq!(c.adjustments[0].group, "PR");
    assert_eq!(c.lines.len(), 2);
    assert_eq!(c.lines[0].modifiers, vec!["25"]);
    assert_eq!(c.lines[0].line_control_number.as_deref(), Some("LINE1"));
    assert_eq!(c.lines[0].rarcs, vec!["N130"]);
    assert_eq!(c.lines[0].allowed.unwrap().cents(), 8000);
    assert_eq!(c.lines[1].units, Some(2.0));
    assert_eq!(r.plb.len(), 2);
    assert_eq!(r.plb[0].reason, "L6");
    // Line 1: 100 - 0 != 80 → finding; claim 150 - 20 - 0 = 130 ok; BPR 125 = 130 - (−5 + 10) ok.
    let rules: Vec<_> = r.findings.iter().map(|f| (f.rule, f.path.as_str())).collect();
    assert_eq!(rules, vec![("x12.835.line_balance", "claims[0].lines[0].paid")]);
    let fixed = R835.replace("CAS*CO*45*0", "CAS*CO*45*20");
    let rs = read_835_bytes(fixed.as_bytes()).unwrap();
    let rules: Vec<_> = rs[0].findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, vec!["x12.835.claim_balance"]);
}

#[test]
fn reads_999_and_matches_claims() {
    let t = "ISA*00*          *00*          *ZZ*RECEIVER01     *ZZ*SUBMITTER01    *260101*1300*^*00501*000000900*0*T*:~\
GS*FA*RECEIVER01*SUBMITTER01*20260101*1300*900*X*005010X231A1~ST*999*0001*005010X231A1~AK1*HC*101*005010X222A1~\
AK2*837*0001*005010X222A1~IK3*CLM*21*2300*8~CTX*CLM01:PCN-1~IK4*2*782*4~IK5*E~\
AK2*837*0002*005010X222A1~IK5*R*5~AK9*P*2*2*1~SE*11*0001~GE*1*900~IEA*1*000000900~";
    let acks = read_999(t.as_bytes()).unwrap();
    let g = &acks[0].groups[0];
    assert_eq!(g.group_control, "101");
    assert_eq!(g.sets_accepted, Some(1));
    assert_eq!(g.sets[0].errors[0].segment_id, "CLM");
    assert_eq!(g.sets[0].errors[0].elements[0].position, 2);
    assert_eq!(g.sets[0].claim_ids().collect::<Vec<_>>(), ["PCN-1"]);
    assert_eq!(acks[0].claim_disposition("PCN-1", "0001"), ClaimDisposition::Rejected);
    assert_eq!(acks[0].claim_disposition("PCN-2", "0001"), ClaimDisposition::Accepted);
    assert_eq!(acks[0].claim_disposition("PCN-3", "0002"), ClaimDisposition::Rejected);
    assert_eq!(acks[0].claim_disposition("PCN-3", "0009"), ClaimDisposition::Unknown);
}

#[test]
fn reads_277ca_and_matches_claims() {
    let t = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*SUBMITTER01    *260102*0800*^*00501*000000277*0*T*:~\
GS*HN*PAYER*SUBMITTER01*20260102*0800*277*X*005010X214~ST*277*0001*005010X214~BHT*0085*08*B1*20260102*0800*TH~\
HL*1**20*1~NM1*PR*2*ACME HEALTH*****PI*ACME1~TRN*1*B1~DTP*050*D8*20260101~DTP*009*D8*20260102~\
HL*2*1*21*1~NM1*41*2*BILLING SERVICE*****46*S01~TRN*2*0001~STC*A1:19:PR*20260102*WQ*150~QTY*90*1~AMT*YU*150~\
HL*3*2*19*1~NM1*85*2*TEST CLINIC*****XX*1234567893~TRN*1*0~\
HL*4*3*PT~NM1*QC*1*SECRETLAST*SECRETFIRST****MI*MEMBER4242~TRN*2*PCN-1~STC*A3:21:82*20260102*U*150~\
REF*1K*PAYERCLM1~DTP*472*RD8*20260105-20260105~SVC*HC:99213*100~STC*A3:453*20260102*U*100~REF*FJ*LINE1~\
HL*5*3*PT~NM1*QC*1*B*A****MI*M2~TRN*2*PCN-2~STC*A2:20*20260102*WQ*50~\
SE*27*0001~GE*1*277~IEA*1*000000277~";
    let acks = read_277ca(t.as_bytes()).unwrap();
    let a = &acks[0];
    assert_eq!(a.batch_statuses[0].category, "A1");
    assert_eq!(a.claims.len(), 2);
    let c = a.find("PCN-1").unwrap();
    assert_eq!((c.statuses[0].category.as_str(), c.statuses[0].status.as_str()), ("A3", "21"));
    assert_eq!(c.statuses[0].entity.as_deref(), Some("82"));
    assert_eq!(c.payer_claim_control_number.as_deref(), Some("PAYERCLM1"));
    assert_eq!(c.lines[0].line_control_number.as_deref(), Some("LINE1"));
    assert_eq!(c.lines[0].statuses[0].status, "453");
    assert_eq!(a.claim_disposition("PCN-1"), ClaimDisposition::Rejected);
    assert_eq!(a.claim_disposition("PCN-2"), ClaimDisposition::Accepted);
    assert_eq!(a.claim_disposition("PCN-9"), ClaimDisposition::Unknown);
    assert!(!format!("{acks:?}").contains("SECRETLAST"));
}

#[test]
fn detects_formats() {
    assert_eq!(
        detect(default_837().as_bytes()),
        Format::X12 { kind: Some(TxKind::Professional837), version: Some("005010X222A1".into()) }
    );
    assert!(matches!(detect(R835.as_bytes()), Format::X12 { kind: Some(TxKind::Remittance835), .. }));
    let v4010 = default_837().replace("005010X222A1", "004010X098A1");
    assert_eq!(detect(v4010.as_bytes()), Format::X12 { kind: None, version: Some("004010X098A1".into()) });
    assert_eq!(detect(br#" {"resourceType": "Claim"}"#), Format::FhirJson);
    assert_eq!(detect(br#"[{"id": "x"}]"#), Format::ClaimJson);
    assert_eq!(detect(b"hello"), Format::Unknown);
    assert_eq!(
        detect(b"GS*HC*A*B*20260101*1200*1*X*005010X222A1~ST*837*0001~"),
        Format::X12WithoutIsa { isa_at: None }
    );
    let text_first = format!("Example 1\n\n{}", default_837());
    assert_eq!(detect(text_first.as_bytes()), Format::X12WithoutIsa { isa_at: Some(11) });
    assert_eq!(detect(b"This ISAbella note"), Format::Unknown);
    assert_eq!(detect(b"Dear LISA*, thanks"), Format::Unknown);
    let bom_first = format!("\u{feff}Example 1\n\n{}", default_837());
    assert_eq!(detect(bom_first.as_bytes()), Format::X12WithoutIsa { isa_at: Some(14) });
}

#[test]
fn findings_convert_to_core_findings() {
    let t = default_837().replace("SV1*HC:81002*50*UN*2.5***2~", "SV1*HC:81002*50*XX*2.5***2~");
    let pc = read_837_bytes(t.as_bytes()).next().unwrap().unwrap();
    let f = pc.findings.iter().find(|f| f.rule == "x12.snip2.code_value").expect("SV103 code value finding");
    let core = f.to_core();
    assert_eq!(core.rule, "x12.snip2.code_value");
    assert_eq!(core.severity, cleanclaim::Severity::Error);
    assert!(core.message.contains("SV103"), "{}", core.message);
    let f = cleanclaim_x12::Finding { path: "lines[2].charge".into(), ..f.clone() };
    assert_eq!(f.to_core().line, Some(3));
    let e: cleanclaim::Error = read_837_bytes(b"GS*HC~").next().unwrap().unwrap_err().into();
    assert_eq!(e.code(), "x12");
}

#[test]
fn unknown_segment_ids_are_not_echoed() {
    // A stray terminator inside a name makes "DOE" look like a segment id.
    let t = default_837().replace("NM1*IL*1*SECRETLAST", "NM1*IL*1*X~DOE*SECRETLAST");
    let e = read_837_bytes(t.as_bytes()).find_map(Result::err).unwrap();
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains("DOE") && !shown.contains("SECRET"), "{shown}");
    assert!(shown.contains("segment 17"), "{shown}");
}

/// Two billing providers; under the first, a subscriber with two claims and a subscriber whose
/// dependent patient has two claims; under the second, one more claim. The reader moves the
/// HL context into a claim when the next HL resets it and clones it while later claims still
/// need it: every claim must carry its own level's providers and people.
#[test]
fn claims_sharing_hl_levels_each_carry_their_own_context() {
    let clm = |id: &str| {
        format!("CLM*{id}*100***11:B:1*Y*A*Y*Y~HI*ABK:E119~LX*1~SV1*HC:99213*100*UN*1***1~DTP*472*D8*20260105~")
    };
    let billing = |hl: u32, name: &str, npi: &str| {
        format!("HL*{hl}**20*1~NM1*85*2*{name}*****XX*{npi}~N3*1 MAIN ST~N4*SPRINGFIELD*IL*62701~REF*EI*123456789~")
    };
    let subscriber = |hl: u32, parent: u32, child: u32, last: &str, member: &str, rel: &str, payer: &str| {
        format!(
            "HL*{hl}*{parent}*22*{child}~SBR*P*{rel}*GRP77******CI~NM1*IL*1*{last}*ANN****MI*{member}~\
             N3*2 ELM ST~N4*SPRINGFIELD*IL*62702~DMG*D8*19700215*F~NM1*PR*2*PAYER {payer}*****PI*{payer}~"
        )
    };
    let body = [
        billing(1, "CLINIC A", "1234567893"),
        subscriber(2, 1, 0, "ONE", "M1", "18", "P1"),
        clm("C1"),
        clm("C2"),
        subscriber(3, 1, 1, "TWO", "M2", "", "P2"),
        "HL*4*3*23*0~PAT*19~NM1*QC*1*KID*SAM~N3*2 ELM ST~N4*SPRINGFIELD*IL*62702~DMG*D8*20150101*M~".to_string(),
        clm("C3"),
        clm("C4"),
        billing(5, "CLINIC B", "1284567892"),
        subscriber(6, 5, 0, "THREE", "M3", "18", "P1"),
        clm("C5"),
    ]
    .concat();
    let head = "ST*837*0001*005010X222A1~BHT*0019*00*0001*20260101*1200*CH~NM1*41*2*SUB*****46*S01~\
                PER*IC*DESK*TE*8005550100~NM1*40*2*RCV*****46*R01~";
    let segments = format!("{head}{body}").matches('~').count() + 1;
    let text = format!(
        "ISA*00*          *00*          *ZZ*SUBMITTER01    *ZZ*RECEIVER01     *260101*1200*^*00501*000000101*0*T*:~\
         GS*HC*SUBMITTER01*RECEIVER01*20260101*1200*101*X*005010X222A1~{head}{body}SE*{segments}*0001~GE*1*101~IEA*1*000000101~"
    );
    let claims: Vec<_> = read_837_bytes(text.as_bytes()).map(|r| r.expect("readable").claim).collect();
    let seen: Vec<_> = claims
        .iter()
        .map(|c| {
            (
                c.id.as_str(),
                c.billing_provider.npi.as_deref().unwrap_or(""),
                c.subscriber.member_id.as_deref().unwrap_or(""),
                c.payer.id.as_deref().unwrap_or(""),
                c.patient.as_deref().and_then(|p| p.name.as_ref()).and_then(|n| n.last.as_deref()).unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("C1", "1234567893", "M1", "P1", "-"),
            ("C2", "1234567893", "M1", "P1", "-"),
            ("C3", "1234567893", "M2", "P2", "KID"),
            ("C4", "1234567893", "M2", "P2", "KID"),
            ("C5", "1284567892", "M3", "P1", "-"),
        ]
    );
    // PAT comes before the patient's NM1, which must keep its relationship; DMG after it fills in.
    for c in &claims[2..4] {
        let p = c.patient.as_deref().expect("a patient");
        assert_eq!(p.relationship.as_deref(), Some("19"));
        assert_eq!(p.name.as_ref().and_then(|n| n.first.as_deref()), Some("SAM"));
        assert_eq!(p.birth_date.map(|d| d.to_string()).as_deref(), Some("2015-01-01"));
        assert_eq!(p.address.as_ref().and_then(|a| a.city.as_deref()), Some("SPRINGFIELD"));
    }
}
