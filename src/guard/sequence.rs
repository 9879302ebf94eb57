//! The guard's sequence for a schema change or a destructive command: find the database
//! (refusing when unsure), confirm on the terminal unless allow-listed, back up, open the
//! tripwire's window, check the files that decided the database again, run prisma, audit.

use anyhow::{Context, Result};

use super::audit::{self, Entry};
use super::classify::{Invocation, Risk};
use super::{allow, forward};
use crate::backup::db;
use crate::backup::store::manifest::Trigger;
use crate::backup::{self, Request};
use crate::config::settings::Settings;
use crate::error::fail;
use crate::project::Resolution;
use crate::ExitStatus;

pub(super) struct Guard<'a> {
    pub(super) settings: &'a Settings,
    pub(super) inv: &'a Invocation,
    /// What prisma is run with (`db execute --file F` becomes `--stdin`, fed the checked SQL).
    pub(super) prisma_args: &'a [String],
    pub(super) risk: &'a Risk,
    /// The SQL `db execute` runs, as judged.
    pub(super) sql: Option<&'a str>,
    /// A database named with prisma-guard's own --url: backed up too, never instead.
    pub(super) also_protect: Option<&'a str>,
    /// `migrate deploy`: planned before the backup, validated after (crate::migrate::deploy).
    pub(super) deploy: &'a crate::migrate::deploy::Options,
}

