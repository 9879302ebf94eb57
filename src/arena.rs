//! The binary's allocator: the system allocator, plus an arena a command switches on for a
//! burst of small, short-lived allocations.
//!
//! A scan of 800 migrations makes ~45,000 small allocations (statements, tokens, names,
//! findings) on two threads; a fifth of its instructions went to glibc's malloc and free,
//! plus lock waits when one thread freed what the other had allocated. With the arena
//! switched on ([`enable`], by `prisma-guard scan` only), small blocks come in power-of-two
//! size classes from a reserved address range: each thread takes 256 KiB chunks and keeps
//! its own free list per class. No locks, no headers, memory reused.
//!
//! A block freed on another thread than the one whose chunk it came from goes back to that
//! thread: the scan's workers make what the main thread frees, and otherwise each worker
//! would keep cutting fresh memory, every new page a fault that costs microseconds in a VM.
//! Such frees are pushed onto the owner's "remote" stack (one per thread and class); the
//! owner takes the whole stack at once when its own list runs dry, so no block is ever
//! popped by two threads (no ABA problem).
//!
//! Bounded: the range is reserved, not committed (pages are touched as they are used), and
//! when it is used up, or for blocks over 64 KiB, allocation falls back to the system
//! allocator. Every other command never switches it on and pays nothing (not even the
//! reservation, which is made on first use). Arena memory goes back to the system when the
//! process exits.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};

/// Reserved address range: the most a scan takes from the arena before falling back.
const RESERVE: usize = 1 << 30;
/// Taken from the range by one thread at a time.
const CHUNK: usize = 256 << 10;
/// A chunk's pages are committed this much at a time, as the chunk is used: a thread that
/// needs little memory does not pay for the page faults of a whole chunk.
const COMMIT: usize = 64 << 10;
/// Threads whose blocks are given back to them (a chunk's owner tag is one byte); later
/// threads keep what they free.
const OWNERS: usize = 254;
/// Size classes 16 B, 32 B, ... 64 KiB; larger blocks go to the system allocator.
const CLASSES: usize = 13;
const SMALLEST: usize = 16;
/// The largest block the arena serves; larger ones are the system allocator's.
pub const LARGEST: usize = SMALLEST << (CLASSES - 1);

static ON: AtomicBool = AtomicBool::new(false);
/// 0: not reserved, 1: being reserved, 2: reserved, 3: reservation failed.
static STATE: AtomicU8 = AtomicU8::new(0);
static BASE: AtomicUsize = AtomicUsize::new(0);
/// Next free byte of the range (offset from `BASE`).
static NEXT: AtomicUsize = AtomicUsize::new(0);
/// Owner of each chunk: 1 + the owning thread's number (0: none).
static CHUNK_OWNER: [AtomicU8; RESERVE / CHUNK] = [const { AtomicU8::new(0) }; RESERVE / CHUNK];
/// Owner numbers handed out so far.
static THREADS: AtomicUsize = AtomicUsize::new(0);
/// Blocks freed by other threads, per owner and class: stacks linked through the blocks'
/// first word, like the free lists.
static REMOTE: [[AtomicUsize; CLASSES]; OWNERS] = [const { [const { AtomicUsize::new(0) }; CLASSES] }; OWNERS];

thread_local! {
    /// This thread's chunk: next free address, end of its committed part, end (0: none yet).
    static CHUNK_LEFT: Cell<(usize, usize, usize)> = const { Cell::new((0, 0, 0)) };
    /// This thread's free blocks, a list per size class (the next pointer is in the block).
    static FREE: [Cell<usize>; CLASSES] = const { [const { Cell::new(0) }; CLASSES] };
    /// This thread's owner number (`usize::MAX`: not given yet; `OWNERS`: none left).
    static ME: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// Serve small allocations from the arena from now on (in this process, all threads).
pub fn enable() {
    ON.store(true, Ordering::Relaxed);
}

pub struct Alloc;

fn reserved() -> Option<usize> {
    match STATE.load(Ordering::Acquire) {
        2 => return Some(BASE.load(Ordering::Relaxed)),
        0 => {}
        _ => return None,
    }
    if STATE.compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed).is_err() {
        return None; // another thread is reserving: use the system allocator meanwhile
    }
    let p = map_reserve();
    if p.is_null() {
        STATE.store(3, Ordering::Release);
        return None;
    }
    BASE.store(p as usize, Ordering::Relaxed);
    STATE.store(2, Ordering::Release);
    Some(p as usize)
}

/// The reserved range, or null (then the system allocator serves everything).
#[cfg(any(target_os = "linux", target_os = "android", target_os = "macos"))]
fn map_reserve() -> *mut libc::c_void {
    // SAFETY: an anonymous private mapping at an address of the kernel's choice touches no
    // existing memory; MAP_NORESERVE commits nothing until pages are written.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            RESERVE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        std::ptr::null_mut()
    } else {
        p
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "macos")))]
fn map_reserve() -> *mut libc::c_void {
    std::ptr::null_mut()
}

