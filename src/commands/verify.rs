//! `prisma-guard verify`

use std::time::SystemTime;

use anyhow::Result;

use crate::backup::store::crypt::Opening;
use crate::backup::store::manifest::{Manifest, Verified};
use crate::backup::store::{verify, Store};
use crate::cli::VerifyArgs;
use crate::config::settings::Settings;
use crate::error::fail;
use crate::ExitStatus;

pub fn run(settings: &Settings, args: &VerifyArgs) -> Result<ExitStatus> {
    if let Some(name) = &args.remote {
        return remote(settings, args, name);
    }
    let store = Store::open(&settings.backup_dir);
    let targets = if args.all {
        let (all, unreadable) = store.list()?;
        for bad in &unreadable {
            settings.printer.warn(format!("cannot verify {}: {}", bad.path.display(), bad.error));
        }
        if all.is_empty() && unreadable.is_empty() {
            return Err(fail(format!("there are no backups in {}", store.dir().display()))
                .hint("take one with `prisma-guard backup`")
                .into());
        }
        all
    } else {
        vec![store.resolve(args.id.as_deref().unwrap_or("latest"))?]
    };
    let opening = settings.opening()?;
    opens_any(&targets, opening.as_ref())?;
    let mut failed = 0;
    for m in targets {
        let opening = fitting(settings, args, &m, opening.as_ref());
        if check(&store, m, opening)? {
            continue;
        }
        failed += 1;
    }
    if failed > 0 {
        return Err(fail(format!("{failed} backup(s) failed verification"))
            .hint("do not rely on them; take a fresh backup with `prisma-guard backup`")
            .status(ExitStatus::Mismatch)
            .into());
    }
    Ok(ExitStatus::Success)
}

