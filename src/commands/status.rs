//! `prisma-guard status`: the health report, for people, monitors and schedulers.

use std::time::SystemTime;

use anyhow::Result;

use crate::backup::health::{self, Finding, Report};
use crate::backup::store::{unix_now, Store};
use crate::cli::{StatusArgs, StatusFormat};
use crate::config::settings::Settings;
use crate::notify::{self, Event, Severity};
use crate::ui::{human_age, human_bytes};
use crate::ExitStatus;

pub fn run(settings: &Settings, args: &StatusArgs) -> Result<ExitStatus> {
    let max_age = humantime::parse_duration(&args.max_age)
        .map_err(|e| {
            crate::error::Failure::usage(format!("--max-age {}: {e}", args.max_age)).hint("write it like 25h or 2days")
        })?
        .as_secs();
    // A remote that cannot be opened (no credentials) is a finding, not a crash.
    let opened = crate::backup::remote::open_configured(&settings.config.file)?;
    let mut remotes = Vec::new();
    let mut broken = Vec::new();
    for r in opened {
        match r {
            Ok(r) => remotes.push(r),
            Err((spec, e)) => broken.push((spec, e)),
        }
    }
    let store = Store::open(&settings.backup_dir);
    let configured: Vec<String> = settings.config.file.remotes.iter().map(|r| r.name.clone()).collect();
    let mut report = health::assess(&store, &remotes, &configured, max_age, unix_now(SystemTime::now()));
    for (spec, e) in &broken {
        report.findings.insert(
            0,
            health::Finding {
                severity: Severity::Critical,
                event: Event::UploadFailed,
                location: spec.name.clone(),
                message: format!("remote `{}` cannot be used: {}", spec.name, crate::error::one_line(e)),
            },
        );
        report.healthy = false;
    }
    if args.remotes_only {
        if settings.config.file.remotes.is_empty() {
            return Err(crate::error::Failure::usage("--remotes-only: prisma-guard.toml configures no [[remote]]")
                .hint(
                    "add a [[remote]] table (docs/operations.md), or run `prisma-guard status` without --remotes-only",
                )
                .into());
        }
        report.locations.retain(|l| l.kind != "local");
        report.findings.retain(|f| f.location != "local");
        report.healthy = report.findings.iter().all(|f| f.severity == Severity::Info);
    }
    let tripwire = tripwire(settings);
    if let Some(Ok(t)) = &tripwire {
        if !crate::tripwire::is_sound(t) {
            report.findings.push(health::Finding {
                severity: Severity::Warning,
                event: Event::Stale,
                location: t.database.clone(),
                message: format!("tripwire {}", t.summary()),
            });
            report.healthy = false;
        }
    }
    let drill = crate::commands::drill::last(&settings.backup_dir);
    for f in crate::commands::drill::findings(
        settings.config.file.drill.max_age_days,
        drill.as_ref(),
        unix_now(SystemTime::now()),
    ) {
        report.healthy &= f.severity == Severity::Info;
        report.findings.push(f);
    }
    match (args.json, args.format) {
        (true, _) | (_, StatusFormat::Json) => {
            let mut value = serde_json::to_value(&report)?;
            if let (Some(map), Some(t)) = (value.as_object_mut(), &tripwire) {
                map.insert("tripwire".into(), tripwire_json(t));
            }
            if let Some(map) = value.as_object_mut() {
                map.insert("last_drill".into(), serde_json::to_value(&drill)?);
            }
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
        (_, StatusFormat::Prometheus) => {
            print!("{}{}", health::prometheus(&report), crate::commands::drill::prometheus(drill.as_ref()));
        }
        (_, StatusFormat::Text) => {
            if let Some(t) = &tripwire {
                match t {
                    Ok(t) => println!("tripwire {}", t.summary()),
                    Err(e) => println!("tripwire unknown: {}", crate::error::one_line(e)),
                }
            }
            print_text(&report, drill.as_ref());
        }
    }
    if args.notify {
        send(settings, &report, args.digest);
    }
    Ok(if report.healthy { ExitStatus::Success } else { ExitStatus::Failure })
}

/// The PostgreSQL tripwire (prisma-guard protect) of the project's database; `None` when the
/// project has no PostgreSQL database prisma-guard can name.
fn tripwire(settings: &Settings) -> Option<Result<crate::tripwire::Inspection>> {
    let target = settings.target().ok()?;
    let db = crate::tripwire::postgres(&target, &settings.tools).ok()?;
    Some(crate::tripwire::inspect(&db))
}

fn tripwire_json(t: &Result<crate::tripwire::Inspection>) -> serde_json::Value {
    match t {
        Ok(t) => serde_json::json!({
            "database": t.database,
            "installed": t.probe.installed.is_some(),
            "version": t.probe.installed.as_ref().map(|(v, _)| v),
            "sound": crate::tripwire::is_sound(t),
            "this_machine_has_key": t.has_key,
            "problems": t.problems,
            "detail": t.status,
        }),
        Err(e) => serde_json::json!({ "error": crate::error::one_line(e) }),
    }
}

fn print_text(r: &Report, drill: Option<&crate::commands::drill::Drill>) {
    for l in &r.locations {
        let newest = match (&l.newest, &l.error) {
            (_, Some(e)) => format!("cannot be read: {e}"),
            (None, None) => "no backups".into(),
            (Some(n), None) => {
                format!("newest {} ({} ago, {})", n.id, human_age(n.age_seconds), human_bytes(n.size_bytes))
            }
        };
        println!("{:<8} {:<16} {} backups, {}: {newest}", l.kind, l.name, l.backups, human_bytes(l.usage_bytes));
        if let Some(lock) = &l.lock {
            println!(
                "         {:<16} locked by pid {} on {} ({})",
                "",
                lock.pid,
                lock.host,
                if lock.future {
                    "heartbeat in the future".to_string()
                } else {
                    format!("heartbeat {}s ago", lock.heartbeat_age_seconds)
                }
            );
        }
    }
    match &r.last_verify {
        Some(v) => println!("verify   last {} of {}: {}", v.at, v.id, if v.ok { "ok" } else { "FAILED" }),
        None => println!("verify   never run (`prisma-guard verify --all`)"),
    }
    match &r.last_restore_test {
        Some(t) => println!("restore  last test {} of {}: {}", t.at, t.id, if t.ok { "ok" } else { "FAILED" }),
        None => println!("restore  never tested (`prisma-guard restore-test`)"),
    }
    println!("{}", crate::commands::drill::describe(drill));
    if let Some(c) = r.size_change {
        println!("size     {:+.1} % against the previous backup", c * 100.0);
    }
    if let Some(d) = &r.disk {
        println!("disk     {} free of {}", human_bytes(d.free_bytes), human_bytes(d.total_bytes));
    }
    match &r.lock {
        Some(l) => {
            println!("lock     held by pid {} on {} (heartbeat {}s ago)", l.pid, l.host, l.heartbeat_age_seconds)
        }
        None => println!("lock     free"),
    }
    for f in &r.findings {
        let tag = match f.severity {
            Severity::Critical => "CRITICAL",
            Severity::Warning => "WARNING ",
            Severity::Info => "note    ",
        };
        println!("{tag} {}", f.message);
    }
    println!("{}", if r.healthy { "healthy" } else { "NOT HEALTHY" });
}

/// Alerts from the report: one message per event (each `[[notify]]` filters by its own
/// `events` and `min_severity`, so a table that wants only `stale` hears of staleness even
/// when an upload failure came first), or (with `digest`) the daily confirmation when there is
/// nothing to say.
fn send(settings: &Settings, r: &Report, digest: bool) {
    let worth: Vec<&Finding> = r.findings.iter().filter(|f| f.severity > Severity::Info).collect();
    let mut events: Vec<Event> = Vec::new();
    for f in &worth {
        if !events.contains(&f.event) {
            events.push(f.event);
        }
    }
    if events.is_empty() {
        if digest {
            let lines: Vec<String> = r
                .locations
                .iter()
                .map(|l| match &l.newest {
                    Some(n) => format!("- {}: newest {} ({} ago)", l.name, n.id, human_age(n.age_seconds)),
                    None => format!("- {}: no backups", l.name),
                })
                .collect();
            notify::report(settings, Event::Digest, Severity::Info, "backups are healthy".into(), lines.join("\n"));
        }
        return;
    }
    for event in events {
        let these: Vec<&&Finding> = worth.iter().filter(|f| f.event == event).collect();
        let sev = these.iter().map(|f| f.severity).max().unwrap_or(Severity::Warning);
        let body =
            these.iter().map(|f| format!("- [{}] {}", f.severity.as_str(), f.message)).collect::<Vec<_>>().join("\n");
        let others = worth.len() - these.len();
        let more = if others > 0 {
            format!("\n\n{others} other finding(s), sent as their own events.")
        } else {
            String::new()
        };
        notify::report(
            settings,
            event,
            sev,
            these[0].message.clone(),
            format!("{body}{more}\n\nRun `prisma-guard status` in the project for the whole report."),
        );
    }
}
