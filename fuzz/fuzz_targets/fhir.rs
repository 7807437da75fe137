//! FHIR R4 Claim reader, then the engine on what it produced.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "engine.rs"]
mod shared;
use shared::engine;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match cleanclaim_x12::read_fhir(text) {
        Ok(c) => {
            let _ = engine().check(&c);
            let _ = format!("{c:?}");
        }
        Err(e) => {
            let _ = (e.to_string(), e.code());
        }
    }
});
