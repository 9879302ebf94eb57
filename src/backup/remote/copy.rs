//! Moving whole backups between the local folder and a remote: finishing an upload that
//! streamed during the dump, uploading an existing backup (`sync`), reading one back to
//! check it (`verify --remote`), and fetching one (`restore --from`, `restore-test --from`).
//!
//! An upload counts only once the store's copy was read back and its size and SHA-256 match;
//! then the `.sha256` line and the manifest follow, the manifest last, and with Object Lock
//! each object is locked and the lock read back.

use std::io::{Read, Write};
use std::time::SystemTime;

use anyhow::{Context, Result};

use super::upload::{Stored, Upload};
use super::{object_lock, Remote};
use crate::backup::store::compress::VerifiedReader;
use crate::backup::store::crypt::Opening;
use crate::backup::store::io::{AtomicFile, Hashing};
use crate::backup::store::manifest::RemoteCopy;
use crate::backup::store::verify::Problem;
use crate::backup::store::{Manifest, Store};

/// Finish an upload that streamed while the dump was written, then check, complete and lock
/// it. The returned record says what happened (an error in it: the copy is not usable).
pub fn complete(upload: Upload<'_>, manifest: &Manifest) -> RemoteCopy {
    let remote = upload.remote();
    let mut record = record(remote, manifest);
    let result = upload.finish().and_then(|stored| seal(remote, manifest, stored, &mut record));
    if let Err(e) = result {
        record.error = Some(crate::error::one_line(&e));
    }
    record
}

/// A record of a copy that could not even start (no credentials, store unreachable).
pub fn not_started(name: &str, url: &str, error: &anyhow::Error) -> RemoteCopy {
    RemoteCopy {
        name: name.to_string(),
        url: url.to_string(),
        uploaded_at: None,
        verified: false,
        checked_by: None,
        locked_until: None,
        lock_mode: None,
        error: Some(crate::error::one_line(error)),
        stored_etag: None,
    }
}

fn record(remote: &Remote, manifest: &Manifest) -> RemoteCopy {
    RemoteCopy {
        name: remote.name.clone(),
        url: remote.object_url(&manifest.file.name),
        uploaded_at: None,
        verified: false,
        checked_by: None,
        locked_until: None,
        lock_mode: None,
        error: None,
        stored_etag: None,
    }
}

/// Upload an existing local backup (`sync`): the dump is read once, its checksum checked as
/// it goes, so a damaged local file is never copied over as if it were good.
pub fn send(remote: &Remote, store: &Store, manifest: &Manifest) -> RemoteCopy {
    let mut rec = record(remote, manifest);
    let result = (|| -> Result<()> {
        let path = store.dump_path(manifest);
        let file = std::fs::File::open(&path).with_context(|| format!("could not open {}", path.display()))?;
        let mut reader = Hashing::new(std::io::BufReader::with_capacity(1 << 20, file));
        // `sync` replaces a damaged copy of this very backup (it checked the ids and checksums).
        let mut upload = Upload::start(remote, &manifest.file.name)?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = reader.read(&mut buf).with_context(|| format!("could not read {}", path.display()))?;
            if n == 0 {
                break;
            }
            upload.write(&buf[..n]);
        }
        let (sha, _) = reader.finish();
        if sha != manifest.file.sha256 {
            drop(upload);
            anyhow::bail!("the local file does not match its checksum (damaged?): not uploaded");
        }
        let stored = upload.finish()?;
        seal(remote, manifest, stored, &mut rec)
    })();
    if let Err(e) = result {
        rec.error = Some(crate::error::one_line(&e));
    }
    rec
}

