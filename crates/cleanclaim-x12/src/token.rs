//! Streaming X12 tokenizer: delimiters from each ISA, zero-copy segment and element slices over a
//! bounded, reused buffer.

use std::io::Read;

use crate::error::{ErrorKind, Location, X12Error};

/// The four X12 delimiters, as announced by an ISA segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delimiters {
    /// Element separator (ISA byte 3), usually `*`.
    pub element: u8,
    /// Repetition separator (ISA11), usually `^`; `None` when ISA11 is a letter (4010 `U`).
    pub repetition: Option<u8>,
    /// Component (sub-element) separator (ISA16), usually `:`.
    pub component: u8,
    /// Segment terminator (the byte after ISA16), usually `~`.
    pub segment: u8,
}

impl Default for Delimiters {
    fn default() -> Self {
        Delimiters { element: b'*', repetition: Some(b'^'), component: b':', segment: b'~' }
    }
}

/// Length of a standard ISA segment, terminator included.
pub const ISA_LEN: usize = 106;

/// Reads the delimiters from the start of an ISA segment. `bytes` must start with `ISA`.
pub fn parse_isa_delimiters(bytes: &[u8]) -> Result<(Delimiters, usize), String> {
    if bytes.len() < 4 || &bytes[..3] != b"ISA" {
        return Err("input does not start with an ISA segment".into());
    }
    let element = bytes[3];
    if element.is_ascii_alphanumeric() || element == b' ' {
        return Err("ISA element separator (byte 4) is a letter, digit or space".into());
    }
    // Find the 16th element separator; ISA16 is the single byte after it, the terminator follows.
    let mut seps = 0usize;
    let mut i = 3usize;
    let mut isa11_start = 0usize;
    while seps < 16 {
        if i >= bytes.len() || i > 200 {
            return Err("ISA segment has fewer than 16 elements".into());
        }
        if bytes[i] == element {
            seps += 1;
            if seps == 11 {
                isa11_start = i + 1;
            }
        }
        i += 1;
    }
    if i + 1 >= bytes.len() {
        return Err("ISA segment is truncated".into());
    }
    let component = bytes[i];
    let segment = bytes[i + 1];
    let len = i + 2;
    if len != ISA_LEN {
        return Err(format!("ISA segment is {len} characters long, must be {ISA_LEN} (fixed-width elements)"));
    }
    if component == element || segment == element || segment == component || component.is_ascii_alphanumeric() {
        return Err("ISA16 / segment terminator are not distinct delimiters".into());
    }
    if segment.is_ascii_alphanumeric() {
        return Err("segment terminator is a letter or digit".into());
    }
    let r = bytes[isa11_start];
    let repetition = if r.is_ascii_alphanumeric() || r == element || r == component || r == segment || r == b' ' {
        None
    } else {
        Some(r)
    };
    Ok((Delimiters { element, repetition, component, segment }, len))
}

/// One segment: zero-copy view of its bytes plus the positions of its element separators.
#[derive(Clone, Copy)]
pub struct Segment<'a> {
    raw: &'a [u8],
    seps: &'a [u32],
    /// The id packed by [`pack_id`], computed once by the tokenizer.
    code: u32,
    /// Every byte is ASCII, so any sub-slice is text as it is: checked once by the tokenizer,
    /// as the checked conversion of each element costs about as much as the rest of reading it.
    ascii: bool,
    /// Delimiters in force for this segment.
    pub delims: Delimiters,
    /// 1-based segment number in the file.
    pub number: u64,
    /// Byte offset of the segment start.
    pub offset: u64,
}

impl std::fmt::Debug for Segment<'_> {
    /// Shows only the id and element count: element values may be patient data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Segment({} #{}, {} elements)", String::from_utf8_lossy(self.id()), self.number, self.len())
    }
}

