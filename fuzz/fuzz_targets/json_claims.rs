//! JSON claim reader plus the engine's check of every claim it accepts.
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
    match cleanclaim::parse_claims(text) {
        Ok(claims) => {
            for c in claims.iter().take(64) {
                let r = engine().check(c);
                assert_eq!(r.ok, !r.findings.iter().any(|f| f.severity == cleanclaim::Severity::Error));
                let _ = serde_json::to_string(&r);
                let _ = format!("{c:?}");
            }
        }
        Err(e) => {
            let _ = (e.to_string(), e.code());
        }
    }
});
