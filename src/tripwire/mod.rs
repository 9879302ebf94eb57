//! The tripwire inside PostgreSQL: event triggers and TRUNCATE triggers, in the project's
//! database itself, that refuse statements which lose data (DROP SCHEMA/TABLE/COLUMN/
//! MATERIALIZED VIEW/SEQUENCE, TRUNCATE) from any client, unless prisma-guard holds an
//! approval window open for a confirmed, backed-up command. See docs/tripwire.md.
//!
//! `install_sql` holds the SQL text (`install.sql`), `key` this machine's approval key, `approval`
//! the window itself. A tripwire, not a security boundary: a superuser can drop it.

pub mod approval;
pub mod install_sql;
pub mod key;

use anyhow::Result;

use crate::backup::db::postgres::Postgres;
use crate::backup::db::url::{DbUrl, Engine};
use crate::backup::db::{Database, Target, ToolSettings};
use crate::error::fail;
use approval::Approval;
pub use install_sql::Probe;

/// The variable naming a superuser URL of the same database, for `protect`/`unprotect` when
/// the project's own role may not create event triggers. Never a flag: URLs hold passwords.
pub const PROTECT_URL_VAR: &str = crate::config::env::PROTECT_URL;

/// The project's database as a PostgreSQL connection; an error naming the engine otherwise.
pub fn postgres(target: &Target, tools: &ToolSettings) -> Result<Postgres> {
    match target.url.engine {
        Engine::Postgresql => Postgres::new(target.clone(), tools),
        other => Err(fail(format!(
            "the tripwire exists only for PostgreSQL; this project's database is {} ({})",
            engine_name(other),
            target.describe()
        ))
        .hint("for SQLite and MySQL, the guard, the agent hooks and backups are what protects the data")
        .into()),
    }
}

fn engine_name(e: Engine) -> &'static str {
    match e {
        Engine::Postgresql => "PostgreSQL",
        Engine::Mysql => "MySQL/MariaDB",
        Engine::Sqlite => "SQLite",
    }
}

pub fn probe(db: &Postgres) -> Result<Probe> {
    let rows = db.query(install_sql::PROBE)?;
    Ok(Probe::parse(rows.first().map_or("", String::as_str)))
}

/// What `status` and `doctor` show.
pub struct Inspection {
    pub database: String,
    pub probe: Probe,
    /// The tripwire's own report, when installed.
    pub status: Option<serde_json::Value>,
    /// This machine holds a key for the installation.
    pub has_key: bool,
    /// What is wrong with an installed tripwire, each with what to do; empty when sound.
    pub problems: Vec<String>,
}

impl Inspection {
    pub fn summary(&self) -> String {
        let Some((version, _)) = &self.probe.installed else {
            return match self.probe.any() {
                true => format!("left-overs of a tripwire in {} (not a whole installation)", self.database),
                false => format!("not installed in {} (optional: prisma-guard protect)", self.database),
            };
        };
        let count = |k: &str| self.status.as_ref().and_then(|s| s.get(k)).and_then(serde_json::Value::as_u64);
        let mut text = format!(
            "installed in {} (v{version}, {} tables armed, {} approval window(s) open)",
            self.database,
            count("armed_tables").unwrap_or(0),
            count("open_approvals").unwrap_or(0)
        );
        if !self.problems.is_empty() {
            text.push_str(&format!(": {}", self.problems.join("; ")));
        }
        text
    }
}

pub fn inspect(db: &Postgres) -> Result<Inspection> {
    let probe = probe(db)?;
    let mut problems = Vec::new();
    let mut status = None;
    let mut has_key = false;
    match &probe.installed {
        Some((version, id)) => {
            let text = db.query(install_sql::STATUS)?.join("\n");
            let s: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| fail(format!("the tripwire's status() answered something unreadable: {e}")))?;
            let n = |k: &str| s.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
            if n("event_triggers_on") < install_sql::EVENT_TRIGGERS.len() as u64 {
                problems.push("an event trigger is missing or switched off (run `prisma-guard protect` again)".into());
            }
            if let Some(tables) = s.get("unarmed_tables").and_then(serde_json::Value::as_array).filter(|t| !t.is_empty()) {
                let names: Vec<_> = tables.iter().filter_map(serde_json::Value::as_str).collect();
                problems.push(format!(
                    "tables without their TRUNCATE trigger: {} (run `prisma-guard protect` again)",
                    names.join(", ")
                ));
            }
            if s.get("owner_is_superuser").and_then(serde_json::Value::as_bool) != Some(true) {
                problems.push("the prisma_guard schema is not owned by a superuser (run `prisma-guard protect` again)".into());
            }
            if *version < install_sql::VERSION {
                problems.push(format!("version {version} is older than {} (run `prisma-guard protect` to upgrade)", install_sql::VERSION));
            }
            if n("stale_approvals") > 0 {
                // Harmless (a dead backend opens nothing), swept by the next window.
                problems.push(format!("{} approval row(s) of ended sessions (void; cleared by the next window)", n("stale_approvals")));
            }
            has_key = key::read(&key::dir(), id).is_some();
            if !has_key {
                problems.push(format!(
                    "this machine has no approval key for it ({}): guarded prisma commands that drop data will be refused; run `{PROTECT_URL_VAR}=<superuser url> prisma-guard protect` here to add one",
                    key::path(&key::dir(), id).display()
                ));
            }
            status = Some(s);
        }
        None if probe.any() => problems.push(
            "a prisma_guard schema or event trigger without a whole installation (run `prisma-guard protect` to repair, or `prisma-guard unprotect`)"
                .into(),
        ),
        None => {}
    }
    Ok(Inspection { database: db.target().describe(), probe, status, has_key, problems })
}

