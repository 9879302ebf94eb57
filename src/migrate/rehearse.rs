//! `prisma-guard migrate rehearse`: the pending migrations applied to a copy of real data
//! first. A backup is restored into a scratch database, each pending migration is applied
//! there with the real `prisma migrate deploy`, one at a time, and measured: time, rows of
//! the tables it touches before and after, the scanner's findings, Prisma's message when it
//! fails. A table that loses rows no finding of that migration announced fails the
//! rehearsal. The scratch database is dropped however the rehearsal ends.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Serialize;

use super::prisma_run::Deployer;
use crate::backup::db::Database;
use crate::backup::store::Store;
use crate::config::settings::Settings;
use crate::error::fail;
use crate::ExitStatus;

/// One pending migration as rehearsed.
#[derive(Debug, Serialize)]
pub struct Step {
    pub migration: String,
    pub ok: bool,
    pub seconds: f64,
    /// Prisma's message when `migrate deploy` failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub findings: Vec<StepFinding>,
    /// The tables it names or whose rows changed.
    pub tables: Vec<Rows>,
    /// Tables that lost rows with no finding naming them.
    pub unannounced_loss: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct StepFinding {
    pub rule: String,
    pub severity: String,
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct Rows {
    pub table: String,
    pub before: Option<u64>,
    pub after: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct Rehearsal {
    pub backup: String,
    pub applied_before: usize,
    pub steps: Vec<Step>,
    pub ok: bool,
}

/// A migration folder of the project: its name and path.
pub struct Migration {
    pub name: String,
    pub dir: PathBuf,
}

/// The migration folders (those holding a migration.sql), in the order Prisma applies them.
pub fn migrations(dir: &Path) -> Result<Vec<Migration>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| fail(format!("cannot read the migrations folder {}: {e}", dir.display())))?;
    let mut out: Vec<Migration> = entries
        .flatten()
        .filter(|e| e.path().join("migration.sql").is_file())
        .filter_map(|e| Some(Migration { name: e.file_name().to_str()?.to_string(), dir: e.path() }))
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

pub fn rehearse(settings: &Settings, backup: &str) -> Result<Rehearsal> {
    let db = settings.database()?;
    let dir = settings.project.migrations_dir().ok_or_else(|| {
        fail("cannot find the project's migrations folder")
            .hint("run it in the Prisma project (prisma.config.ts or prisma/schema.prisma)")
    })?;
    let all = migrations(&dir)?;
    let store = Store::open(&settings.backup_dir);
    let manifest = crate::commands::restore::verified(settings, &store, backup)?;
    crate::commands::restore::same_engine(&manifest, db.as_ref())?;
    let prisma = super::real_prisma(settings)?;
    let deployer = Deployer::new(
        prisma,
        &settings.cwd,
        settings.project.config_file.as_deref(),
        settings.project.datasource_env(),
    )?;

    let scratch = db.create_scratch()?;
    let sdb = scratch.database();
    settings.printer.status("Restoring", format!("backup {} into scratch {}", manifest.id, sdb.target().describe()));
    crate::commands::restore::replay(settings, &store, &manifest, sdb, false)?;
    let applied = sdb.applied_migrations()?;
    for m in all.iter().filter(|m| applied.contains(&m.name)) {
        deployer.add(&m.dir)?;
    }
    let pending: Vec<&Migration> = all.iter().filter(|m| !applied.contains(&m.name)).collect();
    let findings = findings(settings, &dir, &pending);
    let url = scratch_url(sdb)?;
    let mut before = sdb.row_counts()?;
    let mut steps = Vec::new();
    for m in pending {
        settings.printer.status("Applying", &m.name);
        deployer.add(&m.dir)?;
        let deployed = deployer.deploy(&url).map_err(|e| {
            if e.is::<super::prisma_run::Interrupted>() {
                let why = crate::error::one_line(&e);
                fail(format!(
                    "the rehearsal was interrupted while {} was applied ({why}): no verdict on it; the scratch copy is removed",
                    m.name
                ))
                .status(crate::ExitStatus::Interrupted)
                .into()
            } else {
                e
            }
        })?;
        let sql = std::fs::read_to_string(m.dir.join("migration.sql")).unwrap_or_default();
        let found = findings.get(&m.name).map(Vec::as_slice).unwrap_or_default();
        if !deployed.ok {
            steps.push(Step {
                migration: m.name.clone(),
                ok: false,
                seconds: deployed.took.as_secs_f64(),
                error: Some(deployed.output.trim().to_string()),
                findings: step_findings(found),
                tables: Vec::new(),
                unannounced_loss: Vec::new(),
            });
            break;
        }
        // Prisma said it applied it: the scratch database must show it, or prisma changed
        // some other database (a config that does not read the URL it was given).
        if !sdb.applied_migrations()?.contains(&m.name) {
            return Err(fail(format!(
                "prisma reported `{}` applied, but the scratch database does not record it: prisma may have changed another database",
                m.name
            ))
            .hint("check that prisma.config.ts takes its datasource.url from the config object (not from a variable read elsewhere)")
            .into());
        }
        let after = sdb.row_counts()?;
        let tables = touched(&before, &after, &sql);
        let unannounced_loss = tables
            .iter()
            .filter(|r| r.after.unwrap_or(0) < r.before.unwrap_or(0))
            .filter(|r| !announced(found, bare(&r.table)))
            .map(|r| r.table.clone())
            .collect();
        steps.push(Step {
            migration: m.name.clone(),
            ok: true,
            seconds: deployed.took.as_secs_f64(),
            error: None,
            findings: step_findings(found),
            tables,
            unannounced_loss,
        });
        before = after;
    }
    drop(deployer);
    drop(scratch);
    let ok = steps.iter().all(|s| s.ok && s.unannounced_loss.is_empty());
    Ok(Rehearsal { backup: manifest.id, applied_before: applied.len(), steps, ok })
}

/// What Prisma connects to for the scratch database.
pub(super) fn scratch_url(db: &dyn Database) -> Result<String> {
    let t = db.target();
    Ok(match &t.sqlite_path {
        Some(p) => format!("file:{}", p.display()),
        None => t.url.with_password(),
    })
}

/// The scanner's findings for the pending migrations, by migration name (earlier migrations
/// of the folder replayed, as `scan` does).
pub(super) fn findings(
    settings: &Settings,
    dir: &Path,
    pending: &[&Migration],
) -> BTreeMap<String, Vec<crate::scan::Finding>> {
    let (Some(root), Some(folder)) = (dir.parent(), dir.file_name().and_then(|n| n.to_str())) else {
        return BTreeMap::new();
    };
    let opts = crate::scan::Options {
        disable: settings.config.file.scan.disable.iter().filter_map(|d| crate::rules::RuleId::parse(d)).collect(),
        migration_dirs: vec![folder.to_string()],
        ..crate::scan::Options::default()
    };
    let paths = pending.iter().map(|m| format!("{folder}/{}/migration.sql", m.name)).collect();
    let source = crate::scan::source::Source::WorkTree { root: root.to_path_buf(), dirs: BTreeMap::new() };
    let mut out: BTreeMap<String, Vec<crate::scan::Finding>> = BTreeMap::new();
    for f in crate::scan::scan(&source, paths, &opts).findings {
        let name = f.path.trim_start_matches(&format!("{folder}/")).split('/').next().unwrap_or_default().to_string();
        out.entry(name).or_default().push(f);
    }
    out
}

pub(super) fn step_findings(found: &[crate::scan::Finding]) -> Vec<StepFinding> {
    found
        .iter()
        .map(|f| StepFinding {
            rule: f.rule.to_string(),
            severity: f.severity.as_str().to_string(),
            line: f.line,
            message: f.message.clone(),
        })
        .collect()
}

/// `public.User` -> `User`.
pub(super) fn bare(table: &str) -> &str {
    table.rsplit_once('.').map_or(table, |(_, t)| t)
}

/// The rules whose findings announce lost rows (a dropped column loses column data, an
/// index nothing: review round 5, finding 5). Prisma's own warnings are about lost data too.
pub(super) const LOSES_ROWS: &[&str] = &[
    "drop-table",
    "truncate",
    "delete-without-where",
    "drop-schema",
    "drop-database",
    "drop-owned",
    "drop-materialized-view",
    "dynamic-sql",
    "merge-delete",
    "prisma-warning",
];

/// Whether a finding that loses rows names `table` (as the scanner names tables: in backticks).
fn announced(found: &[crate::scan::Finding], table: &str) -> bool {
    found.iter().filter(|f| LOSES_ROWS.contains(&f.rule.as_str())).any(|f| {
        let m = f.message.to_ascii_lowercase();
        let t = table.to_ascii_lowercase();
        m.contains(&format!("`{t}`")) || m.contains(&format!("`{t}.")) || m.contains(&format!("\"{t}\""))
    })
}

/// The tables the migration names or whose row count changed.
fn touched(before: &BTreeMap<String, u64>, after: &BTreeMap<String, u64>, sql: &str) -> Vec<Rows> {
    let text = sql.to_ascii_lowercase();
    let named = |t: &str| names_table(&text, bare(t));
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|t| bare(t) != "_prisma_migrations" && !super::diff::is_engine_table(bare(t)))
        .filter(|t| before.get(*t) != after.get(*t) || named(t))
        .map(|t| Rows { table: t.clone(), before: before.get(t).copied(), after: after.get(t).copied() })
        .collect()
}

/// Whether SQL (lower-cased) names `table` (bare), quoted or as a word.
pub(super) fn names_table(text: &str, table: &str) -> bool {
    let t = table.to_ascii_lowercase();
    text.contains(&format!("\"{t}\"")) || text.contains(&format!("`{t}`")) || has_word(text, &t)
}

fn has_word(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back().is_none_or(|c| !ident(c));
        let after = text[i + word.len()..].chars().next().is_none_or(|c| !ident(c));
        before && after
    })
}

