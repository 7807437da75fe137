//! FHIR R4 Claim reader, then the engine on what it produced.
#![no_main]
use cleanclaim::{Date, Engine};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::builder().as_of(Date::new(2026, 11, 30).unwrap()).build().unwrap())
}

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