fn in_arena(p: *mut u8) -> bool {
    let base = BASE.load(Ordering::Relaxed);
    base != 0 && (p as usize).wrapping_sub(base) < RESERVE
}

/// The size class of a layout (`None`: too large for the arena). A block of class `c` is
/// `16 << c` bytes, aligned to its size up to 4 KiB, so it suits any layout of its class.
fn class(layout: Layout) -> Option<usize> {
    let size = layout.size().max(layout.align());
    if size > LARGEST || layout.align() > 4096 {
        return None;
    }
    // ceil(log2(size)) - 4, with 16 bytes the least.
    Some(if size <= SMALLEST { 0 } else { (usize::BITS - (size - 1).leading_zeros()) as usize - 4 })
}

/// A block of class `c`: from this thread's free list, else from the blocks other threads
/// gave back, else cut from its chunk.
fn take(c: usize) -> Option<*mut u8> {
    let reused = FREE.with(|free| {
        let mut head = free[c].get();
        if head == 0 {
            let me = ME.get();
            if me < OWNERS {
                // The whole stack at once: only this thread ever takes from it.
                head = REMOTE[me][c].swap(0, Ordering::Acquire);
            }
            if head == 0 {
                return None;
            }
        }
        // SAFETY: blocks on a free list or a remote stack are arena blocks of at least 16
        // bytes whose first word holds the next block (written by `give` or `free_block`,
        // published to this thread by the push's Release and the swap's Acquire).
        free[c].set(unsafe { *(head as *const usize) });
        Some(head as *mut u8)
    });
    if reused.is_some() {
        return reused;
    }
    let size = SMALLEST << c;
    let align = size.min(4096);
    CHUNK_LEFT.with(|left| {
        let (cur, committed, end) = left.get();
        let start = (cur + align - 1) & !(align - 1);
        let (start, mut committed, end) = if cur != 0 && start + size <= end {
            (start, committed, end)
        } else {
            let base = reserved()?;
            let offset = NEXT.fetch_add(CHUNK, Ordering::Relaxed);
            if offset + CHUNK > RESERVE {
                return None;
            }
            CHUNK_OWNER[offset / CHUNK].store(owner_tag(), Ordering::Relaxed);
            (base + offset, base + offset, base + offset + CHUNK)
        };
        while committed < start + size {
            populate(committed);
            committed += COMMIT;
        }
        left.set((start + size, committed, end));
        Some(start as *mut u8)
    })
}

/// Commit the next `COMMIT` bytes of a chunk in one call (Linux 5.14+; elsewhere a no-op):
/// 16 page faults less, each of which costs microseconds in a VM.
fn populate(at: usize) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    // SAFETY: advice on a range of our own mapping; failure (older kernels) is harmless.
    unsafe {
        libc::madvise(at as *mut libc::c_void, COMMIT, libc::MADV_POPULATE_WRITE);
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = at;
}

/// This thread's tag for a chunk it takes: 1 + its owner number, 0 when none is left.
fn owner_tag() -> u8 {
    let mut me = ME.get();
    if me == usize::MAX {
        me = THREADS.fetch_add(1, Ordering::Relaxed).min(OWNERS);
        ME.set(me);
    }
    if me < OWNERS {
        me as u8 + 1
    } else {
        0
    }
}

/// Free the arena block `p` of class `c`: onto this thread's free list when its chunk is
/// this thread's (or its owner has no number), else onto the owner's remote stack.
fn free_block(p: *mut u8, c: usize) {
    let chunk = (p as usize - BASE.load(Ordering::Relaxed)) / CHUNK;
    let owner = CHUNK_OWNER[chunk].load(Ordering::Relaxed) as usize;
    if owner == 0 || owner - 1 == ME.get() {
        return give(p, c);
    }
    let head = &REMOTE[owner - 1][c];
    let mut next = head.load(Ordering::Relaxed);
    loop {
        // SAFETY: `p` is an arena block of at least 16 bytes, aligned to 16, no longer in
        // use; the Release below publishes this write with it.
        unsafe { *(p as *mut usize) = next };
        match head.compare_exchange_weak(next, p as usize, Ordering::Release, Ordering::Relaxed) {
            Ok(_) => return,
            Err(now) => next = now,
        }
    }
}

/// Put an arena block of class `c` on this thread's free list.
fn give(p: *mut u8, c: usize) {
    FREE.with(|free| {
        // SAFETY: `p` is an arena block of at least 16 bytes, aligned to 16, no longer in use.
        unsafe { *(p as *mut usize) = free[c].get() };
        free[c].set(p as usize);
    });
}

