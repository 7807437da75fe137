//! O(1) code lookup for the ICD-10-CM and ICD-10-PCS tables.
//!
//! The hot question of claim checking — "is this code valid on this date, with which flags?"
//! — is answered here by one slot, found from a hash of the code's 8-byte key, that holds the
//! key, the code's table index and its newest validity period, because nearly every claim is
//! dated inside it. Only older dates fall back to the encoded period list.

use crate::date::Ymd;
use crate::model::Period;

/// A code's key, table index and newest validity period (`from > to` when there is none, or
/// when an older period overlaps it: then the caller must scan every period to give the same
/// answer as a scan in table order). One slot read usually answers a look-up; when slots held only an
/// index into an array of these, each look-up waited for two cache misses, one after the
/// other (MCE rules on inpatient claims ran ~1.28× faster with one).
#[derive(Debug, Clone, Copy)]
struct Slot<F> {
    /// 0 in an empty slot (no code's key is 0).
    key: u64,
    from: Ymd,
    to: Ymd,
    /// Index of the key in the keys the index was built over.
    idx: u32,
    flags: F,
}

/// Keys whose home slots are read together, so that their cache misses overlap.
const GROUP: usize = 16;

/// What a look-up found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hit<F> {
    /// The code is at this index and valid on the date, with these flags.
    Valid(usize, F),
    /// The code is at this index and not valid on the date ([`KeyIndex::probe`]: not per its
    /// newest period, which is all a probe reads).
    Other(usize),
    Absent,
}

/// Open-addressing hash of distinct code keys (linear probing, at most half full) whose slots
/// hold all a look-up reads: 24 bytes for ICD-10-CM (6 MiB), 32 for ICD-10-PCS (8 MiB). Slots
/// are in hash order, so a list sorted by code no longer reads neighbouring entries (its batch
/// validity is ~14% slower than with entries in key order); claims, whose codes come in any
/// order, gain.
#[derive(Debug, Default)]
pub(crate) struct KeyIndex<F> {
    /// Each key in the slot its hash names, or the next free one (linear probing).
    slots: Box<[Slot<F>]>,
    /// `64 - log2(slots.len())`: the hash is the top bits of a multiplicative mix.
    shift: u32,
}

impl<F: Copy + Default> KeyIndex<F> {
    /// Index `keys` (distinct); `periods(i)` are the periods of key `i` in table order.
    pub fn build<I>(keys: &[u64], mut periods: impl FnMut(usize) -> I) -> Self
    where
        I: Iterator<Item = Period<F>>,
    {
        let cap = (keys.len() * 2).next_power_of_two().max(16);
        let empty = Slot { key: 0, from: 1, to: 0, idx: 0, flags: F::default() };
        let mut slots = vec![empty; cap].into_boxed_slice();
        let shift = 64 - cap.trailing_zeros();
        for (g, group) in keys.chunks(GROUP).enumerate() {
            // Touch the home slots of a group before inserting any: their misses overlap
            // instead of each insert waiting for its own (the first check: 10.0 -> 8.3 ms).
            std::hint::black_box(group.iter().fold(0, |a, &k| a ^ slots[hash(k, shift)].key));
            for (j, &k) in group.iter().enumerate() {
                let i = g * GROUP + j;
                // A key of 0 would read as an empty slot; no code's key is 0 (a code's first
                // byte is a letter or digit).
                debug_assert_ne!(k, 0, "code key 0");
                let (from, to, flags) = newest(periods(i));
                let mut s = hash(k, shift);
                while slots[s].key != 0 {
                    s = (s + 1) & (cap - 1);
                }
                slots[s] = Slot { key: k, from, to, idx: i as u32, flags };
            }
        }
        KeyIndex { slots, shift }
    }

    /// Starts loading `key`'s home slot into cache without waiting for it, so that a look-up
    /// of `key` a little later finds it there (a hint: does nothing where there is no
    /// prefetch instruction).
    #[inline]
    pub fn prefetch(&self, key: u64) {
        if let Some(slot) = self.slots.get(hash(key, self.shift)) {
            prefetch(slot);
        }
    }

    /// Index of `key` in the keys this index was built over.
    #[inline]
    pub fn find(&self, key: u64) -> Option<usize> {
        self.entry(key).map(|e| e.idx as usize)
    }