impl<'a> Segment<'a> {
    /// The segment id bytes (`CLM`).
    #[inline]
    pub fn id(&self) -> &'a [u8] {
        match self.seps.first() {
            Some(&p) => &self.raw[..p as usize],
            None => self.raw,
        }
    }

    /// The segment id as text.
    pub fn id_str(&self) -> &'a str {
        std::str::from_utf8(self.id()).unwrap_or("")
    }

    /// The id packed into a `u32` (see [`pack_id`]): cheap to compare.
    #[inline]
    pub fn code(&self) -> u32 {
        self.code
    }

    /// Whether the id equals `id`.
    #[inline]
    pub fn is(&self, id: &[u8]) -> bool {
        self.id() == id
    }

    /// Number of elements after the id (trailing empty elements count if present).
    #[inline]
    pub fn len(&self) -> usize {
        self.seps.len()
    }

    /// True when the segment has no elements.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.seps.is_empty()
    }

    /// Element `n` (1-based), empty when absent.
    #[inline]
    pub fn el(&self, n: usize) -> &'a [u8] {
        if n == 0 || n > self.seps.len() {
            return &[];
        }
        let start = self.seps[n - 1] as usize + 1;
        let end = self.seps.get(n).map_or(self.raw.len(), |&e| e as usize);
        &self.raw[start..end]
    }

    /// Element `n` as text (empty when absent or not UTF-8).
    #[inline]
    pub fn s(&self, n: usize) -> &'a str {
        self.text_of(self.el(n))
    }

    /// `bytes`, a sub-slice of this segment (an element or component), as text; empty when not
    /// UTF-8.
    #[inline]
    pub(crate) fn text_of(&self, bytes: &'a [u8]) -> &'a str {
        let within = self.raw.as_ptr_range();
        if self.ascii && within.start <= bytes.as_ptr() && bytes.as_ptr_range().end <= within.end {
            // SAFETY: a sub-slice of an all-ASCII segment is ASCII, and ASCII is UTF-8.
            return unsafe { std::str::from_utf8_unchecked(bytes) };
        }
        std::str::from_utf8(bytes).unwrap_or("")
    }

    /// Component `c` (1-based) of element `n`.
    #[inline]
    pub fn comp(&self, n: usize, c: usize) -> &'a [u8] {
        component(self.el(n), self.delims.component, c)
    }

    /// Component `c` of element `n` as text.
    #[inline]
    pub fn cs(&self, n: usize, c: usize) -> &'a str {
        self.text_of(self.comp(n, c))
    }

    /// The components of element `n`.
    pub fn comps(&self, n: usize) -> impl Iterator<Item = &'a [u8]> + 'a {
        let comp = self.delims.component;
        self.el(n).split(move |&b| b == comp)
    }

    /// The repetitions of element `n` (a single one when there is no repetition separator).
    pub fn reps(&self, n: usize) -> Vec<&'a [u8]> {
        let el = self.el(n);
        match self.delims.repetition {
            Some(r) => el.split(|&b| b == r).collect(),
            None => vec![el],
        }
    }

    /// Raw segment bytes without terminator.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// A segment copied elsewhere: its raw bytes, the element separators in them (every one),
    /// and the rest of what the tokenizer knew. `ascii` says every byte is ASCII.
    pub(crate) fn from_parts(
        raw: &'a [u8],
        seps: &'a [u32],
        code: u32,
        ascii: bool,
        delims: Delimiters,
        number: u64,
        offset: u64,
    ) -> Segment<'a> {
        Segment { raw, seps, code, ascii, delims, number, offset }
    }

    /// Location of element `n` (0 = segment) of this segment.
    pub fn loc(&self, element: u16, in_set: u32) -> Location {
        Location {
            file: None,
            segment_in_file: self.number,
            segment_in_set: in_set,
            segment_id: if is_known_id(self.code()) { self.id_str().to_string() } else { String::new() },
            element,
            component: 0,
            byte_offset: self.offset,
            loop_id: None,
        }
    }
}

/// The segment ids of the transactions this crate reads, in one list: the packed-id constants
/// the readers dispatch on, the source map's id table and [`is_known_id`] are all generated
/// from it, so they cannot fall out of step.
macro_rules! segment_ids {
    ($($id:ident),* $(,)?) => {
        /// Every known segment id; index 0 stands for any other id.
        pub(crate) const SEGMENT_IDS: &[&str] = &["?", $(stringify!($id),)*];

        /// Packed segment ids ([`pack_id`]), for dispatch.
        #[allow(dead_code)]
        pub(crate) mod id {
            $(pub(crate) const $id: u32 = super::pack_id(stringify!($id).as_bytes());)*
        }

        /// [`SEGMENT_IDS`] packed ([`pack_id`]); 0 for the "?" of index 0, which no id packs to.
        pub(crate) const SEGMENT_CODES: &[u32] = &[0, $(id::$id,)*];
    };
}