/// Problems that make the tripwire fail to protect (stale approval rows aside).
pub fn is_sound(i: &Inspection) -> bool {
    i.problems.iter().all(|p| p.contains("of ended sessions"))
}

/// For the guard, just before prisma runs: when the tripwire is installed in the database,
/// open an approval window (closed when the value is dropped). `None`: nothing to open.
pub fn approve(target: &Target, tools: &ToolSettings, command: &str) -> Result<Option<Approval>> {
    if target.url.engine != Engine::Postgresql {
        return Ok(None);
    }
    let db = Postgres::new(target.clone(), tools)?;
    let probe = probe(&db)?;
    let Some((_, id)) = &probe.installed else {
        if probe.event_triggers_on > 0 {
            return Err(fail(format!(
                "the tripwire in {} is damaged (event triggers without their installation record), so no approval window can be opened",
                target.describe()
            ))
            .hint(format!("repair it: `{PROTECT_URL_VAR}=<superuser url> prisma-guard protect`"))
            .into());
        }
        return Ok(None);
    };
    let dir = key::dir();
    let Some(key) = key::read(&dir, id) else {
        return Err(fail(format!(
            "the tripwire in {} would refuse this command, and this machine has no approval key for it ({})",
            target.describe(),
            key::path(&dir, id).display()
        ))
        .hint(format!(
            "add this machine's key: `{PROTECT_URL_VAR}=<superuser url of the same database> prisma-guard protect`, or copy the key file from the machine that ran protect"
        ))
        .into());
    };
    Approval::open(&db, &key, command).map(Some)
}

/// The connection that installs or removes the tripwire: `PRISMA_GUARD_PROTECT_URL` when set
/// (it must reach the same database), else the project's own.
pub fn installer(project: &Postgres, tools: &ToolSettings) -> Result<(Postgres, Identity)> {
    let mine = Identity::of(project)?;
    let Some(raw) = crate::config::env::protect_url() else {
        return Ok((Postgres::new(project.target().clone(), tools)?, mine));
    };
    let url = DbUrl::parse(&raw).map_err(|e| fail(format!("{PROTECT_URL_VAR}: {e}")))?;
    if url.engine != Engine::Postgresql {
        return Err(fail(format!("{PROTECT_URL_VAR} must be a postgresql:// URL")).into());
    }
    let target = Target { url, sqlite_path: None, schemas: Vec::new() };
    let shown = target.describe();
    let db = Postgres::new(target, tools)?;
    let theirs = Identity::of(&db)?;
    if !theirs.same_database(&mine) {
        return Err(fail(format!(
            "{PROTECT_URL_VAR} ({shown}) reaches database `{}`, not the project's ({}, `{}`)",
            theirs.database,
            project.target().describe(),
            mine.database
        ))
        .hint(format!("point {PROTECT_URL_VAR} at the project's database, as a superuser"))
        .into());
    }
    Ok((db, theirs))
}

/// Who a connection is, and which database it reaches.
pub struct Identity {
    pub role: String,
    pub superuser: bool,
    pub database: String,
    oid: String,
    started: String,
    pub version_num: u32,
}

impl Identity {
    pub fn of(db: &Postgres) -> Result<Identity> {
        let line = db.query(install_sql::IDENTITY)?.into_iter().next().unwrap_or_default();
        let f: Vec<&str> = line.split('\x1f').collect();
        let get = |i: usize| f.get(i).map_or(String::new(), |s| (*s).to_string());
        Ok(Identity {
            role: get(0),
            superuser: get(1) == "true",
            database: get(2),
            oid: get(3),
            started: get(4),
            version_num: get(5).trim().parse().unwrap_or(0),
        })
    }

    /// The same database of the same running server (its oid and the server's start time).
    fn same_database(&self, other: &Identity) -> bool {
        self.database == other.database && self.oid == other.oid && self.started == other.started
    }

    /// Refuse, with what to do, when this role cannot install or remove the tripwire.
    pub fn require_superuser(&self, what: &str) -> Result<()> {
        if self.version_num < 110_000 {
            return Err(fail("the tripwire needs PostgreSQL 11 or newer")
                .hint("on older servers the guard, the agent hooks and backups still protect the database; only the in-database tripwire is unavailable")
                .into());
        }
        if self.superuser {
            return Ok(());
        }
        Err(fail(format!(
            "{what} needs a superuser role (PostgreSQL lets only superusers create and drop event triggers); `{}` is not one",
            self.role
        ))
        .hint(format!(
            "run it with a superuser URL of the same database in the environment (never on the command line): `{PROTECT_URL_VAR}='postgresql://postgres:...@host:5432/{}' prisma-guard {}`",
            self.database,
            if what.starts_with("removing") { "unprotect" } else { "protect" }
        ))
        .into())
    }
}