    #[inline]
    fn entry(&self, key: u64) -> Option<&Slot<F>> {
        if self.slots.is_empty() || key == 0 {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut s = hash(key, self.shift);
        loop {
            let e = self.slots.get(s)?;
            if e.key == key {
                return Some(e);
            }
            if e.key == 0 {
                return None;
            }
            s = (s + 1) & mask;
        }
    }

    /// Whether `key` is valid on `date`: its newest period answers for nearly every claim;
    /// other dates scan `periods(i)` (the code's periods in table order) as the table would.
    #[inline]
    pub fn lookup<I>(&self, key: u64, date: Ymd, periods: impl FnOnce(usize) -> I) -> Hit<F>
    where
        I: Iterator<Item = Period<F>>,
    {
        older(self.probe(key, date), date, periods)
    }

    /// [`lookup`](Self::lookup) of every key of `keys`, in order, into `out`. The keys go in
    /// groups: the first slot of every key of a group is read before any key is compared, so
    /// the group's loads overlap instead of each waiting for the compare before it.
    pub fn lookup_many<I>(&self, keys: &[u64], date: Ymd, periods: impl Fn(usize) -> I, mut out: impl FnMut(Hit<F>))
    where
        I: Iterator<Item = Period<F>>,
    {
        if self.slots.is_empty() {
            keys.iter().for_each(|_| out(Hit::Absent));
            return;
        }
        for (g, group) in keys.chunks(GROUP).enumerate() {
            // The next group's slots are asked for while this one's are compared, so the
            // loads do not stop at each group's end (batch validity +5–17 %; two groups
            // ahead gained no more, four lost).
            for &k in keys.get((g + 1) * GROUP..).unwrap_or(&[]).iter().take(GROUP) {
                self.prefetch(k);
            }
            let mut found = [0u64; GROUP];
            for (f, &k) in found.iter_mut().zip(group) {
                *f = self.slots[hash(k, self.shift)].key;
            }
            for (&key, &f) in group.iter().zip(&found) {
                let hit = if f == key && key != 0 {
                    // The first slot holds the key: in cache now. (Its index is hashed again:
                    // keeping the group's slot indexes in an array was no faster: ×0.95, 16 pairs.)
                    slot_hit(&self.slots[hash(key, self.shift)], date)
                } else if f == 0 {
                    Hit::Absent
                } else {
                    // A collision: probe on, as one look-up would.
                    self.probe(key, date)
                };
                out(older(hit, date, &periods));
            }
        }
    }

    /// Looks `key` up and tests `date` against its newest period only.
    #[inline]
    fn probe(&self, key: u64, date: Ymd) -> Hit<F> {
        match self.entry(key) {
            Some(e) => slot_hit(e, date),
            None => Hit::Absent,
        }
    }
}

/// The last of `periods` (in table order), or `from > to` when there is none or when an older
/// period reaches into it (an older period would then win a scan in table order).
fn newest<F: Default>(periods: impl Iterator<Item = Period<F>>) -> (Ymd, Ymd, F) {
    let (mut from, mut to, mut flags) = (1, 0, F::default());
    let mut older: Option<(Ymd, Ymd)> = None;
    for p in periods {
        if let Some((f, t)) = older.as_mut() {
            *f = (*f).min(from);
            *t = (*t).max(to);
        } else if from <= to {
            older = Some((from, to));
        }
        (from, to, flags) = (p.from, p.to, p.flags);
    }
    if older.is_some_and(|(f, t)| f <= to && from <= t) {
        (from, to) = (1, 0);
    }
    (from, to, flags)
}

/// What slot `e`'s newest period says of `date`.
#[inline]
fn slot_hit<F: Copy>(e: &Slot<F>, date: Ymd) -> Hit<F> {
    let i = e.idx as usize;
    if e.from <= date && date <= e.to { Hit::Valid(i, e.flags) } else { Hit::Other(i) }
}

/// `hit`, with a code the newest period did not answer for looked up in all its periods
/// (`periods(i)`, in table order).
#[inline]
fn older<F, I>(hit: Hit<F>, date: Ymd, periods: impl FnOnce(usize) -> I) -> Hit<F>
where
    I: Iterator<Item = Period<F>>,
{
    match hit {
        Hit::Other(i) => match periods(i).find(|p| p.from <= date && date <= p.to) {
            Some(p) => Hit::Valid(i, p.flags),
            None => Hit::Other(i),
        },
        hit => hit,
    }
}

/// Asks the CPU to load the cache line holding `at` (into every level) without waiting for
/// it: a hint, which does nothing where there is no prefetch instruction. Any address will do,
/// a dangling one included (an empty `Vec`'s or `String`'s): a prefetch never faults.
#[inline(always)]
pub fn prefetch<T>(at: *const T) {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    // SAFETY: `_mm_prefetch` needs SSE, which every x86_64 CPU has; a prefetch reads nothing
    // the program sees and never faults, whatever the address.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(at.cast());
    }
    #[cfg(not(all(target_arch = "x86_64", not(miri))))]
    let _ = at;
}