/// Index into [`SEGMENT_IDS`] of a packed segment id, 0 for an id the list lacks.
#[inline]
pub(crate) fn seg_index(code: u32) -> u8 {
    // A perfect hash names the only index the id can have; one compare confirms it. Every
    // segment of every claim is looked up: a branch tree over the ~70 ids took about three
    // times the instructions.
    let ix = SEG_HASH.slots[seg_slot(code, SEG_HASH.mul)];
    if SEGMENT_CODES[ix as usize] == code { ix } else { 0 }
}

const SEG_HASH_BITS: u32 = 10;

/// A multiplicative hash without collisions over [`SEGMENT_CODES`], found while compiling.
struct SegHash {
    mul: u32,
    /// Index into [`SEGMENT_CODES`] by hash; 0 where no id lands.
    slots: [u8; 1 << SEG_HASH_BITS],
}

const SEG_HASH: SegHash = seg_hash(SEGMENT_CODES);

/// The slot of `code` under multiplier `mul`: the top bits of the product.
#[inline]
const fn seg_slot(code: u32, mul: u32) -> usize {
    (code.wrapping_mul(mul) >> (32 - SEG_HASH_BITS)) as usize
}

/// Tries odd multipliers until every code lands in a slot of its own (~70 ids in 1,024 slots:
/// about one multiplier in ten does).
const fn seg_hash(codes: &[u32]) -> SegHash {
    assert!(codes.len() < 256, "segment indices are bytes");
    let mut mul: u32 = 0x9E37_79B1;
    loop {
        let mut slots = [0u8; 1 << SEG_HASH_BITS];
        let mut i = 1;
        while i < codes.len() {
            let h = seg_slot(codes[i], mul);
            if slots[h] != 0 {
                break;
            }
            slots[h] = i as u8;
            i += 1;
        }
        if i == codes.len() {
            return SegHash { mul, slots };
        }
        // An even step keeps the multiplier odd.
        mul = mul.wrapping_add(0x6A09_E668);
    }
}

segment_ids! {
    ISA, IEA, GS, GE, ST, SE, BHT, NM1, PER, HL, PRV, CUR, N3, N4, REF, SBR, PAT, DMG, CLM, DTP, CL1, PWK,
    CN1, AMT, K3, NTE, CR1, CR2, CR3, CR6, CRC, HI, HCP, CAS, OI, MIA, MOA, LX, SV1, SV2, SV5, QTY, MEA, PS1,
    LIN, CTP, SVD, LQ, FRM, BPR, TRN, DTM, N1, CLP, SVC, PLB, TS3, TS2, RDM, AK1, AK2, IK3, IK4, IK5, AK9, CTX,
    STC, TA1,
}

/// Whether `code` is the packed id of a segment of the transactions this crate reads. Other
/// ids are never echoed in errors: a stray terminator can make a fragment of a name look like
/// a segment id.
pub fn is_known_id(code: u32) -> bool {
    seg_index(code) != 0
}

/// Packs a segment id of up to 4 bytes into a `u32` (longer ids map to `u32::MAX`).
#[inline]
pub const fn pack_id(id: &[u8]) -> u32 {
    if id.len() > 4 {
        return u32::MAX;
    }
    let mut v = 0u32;
    let mut i = 0;
    while i < id.len() {
        v = (v << 8) | id[i] as u32;
        i += 1;
    }
    v
}

/// Component `c` (1-based) of a composite element.
#[inline]
pub fn component(el: &[u8], sep: u8, c: usize) -> &[u8] {
    // Elements are short: a plain loop beats a vectorised search's set-up cost.
    let mut start = 0;
    let mut i = 1;
    for (p, &b) in el.iter().enumerate() {
        if b == sep {
            if i == c {
                return &el[start..p];
            }
            i += 1;
            start = p + 1;
        }
    }
    if i == c { &el[start..] } else { &[] }
}

/// Finds the segment terminator in `hay`, pushing the positions of element separators before
/// it; also tells whether every byte before it is ASCII (the high bits come with the same
/// loads). Returns `None` (with `seps` partly filled) when there is no terminator.
#[inline]
fn scan_segment(hay: &[u8], el: u8, term: u8, seps: &mut Vec<u32>) -> Option<(usize, bool)> {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of the x86-64 baseline, so every CPU this build runs on has it.
        unsafe { scan_sse2(hay, el, term, seps) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        scan_swar(hay, 0, el, term, seps)
    }
}

