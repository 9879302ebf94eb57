//! `prisma-guard restore-test [ID]`: restore a backup into a scratch database, compare its row
//! counts with the manifest, and drop the scratch database.

use anyhow::Result;

use super::restore::{replay, report_counts, same_engine, verified};
use crate::backup::store::manifest::{Manifest, Verified};
use crate::backup::store::Store;
use crate::cli::RestoreTestArgs;
use crate::config::settings::Settings;
use crate::ExitStatus;

pub fn run(settings: &Settings, args: &RestoreTestArgs) -> Result<ExitStatus> {
    run_noting(settings, args, &mut None)
}

/// [`run`], noting in `tested` the backup that was restored (for `drill`).
pub(crate) fn run_noting(
    settings: &Settings,
    args: &RestoreTestArgs,
    tested: &mut Option<Manifest>,
) -> Result<ExitStatus> {
    let result = test(settings, args, tested);
    // A wrong or missing key (a usage error) is no verdict on the backup: not recorded, no alert.
    if result.as_ref().is_err_and(crate::error::is_usage) {
        return result;
    }
    // A local backup refused before its replay (damaged, undecryptable) failed its test too.
    if let (Err(_), None) = (&result, &args.from) {
        if let Ok(m) = Store::open(&settings.backup_dir).resolve(&args.id) {
            if m.restore_tested.as_ref().is_none_or(|t| t.ok) {
                record(settings, &m.id, &result);
            }
        }
    }
    if let Err(e) = &result {
        crate::notify::report(
            settings,
            crate::notify::Event::RestoreTestFailed,
            crate::notify::Severity::Critical,
            format!("the restore test of backup `{}` failed", args.id),
            crate::error::one_line(e),
        );
    }
    result
}

fn test(settings: &Settings, args: &RestoreTestArgs, tested: &mut Option<Manifest>) -> Result<ExitStatus> {
    let db = settings.database()?;
    // From a remote: into a temporary folder, gone afterwards (`latest`: the newest backup
    // of the project's database there).
    let fetched = match &args.from {
        Some(name) => {
            let dir = tempfile::Builder::new().prefix("prisma-guard-fetch-").tempdir()?;
            let store = Store::create(dir.path())?;
            let id = super::restore::fetch_from(settings, name, &args.id, Some(db.as_ref()), &store)?;
            Some((dir, store, id))
        }
        None => None,
    };
    let store = match &fetched {
        Some((_, s, _)) => s.clone(),
        None => Store::open(&settings.backup_dir),
    };
    let id = fetched.as_ref().map_or(args.id.as_str(), |(_, _, id)| id.as_str());
    let manifest = verified(settings, &store, id)?;
    *tested = Some(manifest.clone());
    same_engine(&manifest, db.as_ref())?;
    let scratch = db.create_scratch()?;
    let scratch_db = scratch.database();
    settings
        .printer
        .status("Testing", format!("restore of {} into scratch {}", manifest.id, scratch_db.target().describe()));
    let result = replay(settings, &store, &manifest, scratch_db, false)
        .and_then(|()| report_counts(settings, &manifest, scratch_db, "restore test", true));
    drop(scratch);
    record(settings, &manifest.id, &result);
    result
}

/// Write the result into the local manifest of that backup (when there is one), for `status`.
fn record(settings: &Settings, id: &str, result: &Result<ExitStatus>) {
    let local = Store::open(&settings.backup_dir);
    let Ok(mut m) = local.resolve(id) else { return };
    if m.id != id {
        return;
    }
    m.restore_tested = Some(Verified {
        at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        ok: result.is_ok(),
        error: result.as_ref().err().map(crate::error::one_line),
    });
    let _ = local.save_manifest(&m);
}
