//! 835 remittance reader.
#![no_main]
use cleanclaim_x12::read_835_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match read_835_bytes(data) {
        Ok(rs) => {
            let _ = format!("{rs:?}");
        }
        Err(e) => {
            let _ = (e.to_string(), e.code());
        }
    }
});