/// The element separators in `raw`, a segment's bytes without its terminator, as the
/// tokenizer found them (into `seps`, emptied first); and whether every byte is ASCII.
pub(crate) fn split_again(raw: &[u8], delims: Delimiters, seps: &mut Vec<u32>) -> bool {
    seps.clear();
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of the x86-64 baseline, so every CPU this build runs on has it.
        unsafe { split_sse2(raw, delims.element, seps) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        // With no terminator in `raw`, the scan runs to its end and reports every separator.
        let cut = scan_swar(raw, 0, delims.element, delims.segment, seps);
        debug_assert!(cut.is_none(), "a segment's bytes hold no terminator");
        raw.is_ascii()
    }
}

/// [`split_again`] with SSE2: 16 bytes at a time, the last block read where it overlaps the one
/// before (or, for a segment under 16 bytes, from a copy), its bytes already seen masked off;
/// the ASCII test comes with the same loads. Finding the terminator it cannot meet, and a
/// second pass for ASCII, had made re-splitting ~7 % of checking an 837 on every core (perf:
/// `split_again` and the SWAR tail every segment ran into).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn split_sse2(raw: &[u8], el: u8, seps: &mut Vec<u32>) -> bool {
    use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
    let vel = _mm_set1_epi8(el as i8);
    let mut high = 0u32;
    // The separators among the lanes of `v` in `keep`, lane 0 at `base`.
    let mut block = |v: __m128i, base: usize, keep: u32, seps: &mut Vec<u32>| {
        let mut m = _mm_movemask_epi8(_mm_cmpeq_epi8(v, vel)) as u32 & keep;
        high |= _mm_movemask_epi8(v) as u32 & keep;
        while m != 0 {
            seps.push((base + m.trailing_zeros() as usize) as u32);
            m &= m - 1;
        }
    };
    let load = |b: &[u8]| {
        debug_assert!(b.len() >= 16);
        // SAFETY: `b` holds at least 16 bytes; the load is unaligned.
        unsafe { _mm_loadu_si128(b.as_ptr().cast()) }
    };
    let mut chunks = raw.chunks_exact(16);
    let mut base = 0;
    for chunk in chunks.by_ref() {
        block(load(chunk), base, 0xFFFF, seps);
        base += 16;
    }
    let rest = chunks.remainder().len();
    if rest > 0 {
        if raw.len() >= 16 {
            let from = raw.len() - 16;
            block(load(&raw[from..]), from, 0xFFFF & !((1u32 << (16 - rest)) - 1), seps);
        } else {
            let mut copy = [0u8; 16];
            copy[..rest].copy_from_slice(raw);
            block(load(&copy), 0, (1u32 << rest) - 1, seps);
        }
    }
    high == 0
}

/// 16 bytes at a time with SSE2 (twice the SWAR stride, one compare per delimiter); the last
/// partial block goes to [`scan_swar`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn scan_sse2(hay: &[u8], el: u8, term: u8, seps: &mut Vec<u32>) -> Option<(usize, bool)> {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_movemask_epi8, _mm_set_epi64x, _mm_set1_epi8};
    let vel = _mm_set1_epi8(el as i8);
    let vterm = _mm_set1_epi8(term as i8);
    let mut base = 0usize;
    let mut high = 0u32;
    let mut chunks = hay.chunks_exact(16);
    for chunk in chunks.by_ref() {
        let lo = u64::from_le_bytes(chunk[..8].try_into().expect("8 bytes"));
        let hi = u64::from_le_bytes(chunk[8..].try_into().expect("8 bytes"));
        let v = _mm_set_epi64x(hi as i64, lo as i64);
        let mut m_el = _mm_movemask_epi8(_mm_cmpeq_epi8(v, vel)) as u32;
        let m_term = _mm_movemask_epi8(_mm_cmpeq_epi8(v, vterm)) as u32;
        let m_high = _mm_movemask_epi8(v) as u32;
        let end = if m_term != 0 {
            let t = m_term.trailing_zeros();
            // Keep separators and high bytes strictly before the terminator.
            let before = (1u32 << t) - 1;
            m_el &= before;
            high |= m_high & before;
            Some(base + t as usize)
        } else {
            high |= m_high;
            None
        };
        while m_el != 0 {
            seps.push((base + m_el.trailing_zeros() as usize) as u32);
            m_el &= m_el - 1;
        }
        if let Some(end) = end {
            return Some((end, high == 0));
        }
        base += 16;
    }
    scan_tail(chunks.remainder(), base, el, term, seps).map(|(end, ascii)| (end, ascii && high == 0))
}

