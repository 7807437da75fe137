//! Input sniffing: X12 (and which transaction), FHIR JSON, claim-model JSON.

use crate::envelope::TxKind;
use crate::token::parse_isa_delimiters;

/// What an input looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// An X12 interchange. `kind` is `None` when the version is not supported (e.g. 4010).
    X12 {
        /// Transaction set kind of the first ST, when supported.
        kind: Option<TxKind>,
        /// GS08 / ST03 of the first transaction set (`005010X222A1`), when found.
        version: Option<String>,
    },
    /// FHIR JSON (has a `resourceType`).
    FhirJson,
    /// The cleanclaim claim JSON (a claim object or an array of them).
    ClaimJson,
    /// X12 segments that are not an interchange: they start with a GS or ST segment, or an
    /// ISA segment comes only after other text (`isa_at`, its byte offset in the input).
    X12WithoutIsa {
        /// Where an ISA segment starts, when one does within the first few KiB.
        isa_at: Option<usize>,
    },
    /// Anything else.
    Unknown,
}

/// How much of an input past its leading blank space (and byte-order mark) [`detect`] reads.
pub(crate) const WINDOW: usize = 8192;

/// `input` past its byte-order mark and leading blank space: where [`detect`] looks.
pub(crate) fn content(input: &[u8]) -> &[u8] {
    let bytes = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    &bytes[start..]
}

/// Looks at the first few KiB of an input.
pub fn detect(input: &[u8]) -> Format {
    let b = content(input);
    let head = &b[..b.len().min(WINDOW)];
    if head.starts_with(b"ISA") {
        let Ok((d, _)) = parse_isa_delimiters(head) else {
            return Format::X12 { kind: None, version: None };
        };
        let mut version = None;
        for seg in head.split(|&c| c == d.segment).take(8) {
            let seg = seg.trim_ascii();
            let els: Vec<&[u8]> = seg.split(|&c| c == d.element).collect();
            match els.first().copied() {
                Some(b"GS") => version = els.get(8).map(|v| String::from_utf8_lossy(v).into_owned()),
                Some(b"ST") => {
                    if let Some(v) = els.get(3).filter(|v| !v.is_empty()) {
                        version = Some(String::from_utf8_lossy(v).into_owned());
                    }
                    break;
                }
                _ => {}
            }
        }
        let kind = version.as_deref().and_then(TxKind::from_version);
        return Format::X12 { kind, version };
    }
    if head.starts_with(b"{") || head.starts_with(b"[") {
        if memchr::memmem::find(head, b"\"resourceType\"").is_some() {
            return Format::FhirJson;
        }
        return Format::ClaimJson;
    }
    // A segment id on its own (not inside a word such as "LISA") followed by its element
    // separator (any punctuation; `*` by custom).
    let segment_at = |i: usize, id: &[u8]| {
        (i == 0 || !head[i - 1].is_ascii_alphanumeric())
            && head[i..].starts_with(id)
            && head.get(i + id.len()).is_some_and(|c| c.is_ascii_punctuation())
    };
    if let Some(i) = memchr::memmem::find_iter(head, b"ISA").find(|&i| segment_at(i, b"ISA")) {
        // The offset in the input as given, byte-order mark included: what an editor shows.
        return Format::X12WithoutIsa { isa_at: Some(input.len() - b.len() + i) };
    }
    if segment_at(0, b"GS") || segment_at(0, b"ST") {
        return Format::X12WithoutIsa { isa_at: None };
    }
    Format::Unknown
}
