//! The compact, deterministic binary format of the embedded tables.
//!
//! A file is `magic[8]` followed by length-prefixed sections (`u32` little-endian length, then
//! bytes). Integers are little-endian; variable-length integers are LEB128. Text is stored in a
//! [`TextPool`]: a word dictionary (ordered by frequency, then bytes) plus token streams, so the
//! repetitive ICD/PCS titles shrink to a few bytes each. Strings are split on `' '` only and
//! rejoined with `' '`, so decoding is exact.

use std::collections::HashMap;

pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Read a varint at `*pos`; `None` on truncation.
pub(crate) fn get_varint(buf: &[u8], pos: &mut usize) -> Option<u32> {
    let mut v: u32 = 0;
    let mut shift = 0;
    loop {
        let b = *buf.get(*pos)?;
        *pos += 1;
        v |= ((b & 0x7f) as u32).checked_shl(shift)?;
        if b & 0x80 == 0 {
            return Some(v);
        }
        shift += 7;
        if shift > 28 {
            return None;
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn new(magic: &[u8; 8]) -> Self {
        Writer { buf: magic.to_vec() }
    }
    pub fn section(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        self.buf.extend_from_slice(bytes);
    }
}

/// Split a file into its sections (byte ranges).
pub(crate) fn sections(buf: &[u8], magic: &[u8; 8]) -> Option<Vec<std::ops::Range<usize>>> {
    if buf.get(..8)? != magic {
        return None;
    }
    let mut pos = 8;
    let mut out = Vec::new();
    while pos < buf.len() {
        let len = u32::from_le_bytes(buf.get(pos..pos + 4)?.try_into().ok()?) as usize;
        pos += 4;
        if pos + len > buf.len() {
            return None;
        }
        out.push(pos..pos + len);
        pos += len;
    }
    Some(out)
}

pub(crate) fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}
pub(crate) fn u16_at(b: &[u8], off: usize) -> u16 {
    u16::from_le_bytes([b[off], b[off + 1]])
}
pub(crate) fn u64_at(b: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(b[off..off + 8].try_into().unwrap())
}

pub(crate) const NONE32: u32 = u32::MAX;

/// Builds a text pool: call [`TextPoolBuilder::add`] for every string (twice is fine), then
/// [`TextPoolBuilder::finish`]; ids are returned by [`TextPoolBuilder::id`] after finishing.
#[derive(Debug, Default)]
pub(crate) struct TextPoolBuilder {
    strings: Vec<String>,
    index: HashMap<String, usize>,
    ids: Vec<u32>,
}

impl TextPoolBuilder {
    pub fn add(&mut self, s: &str) -> usize {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.strings.len();
        self.strings.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
    /// Encode: returns (dictionary section, stream section); afterwards `id(handle)` is valid.
    pub fn finish(&mut self) -> (Vec<u8>, Vec<u8>) {
        let mut freq: HashMap<&str, u32> = HashMap::new();
        for s in &self.strings {
            for w in s.split(' ') {
                *freq.entry(w).or_default() += 1;
            }
        }
        let mut words: Vec<(&str, u32)> = freq.into_iter().collect();
        words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let wid: HashMap<&str, u32> = words.iter().enumerate().map(|(i, (w, _))| (*w, i as u32)).collect();
        let mut dict = Vec::new();
        put_varint(&mut dict, words.len() as u32);
        for (w, _) in &words {
            put_varint(&mut dict, w.len() as u32);
            dict.extend_from_slice(w.as_bytes());
        }
        // Store strings in sorted order so the output does not depend on insertion order.
        let mut order: Vec<usize> = (0..self.strings.len()).collect();
        order.sort_by(|&a, &b| self.strings[a].cmp(&self.strings[b]));
        let mut stream = Vec::new();
        let mut ids = vec![0u32; self.strings.len()];
        for i in order {
            ids[i] = stream.len() as u32;
            let toks: Vec<&str> = self.strings[i].split(' ').collect();
            put_varint(&mut stream, toks.len() as u32);
            for t in toks {
                put_varint(&mut stream, wid[t]);
            }
        }
        self.ids = ids;
        (dict, stream)
    }
    pub fn id(&self, handle: usize) -> u32 {
        self.ids[handle]
    }
}

/// A decoded dictionary over a token stream (tests only; the runtime uses [`PoolIndex`]).
#[cfg(test)]
#[derive(Debug)]
pub(crate) struct TextPool<'a> {
    words: Vec<&'a str>,
    stream: &'a [u8],
}

#[cfg(test)]
impl<'a> TextPool<'a> {
    pub fn new(dict: &'a [u8], stream: &'a [u8]) -> Option<Self> {
        let mut pos = 0;
        let n = get_varint(dict, &mut pos)? as usize;
        let mut words = Vec::with_capacity(n);
        for _ in 0..n {
            let len = get_varint(dict, &mut pos)? as usize;
            let w = std::str::from_utf8(dict.get(pos..pos + len)?).ok()?;
            words.push(w);
            pos += len;
        }
        Some(TextPool { words, stream })
    }
    pub fn get(&self, id: u32) -> Option<String> {
        if id == NONE32 {
            return None;
        }
        let mut pos = id as usize;
        let n = get_varint(self.stream, &mut pos)?;
        let mut s = String::new();
        for i in 0..n {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(self.words.get(get_varint(self.stream, &mut pos)? as usize)?);
        }
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn pool_roundtrip() {
        let mut b = TextPoolBuilder::default();
        let xs = ["a  b", "", "hello world", "a  b", " lead"];
        let hs: Vec<usize> = xs.iter().map(|s| b.add(s)).collect();
        let (d, s) = b.finish();
        let p = TextPool::new(&d, &s).unwrap();
        for (x, h) in xs.iter().zip(hs) {
            assert_eq!(p.get(b.id(h)).unwrap(), *x);
        }
    }
}

/// Index of a text pool's dictionary: absolute (start, len) of each word inside the file.
#[derive(Debug, Default)]
pub(crate) struct PoolIndex {
    words: Vec<(u32, u32)>,
}

impl PoolIndex {
    pub fn new(data: &[u8], dict: std::ops::Range<usize>) -> Option<Self> {
        let d = &data[dict.clone()];
        let mut pos = 0;
        let n = get_varint(d, &mut pos)? as usize;
        let mut words = Vec::with_capacity(n);
        for _ in 0..n {
            let len = get_varint(d, &mut pos)? as usize;
            std::str::from_utf8(d.get(pos..pos + len)?).ok()?;
            words.push(((dict.start + pos) as u32, len as u32));
            pos += len;
        }
        Some(PoolIndex { words })
    }
    pub fn get(&self, data: &[u8], stream: &std::ops::Range<usize>, id: u32) -> Option<String> {
        if id == NONE32 {
            return None;
        }
        let s = &data[stream.clone()];
        let mut pos = id as usize;
        let n = get_varint(s, &mut pos)?;
        let mut out = String::new();
        for i in 0..n {
            if i > 0 {
                out.push(' ');
            }
            let (a, l) = *self.words.get(get_varint(s, &mut pos)? as usize)?;
            out.push_str(std::str::from_utf8(&data[a as usize..(a + l) as usize]).ok()?);
        }
        Some(out)
    }
}

/// Small text section writer/reader helpers.
pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u32);
    out.extend_from_slice(s.as_bytes());
}

pub(crate) fn get_str<'a>(buf: &'a [u8], pos: &mut usize) -> Option<&'a str> {
    let len = get_varint(buf, pos)? as usize;
    let s = std::str::from_utf8(buf.get(*pos..*pos + len)?).ok()?;
    *pos += len;
    Some(s)
}
