//! CMS National Correct Coding Initiative tables: procedure-to-procedure (PTP) edits,
//! medically unlikely edits (MUE) and add-on code (AOC) edits.
//!
//! No table ships with cleanclaim (CMS publishes them quarterly); users load theirs through
//! [`EngineBuilder::ncci`](crate::EngineBuilder::ncci) or `cleanclaim check --ncci DIR`.

/// Loaded NCCI tables. Empty by default: the NCCI rules then find nothing.
#[derive(Debug, Default, Clone)]
pub struct Ncci {}

impl Ncci {
    /// No tables.
    pub fn empty() -> Ncci {
        Ncci::default()
    }
}