/// The report a person reads.
pub fn render(r: &Rehearsal) -> String {
    let mut out =
        format!("Rehearsal on a copy of backup {} ({} migrations applied already)\n", r.backup, r.applied_before);
    if r.steps.is_empty() {
        out.push_str("No pending migrations: nothing to rehearse.\n");
        return out;
    }
    for s in &r.steps {
        let mark = if !s.ok {
            "FAILED"
        } else if s.unannounced_loss.is_empty() {
            "ok"
        } else {
            "LOST ROWS"
        };
        out.push_str(&format!("\n{} ({:.2} s): {mark}\n", s.migration, s.seconds));
        for t in &s.tables {
            let n = |v: Option<u64>| v.map_or_else(|| "-".to_string(), |v| v.to_string());
            out.push_str(&format!("  {:<32} {:>10} -> {:<10}\n", t.table, n(t.before), n(t.after)));
        }
        for f in &s.findings {
            out.push_str(&format!("  {} [{}] line {}: {}\n", f.severity, f.rule, f.line, f.message));
        }
        for t in &s.unannounced_loss {
            out.push_str(&format!("  error: {t} lost rows, and no finding of this migration announced it\n"));
        }
        if let Some(e) = &s.error {
            out.push_str("  prisma migrate deploy failed:\n");
            for line in e.lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
    }
    out.push_str(if r.ok {
        "\nThe rehearsal passed: every pending migration applied, no unannounced row loss.\n"
    } else {
        "\nThe rehearsal FAILED: see above. Nothing was changed in the project's database.\n"
    });
    out
}

pub fn exit(r: &Rehearsal) -> ExitStatus {
    if r.ok {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_touched_when_named_or_changed_and_prisma_s_own_table_never() {
        let before = BTreeMap::from([
            ("public.User".to_string(), 3),
            ("public.Post".to_string(), 2),
            ("public._prisma_migrations".to_string(), 1),
        ]);
        let after = BTreeMap::from([
            ("public.User".to_string(), 3),
            ("public.Post".to_string(), 0),
            ("public._prisma_migrations".to_string(), 2),
        ]);
        let t = touched(&before, &after, "ALTER TABLE \"User\" ADD COLUMN \"age\" INTEGER;");
        let names: Vec<&str> = t.iter().map(|r| r.table.as_str()).collect();
        assert_eq!(names, ["public.Post", "public.User"]);
        assert!(!has_word("alter table users", "user"));
        assert!(has_word("delete from user;", "user"));
    }
}
