//! Loop-structure validation (SNIP 2) driven by the tables in [`crate::schema837`].

use crate::error::{ErrorKind, Location, X12Error};
use crate::finding::{Finding, Severity};
use crate::schema837::{HEADER, HlSet, LoopDef};
use crate::token::Segment;

const MAX_SEGS: usize = 24;
const MAX_CHILDREN: usize = 16;

#[derive(Debug)]
struct Open {
    def: &'static LoopDef,
    pos: usize,
    counts: [u16; MAX_SEGS],
    child_counts: [u32; MAX_CHILDREN],
    seg_number: u64,
    in_set: u32,
    offset: u64,
    /// Qualifier of the trigger segment (NM101 etc.), for messages.
    qual: [u8; 3],
}

impl Open {
    fn new(def: &'static LoopDef, seg: &Segment<'_>, in_set: u32) -> Open {
        let mut counts = [0u16; MAX_SEGS];
        counts[0] = 1;
        let mut qual = [0u8; 3];
        let q = seg.el(1);
        if !def.segs[0].quals.is_empty() && q.len() <= 3 {
            qual[..q.len()].copy_from_slice(q);
        }
        Open {
            def,
            pos: 0,
            counts,
            child_counts: [0; MAX_CHILDREN],
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
    fn close(&self) -> Result<(), X12Error> {
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

/// Validates one 837 transaction set's loop structure segment by segment.
#[derive(Debug)]
pub struct Structure {
    stack: Vec<Open>,
    hl: &'static HlSet,
    last_hl20: Option<String>,
    last_hl22: Option<String>,
    /// Non-fatal structure findings (HL parent mismatches); drained by the reader.
    pub findings: Vec<Finding>,
}

impl Structure {
    /// Starts at the ST segment.
    pub fn new(hl: &'static HlSet, st: &Segment<'_>) -> Structure {
        Structure { stack: vec![Open::new(&HEADER, st, 1)], hl, last_hl20: None, last_hl22: None, findings: Vec::new() }
    }

    fn close_to(&mut self, depth: usize) -> Result<(), X12Error> {
        while self.stack.len() > depth {
            let o = self.stack.pop().expect("non-empty");
            o.close()?;
        }
        Ok(())
    }

    /// Feeds one segment (not ST/SE). Returns the loop id the segment belongs to.
    pub fn feed(&mut self, seg: &Segment<'_>, in_set: u32) -> Result<&'static str, X12Error> {
        let err = |kind: ErrorKind, loop_id: &'static str, reason: String| {
            let mut loc = seg.loc(0, in_set);
            loc.loop_id = Some(loop_id);
            X12Error::new(kind, Some(loc), reason)
        };
        if seg.is(b"HL") {
            self.close_to(1)?;
            let code = seg.el(3);
            let id = seg.s(1).to_string();
            let parent = seg.s(2);
            let (def, ok_parent) = match code {
                b"20" => {
                    self.last_hl20 = Some(id);
                    self.last_hl22 = None;
                    (self.hl.a, parent.is_empty())
                }
                b"22" => {
                    let ok = self.last_hl20.as_deref() == Some(parent);
                    self.last_hl22 = Some(id);
                    (self.hl.b, ok)
                }
                b"23" => (self.hl.c, self.last_hl22.as_deref() == Some(parent)),
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
            self.stack.push(Open::new(def, seg, in_set));
            return Ok(def.id);
        }
        // Plain segment of the innermost loop, in order and within its repeat count.
        let code = seg.code();
        let cur = self.stack.last_mut().expect("header always open");
        if let Some(i) = cur.def.segs.iter().skip(1).position(|sd| sd.matches(code, seg)).map(|i| i + 1) {
            let first_same = cur.def.segs.iter().position(|sd| sd.code == code).unwrap_or(i);
            if first_same >= cur.pos || cur.def.segs[cur.pos].code == code {
                cur.pos = cur.pos.max(i);
                cur.counts[i] = cur.counts[i].saturating_add(1);
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
                return Ok(cur.def.id);
            }
        }
        // Trigger of a child loop of some open loop, innermost first.
        for depth in (0..self.stack.len()).rev() {
            let open = &self.stack[depth];
            let Some(ci) = open.def.children.iter().position(|cd| cd.def.segs[0].matches(code, seg)) else {
                continue;
            };
            self.close_to(depth + 1)?;
            let parent = &mut self.stack[depth];
            // Children come in order: a later sibling closes earlier ones for good.
            parent.child_counts[ci] = parent.child_counts[ci].saturating_add(1);
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
            let def = cd.def;
            self.stack.push(Open::new(def, seg, in_set));
            return Ok(def.id);
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
        let saw_hl = self.last_hl20.is_some();
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
