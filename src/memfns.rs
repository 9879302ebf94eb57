//! `memcpy`, `memmove`, `memset`, `memcmp` and `bcmp` for the static musl build on x86_64.
//!
//! The release binary on Linux is linked statically. With glibc, every start runs glibc's
//! cache-size detection, ~80 `cpuid` instructions; in a VM each one traps to the hypervisor
//! (6.7 µs here), so a glibc process spends ~0.5 ms before `main`: half of what
//! `prisma-guard --version` costs, and an eighth of a scan of 800 migrations. musl does no
//! such detection (0.42 ms for `--version` instead of 0.84), but its `memcpy` is `rep movsq`
//! with byte loops at both ends, slow for the short copies Rust makes all the time (strings,
//! small vectors): with musl's own, a scan was 7% slower than with glibc; with these, 15%
//! faster.
//!
//! Short lengths are copied with overlapping loads and stores of 16 bytes or less, all
//! loads before any store (so they also serve `memmove`); longer ones with `rep movsb`,
//! which CPUs with ERMS/FSRM (Intel since Ivy Bridge, AMD since Zen 3) run at full speed.
//! The symbols are exported only in the musl build (the linker then takes them instead of
//! musl's); the same code is tested on every target through the safe wrappers below.
//!
//! The bodies use only plain loads and stores and inline assembly: nothing the compiler
//! could turn back into a call to these functions.

#[cfg(all(target_arch = "x86_64", any(test, all(target_os = "linux", target_env = "musl"))))]
mod imp {
    use core::arch::asm;

    /// Copy `n` bytes, `size_of::<T>() <= n <= 2 * size_of::<T>()`, as two (overlapping)
    /// words, the first and the last, both loaded before either is stored.
    ///
    /// # Safety
    /// `src` readable and `dst` writable for `n` bytes.
    #[inline(always)]
    unsafe fn copy_ends<T: Copy>(dst: *mut u8, src: *const u8, n: usize) {
        let last = n - std::mem::size_of::<T>();
        // SAFETY: both words lie within the first `n` bytes of each range.
        unsafe {
            let (a, b) = (src.cast::<T>().read_unaligned(), src.add(last).cast::<T>().read_unaligned());
            dst.cast::<T>().write_unaligned(a);
            dst.add(last).cast::<T>().write_unaligned(b);
        }
    }

    /// Copy `n` bytes, `n <= 64`, loading every byte before storing any: correct for
    /// overlapping ranges too.
    ///
    /// # Safety
    /// `src` readable and `dst` writable for `n` bytes.
    #[inline(always)]
    unsafe fn copy_short(dst: *mut u8, src: *const u8, n: usize) {
        // SAFETY (all arms): every access lies within the first `n` bytes of its range; the
        // reads come before the writes.
        unsafe {
            if n >= 32 {
                let a = src.cast::<u128>().read_unaligned();
                let b = src.add(16).cast::<u128>().read_unaligned();
                let c = src.add(n - 32).cast::<u128>().read_unaligned();
                let d = src.add(n - 16).cast::<u128>().read_unaligned();
                dst.cast::<u128>().write_unaligned(a);
                dst.add(16).cast::<u128>().write_unaligned(b);
                dst.add(n - 32).cast::<u128>().write_unaligned(c);
                dst.add(n - 16).cast::<u128>().write_unaligned(d);
            } else if n >= 16 {
                copy_ends::<u128>(dst, src, n);
            } else if n >= 8 {
                copy_ends::<u64>(dst, src, n);
            } else if n >= 4 {
                copy_ends::<u32>(dst, src, n);
            } else if n > 0 {
                let (a, b, c) = (*src, *src.add(n / 2), *src.add(n - 1));
                *dst = a;
                *dst.add(n / 2) = b;
                *dst.add(n - 1) = c;
            }
        }
    }

    /// # Safety
    /// As `memcpy`: `src` readable and `dst` writable for `n` bytes, not overlapping.
    pub unsafe fn copy(dst: *mut u8, src: *const u8, n: usize) {
        if n <= 64 {
            // SAFETY: as the caller promised.
            unsafe { copy_short(dst, src, n) };
            return;
        }
        // SAFETY: copies `n` bytes forward from `src` to `dst`; the direction flag is clear
        // on function entry (System V ABI).
        unsafe {
            asm!("rep movsb", inout("rcx") n => _, inout("rdi") dst => _, inout("rsi") src => _,
                 options(nostack, preserves_flags));
        }
    }

