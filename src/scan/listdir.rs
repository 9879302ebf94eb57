//! A folder's entries, named and typed, in as few system calls as the kernel allows.
//!
//! A Prisma migrations folder holds one folder per migration: 850 entries are ~34 KiB of
//! `getdents64` records. musl's `readdir` (the release build's libc on x86_64 Linux) reads
//! them 2 KiB at a time, 17 calls and 0.15 ms more than one call with a buffer that holds
//! them all. On Linux the records are read here directly into a 64 KiB buffer; elsewhere, and
//! when that fails, `std::fs::read_dir` lists the folder.

use std::path::Path;

/// What an entry is, as `std::fs::FileType` tells without following a symlink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Dir,
    File,
    /// A symlink, device, socket...: neither walked into nor read.
    Other,
}

impl EntryKind {
    fn of(ft: std::fs::FileType) -> EntryKind {
        if ft.is_dir() {
            EntryKind::Dir
        } else if ft.is_file() {
            EntryKind::File
        } else {
            EntryKind::Other
        }
    }
}

/// The entries of `dir` but `.` and `..`, in no particular order; names that are not UTF-8
/// made so (lossily). An entry whose kind cannot be told is left out, as
/// `std::fs::read_dir` leaves out entries it cannot read.
pub fn list(dir: &Path) -> std::io::Result<Vec<(String, EntryKind)>> {
    #[cfg(target_os = "linux")]
    if let Some(listed) = linux::list(dir) {
        return listed;
    }
    Ok(std::fs::read_dir(dir)?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().unwrap_or_else(|n| n.to_string_lossy().into_owned());
            Some((name, EntryKind::of(e.file_type().ok()?)))
        })
        .collect())
}

#[cfg(target_os = "linux")]
mod linux {
    use std::ffi::CStr;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    use super::EntryKind;

    const BUFFER: usize = crate::arena::LARGEST + 8;

    /// `None`: this way is not available here (the caller then uses `read_dir`).
    pub fn list(dir: &Path) -> Option<std::io::Result<Vec<(String, EntryKind)>>> {
        let mut path = dir.as_os_str().as_bytes().to_vec();
        if path.contains(&0) {
            return None;
        }
        path.push(0);
        // SAFETY: `path` is NUL-terminated and lives across the call.
        let fd = unsafe { libc::open(path.as_ptr().cast(), libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC) };
        if fd < 0 {
            return Some(Err(std::io::Error::last_os_error()));
        }
        // SAFETY: `fd` was just opened and is owned by nothing else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        thread_local! {
            // u64 words: the records are 8-byte aligned as the kernel writes them. Not zeroed,
            // and larger than the arena's largest block (`crate::arena`): from the system
            // allocator, whose pages are touched only as the kernel fills them. One per
            // thread, kept: a block this large is a fresh mapping each time, and unmapping
            // it again flushes the TLB of every core the process runs on.
            static BUF: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        BUF.with(|cell| match cell.try_borrow_mut() {
            Ok(mut buf) => read_all(dir, &fd, &mut buf),
            Err(_) => read_all(dir, &fd, &mut Vec::new()),
        })
    }

    fn read_all(dir: &Path, fd: &OwnedFd, buf: &mut Vec<u64>) -> Option<std::io::Result<Vec<(String, EntryKind)>>> {
        buf.clear();
        buf.reserve_exact(BUFFER / 8);
        let mut out = Vec::new();
        loop {
            // SAFETY: the kernel writes at most `BUFFER` bytes into `buf`'s capacity, which is
            // that large; only the bytes it says it wrote are read below.
            let n =
                unsafe { libc::syscall(libc::SYS_getdents64, fd.as_raw_fd(), buf.as_mut_ptr().cast::<u8>(), BUFFER) };
            let Ok(n) = usize::try_from(n) else {
                let e = std::io::Error::last_os_error();
                return match e.raw_os_error() {
                    Some(libc::ENOSYS | libc::EPERM) => None,
                    _ => Some(Err(e)),
                };
            };
            if n == 0 {
                return Some(Ok(out));
            }
            // SAFETY: the first `n` bytes were written by the kernel.
            let bytes = unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), n) };
            let mut at = 0;
            while at < n {
                let record = Record::at(bytes, at)?;
                at += record.len;
                if record.name == b"." || record.name == b".." {
                    continue;
                }
                let kind = match record.kind {
                    libc::DT_DIR => EntryKind::Dir,
                    libc::DT_REG => EntryKind::File,
                    libc::DT_UNKNOWN => {
                        // The filesystem does not say (some XFS, network filesystems): ask.
                        let name = std::ffi::OsStr::from_bytes(record.name);
                        match std::fs::symlink_metadata(dir.join(name)) {
                            Ok(meta) => EntryKind::of(meta.file_type()),
                            Err(_) => continue,
                        }
                    }
                    _ => EntryKind::Other,
                };
                out.push((String::from_utf8_lossy(record.name).into_owned(), kind));
            }
        }
    }

    /// One `linux_dirent64`: inode (8 bytes), offset (8), record length (2), type (1), name.
    struct Record<'a> {
        len: usize,
        kind: u8,
        name: &'a [u8],
    }

    impl<'a> Record<'a> {
        /// `None` when the bytes are not a whole record (which the kernel never writes).
        fn at(bytes: &'a [u8], at: usize) -> Option<Record<'a>> {
            let head = bytes.get(at..at + 19)?;
            let len = usize::from(u16::from_ne_bytes([head[16], head[17]]));
            let body = bytes.get(at + 19..at + len)?;
            let name = CStr::from_bytes_until_nul(body).ok()?.to_bytes();
            Some(Record { len, kind: head[18], name })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_what_read_dir_lists_with_the_same_kinds() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        // More names than one 64 KiB buffer holds: several reads.
        for i in 0..2500 {
            std::fs::create_dir(root.join(format!("20240101{i:06}_a_long_migration_name_{i}"))).expect("mkdir");
        }
        std::fs::write(root.join("migration_lock.toml"), "x").expect("write");
        std::fs::write(root.join("名前.sql"), "x").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink("migration_lock.toml", root.join("link")).expect("symlink");
        let mut got = list(root).expect("listed");
        got.sort_by(|a, b| a.0.cmp(&b.0));
        let mut want: Vec<(String, EntryKind)> = std::fs::read_dir(root)
            .expect("read_dir")
            .flatten()
            .map(|e| (e.file_name().into_string().expect("utf-8"), EntryKind::of(e.file_type().expect("type"))))
            .collect();
        want.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(got.len(), 2503);
        assert_eq!(got, want);
        assert!(got.contains(&("link".to_string(), EntryKind::Other)), "a symlink is not followed");
        assert!(got.contains(&("名前.sql".to_string(), EntryKind::File)));
    }

    #[test]
    fn a_missing_folder_or_a_file_is_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(list(&dir.path().join("nope")).is_err());
        std::fs::write(dir.path().join("f"), "x").expect("write");
        assert!(list(&dir.path().join("f")).is_err());
    }
}
