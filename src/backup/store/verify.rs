//! Verification: the checksum and a full decompression test, in one pass.

use std::fs::File;
use std::io::BufReader;

use anyhow::Result;

use super::compress::drain;
use super::io::Hashing;
use super::{Manifest, Store};

/// What was wrong with a backup, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    MissingDump,
    MissingChecksumFile,
    ChecksumFileDisagrees,
    ChecksumMismatch {
        expected: String,
        actual: String,
    },
    Corrupt(String),
    Undecryptable(String),
    SizeMismatch {
        expected: u64,
        actual: u64,
    },
    /// The stored object's size is not the file's (a remote copy).
    StoredSize {
        expected: u64,
        actual: u64,
    },
    /// A remote copy that is another backup than the local one of the same id.
    NotOurs(String),
}

impl Problem {
    /// What a failed decoding read says: a checksum mismatch (the stored bytes are damaged,
    /// see `compress::VerifiedReader`), or a file that does not decrypt or decompress.
    pub fn from_decoding(text: String, sealed: bool, expected: &str) -> Problem {
        let mismatch = text
            .split("checksum mismatch: the backup file has sha256 ")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .map(str::to_string);
        match mismatch {
            Some(actual) => Problem::ChecksumMismatch { expected: expected.to_string(), actual },
            None if sealed => Problem::Undecryptable(text),
            None => Problem::Corrupt(text),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::MissingDump => write!(f, "the dump file is missing"),
            Problem::MissingChecksumFile => write!(f, "the .sha256 file is missing"),
            Problem::ChecksumFileDisagrees => {
                write!(f, "the .sha256 file does not match the manifest")
            }
            Problem::ChecksumMismatch { expected, actual } => {
                write!(f, "checksum mismatch: expected {expected}, file has {actual}")
            }
            Problem::Corrupt(e) => write!(f, "the file does not decompress: {e}"),
            Problem::Undecryptable(e) => write!(f, "the file does not decrypt and decompress: {e}"),
            Problem::NotOurs(why) => f.write_str(why),
            Problem::StoredSize { expected, actual } => {
                write!(f, "the stored copy is {actual} bytes, the manifest says {expected}")
            }
            Problem::SizeMismatch { expected, actual } => {
                write!(f, "decompressed size is {actual} bytes, the manifest says {expected}")
            }
        }
    }
}

/// How much to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// The SHA-256 only: proves the file is the one that was written.
    Checksum,
    /// The SHA-256 and a full decompression test, in one pass.
    Full,
    /// Only that the files are there and agree: the caller checks the content while it
    /// streams the dump (see `compress::VerifiedReader`).
    Files,
}

/// Check one backup. `Ok(vec![])` means it is intact. A sealed backup is decrypted as well
/// when `opening` is given; without it, its checksum is all that is checked.
pub fn verify(
    store: &Store,
    manifest: &Manifest,
    depth: Depth,
    opening: Option<&super::crypt::Opening>,
) -> Result<Vec<Problem>> {
    let mut problems = Vec::new();
    match std::fs::read_to_string(store.checksum_path(manifest)) {
        Ok(line) => {
            let expected = format!("{}  {}", manifest.file.sha256, manifest.file.name);
            if line.trim_end() != expected {
                problems.push(Problem::ChecksumFileDisagrees);
            }
        }
        Err(_) => problems.push(Problem::MissingChecksumFile),
    }
    let file = match File::open(store.dump_path(manifest)) {
        Ok(f) => f,
        Err(_) => {
            problems.push(Problem::MissingDump);
            return Ok(problems);
        }
    };
    if depth == Depth::Files {
        return Ok(problems);
    }
    if manifest.file.encryption.is_some() {
        return verify_sealed(&store.dump_path(manifest), file, manifest, depth, opening, problems);
    }
    let mut hashing = Hashing::new(BufReader::with_capacity(1 << 20, file));
    let decoded = match depth {
        Depth::Checksum | Depth::Files => None,
        Depth::Full => Some(match manifest.file.compression.decoder(&mut hashing) {
            Ok(mut decoder) => drain(&mut decoder),
            Err(e) => Err(e),
        }),
    };
    // Hash whatever the decoder did not read, so a checksum problem is reported as such.
    let _ = drain(&mut hashing);
    let (actual, _) = hashing.finish();
    if actual != manifest.file.sha256 {
        problems.push(Problem::ChecksumMismatch { expected: manifest.file.sha256.clone(), actual });
    }
    match decoded {
        None => {}
        Some(Err(e)) => problems.push(Problem::Corrupt(e.to_string())),
        Some(Ok(n)) if n != manifest.file.uncompressed_bytes => {
            problems.push(Problem::SizeMismatch { expected: manifest.file.uncompressed_bytes, actual: n });
        }
        Some(Ok(_)) => {}
    }
    Ok(problems)
}

/// A sealed backup: the checksum of the stored bytes, then (with an identity, at
/// `Depth::Full`) decryption and decompression to the recorded size, in a second pass.
fn verify_sealed(
    path: &std::path::Path,
    file: File,
    manifest: &Manifest,
    depth: Depth,
    opening: Option<&super::crypt::Opening>,
    mut problems: Vec<Problem>,
) -> Result<Vec<Problem>> {
    let mut hashing = Hashing::new(BufReader::with_capacity(1 << 20, file));
    drain(&mut hashing)?;
    let (actual, _) = hashing.finish();
    if actual != manifest.file.sha256 {
        problems.push(Problem::ChecksumMismatch { expected: manifest.file.sha256.clone(), actual });
        return Ok(problems);
    }
    let (Depth::Full, Some(opening)) = (depth, opening) else { return Ok(problems) };
    if let Some(sealed) = &manifest.file.encryption {
        opening.fits(sealed)?;
    }
    let file = File::open(path)?;
    let read = super::compress::VerifiedReader::new(
        manifest.file.compression,
        file,
        &manifest.file.sha256,
        true,
        Some(opening),
    )
    .and_then(|mut r| drain(&mut r).map_err(anyhow::Error::new));
    match read {
        // A wrong passphrase: no verdict on the backup.
        Err(e) if crate::error::is_usage(&e) => return Err(e),
        Err(e) => problems.push(Problem::from_decoding(format!("{e:#}"), true, &manifest.file.sha256)),
        Ok(n) if n != manifest.file.uncompressed_bytes => {
            problems.push(Problem::SizeMismatch { expected: manifest.file.uncompressed_bytes, actual: n });
        }
        Ok(_) => {}
    }
    Ok(problems)
}
