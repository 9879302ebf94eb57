//! `prisma-guard prune`

use std::time::SystemTime;

use anyhow::Result;

use crate::backup::store::retention::{plan, Policy};
use crate::backup::store::{unix_now, Store};
use crate::cli::PruneArgs;
use crate::config::settings::Settings;
use crate::ExitStatus;

pub fn run(settings: &Settings, args: &PruneArgs) -> Result<ExitStatus> {
    // Deleting backups is a human's decision: an AI agent may look (--dry-run), not delete.
    if let (false, Some(marker)) = (args.dry_run, crate::agents::env::detect_current()) {
        let mut entry =
            crate::guard::audit::Entry::new(&settings.cwd, &["prune".to_string()], "destructive", "refused");
        entry.agent = Some(marker.clone());
        let _ = crate::guard::audit::append(&settings.audit_dir, &entry);
        return Err(crate::error::fail(format!(
            "refused: prune deletes backups, which needs a human, and an AI agent is running this command ({marker} is set)"
        ))
        .hint("AI agent: show the user `prisma-guard prune --dry-run` and let them run `prisma-guard prune` themselves")
        .status(ExitStatus::Refused)
        .into());
    }
    let store = Store::open(&settings.backup_dir);
    let _lock = if args.dry_run || !store.dir().is_dir() { None } else { Some(store.lock(&settings.printer)?) };
    let (manifests, _) = store.list()?;
    let policy = Policy {
        max_age_days: args.max_age_days.unwrap_or(settings.retention.max_age_days),
        keep: args.keep.unwrap_or(settings.retention.keep),
    };
    let doomed = plan(&manifests, unix_now(SystemTime::now()), policy);
    for m in &doomed {
        if args.dry_run {
            println!("would delete {}", m.id);
        } else {
            store.delete(m)?;
            println!("deleted {}", m.id);
        }
    }
    for tmp in store.dead_temp_files() {
        if args.dry_run {
            println!("would delete {} (left by an interrupted backup)", tmp.display());
        } else if if tmp.is_dir() { std::fs::remove_dir_all(&tmp) } else { std::fs::remove_file(&tmp) }.is_ok() {
            println!("deleted {} (left by an interrupted backup)", tmp.display());
        }
    }
    let kept = manifests.len() - doomed.len();
    settings.printer.status(
        if args.dry_run { "Dry run" } else { "Pruned" },
        format!("{} of {} backups, {kept} kept", doomed.len(), manifests.len()),
    );
    Ok(ExitStatus::Success)
}
