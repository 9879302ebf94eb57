//! `prisma migrate deploy` under the guard (the shim, and `prisma-guard migrate deploy`): a
//! plan before the backup, a validation after the real deploy.
//!
//! Plan: the pending migrations with the scanner's findings and the down script each has,
//! and the drift check (`prisma migrate diff --from-migrations <applied> --to-config-datasource
//! --exit-code`): a database that differs from its applied migrations is not deployed to
//! unless `--allow-drift`. Validation: `prisma migrate status` clean, no table that no
//! pending migration names lost rows (a live app may add rows meanwhile; it does not make
//! tables shrink), `PRAGMA integrity_check` on SQLite. On a failure: what failed, the restore
//! command with the backup's id, the down scripts, a notification; nothing is restored
//! without a person.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;

use super::diff::Drift;
use super::prisma_run::{Call, Output};
use super::rehearse::{migrations, step_findings, Migration, Rows, StepFinding};
use crate::backup::db::Database;
use crate::config::settings::Settings;
use crate::error::fail;
use crate::guard::forward::RealPrisma;
use crate::ExitStatus;

/// What `prisma-guard migrate deploy` adds to the shim's `prisma migrate deploy`.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// The report as JSON on stdout (prisma's own output goes to stderr).
    pub json: bool,
    /// Refuse a database that differs from its applied migrations (`prisma-guard migrate
    /// deploy` without `--allow-drift`). The shim's `prisma migrate deploy` reports drift and
    /// goes on: it protects prisma's commands, it does not add policies to them.
    pub refuse_drift: bool,
}

#[derive(Debug, Serialize)]
pub struct Pending {
    pub migration: String,
    pub findings: Vec<StepFinding>,
    /// The migration's down.sql, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub down_script: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Plan {
    pub pending: Vec<Pending>,
    pub drift: Drift,
}

#[derive(Debug, Serialize, Default)]
pub struct Validation {
    /// `prisma migrate status` exited 0 (null: not run, as nothing was pending or prisma failed).
    pub status_clean: Option<bool>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub status_output: String,
    /// Tables no pending migration names that have fewer rows than before the deploy.
    pub lost_rows: Vec<Rows>,
    /// `PRAGMA integrity_check` (SQLite): "ok" or what it found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrity: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub ok: bool,
    pub prisma_exit: u8,
    /// The backup taken before the deploy.
    pub backup: Option<String>,
    pub plan: Plan,
    /// The pending migrations the database records as applied afterwards.
    pub applied: Vec<String>,
    pub validation: Validation,
    /// What failed, in words.
    pub failures: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restore_command: Option<String>,
}

/// The deploy in progress: its plan and the row counts just before prisma ran.
pub struct Deploy {
    pub plan: Plan,
    pending_sql: String,
    before: BTreeMap<String, u64>,
    pending_names: Vec<String>,
    opts: Options,
    /// prisma's own --config/--schema, for `migrate status`.
    prisma_flags: Vec<String>,
}

/// The plan, printed (stderr); an error when the database drifted and that is not allowed.
pub fn plan(
    settings: &Settings,
    db: &dyn Database,
    pins: &[(String, String)],
    prisma_flags: Vec<String>,
    opts: &Options,
) -> Result<Deploy> {
    // A folder prisma-guard cannot find or read makes an empty plan: prisma still deploys.
    let dir = settings.project.migrations_dir().filter(|d| d.is_dir());
    let all = dir.as_deref().map(|d| migrations(d).unwrap_or_default()).unwrap_or_default();
    let applied = db.applied_migrations().unwrap_or_default();
    let (done, pending): (Vec<&Migration>, Vec<&Migration>) = all.iter().partition(|m| applied.contains(&m.name));
    let found = dir.as_deref().map(|d| super::rehearse::findings(settings, d, &pending)).unwrap_or_default();
    let mut pending_sql = String::new();
    let items = pending
        .iter()
        .map(|m| {
            pending_sql.push_str(&std::fs::read_to_string(m.dir.join("migration.sql")).unwrap_or_default());
            pending_sql.push('\n');
            let down = m.dir.join(super::down::DOWN_FILE);
            Pending {
                migration: m.name.clone(),
                findings: step_findings(found.get(&m.name).map(Vec::as_slice).unwrap_or_default()),
                down_script: down.is_file().then(|| shown(settings, &down)),
            }
        })
        .collect();
    let drift = if pending.is_empty() {
        Drift::None
    } else if done.is_empty() {
        // No history to compare with: Prisma itself refuses a non-empty database without one (P3005).
        Drift::Unchecked { reason: "the database records no applied migration".into() }
    } else {
        settings.printer.status("Checking", "the database against its applied migrations (prisma migrate diff)");
        super::diff::drift(settings, db, &done, pins)?
    };
    let plan = Plan { pending: items, drift };
    settings.printer.report(&render_plan(&plan));
    if let (Drift::Found { summary }, true) = (&plan.drift, opts.refuse_drift) {
        return Err(fail(format!(
            "the database differs from what its applied migrations make (drift), so `prisma migrate deploy` was NOT run:\n{summary}"
        ))
        .hint("find out who changed the database by hand and fold it into a migration; to deploy anyway: prisma-guard migrate deploy --allow-drift")
        .into());
    }
    let pending_names = pending.iter().map(|m| m.name.clone()).collect();
    Ok(Deploy { plan, pending_sql, before: BTreeMap::new(), pending_names, opts: opts.clone(), prisma_flags })
}