#[inline]
fn hash(key: u64, shift: u32) -> usize {
    // Fibonacci hashing: the multiply spreads the ASCII bytes, the top bits are the best mixed.
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refs::key_of;

    fn p(from: Ymd, to: Ymd, flags: u32) -> Period<u32> {
        Period { from, to, flags }
    }

    #[test]
    fn finds_every_key_and_only_those() {
        let codes = ["A000", "A001", "E1122", "S52521A", "Z9989"];
        let keys: Vec<u64> = codes.iter().map(|c| key_of(c.as_bytes()).unwrap()).collect();
        let ix = KeyIndex::<u32>::build(&keys, |_| std::iter::empty());
        for (i, k) in keys.iter().enumerate() {
            ix.prefetch(*k);
            assert_eq!(ix.find(*k), Some(i));
        }
        assert_eq!(ix.find(key_of(b"E112").unwrap()), None);
        assert_eq!(ix.find(0), None);
        // A hint for any key, on any index, even one with no slots, is only a hint.
        for k in [0, u64::MAX, key_of(b"E112").unwrap()] {
            ix.prefetch(k);
            KeyIndex::<u32>::default().prefetch(k);
        }
    }

    #[test]
    fn lookup_many_answers_as_lookup_does() {
        // Enough keys for several groups and for collisions in a half-full table; every third
        // has an older period, so some dates need the period scan.
        let keys: Vec<u64> = (0..500u64).map(|i| key_of(format!("A{i:03}").as_bytes()).unwrap()).collect();
        let periods = |i: usize| {
            let newest = p(2020_10_01, crate::OPEN, 2);
            if i.is_multiple_of(3) { vec![p(2015_10_01, 2020_09_30, 1), newest] } else { vec![newest] }.into_iter()
        };
        let ix = KeyIndex::build(&keys, periods);
        let displaced = keys.iter().filter(|&&k| ix.slots[hash(k, ix.shift)].key != k).count();
        assert!(displaced > 0, "no key left its home slot: the collision branch would go untested");
        let mut asked: Vec<u64> = (0..700u64).map(|i| key_of(format!("A{i:03}").as_bytes()).unwrap()).collect();
        asked.extend([0, keys[7], keys[7]]);
        for date in [2014_01_01, 2019_01_01, 2026_01_01] {
            let mut got = Vec::new();
            ix.lookup_many(&asked, date, periods, |h| got.push(h));
            let want: Vec<_> = asked.iter().map(|&k| ix.lookup(k, date, periods)).collect();
            assert_eq!(got, want, "on {date}");
        }
        // No slots at all, and slots with no key in them.
        for empty in [KeyIndex::<u32>::default(), KeyIndex::build(&[], |_| std::iter::empty())] {
            let mut got = Vec::new();
            empty.lookup_many(&asked[..3], 2026_01_01, |_| std::iter::empty(), |h| got.push(h));
            assert_eq!(got, [Hit::Absent; 3]);
        }
    }

    #[test]
    fn newest_period_answers_only_when_no_older_period_overlaps_it() {
        let keys = [key_of(b"A").unwrap(), key_of(b"B").unwrap(), key_of(b"C").unwrap()];
        let periods = [
            vec![p(2015_10_01, 2020_09_30, 1), p(2020_10_01, crate::OPEN, 2)],
            vec![p(2015_10_01, 2022_09_30, 1), p(2020_10_01, crate::OPEN, 2)],
            vec![],
        ];
        let ix = KeyIndex::build(&keys, |i| periods[i].clone().into_iter());
        assert_eq!(ix.probe(keys[0], 2026_01_01), Hit::Valid(0, 2));
        assert_eq!(ix.probe(keys[0], 2019_01_01), Hit::Other(0));
        assert_eq!(ix.probe(keys[1], 2026_01_01), Hit::Other(1));
        assert_eq!(ix.probe(keys[2], 2026_01_01), Hit::Other(2));
        assert_eq!(ix.probe(key_of(b"D").unwrap(), 2026_01_01), Hit::Absent);
        // Where the newest period cannot answer, the periods are scanned in table order.
        let lookup = |k: u64, date| ix.lookup(k, date, |i| periods[i].clone().into_iter());
        assert_eq!(lookup(keys[0], 2019_01_01), Hit::Valid(0, 1));
        assert_eq!(lookup(keys[0], 2014_01_01), Hit::Other(0));
        assert_eq!(lookup(keys[1], 2021_01_01), Hit::Valid(1, 1));
        assert_eq!(lookup(keys[1], 2026_01_01), Hit::Valid(1, 2));
        assert_eq!(lookup(keys[2], 2026_01_01), Hit::Other(2));
        assert_eq!(lookup(key_of(b"D").unwrap(), 2026_01_01), Hit::Absent);
    }
}
