//! NCCI loaders: each input is loaded as PTP (both settings), MUE (header-detected and fixed
//! setting) and AOC, and then the tables are queried.
#![no_main]
use cleanclaim::Date;
use cleanclaim::ncci::{Ncci, Setting};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let on = Date::new(2026, 1, 1).unwrap();
    let mut n = Ncci::empty();
    let _ = n.load_ptp(data, "ccipra.txt", Setting::Practitioner);
    let _ = n.load_ptp(data, "ccioph.csv", Setting::OutpatientHospital);
    let _ = n.load_mue(data, "MCR_MUE.csv");
    let _ = n.load_mue_for(data, "mue.txt", Setting::Dme);
    let _ = n.load_aoc(data, "AOC.csv");
    for s in [Setting::Practitioner, Setting::OutpatientHospital] {
        let _ = n.ptp(s, "99213", "36415", on);
        let _ = n.mue(s, "99213");
    }
    let _ = n.addon("99354", on);
    let _ = format!("{:?}", n.sources());
});
