//! JSON claim reader plus the engine's check of every claim it accepts; the streaming
//! `check_json_with` must accept and refuse exactly what `parse_claims` does, with the same error.
//! The fast claim reader in front of serde must give serde's claim or decline, never more.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "engine.rs"]
mod shared;
use shared::engine;

/// The fast reader's answer, if any, is serde's: the same value and the same JSON written back
/// (which also tells `-0.0` units from `0.0`).
fn same_as_serde<T: PartialEq + std::fmt::Debug + serde::Serialize>(
    fast: Option<T>,
    serde: Result<T, serde_json::Error>,
) {
    let Some(fast) = fast else { return };
    match serde {
        Ok(s) => {
            assert_eq!(fast, s);
            assert_eq!(serde_json::to_string(&fast).unwrap(), serde_json::to_string(&s).unwrap());
        }
        Err(e) => panic!("the fast reader accepted what serde refuses: {e}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    same_as_serde(cleanclaim::input::fast_claim(text), serde_json::from_str::<cleanclaim::Claim>(text));
    same_as_serde(cleanclaim::input::fast_claims(text), serde_json::from_str::<Vec<cleanclaim::Claim>>(text));
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
