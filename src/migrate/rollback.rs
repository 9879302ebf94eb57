//! `prisma-guard migrate rollback`: undo the last applied migration with its down script.
//!
//! The down script and its findings are shown; a destructive one needs the database name
//! typed on the terminal (no terminal, or an AI agent: refused). A backup is taken; the
//! script runs with `prisma db execute`, in one transaction with the update that marks the
//! migration failed in `_prisma_migrations` where the database has transactional DDL
//! (PostgreSQL, SQLite; not MySQL); then `prisma migrate resolve --rolled-back` records the
//! rollback Prisma's own way (it refuses a migration that is not in a failed state, P3012,
//! hence the update first). Validated: the migration is no longer applied, the database
//! matches the history before it (`prisma migrate diff --exit-code`), no table the script
//! does not name lost rows, `PRAGMA integrity_check` on SQLite. Without a down script, the
//! restore of the backup taken before the migration is offered (printed, never run).

use anyhow::Result;
use serde::Serialize;

use super::diff::Drift;
use super::down::{self, DownScript};
use super::prisma_run::{Call, Output};
use super::rehearse::Migration;
use crate::backup::db::url::Engine;
use crate::backup::db::Database;
use crate::backup::store::manifest::Trigger;
use crate::backup::store::Store;
use crate::config::settings::Settings;
use crate::error::fail;
use crate::ExitStatus;

#[derive(Debug, Serialize)]
pub struct Report {
    pub ok: bool,
    pub migration: String,
    pub down_script: DownScript,
    pub backup: String,
    /// Whether the script ran in one transaction with the bookkeeping.
    pub transaction: bool,
    pub drift_after: Drift,
    pub failures: Vec<String>,
    pub restore_command: String,
}

