//! Are the backups healthy? What `prisma-guard status` reports, and what a scheduler turns
//! into alerts: the newest backup's age in each location, the last verify and restore test,
//! the size change against the previous backup, disk space, the lock.
//!
//! Alerts about staleness come from here, run on a schedule by something else than the
//! backup itself: an alert that lives inside the failing process never fires.

use std::path::Path;

use serde::Serialize;

use crate::backup::remote::Remote;
use crate::backup::store::lock::{Holder, STALE};
use crate::backup::store::{Manifest, Store};
use crate::notify::event::{Event, Severity};

/// A backup size that changed by more than this against the previous one is worth a look.
pub const SIZE_CHANGE_ALERT: f64 = 0.20;

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub event: Event,
    pub location: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Newest {
    pub id: String,
    pub created_at: String,
    pub age_seconds: u64,
    pub size_bytes: u64,
}

/// The local folder or one remote.
#[derive(Debug, Clone, Serialize)]
pub struct Location {
    pub name: String,
    /// `local` or `remote`.
    pub kind: String,
    pub url: String,
    pub backups: usize,
    pub usage_bytes: u64,
    pub newest: Option<Newest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// A remote's `sync`/`prune` lock, when one is there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock: Option<LockState>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub id: String,
    pub at: String,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Disk {
    pub free_bytes: u64,
    pub total_bytes: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LockState {
    pub pid: u32,
    pub host: String,
    pub heartbeat_age_seconds: u64,
    pub stale: bool,
    /// The heartbeat is dated in the future (a wrong clock, or a planted lock): taken over.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub future: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub generated_at: String,
    pub max_age_seconds: u64,
    pub healthy: bool,
    pub locations: Vec<Location>,
    pub last_verify: Option<Check>,
    pub last_restore_test: Option<Check>,
    /// Newest against the one before, of the same database: +0.25 is 25 % larger.
    pub size_change: Option<f64>,
    pub disk: Option<Disk>,
    pub lock: Option<LockState>,
    pub findings: Vec<Finding>,
}

/// Look at the local folder and every remote. `configured`: the names of the project's
/// `[[remote]]` tables (a record of a remote removed since is history, not an alert).
/// `now`: unix seconds.
pub fn assess(store: &Store, remotes: &[Remote], configured: &[String], max_age: u64, now: u64) -> Report {
    let mut findings = Vec::new();
    let (local, unreadable) = store.list().unwrap_or_default();
    for bad in &unreadable {
        findings.push(finding(
            Severity::Warning,
            Event::BackupFailed,
            "local",
            format!("{} cannot be read: {}", bad.path.display(), bad.error),
        ));
    }
    let mut locations = vec![location("local", "local", &store.dir().display().to_string(), &local, now)];
    locations[0].usage_bytes = folder_size(store.dir());
    staleness(&locations[0], max_age, &mut findings);
    future_dated("local", &local, now, &mut findings);
    dump_missing("local", &local, &mut findings);
    if let Some(newest) = local.first() {
        if let Some(w) = newest.warnings.iter().find(|w| w.starts_with("does not restore")) {
            findings.push(finding(
                Severity::Critical,
                Event::BackupFailed,
                "local",
                format!("the newest backup {} {w}", newest.id),
            ));
        }
        for c in newest.remotes.iter().filter(|c| c.error.is_some() && configured.contains(&c.name)) {
            let what =
                if c.checked_by.as_deref() == Some("verify") { "failed verification on" } else { "did not reach" };
            findings.push(finding(
                Severity::Critical,
                Event::UploadFailed,
                &c.name,
                format!(
                    "the newest backup {} {what} remote `{}`: {}",
                    newest.id,
                    c.name,
                    c.error.as_deref().unwrap_or("")
                ),
            ));
        }
    }
    // A copy found damaged or missing by `verify --remote` (or a failed upload), any backup.
    for m in local.iter().skip(1) {
        for c in m
            .remotes
            .iter()
            .filter(|c| c.error.is_some() && c.checked_by.as_deref() == Some("verify") && configured.contains(&c.name))
        {
            findings.push(finding(
                Severity::Critical,
                Event::UploadFailed,
                &c.name,
                format!(
                    "the copy of backup {} on remote `{}` failed verification: {}",
                    m.id,
                    c.name,
                    c.error.as_deref().unwrap_or("")
                ),
            ));
        }
    }
    // Results of backups pruned since count too: a check that ran is never "never run".
    let remembered = store.last_checks();
    let last_verify = newer_check(latest_check(&local, |m| m.verified.as_ref()), remembered.verified.as_ref());
    if let Some(v) = last_verify.as_ref().filter(|v| !v.ok) {
        findings.push(finding(
            Severity::Critical,
            Event::BackupFailed,
            "local",
            format!("the last verify ({}, of {}) failed: {}", v.at, v.id, v.error.as_deref().unwrap_or("")),
        ));
    }
    let last_restore_test =
        newer_check(latest_check(&local, |m| m.restore_tested.as_ref()), remembered.restore_tested.as_ref());
    match &last_restore_test {
        Some(t) if !t.ok => findings.push(finding(
            Severity::Critical,
            Event::RestoreTestFailed,
            "local",
            format!("the last restore test ({}, of {}) failed: {}", t.at, t.id, t.error.as_deref().unwrap_or("")),
        )),
        // A restore test that ran once and then stopped (a nightly one that cannot open the
        // backups under the scheduler): one old success must not stay green for ever.
        Some(t) if restore_test_age(t, now).is_some_and(|age| age > RESTORE_TEST_MAX_AGE) && !local.is_empty() => {
            findings.push(finding(
                Severity::Warning,
                Event::RestoreTestFailed,
                "restore-test",
                format!(
                    "the last restore test ran {} ago ({}, of {}): the scheduled one is not running; run `prisma-guard restore-test` (with the identity, where backups are encrypted to keys) and check the schedule's log",
                    crate::ui::human_age(restore_test_age(t, now).unwrap_or(0)),
                    t.at,
                    t.id
                ),
            ));
        }
        // Not "local": `status --remotes-only` (CI, where restore tests are easily left out)
        // says it too.
        None if !local.is_empty() || !remotes.is_empty() => findings.push(finding(
            Severity::Info,
            Event::Notice,
            "restore-test",
            "no backup has been restore-tested yet (`prisma-guard restore-test`, or `restore-test --from NAME` where the key to open them is)".into(),
        )),
        _ => {}
    }
    let size_change = size_change(&local);
    if let Some(change) = size_change.filter(|c| c.abs() > SIZE_CHANGE_ALERT) {
        findings.push(finding(
            Severity::Warning,
            Event::BackupFailed,
            "local",
            format!(
                "the newest backup is {:.0} % {} than the one before: data {} (check it is expected)",
                change.abs() * 100.0,
                if change < 0.0 { "smaller" } else { "larger" },
                if change < 0.0 { "was lost or deleted?" } else { "grew fast" }
            ),
        ));
    }
    let disk = disk_of(store.dir());
    if let Some(d) = &disk {
        let newest = local.first().map_or(0, |m| m.file.compressed_bytes);
        // Nearly full: less than 2 % or 1 GiB left, or not room for two more backups like the last.
        let floor = (d.total_bytes / 50).min(1 << 30).max(newest.saturating_mul(2));
        if d.total_bytes > 0 && d.free_bytes < floor {
            findings.push(finding(
                Severity::Warning,
                Event::StorageLow,
                "local",
                format!(
                    "the disk holding {} has {} free of {}",
                    store.dir().display(),
                    crate::ui::human_bytes(d.free_bytes),
                    crate::ui::human_bytes(d.total_bytes)
                ),
            ));
        }
    }
    for r in remotes {
        let mut held = Vec::new();
        let loc = match r.list() {
            Ok((there, _)) => {
                held = there.iter().map(|t| t.id.clone()).collect();
                future_dated(&r.name, &there, now, &mut findings);
                dump_missing(&r.name, &there, &mut findings);
                not_ours(r, &there, now, &mut findings);
                // A backup a restore may not use (not signed by a trusted key) is never fresh.
                let usable: Vec<Manifest> = there.iter().filter(|m| r.trust.allows(m.authenticity)).cloned().collect();
                Location {
                    newest: location(&r.name, "remote", &r.url, &usable, now).newest,
                    ..location(&r.name, "remote", &r.url, &there, now)
                }
            }
            Err(e) => {
                let error = crate::error::one_line(&e);
                findings.push(finding(
                    Severity::Critical,
                    Event::UploadFailed,
                    &r.name,
                    format!("remote `{}` cannot be read: {error}", r.name),
                ));
                Location { error: Some(error), ..location(&r.name, "remote", &r.url, &[], now) }
            }
        };
        let mut loc = loc;
        loc.lock = remote_lock(r, now, &mut findings);
        if loc.error.is_none() {
            staleness(&loc, max_age, &mut findings);
            // The newest backup never got there, and no error says so (the run was killed
            // during the upload, or the remote was added since): nothing off-site is current.
            let in_progress = lock_state(store.dir(), now).is_some_and(|l| !l.stale);
            if let Some(newest) = local.first() {
                let recorded = newest.remotes.iter().any(|c| c.name == r.name);
                if !recorded && !in_progress && !held.contains(&newest.id) {
                    findings.push(finding(
                        Severity::Critical,
                        Event::UploadFailed,
                        &r.name,
                        format!(
                            "the newest backup {} did not reach remote `{}`: no upload of it is recorded and the remote does not hold it (`prisma-guard sync` sends it)",
                            newest.id, r.name
                        ),
                    ));
                }
            }
        }
        locations.push(loc);
    }
    let lock = lock_state(store.dir(), now);
    if let Some(l) = lock.as_ref().filter(|l| l.stale) {
        findings.push(finding(
            Severity::Warning,
            Event::BackupFailed,
            "local",
            format!(
                "the backup folder is locked by pid {} on {} with no heartbeat for {}s (a frozen run?)",
                l.pid, l.host, l.heartbeat_age_seconds
            ),
        ));
    }
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    Report {
        generated_at: humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + std::time::Duration::from_secs(now))
            .to_string(),
        max_age_seconds: max_age,
        healthy: findings.iter().all(|f| f.severity == Severity::Info),
        locations,
        last_verify,
        last_restore_test,
        size_change,
        disk,
        lock,
        findings,
    }
}

fn finding(severity: Severity, event: Event, location: &str, message: String) -> Finding {
    Finding { severity, event, location: location.to_string(), message }
}

fn location(name: &str, kind: &str, url: &str, manifests: &[Manifest], now: u64) -> Location {
    let current: Vec<&Manifest> = manifests.iter().filter(|m| !m.is_future(now) && !m.dump_missing).collect();
    let ours: Vec<&Manifest> = current.iter().copied().filter(|m| !m.is_safety_copy()).collect();
    let newest = ours.first().or(current.first()).map(|m| Newest {
        id: m.id.clone(),
        created_at: m.created_at.clone(),
        age_seconds: now.saturating_sub(m.created_unix),
        size_bytes: m.file.compressed_bytes,
    });
    Location {
        name: name.to_string(),
        kind: kind.to_string(),
        url: url.to_string(),
        backups: manifests.len(),
        usage_bytes: manifests.iter().map(|m| m.file.compressed_bytes).sum(),
        newest,
        error: None,
        lock: None,
    }
}

/// Backups on a remote a restore may not use: not signed by a key the project trusts (anyone
/// holding the bucket's write keys can upload one), or changed since they were signed.
/// Critical when one is newer than every backup a restore may use (a forged `latest`), or when
/// a signature does not verify.
fn not_ours(r: &Remote, there: &[Manifest], now: u64, findings: &mut Vec<Finding>) {
    use crate::backup::remote::signing::Authenticity;
    let newest_ok =
        there.iter().filter(|m| r.trust.allows(m.authenticity)).map(|m| (m.created_unix, m.created_ms)).max();
    let refused: Vec<&Manifest> = there.iter().filter(|m| !r.trust.allows(m.authenticity)).collect();
    if refused.is_empty() {
        return;
    }
    let critical = refused.iter().any(|m| {
        m.authenticity == Authenticity::BadSignature
            || (!m.is_future(now) && newest_ok.is_none_or(|n| (m.created_unix, m.created_ms) > n))
    });
    let list: Vec<String> =
        refused.iter().take(5).map(|m| format!("{} ({})", m.id, m.authenticity.describe())).collect();
    findings.push(finding(
        if critical { Severity::Critical } else { Severity::Warning },
        Event::BackupFailed,
        &r.name,
        format!(
            "{} backup(s) on remote `{}` are not signed by a key this project trusts, and restores refuse them: {}{}; uploaded with the bucket's keys by someone else, or from a machine whose key is not in [signing] public_keys (docs/operations.md)",
            refused.len(),
            r.name,
            list.join(", "),
            if refused.len() > 5 { ", ..." } else { "" }
        ),
    ));
}

/// A remote's `sync`/`prune` lock: said while held, a warning when silent or dated in the
/// future (the next `sync` or `prune` takes it over).
fn remote_lock(r: &Remote, now: u64, findings: &mut Vec<Finding>) -> Option<LockState> {
    let h = r.lock_holder()?;
    let future = h.heartbeat > now.saturating_add(crate::backup::store::manifest::FUTURE_SKEW_SECONDS);
    let age = now.saturating_sub(h.heartbeat);
    let state =
        LockState { pid: h.pid, host: h.host, heartbeat_age_seconds: age, stale: age > STALE.as_secs(), future };
    let (severity, what) = if future {
        (
            Severity::Warning,
            "its heartbeat is dated in the future (a wrong clock, or a planted lock): the next sync or prune takes it over"
                .to_string(),
        )
    } else if state.stale {
        (Severity::Warning, format!("silent for {age}s (a frozen run?): the next sync or prune takes it over"))
    } else {
        (Severity::Info, format!("heartbeat {age}s ago (a sync or prune is running)"))
    };
    findings.push(finding(
        severity,
        Event::BackupFailed,
        &r.name,
        format!("remote `{}` is locked by pid {} on {}: {what}", r.name, state.pid, state.host),
    ));
    Some(state)
}

/// Backups whose dump is gone (deleted, never finished): critical, never fresh.
fn dump_missing(name: &str, manifests: &[Manifest], findings: &mut Vec<Finding>) {
    for m in manifests.iter().filter(|m| m.dump_missing) {
        findings.push(finding(
            Severity::Critical,
            Event::BackupFailed,
            name,
            format!(
                "backup {} in {name} has its manifest but not its dump ({}): it cannot be restored and does not count as fresh; was it deleted?",
                m.id, m.file.name
            ),
        ));
    }
}

/// Backups dated in the future (a wrong clock, or a planted manifest): said, never fresh.
fn future_dated(name: &str, manifests: &[Manifest], now: u64, findings: &mut Vec<Finding>) {
    for m in manifests.iter().filter(|m| m.is_future(now)) {
        findings.push(finding(
            Severity::Warning,
            Event::BackupFailed,
            name,
            format!(
                "backup {} in {name} is dated {} in the future ({}): clock skew, or not this project's backup; it does not count as fresh nor as `latest`",
                m.id,
                humantime::format_duration(std::time::Duration::from_secs(m.created_unix - now)),
                m.created_at
            ),
        ));
    }
}

fn staleness(loc: &Location, max_age: u64, findings: &mut Vec<Finding>) {
    match &loc.newest {
        None => findings.push(finding(
            Severity::Critical,
            Event::Stale,
            &loc.name,
            format!("no backups in {} ({})", loc.name, loc.url),
        )),
        Some(n) if n.age_seconds > max_age => findings.push(finding(
            Severity::Critical,
            Event::Stale,
            &loc.name,
            format!(
                "the newest backup in {} is {} old ({}), more than {}",
                loc.name,
                humantime::format_duration(std::time::Duration::from_secs(n.age_seconds)),
                n.id,
                humantime::format_duration(std::time::Duration::from_secs(max_age))
            ),
        )),
        Some(_) => {}
    }
}

fn newer_check(found: Option<Check>, remembered: Option<&crate::backup::store::RememberedCheck>) -> Option<Check> {
    let Some(r) = remembered else { return found };
    match found {
        Some(f) if f.at >= r.check.at => Some(f),
        _ => Some(Check { id: r.id.clone(), at: r.check.at.clone(), ok: r.check.ok, error: r.check.error.clone() }),
    }
}

fn latest_check(
    manifests: &[Manifest],
    pick: impl Fn(&Manifest) -> Option<&crate::backup::store::manifest::Verified>,
) -> Option<Check> {
    // One run (`verify --all`) checks many backups within a second: a failure among the
    // latest results is the one reported, never a success that happened to come last.
    manifests
        .iter()
        .filter_map(|m| pick(m).map(|v| (m, v)))
        .max_by_key(|(_, v)| (v.at.clone(), !v.ok))
        .map(|(m, v)| Check { id: m.id.clone(), at: v.at.clone(), ok: v.ok, error: v.error.clone() })
}

/// A restore test older than this is reported: a schedule runs one each night, and a weekly
/// one still passes.
const RESTORE_TEST_MAX_AGE: u64 = 8 * 86_400;

/// How long ago a restore test ran, in seconds (`None`: its time cannot be read).
fn restore_test_age(t: &Check, now: u64) -> Option<u64> {
    let at = humantime::parse_rfc3339_weak(&t.at).ok()?;
    Some(now.saturating_sub(crate::backup::store::unix_now(at)))
}

/// The newest backup's size against the previous one of the same database (uncompressed
/// bytes: compression ratios vary less with the data than with the format).
fn size_change(manifests: &[Manifest]) -> Option<f64> {
    let ours: Vec<&Manifest> = manifests.iter().filter(|m| !m.is_safety_copy()).collect();
    let newest = ours.first()?;
    let previous =
        ours.iter().skip(1).find(|m| m.database_name == newest.database_name && m.engine == newest.engine)?;
    let (a, b) = (previous.file.uncompressed_bytes as f64, newest.file.uncompressed_bytes as f64);
    (a > 0.0).then(|| (b - a) / a)
}

fn folder_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| rd.flatten().filter_map(|e| e.metadata().ok()).filter(|m| m.is_file()).map(|m| m.len()).sum())
        .unwrap_or(0)
}

