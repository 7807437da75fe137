//! 837P/837I reader: every claim, its Debug form, the envelope findings, and the engine's check
//! of whatever claim came out; then the writer on what was read.
#![no_main]
use cleanclaim::{ClaimKind, Date, Engine};
use cleanclaim_x12::{EnvelopeOptions, read_837_bytes, write_837_vec};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::builder().as_of(Date::new(2026, 11, 30).unwrap()).build().unwrap())
}

fuzz_target!(|data: &[u8]| {
    let mut r = read_837_bytes(data);
    let mut claims = Vec::new();
    for (i, c) in r.by_ref().enumerate() {
        if i > 1000 {
            break;
        }
        match c {
            Ok(pc) => {
                let _ = format!("{pc:?}");
                let _ = engine().check(&pc.claim);
                claims.push(pc.claim);
            }
            Err(e) => {
                let _ = (e.to_string(), format!("{e:?}"), e.code());
            }
        }
    }
    for f in r.envelope_findings() {
        let _ = f.to_string();
    }
    for kind in [ClaimKind::Professional, ClaimKind::Institutional] {
        let _ = write_837_vec(&claims, kind, &EnvelopeOptions::default());
    }
});
