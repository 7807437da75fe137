//! CPT CSV, through the builder.
#![no_main]
use cleanclaim_codesets::CodeSetsBuilder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(b) = CodeSetsBuilder::empty().cpt_csv(text, "cpt.csv") {
        let _ = b.build();
    }
});