impl Guard<'_> {
    /// What lets prisma-guard know the database when it cannot follow the Prisma config
    /// without running it (the cause above says what it could not follow).
    fn what_works(&self) -> String {
        // Prisma 7 takes its own --url only in these (not migrate reset/deploy, db execute).
        let takes_url = self.inv.is("db", "push") || self.inv.is("db", "pull") || self.inv.is("migrate", "dev");
        let flag = if takes_url {
            format!(
                "; or give Prisma the database with its own flag, after `--`: `prisma-guard exec -- {} --url <url>`",
                self.inv.args.iter().map(|a| shell_word(a)).collect::<Vec<_>>().join(" ")
            )
        } else {
            format!("; `prisma {}` takes no --url in Prisma 7", self.inv.words.join(" "))
        };
        format!(
            "install the project's packages (`npm install`, so that node_modules has prisma and @prisma/config): Prisma's own config loader then says which database; or keep the Prisma config plain: the URL from `env(\"DATABASE_URL\")`, dotenv paths as string literals (no `__dirname`, `path.join`, `process.cwd()`, nothing that depends on how it is run){flag}. prisma-guard's own --url backs that database up too; it never decides which one Prisma uses"
        )
    }

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

    /// A refusal on the record: audited, notified, returned.
    fn refused(&self, e: anyhow::Error, target: &db::Target) -> anyhow::Error {
        self.audit("refused", None, None);
        crate::notify::report(
            self.settings,
            crate::notify::Event::Refused,
            crate::notify::Severity::Warning,
            format!("`{}` was refused", self.command_line()),
            format!("{}\n(database {})", crate::error::one_line(&e), target.describe()),
        );
        e
    }

    pub(super) fn run(
        &self,
        real: &forward::RealPrisma,
        no_backup: bool,
        stdin_sql: Option<Vec<u8>>,
    ) -> Result<ExitStatus> {
        let settings = self.settings;
        let cmd = self.command_line();
        let resolved = match settings.resolve() {
            Ok(t) => t,
            Err(e) if crate::project::is_uncertain(&e) => {
                self.audit("uncertain-database", None, None);
                return Err(e.context(
                    fail(format!("`{cmd}` was NOT run: prisma-guard is not sure which database it would change"))
                        .hint(self.what_works()),
                ));
            }
            Err(e) => {
                self.audit("no-database", None, None);
                return Err(e.context(
                    fail(format!("prisma-guard cannot find the database `{cmd}` would change, so it cannot back it up; prisma was NOT run"))
                        .hint(format!("run from the Prisma project folder, or {}", self.what_works())),
                ));
            }
        };
        if let Resolution::Uncertain(why) = &resolved.resolution {
            self.audit("uncertain-database", None, None);
            return Err(fail(format!(
                "prisma-guard cannot be sure which database `{cmd}` would change, so it was NOT run: {why}"
            ))
            .hint(self.what_works())
            .into());
        }
        let resolution = resolved.resolution.clone();
        let pins = resolved.pins.clone();
        let watched = resolved.watched.clone();
        let mut db = db::open(resolved.target, &settings.tools)?;
        let allowed = allow::find(&settings.config.file.guard.allow, db.target());
        let destructive = matches!(self.risk, Risk::Destructive { .. });
        // A destructive command needs a person unless allow-listed: when none can confirm
        // (an AI agent runs it, or there is no terminal), that is the answer, given before
        // the database is reached (an agent is not told to start a server it must not reset).
        if let (Risk::Destructive { why }, None) = (self.risk, allowed) {
            let action = format!("`{cmd}` is destructive ({why}) and");
            if let Err(e) = crate::guard::confirm::person_can_confirm(&action, &cmd) {
                return Err(self.refused(e, db.target()));
            }
        }
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
        let mut deploy = match (self.inv.is("migrate", "deploy") && exists)
            .then(|| crate::migrate::deploy::plan(settings, db.as_ref(), &pins, self.prisma_flags(), self.deploy))
        {
            Some(Err(e)) => return Err(self.refused(e, db.target())),
            Some(Ok(d)) => Some(d),
            None => None,
        };
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
                    return Err(self.refused(e, db.target()));
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
                settings.printer.status(
                    "No backup",
                    format!("{} does not exist yet, so there is nothing to back up", db.target().describe()),
                );
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
        // only while it runs: the window closes with prisma-guard, even when it is killed. It
        // opens for a person: one who typed the confirmation, or one running a schema change
        // with no AI agent behind it. An agent's schema change gets no window: a drop inside it
        // is refused by the tripwire (and any other session's drop while it runs).
        let person = decision.starts_with("confirmed") || crate::agents::markers::detect_current().is_none();
        let approval = match (exists && person)
            .then(|| crate::tripwire::approve(db.target(), &settings.tools, &cmd))
            .transpose()
        {
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
        if let Some(d) = deploy.as_mut() {
            d.before_run(db.as_ref());
        }
        let code = self.forward(real, stdin_sql, &pins, deploy.as_ref().is_some_and(|d| d.json()))?;
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
        let validated = match deploy {
            Some(d) => Some(d.finish(settings, db.as_ref(), real, &pins, code, backup_id.as_deref())?),
            None => None,
        };
        if let (true, Some(id)) = (code != 0, &backup_id) {
            if code == 130 {
                // Prisma exits 130 when it stops to ask (drift, a data-loss warning) and the
                // answer is no, or there is no terminal to ask on; and when interrupted.
                settings.printer.note("prisma exited with code 130: it declined or was not confirmed (then it did not run the change and nothing needs restoring), or it was interrupted part-way.");
                settings.printer.note(format!(
                    "Backup {id} holds the database as it was; if prisma was interrupted: prisma-guard restore {id}"
                ));
            } else {
                settings
                    .printer
                    .note(format!("prisma exited with code {code}. The database as it was before is in backup {id}."));
                settings.printer.note(format!("To put it back: prisma-guard restore {id}"));
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
        Ok(validated.unwrap_or(ExitStatus::Child(code)))
    }

    /// Run the real prisma with the same args, env, cwd and stdin; return its exit code.
    fn forward(
        &self,
        real: &forward::RealPrisma,
        stdin_sql: Option<Vec<u8>>,
        pins: &[(String, String)],
        stdout_to_stderr: bool,
    ) -> Result<u8> {
        let mut cmd = real.command(self.prisma_args);
        if stdout_to_stderr {
            // `migrate deploy --json`: stdout carries the report alone.
            cmd.stdout(std::io::stderr());
        }
        // The database prisma-guard checked and backed up is the one prisma gets: the values
        // the config's .env files had then (prisma's dotenv does not override them).
        cmd.envs(pins.iter().map(|(k, v)| (k, v)));
        let status = crate::process::run_forwarding_signals(&mut cmd, stdin_sql)
            .with_context(|| format!("could not start the real prisma ({})", real.describe()))?;
        Ok(crate::process::exit_code_of(status))
    }
}

impl Guard<'_> {
    /// prisma's own --config and --schema, for the other prisma commands run with it.
    fn prisma_flags(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (flag, v) in [("--config", &self.inv.config), ("--schema", &self.inv.schema)] {
            if let Some(v) = v {
                out.push(flag.to_string());
                out.push(v.clone());
            }
        }
        out
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
