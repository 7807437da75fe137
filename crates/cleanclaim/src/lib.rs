//! # cleanclaim
//!
//! Checks medical claims before they leave: invalid or incomplete codes, codes that conflict
//! with the patient, procedure pairs NCCI bundles, bad NPIs, diagnosis pointers to nothing,
//! totals that do not add up. Every finding carries a stable rule id, a severity, the path of
//! the field at fault and a message that explains it.
//!
//! ```
//! use cleanclaim::{Engine, parse_claim};
//!
//! let mut claim = parse_claim(include_str!("../../../examples/claims/clean-office-visit.json"))?;
//! claim.lines[0].pointers = vec![9];
//! let report = Engine::new().check(&claim);
//! assert!(!report.ok);
//! assert_eq!(report.findings[0].rule, "line.pointer_invalid");
//! assert_eq!(report.findings[0].path, "lines[0].pointers[0]");
//! # Ok::<(), cleanclaim::Error>(())
//! ```
//!
//! The JSON claim model ([`Claim`]) is the contract every binding shares; see
//! `docs/claim.schema.json`.

pub mod codes;
/// The embedded, date-versioned code sets (ICD-10-CM, ICD-10-PCS, HCPCS) the rules read.
pub use cleanclaim_codesets as codesets;
mod date;
mod engine;
mod error;
pub mod input;
pub mod lookup;
pub mod model;
mod money;
pub mod ncci;
mod prefetch;
pub mod profile;
pub mod release;
mod report;
pub mod rules;

pub use date::{Date, DateError};
pub use engine::{Engine, EngineBuilder, PREFETCH_AHEAD, TEST_PANIC_CLAIM_ID};
pub use error::Error;
pub use input::{map_claims_read, parse_claim, parse_claims};
pub use model::{Claim, ClaimKind, ClaimType, Diagnosis, Encounter, Person, Provider, ServiceLine, Sex};
pub use money::Money;
pub use profile::Profile;
pub use release::{ReleaseFile, ReleaseKind};
pub use report::{ClaimId, Finding, Report, Severity};

/// The library version (from Cargo).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

// The README's Rust example is compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
