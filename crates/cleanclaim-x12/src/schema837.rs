//! Loop structure of the 005010 837P / 837I implementation guides (SNIP 2): which segments a
//! loop holds, in which order, how often, and which child loops it opens.
//!
//! The tables are deliberately a little lenient (situational segments are optional, repeat
//! counts are the IG maxima) so that every TR3 example passes; what they catch is unknown or
//! misplaced segments, out-of-order segments, missing required loops/segments and loops or
//! segments repeated beyond the guide's maximum.

use crate::sourcemap::Lp;
use crate::token::{Segment, pack_id};

/// A segment slot in a loop.
#[derive(Debug)]
pub struct SegDef {
    pub id: &'static [u8],
    /// `id` packed by [`crate::token::pack_id`].
    pub code: u32,
    /// Allowed values of element 1 (qualifier); empty = any.
    pub quals: &'static [&'static [u8]],
    pub max: u16,
    pub req: bool,
}

/// A child loop slot.
#[derive(Debug)]
pub struct ChildDef {
    pub def: &'static LoopDef,
    pub max: u32,
    pub req: bool,
}

/// A loop: its first segment is the trigger.
#[derive(Debug)]
pub struct LoopDef {
    pub id: &'static str,
    pub name: &'static str,
    pub segs: &'static [SegDef],
    pub children: &'static [ChildDef],
    /// Bit `i` set when `segs[i]` is required: closing a loop compares masks instead of
    /// walking every slot.
    pub req_segs: u32,
    /// Bit `i` set when `children[i]` is required.
    pub req_children: u32,
    /// `id` as the reader's dispatch byte.
    pub lp: Lp,
}

impl SegDef {
    /// `code` is `seg.code()`, computed once by the caller.
    #[inline]
    pub fn matches(&self, code: u32, seg: &Segment<'_>) -> bool {
        code == self.code && (self.quals.is_empty() || self.quals.iter().any(|q| *q == seg.el(1)))
    }
}

