//! `prisma-guard backup`

use anyhow::Result;

use crate::backup::store::manifest::Trigger;
use crate::backup::{self, Request};
use crate::cli::BackupArgs;
use crate::config::settings::Settings;
use crate::ui::human_bytes;
use crate::ExitStatus;

pub fn run(settings: &mut Settings, args: &BackupArgs) -> Result<ExitStatus> {
    if let Some(c) = args.compression {
        settings.with_compression(c);
    }
    let db = settings.database()?;
    settings.printer.status("Backing up", db.target().describe());
    let m = backup::take(settings, db.as_ref(), &Request { label: args.label.clone(), trigger: Trigger::manual() })?;
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
    Ok(ExitStatus::Success)
}