pub fn rollback(settings: &Settings, json: bool) -> Result<ExitStatus> {
    let db = settings.database()?;
    let (_dir, all) = down::project_migrations(settings)?;
    let applied = db.applied_migrations()?;
    let at = all.iter().rposition(|m| applied.contains(&m.name)).ok_or_else(|| {
        fail("the database records no applied migration of the migrations folder: nothing to roll back")
    })?;
    let name = all[at].name.clone();
    // Review round 5, finding 3: applied migrations whose folders are not here (another
    // branch, a folder deleted or renamed) may be newer: the last applied one is not known.
    let unknown: Vec<&String> = applied.iter().filter(|a| !all.iter().any(|m| &m.name == *a)).collect();
    if !unknown.is_empty() {
        let names = unknown.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ");
        return Err(fail(format!(
            "the database records applied migrations that are not in the migrations folder ({names}): the last applied migration may be one of them, not {name}; nothing was changed"
        ))
        .hint("check out the branch with those migration folders (`npx prisma migrate status` lists them), then run `prisma-guard migrate rollback` again")
        .into());
    }
    let Some(script) = down::stored(settings, &all, at)? else {
        return Err(no_down_script(settings, db.as_ref(), &name));
    };
    settings.printer.report(&down::render(&script, &settings.cwd));
    if script.empty {
        return Err(fail(format!("the down script of {name} changes nothing: there is nothing to roll back with it"))
            .hint(format!("regenerate it (prisma-guard migrate down-script {name}), or restore the backup taken before the migration (prisma-guard backups lists them)"))
            .into());
    }
    let rerun = "prisma-guard migrate rollback".to_string();
    if script.destructive {
        let summary = format!(
            "\n  {rerun}\n\nThe down script of {name} loses data (see the findings above).\nDatabase: {}\nA backup is taken first; its id is printed, and `prisma-guard restore <id>` puts it back.\n",
            db.target().describe()
        );
        let action = format!("rolling back {name} runs a down script that drops data, and");
        crate::guard::confirm::typed(&summary, &db.name(), &action, &rerun)?;
    }
    // Review round 5, finding 9: drift that is there before the rollback is not its failure.
    let with_it: Vec<&Migration> = all[..=at].iter().collect();
    let drift_before = super::diff::drift(settings, db.as_ref(), &with_it, &[])?;
    settings.printer.status("Backing up", format!("{} before rolling back {name}", db.target().describe()));
    let trigger = Trigger { kind: "migrate-rollback".into(), argv: vec!["migrate".into(), "rollback".into()] };
    let m = crate::backup::take(
        settings,
        db.as_ref(),
        &crate::backup::Request { label: Some(format!("before-rollback-{name}")), trigger },
    )?;
    settings.printer.status("Saved", format!("backup {} ({} rows)", m.id, m.total_rows()));
    let restore_command = format!("prisma-guard restore {}", m.id);
    let before = db.row_counts().unwrap_or_default();

    let transaction = db.engine() != Engine::Mysql;
    let mut failures = Vec::new();
    let real = super::real_prisma(settings)?;
    let flags: Vec<String> =
        settings.project.config_file.iter().flat_map(|c| ["--config".to_string(), c.display().to_string()]).collect();
    let call = Call { prisma: &real, cwd: &settings.cwd, config: None, env: Vec::new(), secrets: Vec::new() };
    let run = |args: &[&str], stdin: Option<&[u8]>| -> Result<Output> {
        let mut a: Vec<&str> = args.to_vec();
        a.extend(flags.iter().map(String::as_str));
        call.run(&a, stdin)
    };
    // Review round 5, finding 4: the tripwire (prisma-guard protect) lets a person's
    // rollback through while it runs, as the guard does for a confirmed command; an AI
    // agent's gets no window.
    let person = script.destructive || crate::agents::markers::detect_current().is_none();
    let approval = if person {
        crate::tripwire::approve(db.target(), &settings.tools, &rerun).map_err(|e| {
            e.context(fail("the tripwire's approval window could not be opened, so the down script was NOT run"))
        })?
    } else {
        None
    };
    if approval.is_some() {
        settings
            .printer
            .status("Approved", format!("the tripwire lets the down script of {name} through while it runs"));
    }
    settings.printer.status("Running", format!("the down script of {name} (prisma db execute)"));
    let executed = run(&["db", "execute", "--stdin"], Some(wrapped(&script.sql, &name, transaction).as_bytes()));
    if let Some(Err(e)) = approval.map(crate::tripwire::approval::Approval::close) {
        settings
            .printer
            .warn(format!("closing the tripwire's approval window: {e:#} (it closes with its session anyway)"));
    }
    let executed = executed?;
    let mut resolved = false;
    if executed.ok() {
        let r = run(&["migrate", "resolve", "--rolled-back", &name], None)?;
        resolved = r.ok();
        if !r.ok() {
            failures.push(format!("the down script ran, but `prisma migrate resolve --rolled-back {name}` failed: {}\n  the migration is recorded as failed; finish by hand: prisma migrate resolve --rolled-back {name}", r.all()));
        }
    } else {
        failures.push(format!(
            "the down script failed{}:\n{}",
            if transaction { " (its transaction was not committed: nothing changed)" } else { "" },
            executed.all()
        ));
    }
    let mut drift_after = Drift::Unchecked { reason: "the rollback did not complete".into() };
    if resolved {
        if db.applied_migrations()?.contains(&name) {
            failures.push(format!("the database still records {name} as applied"));
        }
        let history: Vec<&Migration> = all[..at].iter().collect();
        drift_after = super::diff::drift(settings, db.as_ref(), &history, &[])
            .unwrap_or_else(|e| Drift::Unchecked { reason: crate::error::one_line(&e) });
        if let Drift::Found { summary } = &drift_after {
            match new_drift(&drift_before, summary) {
                Some(new) => {
                    failures.push(format!("the database does not match the migrations before {name}:\n{new}"));
                }
                None => settings.printer.warn(format!(
                    "the database differed from its migrations before the rollback already, and still does in the same way:\n{summary}"
                )),
            }
        }
        let after = db.row_counts().unwrap_or_default();
        let sql = script.sql.to_ascii_lowercase();
        for (table, n) in &before {
            let bare = super::rehearse::bare(table);
            let found: Vec<&super::rehearse::StepFinding> = script.findings.iter().collect();
            if bare != "_prisma_migrations"
                && !super::diff::is_engine_table(bare)
                && !super::rehearse::names_table(&sql, bare)
                && !super::deploy::announced(&found, table)
                && after.get(table).copied().unwrap_or(0) < *n
            {
                failures.push(format!("{table} lost rows and the down script does not name it"));
            }
        }
        if let Some(path) = &db.target().sqlite_path {
            let r = super::deploy::integrity_check(path);
            if r != "ok" {
                failures.push(format!("PRAGMA integrity_check: {r}"));
            }
        }
    }
    let ok = failures.is_empty();
    let report = Report {
        ok,
        migration: name.clone(),
        down_script: script,
        backup: m.id.clone(),
        transaction,
        drift_after,
        failures,
        restore_command,
    };
    if json {
        crate::ui::write_stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    } else {
        settings.printer.report(&render(&report));
    }
    if !ok {
        crate::notify::report(
            settings,
            crate::notify::Event::MigrationFailed,
            crate::notify::Severity::Critical,
            format!("`prisma-guard migrate rollback` of {name} failed"),
            format!(
                "{}\nTo put the database back as it was before: {}",
                report.failures.join("\n"),
                report.restore_command
            ),
        );
    }
    Ok(if ok { ExitStatus::Success } else { ExitStatus::Failure })
}

