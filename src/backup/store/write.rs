//! Writing one dump: stream -> compression -> (age encryption) -> SHA-256 -> temporary file,
//! in one pass, then fsync, rename, and a `.sha256` file that `sha256sum -c` accepts.

use std::io::{BufWriter, Write};

use anyhow::{Context, Result};

use super::crypt::{MaybeSealed, Sealing};
use super::io::{AtomicFile, Counting, Hashing};
use super::manifest::FileInfo;
use super::{Compression, Store};
use crate::backup::remote::upload::Upload;
use crate::error::fail;

/// How a dump is written: compressed how, and sealed to whom.
pub struct Format<'a> {
    pub compression: Compression,
    pub level: i32,
    pub sealing: Option<&'a Sealing>,
}

/// Nothing that looks like a finished backup exists until everything succeeded.
/// The file name a dump of backup `id` gets: `<id>.<ext>.<zst|gz>[.age]`.
pub fn file_name(id: &str, ext: &str, format: &Format) -> String {
    let sealed = if format.sealing.is_some() { ".age" } else { "" };
    format!("{id}.{ext}.{}{sealed}", format.compression.extension())
}

/// A dump written and flushed under its temporary name: nothing in the folder looks like a
/// backup until [`Store::finish`] moves it into place with its checksum and manifest.
/// Dropped unfinished (a failed check), the temporary file goes.
pub struct Pending {
    file: AtomicFile,
    pub info: FileInfo,
}

impl Pending {
    /// Where the dump is while pending (to read it back before it counts).
    pub fn path(&self) -> &std::path::Path {
        self.file.path()
    }
}

impl Store {
    /// Move a pending dump into place, then its `.sha256` line, then its manifest: the three
    /// follow each other at once (a run killed in between leaves its id reservation behind,
    /// and the next run removes the files of that id that have no manifest).
    pub fn finish(&self, pending: Pending, manifest: &super::Manifest) -> Result<()> {
        pending.file.commit()?;
        self.write_checksum(&pending.info.name, &pending.info.sha256)?;
        self.save_manifest(manifest)
    }
}

/// Stream whatever `produce` writes into the store; the stored bytes also go to `uploads`
/// (off-site copies that stream while the dump runs; a failing upload never stops the dump).
pub fn write_dump<T>(
    store: &Store,
    id: &str,
    ext: &str,
    format: &Format,
    uploads: &mut [Upload<'_>],
    on_progress: &mut dyn FnMut(u64),
    produce: impl FnOnce(&mut dyn Write) -> Result<T>,
) -> Result<(Pending, T)> {
    let compression = format.compression;
    let name = file_name(id, ext, format);
    let dest = store.dir().join(&name);
    let mut atomic = AtomicFile::create(&dest)?;
    let (sha256, compressed_bytes, uncompressed_bytes, produced) = {
        let buffered = BufWriter::with_capacity(1 << 20, atomic.file());
        let hashing = Hashing::new(Tee { inner: buffered, uploads });
        let sealing = MaybeSealed::new(format.sealing, hashing).map_err(|e| write_error(e, &dest))?;
        let encoder = compression.encoder(sealing, format.level).context("could not start the compressor")?;
        let mut counting = Counting::new(encoder, on_progress);
        let produced = produce(&mut counting)?;
        counting.flush().map_err(|e| write_error(e, &dest))?;
        let uncompressed = counting.bytes;
        let encoder = counting.into_inner();
        let sealing = encoder.finish().map_err(|e| write_error(e, &dest))?;
        let hashing = sealing.finish().map_err(|e| write_error(e, &dest))?;
        let compressed = hashing.bytes;
        let (sha, mut tee) = hashing.finish();
        tee.inner.flush().map_err(|e| write_error(e, &dest))?;
        (sha, compressed, uncompressed, produced)
    };
    if uncompressed_bytes == 0 {
        return Err(fail("the dump tool produced no output, so this is not a backup")
            .hint("run the dump tool by hand to see why; nothing was saved")
            .into());
    }
    atomic.sync()?;
    let encryption = format.sealing.map(Sealing::describe);
    let info = FileInfo { name, compression, compressed_bytes, uncompressed_bytes, sha256, encryption };
    Ok((Pending { file: atomic, info }, produced))
}

/// Writes to the file and hands the same bytes to each upload.
struct Tee<'u, 'r, W> {
    inner: W,
    uploads: &'u mut [Upload<'r>],
}

impl<W: Write> Write for Tee<'_, '_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        for u in self.uploads.iter_mut() {
            u.write(&buf[..n]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Turn an I/O error while writing into a message that names the file and, for a full
/// disk or a file-size limit, says so.
pub fn write_error(err: std::io::Error, dest: &std::path::Path) -> anyhow::Error {
    let raw = err.raw_os_error();
    let msg = if raw == Some(libc::ENOSPC) || raw == Some(libc::EDQUOT) {
        format!(
            "the disk holding {} is full (or a file-size limit was hit); the partial backup was removed",
            dest.display()
        )
    } else if raw == Some(libc::EFBIG) {
        format!("{} hit the file-size limit; the partial backup was removed", dest.display())
    } else {
        format!("could not write {}: {err}; the partial backup was removed", dest.display())
    };
    fail(msg)
        .hint("free space or set another backup directory (`--backup-dir` or `[backup] dir` in prisma-guard.toml), then run the command again")
        .into()
}
