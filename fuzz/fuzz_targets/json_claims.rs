//! JSON claim reader plus the engine's check of every claim it accepts; the streaming
//! `check_json_with` must accept and refuse exactly what `parse_claims` does, with the same error.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "engine.rs"]
mod shared;
use shared::engine;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut streamed = Vec::new();
    let stream = engine().check_json_with(text, |r| streamed.push(r));
    match cleanclaim::parse_claims(text) {
        Ok(claims) => {
            assert_eq!(stream.ok(), Some(claims.len()));
            for (c, s) in claims.iter().zip(&streamed).take(64) {
                let r = engine().check(c);
                assert_eq!(r.ok, !r.findings.iter().any(|f| f.severity == cleanclaim::Severity::Error));
                assert_eq!(&r, s);
                let _ = serde_json::to_string(&r);
                let _ = format!("{c:?}");
            }
        }
        Err(e) => {
            assert_eq!(stream.map_err(|s| s.to_string()), Err(e.to_string()));
            let _ = (e.to_string(), e.code());
        }
    }
});
