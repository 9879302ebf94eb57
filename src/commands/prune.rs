//! `prisma-guard prune`: the retention table (kept or deleted, and why), and with `--yes` the
//! deletion.

use std::time::SystemTime;

use anyhow::Result;

use crate::backup::store::manifest::Manifest;
use crate::backup::store::retention::{decide, Policy};
use crate::backup::store::{unix_now, Store};
use crate::cli::PruneArgs;
use crate::config::settings::Settings;
use crate::guard::classify::{classify, Invocation, Options, Risk};
use crate::ui::human_age;
use crate::ExitStatus;

/// Whether a backup was taken just before a destructive change: a guarded prisma command
/// that destroys data, or a restore (the safety copy of what it replaced).
fn before_destructive(m: &Manifest) -> bool {
    match m.trigger.kind.as_str() {
        "safety" => true,
        "prisma" => {
            let inv = Invocation::parse(&m.trigger.argv);
            matches!(classify(&inv, None, Options::default()), Risk::Destructive { .. })
        }
        _ => false,
    }
}

pub fn run(settings: &Settings, args: &PruneArgs) -> Result<ExitStatus> {
    let delete = args.yes && !args.dry_run;
    // Deleting backups is a human's decision: an AI agent may look, not delete.
    if let (true, Some(marker)) = (delete, crate::agents::markers::detect_current()) {
        let mut entry =
            crate::guard::audit::Entry::new(&settings.cwd, &["prune".to_string()], "destructive", "refused");
        entry.agent = Some(marker.clone());
        let _ = crate::guard::audit::append(&settings.audit_dir, &entry);
        return Err(crate::error::fail(format!(
            "refused: prune --yes deletes backups, which needs a human, and an AI agent is running this command ({marker} is set)"
        ))
        .hint("AI agent: show the user `prisma-guard prune` (the table) and let them run `prisma-guard prune --yes` themselves")
        .status(ExitStatus::Refused)
        .into());
    }
    let store = Store::open(&settings.backup_dir);
    let now = unix_now(SystemTime::now());
    let policy = with_flags(settings, args);
    // Flags that delete more than the project's own retention loosen its protection: a person
    // confirms on the terminal, having seen how many go (`--yes` alone never does).
    let looser = loosened(&settings.retention, args);
    if delete && !looser.is_empty() {
        let rerun = format!("prisma-guard prune --yes{}", flag_words(args));
        let (what, expected) = match &args.remote {
            Some(name) => (format!("backups on remote `{name}`"), format!("prune {name}")),
            None => {
                let (manifests, _) = store.list()?;
                let doomed = decide(&manifests, now, &policy, &before_destructive).iter().filter(|d| !d.keep).count();
                let remotes = if settings.config.file.remotes.is_empty() {
                    ""
                } else {
                    ", and on each remote without its own [retention] what its table shows"
                };
                (
                    format!("{doomed} of the {} backup(s) in {}{remotes}", manifests.len(), store.dir().display()),
                    format!("delete {doomed}"),
                )
            }
        };
        let summary = format!(
            "\n  {rerun}\n\n{}.\nIt deletes backups the project's retention (prisma-guard.toml, or the defaults) keeps: {what}.\n",
            looser.join("; ")
        );
        let action = format!("`{rerun}` deletes more backups than the project's retention and");
        if let Err(e) = crate::guard::confirm::typed_as(&summary, &expected, &format!("`{expected}`"), &action, &rerun)
        {
            let mut entry =
                crate::guard::audit::Entry::new(&settings.cwd, &["prune".to_string()], "destructive", "refused");
            entry.agent = crate::agents::markers::detect_current();
            let _ = crate::guard::audit::append(&settings.audit_dir, &entry);
            return Err(e);
        }
    }
    let _lock = if !delete || !store.dir().is_dir() { None } else { Some(store.lock(&settings.printer)?) };
    let (manifests, _) = store.list()?;
    let remotes = crate::backup::remote::open_all(&settings.config.file, args.remote.as_deref())?;
    let mut doomed_count = 0;
    if args.remote.is_none() {
        let decisions = decide(&manifests, now, &policy, &before_destructive);
        println!("Local: {}", store.dir().display());
        print_plan(&decisions, delete, now);
        let doomed: Vec<&Manifest> = decisions.iter().filter(|d| !d.keep).map(|d| d.manifest).collect();
        doomed_count += doomed.len();
        if delete {
            for m in &doomed {
                store.delete(m)?;
            }
        }
    }
    // Each remote by its own rules (or the project's); a copy under Object Lock stays until
    // its lock ends, whatever the rules say (the store would refuse anyway).
    for r in &remotes {
        let _remote_lock =
            if delete { Some(r.lock(&settings.printer, crate::backup::store::lock::wait_limit()?)?) } else { None };
        let (there, _) = r.list()?;
        // Backups a restore may not use (not signed by a trusted key: uploaded with the
        // bucket's keys by someone else?) take no rule's slot, so a few planted ones cannot
        // push this project's backups out; they are not deleted either (they may be yours).
        let (foreign, mut there): (Vec<_>, Vec<_>) = there.into_iter().partition(|m| !r.trust.allows(m.authenticity));
        for m in &foreign {
            settings.printer.warn(format!(
                "backup {} on remote `{}` is {}: no rule counts it and prune leaves it; delete it by hand if it is not yours",
                m.id,
                r.name,
                m.authenticity.describe()
            ));
        }
        // Remote manifests are copies made at upload: whether a copy was verified is known
        // here (upload check, `verify --remote`), and the newest verified one is never pruned.
        for m in &mut there {
            let seen =
                manifests.iter().find(|l| l.id == m.id).and_then(|l| l.remotes.iter().find(|c| c.name == r.name));
            // A copy that was not checked (`verify_upload = "none"`) is not a failed one.
            if let Some(c) = seen.filter(|c| c.verified || c.error.is_some()) {
                m.verified = Some(crate::backup::store::manifest::Verified {
                    at: c.uploaded_at.clone().unwrap_or_default(),
                    ok: c.verified && c.error.is_none(),
                    error: c.error.clone(),
                });
            }
        }
        let rules = r.retention.unwrap_or(policy);
        let mut decisions = decide(&there, now, &rules, &before_destructive);
        for d in &mut decisions {
            if let Some(until) = locked_until(d.manifest, &r.name) {
                if until > now && !d.keep {
                    d.keep = true;
                    d.reasons.push(format!(
                        "under Object Lock until {}",
                        humantime::format_rfc3339_seconds(
                            std::time::UNIX_EPOCH + std::time::Duration::from_secs(until)
                        )
                    ));
                }
            }
        }
        println!("Remote `{}`: {}", r.name, r.url);
        print_plan(&decisions, delete, now);
        for d in decisions.iter().filter(|d| !d.keep) {
            doomed_count += 1;
            if delete {
                for file in [
                    d.manifest.file.name.clone(),
                    format!("{}.sha256", d.manifest.file.name),
                    format!("{}.json", d.manifest.id),
                ] {
                    r.delete(&file)?;
                }
            }
        }
    }
    for tmp in store.dead_temp_files() {
        if !delete {
            println!("would delete {} (left by an interrupted backup)", tmp.display());
        } else if if tmp.is_dir() { std::fs::remove_dir_all(&tmp) } else { std::fs::remove_file(&tmp) }.is_ok() {
            println!("deleted {} (left by an interrupted backup)", tmp.display());
        }
    }
    if delete {
        settings.printer.status("Pruned", format!("{doomed_count} backup(s) deleted"));
    } else {
        settings.printer.status(
            "Nothing deleted",
            format!("{doomed_count} backup(s) would go; `prisma-guard prune --yes` deletes them"),
        );
    }
    Ok(ExitStatus::Success)
}