/// [`scan_swar`] for the bytes after the last 16-byte block: reached only when a segment runs
/// into the end of what has been read. Kept out of line, so that the SWAR loop's constants are
/// not set up for every segment (LLVM hoisted them above the SIMD loop).
#[cfg(target_arch = "x86_64")]
#[cold]
#[inline(never)]
fn scan_tail(hay: &[u8], off: usize, el: u8, term: u8, seps: &mut Vec<u32>) -> Option<(usize, bool)> {
    scan_swar(hay, off, el, term, seps)
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// High bit set in every byte of `x` that is zero (exact: no carries between bytes).
#[inline(always)]
fn zero_bytes(x: u64) -> u64 {
    !(((x & !HI).wrapping_add(!HI)) | x) & HI
}

/// Portable scan, eight bytes at a time (SWAR). Positions are reported relative to `hay`
/// plus `off`.
#[inline]
fn scan_swar(hay: &[u8], off: usize, el: u8, term: u8, seps: &mut Vec<u32>) -> Option<(usize, bool)> {
    let bel = LO.wrapping_mul(u64::from(el));
    let bterm = LO.wrapping_mul(u64::from(term));
    let mut base = off;
    let mut high = 0u64;
    let mut chunks = hay.chunks_exact(8);
    for chunk in chunks.by_ref() {
        let w = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        let mut m_el = zero_bytes(w ^ bel);
        let m_term = zero_bytes(w ^ bterm);
        let end = if m_term != 0 {
            let t = m_term.trailing_zeros();
            // Keep separators and high bytes strictly before the terminator.
            let before = (1u64 << t) - 1;
            m_el &= before;
            high |= w & HI & before;
            Some(base + (t / 8) as usize)
        } else {
            high |= w & HI;
            None
        };
        while m_el != 0 {
            seps.push((base + (m_el.trailing_zeros() / 8) as usize) as u32);
            m_el &= m_el - 1;
        }
        if let Some(end) = end {
            return Some((end, high == 0));
        }
        base += 8;
    }
    for (i, &b) in chunks.remainder().iter().enumerate() {
        if b == term {
            return Some((base + i, high == 0));
        }
        high |= u64::from(b & 0x80);
        if b == el {
            seps.push((base + i) as u32);
        }
    }
    None
}

#[inline]
fn valid_id(id: &[u8]) -> bool {
    packed_id(id).is_some()
}

/// [`pack_id`] of a well-formed id (2–3 upper-case letters or digits, a letter first), `None`
/// otherwise. `pack_id` is called in the arm that fixed the length, so its loop unrolls (the
/// same machine code as packing the bytes by hand).
#[inline]
fn packed_id(id: &[u8]) -> Option<u32> {
    let rest = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    match *id {
        [a, b] if a.is_ascii_uppercase() && rest(b) => Some(pack_id(id)),
        [a, b, c] if a.is_ascii_uppercase() && rest(b) && rest(c) => Some(pack_id(id)),
        _ => None,
    }
}

/// Default read chunk.
const CHUNK: usize = 256 * 1024;
/// Default maximum segment length (bounded memory).
pub const MAX_SEGMENT: usize = 1 << 20;

/// Streaming tokenizer over any [`Read`]. Memory stays bounded by chunk + longest segment.
#[derive(Debug)]
pub struct Tokenizer<R> {
    reader: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    consumed: u64,
    delims: Option<Delimiters>,
    seps: Vec<u32>,
    number: u64,
    max_segment: usize,
    failed: bool,
    /// Current segment: start, end, byte offset, packed id, all ASCII.
    cur: Option<(usize, usize, u64, u32, bool)>,
}

impl<R: Read> Tokenizer<R> {
    /// A tokenizer reading from `reader`.
    pub fn new(reader: R) -> Tokenizer<R> {
        Tokenizer {
            reader,
            buf: vec![0; CHUNK],
            pos: 0,
            end: 0,
            eof: false,
            consumed: 0,
            delims: None,
            seps: Vec::with_capacity(64),
            number: 0,
            max_segment: MAX_SEGMENT,
            failed: false,
            cur: None,
        }
    }

    /// Sets the maximum segment length (default 1 MiB).
    pub fn with_max_segment(mut self, max: usize) -> Self {
        self.max_segment = max.max(ISA_LEN + 16);
        if self.buf.len() < self.max_segment {
            // Keep the buffer large enough for a whole segment.
        }
        self
    }

    /// The delimiters of the current interchange.
    pub fn delimiters(&self) -> Option<Delimiters> {
        self.delims
    }

    /// Number of segments returned so far.
    pub fn segment_count(&self) -> u64 {
        self.number
    }

    /// Bytes of input read past: where the next segment would start (at the end of input,
    /// the input's length).
    pub fn bytes_read(&self) -> u64 {
        self.consumed + self.pos as u64
    }

    /// Moves unread bytes to the front and reads more. Returns false at end of input.
    fn fill(&mut self) -> Result<bool, X12Error> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.consumed += self.pos as u64;
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            let grow = (self.buf.len() * 2).min(self.max_segment + CHUNK);
            if grow <= self.buf.len() {
                return Ok(true);
            }
            self.buf.resize(grow, 0);
        }
        loop {
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn err(&mut self, kind: ErrorKind, reason: String, id: &[u8]) -> X12Error {
        let loc = Location {
            segment_in_file: self.number + 1,
            segment_id: if valid_id(id) { String::from_utf8_lossy(id).into_owned() } else { String::new() },
            byte_offset: self.consumed + self.pos as u64,
            ..Location::default()
        };
        X12Error::new(kind, Some(loc), reason)
    }

    /// The next segment, `Ok(None)` at end of input. After an error that loses synchronisation
    /// (bad ISA, over-long segment) the tokenizer returns `Ok(None)`.
    pub fn next_segment(&mut self) -> Result<Option<Segment<'_>>, X12Error> {
        if self.advance()? { Ok(self.current()) } else { Ok(None) }
    }

    /// The segment the last successful [`advance`](Self::advance) moved to.
    pub fn current(&self) -> Option<Segment<'_>> {
        let (start, end, offset, code, ascii) = self.cur?;
        Some(Segment {
            raw: &self.buf[start..end],
            seps: &self.seps,
            code,
            ascii,
            delims: self.delims?,
            number: self.number,
            offset,
        })
    }

    /// Moves to the next segment; `Ok(false)` at end of input.
    pub fn advance(&mut self) -> Result<bool, X12Error> {
        self.cur = None;
        if self.failed {
            return Ok(false);
        }
        // Skip whitespace between segments (CR/LF, spaces, tabs), unless it is a delimiter.
        loop {
            while self.pos < self.end {
                let b = self.buf[self.pos];
                let is_delim = self.delims.is_some_and(|d| d.element == b || d.segment == b);
                if matches!(b, b'\r' | b'\n' | b' ' | b'\t') && !is_delim || self.delims.is_some_and(|d| d.segment == b)
                {
                    self.pos += 1;
                } else {
                    break;
                }
            }
            if self.pos < self.end {
                break;
            }
            if !self.fill()? {
                return Ok(false);
            }
        }
        // ISA: (re)read delimiters.
        while self.end - self.pos < ISA_LEN + 2 && !self.eof {
            self.fill()?;
        }
        let avail = &self.buf[self.pos..self.end];
        let starts_isa = avail.len() >= 4 && &avail[..3] == b"ISA" && !avail[3].is_ascii_alphanumeric();
        if starts_isa {
            match parse_isa_delimiters(avail) {
                Ok((d, _)) => self.delims = Some(d),
                Err(reason) => {
                    self.failed = true;
                    return Err(self.err(ErrorKind::BadIsa, reason, b"ISA"));
                }
            }
        }
        let Some(d) = self.delims else {
            self.failed = true;
            let id_end = avail.iter().position(|b| !b.is_ascii_alphanumeric()).unwrap_or(avail.len()).min(3);
            let id = avail[..id_end].to_vec();
            let reason = if valid_id(&id) {
                "the input must start with an ISA segment; found another segment first".to_string()
            } else {
                "the input does not start with an ISA segment".to_string()
            };
            return Err(self.err(ErrorKind::NotX12, reason, &id));
        };
        // One pass: element separators and the terminator.
        let (el, term) = (d.element, d.segment);
        self.seps.clear();
        let (seg_len, ascii) = 'scan: loop {
            if let Some(found) = scan_segment(&self.buf[self.pos..self.end], el, term, &mut self.seps) {
                break 'scan found;
            }
            self.seps.clear();
            if self.end - self.pos > self.max_segment {
                self.failed = true;
                let reason = format!("no segment terminator within {} bytes", self.max_segment);
                return Err(self.err(ErrorKind::SegmentTooLong, reason, &[]));
            }
            if !self.fill()? {
                // Last segment without terminator: accept it.
                let hay = &self.buf[self.pos..self.end];
                self.seps.extend(memchr::memchr_iter(el, hay).map(|p| p as u32));
                break (self.end - self.pos, hay.is_ascii());
            }
        };
        let start = self.pos;
        let mut raw_end = start + seg_len;
        self.pos = (raw_end + 1).min(self.end);
        // Tolerate CR/LF before the terminator.
        while raw_end > start && matches!(self.buf[raw_end - 1], b'\r' | b'\n') {
            raw_end -= 1;
        }
        // A separator that was one of those line breaks went with them.
        while self.seps.last().is_some_and(|&p| p as usize >= raw_end - start) {
            self.seps.pop();
        }
        let raw = &self.buf[start..raw_end];
        self.number += 1;
        let offset = self.consumed + start as u64;
        let id = match self.seps.first() {
            Some(&p) => &raw[..p as usize],
            None => raw,
        };
        let Some(code) = packed_id(id) else {
            let reason = if id.is_empty() {
                "segment has no identifier (starts with the element separator)".to_string()
            } else if id.len() > 3 {
                format!("segment identifier has {} characters (2 or 3 expected)", id.len())
            } else {
                "segment identifier must be 2–3 upper-case letters or digits, starting with a letter".to_string()
            };
            // The unreadable id itself is not shown: it may be a fragment of patient data.
            let loc = Location { segment_in_file: self.number, byte_offset: offset, ..Location::default() };
            return Err(X12Error::new(ErrorKind::BadSegmentId, Some(loc), reason));
        };
        self.cur = Some((start, raw_end, offset, code, ascii));
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `split_again` against a byte-by-byte reference, on every length up to 70 (the blocks, the
    /// overlapping last block, the copy of a short segment), separators at every place and high
    /// bytes before, in and after the last block.
    #[test]
    fn split_again_finds_every_separator_and_non_ascii_byte() {
        let delims = Delimiters { element: b'*', component: b':', repetition: Some(b'^'), segment: b'~' };
        let mut seps = Vec::new();
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for len in 0..=70 {
            for _ in 0..200 {
                let raw: Vec<u8> = (0..len)
                    .map(|_| match next() % 16 {
                        0..=3 => b'*',
                        4 => 0xC9,
                        _ => b'A' + (next() % 26) as u8,
                    })
                    .collect();
                let want: Vec<u32> = (0..len).filter(|&i| raw[i] == b'*').map(|i| i as u32).collect();
                let ascii = split_again(&raw, delims, &mut seps);
                assert_eq!((&seps, ascii), (&want, raw.is_ascii()), "{raw:?}");
            }
        }
    }

    /// Line breaks before a terminator are not part of the segment, even when the element
    /// separator is one of them: a separator cut off with them is no element, so reading the
    /// last element gives its text rather than slicing past the segment's end.
    #[test]
    fn an_element_separator_trimmed_with_the_line_break_is_no_element() {
        let isa = "ISA*00*          *00*          *ZZ*S              *ZZ*R              *260101*1200*^*00501*000000001*0*T*:~";
        let mut input = isa.replace('*', "\n").into_bytes();
        input.extend_from_slice(b"REF\nEI\n~REF\nEI\nX\r\n~");
        let mut t = Tokenizer::new(&input[..]);
        let mut segs = Vec::new();
        while let Some(seg) = t.next_segment().unwrap() {
            segs.push((seg.len(), (1..=seg.len()).map(|n| seg.s(n).to_string()).collect::<Vec<_>>()));
        }
        let els = |e: &[&str]| (e.len(), e.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(segs[1..], [els(&["EI"]), els(&["EI", "X"])], "{segs:?}");
    }

    /// Element text is sliced as is from an all-ASCII segment and checked otherwise: a UTF-8
    /// name reads back whole, a Latin-1 one as empty, and the other elements of both alike.
    #[test]
    fn element_text_of_ascii_utf8_and_latin1_segments() {
        let isa = "ISA*00*          *00*          *ZZ*S              *ZZ*R              *260101*1200*^*00501*000000001*0*T*:~";
        let mut input = isa.as_bytes().to_vec();
        input.extend_from_slice("NM1*IL*1*DOE*JOS\u{c9}~NM1*IL*1*DOE*JOS".as_bytes());
        input.extend_from_slice(b"\xc9~NM1*IL*1*DOE*JOSE:JR~");
        let mut t = Tokenizer::new(&input[..]);
        let mut segs = Vec::new();
        while let Some(seg) = t.next_segment().unwrap() {
            segs.push((seg.s(3).to_string(), seg.s(4).to_string(), seg.cs(4, 2).to_string()));
        }
        let want = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(
            segs[1..],
            [want("DOE", "JOS\u{c9}", ""), want("DOE", "", ""), want("DOE", "JOSE:JR", "JR")],
            "{segs:?}"
        );
    }

    #[test]
    fn packed_id_packs_valid_ids_and_refuses_the_rest() {
        // Big-endian bytes, as the schema's constants are packed.
        for (id, want) in
            [(&b"HL"[..], 0x484C), (b"NM1", 0x4E_4D31), (b"N3", 0x4E33), (b"SV1", 0x53_5631), (b"A0B", 0x41_3042)]
        {
            assert_eq!(packed_id(id), Some(want), "{}", String::from_utf8_lossy(id));
            assert_eq!(pack_id(id), want, "{}", String::from_utf8_lossy(id));
        }
        for id in [&b""[..], b"N", b"nm1", b"1AB", b"NM1X", b"N-"] {
            assert_eq!(packed_id(id), None, "{}", String::from_utf8_lossy(id));
        }
    }

    #[test]
    fn swar_scan_matches_scalar() {
        let samples: &[&[u8]] = &[
            b"",
            b"~",
            b"NM1*85*2*NAME*****XX*1234567893~rest",
            b"A*B*C*D*E*F*G*H*I*J*K*L~",
            b"********~*",
            b"no terminator*here*at*all",
            b"\x80\x81*\x00\xff~",
            b"1234567*~",
            b"12345678~",
            b"123456789012345*~",
            b"1234567890123456~",
            b"NM1*IL*1*DOE*JANE****MI*M1~N3*2 B ST~N4*TOWN*ST*54321~",
            b"SV1*HC:99213:25:59*100*UN*1***1:2:3:4",
            b"ABC~\x80",
            b"01234567~\x80abcdefg",
            b"0123456789ABCDE~\xff",
            b"0123456789ABCDEF0123\xc3\xa9*~",
            b"0123456789ABCDEF01234567\xe2*~",
        ];
        for hay in samples {
            let mut got = Vec::new();
            let r = scan_segment(hay, b'*', b'~', &mut got);
            let mut swar = Vec::new();
            assert_eq!(scan_swar(hay, 0, b'*', b'~', &mut swar), r, "{hay:?}");
            assert_eq!(swar, got, "{hay:?}");
            let mut want = Vec::new();
            let mut wr = None;
            for (i, &b) in hay.iter().enumerate() {
                if b == b'~' {
                    wr = Some(i);
                    break;
                }
                if b == b'*' {
                    want.push(i as u32);
                }
            }
            assert_eq!(r, wr.map(|t| (t, hay[..t].is_ascii())), "{hay:?}");
            assert_eq!(got, want, "{hay:?}");
        }
        // Every byte value as delimiter next to every other.
        for d in 0..=255u8 {
            let hay: Vec<u8> = (0..=255u8).chain([d]).collect();
            let mut got = Vec::new();
            let r = scan_segment(&hay, d.wrapping_add(1), d, &mut got);
            assert_eq!(r, Some((d as usize, d <= 0x80)));
            assert!(got.iter().all(|&p| hay[p as usize] == d.wrapping_add(1) && (p as usize) < d as usize));
        }
    }
}