/// Check what the store holds, then add the checksum line and the manifest, and lock all
/// three. By default the object is read back and its size and SHA-256 compared; with
/// `verify_upload = "etag"`, a store's ETag that matches (the MD5 of the MD5s of the parts,
/// computed by the store from what it stored) stands in for the read.
fn seal(remote: &Remote, manifest: &Manifest, stored: Stored, rec: &mut RemoteCopy) -> Result<()> {
    let problems = match (stored, remote.read_back) {
        (Stored::EtagMatches, false) => match remote.size_of(&manifest.file.name)? {
            Some(n) if n == manifest.file.compressed_bytes => Vec::new(),
            Some(n) => vec![Problem::StoredSize { expected: manifest.file.compressed_bytes, actual: n }],
            None => vec![Problem::MissingDump],
        },
        _ => check(remote, manifest, None)?,
    };
    rec.checked_by = Some(if stored == Stored::EtagMatches && !remote.read_back { "etag" } else { "sha256" }.into());
    if !problems.is_empty() {
        // Not locked yet: a bad copy is taken away rather than left looking like a backup.
        let _ = remote.delete(&manifest.file.name);
        anyhow::bail!(
            "the store's copy does not match what was sent ({}); it was deleted",
            problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
        );
    }
    rec.verified = true;
    rec.stored_etag = remote.head(&manifest.file.name)?.and_then(|(_, etag)| etag);
    let now = SystemTime::now();
    rec.uploaded_at = Some(humantime::format_rfc3339_seconds(now).to_string());
    let sha_name = format!("{}.sha256", manifest.file.name);
    if let Some(policy) = &remote.lock {
        rec.locked_until = Some(object_lock::apply(remote, &manifest.file.name, policy, now)?);
        rec.lock_mode = Some(policy.mode.clone());
    }
    remote.put_small(&sha_name, format!("{}  {}\n", manifest.file.sha256, manifest.file.name).into_bytes())?;
    let mut copy = manifest.clone();
    copy.remotes = vec![rec.clone()];
    if manifest.file.encryption.is_some() {
        off_site_only(&mut copy);
    }
    if let Some(key) = &remote.signer {
        copy.signature = Some(key.sign(&copy));
    }
    remote.put_small(&format!("{}.json", manifest.id), serde_json::to_vec_pretty(&copy)?)?;
    // Another writer on the same prefix (a second machine or project, the same second) would
    // have replaced the manifest or the dump since they were checked: read both back. Only a
    // copy that is still ours counts as verified.
    let there: Manifest = serde_json::from_slice(&remote.get_small(&format!("{}.json", manifest.id))?)?;
    let dump_now = remote.head(&manifest.file.name)?;
    let dump_ours = match (&dump_now, &rec.stored_etag) {
        (Some((n, etag)), Some(was)) => *n == manifest.file.compressed_bytes && etag.as_ref() == Some(was),
        (Some((n, _)), None) => *n == manifest.file.compressed_bytes,
        (None, _) => false,
    };
    if there != copy || !dump_ours {
        rec.verified = false;
        anyhow::bail!(
            "another writer replaced backup {} on remote `{}` while it was uploaded ({} changed): a prefix shared with another project or machine; give each its own prefix",
            manifest.id,
            remote.name,
            if there == copy { "its dump" } else { "its manifest" }
        );
    }
    if let Some(policy) = &remote.lock {
        object_lock::apply(remote, &sha_name, policy, now)?;
        object_lock::apply(remote, &format!("{}.json", manifest.id), policy, now)?;
    }
    Ok(())
}

/// Sign the remote manifest of one of this project's backups that is there unsigned (uploaded
/// before backups were signed): `local` is the local manifest of the same backup (same id,
/// file and checksum). A manifest signed by any key, or changed since, is left as it is.
/// False when there is nothing to do.
pub fn sign_existing(remote: &Remote, there: &Manifest, local: &Manifest) -> Result<bool> {
    use super::signing::{same_backup, Authenticity};
    let Some(key) = &remote.signer else { return Ok(false) };
    if there.authenticity != Authenticity::Unsigned || !same_backup(there, local) {
        return Ok(false);
    }
    let mut copy = there.clone();
    if copy.file.encryption.is_some() {
        off_site_only(&mut copy);
    }
    copy.signature = Some(key.sign(&copy));
    let name = format!("{}.json", there.id);
    remote.put_small(&name, serde_json::to_vec_pretty(&copy)?)?;
    if let Some(policy) = &remote.lock {
        object_lock::apply(remote, &name, policy, SystemTime::now())?;
    }
    Ok(true)
}

