//! Streaming X12 5010 reader and writer for cleanclaim: 837P/837I in and out, 835/999/277CA in,
//! FHIR R4 `Claim` in.
//!
//! The tokenizer reads any [`std::io::Read`] in bounded chunks and hands out zero-copy segment
//! views; the envelope layer checks ISA/GS/ST nesting, counts and control numbers (SNIP 1) and
//! detects the implementation version; the transaction readers build typed values.

pub mod envelope;
pub mod error;
pub mod finding;
pub mod money;
pub mod token;

pub use envelope::{Envelope, Item, TxInfo, TxKind};
pub use error::{ErrorKind, Location, X12Error};
pub use finding::{Finding, Severity};
pub use token::{Delimiters, Segment, Tokenizer};
pub mod r837;
mod schema837;
pub mod sourcemap;
mod structure;

pub use r837::{ParsedClaim, Reader837, read_837, read_837_all, read_837_bytes};
pub use sourcemap::{SourceMap, SourceRef};
pub mod acks;
pub mod r835;

pub use acks::{Ack999, ClaimAck277, ClaimDisposition, read_277ca, read_999};
pub use r835::{ClaimPayment, LinePayment, Remittance, read_835, read_835_bytes};
pub mod w837;

pub use w837::{EnvelopeOptions, EnvelopeParty, write_837, write_837_vec};
pub mod detect;
pub mod fhir;

pub use detect::{Format, detect};
pub use fhir::{read_fhir, read_fhir_value};