fn disk_of(dir: &Path) -> Option<Disk> {
    let probe = dir.ancestors().find(|d| d.exists())?;
    let s = rustix::fs::statvfs(probe).ok()?;
    Some(Disk { free_bytes: s.f_bavail.saturating_mul(s.f_frsize), total_bytes: s.f_blocks.saturating_mul(s.f_frsize) })
}

fn lock_state(dir: &Path, now: u64) -> Option<LockState> {
    let file = std::fs::File::open(dir.join(".lock")).ok()?;
    // Free when we can take it ourselves.
    if file.try_lock().is_ok() {
        return None;
    }
    let text = std::fs::read_to_string(dir.join(".lock")).ok()?;
    let h: Holder = serde_json::from_str(text.trim()).ok()?;
    let age = now.saturating_sub(h.heartbeat);
    Some(LockState {
        pid: h.pid,
        host: h.host,
        heartbeat_age_seconds: age,
        stale: age > STALE.as_secs(),
        future: false,
    })
}

/// Prometheus textfile-collector lines.
pub fn prometheus(report: &Report) -> String {
    let mut out = String::new();
    let mut metric = |name: &str, help: &str, samples: Vec<(String, f64)>| {
        out.push_str(&format!("# HELP prisma_guard_{name} {help}\n# TYPE prisma_guard_{name} gauge\n"));
        for (labels, v) in samples {
            out.push_str(&format!("prisma_guard_{name}{labels} {v}\n"));
        }
    };
    let by_loc = |f: &dyn Fn(&Location) -> Option<f64>| -> Vec<(String, f64)> {
        report
            .locations
            .iter()
            .filter_map(|l| {
                f(l).map(|v| (format!("{{location=\"{}\",kind=\"{}\"}}", l.name.replace('"', ""), l.kind), v))
            })
            .collect()
    };
    metric(
        "healthy",
        "1 when status finds nothing to alert on",
        vec![(String::new(), f64::from(u8::from(report.healthy)))],
    );
    metric(
        "backup_newest_age_seconds",
        "Age of the newest backup",
        by_loc(&|l| l.newest.as_ref().map(|n| n.age_seconds as f64)),
    );
    metric(
        "backup_newest_size_bytes",
        "Stored size of the newest backup",
        by_loc(&|l| l.newest.as_ref().map(|n| n.size_bytes as f64)),
    );
    metric("backups", "Number of backups", by_loc(&|l| Some(l.backups as f64)));
    metric("backup_usage_bytes", "Bytes the backups take", by_loc(&|l| Some(l.usage_bytes as f64)));
    metric(
        "location_up",
        "1 when the location could be read",
        by_loc(&|l| Some(f64::from(u8::from(l.error.is_none())))),
    );
    if let Some(v) = &report.last_verify {
        metric("verify_last_ok", "1 when the last verify passed", vec![(String::new(), f64::from(u8::from(v.ok)))]);
    }
    if let Some(t) = &report.last_restore_test {
        metric(
            "restore_test_last_ok",
            "1 when the last restore test passed",
            vec![(String::new(), f64::from(u8::from(t.ok)))],
        );
    }
    if let Some(c) = report.size_change {
        metric(
            "backup_size_change_ratio",
            "Newest backup size against the previous one, minus 1",
            vec![(String::new(), c)],
        );
    }
    if let Some(d) = &report.disk {
        metric("disk_free_bytes", "Free bytes on the backup folder's disk", vec![(String::new(), d.free_bytes as f64)]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_folder_is_stale_and_unhealthy() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path());
        let r = assess(&store, &[], &[], 3600, 1_800_000_000);
        assert!(!r.healthy);
        assert!(r.findings.iter().any(|f| f.event == Event::Stale && f.severity == Severity::Critical));
        let text = prometheus(&r);
        assert!(text.contains("prisma_guard_healthy 0"), "{text}");
        assert!(text.contains("prisma_guard_backups{location=\"local\",kind=\"local\"} 0"), "{text}");
    }
}