/// An encrypted backup's manifest as it goes off-site: without where the database lives and
/// who connected (host, port, user of the URL), the command line that triggered it and the
/// git branch. What a restore needs stays: the database's name (`latest`), the file, the row
/// counts a restore test compares. The local manifest keeps everything.
fn off_site_only(m: &mut Manifest) {
    let scheme = m.database_url.split_once(':').map_or("", |(s, _)| s);
    m.database_url = format!("{scheme}:(not stored off-site: the backup is encrypted)");
    m.trigger.argv.clear();
    if let Some(g) = m.git.as_mut() {
        g.branch = None;
    }
}

/// Check the remote's copy of a backup: the objects are there, the size is right, and the
/// bytes hash to the manifest's SHA-256; with `opening` (or when not encrypted), it also
/// decrypts and decompresses to the recorded size. One read of the object, nothing written.
pub fn check(remote: &Remote, manifest: &Manifest, opening: Option<&Opening>) -> Result<Vec<Problem>> {
    let mut problems = Vec::new();
    let Some(size) = remote.size_of(&manifest.file.name)? else {
        problems.push(Problem::MissingDump);
        return Ok(problems);
    };
    if size != manifest.file.compressed_bytes {
        problems.push(Problem::StoredSize { expected: manifest.file.compressed_bytes, actual: size });
        return Ok(problems);
    }
    let sealed = manifest.file.encryption.is_some();
    let reader = remote.reader(&manifest.file.name)?;
    if sealed && opening.is_none() {
        let mut hashing = Hashing::new(reader);
        std::io::copy(&mut hashing, &mut std::io::sink()).map_err(|e| anyhow::anyhow!("{e}"))?;
        let (actual, _) = hashing.finish();
        if actual != manifest.file.sha256 {
            problems.push(Problem::ChecksumMismatch { expected: manifest.file.sha256.clone(), actual });
        }
        return Ok(problems);
    }
    if let (Some(o), Some(s)) = (opening, &manifest.file.encryption) {
        o.fits(s)?;
    }
    let decoded = VerifiedReader::new(manifest.file.compression, reader, &manifest.file.sha256, sealed, opening)
        .and_then(|mut r| std::io::copy(&mut r, &mut std::io::sink()).map_err(anyhow::Error::new));
    match decoded {
        Ok(n) if n != manifest.file.uncompressed_bytes => {
            problems.push(Problem::SizeMismatch { expected: manifest.file.uncompressed_bytes, actual: n })
        }
        Ok(_) => {}
        Err(e) => {
            let text = format!("{e:#}");
            if text.contains("download broke off") || crate::error::is_usage(&e) {
                return Err(e);
            }
            problems.push(Problem::from_decoding(text, sealed, &manifest.file.sha256));
        }
    }
    Ok(problems)
}

/// Download a backup into `store` (dump, checksum line, manifest), hashing as it writes;
/// a copy whose bytes do not match the manifest is not kept.
pub fn fetch(remote: &Remote, manifest: &Manifest, store: &Store) -> Result<()> {
    let dest = store.dump_path(manifest);
    let mut file = AtomicFile::create(&dest)?;
    let mut reader = remote.reader(&manifest.file.name)?;
    let mut hashing = Hashing::new(std::io::BufWriter::with_capacity(1 << 20, file.file()));
    std::io::copy(&mut reader, &mut hashing)
        .map_err(|e| crate::backup::store::write::write_error(e, &dest))
        .with_context(|| format!("could not download {} from remote `{}`", manifest.file.name, remote.name))?;
    let (sha, mut out) = hashing.finish();
    out.flush().map_err(|e| crate::backup::store::write::write_error(e, &dest))?;
    drop(out);
    if sha != manifest.file.sha256 {
        return Err(crate::error::fail(format!(
            "refused: the copy of {} on remote `{}` is damaged: its SHA-256 is {sha}, the manifest says {}",
            manifest.id, remote.name, manifest.file.sha256
        ))
        .hint(format!("choose another backup (`prisma-guard backups --remote {}`)", remote.name))
        .status(crate::ExitStatus::Mismatch)
        .into());
    }
    store.keep(file, manifest)
}
