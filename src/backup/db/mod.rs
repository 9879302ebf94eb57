//! Database engines behind one trait: PostgreSQL (pg_dump/psql), MySQL/MariaDB
//! (mysqldump/mysql) and SQLite (the online backup API).

pub mod mysql;
mod mysql_swap;
pub mod postgres;
pub mod sqlite;
pub mod url;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::backup::db::url::{DbUrl, Engine};

/// Which tools to use; filled from config and environment.
#[derive(Debug, Clone, Default)]
pub struct ToolSettings {
    /// A directory holding pg_dump and psql (e.g. /usr/lib/postgresql/16/bin).
    pub pg_bin_dir: Option<PathBuf>,
    /// A directory holding mysqldump/mariadb-dump and mysql/mariadb.
    pub mysql_bin_dir: Option<PathBuf>,
}

/// What a database connection needs: the URL, and for SQLite the resolved file.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: DbUrl,
    /// Absolute path of the SQLite file (relative `file:` paths resolved as Prisma does).
    pub sqlite_path: Option<PathBuf>,
    /// The PostgreSQL schemas Prisma manages (the datasource's `schemas`); empty: the URL's
    /// `schema`, else the whole database.
    pub schemas: Vec<String>,
}

impl Target {
    /// The URL with the password redacted, for manifests and logs.
    pub fn describe_url(&self) -> String {
        self.url.redacted()
    }

    /// What to show people: the redacted URL, or the SQLite file path.
    pub fn describe(&self) -> String {
        match &self.sqlite_path {
            Some(p) => format!("sqlite file {}", p.display()),
            None => self.url.redacted(),
        }
    }
}

/// What the dump itself revealed, when the engine can count while dumping.
#[derive(Debug, Default)]
pub struct DumpFacts {
    pub row_counts: Option<BTreeMap<String, u64>>,
    /// PostgreSQL: the large objects the dump creates (they live outside every schema).
    pub large_objects: Option<u64>,
    pub migrations: Option<Vec<String>>,
    pub warnings: Vec<String>,
}

/// One database that can be dumped, inspected and restored.
pub trait Database {
    fn engine(&self) -> Engine;
    /// The name a human types to confirm (database name, or SQLite file name).
    fn name(&self) -> String;
    fn target(&self) -> &Target;
    /// File extension of the uncompressed dump: `sql` or `sqlite`.
    fn dump_extension(&self) -> &'static str;
    /// How many large objects the database holds (PostgreSQL; `None` where there are none
    /// to count): the restore test compares it with the manifest.
    fn large_object_count(&self) -> Result<Option<u64>> {
        Ok(None)
    }
    /// What the database holds beside table rows that a restore replaces or drops (views,
    /// materialized views, functions, procedures, events), described one per line (`view
    /// public.active_users`): a database holding only these is not empty. Triggers belong to
    /// their tables, which a database with empty tables holds anyway.
    fn definitions(&self) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
    /// Connects, checks the dump tool can handle this server; returns the server version.
    fn preflight(&self) -> Result<String>;
    fn dump_tool_version(&self) -> Result<String>;
    /// The PostgreSQL schema the dump is limited to, if any.
    fn schema(&self) -> Option<String> {
        None
    }
    /// Stream a consistent dump into `out`. `workdir` may hold temporary files.
    fn dump(&self, out: &mut dyn Write, workdir: &Path) -> Result<DumpFacts>;
    fn row_counts(&self) -> Result<BTreeMap<String, u64>>;
    fn applied_migrations(&self) -> Result<Vec<String>>;
    /// Replace the database's contents with the dump read from `input`.
    /// `clear` drops what is there first.
    fn restore(&self, input: &mut dyn Read, clear: bool) -> Result<()>;
    /// A new empty database of the same kind on the same server, dropped on drop.
    fn create_scratch(&self) -> Result<Box<dyn Scratch + '_>>;
    /// Whether the database exists (the server answers and has it; the SQLite file exists).
    /// Errors when the server cannot be reached or refuses the credentials.
    fn exists(&self) -> Result<bool>;

    /// Take in the schemas among `names` that exist beyond the ones Prisma manages, so the
    /// backup before SQL that names them holds them too (PostgreSQL; a dump of the whole
    /// database has them already). Returns the schemas added.
    fn widen(&mut self, _names: &std::collections::BTreeSet<String>) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
    /// A check that a new dump restores: replayed into a scratch database and rolled back
    /// (PostgreSQL: every row when the dump holds at most [`FULL_CHECK_ROWS`] (`rows`), else
    /// the schema and the first rows of each table; MySQL: the schema). The outcome says
    /// what was replayed; `Err`: it does not restore.
    fn check_restorable(&self, _dump: &mut dyn Read, _rows: u64) -> Result<CheckOutcome> {
        Ok(CheckOutcome::NoCheck)
    }
    /// Create the database when the server does not have it yet. True when it was created.
    fn create_if_missing(&self) -> Result<bool> {
        Ok(false)
    }
    /// The tables the database has now, named as a dump's row counts name them, asked of the
    /// server itself (a cheap catalog query): a dump that holds none of some of them came
    /// from a tool that is not what it says. `None`: not checked for this engine.
    fn table_names(&self) -> Result<Option<Vec<String>>> {
        Ok(None)
    }
}

/// A temporary database; dropping it removes it.
pub trait Scratch {
    fn database(&self) -> &dyn Database;
}

/// A scratch database and what removes it (a `DROP DATABASE`, a temporary folder).
pub struct Temporary<'a, D> {
    pub db: D,
    pub cleanup: Box<dyn FnMut() + 'a>,
}

impl<D: Database> Scratch for Temporary<'_, D> {
    fn database(&self) -> &dyn Database {
        &self.db
    }
}

