//! 999 and 277CA acknowledgment readers (each input goes through both), plus format detection.
#![no_main]
use cleanclaim_x12::{detect, read_277ca, read_999};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = detect(data);
    if let Ok(acks) = read_999(data) {
        for a in &acks {
            let _ = format!("{a:?}");
            for s in a.groups.iter().flat_map(|g| &g.sets) {
                for id in s.claim_ids() {
                    let _ = a.claim_disposition(id, &s.control);
                }
            }
        }
    }
    if let Ok(acks) = read_277ca(data) {
        for a in &acks {
            let _ = format!("{a:?}");
            let _ = a.claim_disposition("C1");
        }
    }
});
