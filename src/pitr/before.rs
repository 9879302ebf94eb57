//! `restore --before TIME` for dump-only setups: the newest backup taken before TIME whose
//! file still matches its checksum, skipping backups known to be bad.

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::backup::db::url::Engine;
use crate::backup::store::manifest::Manifest;
use crate::backup::store::verify::{self, Depth};
use crate::backup::store::Store;
use crate::error::fail;

/// The backup to restore, and what was passed over on the way (for the user to see).
pub struct Choice {
    pub manifest: Manifest,
    pub skipped: Vec<String>,
}

/// Milliseconds since the epoch at which a backup was taken.
fn taken_ms(m: &Manifest) -> i64 {
    i64::try_from(m.created_unix).unwrap_or(i64::MAX).saturating_mul(1000) + i64::from(m.created_ms)
}

/// Why a backup cannot be the answer before its file is even read.
fn known_bad(m: &Manifest) -> Option<String> {
    if m.dump_missing {
        return Some("its dump file is missing".into());
    }
    m.known_bad()
}

/// The newest backup of `ours` (engine, database name; any database when `None`) taken
/// strictly before `before`, whose checksum checks out now.
pub fn pick(store: &Store, ours: Option<(Engine, &str)>, before: &DateTime<Utc>) -> Result<Choice> {
    let (all, _) = store.list()?;
    let limit = before.timestamp_millis();
    let mine: Vec<&Manifest> = all
        .iter()
        .filter(|m| ours.is_none_or(|(engine, name)| m.engine == engine && m.database_name == name))
        .collect();
    let mut skipped = Vec::new();
    let mut candidates: Vec<&Manifest> = mine.iter().copied().filter(|m| taken_ms(m) < limit).collect();
    candidates.sort_by_key(|m| std::cmp::Reverse(taken_ms(m)));
    for m in candidates {
        if let Some(why) = known_bad(m) {
            skipped.push(format!("{} skipped: {why}", m.id));
            continue;
        }
        let problems = verify::verify(store, m, Depth::Checksum, None)?;
        if problems.is_empty() {
            return Ok(Choice { manifest: m.clone(), skipped });
        }
        let list = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
        skipped.push(format!("{} skipped: damaged ({list})", m.id));
    }
    let whose = match ours {
        Some((_, name)) => format!("of database `{name}` "),
        None => String::new(),
    };
    let when = crate::pitr::time::rfc3339(before);
    let mut message = format!("no verified backup {whose}in {} was taken before {when}", store.dir().display());
    if let Some(oldest) = mine.iter().min_by_key(|m| taken_ms(m)) {
        message.push_str(&format!(" (the oldest is {}, taken {})", oldest.id, oldest.created_at));
    }
    for s in &skipped {
        message.push_str(&format!("\n  {s}"));
    }
    Err(fail(message)
        .hint("list the backups with `prisma-guard backups` (and `--remote NAME` for off-site copies: fetch one with `prisma-guard restore ID --from NAME`)")
        .into())
}

/// `restore [ID] --before TIME`: the id to restore, said with what was passed over.
/// `ours`: the project's database when restoring over it (else any database's backups).
pub fn chosen(
    settings: &crate::config::settings::Settings,
    store: &Store,
    ours: Option<&dyn crate::backup::db::Database>,
    id: &str,
    time: &str,
) -> Result<String> {
    if id != "latest" {
        return Err(crate::error::Failure::usage(format!("name a backup ({id}) or give --before, not both"))
            .hint("`prisma-guard restore --before TIME` picks the backup itself")
            .into());
    }
    let before = crate::pitr::time::parse(time)
        .map_err(|e| crate::error::Failure::usage(format!("--before: {e}")).hint("see docs/pitr.md#times"))?;
    let name = ours.map(|db| (db.engine(), db.name()));
    let choice = pick(store, name.as_ref().map(|(e, n)| (*e, n.as_str())), &before)?;
    for s in &choice.skipped {
        settings.printer.warn(s);
    }
    let m = &choice.manifest;
    let gap = before.timestamp_millis() - taken_ms(m);
    settings.printer.status(
        "Chosen",
        format!(
            "backup {} taken {} ({} before {}): the newest verified backup before that time",
            m.id,
            m.created_at,
            crate::ui::human_age(u64::try_from(gap / 1000).unwrap_or(0)),
            crate::pitr::time::rfc3339(&before)
        ),
    );
    Ok(m.id.clone())
}
