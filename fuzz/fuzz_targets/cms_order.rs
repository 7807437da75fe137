//! ICD-10-CM / ICD-10-PCS order files, through the builder.
#![no_main]
use cleanclaim_codesets::CodeSetsBuilder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(b) = CodeSetsBuilder::empty().icd10cm_order_file(text, "order.txt", 20251001) {
        let _ = b.build();
    }
    if let Ok(b) = CodeSetsBuilder::empty().icd10pcs_order_file(text, "order.txt", 20251001) {
        let _ = b.build();
    }
});