/// Verify one backup, record the result in its manifest, report it. True when intact.
pub fn check(store: &Store, mut m: Manifest, opening: Option<&Opening>) -> Result<bool> {
    let problems = verify::verify(store, &m, verify::Depth::Full, opening)?;
    let sealed_unopened = m.file.encryption.is_some() && opening.is_none();
    let ok = problems.is_empty();
    let error = (!ok).then(|| problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "));
    m.verified = Some(Verified {
        at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        ok,
        error: error.clone(),
    });
    if store.manifest_path(&m.id).exists() {
        store.save_manifest(&m)?;
    }
    // An intact file whose restore check failed is still no backup to rely on.
    if let (None, Some(why)) = (&error, m.restore_failure()) {
        println!("FAILED  {}  the file is intact, but it does not restore: {why}", m.id);
        return Ok(false);
    }
    match error {
        None if sealed_unopened => println!(
            "ok      {}  (sha256 matches; encrypted, not decrypted: set {} to prove it opens)",
            m.id,
            crate::backup::store::crypt::IDENTITY_VAR
        ),
        None => println!("ok      {}  (sha256 matches, decompresses to {} bytes)", m.id, m.file.uncompressed_bytes),
        Some(e) => println!("FAILED  {}  {e}", m.id),
    }
    Ok(ok)
}

/// `verify --remote NAME`: read each copy back from the store.
fn remote(settings: &Settings, args: &VerifyArgs, name: &str) -> Result<ExitStatus> {
    let remotes = crate::backup::remote::open_all(&settings.config.file, Some(name))?;
    let Some(r) = remotes.first() else { return Ok(ExitStatus::Success) };
    let targets = if args.all {
        let (all, bad) = r.list()?;
        for (file, why) in &bad {
            settings.printer.warn(format!("cannot verify {file} on remote `{name}`: {why}"));
        }
        if all.is_empty() && bad.is_empty() {
            return Err(fail(format!("there are no backups on remote `{name}` ({})", r.url))
                .hint("upload the local ones with `prisma-guard sync`")
                .into());
        }
        all
    } else {
        vec![r.resolve(args.id.as_deref().unwrap_or("latest"))?]
    };
    let opening = settings.opening()?;
    opens_any(&targets, opening.as_ref())?;
    let local = Store::open(&settings.backup_dir);
    let mut failed = 0;
    for m in targets {
        let opening = fitting(settings, args, &m, opening.as_ref());
        let mut problems = crate::backup::remote::copy::check(r, &m, opening)?;
        // The local manifest of the same id is the truth about this project's backup: a remote
        // copy of another (a prefix shared with another project or machine) is not it.
        let mine = local.resolve(&m.id).ok().filter(|l| l.id == m.id);
        if let Some(l) = mine.as_ref().filter(|l| l.file.sha256 != m.file.sha256 || l.database_name != m.database_name)
        {
            problems.push(crate::backup::store::verify::Problem::NotOurs(format!(
                "the remote's {} is another backup than this project's (database {}, sha256 {}; here: database {}, sha256 {})",
                m.id, m.database_name, short(&m.file.sha256), l.database_name, short(&l.file.sha256)
            )));
        }
        // Recorded in the local manifest, for `status`.
        if let Some(mut l) = mine {
            let error =
                (!problems.is_empty()).then(|| problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "));
            match l.remotes.iter_mut().find(|c| c.name == r.name) {
                Some(c) => {
                    c.verified = error.is_none();
                    c.error = error.map(|e| format!("verify --remote: {e}"));
                    c.checked_by = Some("verify".into());
                    c.stored_etag = if c.verified { r.head(&m.file.name)?.and_then(|(_, e)| e) } else { None };
                }
                None => l.remotes.push(crate::backup::store::manifest::RemoteCopy {
                    name: r.name.clone(),
                    url: r.object_url(&m.file.name),
                    uploaded_at: None,
                    verified: error.is_none(),
                    checked_by: Some("verify".into()),
                    locked_until: None,
                    lock_mode: None,
                    error: error.map(|e| format!("verify --remote: {e}")),
                    stored_etag: None,
                }),
            }
            local.save_manifest(&l)?;
        }
        if problems.is_empty() {
            let how = if m.file.encryption.is_some() && opening.is_none() {
                "sha256 matches; encrypted, not decrypted".to_string()
            } else {
                format!("sha256 matches, decompresses to {} bytes", m.file.uncompressed_bytes)
            };
            println!("ok      {}  on `{name}` ({how})", m.id);
        } else {
            failed += 1;
            let list = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
            println!("FAILED  {}  on `{name}`: {list}", m.id);
        }
    }
    if failed > 0 {
        return Err(fail(format!("{failed} backup(s) on remote `{name}` failed verification"))
            .hint("do not rely on them: take a fresh backup (`prisma-guard backup` uploads it), and check the store")
            .status(ExitStatus::Mismatch)
            .into());
    }
    Ok(ExitStatus::Success)
}

/// An identity that opens none of the sealed backups is a wrong key (a usage error, no verdict
/// on any backup), not a reason to check checksums only.
fn opens_any(targets: &[Manifest], opening: Option<&Opening>) -> Result<()> {
    let Some(o) = opening else { return Ok(()) };
    let sealed: Vec<&crate::backup::store::crypt::Sealed> =
        targets.iter().filter_map(|m| m.file.encryption.as_ref()).collect();
    if sealed.iter().any(|s| o.fits(s).is_ok()) {
        return Ok(());
    }
    sealed.first().map_or(Ok(()), |s| o.fits(s))
}

/// With `--all`, a backup sealed otherwise than the identity given opens (a passphrase before
/// keys were set up, keys since rotated) has its checksum checked, said, and the run goes on;
/// one backup named alone, or an identity that opens none of them, is a usage error.
fn fitting<'a>(
    settings: &Settings,
    args: &VerifyArgs,
    m: &Manifest,
    opening: Option<&'a Opening>,
) -> Option<&'a Opening> {
    match (opening, &m.file.encryption) {
        (Some(o), Some(sealed)) if args.all => {
            if o.fits(sealed).is_ok() {
                Some(o)
            } else {
                settings.printer.warn(format!(
                    "backup {} is sealed to {}, which {} does not open: its checksum is checked, not its decryption",
                    m.id,
                    sealed.recipients.join(", "),
                    o.source
                ));
                None
            }
        }
        (o, _) => o,
    }
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}