/// The project's retention with `--keep`/`--max-age-days` applied (they do not apply to the
/// grandfather-father-son rules: said, not silently).
fn with_flags(settings: &Settings, args: &PruneArgs) -> Policy {
    let mut policy: Policy = settings.retention;
    if policy.gfs.is_set() && (args.keep.is_some() || args.max_age_days.is_some()) {
        settings
            .printer
            .warn("--keep and --max-age-days do not apply: [retention] uses keep_last/keep_daily/... rules");
        return policy;
    }
    if let Some(days) = args.max_age_days {
        policy.max_age_days = days;
    }
    if let Some(keep) = args.keep {
        policy.keep = keep;
    }
    policy
}

/// The flags that delete more than the project's retention (`0` is no limit: never looser).
fn loosened(own: &Policy, args: &PruneArgs) -> Vec<String> {
    let mut out = Vec::new();
    if own.gfs.is_set() {
        return out;
    }
    let tighter_limit = |flag: u64, own: u64| flag > 0 && (own == 0 || flag < own);
    if let Some(keep) = args.keep.filter(|k| tighter_limit(*k as u64, own.keep as u64)) {
        out.push(format!(
            "--keep {keep} keeps fewer backups than the project ({})",
            if own.keep == 0 { "no count limit".to_string() } else { format!("keep = {}", own.keep) }
        ));
    }
    if let Some(days) = args.max_age_days.filter(|d| tighter_limit(*d, own.max_age_days)) {
        out.push(format!(
            "--max-age-days {days} deletes younger backups than the project ({})",
            if own.max_age_days == 0 {
                "no age limit".to_string()
            } else {
                format!("max_age_days = {}", own.max_age_days)
            }
        ));
    }
    out
}

