//! `prisma-guard sync`: every local backup on every remote. What a remote lacks is uploaded
//! (read once, its checksum checked on the way, then read back from the store); what it has
//! is checked: its size and the store's ETag (one HEAD), and its bytes when no verified copy is
//! on record, when the ETag changed since it was checked, or with `--read` (a damaged copy is
//! sent again). `verify --remote` reads the data of every copy.

use anyhow::Result;

use crate::backup::remote::{self, copy};
use crate::backup::store::Store;
use crate::cli::SyncArgs;
use crate::config::settings::Settings;
use crate::error::fail;
use crate::ExitStatus;

pub fn run(settings: &Settings, args: &SyncArgs) -> Result<ExitStatus> {
    remote::prepare_signing(&settings.config.file, &settings.printer)?;
    let remotes = remote::open_all(&settings.config.file, args.remote.as_deref())?;
    if remotes.is_empty() {
        return Err(fail("there is no [[remote]] in prisma-guard.toml to sync to")
            .hint("add one (see docs/operations.md)")
            .status(ExitStatus::Usage)
            .into());
    }
    let store = Store::open(&settings.backup_dir);
    let _lock = store.lock(&settings.printer)?;
    let (local, _) = store.list()?;
    // Where the project asks for encryption, a backup in the clear (taken before it was set
    // up, or planted) never goes off-site, where it could not be taken back (Object Lock).
    let sealed_only = settings.config.file.encryption.is_some() || settings.config.encryption_refused.is_some();
    let mut failed = 0;
    for r in &remotes {
        let _remote_lock = r.lock(&settings.printer, crate::backup::store::lock::wait_limit()?)?;
        let (there, _) = r.list()?;
        let (mut uploaded, mut present, mut skipped, mut replaced, mut signed) = (0, 0, 0, 0, 0);
        for m in &local {
            // Another backup under this id (a second writer on the prefix): never replaced.
            if let Some(t) = there.iter().find(|t| t.id == m.id && t.file.sha256 != m.file.sha256) {
                failed += 1;
                println!(
                    "FAILED  {}  to `{}`: the remote holds another backup under this id ({}, SHA-256 {}): not replaced; is another machine or project writing to {}? give each its own prefix",
                    m.id, r.name, t.database_name, t.file.sha256.chars().take(12).collect::<String>(), r.url
                );
                continue;
            }
            if there.iter().any(|t| t.id == m.id) {
                // The size and the store's ETag always (one HEAD); the bytes (SHA-256, one
                // read) when this project has no verified record of the copy (never checked,
                // or `verify --remote` found it damaged), when the ETag is not the one the
                // copy had when it was checked (replaced or changed on the store), or with
                // `--read` (every copy: finds damage the store's metadata does not show). A
                // damaged copy is replaced below.
                let record = m.remotes.iter().find(|c| c.name == r.name);
                let head = r.head(&m.file.name)?;
                let same_etag = match (record.and_then(|c| c.stored_etag.as_deref()), head.as_ref()) {
                    (Some(was), Some((_, Some(now)))) => was == now,
                    (Some(_), _) => false,
                    (None, _) => true,
                };
                let trusted = !args.read && same_etag && record.is_some_and(|c| c.verified && c.error.is_none());
                let problems = match head {
                    Some((n, _)) if n != m.file.compressed_bytes => {
                        vec![format!("the stored copy is {n} bytes, the manifest says {}", m.file.compressed_bytes)]
                    }
                    None => vec!["the manifest is there, the dump is missing".to_string()],
                    Some(_) if trusted => Vec::new(),
                    Some(_) => copy::check(r, m, None)?.iter().map(ToString::to_string).collect(),
                };
                if problems.is_empty() {
                    present += 1;
                    // Uploaded before backups were signed (or with another of this machine's
                    // keys): signed now, so that restores trust it (this machine made it).
                    if let Some(t) = there.iter().find(|t| t.id == m.id) {
                        if copy::sign_existing(r, t, m)? {
                            signed += 1;
                        }
                    }
                    if !trusted {
                        let etag = r.head(&m.file.name)?.and_then(|(_, e)| e);
                        let mut updated = m.clone();
                        let url = r.object_url(&m.file.name);
                        match updated.remotes.iter_mut().find(|c| c.name == r.name) {
                            Some(c) => {
                                c.verified = true;
                                c.error = None;
                                c.checked_by = Some("sync".into());
                                c.stored_etag = etag;
                            }
                            None => updated.remotes.push(crate::backup::store::manifest::RemoteCopy {
                                name: r.name.clone(),
                                url,
                                uploaded_at: None,
                                verified: true,
                                checked_by: Some("sync".into()),
                                locked_until: None,
                                lock_mode: None,
                                error: None,
                                stored_etag: etag,
                            }),
                        }
                        store.save_manifest(&updated)?;
                    }
                    continue;
                }
                println!("DAMAGED {}  on `{}`: {}; sending it again", m.id, r.name, problems.join("; "));
                replaced += 1;
            }
            if sealed_only && m.file.encryption.is_none() {
                skipped += 1;
                settings.printer.warn(format!(
                    "{} is not encrypted and prisma-guard.toml asks for [encryption]: not sent to `{}`",
                    m.id, r.name
                ));
                continue;
            }
            settings.printer.status("Uploading", format!("{} to remote `{}`", m.id, r.name));
            let record = copy::send(r, &store, m);
            match &record.error {
                None => {
                    uploaded += 1;
                    println!("sent    {}  to {}", m.id, record.url);
                }
                Some(e) => {
                    failed += 1;
                    println!("FAILED  {}  to `{}`: {e}", m.id, r.name);
                }
            }
            let mut updated = m.clone();
            updated.remotes.retain(|c| c.name != r.name);
            updated.remotes.push(record);
            store.save_manifest(&updated)?;
        }
        settings.printer.status(
            "Synced",
            format!(
                "remote `{}` ({}): {uploaded} uploaded, {present} already there{}",
                r.name,
                r.url,
                if replaced > 0 { format!(", {replaced} damaged copies sent again") } else { String::new() }
            ),
        );
        if signed > 0 {
            settings
                .printer
                .status("Signed", format!("{signed} manifest(s) on `{}` that were not signed by this machine", r.name));
        }
        if skipped > 0 {
            settings.printer.warn(format!(
                "{skipped} unencrypted backup(s) kept off `{}`: take a new (encrypted) backup with `prisma-guard backup`; `prisma-guard prune` removes old ones",
                r.name
            ));
        }
    }
    if failed > 0 {
        return Err(fail(format!("{failed} backup(s) could not be synced"))
            .hint("see the lines above; `prisma-guard verify --remote NAME` reads the copies back")
            .into());
    }
    Ok(ExitStatus::Success)
}