fn shown(settings: &Settings, p: &std::path::Path) -> String {
    p.strip_prefix(&settings.cwd).unwrap_or(p).display().to_string()
}

impl Deploy {
    /// Whether the report goes to stdout as JSON (prisma's stdout then goes to stderr).
    pub fn json(&self) -> bool {
        self.opts.json
    }

    /// The row counts just before prisma runs.
    pub fn before_run(&mut self, db: &dyn Database) {
        self.before = db.row_counts().unwrap_or_default();
    }

    /// Validate, report, and say how to undo a failure. The exit status: prisma's own code
    /// when it failed, 1 when it succeeded and the validation did not.
    pub fn finish(
        self,
        settings: &Settings,
        db: &dyn Database,
        real: &RealPrisma,
        pins: &[(String, String)],
        code: u8,
        backup: Option<&str>,
    ) -> Result<ExitStatus> {
        let mut failures = Vec::new();
        if code != 0 {
            failures.push(format!("prisma migrate deploy exited with code {code}"));
        }
        let recorded = db.applied_migrations().unwrap_or_default();
        let applied: Vec<String> = self.pending_names.iter().filter(|m| recorded.contains(m)).cloned().collect();
        let mut v = Validation::default();
        // Prisma's status after a deploy that failed (or was interrupted) says nothing new; with
        // nothing pending, the deploy changed nothing.
        if code == 0 && !self.pending_names.is_empty() {
            match status(settings, real, pins, &self.prisma_flags) {
                Ok(o) => {
                    v.status_clean = Some(o.ok());
                    if !o.ok() {
                        v.status_output = o.all();
                        failures.push("`prisma migrate status` is not clean after the deploy".to_string());
                    }
                }
                Err(e) => {
                    v.status_output = crate::error::one_line(&e);
                    failures.push("`prisma migrate status` could not run".to_string());
                }
            }
        }
        let after = db.row_counts().unwrap_or_default();
        let sql = self.pending_sql.to_ascii_lowercase();
        let found: Vec<&StepFinding> = self.plan.pending.iter().flat_map(|p| &p.findings).collect();
        for (table, n) in &self.before {
            let bare = super::rehearse::bare(table);
            if bare == "_prisma_migrations"
                || super::diff::is_engine_table(bare)
                || super::rehearse::names_table(&sql, bare)
                || announced(&found, table)
            {
                continue;
            }
            let now = after.get(table).copied();
            if now.unwrap_or(0) < *n {
                failures.push(format!(
                    "{table} lost rows ({n} -> {}), and no pending migration names it",
                    now.unwrap_or(0)
                ));
                v.lost_rows.push(Rows { table: table.clone(), before: Some(*n), after: now });
            }
        }
        if let Some(path) = &db.target().sqlite_path {
            let result = integrity_check(path);
            if result != "ok" {
                failures.push(format!("PRAGMA integrity_check: {result}"));
            }
            v.integrity = Some(result);
        }
        let ok = failures.is_empty();
        let report = Report {
            ok,
            prisma_exit: code,
            backup: backup.map(str::to_string),
            restore_command: (!ok).then(|| backup.map(|id| format!("prisma-guard restore {id}"))).flatten(),
            plan: self.plan,
            applied,
            validation: v,
            failures,
        };
        if self.opts.json {
            crate::ui::write_stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
        } else {
            settings.printer.report(&render(&report));
        }
        // When prisma itself failed, the guard says how to restore and notifies (it knows
        // what an exit 130 means); here, a deploy prisma called a success.
        if !ok && code == 0 {
            crate::notify::report(
                settings,
                crate::notify::Event::MigrationFailed,
                crate::notify::Severity::Critical,
                "`prisma migrate deploy` failed or did not validate".to_string(),
                format!(
                    "{}\n{}",
                    report.failures.join("\n"),
                    report.restore_command.as_deref().map_or_else(
                        || "No backup was taken.".to_string(),
                        |c| format!("The database as it was before is in the backup. To put it back: {c}")
                    )
                ),
            );
        }
        Ok(match (code, ok) {
            (0, true) => ExitStatus::Success,
            (0, false) => ExitStatus::Failure,
            (c, _) => ExitStatus::Child(c),
        })
    }
}

