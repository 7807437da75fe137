//! Streaming X12 5010 reader and writer for cleanclaim: 837P/837I in and out, 835/999/277CA in,
//! FHIR R4 `Claim` in.
//!
//! * [`Tokenizer`] reads any [`std::io::Read`] in bounded chunks (memory: one chunk plus the
//!   longest segment, 1 MiB by default) and hands out zero-copy [`Segment`] views; delimiters
//!   come from each ISA, CR/LF between segments is tolerated.
//! * [`Envelope`] checks ISA/IEA, GS/GE and ST/SE nesting (errors) and their counts and control
//!   numbers (findings, SNIP 1), and detects the implementation version; 4010 and other
//!   versions give [`ErrorKind::UnsupportedVersion`] ("unsupported version 004010X098A1").
//! * [`read_837`] yields [`ParsedClaim`]s: the core [`cleanclaim::Claim`], a [`SourceMap`]
//!   from field paths to segment/element positions, and SNIP 2–3 [`Finding`]s. Loop structure
//!   is validated against the 5010 implementation guides (unknown, misplaced or out-of-order
//!   segments, missing required loops, repeats over the maximum are errors).
//! * [`write_837`] writes claims with correct envelopes; read → write → read is the identity.
//! * [`read_835`] (with balancing findings), [`read_999`], [`read_277ca`] read responses and
//!   match them to submitted claims by CLM01; [`read_fhir`] maps a FHIR R4 Claim or Bundle.
//!
//! Errors and `Debug` output never contain element values (patient data); they name the file,
//! segment number, segment id, element position and the reason.
//!
//! ```
//! use cleanclaim::ClaimKind;
//! use cleanclaim_x12::{EnvelopeOptions, read_837_bytes, write_837_vec};
//!
//! let x12 = "ISA*00*          *00*          *ZZ*S              *ZZ*R              *260101*1200*^*00501*000000001*0*T*:~\
//! GS*HC*S*R*20260101*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~BHT*0019*00*1*20260101*1200*CH~\
//! NM1*41*2*SUB*****46*S~PER*IC*X*TE*8005550100~NM1*40*2*REC*****46*R~HL*1**20*1~\
//! NM1*85*2*CLINIC*****XX*1234567893~N3*1 A ST~N4*CITY*ST*12345~REF*EI*111111111~\
//! HL*2*1*22*0~SBR*P*18*******CI~NM1*IL*1*DOE*JANE****MI*M1~NM1*PR*2*PAYER*****PI*P1~\
//! CLM*C1*100***11:B:1*Y*A*Y*Y~HI*ABK:E119~LX*1~SV1*HC:99213*100*UN*1***1~DTP*472*D8*20260105~\
//! SE*19*0001~GE*1*1~IEA*1*000000001~";
//! let claims: Vec<_> = read_837_bytes(x12.as_bytes()).collect::<Result<_, _>>()?;
//! let claim = &claims[0].claim;
//! assert_eq!(claim.lines[0].procedure.as_deref(), Some("99213"));
//! let units = claims[0].origin.get("lines[0].units").unwrap();
//! assert_eq!((units.segment_id, units.element, units.loop_id), ("SV1", 4, "2400"));
//!
//! let out = write_837_vec(&[claim.clone()], ClaimKind::Professional, &EnvelopeOptions::default())?;
//! let again = read_837_bytes(&out).next().unwrap()?;
//! assert_eq!(&again.claim, claim);
//! # Ok::<(), cleanclaim_x12::X12Error>(())
//! ```

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
pub use r835::{ClaimPayment, LinePayment, Reader835, Remittance, read_835, read_835_bytes};
pub mod w837;

pub use w837::{EnvelopeOptions, EnvelopeParty, Writer837, write_837, write_837_vec};
pub mod check;
pub mod detect;
pub mod fhir;

pub use check::{
    ClaimInput, check_837, check_837_with, check_file, check_input_with, claim_input, file_reports, map_input_with,
    read_input_with,
};
pub use detect::{Format, detect};
pub use fhir::{read_fhir, read_fhir_bytes, read_fhir_value};
