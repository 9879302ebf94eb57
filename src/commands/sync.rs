//! `prisma-guard sync`: every local backup on every remote. What a remote lacks is uploaded
//! (read once, its checksum checked on the way, then read back from the store); what it has
//! is checked for its three files and the dump's size. `verify --remote` reads the data.

use anyhow::Result;

use crate::backup::remote::{self, copy};
use crate::backup::store::Store;
use crate::cli::SyncArgs;
use crate::config::settings::Settings;
use crate::error::fail;
use crate::ExitStatus;

pub fn run(settings: &Settings, args: &SyncArgs) -> Result<ExitStatus> {
    let remotes = remote::open_all(&settings.config.file.remotes, args.remote.as_deref())?;
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
        let (mut uploaded, mut present, mut skipped) = (0, 0, 0);
        for m in &local {
            if there.iter().any(|t| t.id == m.id) {
                present += 1;
                match r.size_of(&m.file.name)? {
                    Some(n) if n == m.file.compressed_bytes => {}
                    Some(n) => {
                        failed += 1;
                        println!(
                            "FAILED  {}  on `{}`: the stored copy is {n} bytes, the manifest says {}",
                            m.id, r.name, m.file.compressed_bytes
                        );
                    }
                    None => {
                        failed += 1;
                        println!("FAILED  {}  on `{}`: the manifest is there, the dump is missing", m.id, r.name);
                    }
                }
                continue;
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
        settings
            .printer
            .status("Synced", format!("remote `{}` ({}): {uploaded} uploaded, {present} already there", r.name, r.url));
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