// SAFETY: an arena block is handed out once until it is freed (a free block is on exactly
// one free list or remote stack, and only its owning thread takes from either), is at least
// as large and aligned as its layout asks, and is never given to the system allocator;
// system blocks never reach the free lists.
unsafe impl GlobalAlloc for Alloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if ON.load(Ordering::Relaxed) {
            if let Some(p) = class(layout).and_then(take) {
                return p;
            }
        }
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !in_arena(ptr) {
            // SAFETY: not an arena block, so the system allocator made it.
            return unsafe { System.dealloc(ptr, layout) };
        }
        if let Some(c) = class(layout) {
            free_block(ptr, c);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !in_arena(ptr) {
            // SAFETY: a system block, forwarded with the caller's guarantees.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // SAFETY: `new_size` is non-zero and fits `isize` (the caller's guarantees), and the
        // alignment is the old layout's.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if class(new_layout).is_some() && class(new_layout) == class(layout) {
            return ptr; // the block already has room
        }
        // SAFETY: as for `alloc`.
        let p = unsafe { self.alloc(new_layout) };
        if !p.is_null() {
            // SAFETY: both blocks are at least `min(old, new)` bytes and do not overlap; the
            // old block is then freed with its layout.
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, p, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap_or(Layout::new::<u8>())
    }

    #[test]
    fn a_block_freed_on_another_thread_goes_back_to_its_maker() {
        enable();
        let l = layout(200, 8);
        let (to_freer, made) = std::sync::mpsc::channel::<usize>();
        let (freed, wait_freed) = std::sync::mpsc::channel::<()>();
        let maker = std::thread::spawn(move || {
            // SAFETY: a valid layout; the block is freed once (by the other thread), and
            // the second one here.
            unsafe {
                let p = Alloc.alloc(l) as usize;
                let numbered = ME.get() < OWNERS;
                to_freer.send(p).ok();
                wait_freed.recv().ok();
                // This thread's own list for the class is empty: the block comes back
                // from its remote stack.
                let q = Alloc.alloc(l);
                Alloc.dealloc(q, l);
                (numbered, p, q as usize)
            }
        });
        let p = made.recv().unwrap_or(0);
        assert!(p != 0 && in_arena(p as *mut u8));
        // SAFETY: the maker's block, freed once, here.
        unsafe { Alloc.dealloc(p as *mut u8, l) };
        freed.send(()).ok();
        let (numbered, p, q) = maker.join().unwrap_or((false, 0, 0));
        // A test binary may run more threads than there are owner numbers.
        if numbered {
            assert_eq!(p, q, "the block went back to the thread that made it");
        }
    }

    #[test]
    fn blocks_are_aligned_disjoint_reused_and_keep_contents() {
        enable();
        // Another test thread may be reserving the range right now (its allocations meanwhile
        // go to the system allocator): wait until it is reserved.
        while reserved().is_none() && STATE.load(Ordering::Acquire) != 3 {
            std::thread::yield_now();
        }
        let a = Alloc;
        let mut blocks = Vec::new();
        for (size, align) in [(1, 1), (24, 8), (3, 2), (100, 16), (4096, 4096), (7, 64), (40000, 8)] {
            // SAFETY: non-zero sizes, valid layouts; each block is written within its size.
            let p = unsafe { a.alloc(layout(size, align)) };
            assert!(!p.is_null() && (p as usize).is_multiple_of(align), "size {size} align {align}");
            assert!(in_arena(p), "size {size} served by the arena");
            // SAFETY: the block is `size` bytes.
            unsafe { std::ptr::write_bytes(p, 0xAB, size) };
            blocks.push((p as usize, size));
        }
        let mut sorted = blocks.clone();
        sorted.sort();
        assert!(sorted.windows(2).all(|w| w[0].0 + w[0].1 <= w[1].0), "overlap: {sorted:?}");
        // SAFETY: valid layouts; blocks are used within their sizes and freed once.
        unsafe {
            // A freed block is reused for the next block of its class.
            let p = a.alloc(layout(20, 8));
            a.dealloc(p, layout(20, 8));
            assert_eq!(a.alloc(layout(30, 8)), p);
            // Growing within the class keeps the block; past it moves the contents.
            std::ptr::write_bytes(p, 7, 30);
            assert_eq!(a.realloc(p, layout(30, 8), 32), p);
            let q = a.realloc(p, layout(32, 8), 1000);
            assert_ne!(q, p);
            assert_eq!(*q.add(29), 7);
            a.dealloc(q, layout(1000, 8));
        }
        // Large blocks are the system allocator's.
        let big = layout(CHUNK, 8);
        // SAFETY: valid layout, freed with it.
        unsafe {
            let p = a.alloc(big);
            assert!(!in_arena(p));
            a.dealloc(p, big);
        }
        assert_eq!(class(layout(16, 1)), Some(0));
        assert_eq!(class(layout(17, 1)), Some(1));
        assert_eq!(class(layout(1, 64)), Some(2));
        assert_eq!(class(layout(65536, 8)), Some(12));
        assert_eq!(class(layout(65537, 8)), None);
    }
}
