//! Where each claim field came from: a side table from field paths (`lines[2].units`) to the
//! segment number, loop id and element position in the X12 input.

use std::fmt;

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

/// The side table of one claim.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SourceMap {
    entries: Vec<SourceRef>,
    off: bool,
}

impl fmt::Debug for SourceMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SourceMap({} entries)", self.entries.len())
    }
}

impl SourceMap {
    /// A map that records nothing (reading without source maps is faster).
    pub(crate) fn disabled() -> SourceMap {
        SourceMap { entries: Vec::new(), off: true }
    }

    #[inline]
    pub(crate) fn push(&mut self, r: SourceRef) {
        if !self.off {
            self.entries.push(r);
        }
    }

    /// False when the reader was told not to record origins.
    pub fn is_enabled(&self) -> bool {
        !self.off
    }

    /// All entries, in input order.
    pub fn entries(&self) -> &[SourceRef] {
        &self.entries
    }

    /// The origin of a field path such as `lines[2].units` or `diagnoses[0]`.
    pub fn get(&self, path: &str) -> Option<&SourceRef> {
        self.entries.iter().rev().find(|r| matches_path(r, path))
    }

    /// The origin of a path or of its closest recorded parent (`lines[2].pointers[1]` falls back
    /// to `lines[2].pointers`, then `lines[2]`).
    pub fn lookup(&self, path: &str) -> Option<&SourceRef> {
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

fn matches_path(r: &SourceRef, path: &str) -> bool {
    // Compare without allocating: walk template and path together.
    let t = r.template.as_bytes();
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
            if n != r.idx[k.min(1)] || p.get(j) != Some(&b']') {
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
