//! O(1) code lookup for the ICD-10-CM and ICD-10-PCS tables.
//!
//! The hot question of claim checking — "is this code valid on this date, with which flags?"
//! — is answered here: the code's position from a hash of its 8-byte key, then its newest
//! validity period from a compact array, because nearly every claim is dated inside it. Only
//! older dates fall back to the encoded period list.

use crate::date::Ymd;
use crate::model::Period;

/// A code's key with its newest validity period (`from > to` when there is none, or when an
/// older period overlaps it: then the caller must scan every period to give the same answer as
/// a scan in table order). Key and period share a cache line: a probe reads the slot, then
/// this.
#[derive(Debug, Clone, Copy)]
struct Newest<F> {
    key: u64,
    from: Ymd,
    to: Ymd,
    flags: F,
}

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

/// Open-addressing hash of sorted, distinct code keys (linear probing, at most half full),
/// plus each code's newest period in key order. A slot holds only a key index (4 bytes), so
/// the slots of the whole ICD-10-CM table fit in 1 MiB and stay in cache; a run of nearby
/// codes then reads neighbouring keys and periods.
#[derive(Debug, Default)]
pub(crate) struct KeyIndex<F> {
    /// Key index + 1; 0 = empty.
    slots: Box<[u32]>,
    /// `64 - log2(slots.len())`: the hash is the top bits of a multiplicative mix.
    shift: u32,
    newest: Box<[Newest<F>]>,
}

impl<F: Copy + Default> KeyIndex<F> {
    /// Index `keys` (distinct); `periods(i)` are the periods of key `i` in table order.
    pub fn build<I>(keys: &[u64], mut periods: impl FnMut(usize) -> I) -> Self
    where
        I: Iterator<Item = Period<F>>,
    {
        let cap = (keys.len() * 2).next_power_of_two().max(16);
        let mut slots = vec![0u32; cap].into_boxed_slice();
        let shift = 64 - cap.trailing_zeros();
        for (i, &k) in keys.iter().enumerate() {
            let mut s = hash(k, shift);
            while slots[s] != 0 {
                s = (s + 1) & (cap - 1);
            }
            slots[s] = i as u32 + 1;
        }
        let newest = (0..keys.len())
            .map(|i| {
                let (mut from, mut to, mut flags) = (1, 0, F::default());
                let mut older: Option<(Ymd, Ymd)> = None;
                for p in periods(i) {
                    if let Some((f, t)) = older.as_mut() {
                        *f = (*f).min(from);
                        *t = (*t).max(to);
                    } else if from <= to {
                        older = Some((from, to));
                    }
                    (from, to, flags) = (p.from, p.to, p.flags);
                }
                // An older period reaching into the newest one would win a scan in table order.
                if older.is_some_and(|(f, t)| f <= to && from <= t) {
                    (from, to) = (1, 0);
                }
                Newest { key: keys[i], from, to, flags }
            })
            .collect();
        KeyIndex { slots, shift, newest }
    }

    /// Index of `key` in the keys this index was built over.
    #[inline]
    pub fn find(&self, key: u64) -> Option<usize> {
        self.entry(key).map(|(i, _)| i)
    }

    #[inline]
    fn entry(&self, key: u64) -> Option<(usize, &Newest<F>)> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut s = hash(key, self.shift);
        loop {
            let i = (*self.slots.get(s)? as usize).checked_sub(1)?;
            let e = self.newest.get(i)?;
            if e.key == key {
                return Some((i, e));
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
    /// groups: every slot of a group is read before any of its entries, and every entry's key
    /// before any is compared, so the group's loads overlap. One key at a time, each look-up
    /// waited for its slot and then for its entry: in random code order, about one L2 miss
    /// after another.
    pub fn lookup_many<I>(&self, keys: &[u64], date: Ymd, periods: impl Fn(usize) -> I, mut out: impl FnMut(Hit<F>))
    where
        I: Iterator<Item = Period<F>>,
    {
        const GROUP: usize = 16;
        if self.slots.is_empty() {
            keys.iter().for_each(|_| out(Hit::Absent));
            return;
        }
        for group in keys.chunks(GROUP) {
            let mut first = [0u32; GROUP];
            for (f, &k) in first.iter_mut().zip(group) {
                *f = self.slots[hash(k, self.shift)];
            }
            let mut found = [0u64; GROUP];
            for (k, &f) in found.iter_mut().zip(&first) {
                // Slot values are key index + 1, so `f - 1` is in `newest` when `f > 0`.
                if let Some(e) = (f as usize).checked_sub(1).and_then(|i| self.newest.get(i)) {
                    *k = e.key;
                }
            }
            for ((&key, &f), &k) in group.iter().zip(&first).zip(&found) {
                let hit = match f {
                    0 => Hit::Absent,
                    // The first slot holds the key: its entry is in cache now.
                    f if k == key => newest_hit(f as usize - 1, &self.newest[f as usize - 1], date),
                    // A collision: probe on, as one look-up would.
                    _ => self.probe(key, date),
                };
                out(older(hit, date, &periods));
            }
        }
    }

    /// Looks `key` up and tests `date` against its newest period only.
    #[inline]
    fn probe(&self, key: u64, date: Ymd) -> Hit<F> {
        match self.entry(key) {
            Some((i, n)) => newest_hit(i, n, date),
            None => Hit::Absent,
        }
    }
}

/// What entry `i`'s newest period `n` says of `date`.
#[inline]
fn newest_hit<F: Copy>(i: usize, n: &Newest<F>, date: Ymd) -> Hit<F> {
    if n.from <= date && date <= n.to { Hit::Valid(i, n.flags) } else { Hit::Other(i) }
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
            assert_eq!(ix.find(*k), Some(i));
        }
        assert_eq!(ix.find(key_of(b"E112").unwrap()), None);
        assert_eq!(ix.find(0), None);
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
        let mut asked: Vec<u64> = (0..700u64).map(|i| key_of(format!("A{i:03}").as_bytes()).unwrap()).collect();
        asked.extend([0, keys[7], keys[7]]);
        for date in [2014_01_01, 2019_01_01, 2026_01_01] {
            let mut got = Vec::new();
            ix.lookup_many(&asked, date, periods, |h| got.push(h));
            let want: Vec<_> = asked.iter().map(|&k| ix.lookup(k, date, periods)).collect();
            assert_eq!(got, want, "on {date}");
        }
        let mut got = Vec::new();
        KeyIndex::<u32>::default().lookup_many(&asked[..3], 2026_01_01, |_| std::iter::empty(), |h| got.push(h));
        assert_eq!(got, [Hit::Absent; 3]);
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
