//! `prisma-guard exec -- <prisma args>` (and `prisma ...` through the shim): classify,
//! confirm, back up, forward.
//!
//! Safe commands replace this process with the real prisma at once. Schema changes get a
//! backup first; destructive commands also need a human to type the database name on the
//! terminal. Whenever prisma-guard cannot do its part (no database found, backup failed, no
//! terminal to ask on, an AI agent asking), prisma does not run.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::backup::db::{self, Database};
use crate::backup::store::manifest::Trigger;
use crate::backup::{self, Request};
use crate::cli::{ExecArgs, GlobalArgs};
use crate::config::settings::{self, Settings};
use crate::config::{self, SeedClass};
use crate::error::{fail, Failure};
use crate::guard::audit::{self, Entry};
use crate::guard::classify::{self, Invocation, Risk};
use crate::guard::{allow, forward};
use crate::project::Resolution;
use crate::ui::Printer;
use crate::ExitStatus;

pub fn run(global: &GlobalArgs, args: &ExecArgs) -> Result<ExitStatus> {
    forward::check_loop()?;
    let inv = Invocation::parse(&args.args);
    let mut global = global.clone();
    // prisma-guard's own --url (or PRISMA_GUARD_DATABASE_URL) only adds a database to protect:
    // the decision is about the database Prisma will use (its own --url, else its config).
    let also_protect = global.url.take();
    // Backups taken before a prisma command go where the project keeps them (where `restore
    // latest` looks), not where a variable an agent can set says.
    if let Some(dir) = global.backup_dir.take() {
        Printer::default().warn(format!(
            "--backup-dir/PRISMA_GUARD_BACKUP_DIR ({}) is ignored in front of prisma: backups go to the project's backup folder ([backup] dir in prisma-guard.toml)",
            dir.display()
        ));
    }
    // The config and schema are prisma's: given to prisma-guard only, prisma would not use
    // them, and the guard would judge another database than the one prisma changes.
    for (flag, ours, prismas) in [("--config", &global.config, &inv.config), ("--schema", &global.schema, &inv.schema)]
    {
        if ours.is_some() && ours.as_ref().map(|p| p.to_string_lossy().into_owned()) != *prismas {
            return Err(Failure::usage(format!(
                "{flag} was given to prisma-guard, not to prisma, so prisma would not use it"
            ))
            .hint(format!("give it to prisma, after `--`: prisma-guard exec -- {flag} <path> <command>"))
            .into());
        }
    }
    global.schema = inv.schema.as_ref().map(PathBuf::from);
    global.config = inv.config.as_ref().map(PathBuf::from);
    global.url = inv.url.clone();
    // Only what a safe command needs: it must pass through almost for free.
    let cwd = settings::working_dir(&global)?;
    // A broken prisma-guard.toml must not block `prisma --version`; guarded commands fail
    // closed on it below.
    let start = crate::project::config_search_start(&cwd, global.config.as_deref());
    let (config, config_error) = match config::load(&start, &cwd, global.guard_config.as_deref()) {
        Ok(c) => (c, None),
        Err(e) => (config::Config::default(), Some(e)),
    };
    if std::env::var_os(forward::REAL_PRISMA_VAR).is_some() {
        Printer::default().warn(format!(
            "{} is ignored: only `[guard] real_prisma` in the project's prisma-guard.toml can choose another prisma",
            forward::REAL_PRISMA_VAR
        ));
    }
    let override_path = config.file.guard.real_prisma.as_ref().map(|p| config.resolve_path(p, &cwd));
    let real = forward::find(&cwd, override_path.as_deref(), std::env::var_os("PATH"))?.run_in(&cwd);

    let is_execute = inv.is("db", "execute");
    let stdin_sql = if is_execute && inv.has("--stdin") { Some(read_stdin()?) } else { None };
    let sql = if !is_execute {
        None
    } else if let Some(text) = &stdin_sql {
        Some(Ok(String::from_utf8_lossy(text).into_owned()))
    } else {
        inv.file.as_ref().map(|f| {
            let path = cwd.join(f);
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
        })
    };
    let options = classify::Options { seed_is_safe: config.file.guard.seed == Some(SeedClass::Safe) };
    let risk = classify::classify(&inv, sql.as_ref().map(|r| r.as_deref().map_err(Clone::clone)), options);
    let is_pull = inv.is("db", "pull");
    if risk == Risk::Safe && !is_pull {
        if let Some(e) = &config_error {
            Printer::default().warn(format!("{e:#} (ignored for a command that changes nothing)"));
        }
        return Err(exec(&real, &inv.args));
    }
    if let Some(e) = config_error {
        return Err(e.context(
            fail(format!(
                "prisma-guard.toml cannot be read, so `prisma {}` was NOT run",
                audit::redact_argv(&inv.args).join(" ")
            ))
            .status(ExitStatus::Usage),
        ));
    }

    // `db execute --file F`: prisma gets the very SQL that was judged, on its stdin; the file
    // could change between the check and prisma reading it.
    let (prisma_args, stdin_sql) = match (&sql, &inv.file, stdin_sql) {
        (Some(Ok(text)), Some(_), None) if is_execute => (without_file(&inv.args), Some(text.clone().into_bytes())),
        (_, _, stdin) => (inv.args.clone(), stdin),
    };
    let settings = Settings::for_prisma(&global, cwd, config, real.cli_file(), &inv.args)?;
    let guard = Guard {
        settings: &settings,
        inv: &inv,
        prisma_args: &prisma_args,
        risk: &risk,
        sql: sql.as_ref().and_then(|r| r.as_deref().ok()),
        also_protect: also_protect.as_deref(),
    };
    match &risk {
        Risk::Safe => {
            guard.keep_schema_copy();
            Err(exec(&real, &inv.args))
        }
        Risk::SchemaChange { .. } | Risk::Destructive { .. } => guard.run(&real, args.no_backup, stdin_sql),
    }
}