const fn s(id: &'static [u8], max: u16, req: bool) -> SegDef {
    SegDef { id, code: pack_id(id), quals: &[], max, req }
}
/// A slot whose element 1 must be one of `quals`. Each has at most [`MAX_QUALIFIER`] bytes, or
/// the schema fails to compile: the structure's scan cache keys on that many.
const fn q(id: &'static [u8], quals: &'static [&'static [u8]], max: u16, req: bool) -> SegDef {
    let mut i = 0;
    while i < quals.len() {
        assert!(quals[i].len() <= MAX_QUALIFIER, "a qualifier is longer than the scan cache keys");
        i += 1;
    }
    SegDef { id, code: pack_id(id), quals, max, req }
}

/// The longest qualifier (element 1 value) a schema slot may require.
pub const MAX_QUALIFIER: usize = 3;
const fn c(def: &'static LoopDef, max: u32, req: bool) -> ChildDef {
    ChildDef { def, max, req }
}

/// Bit `i` set for each `true`; a loop with more than 32 slots fails to compile.
const fn mask(req: &[bool]) -> u32 {
    assert!(req.len() <= 32, "a loop has at most 32 segment slots and 32 child loops");
    let mut m = 0u32;
    let mut i = 0;
    while i < req.len() {
        if req[i] {
            m |= 1 << i;
        }
        i += 1;
    }
    m
}

/// A [`LoopDef`] with its required-slot masks derived from the same slot lists, so the two
/// cannot disagree.
macro_rules! loop_def {
    (id: $id:expr, name: $name:expr, segs: &[$($seg:expr),* $(,)?], children: &[$($ch:expr),* $(,)?] $(,)?) => {
        LoopDef {
            id: $id,
            name: $name,
            segs: &[$($seg),*],
            children: &[$($ch),*],
            req_segs: mask(&[$($seg.req),*]),
            req_children: mask(&[$($ch.req),*]),
            // Resolved while compiling: a loop id missing from `Lp` fails the build.
            lp: match Lp::of($id) {
                Some(lp) => lp,
                None => panic!("a schema loop id is missing from sourcemap::Lp"),
            },
        }
    };
}

macro_rules! name_loop {
    ($static:ident, $id:expr, $name:expr, $quals:expr) => {
        pub static $static: LoopDef = loop_def! {
            id: $id,
            name: $name,
            segs: &[
                q(b"NM1", $quals, 1, true),
                s(b"PRV", 1, false),
                s(b"N3", 1, false),
                s(b"N4", 1, false),
                s(b"REF", 20, false),
                s(b"PER", 2, false),
            ],
            children: &[],
        };
    };
}

pub static HEADER: LoopDef = loop_def! {
    id: "HEADER",
    name: "transaction set header",
    segs: &[s(b"ST", 1, true), s(b"BHT", 1, true)],
    children: &[c(&L1000A, 1, true), c(&L1000B, 1, true)],
};
pub static L1000A: LoopDef = loop_def! {
    id: "1000A",
    name: "submitter name",
    segs: &[q(b"NM1", &[b"41"], 1, true), s(b"PER", 2, false)],
    children: &[],
};
pub static L1000B: LoopDef =
    loop_def! { id: "1000B", name: "receiver name", segs: &[q(b"NM1", &[b"40"], 1, true)], children: &[] };

macro_rules! hl_loops {
    ($a:ident, $b:ident, $cc:ident, $claim:ident) => {
        pub static $a: LoopDef = loop_def! {
            id: "2000A",
            name: "billing provider hierarchical level",
            segs: &[s(b"HL", 1, true), s(b"PRV", 1, false), s(b"CUR", 1, false)],
            children: &[c(&L2010AA, 1, true), c(&L2010AB, 1, false), c(&L2010AC, 1, false)],
        };
        pub static $b: LoopDef = loop_def! {
            id: "2000B",
            name: "subscriber hierarchical level",
            segs: &[s(b"HL", 1, true), s(b"SBR", 1, true), s(b"PAT", 1, false)],
            children: &[c(&L2010BA, 1, true), c(&L2010BB, 1, true), c(&$claim, 100, false)],
        };
        pub static $cc: LoopDef = loop_def! {
            id: "2000C",
            name: "patient hierarchical level",
            segs: &[s(b"HL", 1, true), s(b"PAT", 1, true)],
            children: &[c(&L2010CA, 1, true), c(&$claim, 100, false)],
        };
    };
}
hl_loops!(P2000A, P2000B, P2000C, P2300);
hl_loops!(I2000A, I2000B, I2000C, I2300);

pub static L2010AA: LoopDef = loop_def! {
    id: "2010AA",
    name: "billing provider name",
    segs: &[
        q(b"NM1", &[b"85"], 1, true),
        s(b"N3", 1, true),
        s(b"N4", 1, true),
        q(b"REF", &[b"EI", b"SY"], 1, false),
        s(b"REF", 2, false),
        s(b"PER", 2, false),
    ],
    children: &[],
};
pub static L2010AB: LoopDef = loop_def! {
    id: "2010AB",
    name: "pay-to address",
    segs: &[q(b"NM1", &[b"87"], 1, true), s(b"N3", 1, false), s(b"N4", 1, false)],
    children: &[],
};
pub static L2010AC: LoopDef = loop_def! {
    id: "2010AC",
    name: "pay-to plan name",
    segs: &[q(b"NM1", &[b"PE"], 1, true), s(b"N3", 1, false), s(b"N4", 1, false), s(b"REF", 3, false)],
    children: &[],
};
pub static L2010BA: LoopDef = loop_def! {
    id: "2010BA",
    name: "subscriber name",
    segs: &[
        q(b"NM1", &[b"IL"], 1, true),
        s(b"N3", 1, false),
        s(b"N4", 1, false),
        s(b"DMG", 1, false),
        s(b"REF", 2, false),
        s(b"PER", 1, false),
    ],
    children: &[],
};
pub static L2010BB: LoopDef = loop_def! {
    id: "2010BB",
    name: "payer name",
    segs: &[q(b"NM1", &[b"PR"], 1, true), s(b"N3", 1, false), s(b"N4", 1, false), s(b"REF", 6, false)],
    children: &[],
};
pub static L2010CA: LoopDef = loop_def! {
    id: "2010CA",
    name: "patient name",
    segs: &[
        q(b"NM1", &[b"QC"], 1, true),
        s(b"N3", 1, false),
        s(b"N4", 1, false),
        s(b"DMG", 1, false),
        s(b"REF", 2, false),
        s(b"PER", 1, false),
    ],
    children: &[],
};

pub static P2300: LoopDef = loop_def! {
    id: "2300",
    name: "claim information",
    segs: &[
        s(b"CLM", 1, true),
        s(b"DTP", 30, false),
        s(b"PWK", 10, false),
        s(b"CN1", 1, false),
        s(b"AMT", 3, false),
        s(b"REF", 20, false),
        s(b"K3", 10, false),
        s(b"NTE", 2, false),
        s(b"CR1", 1, false),
        s(b"CR2", 1, false),
        s(b"CRC", 8, false),
        s(b"HI", 10, true),
        s(b"HCP", 1, false),
    ],
    children: &[
        c(&P2310A, 2, false),
        c(&P2310B, 1, false),
        c(&P2310C, 1, false),
        c(&P2310D, 1, false),
        c(&P2310E, 1, false),
        c(&P2310F, 1, false),
        c(&L2320, 10, false),
        c(&P2400, 50, true),
    ],
};
name_loop!(P2310A, "2310A", "referring provider", &[b"DN", b"P3"]);
name_loop!(P2310B, "2310B", "rendering provider", &[b"82"]);
name_loop!(P2310C, "2310C", "service facility location", &[b"77"]);
name_loop!(P2310D, "2310D", "supervising provider", &[b"DQ"]);
name_loop!(P2310E, "2310E", "ambulance pick-up location", &[b"PW"]);
name_loop!(P2310F, "2310F", "ambulance drop-off location", &[b"45"]);

pub static I2300: LoopDef = loop_def! {
    id: "2300",
    name: "claim information",
    segs: &[
        s(b"CLM", 1, true),
        s(b"DTP", 30, false),
        s(b"CL1", 1, false),
        s(b"PWK", 10, false),
        s(b"CN1", 1, false),
        s(b"AMT", 3, false),
        s(b"REF", 20, false),
        s(b"K3", 10, false),
        s(b"NTE", 11, false),
        s(b"CR6", 1, false),
        s(b"CRC", 10, false),
        s(b"HI", 40, true),
        s(b"HCP", 1, false),
    ],
    children: &[
        c(&I2310A, 1, false),
        c(&I2310B, 1, false),
        c(&I2310C, 1, false),
        c(&I2310D, 1, false),
        c(&I2310E, 1, false),
        c(&I2310F, 1, false),
        c(&L2320, 10, false),
        c(&I2400, 999, true),
    ],
};
name_loop!(I2310A, "2310A", "attending provider", &[b"71"]);
name_loop!(I2310B, "2310B", "operating physician", &[b"72"]);
name_loop!(I2310C, "2310C", "other operating physician", &[b"ZZ"]);
name_loop!(I2310D, "2310D", "rendering provider", &[b"82"]);
name_loop!(I2310E, "2310E", "service facility location", &[b"77"]);
name_loop!(I2310F, "2310F", "referring provider", &[b"DN"]);

pub static L2320: LoopDef = loop_def! {
    id: "2320",
    name: "other subscriber information",
    segs: &[
        s(b"SBR", 1, true),
        s(b"CAS", 5, false),
        s(b"AMT", 5, false),
        s(b"OI", 1, false),
        s(b"MIA", 1, false),
        s(b"MOA", 1, false),
    ],
    // 2330A/2330B are required by the IG, but TR3-style examples omit them: lenient.
    children: &[c(&L2330A, 1, false), c(&L2330B, 1, false), c(&L2330X, 10, false)],
};
pub static L2330A: LoopDef = loop_def! {
    id: "2330A",
    name: "other subscriber name",
    segs: &[q(b"NM1", &[b"IL"], 1, true), s(b"N3", 1, false), s(b"N4", 1, false), s(b"REF", 2, false)],
    children: &[],
};
pub static L2330B: LoopDef = loop_def! {
    id: "2330B",
    name: "other payer name",
    segs: &[
        q(b"NM1", &[b"PR"], 1, true),
        s(b"N3", 1, false),
        s(b"N4", 1, false),
        s(b"DTP", 2, false),
        s(b"REF", 12, false),
    ],
    children: &[],
};
pub static L2330X: LoopDef = loop_def! {
    id: "2330C-I",
    name: "other payer provider",
    segs: &[
        q(b"NM1", &[b"DN", b"P3", b"82", b"77", b"DQ", b"85", b"71", b"72", b"ZZ", b"PE"], 1, true),
        s(b"REF", 5, false),
    ],
    children: &[],
};

pub static P2400: LoopDef = loop_def! {
    id: "2400",
    name: "service line",
    segs: &[
        s(b"LX", 1, true),
        s(b"SV1", 1, true),
        s(b"SV5", 1, false),
        s(b"PWK", 10, false),
        s(b"CR1", 1, false),
        s(b"CR3", 1, false),
        s(b"CRC", 5, false),
        s(b"DTP", 10, false),
        s(b"QTY", 2, false),
        s(b"MEA", 5, false),
        s(b"CN1", 1, false),
        s(b"REF", 20, false),
        s(b"AMT", 2, false),
        s(b"K3", 10, false),
        s(b"NTE", 2, false),
        s(b"PS1", 1, false),
        s(b"HCP", 1, false),
    ],
    children: &[
        c(&L2410, 1, false),
        c(&P2420A, 1, false),
        c(&P2420B, 1, false),
        c(&P2420C, 1, false),
        c(&P2420D, 1, false),
        c(&P2420E, 1, false),
        c(&P2420F, 2, false),
        c(&P2420G, 1, false),
        c(&P2420H, 1, false),
        c(&L2430, 15, false),
        c(&L2440, 5, false),
    ],
};
name_loop!(P2420A, "2420A", "rendering provider", &[b"82"]);
name_loop!(P2420B, "2420B", "purchased service provider", &[b"QB"]);
name_loop!(P2420C, "2420C", "service facility location", &[b"77"]);
name_loop!(P2420D, "2420D", "supervising provider", &[b"DQ"]);
name_loop!(P2420E, "2420E", "ordering provider", &[b"DK"]);
name_loop!(P2420F, "2420F", "referring provider", &[b"DN", b"P3"]);
name_loop!(P2420G, "2420G", "ambulance pick-up location", &[b"PW"]);
name_loop!(P2420H, "2420H", "ambulance drop-off location", &[b"45"]);

pub static I2400: LoopDef = loop_def! {
    id: "2400",
    name: "service line",
    segs: &[
        s(b"LX", 1, true),
        s(b"SV2", 1, true),
        s(b"PWK", 10, false),
        s(b"DTP", 5, false),
        s(b"REF", 5, false),
        s(b"AMT", 2, false),
        s(b"NTE", 1, false),
        s(b"HCP", 1, false),
    ],
    children: &[
        c(&L2410, 1, false),
        c(&I2420A, 1, false),
        c(&I2420B, 1, false),
        c(&I2420C, 1, false),
        c(&I2420D, 1, false),
        c(&L2430, 25, false),
    ],
};
name_loop!(I2420A, "2420A", "operating physician", &[b"72"]);
name_loop!(I2420B, "2420B", "other operating physician", &[b"ZZ"]);
name_loop!(I2420C, "2420C", "rendering provider", &[b"82"]);
name_loop!(I2420D, "2420D", "referring provider", &[b"DN"]);

pub static L2410: LoopDef = loop_def! {
    id: "2410",
    name: "drug identification",
    segs: &[s(b"LIN", 1, true), s(b"CTP", 1, false), s(b"REF", 1, false)],
    children: &[],
};
pub static L2430: LoopDef = loop_def! {
    id: "2430",
    name: "line adjudication information",
    segs: &[s(b"SVD", 1, true), s(b"CAS", 5, false), s(b"DTP", 1, false), s(b"AMT", 1, false)],
    children: &[],
};
pub static L2440: LoopDef = loop_def! {
    id: "2440",
    name: "form identification code",
    segs: &[s(b"LQ", 1, true), s(b"FRM", 99, false)],
    children: &[],
};

/// HL loops per claim form.
#[derive(Debug)]
pub struct HlSet {
    pub a: &'static LoopDef,
    pub b: &'static LoopDef,
    pub c: &'static LoopDef,
}

pub static PROFESSIONAL: HlSet = HlSet { a: &P2000A, b: &P2000B, c: &P2000C };
pub static INSTITUTIONAL: HlSet = HlSet { a: &I2000A, b: &I2000B, c: &I2000C };
