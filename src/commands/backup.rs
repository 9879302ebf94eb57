//! `prisma-guard backup`

use anyhow::Result;

use crate::backup::store::manifest::Trigger;
use crate::backup::{self, Request};
use crate::cli::BackupArgs;
use crate::config::settings::Settings;
use crate::notify::{self, Event, Severity};
use crate::ui::human_bytes;
use crate::ExitStatus;

pub fn run(settings: &mut Settings, args: &BackupArgs) -> Result<ExitStatus> {
    if let Some(c) = args.compression {
        settings.with_compression(c);
    }
    let db = settings.database()?;
    settings.printer.status("Backing up", db.target().describe());
    let m =
        match backup::take(settings, db.as_ref(), &Request { label: args.label.clone(), trigger: Trigger::manual() }) {
            Ok(m) => m,
            Err(e) => {
                notify::report(
                    settings,
                    Event::BackupFailed,
                    Severity::Critical,
                    format!("backup of {} failed", db.target().describe()),
                    crate::error::one_line(&e),
                );
                return Err(e);
            }
        };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&m)?);
    } else {
        let path = settings.backup_dir.join(&m.file.name);
        settings.printer.status(
            "Saved",
            format!(
                "{} ({} tables, {} rows, {} -> {}, {:.1}s)",
                m.id,
                m.row_counts.len(),
                m.total_rows(),
                human_bytes(m.file.uncompressed_bytes),
                human_bytes(m.file.compressed_bytes),
                m.duration_ms as f64 / 1000.0
            ),
        );
        println!("{}", path.display());
    }
    // A copy that did not make it off the machine is a failed backup for whoever watches the
    // exit code (a scheduler, an alert); the local backup stays.
    let failed: Vec<&str> = m.remotes.iter().filter(|c| c.error.is_some()).map(|c| c.name.as_str()).collect();
    if !failed.is_empty() {
        let why: Vec<String> =
            m.remotes.iter().filter_map(|c| c.error.as_ref().map(|e| format!("- {}: {e}", c.name))).collect();
        notify::report(
            settings,
            Event::UploadFailed,
            Severity::Critical,
            format!("backup {} did not reach {} (the local copy is saved)", m.id, failed.join(", ")),
            why.join("\n"),
        );
        return Err(crate::error::fail(format!(
            "backup {} is saved locally, but its off-site copy failed ({} of {} remote(s): {})",
            m.id,
            failed.len(),
            m.remotes.len(),
            failed.join(", ")
        ))
        .hint("fix the remote (see the warning above), then `prisma-guard sync` uploads what is missing")
        .into());
    }
    Ok(ExitStatus::Success)
}
