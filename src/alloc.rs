//! The process allocator: jemalloc for the many small, short-lived allocations of the record path (the owned
//! fields of every event), the system allocator for buffers of [`LARGE`] and more.
//!
//! Measured on 1 GB of CloudTrail (`bench/`): glibc's malloc and free were a fifth of the CPU time of
//! `denied`; jemalloc takes most of that away. But jemalloc grows a big buffer by allocate-copy-free, so a
//! record near the 32 MiB limit briefly costs twice its size, while glibc's `realloc` moves the pages of a
//! mapped block (`mremap`) without a copy. Routing by size keeps both: the size is in every call's layout, so
//! each block goes back to the allocator that made it.
//!
//! This and `decode::inflate` (libdeflate's FFI) and the splitter's SSE2 loads are the crate's only `unsafe`.

use std::alloc::{GlobalAlloc, Layout, System};

use tikv_jemallocator::Jemalloc;

/// Blocks of this size and more come from the system allocator.
pub const LARGE: usize = 4 << 20;

/// jemalloc below [`LARGE`], the system allocator from there on.
pub struct SplitAllocator;

fn is_large(size: usize) -> bool {
    size >= LARGE
}

// SAFETY: every method forwards to an allocator that upholds `GlobalAlloc`'s contract. A block is always
// returned to the allocator that made it: Rust passes the block's own layout to `dealloc` and `realloc`, and
// the choice depends only on that layout's size. A `realloc` across the threshold allocates from the other
// allocator, copies the smaller of the two sizes, and frees the old block from its own allocator.
unsafe impl GlobalAlloc for SplitAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees (non-zero size).
        unsafe { if is_large(layout.size()) { System.alloc(layout) } else { Jemalloc.alloc(layout) } }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        unsafe { if is_large(layout.size()) { System.alloc_zeroed(layout) } else { Jemalloc.alloc_zeroed(layout) } }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from the allocator this size selects (see above).
        unsafe { if is_large(layout.size()) { System.dealloc(ptr, layout) } else { Jemalloc.dealloc(ptr, layout) } }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        match (is_large(layout.size()), is_large(new_size)) {
            // SAFETY: same allocator on both sides; the caller's guarantees carry over.
            (true, true) => unsafe { System.realloc(ptr, layout, new_size) },
            (false, false) => unsafe { Jemalloc.realloc(ptr, layout, new_size) },
            _ => {
                // SAFETY: `new_size` with the old alignment is a valid layout (the caller guarantees it does not
                // overflow `isize` when rounded up to the alignment).
                let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
                // SAFETY: `new_size` is non-zero (caller's guarantee).
                let new = unsafe { self.alloc(new_layout) };
                if !new.is_null() {
                    // SAFETY: both blocks are valid for the copied length and do not overlap (distinct blocks);
                    // the old block is freed once, with its own layout.
                    unsafe {
                        std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                }
                new
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Grows and shrinks a block across the threshold in both directions; the bytes survive every move.
    #[test]
    fn blocks_keep_their_bytes_across_the_threshold() {
        let allocator = SplitAllocator;
        let sizes = [64, LARGE - 1, LARGE, LARGE * 2 + 3, 100, LARGE + 1, 1];
        let layout = Layout::from_size_align(sizes[0], 16).unwrap();
        // SAFETY: every pointer comes from `allocator` with the layout tracked alongside it.
        unsafe {
            let mut ptr = allocator.alloc(layout);
            assert!(!ptr.is_null());
            std::ptr::write_bytes(ptr, 0xA5, sizes[0]);
            let mut current = layout;
            for &size in &sizes[1..] {
                ptr = allocator.realloc(ptr, current, size);
                assert!(!ptr.is_null());
                let kept = current.size().min(size);
                assert!(
                    std::slice::from_raw_parts(ptr, kept).iter().all(|&b| b == 0xA5),
                    "{} -> {size}",
                    current.size()
                );
                std::ptr::write_bytes(ptr, 0xA5, size);
                current = Layout::from_size_align(size, 16).unwrap();
            }
            allocator.dealloc(ptr, current);
            let zeroed = Layout::from_size_align(LARGE, 8).unwrap();
            let block = allocator.alloc_zeroed(zeroed);
            assert!(std::slice::from_raw_parts(block, LARGE).iter().all(|&b| b == 0));
            allocator.dealloc(block, zeroed);
        }
    }
}