    /// # Safety
    /// As `memmove`: `src` readable and `dst` writable for `n` bytes; they may overlap.
    pub unsafe fn copy_overlapping(dst: *mut u8, src: *const u8, n: usize) {
        if n <= 64 {
            // SAFETY: all loads come before the stores.
            unsafe { copy_short(dst, src, n) };
            return;
        }
        if (dst as usize).wrapping_sub(src as usize) >= n {
            // `dst` before `src`, or apart: a forward copy never overwrites a byte it has yet
            // to read (`rep movsb` is defined as byte after byte, however fast it runs).
            // SAFETY: as in `copy`.
            unsafe {
                asm!("rep movsb", inout("rcx") n => _, inout("rdi") dst => _, inout("rsi") src => _,
                     options(nostack, preserves_flags));
            }
        } else {
            // `dst` inside `src..src + n`: copy from the last byte down, then clear the
            // direction flag again, as the ABI requires.
            // SAFETY: the last byte of each range is at `+ n - 1`, and `n > 64`.
            unsafe {
                asm!("std", "rep movsb", "cld",
                     inout("rcx") n => _, inout("rdi") dst.add(n - 1) => _, inout("rsi") src.add(n - 1) => _,
                     options(nostack));
            }
        }
    }

    /// # Safety
    /// As `memset`: `dst` writable for `n` bytes.
    pub unsafe fn fill(dst: *mut u8, byte: u8, n: usize) {
        if n <= 16 {
            let word = u64::from(byte) * 0x0101_0101_0101_0101;
            // SAFETY: every store lies within the first `n` bytes.
            unsafe {
                if n >= 8 {
                    dst.cast::<u64>().write_unaligned(word);
                    dst.add(n - 8).cast::<u64>().write_unaligned(word);
                } else if n >= 4 {
                    dst.cast::<u32>().write_unaligned(word as u32);
                    dst.add(n - 4).cast::<u32>().write_unaligned(word as u32);
                } else if n > 0 {
                    *dst = byte;
                    *dst.add(n / 2) = byte;
                    *dst.add(n - 1) = byte;
                }
            }
            return;
        }
        // SAFETY: stores `n` bytes forward from `dst`.
        unsafe {
            asm!("rep stosb", inout("rcx") n => _, inout("rdi") dst => _, in("al") byte,
                 options(nostack, preserves_flags));
        }
    }

    /// # Safety
    /// As `memcmp`: both readable for `n` bytes.
    pub unsafe fn compare(a: *const u8, b: *const u8, n: usize) -> i32 {
        let mut i = 0;
        while i + 8 <= n {
            // SAFETY: `i + 8 <= n`.
            let (x, y) = unsafe { (a.add(i).cast::<u64>().read_unaligned(), b.add(i).cast::<u64>().read_unaligned()) };
            if x != y {
                // Big-endian order compares as the bytes compare, first byte first.
                return if x.swap_bytes() < y.swap_bytes() { -1 } else { 1 };
            }
            i += 8;
        }
        while i < n {
            // SAFETY: `i < n`.
            let (x, y) = unsafe { (*a.add(i), *b.add(i)) };
            if x != y {
                return i32::from(x) - i32::from(y);
            }
            i += 1;
        }
        0
    }
}

#[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "musl"))]
mod exported {
    use super::imp;

