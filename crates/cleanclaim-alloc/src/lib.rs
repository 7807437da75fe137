//! mimalloc as the global allocator of the `cleanclaim` command and the Python and Node
//! bindings (a claim is ~50 small strings and lists, which mimalloc allocates and frees ~25 %
//! faster than glibc's `malloc`). The core library leaves the choice to whoever embeds it.
//!
//! The `mimalloc` crate's allocator asks for every block through `mi_malloc_aligned`, whatever
//! the alignment. In mimalloc 3 that path is longer than `mi_malloc`'s (callgrind, reading and
//! checking 20,000 claims: allocation 43.4 M instructions through it, 26.2 M through the plain
//! calls), and when the small block at hand is not aligned, or the size is over 1 KiB, it
//! over-allocates. Every block mimalloc hands out is at least word-aligned (bin sizes are
//! whole words, a page's first block is 16-aligned), so a request aligned to 8 or less, which
//! is all of a claim's, takes the plain calls here; any larger alignment keeps the aligned ones.
//!
//! That holds for mimalloc as built here. Its guarded-page debugging (`libmimalloc-sys`'s
//! `debug` feature, with `MIMALLOC_GUARDED_PRECISE=1` at run time) places a block against a
//! guard page, possibly unaligned: do not enable that feature with this allocator.
//!
//! ```ignore
//! #[global_allocator]
//! static GLOBAL: cleanclaim_alloc::MiMalloc = cleanclaim_alloc::MiMalloc;
//! ```

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys::{
    mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned, mi_zalloc, mi_zalloc_aligned,
};

/// The largest alignment every mimalloc block has.
const WORD: usize = std::mem::size_of::<usize>();

/// mimalloc, with plain calls for word alignment or less (see the crate documentation).
#[derive(Debug, Clone, Copy, Default)]
pub struct MiMalloc;

// SAFETY: every block comes from mimalloc and goes back to it (`mi_free` takes blocks of both
// kinds); a plain block is only handed out for an alignment of at most `WORD`, which every
// mimalloc block has; larger alignments go through mimalloc's aligned calls.
unsafe impl GlobalAlloc for MiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: plain FFI calls; mimalloc returns null when out of memory, as `alloc` may.
        unsafe {
            if layout.align() <= WORD {
                mi_malloc(layout.size()).cast()
            } else {
                mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        unsafe {
            if layout.align() <= WORD {
                mi_zalloc(layout.size()).cast()
            } else {
                mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator, so from mimalloc.
        unsafe { mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`; the new block keeps its alignment.
        unsafe {
            if layout.align() <= WORD {
                mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

/// mimalloc's `mi_option_arena_eager_commit` (mimalloc.h, v3).
#[cfg(target_os = "linux")]
const ARENA_EAGER_COMMIT: std::ffi::c_int = 4;

// Declared here rather than through `libmimalloc-sys`'s `extended` feature, which would add a
// dependency for one function; the library always has it.
#[cfg(target_os = "linux")]
unsafe extern "C" {
    fn mi_option_set_default(option: std::ffi::c_int, value: std::ffi::c_long);
    #[cfg(test)]
    fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
}

/// On Linux, mimalloc commits its arena eagerly by default, and an eagerly committed arena is
/// advised for transparent huge pages (`MADV_HUGEPAGE`): memory is then touched, zeroed and
/// held 2 MiB at a time. 2.5 s into checking a 1 GB 837, the process held 48 MiB of huge pages
/// in a resident set of 94 MiB; committed on demand, none in 69 MiB (`/proc/PID/smaps_rollup`). Its
/// peak was 120–142 MiB with eager commit and 69–79 MiB without, in the same time
/// (docs/performance.md, twenty-first session). mimalloc's `allow_thp` option would say the
/// same more directly, but it turns huge pages off for the whole process, which in a binding
/// is the host's.
///
/// It must be set before mimalloc's first allocation reserves the arena, which happens before
/// `main` (and before a binding's module is initialised): so in a loader constructor. It sets
/// the default only; `MIMALLOC_ARENA_EAGER_COMMIT` still overrides it.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static COMMIT_ON_DEMAND: extern "C" fn() = {
    extern "C" fn commit_on_demand() {
        // SAFETY: sets an option's default; callable before mimalloc is initialised.
        unsafe { mi_option_set_default(ARENA_EAGER_COMMIT, 0) }
    }
    commit_on_demand
};

#[cfg(test)]
mod tests {
    use super::*;

    /// The constructor ran before `main` (a test binary links this crate as a binding does).
    #[cfg(target_os = "linux")]
    #[test]
    fn the_arena_is_committed_on_demand_unless_the_environment_says_otherwise() {
        // SAFETY: reads an option.
        let eager = unsafe { mi_option_get(ARENA_EAGER_COMMIT) };
        match std::env::var("MIMALLOC_ARENA_EAGER_COMMIT") {
            Err(_) => assert_eq!(eager, 0),
            Ok(v) => assert_eq!(eager.to_string(), v),
        }
    }

    /// Every size up to a few pages, at every alignment from 1 to 4 KiB: the block is aligned,
    /// writable to its end, keeps its bytes when it grows, and is freed.
    #[test]
    fn blocks_are_aligned_and_usable_at_every_size_and_alignment() {
        let a = MiMalloc;
        for align in (0..=12).map(|s| 1usize << s) {
            for size in (1..=300).chain([511, 512, 513, 4095, 4096, 4097, 70_000]) {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: a non-zero size; the block is written within its size and freed once.
                unsafe {
                    let p = a.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size}, align {align}");
                    p.write_bytes(0xAB, size);
                    let q = a.realloc(p, layout, size * 2);
                    assert_eq!(q as usize % align, 0, "grown: size {size}, align {align}");
                    assert!((0..size).all(|i| *q.add(i) == 0xAB));
                    a.dealloc(q, Layout::from_size_align(size * 2, align).unwrap());
                    let z = a.alloc_zeroed(layout);
                    assert_eq!(z as usize % align, 0);
                    assert!((0..size).all(|i| *z.add(i) == 0));
                    a.dealloc(z, layout);
                }
            }
        }
    }
}
