//! The error type for unusable X12 / FHIR input.
//!
//! Messages name *where* (file, segment number, segment id, element position) and *why*, never
//! the element values themselves: an element may hold a patient name, member id or birth date.

use std::fmt;

/// Where in an X12 file something happened. All numbers are 1-based.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// File name, when the caller supplied one.
    pub file: Option<String>,
    /// Segment number in the file (1 = the first ISA).
    pub segment_in_file: u64,
    /// Segment number inside the transaction set (ST = 1), as SE01 counts; 0 outside ST..SE.
    pub segment_in_set: u32,
    /// Segment id (`CLM`, `NM1`, ...); empty when the id itself was unreadable.
    pub segment_id: String,
    /// Element position (1 = first element after the id); 0 for the whole segment.
    pub element: u16,
    /// Component position inside a composite element; 0 for the whole element.
    pub component: u16,
    /// Byte offset of the segment start in the input.
    pub byte_offset: u64,
    /// Loop id (`2300`, `2010AA`), when known.
    pub loop_id: Option<&'static str>,
}

impl Location {
    /// The `CLM05-1`-style name of the element this location points at.
    pub fn element_name(&self) -> String {
        match (self.element, self.component) {
            (0, _) => self.segment_id.clone(),
            (e, 0) => format!("{}{:02}", self.segment_id, e),
            (e, c) => format!("{}{:02}-{}", self.segment_id, e, c),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        write!(f, "segment {}", self.segment_in_file)?;
        if self.segment_in_set > 0 {
            write!(f, " (#{} in transaction set)", self.segment_in_set)?;
        }
        if !self.segment_id.is_empty() {
            write!(f, " {}", self.element_name())?;
        }
        if let Some(l) = self.loop_id {
            write!(f, " in loop {l}")?;
        }
        write!(f, " at byte {}", self.byte_offset)
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// What kind of problem made the input unusable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading from the underlying source failed.
    Io,
    /// The input does not begin with an ISA segment (or is not X12 at all).
    NotX12,
    /// The ISA segment is malformed (wrong length, bad delimiters).
    BadIsa,
    /// A segment id is not 2–3 upper-case letters/digits.
    BadSegmentId,
    /// A segment is longer than the reader's limit.
    SegmentTooLong,
    /// Envelope structure broken (ST outside GS, missing SE, ...).
    Envelope,
    /// The transaction set's implementation version is not supported (4010, unknown).
    UnsupportedVersion,
    /// A segment is not allowed where it appears (unknown, out of order, wrong loop).
    UnexpectedSegment,
    /// A required segment or loop is missing.
    MissingSegment,
    /// A loop or segment repeats more than the implementation guide allows.
    TooManyRepeats,
    /// A required element is missing.
    MissingElement,
    /// An element value is malformed (bad number, date, code).
    BadElement,
    /// A configured limit was exceeded.
    Limit,
    /// JSON (FHIR) input is unusable.
    Json,
}

impl ErrorKind {
    fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Io => "I/O error",
            ErrorKind::NotX12 => "not an X12 interchange",
            ErrorKind::BadIsa => "malformed ISA segment",
            ErrorKind::BadSegmentId => "bad segment identifier",
            ErrorKind::SegmentTooLong => "segment too long",
            ErrorKind::Envelope => "envelope error",
            ErrorKind::UnsupportedVersion => "unsupported version",
            ErrorKind::UnexpectedSegment => "unexpected segment",
            ErrorKind::MissingSegment => "missing segment",
            ErrorKind::TooManyRepeats => "too many repeats",
            ErrorKind::MissingElement => "missing element",
            ErrorKind::BadElement => "bad element value",
            ErrorKind::Limit => "limit exceeded",
            ErrorKind::Json => "invalid FHIR JSON",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Unusable X12 or FHIR input. Never carries element values that could be patient data.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub struct X12Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Where (absent for whole-input problems such as FHIR JSON errors).
    pub location: Option<Box<Location>>,
    /// Human readable reason (built only from ids, qualifiers, positions and counts).
    pub reason: String,
    #[source]
    source: Option<std::io::Error>,
}

impl X12Error {
    /// A new error.
    pub fn new(kind: ErrorKind, location: Option<Location>, reason: impl Into<String>) -> X12Error {
        X12Error { kind, location: location.map(Box::new), reason: reason.into(), source: None }
    }

    /// Stable code string, as `cleanclaim::Error::code()` uses: always `x12` (or `io`, `json`).
    pub fn code(&self) -> &'static str {
        match self.kind {
            ErrorKind::Io => "io",
            ErrorKind::Json => "json",
            ErrorKind::Limit => "limit",
            _ => "x12",
        }
    }

    /// Sets the file name on the location (for messages).
    pub fn with_file(mut self, file: &str) -> X12Error {
        match &mut self.location {
            Some(l) => l.file = Some(file.to_string()),
            None => self.location = Some(Box::new(Location { file: Some(file.to_string()), ..Location::default() })),
        }
        self
    }

    /// Segment id the error points at, if any.
    pub fn segment_id(&self) -> Option<&str> {
        self.location.as_deref().map(|l| l.segment_id.as_str())
    }
}

impl From<std::io::Error> for X12Error {
    fn from(e: std::io::Error) -> X12Error {
        let reason = format!("read failed ({:?})", e.kind());
        X12Error { kind: ErrorKind::Io, location: None, reason, source: Some(e) }
    }
}

impl fmt::Display for X12Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(l) => write!(f, "{}: {}: {}", l, self.kind, self.reason),
            None => write!(f, "{}: {}", self.kind, self.reason),
        }
    }
}

impl fmt::Debug for X12Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "X12Error({self})")
    }
}

impl From<X12Error> for cleanclaim::Error {
    /// Limits stay limits and I/O stays I/O; everything else is `Error::X12` with the location.
    fn from(e: X12Error) -> cleanclaim::Error {
        match e.kind {
            ErrorKind::Limit => cleanclaim::Error::Limit(e.to_string()),
            ErrorKind::Io if e.source.is_some() => {
                let path = e.location.as_ref().and_then(|l| l.file.clone()).unwrap_or_default();
                cleanclaim::Error::Io { path, source: e.source.expect("checked") }
            }
            _ => cleanclaim::Error::X12 {
                location: e.location.as_deref().map(ToString::to_string).unwrap_or_else(|| "X12".into()),
                message: format!("{}: {}", e.kind, e.reason),
            },
        }
    }
}
