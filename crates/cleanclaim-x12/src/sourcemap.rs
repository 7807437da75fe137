//! Where each claim field came from: a side table from field paths (`lines[2].units`) to the
//! segment number, loop id and element position in the X12 input.

use std::fmt;

use crate::token::SEGMENT_IDS;

/// The origin of one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceRef {
    /// Field path template with `[]` placeholders (`lines[].pointers[]`).
    pub template: &'static str,
    /// Indices for the placeholders, in order (unused ones are 0).
    pub idx: [u32; 2],
    /// 1-based segment number in the file.
    pub segment_in_file: u64,
    /// 1-based segment number inside ST..SE.
    pub segment_in_set: u32,
    /// Segment id.
    pub segment_id: &'static str,
    /// Loop id (`2300`).
    pub loop_id: &'static str,
    /// Element position (1-based), 0 for the whole segment.
    pub element: u16,
    /// Component position (1-based), 0 for the whole element.
    pub component: u16,
}

impl SourceRef {
    /// The field path with indices filled in.
    pub fn path(&self) -> String {
        let mut out = String::with_capacity(self.template.len() + 4);
        let mut k = 0;
        let mut rest = self.template;
        while let Some(p) = rest.find("[]") {
            out.push_str(&rest[..p]);
            out.push('[');
            out.push_str(&self.idx[k.min(1)].to_string());
            out.push(']');
            k += 1;
            rest = &rest[p + 2..];
        }
        out.push_str(rest);
        out
    }

    /// `CLM05-1`-style element name.
    pub fn element_name(&self) -> String {
        match (self.element, self.component) {
            (0, _) => self.segment_id.to_string(),
            (e, 0) => format!("{}{e:02}", self.segment_id),
            (e, c) => format!("{}{e:02}-{c}", self.segment_id),
        }
    }
}

impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} <- {} (segment {}, #{} in set, loop {})",
            self.path(),
            self.element_name(),
            self.segment_in_file,
            self.segment_in_set,
            self.loop_id
        )
    }
}

/// Field path templates the 837 reader records, addressed by [`Field`].
macro_rules! fields {
    ($($v:ident = $s:literal,)*) => {
        /// A field path template, stored as one byte per entry.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        #[allow(non_camel_case_types)]
        pub(crate) enum Field { $($v,)* }
        const TEMPLATES: &[&str] = &[$($s,)*];
    };
}

fields! {
    BillingTaxonomy = "billing_provider.taxonomy",
    BillingName = "billing_provider.name",
    BillingNpi = "billing_provider.npi",
    BillingAddress = "billing_provider.address",
    BillingTaxId = "billing_provider.tax_id",
    SubscriberGroup = "subscriber.group_number",
    SubscriberName = "subscriber.name",
    SubscriberMemberId = "subscriber.member_id",
    SubscriberBirthDate = "subscriber.birth_date",
    SubscriberSex = "subscriber.sex",
    PayerName = "payer.name",
    PayerId = "payer.id",
    PatientRelationship = "patient.relationship",
    PatientName = "patient.name",
    PatientBirthDate = "patient.birth_date",
    PatientSex = "patient.sex",
    Id = "id",
    TotalCharge = "total_charge",
    Frequency = "frequency",
    PlaceOfService = "place_of_service",
    TypeOfBill = "type_of_bill",
    PayerClaimControl = "payer_claim_control_number",
    StatementFrom = "statement_from",
    StatementTo = "statement_to",
    AdmissionDate = "admission_date",
    DischargeDate = "discharge_date",
    DischargeStatus = "discharge_status",
    RenderingName = "rendering_provider.name",
    RenderingNpi = "rendering_provider.npi",
    ReferringName = "referring_provider.name",
    ReferringNpi = "referring_provider.npi",
    AttendingName = "attending_provider.name",
    AttendingNpi = "attending_provider.npi",
    PriorPayerPaid = "prior_payer_paid",
    LineProcedure = "lines[].procedure",
    LineModifiers = "lines[].modifiers",
    LineCharge = "lines[].charge",
    LineUnitBasis = "lines[].unit_basis",
    LineUnits = "lines[].units",
    LinePlaceOfService = "lines[].place_of_service",
    LinePointers = "lines[].pointers",
    LinePointer = "lines[].pointers[]",
    LineRevenueCode = "lines[].revenue_code",
    LineDate = "lines[].date",
    LineControlNumber = "lines[].control_number",
    LineRenderingNpi = "lines[].rendering_provider.npi",
    Diagnosis = "diagnoses[]",
    AdmittingDiagnosis = "admitting_diagnosis",
    Procedure = "procedures[]",
}

macro_rules! loops {
    ($($v:ident = $s:literal,)*) => {
        /// A loop id of the 837 schema (plus `SE`), one byte: the reader dispatches on it and
        /// source-map entries store it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        pub(crate) enum Lp { $($v,)* }
        const LOOP_IDS: &[&str] = &[$($s,)*];
        const ALL_LOOPS: &[Lp] = &[$(Lp::$v,)*];
        impl Lp {
            /// The loop for a schema loop id; `None` for an id this table does not know. A
            /// `const fn` so the schema resolves its loops' ids at compile time.
            pub(crate) const fn of(id: &str) -> Option<Lp> {
                let mut i = 0;
                while i < LOOP_IDS.len() {
                    if same_bytes(LOOP_IDS[i].as_bytes(), id.as_bytes()) {
                        return Some(ALL_LOOPS[i]);
                    }
                    i += 1;
                }
                None
            }
        }
    };
}

