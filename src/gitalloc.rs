//! libgit2's memory from the binary's allocator (see `crate::arena`), not from C's `malloc`.
//!
//! A pre-commit scan reads the index (one entry per file: 800 migrations are 800 entries)
//! and tree objects through libgit2, thousands of small blocks. Under musl (the release build
//! on x86_64 Linux) `malloc` and `free` were 7% of `scan --staged`, and that build's scan
//! took 8.1 ms against glibc's 6.7. Handed to the Rust allocator, those blocks come from the
//! scan's arena.
//!
//! libgit2 frees without a size, so each block carries its size in a 16-byte header. The
//! allocator is installed before libgit2 is initialised (`git_libgit2_opts` allows that, and
//! libgit2's own set-up then keeps it): every block libgit2 ever frees was made here.

use std::alloc::Layout;
use std::ffi::{c_char, c_int, c_void};
use std::sync::Once;

/// libgit2's `git_allocator` (include/git2/sys/alloc.h).
#[repr(C)]
struct GitAllocator {
    gmalloc: unsafe extern "C" fn(usize, *const c_char, c_int) -> *mut c_void,
    grealloc: unsafe extern "C" fn(*mut c_void, usize, *const c_char, c_int) -> *mut c_void,
    gfree: unsafe extern "C" fn(*mut c_void),
}

/// Room for the size, and the alignment `malloc` gives.
const HEADER: usize = 16;

static ALLOCATOR: GitAllocator = GitAllocator { gmalloc, grealloc, gfree };

/// Install the allocator; call before anything else of libgit2 (lib.rs `run` does, first).
/// Once per process: a second call could not know whether libgit2 has started meanwhile.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: `GIT_OPT_SET_ALLOCATOR` takes a `git_allocator *`, which libgit2 copies; the
        // struct matches the C one field for field. libgit2 is not initialised yet, so no
        // block made by its default allocator can reach `gfree`.
        unsafe {
            libgit2_sys::git_libgit2_opts(
                libgit2_sys::GIT_OPT_SET_ALLOCATOR as c_int,
                std::ptr::addr_of!(ALLOCATOR).cast::<c_void>(),
            );
        }
    });
}

fn layout(size: usize) -> Option<Layout> {
    Layout::from_size_align(size.checked_add(HEADER)?, HEADER).ok()
}

/// A block of `size` bytes (its header before it), or null.
fn allocate(size: usize) -> *mut c_void {
    let Some(layout) = layout(size) else { return std::ptr::null_mut() };
    // SAFETY: the layout is non-zero in size; the header is within the block, aligned for `usize`.
    unsafe {
        let base = std::alloc::alloc(layout);
        if base.is_null() {
            return std::ptr::null_mut();
        }
        base.cast::<usize>().write(size);
        base.add(HEADER).cast()
    }
}

unsafe extern "C" fn gmalloc(size: usize, _file: *const c_char, _line: c_int) -> *mut c_void {
    allocate(size)
}

unsafe extern "C" fn grealloc(ptr: *mut c_void, size: usize, _file: *const c_char, _line: c_int) -> *mut c_void {
    if ptr.is_null() {
        return allocate(size);
    }
    // SAFETY: `ptr` came from `allocate` (every libgit2 block does): its header is just
    // before it and holds the size it was made with, so the old layout is the one it had.
    unsafe {
        let base = ptr.cast::<u8>().sub(HEADER);
        let old = base.cast::<usize>().read();
        let (Some(old_layout), Some(_)) = (layout(old), layout(size)) else { return std::ptr::null_mut() };
        let moved = std::alloc::realloc(base, old_layout, size + HEADER);
        if moved.is_null() {
            return std::ptr::null_mut(); // the old block stays valid, as C's realloc leaves it
        }
        moved.cast::<usize>().write(size);
        moved.add(HEADER).cast()
    }
}

unsafe extern "C" fn gfree(ptr: *mut c_void) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: as in `grealloc`.
    unsafe {
        let base = ptr.cast::<u8>().sub(HEADER);
        let size = base.cast::<usize>().read();
        if let Some(layout) = layout(size) {
            std::alloc::dealloc(base, layout);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_their_bytes_through_growth_and_shrinking() {
        // SAFETY: blocks are used within the sizes asked, and freed once.
        unsafe {
            let p = gmalloc(10, std::ptr::null(), 0).cast::<u8>();
            assert!(!p.is_null());
            assert_eq!(p as usize % HEADER, 0, "aligned as malloc aligns");
            for i in 0..10 {
                *p.add(i) = i as u8;
            }
            let q = grealloc(p.cast(), 100_000, std::ptr::null(), 0).cast::<u8>();
            assert!((0..10).all(|i| *q.add(i) == i as u8));
            *q.add(99_999) = 7;
            let r = grealloc(q.cast(), 5, std::ptr::null(), 0).cast::<u8>();
            assert!((0..5).all(|i| *r.add(i) == i as u8));
            gfree(r.cast());
            gfree(std::ptr::null_mut());
            let fresh = grealloc(std::ptr::null_mut(), 3, std::ptr::null(), 0);
            assert!(!fresh.is_null());
            gfree(fresh);
            assert!(gmalloc(usize::MAX - 8, std::ptr::null(), 0).is_null(), "an impossible size is refused");
        }
    }
}