    /// # Safety
    /// The C standard's contract for `memcpy`.
    #[no_mangle]
    pub unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        // SAFETY: the caller's contract is `copy`'s.
        unsafe { imp::copy(dst, src, n) };
        dst
    }

    /// # Safety
    /// The C standard's contract for `memmove`.
    #[no_mangle]
    pub unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        // SAFETY: the caller's contract is `copy_overlapping`'s.
        unsafe { imp::copy_overlapping(dst, src, n) };
        dst
    }

    /// # Safety
    /// The C standard's contract for `memset`.
    #[no_mangle]
    pub unsafe extern "C" fn memset(dst: *mut u8, c: i32, n: usize) -> *mut u8 {
        // SAFETY: the caller's contract is `fill`'s. C converts `c` to unsigned char.
        unsafe { imp::fill(dst, c as u8, n) };
        dst
    }

    /// # Safety
    /// The C standard's contract for `memcmp`.
    #[no_mangle]
    pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
        // SAFETY: the caller's contract is `compare`'s.
        unsafe { imp::compare(a, b, n) }
    }

    /// # Safety
    /// The contract for `bcmp`: zero when equal, anything else when not.
    #[no_mangle]
    pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
        // SAFETY: as `memcmp`.
        unsafe { imp::compare(a, b, n) }
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::imp;

    /// Lengths around every branch of the short paths, and well past them.
    fn lengths() -> impl Iterator<Item = usize> {
        (0..=200).chain([255, 256, 257, 1000, 4095, 4096, 4097, 65_536 + 3])
    }

    fn pattern(n: usize, seed: u8) -> Vec<u8> {
        (0..n).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
    }

    #[test]
    fn copy_copies_every_length_at_every_alignment_and_nothing_else() {
        for n in lengths() {
            for (s_off, d_off) in [(0, 0), (1, 0), (0, 3), (7, 5), (15, 9)] {
                let src = pattern(n + s_off, 1);
                let mut dst = vec![0xEEu8; n + d_off + 8];
                // SAFETY: both ranges are in bounds and distinct vectors.
                unsafe { imp::copy(dst.as_mut_ptr().add(d_off), src.as_ptr().add(s_off), n) };
                assert_eq!(&dst[d_off..d_off + n], &src[s_off..s_off + n], "n={n} s={s_off} d={d_off}");
                assert!(dst[..d_off].iter().all(|&b| b == 0xEE), "wrote before: n={n}");
                assert!(dst[d_off + n..].iter().all(|&b| b == 0xEE), "wrote past: n={n}");
            }
        }
    }

    #[test]
    fn copy_overlapping_matches_copy_within_in_both_directions() {
        for n in lengths().filter(|&n| n <= 5000) {
            for shift in [0usize, 1, 2, 7, 8, 15, 16, 31, 33, 64, 65, 100] {
                let total = n + shift + 4;
                // Forward (dst before src) and backward (dst after src).
                for (src, dst) in [(shift, 0), (0, shift)] {
                    let mut mine = pattern(total, 7);
                    let mut want = mine.clone();
                    want.copy_within(src..src + n, dst);
                    let p = mine.as_mut_ptr();
                    // SAFETY: both ranges lie inside `mine`.
                    unsafe { imp::copy_overlapping(p.add(dst), p.add(src), n) };
                    assert_eq!(mine, want, "n={n} src={src} dst={dst}");
                }
            }
        }
    }

    #[test]
    fn fill_sets_exactly_the_bytes_asked() {
        for n in lengths() {
            for off in [0, 1, 6] {
                let mut buf = vec![0x11u8; n + off + 8];
                // SAFETY: in bounds.
                unsafe { imp::fill(buf.as_mut_ptr().add(off), 0xA5, n) };
                assert!(buf[off..off + n].iter().all(|&b| b == 0xA5), "n={n}");
                assert!(buf[..off].iter().chain(&buf[off + n..]).all(|&b| b == 0x11), "n={n}");
            }
        }
    }

    #[test]
    fn compare_orders_as_bytes_compare() {
        for n in lengths().filter(|&n| n <= 300) {
            let a = pattern(n, 3);
            // SAFETY (all calls): in bounds.
            assert_eq!(unsafe { imp::compare(a.as_ptr(), a.clone().as_ptr(), n) }, 0, "n={n}");
            for at in [0, n / 3, n / 2, n.saturating_sub(1)].into_iter().filter(|&at| at < n) {
                for delta in [1u8, 0x80, 0xFF] {
                    let mut b = a.clone();
                    b[at] = b[at].wrapping_add(delta);
                    let got = unsafe { imp::compare(a.as_ptr(), b.as_ptr(), n) }.signum();
                    let want = a.cmp(&b) as i32;
                    assert_eq!(got, want, "n={n} at={at} delta={delta}");
                    let back = unsafe { imp::compare(b.as_ptr(), a.as_ptr(), n) }.signum();
                    assert_eq!(back, -want, "n={n} at={at} delta={delta}");
                }
            }
        }
    }
}
