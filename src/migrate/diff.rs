//! The real `prisma migrate diff` between migration histories and the database: a down
//! script (the schema after a migration to the schema before it) and the drift check (the
//! applied migrations to the database as it is).
//!
//! `--from-migrations`/`--to-migrations` replay migrations into a shadow database (Prisma 7
//! reads its URL from the config's `datasource.shadowDatabaseUrl`; without one it stops with
//! "You must pass the --shadow-database-url if you want to diff a migrations directory").
//! The shadow is a scratch database of the project's own kind (a new database on the same
//! server, a temporary SQLite file), dropped when the [`Differ`] is; the config that names it
//! is written beside the project's own, which it imports (see [`super::prisma_run`]).

use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use super::prisma_run::{link_or_copy, password_of, Call, Output, WrittenConfig, SHADOW_VAR};
use super::rehearse::Migration;
use crate::backup::db::{Database, Scratch};
use crate::config::settings::Settings;
use crate::error::fail;
use crate::guard::forward::RealPrisma;

/// A temporary folder of links to some of the project's migrations (a history cut short).
pub struct Folder {
    dir: tempfile::TempDir,
}

impl Folder {
    pub fn of(migrations: &[&Migration]) -> Result<Folder> {
        let dir = tempfile::Builder::new().prefix("prisma-guard-history-").tempdir()?;
        for m in migrations {
            link_or_copy(&m.dir, &dir.path().join(&m.name))?;
        }
        if let Some(lock) = migrations.first().and_then(|m| m.dir.parent()).map(|p| p.join("migration_lock.toml")) {
            if lock.is_file() {
                std::fs::copy(&lock, dir.path().join("migration_lock.toml"))?;
            }
        }
        Ok(Folder { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// One side of a diff.
pub enum Side<'a> {
    Empty,
    Migrations(&'a Folder),
    /// The database the project's config names.
    Database,
}

impl Side<'_> {
    fn args(&self, dir: &str) -> Vec<String> {
        match self {
            Side::Empty => vec![format!("--{dir}-empty")],
            Side::Migrations(f) => vec![format!("--{dir}-migrations"), f.path().display().to_string()],
            Side::Database => vec![format!("--{dir}-config-datasource")],
        }
    }
}

/// Whether the database matches its applied migrations.
#[derive(Debug, Serialize, Clone)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Drift {
    None,
    /// The database differs: Prisma's summary of how.
    Found {
        summary: String,
    },
    /// The check could not run (why).
    Unchecked {
        reason: String,
    },
}

/// `prisma migrate diff` with a shadow database.
pub struct Differ<'a> {
    prisma: RealPrisma,
    config: WrittenConfig,
    _shadow: Box<dyn Scratch + 'a>,
    shadow_url: String,
    env: Vec<(String, String)>,
    cwd: std::path::PathBuf,
}

impl<'a> Differ<'a> {
    /// `pins`: the environment the guard checked the database with (empty outside the guard).
    pub fn new(settings: &Settings, db: &'a dyn Database, pins: &[(String, String)]) -> Result<Differ<'a>> {
        let prisma = super::real_prisma(settings)?;
        let config = WrittenConfig::beside(settings.project.config_file.as_deref())?;
        let shadow = db
            .create_scratch()
            .map_err(|e| e.context("could not create a shadow database for `prisma migrate diff`"))?;
        let shadow_url = super::rehearse::scratch_url(shadow.database())?;
        let mut env: Vec<(String, String)> = pins.to_vec();
        env.push((SHADOW_VAR.to_string(), shadow_url.clone()));
        Ok(Differ { prisma, config, _shadow: shadow, shadow_url, env, cwd: settings.cwd.clone() })
    }

    fn run(&self, from: &Side, to: &Side, extra: &[&str]) -> Result<Output> {
        let mut args: Vec<String> = vec!["migrate".into(), "diff".into()];
        args.extend(from.args("from"));
        args.extend(to.args("to"));
        args.extend(extra.iter().map(|a| (*a).to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let call = Call {
            prisma: &self.prisma,
            cwd: &self.cwd,
            config: Some(&self.config),
            env: self.env.clone(),
            secrets: password_of(&self.shadow_url).into_iter().collect(),
        };
        call.run(&args, None)
    }

    /// The SQL that takes a database from `from` to `to`.
    pub fn script(&self, from: &Side, to: &Side) -> Result<String> {
        let out = self.run(from, to, &["--script"])?;
        if !out.ok() {
            return Err(fail(format!("`prisma migrate diff` failed:\n{}", out.all())).into());
        }
        Ok(out.stdout)
    }

    /// The database compared with the migrations it has applied (`--exit-code`: 0 same,
    /// 2 different).
    pub fn drift(&self, applied: &Folder) -> Result<Drift> {
        Ok(match self.run(&Side::Migrations(applied), &Side::Database, &["--exit-code"]) {
            Ok(o) if o.code == 0 => Drift::None,
            Ok(o) if o.code == 2 => match without_engine_tables(o.stdout.trim()) {
                Some(summary) => Drift::Found { summary },
                None => Drift::None,
            },
            Ok(o) => Drift::Unchecked { reason: format!("`prisma migrate diff` failed: {}", o.all()) },
            Err(e) if e.is::<super::prisma_run::Interrupted>() => return Err(e),
            Err(e) => Drift::Unchecked { reason: crate::error::one_line(&e) },
        })
    }
}

/// The drift check, or why it could not run; `Err` only when prisma was interrupted (Ctrl-C):
/// then nothing after the check may run.
pub fn drift(
    settings: &Settings,
    db: &dyn Database,
    applied: &[&Migration],
    pins: &[(String, String)],
) -> Result<Drift> {
    let check = || -> Result<Drift> {
        let folder = Folder::of(applied)?;
        Differ::new(settings, db, pins)?.drift(&folder)
    };
    match check() {
        Ok(d) => Ok(d),
        Err(e) if e.is::<super::prisma_run::Interrupted>() => Err(e),
        Err(e) => Ok(Drift::Unchecked { reason: crate::error::one_line(&e) }),
    }
}

/// Tables the point-in-time recovery engines keep in the database itself (Litestream's
/// `_litestream_seq` and `_litestream_lock`): not the project's schema, never drift.
pub const ENGINE_TABLE_PREFIXES: &[&str] = &["_litestream_"];

/// Whether `table` (bare or schema-qualified, quoted or not) is such an engine's.
pub fn is_engine_table(table: &str) -> bool {
    let bare = table.rsplit('.').next().unwrap_or(table).trim_matches(|c| matches!(c, '"' | '`' | '[' | ']'));
    ENGINE_TABLE_PREFIXES.iter().any(|p| bare.starts_with(p))
}

/// Prisma's drift summary without the engines' own tables (review round 5, finding 6:
/// `litestream replicate` made every deploy "drift"); `None` when nothing else is left.
/// Blocks are a `[+]`/`[-]`/`[*]` header and the indented lines under it.
fn without_engine_tables(summary: &str) -> Option<String> {
    let mut blocks: Vec<Vec<&str>> = Vec::new();
    for line in summary.lines() {
        if line.starts_with('[') || blocks.is_empty() {
            blocks.push(vec![line]);
        } else if let Some(b) = blocks.last_mut() {
            b.push(line);
        }
    }
    let named = |l: &str| l.split(['`', ' ', '"']).any(|w| !w.is_empty() && is_engine_table(w));
    let kept: Vec<String> = blocks
        .into_iter()
        .filter_map(|b| {
            let (head, items) = b.split_first()?;
            // `[*] Changed the `_litestream_seq` table`: the whole block is the engine's.
            if head.starts_with("[*]") && named(head) {
                return None;
            }
            let items: Vec<&str> =
                items.iter().copied().filter(|l| !(l.trim_start().starts_with("- ") && named(l))).collect();
            let listed = b.len() > 1;
            if listed && items.iter().all(|l| l.trim().is_empty()) {
                return None;
            }
            Some(std::iter::once(*head).chain(items).collect::<Vec<_>>().join("\n"))
        })
        .collect();
    let text = kept.join("\n").trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// Whether a script from `migrate diff --script` changes nothing.
pub fn is_empty_script(sql: &str) -> bool {
    sql.lines().map(str::trim).all(|l| l.is_empty() || l.starts_with("--"))
}

#[cfg(test)]
mod tests {
    use super::{is_empty_script, without_engine_tables};

    /// Review round 5, finding 6.
    #[test]
    fn litestreams_own_tables_are_no_drift() {
        assert_eq!(without_engine_tables("[+] Added tables\n  - _litestream_lock\n  - _litestream_seq"), None);
        assert_eq!(
            without_engine_tables("[+] Added tables\n  - Log\n  - _litestream_seq\n\n[*] Changed the `_litestream_seq` table\n  [+] Added column `x`"),
            Some("[+] Added tables\n  - Log".to_string())
        );
        let real = "[*] Changed the `Post` table\n  [+] Added index `Post_authorId_idx`";
        assert_eq!(without_engine_tables(real), Some(real.to_string()));
    }

    #[test]
    fn a_script_of_comments_changes_nothing() {
        assert!(is_empty_script("-- This is an empty migration.\n"));
        assert!(is_empty_script("-- Down script of x\n\n-- This is an empty migration.\n"));
        assert!(!is_empty_script("-- DropIndex\nDROP INDEX \"i\";\n"));
    }
}
