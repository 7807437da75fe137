//! Errors. None of them carries patient data: claims are named by their claim id (CLM01, the
//! practice's patient control number) and states by name.

use crate::lifecycle::ClaimState;

/// Why a billing operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The lifecycle does not allow this move.
    #[error("claim {claim_id}: illegal transition from {from} to {to}")]
    IllegalTransition {
        /// The claim id (CLM01).
        claim_id: String,
        /// The state the claim is in.
        from: ClaimState,
        /// The state that was asked for.
        to: ClaimState,
    },
    /// Submitting a claim that still has blocking (error-severity) findings without overrides.
    #[error("claim {claim_id} is held: {count} blocking finding(s) not overridden ({rules})")]
    Held {
        /// The claim id.
        claim_id: String,
        /// How many findings block.
        count: usize,
        /// Their rule ids, comma separated.
        rules: String,
    },
    /// An override needs a reason.
    #[error("claim {claim_id}: an override of {rule} needs a reason")]
    OverrideWithoutReason {
        /// The claim id.
        claim_id: String,
        /// The rule id.
        rule: String,
    },
    /// No claim with this id.
    #[error("claim {0} not found")]
    ClaimNotFound(String),
    /// A claim with this id exists already.
    #[error("claim {0} exists already")]
    ClaimExists(String),
    /// A ledger operation that would break an invariant (e.g. a line that does not exist).
    #[error("ledger: {0}")]
    Ledger(String),
    /// The X12 input could not be read.
    #[error(transparent)]
    X12(#[from] cleanclaim_x12::X12Error),
    /// The database failed.
    #[error("store: {0}")]
    Store(#[from] rusqlite::Error),
    /// A stored document did not deserialize.
    #[error("store: corrupt record: {0}")]
    Json(#[from] serde_json::Error),
    /// The database was written by a newer version of this library.
    #[error("store: schema version {found} is newer than this library ({supported})")]
    SchemaTooNew {
        /// `PRAGMA user_version` of the file.
        found: i64,
        /// The newest version this library knows.
        supported: i64,
    },
}

impl Error {
    /// A stable, short code for bindings and the CLI.
    pub fn code(&self) -> &'static str {
        match self {
            Error::IllegalTransition { .. } => "transition",
            Error::Held { .. } => "held",
            Error::OverrideWithoutReason { .. } => "invalid",
            Error::ClaimNotFound(_) => "not_found",
            Error::ClaimExists(_) => "exists",
            Error::Ledger(_) => "ledger",
            Error::X12(_) => "x12",
            Error::Store(_) | Error::SchemaTooNew { .. } => "store",
            Error::Json(_) => "json",
        }
    }
}
