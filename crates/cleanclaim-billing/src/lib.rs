//! # cleanclaim-billing
//!
//! What happens to a claim after it is checked: its **lifecycle** (draft → scrubbed →
//! submitted → acknowledged → accepted → pending → paid / partially paid / denied → corrected,
//! voided, appealed, secondary billed → closed or written off) and its **payment ledger**
//! (835 claim and line payments, CAS adjustments by group and CARC, RARCs, PLB, patient
//! payments and refunds, transfers, write-offs), with balances per line, claim and patient
//! split between insurance and patient responsibility.
//!
//! Money is integer cents ([`cleanclaim::Money`]) and conserved: for every line and claim,
//! after every event, `charges = payments + adjustments + insurance + patient`. Posting the
//! same 835 twice posts nothing new, and a reversal (CLP02 22) posts the exact negation of
//! what it reverses.
//!
//! ```
//! use cleanclaim::{Date, Money};
//! use cleanclaim_billing::{Ledger, PostOptions};
//!
//! let x12 = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       *250110*1200*^*00501*000000001*0*P*:~\
//! GS*HP*PAYER*PROVIDER*20250110*1200*1*X*005010X221A1~ST*835*0001~\
//! BPR*I*80*C*CHK************20250110~TRN*1*CHK100*1999999999~N1*PR*ACME HEALTH*XV*ACME~\
//! N1*PE*CLINIC*XX*1234567893~LX*1~CLP*C1*1*100*80*20*12*PCN1~\
//! SVC*HC:99213*100*80~CAS*PR*2*20~SE*11*0001~GE*1*1~IEA*1*000000001~";
//! let remits = cleanclaim_x12::read_835_bytes(x12.as_bytes())?;
//! let mut ledger = Ledger::new();
//! let opts = PostOptions::new(Date::parse("2025-01-10")?);
//! let s = ledger.post_remittance(&remits[0], opts)?;
//! assert_eq!(s.difference, Money::ZERO);
//! let claim = ledger.claim("C1")?;
//! assert_eq!(claim.balance().patient, Money::from_cents(2000));
//! assert_eq!(claim.patient_shares().coinsurance, Money::from_cents(2000));
//! // The same 835 again posts nothing.
//! assert_eq!(ledger.post_remittance(&remits[0], opts)?.posted, 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`Store`] keeps a practice's ledger in SQLite (WAL, migrations, one transaction per 835, which
//! [`post_835_read`] posts as it is read); [`commands`] holds what the CLI's `post`, `status`,
//! `ar` and `denials` do.

pub mod analytics;
pub mod commands;
mod error;
pub mod ledger;
pub mod lifecycle;
pub mod store;

pub use analytics::{AgingReport, DenialReport};
pub use commands::{
    ClaimStatus, ImportSummary, PostSummary, aging, denials, import_837, post_835, post_835_on, post_835_read, status,
};
pub use error::Error;
pub use ledger::{
    AdjGroup, Balance, Bucket, ClaimAccount, Entry, EntryKind, Ledger, PatientShares, PostOptions, RemitSummary,
    patient_key,
};
pub use lifecycle::{ClaimState, ControlNumbers, DocKind, Lifecycle, SourceDoc, Transition};
pub use store::Store;