/// Whether a finding names `table` (`schema.table`) or its schema (`DROP SCHEMA audit
/// CASCADE` loses `audit.logs`, and its finding says so), as the scanner names them: in
/// backticks.
pub fn announced(found: &[&StepFinding], table: &str) -> bool {
    let (schema, bare) = table.rsplit_once('.').map_or((None, table), |(s, t)| (Some(s), t));
    found.iter().filter(|f| super::rehearse::LOSES_ROWS.contains(&f.rule.as_str())).any(|f| {
        let m = f.message.to_ascii_lowercase();
        let named = |n: &str| {
            let n = n.to_ascii_lowercase();
            m.contains(&format!("`{n}`")) || m.contains(&format!("`{n}.")) || m.contains(&format!("\"{n}\""))
        };
        named(bare) || schema.is_some_and(|s| named(s) && f.rule == "drop-schema")
    })
}

/// `prisma migrate status` as the deploy ran (same flags and pinned environment).
fn status(settings: &Settings, real: &RealPrisma, pins: &[(String, String)], flags: &[String]) -> Result<Output> {
    let mut args = vec!["migrate", "status"];
    args.extend(flags.iter().map(String::as_str));
    Call { prisma: real, cwd: &settings.cwd, config: None, env: pins.to_vec(), secrets: Vec::new() }.run(&args, None)
}

/// `PRAGMA integrity_check` of a SQLite file: "ok", or what it reports.
pub fn integrity_check(path: &std::path::Path) -> String {
    let check = || -> rusqlite::Result<String> {
        let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let mut st = conn.prepare("PRAGMA integrity_check")?;
        let lines: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(lines.join("; "))
    };
    check().unwrap_or_else(|e| format!("could not run: {e}"))
}

pub fn render_plan(p: &Plan) -> String {
    let mut out = String::new();
    if p.pending.is_empty() {
        out.push_str("Deploy plan: no pending migrations.\n");
        return out;
    }
    out.push_str(&format!("Deploy plan: {} pending migration(s)\n", p.pending.len()));
    for m in &p.pending {
        out.push_str(&format!("  {}\n", m.migration));
        for f in &m.findings {
            out.push_str(&format!("    {} [{}] line {}: {}\n", f.severity, f.rule, f.line, f.message));
        }
        if let Some(d) = &m.down_script {
            out.push_str(&format!("    down script: {d}\n"));
        }
    }
    match &p.drift {
        Drift::None => out.push_str("  drift: none (the database matches its applied migrations)\n"),
        Drift::Found { summary } => {
            out.push_str("  drift: the database differs from its applied migrations:\n");
            for l in summary.lines() {
                out.push_str(&format!("    {l}\n"));
            }
        }
        Drift::Unchecked { reason } => out.push_str(&format!("  drift: not checked ({reason})\n")),
    }
    out
}

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    if r.ok {
        out.push_str(&format!(
            "Deploy validated: {} migration(s) applied, `migrate status` clean, no table outside the migrations lost rows{}.\n",
            r.applied.len(),
            if r.validation.integrity.is_some() { ", integrity_check ok" } else { "" }
        ));
        return out;
    }
    out.push_str("\nThe deploy FAILED:\n");
    for f in &r.failures {
        out.push_str(&format!("  - {f}\n"));
    }
    if !r.validation.status_output.is_empty() {
        out.push_str("  prisma migrate status said:\n");
        for l in r.validation.status_output.lines() {
            out.push_str(&format!("    {l}\n"));
        }
    }
    match &r.restore_command {
        // prisma failed: the guard's own message follows, with the restore command.
        _ if r.prisma_exit != 0 => {}
        Some(c) => out.push_str(&format!(
            "Nothing was restored. The database as it was before the deploy is in backup {}; to put it back: {c}\n",
            r.backup.as_deref().unwrap_or_default()
        )),
        None => out.push_str("No backup was taken before this deploy, so there is none to restore.\n"),
    }
    let downs: Vec<&Pending> =
        r.plan.pending.iter().filter(|p| p.down_script.is_some() && r.applied.contains(&p.migration)).collect();
    for p in downs {
        out.push_str(&format!(
            "Down script of {}: {} (`prisma-guard migrate rollback` runs it for the last applied migration)\n",
            p.migration,
            p.down_script.as_deref().unwrap_or_default()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &str, message: &str) -> StepFinding {
        StepFinding { rule: rule.into(), severity: "error".into(), line: 1, message: message.into() }
    }

    #[test]
    fn a_loss_is_announced_by_a_finding_naming_its_table_or_the_schema_it_drops() {
        let drop_schema = finding("drop-schema", "drops a schema and everything in it (`audit`)");
        let drop_table = finding("drop-table", "drops table `Post` and all its rows");
        assert!(announced(&[&drop_schema], "audit.logs"));
        assert!(!announced(&[&drop_schema], "public.logs"));
        assert!(announced(&[&drop_table], "public.Post"));
        assert!(announced(&[&drop_table], "Post"));
        assert!(!announced(&[&drop_table], "PostTag"));
    }
}
