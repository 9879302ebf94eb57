//! `prisma-guard restore-test [ID]`: restore a backup into a scratch database, compare its row
//! counts with the manifest, and drop the scratch database.

use anyhow::Result;

use super::restore::{replay, report_counts, same_engine, verified};
use crate::backup::store::Store;
use crate::cli::RestoreTestArgs;
use crate::config::settings::Settings;
use crate::ExitStatus;

pub fn run(settings: &Settings, args: &RestoreTestArgs) -> Result<ExitStatus> {
    // From a remote: into a temporary folder, gone afterwards.
    let fetched = match &args.from {
        Some(name) => {
            let dir = tempfile::Builder::new().prefix("prisma-guard-fetch-").tempdir()?;
            let store = Store::create(dir.path())?;
            let id = super::restore::fetch_from(settings, name, &args.id, &store)?;
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
    let db = settings.database()?;
    same_engine(&manifest, db.as_ref())?;
    let scratch = db.create_scratch()?;
    let scratch_db = scratch.database();
    settings
        .printer
        .status("Testing", format!("restore of {} into scratch {}", manifest.id, scratch_db.target().describe()));
    replay(settings, &store, &manifest, scratch_db, false)?;
    let status = report_counts(settings, &manifest, scratch_db, "restore test");
    drop(scratch);
    status
}
