//! Loop-structure validation (SNIP 2) driven by the tables in [`crate::schema837`].

use crate::error::{ErrorKind, Location, X12Error};
use crate::finding::{Finding, Severity};
use crate::schema837::{HEADER, HlSet, LoopDef, MAX_QUALIFIER};
use crate::sourcemap::Lp;
use crate::token::{Segment, id};

const MAX_SEGS: usize = 24;
const MAX_CHILDREN: usize = 16;

#[derive(Debug)]
struct Open {
    def: &'static LoopDef,
    pos: usize,
    counts: [u16; MAX_SEGS],
    child_counts: [u32; MAX_CHILDREN],
    /// Bit `i` set once `counts[i] > 0`; compared with [`LoopDef::req_segs`] at close.
    seen: u32,
    /// Bit `i` set once `child_counts[i] > 0`.
    child_seen: u32,
    seg_number: u64,
    in_set: u32,
    offset: u64,
    /// Qualifier of the trigger segment (NM101 etc.), for messages.
    qual: [u8; MAX_QUALIFIER],
}

impl Open {
    fn new(def: &'static LoopDef, seg: &Segment<'_>, in_set: u32) -> Open {
        let mut counts = [0u16; MAX_SEGS];
        counts[0] = 1;
        let mut qual = [0u8; MAX_QUALIFIER];
        let q = seg.el(1);
        if !def.segs[0].quals.is_empty() && q.len() <= MAX_QUALIFIER {
            qual[..q.len()].copy_from_slice(q);
        }
        Open {
            def,
            pos: 0,
            counts,
            child_counts: [0; MAX_CHILDREN],
            seen: 1,
            child_seen: 0,
            seg_number: seg.number,
            in_set,
            offset: seg.offset,
            qual,
        }
    }

    fn trigger(&self) -> String {
        let id = String::from_utf8_lossy(self.def.segs[0].id);
        let q: String = self.qual.iter().take_while(|&&b| b != 0).map(|&b| b as char).collect();
        if q.is_empty() { id.into_owned() } else { format!("{id}*{q}") }
    }

    fn loc(&self) -> Location {
        Location {
            segment_in_file: self.seg_number,
            segment_in_set: self.in_set,
            segment_id: self.def.segs[0].id.iter().map(|&b| b as char).collect(),
            byte_offset: self.offset,
            loop_id: Some(self.def.id),
            ..Location::default()
        }
    }

    /// Checks required segments and child loops when the loop ends.
    #[inline]
    fn close(&self) -> Result<(), X12Error> {
        if self.def.req_segs & !self.seen == 0 && self.def.req_children & !self.child_seen == 0 {
            return Ok(());
        }
        self.close_slow()
    }

