//! A claim that ends at a billing provider HL waits for the next HL before it is yielded (the
//! subscriber, payer and patient it carries are then moved, not cloned). However the input
//! goes on (another subscriber, the end of the set, a structural error, the end of the input,
//! an envelope error), it comes out first, whole and in order.

mod common;

use cleanclaim_x12::read_837_bytes;

const HEAD: &str = concat!(
    common::head_837!(),
    "NM1*85*2*CLINIC*****XX*1234567893~N3*1 A ST~N4*CITY*ST*12345~REF*EI*111111111~\
HL*2*1*22*0~SBR*P*18*******CI~NM1*IL*1*DOE*JANE****MI*M1~DMG*D8*19700101*F~NM1*PR*2*PAYER*****PI*P1~\
CLM*C1*100***11:B:1*Y*A*Y*Y~HI*ABK:E119~LX*1~SV1*HC:99213*100*UN*1***1~DTP*472*D8*20260105~\
HL*3**20*1~NM1*85*2*OTHER CLINIC*****XX*1245319599~N3*2 B ST~N4*CITY*ST*12345~"
);

const SECOND: &str = "HL*4*3*22*0~SBR*P*18*******CI~NM1*IL*1*ROE*RICK****MI*M2~NM1*PR*2*PAYER*****PI*P2~\
CLM*C2*50***11:B:1*Y*A*Y*Y~HI*ABK:E119~LX*1~SV1*HC:99213*50*UN*1***1~DTP*472*D8*20260105~";

const END: &str = "SE*29*0001~GE*1*1~IEA*1*000000001~";

/// Each item the reader yields: claim id, billing NPI, member id and payer id, or `error`.
fn read(text: &str) -> Vec<String> {
    read_837_bytes(text.as_bytes())
        .map(|r| match r {
            Ok(pc) => {
                let c = pc.claim;
                format!(
                    "{} {} {} {}",
                    c.id,
                    c.billing_provider.npi.unwrap_or_default(),
                    c.subscriber.member_id.unwrap_or_default(),
                    c.payer.id.unwrap_or_default()
                )
            }
            Err(_) => "error".to_string(),
        })
        .collect()
}

const C1: &str = "C1 1234567893 M1 P1";

#[test]
fn the_next_subscriber_hl_releases_the_waiting_claim() {
    let got = read(&format!("{HEAD}{SECOND}{END}"));
    assert_eq!(got, [C1, "C2 1245319599 M2 P2"]);
}

#[test]
fn the_end_of_the_set_releases_it_before_the_set_is_judged() {
    let got = read(&format!("{HEAD}{END}"));
    assert_eq!(got[0], C1, "{got:?}");
}

#[test]
fn a_structural_error_comes_after_it() {
    let got = read(&format!("{HEAD}CLM*C9*1***11:B:1~{SECOND}{END}"));
    assert_eq!(got[..2], [C1, "error"], "{got:?}");
}

#[test]
fn the_end_of_the_input_releases_it() {
    let got = read(HEAD);
    assert_eq!(got[0], C1, "{got:?}");
}

#[test]
fn an_envelope_error_comes_after_it() {
    let got = read(&format!("{HEAD}1BAD*X~{SECOND}{END}"));
    assert_eq!(got[..2], [C1, "error"], "{got:?}");
}