/// The lines of the drift after the rollback that were not in the drift before it; `None`
/// when every one was (the summary's section headers aside).
fn new_drift(before: &Drift, after: &str) -> Option<String> {
    let Drift::Found { summary: old } = before else { return Some(after.to_string()) };
    let old: Vec<&str> = old.lines().map(str::trim).collect();
    let new: Vec<&str> = after.lines().filter(|l| !l.trim().is_empty() && !old.contains(&l.trim())).collect();
    (!new.is_empty()).then(|| after.to_string())
}

/// The down script with the bookkeeping, in one transaction where the database allows.
fn wrapped(sql: &str, name: &str, transaction: bool) -> String {
    let mark = format!(
        "UPDATE _prisma_migrations SET finished_at = NULL, logs = 'rolled back by prisma-guard migrate rollback (down.sql)' WHERE migration_name = '{}' AND rolled_back_at IS NULL;",
        name.replace('\'', "''")
    );
    if transaction {
        format!("BEGIN;\n{sql}\n{mark}\nCOMMIT;\n")
    } else {
        format!("{sql}\n{mark}\n")
    }
}

/// No down script: how to make one, and the backup taken before the migration.
fn no_down_script(settings: &Settings, db: &dyn Database, name: &str) -> anyhow::Error {
    let store = Store::open(&settings.backup_dir);
    let mut before: Vec<_> = store
        .list()
        .map(|(ms, _)| ms)
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m.engine == db.engine() && m.database_name == db.name() && !m.migrations.iter().any(|x| x == name))
        .collect();
    before.sort_by_key(|m| (m.created_unix, m.created_ms));
    let restore = match before.last() {
        Some(m) => format!(
            "or put back backup {} (taken {}, before {name} was applied; it also loses what was written since): prisma-guard restore {}",
            m.id, m.created_at, m.id
        ),
        None => "no backup taken before it was applied is in the backups folder".to_string(),
    };
    fail(format!("{name} has no down script (down.sql beside its migration.sql), so it cannot be rolled back with one; nothing was changed"))
        .hint(format!("write one with: prisma-guard migrate down-script {name} (then review it and run rollback again); {restore}"))
        .into()
}

pub fn render(r: &Report) -> String {
    if r.ok {
        return format!(
            "Rolled back {}: the down script ran{}, the migration is marked rolled back, the database matches the migrations before it{}. Backup {} holds it as it was: {}\n",
            r.migration,
            if r.transaction { " in one transaction" } else { "" },
            if matches!(r.drift_after, Drift::Unchecked { .. }) { " (drift not checked)" } else { "" },
            r.backup,
            r.restore_command
        );
    }
    let mut out = format!("\nThe rollback of {} FAILED:\n", r.migration);
    for f in &r.failures {
        out.push_str(&format!("  - {f}\n"));
    }
    out.push_str(&format!(
        "Nothing was restored. The database as it was before the rollback is in backup {}; to put it back: {}\n",
        r.backup, r.restore_command
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::{new_drift, wrapped, Drift};

    /// Review round 5, finding 9.
    #[test]
    fn drift_there_before_the_rollback_is_not_its_failure() {
        let before = Drift::Found { summary: "[+] Added tables\n  - Log".into() };
        assert_eq!(new_drift(&before, "[+] Added tables\n  - Log"), None);
        assert!(new_drift(
            &before,
            "[+] Added tables\n  - Log\n\n[*] Changed the `User` table\n  [+] Added column `age`"
        )
        .is_some());
        assert!(new_drift(&Drift::None, "[+] Added tables\n  - Log").is_some());
    }

    #[test]
    fn the_down_script_and_the_bookkeeping_share_one_transaction_except_on_mysql() {
        let s = wrapped("DROP INDEX \"i\";", "20260101_o'brien", true);
        assert!(s.starts_with("BEGIN;\nDROP INDEX \"i\";\nUPDATE _prisma_migrations SET finished_at = NULL"), "{s}");
        assert!(s.contains("migration_name = '20260101_o''brien'"), "{s}");
        assert!(s.ends_with("COMMIT;\n"), "{s}");
        let m = wrapped("DROP INDEX i ON t;", "x", false);
        assert!(!m.contains("BEGIN") && !m.contains("COMMIT"), "{m}");
    }
}
