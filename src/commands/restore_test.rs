//! `prisma-guard restore-test [ID]`: restore a backup into a scratch database, compare its row
//! counts with the manifest, and drop the scratch database.

use anyhow::Result;

use super::restore::{replay, report_counts, same_engine, verified};
use crate::backup::store::Store;
use crate::cli::RestoreTestArgs;
use crate::config::settings::Settings;
use crate::ExitStatus;

pub fn run(settings: &Settings, args: &RestoreTestArgs) -> Result<ExitStatus> {
    let store = Store::open(&settings.backup_dir);
    let manifest = verified(settings, &store, &args.id)?;
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
