//! `prisma-guard backups`

use std::time::SystemTime;

use anyhow::Result;

use crate::backup::remote::signing::Authenticity;
use crate::backup::store::{unix_now, Store};
use crate::cli::ListArgs;
use crate::config::settings::Settings;
use crate::ui::{human_age, human_bytes};
use crate::ExitStatus;

pub fn run(settings: &Settings, args: &ListArgs) -> Result<ExitStatus> {
    if let Some(name) = &args.remote {
        let remotes = crate::backup::remote::open_all(&settings.config.file, Some(name))?;
        let Some(r) = remotes.first() else { return Ok(ExitStatus::Success) };
        let (manifests, bad) = r.list()?;
        for (file, why) in &bad {
            settings.printer.warn(format!("skipped {file} on remote `{name}`: {why}"));
        }
        for m in manifests.iter().filter(|m| m.authenticity != Authenticity::Signed) {
            let used =
                if r.trust.allows(m.authenticity) { "used: [signing] accept_unsigned" } else { "restores refuse it" };
            settings.printer.warn(format!(
                "backup {} on remote `{name}` is {} ({used}): is it this project's?",
                m.id,
                m.authenticity.describe()
            ));
        }
        if args.json {
            println!("{}", serde_json::to_string_pretty(&manifests)?);
        } else if manifests.is_empty() {
            settings.printer.status("No backups", format!("on remote `{name}` ({})", r.url));
        } else {
            table(&manifests, Some(name));
        }
        return Ok(ExitStatus::Success);
    }
    let store = Store::open(&settings.backup_dir);
    let (manifests, unreadable) = store.list()?;
    for bad in &unreadable {
        settings.printer.warn(format!("skipped {}: {}", bad.path.display(), bad.error));
    }
    for orphan in store.orphan_dumps() {
        settings.printer.warn(format!(
            "{} is a dump without a manifest: prisma-guard cannot check it (to use it anyway, see docs/restore-by-hand.md)",
            orphan.display()
        ));
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&manifests)?);
        return Ok(ExitStatus::Success);
    }
    if manifests.is_empty() {
        settings
            .printer
            .status("No backups", format!("in {} (take one with `prisma-guard backup`)", store.dir().display()));
        return Ok(ExitStatus::Success);
    }
    table(&manifests, None);
    Ok(ExitStatus::Success)
}

/// The listing: local backups with their off-site copies, or a remote's with their locks.
fn table(manifests: &[crate::backup::store::Manifest], remote: Option<&str>) {
    let now = unix_now(SystemTime::now());
    let rows: Vec<[String; 6]> = manifests
        .iter()
        .map(|m| {
            let verified = match &m.verified {
                _ if m.restore_failure().is_some() => "NO RESTORE".to_string(),
                Some(v) if v.ok => "yes".to_string(),
                Some(_) => "FAILED".to_string(),
                None => "-".to_string(),
            };
            [
                m.id.clone(),
                human_age(now.saturating_sub(m.created_unix)),
                m.trigger.describe(),
                match m.file.encryption {
                    Some(_) => format!("{} (age)", human_bytes(m.file.compressed_bytes)),
                    None => human_bytes(m.file.compressed_bytes),
                },
                verified,
                copies(m, remote),
            ]
        })
        .collect();
    let last = if remote.is_some() { "LOCKED UNTIL" } else { "OFF-SITE" };
    let headers = ["ID", "AGE", "TRIGGER", "SIZE", "VERIFIED", last];
    let widths: Vec<usize> = (0..6)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).chain([headers[i].len()]).max().unwrap_or(0))
        .collect();
    let line = |cells: [&str; 6]| {
        cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect::<Vec<_>>().join("  ").trim_end().to_string()
    };
    println!("{}", line(headers));
    for r in &rows {
        println!("{}", line([&r[0], &r[1], &r[2], &r[3], &r[4], &r[5]]));
    }
}

/// Where a backup's copies are (local listing), or until when this remote's is locked.
fn copies(m: &crate::backup::store::Manifest, remote: Option<&str>) -> String {
    if let Some(name) = remote {
        return m
            .remotes
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.locked_until.clone())
            .unwrap_or_else(|| "-".into());
    }
    let list: Vec<String> = m
        .remotes
        .iter()
        .map(|c| if c.error.is_none() && c.verified { c.name.clone() } else { format!("{} FAILED", c.name) })
        .collect();
    if list.is_empty() {
        "-".into()
    } else {
        list.join(", ")
    }
}
