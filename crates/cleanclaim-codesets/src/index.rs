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

    /// Whether [`lookup`](Self::lookup) of each key of `keys` is [`Hit::Valid`], written to
    /// `out` (as long as `keys`) in order, a group at a time ([`in_groups`]), the next group's
    /// home slots asked for first (+5–17 % over stopping at each group's end; two groups ahead
    /// gained no more, four lost).
    pub fn valid_many<I>(&self, keys: &[u64], date: Ymd, periods: impl Fn(usize) -> I, out: &mut [bool])
    where
        I: Iterator<Item = Period<F>>,
    {
        if self.slots.is_empty() {
            assert_eq!(keys.len(), out.len(), "one answer per key");
            out.fill(false);
            return;
        }
        // One pass that answers each key from its home slot (for dates with no set of their
        // valid codes: see `KeySet`), so the instructions count: the generic walk through `Hit`
        // and a pushed answer took ~60 a key, this ~40. (Keeping the next group's slot indexes
        // from its prefetch rather than hashing twice took 45.)
        in_groups(
            keys,
            out,
            |k| self.prefetch(k),
            |key| {
                let e = &self.slots[hash(key, self.shift)];
                if e.key == key && key != 0 {
                    (e.from <= date && date <= e.to) || older_valid(e.idx as usize, date, &periods)
                } else {
                    // Empty (absent), or a collision: probe on, as one look-up would.
                    e.key != 0 && matches!(older(self.probe(key, date), date, &periods), Hit::Valid(..))
                }
            },
        );
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

/// A set of distinct code keys in buckets of one cache line (8 keys, filled from the front):
/// the codes valid on one range of dates, 1 MiB for ICD-10-CM's ~75,000 against the 6 MiB of
/// the [`KeyIndex`], which holds every code with its periods. A look-up compares its key with
/// the 8 of its home bucket at once and reads a further bucket only when the home bucket is
/// full (buckets are at most 5/8 full on average; on 2026-04-01, 1.5 % of the keys are past
/// their home and 9 % of the buckets full). With 8-byte slots and linear probing, 29 % of the
/// keys were past their home slot, each one a branch the CPU guessed wrong; 20 % are in the
/// 24-byte slots of the index, a quarter of whose home slots run into a second cache line.
/// One look-up at a time (a call per code) waits for its bucket, and a table that stays in
/// cache answers sooner: a Python loop of one call per code ran ×2.0–2.8.
#[derive(Debug)]
pub(crate) struct KeySet {
    buckets: Box<[Bucket]>,
    shift: u32,
}

/// Keys in one cache line; 0 is an empty place, and the places of a bucket fill in order, so
/// a bucket whose last place is empty has no key past its home.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(64))]
struct Bucket([u64; 8]);

impl Bucket {
    /// Whether `key` is in one of the places.
    #[inline(always)]
    fn has(&self, key: u64) -> bool {
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        return self.has_sse2(key);
        #[cfg(not(all(target_arch = "x86_64", not(miri))))]
        return self.has_each(key);
    }

    /// [`has`](Self::has), one place at a time: LLVM compares each key on its own (no 64-bit
    /// vector compare before SSE4.1), ~24 instructions.
    #[cfg_attr(all(target_arch = "x86_64", not(miri)), allow(dead_code))]
    #[inline(always)]
    fn has_each(&self, key: u64) -> bool {
        self.0.iter().fold(false, |found, &k| found | (k == key))
    }

    /// [`has`](Self::has) with SSE2, which every x86_64 CPU has (~12 instructions): the
    /// bucket's 32-bit halves are compared with the key's and narrowed to one bit each; a
    /// place holds the key when both of its halves match.
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    #[inline(always)]
    fn has_sse2(&self, key: u64) -> bool {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is part of the x86_64 baseline; the loads read the bucket's 64 bytes,
        // 16 at a time, from its 64-byte aligned start.
        let halves = unsafe {
            let k = _mm_set1_epi64x(key as i64);
            let at = |i: usize| _mm_load_si128(self.0.as_ptr().add(2 * i).cast());
            let eq = |i: usize| _mm_cmpeq_epi32(at(i), k);
            // All-ones and zero 32-bit lanes narrow to all-ones and zero bytes (saturating).
            let bytes = _mm_packs_epi16(_mm_packs_epi32(eq(0), eq(1)), _mm_packs_epi32(eq(2), eq(3)));
            _mm_movemask_epi8(bytes) as u32
        };
        halves & (halves >> 1) & 0x5555 != 0
    }

    #[inline(always)]
    fn is_full(&self) -> bool {
        self.0[7] != 0
    }
}

impl KeySet {
    /// The set of `keys` (distinct, none 0).
    pub fn build(keys: &[u64]) -> Self {
        let cap = (keys.len() / 5 + 1).next_power_of_two().max(2);
        let mut buckets = vec![Bucket::default(); cap].into_boxed_slice();
        let shift = 64 - cap.trailing_zeros();
        for &k in keys {
            debug_assert_ne!(k, 0, "code key 0");
            let mut b = hash(k, shift);
            // Fewer keys than places: some bucket has room, and the walk ends there.
            loop {
                if let Some(place) = buckets[b].0.iter_mut().find(|p| **p == 0) {
                    *place = k;
                    break;
                }
                b = (b + 1) & (cap - 1);
            }
        }
        KeySet { buckets, shift }
    }

    /// Whether `key` is in the set (never for 0).
    #[inline]
    pub fn contains(&self, key: u64) -> bool {
        let mask = self.buckets.len() - 1;
        let mut b = hash(key, self.shift);
        loop {
            let bucket = &self.buckets[b];
            let found = bucket.has(key);
            // One branch, nearly always taken, whether the key is found or not: a bucket with
            // room holds every key whose home it is. 0 matches an empty place; it is no key.
            if found | !bucket.is_full() {
                return found & (key != 0);
            }
            b = (b + 1) & mask;
        }
    }

    /// [`contains`](Self::contains) of each key of `keys`, written to `out` (as long as
    /// `keys`) in order, a group at a time ([`in_groups`]), the next group's home buckets asked
    /// for first.
    pub fn contains_many(&self, keys: &[u64], out: &mut [bool]) {
        // A hint needs no bounds check: the address is never read.
        let fetch = |k| prefetch(self.buckets.as_ptr().wrapping_add(hash(k, self.shift)));
        in_groups(keys, out, fetch, |key| self.contains(key));
    }
}

/// `answer` of each key of `keys`, written to `out` (as long as `keys`) in order, [`GROUP`]
/// keys at a time: `fetch` asks for the memory of the next group's keys before this group is
/// answered, so that the loads overlap instead of each waiting for the answer before it.
#[inline(always)]
fn in_groups(keys: &[u64], out: &mut [bool], fetch: impl Fn(u64), answer: impl Fn(u64) -> bool) {
    assert_eq!(keys.len(), out.len(), "one answer per key");
    let mut groups = keys.chunks(GROUP).zip(out.chunks_mut(GROUP)).peekable();
    while let Some((group, out)) = groups.next() {
        if let Some((next, _)) = groups.peek() {
            next.iter().for_each(|&k| fetch(k));
        }
        for (&key, found) in group.iter().zip(out) {
            *found = answer(key);
        }
    }
}

/// Whether one of code `i`'s `periods` (in table order) holds `date`: for a code whose newest
/// period does not. [`older`] without the flags it finds: through `older(slot_hit(..))` a batch
/// look-up took ~2 instructions a code more (callgrind).
#[cold]
fn older_valid<F, I>(i: usize, date: Ymd, periods: impl FnOnce(usize) -> I) -> bool
where
    I: Iterator<Item = Period<F>>,
{
    periods(i).any(|p| p.from <= date && date <= p.to)
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

    /// The SSE2 compare finds a key where the place-by-place one does, and only there: a
    /// place matching the key in one 32-bit half is not the key.
    #[test]
    fn bucket_compares_agree() {
        let key = 0x0123_4567_89AB_CDEF_u64;
        let others = [0, key ^ 1, key ^ 1 << 40, key.rotate_left(32), key & 0xFFFF_FFFF, key >> 32 << 32, u64::MAX];
        let mut state = 0x9E37_79B9_u64;
        for round in 0..10_000 {
            let mut b = Bucket::default();
            for place in &mut b.0 {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                *place = others[(state >> 33) as usize % others.len()];
            }
            if round % 3 == 0 {
                b.0[(state >> 20) as usize % 8] = key;
            }
            for k in [key, 0, u64::MAX, key ^ 1] {
                assert_eq!(b.has(k), b.has_each(k), "{k:x} in {:x?}", b.0);
            }
            assert_eq!(b.has(key), round % 3 == 0, "{:x?}", b.0);
        }
    }

    #[test]
    fn key_set_holds_its_keys_and_no_other() {
        let keys: Vec<u64> = (0..5000u64).map(|i| key_of(format!("B{i:04}").as_bytes()).unwrap()).collect();
        // 3,000 keys take 1,024 buckets; a dozen more keys whose home is bucket `home` than it
        // holds, so that some are found (and others found absent) past a full bucket.
        let shift = 64 - 1024u32.trailing_zeros();
        let home = hash(keys[0], shift);
        let same_home: Vec<u64> = (0..100_000u64)
            .map(|i| key_of(format!("C{i:05}").as_bytes()).unwrap())
            .filter(|&k| hash(k, shift) == home)
            .take(24)
            .collect();
        let (crowd, absent) = same_home.split_at(12);
        let mut held = keys[..3000 - crowd.len()].to_vec();
        held.extend(crowd);
        let set = KeySet::build(&held);
        assert_eq!(set.shift, shift);
        assert!(set.buckets[home].is_full());
        assert!(crowd.iter().any(|&k| !set.buckets[home].has(k)), "every key in its home: the walk goes untested");
        assert!(held.iter().all(|&k| set.contains(k)));
        assert!(!keys[3000..].iter().chain(absent).any(|&k| set.contains(k)));
        assert!(!set.contains(0));
        let mut found = vec![false; keys.len() + absent.len() + 1];
        let asked: Vec<u64> = keys.iter().chain(absent).copied().chain([0]).collect();
        set.contains_many(&asked, &mut found);
        assert_eq!(found, asked.iter().map(|&k| set.contains(k)).collect::<Vec<_>>());
        assert_eq!(found.iter().filter(|&&f| f).count(), 3000 - crowd.len());
        let empty = KeySet::build(&[]);
        assert!(!empty.contains(keys[0]) && !empty.contains(0));
    }

    #[test]
    fn valid_many_answers_as_lookup_does() {
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
            let mut got = vec![false; asked.len()];
            ix.valid_many(&asked, date, periods, &mut got);
            let want: Vec<_> = asked.iter().map(|&k| matches!(ix.lookup(k, date, periods), Hit::Valid(..))).collect();
            assert_eq!(got, want, "on {date}");
            // Codes valid and not: both answers are written (none is, before every period).
            assert_eq!(want.contains(&true), date > 2015_10_01, "on {date}");
            assert!(want.contains(&false), "on {date}");
        }
        // No slots at all, and slots with no key in them.
        for empty in [KeyIndex::<u32>::default(), KeyIndex::build(&[], |_| std::iter::empty())] {
            let mut got = [true; 3];
            empty.valid_many(&asked[..3], 2026_01_01, |_| std::iter::empty(), &mut got);
            assert_eq!(got, [false; 3]);
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
