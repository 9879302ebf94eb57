//! Stream plumbing: hashing and counting adapters, and atomic files.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

/// Passes bytes through while hashing them with SHA-256 and counting them.
pub struct Hashing<T> {
    inner: T,
    hasher: Sha256,
    pub bytes: u64,
}

impl<T> Hashing<T> {
    pub fn new(inner: T) -> Self {
        Hashing { inner, hasher: Sha256::new(), bytes: 0 }
    }

    /// The lowercase hex digest and the inner value.
    pub fn finish(self) -> (String, T) {
        (hex(&self.hasher.finalize()), self.inner)
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// Counts bytes written and reports them to a callback (progress bars).
pub struct Counting<W, F: FnMut(u64)> {
    inner: W,
    pub bytes: u64,
    on_progress: F,
}

impl<W, F: FnMut(u64)> Counting<W, F> {
    pub fn new(inner: W, on_progress: F) -> Self {
        Counting { inner, bytes: 0, on_progress }
    }

    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: Write, F: FnMut(u64)> Write for Counting<W, F> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        (self.on_progress)(self.bytes);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A file written under a hidden temporary name, fsynced, then renamed into place.
/// Dropped without `commit`, the temporary file is removed: a failed or interrupted
/// write never leaves a file that looks valid.
pub struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    file: Option<File>,
}

impl AtomicFile {
    pub fn create(dest: &Path) -> Result<AtomicFile> {
        let dir = dest.parent().unwrap_or(Path::new("."));
        let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        // A leftover with our pid is from a dead process that had the same pid: ours now.
        let _ = std::fs::remove_file(&tmp);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .with_context(|| format!("could not create {}", tmp.display()))?;
        Ok(AtomicFile { tmp, dest: dest.to_path_buf(), file: Some(file) })
    }

    pub fn file(&mut self) -> &mut File {
        // The file is only taken by `commit`, which consumes self.
        self.file.as_mut().expect("AtomicFile used after commit")
    }

    /// The temporary file's path (the data is there until `commit`).
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// fsync the data written so far.
    pub fn sync(&mut self) -> Result<()> {
        if let Some(file) = &self.file {
            file.sync_all().with_context(|| format!("could not flush {} to disk", self.tmp.display()))?;
        }
        Ok(())
    }

    /// fsync the data, rename into place, fsync the directory.
    pub fn commit(mut self) -> Result<PathBuf> {
        if let Some(file) = self.file.take() {
            file.sync_all().with_context(|| format!("could not flush {} to disk", self.tmp.display()))?;
        }
        std::fs::rename(&self.tmp, &self.dest)
            .with_context(|| format!("could not move {} into place", self.dest.display()))?;
        sync_dir(self.dest.parent().unwrap_or(Path::new(".")));
        Ok(self.dest.clone())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Write small contents atomically (0600).
pub fn write_atomic(dest: &Path, contents: &[u8]) -> Result<PathBuf> {
    let mut f = AtomicFile::create(dest)?;
    f.file().write_all(contents).with_context(|| format!("could not write {}", dest.display()))?;
    f.commit()
}

/// fsync a directory so a rename survives a crash. Best effort.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_file_leaves_nothing_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("x.sql.zst");
        {
            let mut f = AtomicFile::create(&dest).unwrap();
            f.file().write_all(b"partial").unwrap();
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let mut f = AtomicFile::create(&dest).unwrap();
        f.file().write_all(b"done").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"done");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn sha256_matches_known_vector() {
        let mut h = Hashing::new(Vec::new());
        h.write_all(b"abc").unwrap();
        assert_eq!(h.finish().0, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
