//! `prisma-guard drill`: a timed restore test (of the copy on the first `[[remote]]` when
//! there is one: where a lost server would restore from), whose result and duration are
//! kept for `status`, so the recovery time in docs/disaster-recovery.md is measured.

use std::path::Path;
use std::time::{Instant, SystemTime};

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::backup::health::Finding;
use crate::backup::store::unix_now;
use crate::cli::{DrillArgs, RestoreTestArgs};
use crate::config::settings::Settings;
use crate::notify::{Event, Severity};
use crate::ExitStatus;

/// `status` warns when the last drill is older than this (`[drill] max_age_days`).
pub const DEFAULT_MAX_AGE_DAYS: u64 = 30;

/// Where the last drill's result is kept, in the backup folder.
const RECORD: &str = ".last-drill.json";

/// One drill's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Drill {
    /// When it started (RFC 3339, UTC).
    pub at: String,
    pub at_unix: u64,
    pub ok: bool,
    /// Wall time of the whole restore: download, checks, restore, row counts.
    pub duration_ms: u64,
    /// `local`, or the remote's name.
    pub source: String,
    pub backup: Option<String>,
    /// The database's size as a dump (uncompressed), for the throughput.
    pub dump_bytes: Option<u64>,
    /// Uncompressed dump bytes restored per second.
    pub bytes_per_second: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

pub fn run(settings: &Settings, args: &DrillArgs) -> Result<ExitStatus> {
    let from = match (&args.from, args.local) {
        (Some(name), _) => Some(name.clone()),
        (None, true) => None,
        (None, false) => settings.config.file.remotes.first().map(|r| r.name.clone()),
    };
    let source = from.clone().unwrap_or_else(|| "local".into());
    let where_from = from.as_ref().map_or_else(|| "the local folder".to_string(), |r| format!("remote `{r}`"));
    settings.printer.status("Drill", format!("timed restore test of backup `{}` from {where_from}", args.id));
    let started = SystemTime::now();
    let clock = Instant::now();
    let mut tested = None;
    let test = RestoreTestArgs { id: args.id.clone(), from };
    let result = super::restore_test::run_noting(settings, &test, &mut tested);
    let elapsed = clock.elapsed();
    // A missing key or a bad argument is no verdict on the recovery: not recorded.
    if result.as_ref().is_err_and(crate::error::is_usage) {
        return result;
    }
    let ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX).max(1);
    let dump_bytes = tested.as_ref().map(|m| m.file.uncompressed_bytes);
    let drill = Drill {
        at: humantime::format_rfc3339_seconds(started).to_string(),
        at_unix: unix_now(started),
        ok: result.is_ok(),
        duration_ms: ms,
        source,
        backup: tested.as_ref().map(|m| m.id.clone()),
        dump_bytes,
        bytes_per_second: dump_bytes.filter(|_| result.is_ok()).map(|b| b.saturating_mul(1000) / ms),
        error: result.as_ref().err().map(crate::error::one_line),
    };
    if let Err(e) = save(&settings.backup_dir, &drill) {
        settings
            .printer
            .warn(format!("the drill's result could not be kept for `status`: {}", crate::error::one_line(&e)));
    }
    let seconds = elapsed.as_secs_f64();
    match (&result, drill.bytes_per_second) {
        (Ok(_), Some(rate)) => settings.printer.status(
            "Drilled",
            format!(
                "restore of {} ({} as a dump) from {where_from} in {seconds:.1} s ({}/s): the measured recovery time for this size",
                drill.backup.as_deref().unwrap_or("?"),
                crate::ui::human_bytes(drill.dump_bytes.unwrap_or(0)),
                crate::ui::human_bytes(rate)
            ),
        ),
        (Ok(_), None) => settings.printer.status("Drilled", format!("restore in {seconds:.1} s")),
        (Err(_), _) => settings.printer.warn(format!("the drill FAILED after {seconds:.1} s: recovery from {where_from} does not work today")),
    }
    result
}

fn save(dir: &Path, drill: &Drill) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    crate::backup::store::io::write_atomic(&dir.join(RECORD), &serde_json::to_vec_pretty(drill)?)?;
    Ok(())
}

/// The last drill's result, if one ran with this backup folder.
pub fn last(dir: &Path) -> Option<Drill> {
    std::fs::read(dir.join(RECORD)).ok().and_then(|b| serde_json::from_slice(&b).ok())
}

