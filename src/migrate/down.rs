//! `prisma-guard migrate down-script [MIGRATION]`: the SQL that undoes a migration, written by
//! the real `prisma migrate diff` (from the history that ends with the migration to the one
//! before it) and stored beside it as `down.sql`, with the scanner's findings: a down script
//! that drops what the migration added loses whatever was written there since.
//!
//! The findings are the scanner's for the down script read as the migration after the one it
//! undoes (so it knows the tables and columns the history made). `prisma-guard scan` of the
//! repository does not read down.sql files: a down script is expected to drop what its
//! migration added, and is judged where it is used (here and in `migrate rollback`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Serialize;

use super::diff::{Differ, Folder, Side};
use super::rehearse::{migrations, Migration, StepFinding};
use crate::config::settings::Settings;
use crate::error::fail;

pub const DOWN_FILE: &str = "down.sql";

#[derive(Debug, Serialize)]
pub struct DownScript {
    pub migration: String,
    pub path: PathBuf,
    pub sql: String,
    /// Prisma found nothing to undo (the migration changed data only, or nothing).
    pub empty: bool,
    pub findings: Vec<StepFinding>,
    /// Any error-level finding: the script loses data (rollback asks for a typed confirmation).
    pub destructive: bool,
}

/// The project's migrations folder and its migrations.
pub fn project_migrations(settings: &Settings) -> Result<(PathBuf, Vec<Migration>)> {
    let dir = settings.project.migrations_dir().ok_or_else(|| {
        fail("cannot find the project's migrations folder")
            .hint("run it in the Prisma project (prisma.config.ts or prisma/schema.prisma)")
    })?;
    let all = migrations(&dir)?;
    Ok((dir, all))
}

/// Generate and store the down script of `name` (default: the newest migration).
pub fn generate(settings: &Settings, name: Option<&str>) -> Result<DownScript> {
    let (_dir, all) = project_migrations(settings)?;
    let at = match name {
        Some(n) => all.iter().position(|m| m.name == n || m.name.ends_with(&format!("_{n}"))).ok_or_else(|| {
            fail(format!("no migration named `{n}` in the migrations folder"))
                .hint("`ls prisma/migrations` lists them; give the folder's name")
        })?,
        None => all.len().checked_sub(1).ok_or_else(|| fail("the migrations folder holds no migration"))?,
    };
    let db = settings.database()?;
    let after: Vec<&Migration> = all[..=at].iter().collect();
    let before: Vec<&Migration> = all[..at].iter().collect();
    let differ = Differ::new(settings, db.as_ref(), &[])?;
    let after_folder = Folder::of(&after)?;
    let before_folder = Folder::of(&before)?;
    let to = if before.is_empty() { Side::Empty } else { Side::Migrations(&before_folder) };
    settings.printer.status("Diffing", format!("the schema after {} to the schema before it", all[at].name));
    let sql = differ.script(&Side::Migrations(&after_folder), &to)?;
    let m = &all[at];
    let path = m.dir.join(DOWN_FILE);
    let text = format!(
        "-- Down script of {} (written by `prisma-guard migrate down-script` with `prisma migrate diff`).\n-- `prisma-guard migrate rollback` runs it; review it first: it drops what the migration added.\n{sql}",
        m.name
    );
    crate::backup::store::io::write_atomic(&path, text.as_bytes())?;
    Ok(describe(settings, &all, at, path, text))
}

/// The stored down script of migration number `at`, with its findings (None: there is none).
pub fn stored(settings: &Settings, all: &[Migration], at: usize) -> Result<Option<DownScript>> {
    let path = all[at].dir.join(DOWN_FILE);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| fail(format!("cannot read {}: {e}", path.display())))?;
    Ok(Some(describe(settings, all, at, path, text)))
}

fn describe(settings: &Settings, all: &[Migration], at: usize, path: PathBuf, sql: String) -> DownScript {
    let mut found = findings(settings, &all[..=at], &sql);
    // Ignore comments quiet the scanner's report, never the question before data is lost: a
    // down script is judged as `prisma db execute` judges SQL, whatever comments it carries.
    for d in crate::sql::dangers(&sql) {
        if !found.iter().any(|f| f.severity == "error" && f.line == d.line) {
            found.push(StepFinding {
                rule: d.rule.as_str().to_string(),
                severity: "error".into(),
                line: d.line,
                message: format!("{} (an ignore comment does not waive the confirmation)", d.message),
            });
        }
    }
    let destructive = found.iter().any(|f| f.severity == "error");
    DownScript {
        migration: all[at].name.clone(),
        path,
        empty: super::diff::is_empty_script(&sql),
        sql,
        findings: found,
        destructive,
    }
}

/// The scanner's findings for `sql` read as the migration after `history` (copied into a
/// temporary folder: the scanner replays them to know the schema).
fn findings(settings: &Settings, history: &[Migration], sql: &str) -> Vec<StepFinding> {
    let run = || -> Result<Vec<StepFinding>> {
        let root = tempfile::Builder::new().prefix("prisma-guard-down-scan-").tempdir()?;
        let dir = root.path().join("migrations");
        for m in history {
            std::fs::create_dir_all(dir.join(&m.name))?;
            std::fs::copy(m.dir.join("migration.sql"), dir.join(&m.name).join("migration.sql"))?;
        }
        let last = history.last().map_or("0", |m| m.name.as_str());
        let name = format!("{last}~down");
        std::fs::create_dir_all(dir.join(&name))?;
        std::fs::write(dir.join(&name).join("migration.sql"), sql)?;
        let opts = crate::scan::Options {
            disable: settings.config.file.scan.disable.iter().filter_map(|d| crate::rules::RuleId::parse(d)).collect(),
            migration_dirs: vec!["migrations".to_string()],
            ..crate::scan::Options::default()
        };
        let source = crate::scan::source::Source::WorkTree { root: root.path().to_path_buf(), dirs: BTreeMap::new() };
        let report = crate::scan::scan(&source, vec![format!("migrations/{name}/migration.sql")], &opts);
        Ok(super::rehearse::step_findings(&report.findings))
    };
    run().unwrap_or_else(|e| {
        vec![StepFinding {
            rule: "scan-failed".into(),
            severity: "error".into(),
            line: 0,
            message: format!("the down script could not be scanned: {}", crate::error::one_line(&e)),
        }]
    })
}

/// The report a person reads.
pub fn render(d: &DownScript, cwd: &Path) -> String {
    let shown = d.path.strip_prefix(cwd).unwrap_or(&d.path);
    let mut out = format!("Down script of {}: {}\n", d.migration, shown.display());
    if d.empty {
        out.push_str("Prisma finds no schema change to undo (a migration that changes data only cannot be undone by a script: restore its backup).\n");
    }
    out.push('\n');
    for line in d
        .sql
        .lines()
        .filter(|l| !l.starts_with("-- Down script of") && !l.starts_with("-- `prisma-guard migrate rollback`"))
    {
        out.push_str(&format!("  {line}\n"));
    }
    if d.findings.is_empty() {
        out.push_str("\nNo findings: the down script loses no data the scanner can see.\n");
    } else {
        out.push('\n');
        for f in &d.findings {
            out.push_str(&format!("{} [{}] line {}: {}\n", f.severity, f.rule, f.line, f.message));
        }
    }
    if d.destructive {
        out.push_str("\nThis down script DROPS DATA: whatever was written since the migration in what it drops is lost when it runs. `migrate rollback` takes a backup and asks for the database name first.\n");
    }
    out
}