loops! {
    Header = "HEADER",
    L1000A = "1000A",
    L1000B = "1000B",
    L2000A = "2000A",
    L2000B = "2000B",
    L2000C = "2000C",
    L2010AA = "2010AA",
    L2010AB = "2010AB",
    L2010AC = "2010AC",
    L2010BA = "2010BA",
    L2010BB = "2010BB",
    L2010CA = "2010CA",
    L2300 = "2300",
    L2310A = "2310A",
    L2310B = "2310B",
    L2310C = "2310C",
    L2310D = "2310D",
    L2310E = "2310E",
    L2310F = "2310F",
    L2320 = "2320",
    L2330A = "2330A",
    L2330B = "2330B",
    L2330CI = "2330C-I",
    L2400 = "2400",
    L2410 = "2410",
    L2420A = "2420A",
    L2420B = "2420B",
    L2420C = "2420C",
    L2420D = "2420D",
    L2420E = "2420E",
    L2420F = "2420F",
    L2420G = "2420G",
    L2420H = "2420H",
    L2430 = "2430",
    L2440 = "2440",
    Se = "SE",
}

/// `a == b` for a `const fn` (slice equality is not `const`).
const fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

impl Lp {
    /// The loop id text.
    #[inline]
    pub(crate) fn id(self) -> &'static str {
        LOOP_IDS[self as usize]
    }
}

/// One recorded origin, compact (the reader records dozens per claim; [`SourceRef`] is
/// rebuilt from it on demand).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub segment_in_file: u64,
    pub segment_in_set: u32,
    pub idx: [u32; 2],
    pub element: u16,
    pub component: u16,
    pub field: Field,
    pub lp: Lp,
    /// Index into [`SEGMENT_IDS`].
    pub seg_ix: u8,
}

impl Entry {
    #[inline]
    fn template(&self) -> &'static str {
        TEMPLATES[self.field as usize]
    }

    fn expand(&self) -> SourceRef {
        SourceRef {
            template: self.template(),
            idx: self.idx,
            segment_in_file: self.segment_in_file,
            segment_in_set: self.segment_in_set,
            segment_id: SEGMENT_IDS[self.seg_ix as usize],
            loop_id: self.lp.id(),
            element: self.element,
            component: self.component,
        }
    }
}

/// The side table of one claim.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SourceMap {
    entries: Vec<Entry>,
    off: bool,
}

impl fmt::Debug for SourceMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SourceMap({} entries)", self.entries.len())
    }
}

impl SourceMap {
    /// An empty map with room for `n` entries.
    pub(crate) fn with_capacity(n: usize) -> SourceMap {
        SourceMap { entries: Vec::with_capacity(n), off: false }
    }

    /// A map that records nothing (reading without source maps is faster).
    pub(crate) fn disabled() -> SourceMap {
        SourceMap { entries: Vec::new(), off: true }
    }

    #[inline]
    pub(crate) fn push(&mut self, r: Entry) {
        if !self.off {
            self.entries.push(r);
        }
    }

    #[inline]
    pub(crate) fn extend_from_slice(&mut self, r: &[Entry]) {
        if !self.off {
            self.entries.extend_from_slice(r);
        }
    }

    /// False when the reader was told not to record origins.
    pub fn is_enabled(&self) -> bool {
        !self.off
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// All entries, in input order.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = SourceRef> + '_ {
        self.entries.iter().map(Entry::expand)
    }

    /// The origin of a field path such as `lines[2].units` or `diagnoses[0]`.
    pub fn get(&self, path: &str) -> Option<SourceRef> {
        self.entries.iter().rev().find(|r| matches_path(r.template(), r.idx, path)).map(Entry::expand)
    }

    /// The origin of a path or of its closest recorded parent (`lines[2].pointers[1]` falls back
    /// to `lines[2].pointers`, then `lines[2]`).
    pub fn lookup(&self, path: &str) -> Option<SourceRef> {
        let mut p = path;
        loop {
            if let Some(r) = self.get(p) {
                return Some(r);
            }
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
        }
    }
}

fn matches_path(template: &str, idx: [u32; 2], path: &str) -> bool {
    // Compare without allocating: walk template and path together.
    let t = template.as_bytes();
    let p = path.as_bytes();
    let (mut i, mut j, mut k) = (0, 0, 0);
    while i < t.len() {
        if t[i] == b'[' && t.get(i + 1) == Some(&b']') {
            if p.get(j) != Some(&b'[') {
                return false;
            }
            j += 1;
            let start = j;
            while j < p.len() && p[j].is_ascii_digit() {
                j += 1;
            }
            let Ok(n) = std::str::from_utf8(&p[start..j]).unwrap_or("x").parse::<u32>() else {
                return false;
            };
            if n != idx[k.min(1)] || p.get(j) != Some(&b']') {
                return false;
            }
            j += 1;
            k += 1;
            i += 2;
        } else {
            if p.get(j) != Some(&t[i]) {
                return false;
            }
            i += 1;
            j += 1;
        }
    }
    j == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::{pack_id, seg_index};

    #[test]
    fn segment_index_names_its_own_id() {
        assert_eq!(SEGMENT_IDS[0], "?");
        for (i, id) in SEGMENT_IDS.iter().enumerate().skip(1) {
            assert_eq!(usize::from(seg_index(pack_id(id.as_bytes()))), i, "{id}");
        }
        for other in [&b"ZZZ"[..], b"", b"CLMX"] {
            assert_eq!(seg_index(pack_id(other)), 0, "{}", String::from_utf8_lossy(other));
        }
    }
}