/// What `status` says about drills: a failed last drill, one older than `max_age_days`
/// (default [`DEFAULT_MAX_AGE_DAYS`]), or none ever when `[drill]` asks for them.
pub fn findings(max_age_days: Option<u64>, last: Option<&Drill>, now: u64) -> Vec<Finding> {
    let days = max_age_days.unwrap_or(DEFAULT_MAX_AGE_DAYS);
    let finding = |severity, event, message| Finding { severity, event, location: "drill".into(), message };
    match last {
        None if max_age_days.is_some() => vec![finding(
            Severity::Warning,
            Event::Stale,
            format!("no restore drill has ever run ([drill] max_age_days = {days}): run `prisma-guard drill`"),
        )],
        None => Vec::new(),
        Some(d) if !d.ok => vec![finding(
            Severity::Critical,
            Event::RestoreTestFailed,
            format!(
                "the last restore drill ({}, from {}) FAILED: {}",
                d.at,
                d.source,
                d.error.as_deref().unwrap_or("no detail")
            ),
        )],
        Some(d) if now.saturating_sub(d.at_unix) > days * 86_400 => vec![finding(
            Severity::Warning,
            Event::Stale,
            format!(
                "no restore drill in {} days (the last: {}; at most {days} days apart): run `prisma-guard drill`",
                now.saturating_sub(d.at_unix) / 86_400,
                d.at
            ),
        )],
        Some(_) => Vec::new(),
    }
}

/// The `status` line.
pub fn describe(last: Option<&Drill>) -> String {
    match last {
        None => "drill    never run (`prisma-guard drill`)".into(),
        Some(d) => {
            let rate = d.bytes_per_second.map(|r| format!(", {}/s", crate::ui::human_bytes(r))).unwrap_or_default();
            format!(
                "drill    last {} from {}: {} in {:.1} s ({}{rate})",
                d.at,
                d.source,
                if d.ok { "ok" } else { "FAILED" },
                d.duration_ms as f64 / 1000.0,
                d.backup.as_deref().unwrap_or("no backup")
            )
        }
    }
}

/// Prometheus lines for the last drill.
pub fn prometheus(last: Option<&Drill>) -> String {
    let Some(d) = last else { return String::new() };
    format!(
        "# HELP prisma_guard_drill_success Whether the last restore drill passed.\n# TYPE prisma_guard_drill_success gauge\nprisma_guard_drill_success {}\n\
         # HELP prisma_guard_drill_duration_seconds Wall time of the last restore drill.\n# TYPE prisma_guard_drill_duration_seconds gauge\nprisma_guard_drill_duration_seconds {:.3}\n\
         # HELP prisma_guard_drill_timestamp_seconds When the last restore drill started.\n# TYPE prisma_guard_drill_timestamp_seconds gauge\nprisma_guard_drill_timestamp_seconds {}\n",
        u8::from(d.ok),
        d.duration_ms as f64 / 1000.0,
        d.at_unix
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drill(ok: bool, at_unix: u64) -> Drill {
        Drill {
            at: "2026-12-01T00:00:00Z".into(),
            at_unix,
            ok,
            duration_ms: 1500,
            source: "local".into(),
            backup: Some("b".into()),
            dump_bytes: Some(10),
            bytes_per_second: Some(6),
            error: (!ok).then(|| "boom".into()),
        }
    }

    #[test]
    fn drills_are_findings_when_failed_overdue_or_asked_for_and_never_run() {
        let day = 86_400;
        let now = 100 * day;
        assert!(findings(None, None, now).is_empty(), "no [drill]: never having run one is no finding");
        let f = findings(Some(7), None, now);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].message.contains("has ever run"), "{}", f[0].message);
        assert!(findings(None, Some(&drill(true, now - 29 * day)), now).is_empty());
        let f = findings(None, Some(&drill(true, now - 31 * day)), now);
        assert!(f[0].message.contains("no restore drill in 31 days"), "{}", f[0].message);
        assert_eq!(findings(Some(7), Some(&drill(true, now - 8 * day)), now).len(), 1);
        let f = findings(None, Some(&drill(false, now)), now);
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(f[0].message.contains("boom"));
    }
}
