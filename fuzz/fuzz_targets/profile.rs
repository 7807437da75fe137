//! Profile parser (TOML and JSON), then an engine built from whatever parsed.
#![no_main]
use cleanclaim::{Engine, Profile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for p in [Profile::from_toml(text, "p.toml"), Profile::from_json(text, "p.json")] {
        match p {
            Ok(p) => {
                let _ = format!("{p:?}");
                let _ = Engine::builder().profile(p).build();
            }
            Err(e) => {
                let _ = (e.to_string(), e.code());
            }
        }
    }
});
