//! 837P/837I reader: every claim, its Debug form, the envelope findings, and the engine's check
//! of whatever claim came out; then the writer on what was read, and the streaming
//! `check_837` on the same bytes.
#![no_main]
use cleanclaim::ClaimKind;
use cleanclaim_x12::{EnvelopeOptions, check_837, read_837_bytes, write_837_vec};
use libfuzzer_sys::fuzz_target;

#[path = "engine.rs"]
mod shared;
use shared::engine;

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
    match check_837(engine(), data, Some("fuzz.837")) {
        Ok(reports) => {
            for r in reports.iter().take(1000) {
                let _ = serde_json::to_string(r);
            }
        }
        Err(e) => {
            let _ = (e.to_string(), e.code());
        }
    }
});