    /// A required slot or child is empty: the slot walk decides (a same-id sibling may fill
    /// it) and names the first one missing.
    #[cold]
    fn close_slow(&self) -> Result<(), X12Error> {
        for (i, sd) in self.def.segs.iter().enumerate() {
            if sd.req && self.counts[i] == 0 {
                // A required slot may be filled by a sibling slot with the same id.
                let filled = self.def.segs.iter().enumerate().any(|(j, o)| o.id == sd.id && self.counts[j] > 0);
                if !filled {
                    return Err(X12Error::new(
                        ErrorKind::MissingSegment,
                        Some(self.loc()),
                        format!(
                            "loop {} ({}, starting with {}) is missing required segment {}",
                            self.def.id,
                            self.def.name,
                            self.trigger(),
                            String::from_utf8_lossy(sd.id)
                        ),
                    ));
                }
            }
        }
        for (i, cd) in self.def.children.iter().enumerate() {
            if cd.req && self.child_counts[i] == 0 {
                let t = &cd.def.segs[0];
                let trig = match t.quals.first() {
                    Some(q) => format!("{}*{}", String::from_utf8_lossy(t.id), String::from_utf8_lossy(q)),
                    None => String::from_utf8_lossy(t.id).into_owned(),
                };
                return Err(X12Error::new(
                    ErrorKind::MissingSegment,
                    Some(self.loc()),
                    format!(
                        "loop {} ({}, starting with {}) is missing required loop {} ({}, {})",
                        self.def.id,
                        self.def.name,
                        self.trigger(),
                        cd.def.id,
                        cd.def.name,
                        trig
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Element 1 as a cache key: up to 3 bytes with the length on top. The schema's qualifiers
/// have at most [`MAX_QUALIFIER`] bytes (it does not compile otherwise), so all longer values
/// compare alike: they match no qualifier.
fn qual_key(seg: &Segment<'_>) -> u32 {
    const _: () = assert!(MAX_QUALIFIER == 3, "the key holds 3 bytes below the length");
    match *seg.el(1) {
        [] => 0,
        [a] => 1 << 24 | u32::from(a),
        [a, b] => 2 << 24 | u32::from(b) << 8 | u32::from(a),
        [a, b, c] => 3 << 24 | u32::from(c) << 16 | u32::from(b) << 8 | u32::from(a),
        _ => 4 << 24,
    }
}

const CACHE: usize = 64;

/// The slot a segment fits and the first slot with its id.
type SlotHit = Option<(usize, usize)>;

/// Remembers the slot scans of [`Structure::feed`]. A scan's answer depends only on the loop
/// definition, the segment id and element 1 (the key), so a hit is exact; the schema's loops
/// are scanned linearly otherwise, once per segment.
struct ScanCache {
    /// (loop definition address, id, qualifier key) → (slot, first slot with that id).
    slots: [(usize, u32, u32, SlotHit); CACHE],
    /// (loop definition address, id, qualifier key) → child loop index.
    children: [(usize, u32, u32, Option<usize>); CACHE],
}

impl Default for ScanCache {
    fn default() -> Self {
        ScanCache { slots: [(0, 0, 0, None); CACHE], children: [(0, 0, 0, None); CACHE] }
    }
}

impl std::fmt::Debug for ScanCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ScanCache")
    }
}

#[inline]
fn cache_index(def: usize, code: u32, qual: u32) -> usize {
    let h = (def as u64 >> 3) ^ u64::from(code).wrapping_mul(0x9E37_79B9) ^ u64::from(qual).wrapping_mul(0x85EB_CA6B);
    ((h ^ (h >> 17)) as usize) % CACHE
}

impl ScanCache {
    /// The first slot after the trigger that `seg` fits, and the first slot with its id.
    #[inline]
    fn slot(&mut self, def: &'static LoopDef, code: u32, qual: u32, seg: &Segment<'_>) -> Option<(usize, usize)> {
        let key = def as *const LoopDef as usize;
        let e = &mut self.slots[cache_index(key, code, qual)];
        if e.0 == key && e.1 == code && e.2 == qual {
            return e.3;
        }
        let hit = def.segs.iter().skip(1).position(|sd| sd.matches(code, seg)).map(|i| i + 1).map(|i| {
            let first_same = def.segs.iter().position(|sd| sd.code == code).unwrap_or(i);
            (i, first_same)
        });
        *e = (key, code, qual, hit);
        hit
    }

    /// The child loop of `def` that `seg` triggers.
    #[inline]
    fn child(&mut self, def: &'static LoopDef, code: u32, qual: u32, seg: &Segment<'_>) -> Option<usize> {
        let key = def as *const LoopDef as usize;
        let e = &mut self.children[cache_index(key, code, qual)];
        if e.0 == key && e.1 == code && e.2 == qual {
            return e.3;
        }
        let hit = def.children.iter().position(|cd| cd.def.segs[0].matches(code, seg));
        *e = (key, code, qual, hit);
        hit
    }
}

/// The id of the last HL of a level; the buffer is reused (one HL per claim is common).
#[derive(Debug, Default)]
struct HlId {
    text: String,
    set: bool,
}

impl HlId {
    fn set(&mut self, id: &str) {
        self.text.clear();
        self.text.push_str(id);
        self.set = true;
    }

    fn unset(&mut self) {
        self.set = false;
    }

    fn is(&self, id: &str) -> bool {
        self.set && self.text == id
    }
}

/// Validates one 837 transaction set's loop structure segment by segment.
#[derive(Debug)]
pub struct Structure {
    stack: Vec<Open>,
    hl: &'static HlSet,
    last_hl20: HlId,
    last_hl22: HlId,
    /// Non-fatal structure findings (HL parent mismatches); drained by the reader.
    pub findings: Vec<Finding>,
    cache: Box<ScanCache>,
}

impl Structure {
    /// Starts at the ST segment.
    pub fn new(hl: &'static HlSet, st: &Segment<'_>) -> Structure {
        Structure {
            stack: vec![Open::new(&HEADER, st, 1)],
            hl,
            last_hl20: HlId::default(),
            last_hl22: HlId::default(),
            findings: Vec::new(),
            cache: Box::default(),
        }
    }

    fn close_to(&mut self, depth: usize) -> Result<(), X12Error> {
        // Closed in place and truncated: popping would copy each ~170-byte `Open` out.
        while let Some(o) = self.stack.get(depth..).and_then(<[Open]>::last) {
            o.close()?;
            self.stack.truncate(self.stack.len() - 1);
        }
        Ok(())
    }

    /// Feeds one segment (not ST/SE). Returns the loop the segment belongs to.
    pub fn feed(&mut self, seg: &Segment<'_>, in_set: u32) -> Result<Lp, X12Error> {
        let err = |kind: ErrorKind, loop_id: &'static str, reason: String| {
            let mut loc = seg.loc(0, in_set);
            loc.loop_id = Some(loop_id);
            X12Error::new(kind, Some(loc), reason)
        };
        if seg.code() == id::HL {
            self.close_to(1)?;
            let code = seg.el(3);
            let id = seg.s(1);
            let parent = seg.s(2);
            let (def, ok_parent) = match code {
                b"20" => {
                    self.last_hl20.set(id);
                    self.last_hl22.unset();
                    (self.hl.a, parent.is_empty())
                }
                b"22" => {
                    let ok = self.last_hl20.is(parent);
                    self.last_hl22.set(id);
                    (self.hl.b, ok)
                }
                b"23" => (self.hl.c, self.last_hl22.is(parent)),
                _ => {
                    let shown: String = seg.s(3).chars().filter(|c| c.is_ascii_alphanumeric()).take(3).collect();
                    let mut loc = seg.loc(3, in_set);
                    loc.loop_id = Some("2000");
                    return Err(X12Error::new(
                        ErrorKind::BadElement,
                        Some(loc),
                        format!("HL03 level code {shown:?} is not 20, 22 or 23"),
                    ));
                }
            };
            if !ok_parent {
                let mut loc = seg.loc(2, in_set);
                loc.loop_id = Some(def.id);
                self.findings.push(Finding {
                    rule: "x12.snip2.hl_parent",
                    severity: Severity::Error,
                    path: String::new(),
                    message: format!(
                        "HL02 parent id does not point at the enclosing {} level",
                        match code {
                            b"22" => "billing provider (HL03=20)",
                            b"23" => "subscriber (HL03=22)",
                            _ => "(none expected for HL03=20)",
                        }
                    ),
                    location: Some(loc),
                });
            }
            let open = Open::new(def, seg, in_set);
            let lp = open.def.lp;
            self.stack.push(open);
            return Ok(lp);
        }
        // Plain segment of the innermost loop, in order and within its repeat count.
        let code = seg.code();
        let qual = qual_key(seg);
        let cur = self.stack.last_mut().expect("header always open");
        let hit = self.cache.slot(cur.def, code, qual, seg);
        if let Some((i, first_same)) = hit
            && (first_same >= cur.pos || cur.def.segs[cur.pos].code == code)
        {
            cur.pos = cur.pos.max(i);
            cur.counts[i] = cur.counts[i].saturating_add(1);
            cur.seen |= 1 << i;
            let sd = &cur.def.segs[i];
            if cur.counts[i] > sd.max {
                let qual = if sd.quals.is_empty() { String::new() } else { format!("*{}", seg.s(1)) };
                return Err(err(
                    ErrorKind::TooManyRepeats,
                    cur.def.id,
                    format!(
                        "segment {}{} repeats more than {} time(s) in loop {} ({})",
                        seg.id_str(),
                        qual,
                        sd.max,
                        cur.def.id,
                        cur.def.name
                    ),
                ));
            }
            return Ok(cur.def.lp);
        }
        // Trigger of a child loop of some open loop, innermost first.
        for depth in (0..self.stack.len()).rev() {
            let Some(ci) = self.cache.child(self.stack[depth].def, code, qual, seg) else {
                continue;
            };
            self.close_to(depth + 1)?;
            let parent = &mut self.stack[depth];
            // Children come in order: a later sibling closes earlier ones for good.
            parent.child_counts[ci] = parent.child_counts[ci].saturating_add(1);
            parent.child_seen |= 1 << ci;
            let cd = &parent.def.children[ci];
            if parent.child_counts[ci] > cd.max {
                return Err(err(
                    ErrorKind::TooManyRepeats,
                    cd.def.id,
                    format!(
                        "loop {} ({}) repeats more than {} time(s) in loop {} ({})",
                        cd.def.id, cd.def.name, cd.max, parent.def.id, parent.def.name
                    ),
                ));
            }
            parent.pos = parent.def.segs.len() - 1;
            let open = Open::new(cd.def, seg, in_set);
            let lp = open.def.lp;
            self.stack.push(open);
            return Ok(lp);
        }
        // Not allowed here: explain why.
        let cur = self.stack.last().expect("header always open");
        let shown_id = if crate::token::is_known_id(code) { seg.id_str() } else { "with an unknown id" };
        let q = seg.s(1);
        // Only qualifier elements are shown (other first elements may be patient data).
        let is_qualifier =
            matches!(seg.id(), b"NM1" | b"REF" | b"DTP" | b"PER" | b"PRV" | b"AMT" | b"CAS" | b"HL" | b"SBR");
        let shown_q = if is_qualifier && q.len() <= 3 && q.bytes().all(|b| b.is_ascii_alphanumeric()) {
            format!(" with qualifier {q:?}")
        } else {
            String::new()
        };
        if let Some(i) = cur.def.segs.iter().position(|sd| sd.code == code)
            && (cur.def.segs[i].matches(code, seg) || cur.def.segs[i].quals.is_empty())
        {
            let after = String::from_utf8_lossy(cur.def.segs[cur.pos].id);
            return Err(err(
                ErrorKind::UnexpectedSegment,
                cur.def.id,
                format!(
                    "segment {shown_id} is out of order in loop {} ({}): it must come before {after}",
                    cur.def.id, cur.def.name
                ),
            ));
        }
        Err(err(
            ErrorKind::UnexpectedSegment,
            cur.def.id,
            format!("segment {shown_id}{shown_q} is not expected in loop {} ({})", cur.def.id, cur.def.name),
        ))
    }

    /// Closes every loop at SE.
    pub fn finish(&mut self) -> Result<(), X12Error> {
        let saw_hl = self.last_hl20.set;
        self.close_to(0)?;
        if !saw_hl {
            return Err(X12Error::new(
                ErrorKind::MissingSegment,
                None,
                "transaction set has no billing provider hierarchical level (HL*…*20)",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema837::{INSTITUTIONAL, PROFESSIONAL};

    #[test]
    fn every_schema_loop_fits_the_open_loop_arrays() {
        let mut stack: Vec<&'static LoopDef> = vec![
            &HEADER,
            PROFESSIONAL.a,
            PROFESSIONAL.b,
            PROFESSIONAL.c,
            INSTITUTIONAL.a,
            INSTITUTIONAL.b,
            INSTITUTIONAL.c,
        ];
        let mut seen = 0;
        while let Some(d) = stack.pop() {
            // The dispatch byte and the required masks are derived from these lists at compile
            // time (a mismatch fails the build); what only a walk can check is the width.
            assert!(d.segs.len() <= MAX_SEGS && d.children.len() <= MAX_CHILDREN, "loop {} too wide", d.id);
            seen += 1;
            stack.extend(d.children.iter().map(|c| c.def));
        }
        assert!(seen > 40, "{seen}");
    }
}
