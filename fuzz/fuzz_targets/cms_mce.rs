//! MCE CSV files: the ICD-10-CM and ICD-10-PCS masters (through the builder, so the encoder and
//! the decoder run too), age ranges and discharge statuses.
#![no_main]
use cleanclaim_codesets::CodeSetsBuilder;
use cleanclaim_codesets::import::mce;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = mce::parse_age_ranges(text, "f.csv");
    let _ = mce::parse_discharge(text, "f.csv");
    if let Ok(b) = CodeSetsBuilder::empty().icd10cm_mce_csv(text, "f.csv", 20271001)
        && let Ok(cs) = b.build()
    {
        let _ = cs.icd10cm().status("A000", 20260101);
    }
    if let Ok(b) = CodeSetsBuilder::empty().icd10pcs_mce_csv(text, "f.csv", 20271001) {
        let _ = b.build();
    }
});
