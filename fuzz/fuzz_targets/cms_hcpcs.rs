//! CMS HCPCS fixed-width file, through the builder.
#![no_main]
use cleanclaim_codesets::CodeSetsBuilder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(b) = CodeSetsBuilder::empty().hcpcs_file(data, "HCPC.txt", 2020) {
        let _ = b.build();
    }
});
