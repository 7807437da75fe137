//! ICD-10-CM tabular XML, through the builder.
#![no_main]
use cleanclaim_codesets::CodeSetsBuilder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(b) = CodeSetsBuilder::empty().icd10cm_tabular_xml(text, "tabular.xml", 20251001) {
        let _ = b.build();
    }
});
