//! Shared inputs for the criterion benches and the `measure` binary: the same synthetic claims
//! everywhere, so numbers from either are comparable.

use cleanclaim::{Claim, Engine};
use cleanclaim_synth::{AS_OF, Config, Generator};

/// True when a bench binary runs as a test (`cargo test`, `cargo nextest run --all-targets`):
/// `cargo bench` passes `--bench`, the test runners do not. Benches shrink their inputs then so
/// that the whole suite stays a few seconds in a debug build.
pub fn smoke() -> bool {
    !std::env::args().any(|a| a == "--bench")
}

/// The MCE-equivalent rules: what CMS's Medicare Code Editor checks on an inpatient claim.
/// `dx.sex_conflict` and `px.sex_conflict` are off by default (CMS retired the sex edit on
/// 2024-10-01) and stay off here, as in MCE today.
pub const MCE_RULES: &[&str] = &[
    "dx.invalid",
    "dx.not_billable",
    "dx.seventh_character",
    "dx.duplicate",
    "dx.age_conflict",
    "dx.manifestation_first",
    "dx.external_cause_first",
    "dx.unacceptable_principal",
    "dx.requires_secondary",
    "dx.questionable_admission",
    "dx.unspecified",
    "dx.wrong_procedure",
    "px.invalid",
    "px.noncovered",
    "px.limited_coverage",
    "px.los_inconsistent",
    "px.questionable_obstetric_admission",
];

/// An engine with a fixed "today" and every default rule: the full catalogue.
pub fn full_engine() -> Engine {
    Engine::builder().as_of(AS_OF).build().expect("default configuration")
}

/// An engine that runs only [`MCE_RULES`].
pub fn mce_engine() -> Engine {
    let mut b = Engine::builder().as_of(AS_OF);
    for (meta, _) in full_engine().rules() {
        if !MCE_RULES.contains(&meta.id) {
            b = b.disable(meta.id);
        }
    }
    b.build().expect("MCE configuration")
}

/// Typical professional claims (4 diagnoses, 3 lines, 5 % defects).
pub fn professional(n: usize, seed: u64) -> Vec<Claim> {
    Generator::new(Config { seed, ..Config::default() }).claims(n)
}

/// Institutional claims, all inpatient (type of bill 111), 4 diagnoses, 3 lines.
pub fn inpatient(n: usize, seed: u64, uniform_codes: bool) -> Vec<Claim> {
    Generator::new(inpatient_config(seed, uniform_codes)).claims(n)
}

/// What [`inpatient`] generates from: change `diagnoses` for claims of more.
pub fn inpatient_config(seed: u64, uniform_codes: bool) -> Config {
    Config { seed, institutional_share: 1.0, inpatient_share: 1.0, uniform_codes, ..Config::default() }
}