/// The retention flags as typed, to show the command again.
fn flag_words(args: &PruneArgs) -> String {
    let mut s = String::new();
    if let Some(k) = args.keep {
        s.push_str(&format!(" --keep {k}"));
    }
    if let Some(d) = args.max_age_days {
        s.push_str(&format!(" --max-age-days {d}"));
    }
    if let Some(r) = &args.remote {
        s.push_str(&format!(" --remote {r}"));
    }
    s
}

/// The table: ID, AGE, ACTION, WHY.
fn print_plan(decisions: &[crate::backup::store::retention::Decision<'_>], delete: bool, now: u64) {
    let width = decisions.iter().map(|d| d.manifest.id.len()).max().unwrap_or(2).max(2);
    if decisions.is_empty() {
        println!("  no backups");
        return;
    }
    // Several databases' backups in one place: each is judged on its own, and the table says
    // which database each row is of.
    let first = &decisions[0].database;
    if decisions.iter().any(|d| &d.database != first) {
        let mut shown: Vec<&str> = Vec::new();
        for d in decisions {
            if !shown.contains(&d.database.as_str()) {
                shown.push(&d.database);
            }
        }
        println!("Backups of {} databases, each judged on its own:", shown.len());
        for db in shown {
            println!("Database {db}");
            print_rows(decisions.iter().filter(|d| d.database == db), delete, now, width);
        }
        return;
    }
    print_rows(decisions.iter(), delete, now, width);
}

fn print_rows<'a, 'b: 'a>(
    decisions: impl Iterator<Item = &'a crate::backup::store::retention::Decision<'b>>,
    delete: bool,
    now: u64,
    width: usize,
) {
    println!("{:<width$}  {:<8}  {:<6}  WHY", "ID", "AGE", "ACTION");
    for d in decisions {
        let action = match (d.keep, delete) {
            (true, _) => "keep",
            (false, true) => "delete",
            (false, false) => "DELETE",
        };
        println!(
            "{:<width$}  {:<8}  {:<6}  {}",
            d.manifest.id,
            human_age(now.saturating_sub(d.manifest.created_unix)),
            action,
            d.reasons.join("; ")
        );
    }
}

/// When the copy on remote `name` is locked until (unix seconds), from its manifest.
fn locked_until(m: &Manifest, name: &str) -> Option<u64> {
    let c = m.remotes.iter().find(|c| c.name == name)?;
    let t = humantime::parse_rfc3339_weak(c.locked_until.as_deref()?).ok()?;
    Some(unix_now(t))
}