/// Replace this process with the real prisma; returns only on failure.
fn exec(real: &forward::RealPrisma, args: &[String]) -> anyhow::Error {
    let err = real.command(args).exec();
    anyhow::Error::new(err).context(format!("could not start the real prisma ({})", real.describe()))
}

fn read_stdin() -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    std::io::stdin().read_to_end(&mut buf).context("could not read the SQL from stdin")?;
    Ok(buf)
}

struct Guard<'a> {
    settings: &'a Settings,
    inv: &'a Invocation,
    /// What prisma is run with (`db execute --file F` becomes `--stdin`, fed the checked SQL).
    prisma_args: &'a [String],
    risk: &'a Risk,
    /// The SQL `db execute` runs, as judged.
    sql: Option<&'a str>,
    /// A database named with prisma-guard's own --url: backed up too, never instead.
    also_protect: Option<&'a str>,
}

impl Guard<'_> {
    /// The command as the user would retype it.
    fn command_line(&self) -> String {
        let args = audit::redact_argv(&self.inv.args);
        format!("prisma {}", args.iter().map(|a| shell_word(a)).collect::<Vec<_>>().join(" "))
    }

    fn audit(&self, decision: &str, backup_id: Option<&str>, exit_code: Option<i32>) {
        let mut entry = Entry::new(&self.settings.cwd, &self.inv.args, self.risk.label(), decision);
        entry.backup_id = backup_id.map(str::to_string);
        entry.exit_code = exit_code;
        if let Err(e) = audit::append(&self.settings.audit_dir, &entry) {
            self.settings.printer.warn(format!("could not write the audit log: {e:#}"));
        }
    }

    fn run(&self, real: &forward::RealPrisma, no_backup: bool, stdin_sql: Option<Vec<u8>>) -> Result<ExitStatus> {
        let settings = self.settings;
        let cmd = self.command_line();
        let resolved = match settings.resolve() {
            Ok(t) => t,
            Err(e) => {
                self.audit("no-database", None, None);
                return Err(e.context(
                    fail(format!("prisma-guard cannot find the database `{cmd}` would change, so it cannot back it up; prisma was NOT run"))
                        .hint("pass the database with --url, or run from the Prisma project folder"),
                ));
            }
        };
        if let Resolution::Uncertain(why) = &resolved.resolution {
            self.audit("uncertain-database", None, None);
            return Err(fail(format!(
                "prisma-guard cannot be sure which database `{cmd}` would change, so it was NOT run: {why}"
            ))
            .hint("keep the Prisma config plain (the URL from `env(\"DATABASE_URL\")`, nothing that depends on how it is run), install the project's packages (`npm install`: Prisma's own config loader then tells), or pass the database as Prisma's own flag, e.g. `prisma db push --url <url>`")
            .into());
        }
        let resolution = resolved.resolution.clone();
        let pins = resolved.pins.clone();
        let watched = resolved.watched.clone();
        let mut db = db::open(resolved.target, &settings.tools)?;
        let exists = match db.exists() {
            Ok(e) => e,
            Err(e) => {
                self.audit("database-unreachable", None, None);
                return Err(e.context(format!("cannot reach the database to back it up, so `{cmd}` was NOT run")));
            }
        };
        // SQL can reach schemas Prisma does not manage (`DROP SCHEMA audit CASCADE`): those it
        // names are in the backup (and the rows at risk) too.
        if exists {
            let names = self.named_schemas();
            match db.widen(&names) {
                Ok(added) if !added.is_empty() => {
                    settings.printer.status("Including", format!("schema(s) {} that the SQL names", added.join(", ")))
                }
                Ok(_) => {}
                Err(e) => {
                    self.audit("database-unreachable", None, None);
                    return Err(e.context(format!("cannot list the database's schemas, so `{cmd}` was NOT run")));
                }
            }
        }
        let allowed = allow::find(&settings.config.file.guard.allow, db.target());
        let destructive = matches!(self.risk, Risk::Destructive { .. });
        let mut decision = "allowed";
        // A destructive command needs a person even when the database prisma-guard resolved
        // does not exist: a config can name another database to the guard than to Prisma, and a
        // reset of a missing database is odd enough to ask about. A schema change on a missing
        // database has nothing to back up only when prisma-guard is sure it is the one Prisma
        // uses (the reader agrees with Prisma's loader, or the URL was given).
        let sure = !matches!(resolution, Resolution::LoaderOnly);
        let unsure_missing = !exists && !sure;
        if destructive || (exists && no_backup) || unsure_missing {
            if let Some(entry) = allowed {
                decision = "allow-listed";
                settings.printer.status(
                    "Allow-listed",
                    format!(
                        "{} ({})",
                        db.target().describe(),
                        entry.reason.as_deref().unwrap_or("prisma-guard.toml [[guard.allow]]")
                    ),
                );
            } else {
                if let Err(e) = self.confirm(db.as_ref(), &cmd, no_backup, exists) {
                    self.audit("refused", None, None);
                    crate::notify::report(
                        settings,
                        crate::notify::Event::Refused,
                        crate::notify::Severity::Warning,
                        format!("`{cmd}` was refused"),
                        format!(
                            "{}
(database {})",
                            crate::error::one_line(&e),
                            db.target().describe()
                        ),
                    );
                    return Err(e);
                }
                decision = "confirmed";
            }
        }
        let skip_backup = !exists || (no_backup && decision == "confirmed") || allowed.is_some_and(|a| !a.backup);
        // A loosening is on the record: `confirmed-no-backup`, `allow-listed-no-backup`.
        let decision = if exists && skip_backup { format!("{decision}-no-backup") } else { decision.to_string() };
        let decision = decision.as_str();
        let backup_id = if skip_backup {
            if !exists {
                settings
                    .printer
                    .status("No backup", format!("{} does not exist yet: nothing to lose", db.target().describe()));
            }
            None
        } else {
            let trigger = Trigger { kind: "prisma".into(), argv: audit::redact_argv(&self.inv.args) };
            let label = format!("before-{}", self.inv.words.join("-"));
            settings.printer.status("Backing up", format!("{} before `{cmd}`", db.target().describe()));
            match backup::take(settings, db.as_ref(), &Request { label: Some(label), trigger }) {
                Ok(m) => {
                    settings.printer.status("Saved", format!("backup {} ({} rows)", m.id, m.total_rows()));
                    Some(m.id)
                }
                Err(e) => {
                    self.audit("backup-failed", None, None);
                    crate::notify::report(
                        settings,
                        crate::notify::Event::BackupFailed,
                        crate::notify::Severity::Critical,
                        format!("the backup before `{cmd}` failed (prisma did not run)"),
                        crate::error::one_line(&e),
                    );
                    return Err(e.context(fail(format!("the backup failed, so `{cmd}` was NOT run")).hint(
                        "fix the cause above and run the command again; `prisma-guard backup` tests the backup alone",
                    )));
                }
            }
        };
        if let Some(extra) = self.also_protect {
            if let Err(e) = self.protect_also(extra, db.target()) {
                self.audit("backup-failed", backup_id.as_deref(), None);
                return Err(e.context(fail(format!("the backup of the database named with --url/PRISMA_GUARD_DATABASE_URL failed, so `{cmd}` was NOT run"))));
            }
        }
        if self.inv.is("mcp", "") {
            settings.printer.warn("`prisma mcp` gives AI tools a migrate-dev tool that runs the Prisma CLI file directly, bypassing prisma-guard: the backup above is the last one taken before that session. `prisma-guard mcp` offers the same tools through the guard (`prisma-guard init` puts it in the agents' MCP settings)");
        }
        // The tripwire in the database (prisma-guard protect) lets this command through, and
        // only while it runs: the window closes with prisma-guard, even when it is killed.
        let approval = match exists.then(|| crate::tripwire::approve(db.target(), &settings.tools, &cmd)).transpose() {
            Ok(a) => a.flatten(),
            Err(e) => {
                self.audit("tripwire-failed", backup_id.as_deref(), None);
                return Err(e.context(fail(format!(
                    "the tripwire's approval window could not be opened, so `{cmd}` was NOT run"
                ))));
            }
        };
        if approval.is_some() {
            settings.printer.status("Approved", format!("the tripwire lets `{cmd}` through while it runs"));
        }
        // The files that decided the database, read again now that the backup and the
        // confirmation are done: one rewritten meanwhile could send Prisma elsewhere.
        let changed = watched.changed();
        if !changed.is_empty() {
            self.audit("config-changed", backup_id.as_deref(), None);
            let names: Vec<String> = changed.iter().map(|p| p.display().to_string()).collect();
            let kept = backup_id.as_deref().map(|id| format!(" (backup {id} was taken of {})", db.target().describe()));
            return Err(fail(format!(
                "{} changed while prisma-guard was checking `{cmd}`, so it was NOT run: Prisma could now use another database than the one checked{}",
                names.join(", "),
                kept.unwrap_or_default()
            ))
            .hint("run the command again once nothing is editing these files")
            .into());
        }
        let code = self.forward(real, stdin_sql, &pins)?;
        if let Some(Err(e)) = approval.map(crate::tripwire::approval::Approval::close) {
            settings
                .printer
                .warn(format!("closing the tripwire's approval window: {e:#} (it closes with its session anyway)"));
        }
        self.audit(decision, backup_id.as_deref(), Some(i32::from(code)));
        let changed = watched.changed();
        if !changed.is_empty() {
            let names: Vec<String> = changed.iter().map(|p| p.display().to_string()).collect();
            settings.printer.warn(format!(
                "{} changed while prisma ran: check which database it used (its `Datasource` line) is {}",
                names.join(", "),
                db.target().describe()
            ));
        }
        if let (true, Some(id)) = (code != 0, &backup_id) {
            if code == 130 {
                // Prisma exits 130 when it stops to ask (drift, a data-loss warning) and the
                // answer is no, or there is no terminal to ask on; and when interrupted.
                eprintln!("prisma exited with code 130: it declined or was not confirmed (then it did not run the change and nothing needs restoring), or it was interrupted part-way.");
                eprintln!(
                    "Backup {id} holds the database as it was; if prisma was interrupted: prisma-guard restore {id}"
                );
            } else {
                eprintln!("prisma exited with code {code}. The database as it was before is in backup {id}.");
                eprintln!("To put it back: prisma-guard restore {id}");
                crate::notify::report(
                    settings,
                    crate::notify::Event::MigrationFailed,
                    crate::notify::Severity::Critical,
                    format!("`{cmd}` failed (exit {code})"),
                    format!(
                        "The database as it was before is in backup {id}. To put it back: prisma-guard restore {id}"
                    ),
                );
            }
        }
        Ok(ExitStatus::Child(code))
    }

    /// Back up a database named with prisma-guard's own --url too (when it is another one
    /// and it exists).
    fn protect_also(&self, raw: &str, main: &db::Target) -> Result<()> {
        let url = crate::backup::db::url::DbUrl::parse(raw)
            .map_err(|e| fail(format!("{e} (in --url/PRISMA_GUARD_DATABASE_URL)")))?;
        let sqlite_path =
            (url.engine == crate::backup::db::url::Engine::Sqlite).then(|| self.settings.cwd.join(url.sqlite_path()));
        let target = db::Target { url, sqlite_path, schemas: Vec::new() };
        if target.describe() == main.describe() {
            return Ok(());
        }
        let db = db::open(target, &self.settings.tools)?;
        if !db.exists()? {
            return Ok(());
        }
        self.settings.printer.status(
            "Backing up",
            format!("{} too (named with --url/PRISMA_GUARD_DATABASE_URL)", db.target().describe()),
        );
        let trigger = Trigger { kind: "prisma".into(), argv: audit::redact_argv(&self.inv.args) };
        let m = backup::take(self.settings, db.as_ref(), &Request { label: Some("also-protected".into()), trigger })?;
        self.settings.printer.status("Saved", format!("backup {} ({} rows)", m.id, m.total_rows()));
        Ok(())
    }

    /// Show what will be lost and ask for the database name on the terminal.
    fn confirm(&self, db: &dyn Database, cmd: &str, no_backup: bool, exists: bool) -> Result<()> {
        let counts = if exists { db.row_counts().unwrap_or_default() } else { Default::default() };
        let mut summary = String::new();
        summary.push_str(&format!("\n  {cmd}\n\n"));
        match self.risk {
            Risk::Destructive { why } => summary.push_str(&format!("This is destructive: {why}.\n")),
            Risk::SchemaChange { what } => summary.push_str(&format!("{what}.\n")),
            Risk::Safe => {}
        }
        summary.push_str(&format!("Database: {}\n", db.target().describe()));
        if !exists {
            summary.push_str("prisma-guard finds no such database, so there is nothing it can back up. Check the database Prisma names (its `Datasource` line) before you go on.\n");
        }
        let with_rows: Vec<_> = counts.iter().filter(|(_, n)| **n > 0).collect();
        if with_rows.is_empty() {
            summary.push_str("It holds no rows.\n");
        } else {
            summary.push_str("Rows at risk:\n");
            for (table, n) in with_rows {
                summary.push_str(&format!("  {table}: {n}\n"));
            }
        }
        if no_backup {
            summary.push_str("NO backup will be taken (--no-backup).\n");
        } else {
            summary.push_str(&format!(
                "A backup is taken first, into {}; its id is printed, and `prisma-guard restore <id>` puts it back.\n",
                self.settings.backup_dir.display()
            ));
        }
        let action = match self.risk {
            Risk::Destructive { why } => format!("`{cmd}` is destructive ({why}) and"),
            _ if !exists => format!(
                "`{cmd}` on a database prisma-guard does not find (the Prisma config is more than it can read without running it, so Prisma may use another one)"
            ),
            _ => format!("`{cmd}` without a backup"),
        };
        crate::guard::confirm::typed(&summary, &db.name(), &action, cmd)
    }

    /// Schema names in the SQL the command will run: `db execute`'s, or the project's
    /// migrations for the commands that apply them.
    fn named_schemas(&self) -> std::collections::BTreeSet<String> {
        if let Some(sql) = self.sql {
            return crate::sql::named_schemas(sql);
        }
        let applies = ["deploy", "dev", "resolve"].iter().any(|w| self.inv.is("migrate", w));
        let dir = self.settings.project.migrations_dir().filter(|_| applies);
        let mut names = std::collections::BTreeSet::new();
        for entry in dir.and_then(|d| std::fs::read_dir(d).ok()).into_iter().flatten().flatten() {
            if let Ok(sql) = std::fs::read_to_string(entry.path().join("migration.sql")) {
                names.extend(crate::sql::named_schemas(&sql));
            }
        }
        names
    }

    /// Run the real prisma with the same args, env, cwd and stdin; return its exit code.
    fn forward(&self, real: &forward::RealPrisma, stdin_sql: Option<Vec<u8>>, pins: &[(String, String)]) -> Result<u8> {
        let mut cmd = real.command(self.prisma_args);
        // The database prisma-guard checked and backed up is the one prisma gets: the values
        // the config's .env files had then (prisma's dotenv does not override them).
        cmd.envs(pins.iter().map(|(k, v)| (k, v)));
        let status = crate::process::run_forwarding_signals(&mut cmd, stdin_sql)
            .with_context(|| format!("could not start the real prisma ({})", real.describe()))?;
        Ok(crate::process::exit_code_of(status))
    }

    /// `db pull` overwrites the schema file: keep a copy in the backup folder first.
    fn keep_schema_copy(&self) {
        let Some(schema) = self.settings.project.schema.as_ref().filter(|s| s.is_file()) else { return };
        let Ok(store) = crate::backup::store::Store::create(&self.settings.backup_dir) else { return };
        let stamp = store.new_id(std::time::SystemTime::now(), Some("schema-before-db-pull"));
        let dest = store.dir().join(format!("{stamp}.prisma"));
        if let Ok(text) = std::fs::read(schema) {
            if crate::backup::store::io::write_atomic(&dest, &text).is_ok() {
                self.settings.printer.status("Saved", format!("a copy of {} as {}", schema.display(), dest.display()));
            }
        }
    }
}

/// Quote a word for a POSIX shell when needed.
fn shell_word(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// prisma's arguments with `--file F` (or `--file=F`) taken out and `--stdin` added.
fn without_file(args: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
            continue;
        }
        if a == "--file" {
            skip = true;
            continue;
        }
        if a.starts_with("--file=") {
            continue;
        }
        out.push(a.clone());
    }
    out.push("--stdin".into());
    out
}