impl<D> Drop for Temporary<'_, D> {
    fn drop(&mut self) {
        (self.cleanup)();
    }
}

/// The most rows the restore check of a new backup replays in full (about ten seconds on a
/// small server); a bigger backup gets the schema and a sample of each table's rows, and its
/// output and manifest say so (`restore-test` replays every row).
pub const FULL_CHECK_ROWS: u64 = 1_000_000;

/// What the restore check of a new backup did.
#[derive(Debug)]
pub enum CheckOutcome {
    /// Replayed and rolled back without an error: what it covered.
    Checked(crate::backup::store::manifest::RestoreCheck),
    /// Could not run (why; a warning).
    NotChecked(String),
    /// The engine has none (SQLite: the backup is a checked copy of the file).
    NoCheck,
}

/// The warning when a new backup's restore check cannot run (no scratch database).
pub(crate) fn restore_not_checked(e: &anyhow::Error) -> String {
    format!(
        "could not check that the backup restores ({}); run `prisma-guard restore-test` to check it",
        // All of it on one line: the child's own error comes after `failed (exit code 1):`.
        format!("{e:#}").lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
    )
}

/// The error when a new backup does not restore into a scratch database (its schema, and on
/// PostgreSQL a sample of each table's rows), with a hint for the usual causes.
pub(crate) fn unrestorable(e: anyhow::Error) -> anyhow::Error {
    let text = format!("{e:#}");
    let hint = if text.contains("does not exist") && (text.contains("function") || text.contains("relation")) {
        "pg_dump restores with an empty search_path: a function used by an index, a CHECK constraint or a default that calls another function or reads a table without naming its schema fails there. Name the schema in its body (`public.inner_norm(x)`), or pin it (`ALTER FUNCTION public.norm(text) SET search_path = public;`), then take a new backup"
    } else if text.contains("violates check constraint") {
        "a CHECK constraint that reads another table (through a function) fails when a restore loads the rows table by table: check it with a trigger or a foreign key instead, then take a new backup"
    } else {
        "the dump is kept but cannot be trusted; fix the cause above (a missing extension or role?) and take a new backup"
    };
    e.context(crate::error::fail("the new backup does not restore into an empty database").hint(hint))
}

/// Open the right engine for a target.
pub fn open(target: Target, tools: &ToolSettings) -> Result<Box<dyn Database>> {
    Ok(match target.url.engine {
        Engine::Postgresql => Box::new(postgres::Postgres::new(target, tools)?),
        Engine::Mysql => Box::new(mysql::Mysql::new(target, tools)?),
        Engine::Sqlite => Box::new(sqlite::Sqlite::new(target)?),
    })
}

/// Compare counts after a restore. Returns human-readable differences.
pub fn compare_counts(expected: &BTreeMap<String, u64>, actual: &BTreeMap<String, u64>) -> Vec<String> {
    let mut diffs = Vec::new();
    for (table, want) in expected {
        match actual.get(table) {
            Some(got) if got == want => {}
            Some(got) => diffs.push(format!("{table}: expected {want} rows, found {got}")),
            None => diffs.push(format!("{table}: missing (expected {want} rows)")),
        }
    }
    for table in actual.keys().filter(|t| !expected.contains_key(*t)) {
        diffs.push(format!("{table}: not in the backup"));
    }
    diffs
}

/// What scratch database names start with.
pub const SCRATCH_PREFIX: &str = "prisma_guard_scratch_";

/// A unique name for a scratch database: `prisma_guard_scratch_<pid>_<host>_<n>`, the run's
/// pid and a tag of its host, so that a later run on this host can drop the scratch
/// databases of runs that were killed (and never another machine's).
pub fn scratch_name() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("{SCRATCH_PREFIX}{}_{}_{nanos:x}", std::process::id(), host_tag())
}

/// Eight hex digits of this host's name (a database name has room for no more).
fn host_tag() -> String {
    let digest = <sha2::Sha256 as sha2::Digest>::digest(crate::backup::store::lock::hostname().as_bytes());
    crate::backup::store::io::hex(&digest[..4])
}

/// Among the server's database names, the scratch databases of runs on this host whose
/// process has ended (killed during a restore test).
pub fn stale_scratch(names: &[String]) -> Vec<&String> {
    let tag = host_tag();
    names
        .iter()
        .filter(|name| {
            let Some(rest) = name.strip_prefix(SCRATCH_PREFIX) else { return false };
            let parts: Vec<&str> = rest.split('_').collect();
            let [pid, host, _] = parts.as_slice() else { return false };
            let Ok(pid) = pid.parse::<u32>() else { return false };
            *host == tag && pid != std::process::id() && !crate::process::pid_alive(pid)
        })
        .collect()
}

/// The `LIKE` pattern for scratch database names (`_` matches any character: what it finds
/// is filtered by [`stale_scratch`]).
pub fn scratch_like() -> String {
    format!("{SCRATCH_PREFIX}%")
}

#[cfg(test)]
mod scratch_tests {
    use super::*;

    #[test]
    fn only_scratch_databases_of_dead_runs_on_this_host_are_stale() {
        let mine = scratch_name();
        // A pid that no process has (above the kernel's limit).
        let dead = format!("{SCRATCH_PREFIX}4194999_{}_1a2b", host_tag());
        let other_host = format!("{SCRATCH_PREFIX}4194999_00000000_1a2b");
        let old_form = format!("{SCRATCH_PREFIX}4194999_1a2b");
        let names = vec![mine.clone(), dead.clone(), other_host, old_form, "app".to_string()];
        assert_eq!(stale_scratch(&names), vec![&dead]);
        assert!(mine.len() <= 63, "{mine}");
    }
}
