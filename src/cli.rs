//! Command-line interface (clap derive). Converted into plain [`crate::config::settings::Settings`]
//! before any logic runs.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::backup::store::Compression;

#[derive(Debug, Parser)]
#[command(
    name = "prisma-guard",
    version,
    about = "Stops Prisma projects from losing their data: verified backups before schema changes, restores that work.",
    after_help = crate::exit::EXIT_CODES_HELP
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Database URL to use instead of the one Prisma would use.
    #[arg(long, global = true, value_name = "URL", env = "PRISMA_GUARD_DATABASE_URL", hide_env_values = true)]
    pub url: Option<String>,
    /// Prisma schema file or folder (as Prisma's --schema).
    #[arg(long, global = true, value_name = "PATH")]
    pub schema: Option<PathBuf>,
    /// Prisma config file (as Prisma's --config).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// prisma-guard.toml to use instead of searching upward from the working directory.
    #[arg(long, global = true, value_name = "PATH", env = "PRISMA_GUARD_CONFIG")]
    pub guard_config: Option<PathBuf>,
    /// Backup directory (default: `backups/` at the project root).
    #[arg(long, global = true, value_name = "DIR", env = "PRISMA_GUARD_BACKUP_DIR")]
    pub backup_dir: Option<PathBuf>,
    /// Run as if started in DIR.
    #[arg(short = 'C', long = "directory", global = true, value_name = "DIR")]
    pub directory: Option<PathBuf>,
    /// Print only results and errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// An age identity file that opens encrypted backups (else PRISMA_GUARD_AGE_IDENTITY, or
    /// PRISMA_GUARD_AGE_PASSPHRASE for a passphrase).
    #[arg(long, global = true, value_name = "FILE")]
    pub identity: Option<PathBuf>,
}

impl From<GlobalArgs> for crate::config::settings::GlobalOptions {
    fn from(g: GlobalArgs) -> Self {
        let GlobalArgs { url, schema, config, guard_config, backup_dir, directory, quiet, identity } = g;
        Self { url, schema, config, guard_config, backup_dir, directory, quiet, identity }
    }
}

impl Cli {
    /// Parse the process's arguments. Started under the name `prisma` (the shim link), the
    /// whole command line is prisma's: it is parsed as `prisma-guard exec -- <args>`, so the
    /// global options come only from their environment variables.
    pub fn from_env() -> Cli {
        let mut args = std::env::args_os();
        let argv0 = args.next().unwrap_or_default();
        if std::path::Path::new(&argv0).file_name().is_some_and(|n| n == "prisma") {
            let prefix = ["prisma-guard", "exec", "--"].map(std::ffi::OsString::from);
            return Cli::parse_from(prefix.into_iter().chain(args));
        }
        Cli::parse()
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a prisma command under the guard: `prisma-guard exec -- migrate dev`.
    ///
    /// Harmless commands run at once. Schema changes (migrate dev/deploy, db push, db execute,
    /// ...) get a backup first; if it fails, prisma does not run. Destructive commands (migrate
    /// reset, db push --force-reset or --accept-data-loss, SQL that drops data) also need the
    /// database name typed on the terminal; AI agents are refused. Exit code: prisma's own.
    Exec(ExecArgs),
    /// Take a compressed, checksummed backup of the project's database now.
    Backup(BackupArgs),
    /// List backups, newest first.
    #[command(alias = "list")]
    Backups(ListArgs),
    /// Check backups: checksum and a full decompression test.
    Verify(VerifyArgs),
    /// Restore a backup into the project's database (or --to another one).
    Restore(RestoreArgs),
    /// Restore a backup into a scratch database and compare row counts with the manifest.
    RestoreTest(RestoreTestArgs),
    /// Are the backups healthy? The newest backup's age in each location, the last verify and
    /// restore test, size change, disk space, the lock. Exit 0: healthy; 1: stale, failed or
    /// worth a look (the findings say why); 2: configuration error. For monitors: --json,
    /// --format prometheus; with --notify, alerts go to `[[notify]]` (run it from a scheduler).
    Status(StatusArgs),
    /// Print a ready schedule for this project: nightly backup (and upload), prune, restore
    /// test, and status alerts, as a crontab, systemd units, a GitHub Actions workflow or a
    /// GitLab CI job.
    Schedule(ScheduleArgs),
    /// Send notifications: `notify test` sends a test message to every `[[notify]]`.
    Notify(NotifyArgs),
    /// Upload local backups that a remote lacks, and check the copies it has (size, files).
    Sync(SyncArgs),
    /// Show which backups the retention rules keep and which they delete, with the reason
    /// for each; delete with --yes. Never the newest (verified) backup, nor one taken before a
    /// destructive change within `[retention] protect_destructive_days`.
    Prune(PruneArgs),
    /// Put prisma-guard in front of `prisma`: on PATH, and in node_modules/.bin (npx, npm scripts).
    Shim(ShimArgs),
    /// Find destructive prisma commands in scripts and CI files, and destructive SQL in
    /// prisma/migrations. Exit 0: clean; 1: error-level findings; 2: usage or I/O error.
    Scan(ScanArgs),
    /// Install, check or remove the git pre-commit and pre-push hooks that run `scan`.
    Hooks(HooksArgs),
    /// Judge a shell command line as an agent hook would: allow (exit 0), schema change
    /// (exit 5) or destructive (exit 3), with the reason.
    Check(CheckArgs),
    /// Show how a shell command line is parsed and judged.
    Explain(CheckArgs),
    /// Answer an AI agent's pre-tool hook (JSON on stdin) in that agent's protocol.
    AgentHook(AgentHookArgs),
    /// Set the project up in one idempotent step: config, .gitignore, package.json scripts,
    /// the project shim, git hooks, agent hooks, and a safety note in CLAUDE.md/AGENTS.md.
    Init(InitArgs),
    /// Take out everything `init` put in (backups stay).
    Uninstall(UninstallArgs),
    /// Check every entry point (shims, git hooks, agent hooks, dump tools, backups); exit 1
    /// with the fixing command for each gap.
    Doctor(DoctorArgs),
    /// Install (or upgrade) the tripwire in the project's PostgreSQL database: DROP
    /// SCHEMA/TABLE/COLUMN/MATERIALIZED VIEW/SEQUENCE and TRUNCATE are refused from any client
    /// unless prisma-guard opens a short window for a confirmed, backed-up command. Needs a
    /// superuser: the project's role, or PRISMA_GUARD_PROTECT_URL (same database). See
    /// docs/tripwire.md.
    Protect,
    /// Remove the tripwire from the project's database (one transaction; a superuser, as for
    /// protect).
    Unprotect,
    /// An MCP server (stdio) for AI agents, in place of `prisma mcp`: the same tools
    /// (migrate-status, migrate-dev, migrate-reset, Prisma-Studio) through the guard, plus
    /// backup, backups, restore-test and status. Schema changes are backed up first;
    /// destructive ones are refused with the command for the user to run. `init` registers it.
    Mcp(McpArgs),
    /// Migrations beyond Prisma's own checks: `migrate rehearse` applies the pending
    /// migrations to a scratch copy of a backup first and reports what each one does to the
    /// data (exit 1: a migration failed or lost rows no finding announced); `deploy` plans,
    /// backs up, deploys and validates; `down-script` and `rollback` undo a migration.
    Migrate(MigrateArgs),
    /// Print the shell completion script for bash, zsh, fish, elvish or powershell:
    /// `prisma-guard completions bash > ~/.local/share/bash-completion/completions/prisma-guard`.
    Completions(CompletionsArgs),
    /// Print the man page (roff): `prisma-guard man | man -l -`; with `--dir DIR`, write one
    /// page per command into DIR (`prisma-guard.1`, `prisma-guard-backup.1`,
    /// `prisma-guard-migrate-deploy.1`, ...), each with that command's flags.
    Man(ManArgs),
    /// A timed restore test, from the first `[[remote]]` when there is one (else the local
    /// folder): its result and duration go to `status`, so the recovery time is measured.
    /// `[drill] max_age_days` (default 30): `status` warns when the last drill is older.
    Drill(DrillArgs),
    /// Point-in-time recovery with the engines made for it: pgBackRest (PostgreSQL) and
    /// Litestream (SQLite); for managed PostgreSQL (Supabase, Neon, RDS ...), the provider's
    /// own. See docs/pitr.md.
    Pitr(PitrArgs),
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write every page into this folder (`man1`, e.g. `~/.local/share/man/man1`) instead of
    /// printing the top-level page.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct DrillArgs {
    /// Backup id, unique prefix, or `latest`.
    #[arg(default_value = "latest")]
    pub id: String,
    /// Restore from this `[[remote]]` (default: the first one configured).
    #[arg(long, value_name = "NAME", conflicts_with = "local")]
    pub from: Option<String>,
    /// Restore from the local backup folder even when remotes are configured.
    #[arg(long)]
    pub local: bool,
}

#[derive(Debug, Args)]
pub struct PitrArgs {
    #[command(subcommand)]
    pub command: PitrCommand,
}

#[derive(Debug, Subcommand)]
pub enum PitrCommand {
    /// Set up continuous archiving for the project's database. PostgreSQL: write a
    /// pgBackRest config, print the `ALTER SYSTEM` lines to apply (and the restart), then
    /// (once archiving is on) create the stanza and take the first full backup. SQLite:
    /// write litestream.yml and print how to run `litestream replicate`. Run it as the
    /// database server's OS user, on its host. Managed PostgreSQL: how the provider does it.
    Setup(PitrSetupArgs),
    /// The recovery window: the oldest and newest points a restore can reach, the last
    /// archived WAL (PostgreSQL) or replicated LTX file (SQLite).
    Status(PitrStatusArgs),
    /// Restore to a point in time into a NEW data directory (PostgreSQL) or file (SQLite);
    /// the project's database is not touched. Prints how to start it and point the app at it.
    Restore(PitrRestoreArgs),
}

#[derive(Debug, Args)]
pub struct PitrSetupArgs {
    /// Where the archive goes: a local folder (default: `pitr/repo` in the backup folder).
    #[arg(long, value_name = "DIR", conflicts_with = "remote")]
    pub repo: Option<PathBuf>,
    /// Archive to this `[[remote]]` (S3-compatible) instead of a local folder.
    #[arg(long, value_name = "NAME")]
    pub remote: Option<String>,
    /// PostgreSQL: the server's data directory (default: asked of the server, which needs a
    /// superuser or pg_read_all_settings).
    #[arg(long, value_name = "DIR")]
    pub pg_data: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PitrStatusArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PitrRestoreArgs {
    /// The point to restore to: `2026-12-01 14:03[:SS]` is this machine's local time (TZ);
    /// `2026-12-01 14:03 UTC` or RFC 3339 as written.
    #[arg(long, value_name = "TIME")]
    pub time: String,
    /// The new data directory (PostgreSQL) or database file (SQLite); must not exist (or be
    /// an empty folder).
    #[arg(long, value_name = "PATH")]
    pub to: PathBuf,
}

#[derive(Debug, Args)]
pub struct McpArgs {}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(subcommand)]
    pub command: MigrateCommand,
}

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Restore a backup (default: the latest) into a scratch database, apply each pending
    /// migration there with the real `prisma migrate deploy`, and report per migration: time,
    /// rows of the tables it touches before and after, the scanner's findings, Prisma's
    /// message on failure. The scratch database is always dropped; the project's database
    /// is never touched.
    Rehearse(RehearseArgs),
    /// `prisma migrate deploy` with a plan and a validation: pending migrations with their
    /// findings and the drift check (`prisma migrate diff --exit-code`), a backup, the real
    /// deploy, then `migrate status` clean, no rows lost outside the migrations, SQLite's
    /// integrity_check. On failure: the restore command and the down scripts; nothing is
    /// restored without a person. Exit: 0 validated; 1 not validated; prisma's code if it failed.
    Deploy(DeployArgs),
    /// Write the down script of a migration (default: the newest) beside it as down.sql, with
    /// the real `prisma migrate diff` (schema after it -> schema before it), and show the
    /// scanner's findings: a down script that drops data loses what was written since.
    DownScript(DownScriptArgs),
    /// Undo the last applied migration with its down.sql: findings shown, typed confirmation
    /// when it drops data, a backup, one transaction (where the database allows), the
    /// migration marked rolled back, then validated. Without down.sql: the restore command of
    /// the backup taken before the migration.
    Rollback(RollbackArgs),
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// The report as JSON on stdout (prisma's own output goes to stderr).
    #[arg(long)]
    pub json: bool,
    /// Deploy even when the database differs from its applied migrations.
    #[arg(long)]
    pub allow_drift: bool,
}

#[derive(Debug, Args)]
pub struct DownScriptArgs {
    /// The migration's folder name (or the part after the timestamp); default: the newest.
    pub migration: Option<String>,
    /// The down script and findings as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RehearseArgs {
    /// Backup id, unique prefix, or `latest`.
    #[arg(long, default_value = "latest")]
    pub backup: String,
    /// The report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Show what would change, change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Set up this agent's hooks, even when its settings are not in the project (repeatable);
    /// only the agents named are set up. Without it: every agent whose settings are there.
    #[arg(long, value_enum)]
    pub agent: Vec<crate::agents::Agent>,
}

#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// Show what would change, change nothing. (Every agent's hooks are taken out.)
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The PATH shim folder (default ~/.local/share/prisma-guard/bin).
    #[arg(long, value_name = "DIR")]
    pub shim_dir: Option<PathBuf>,
    /// A newest backup older than this many hours is a gap.
    #[arg(long, default_value_t = 168)]
    pub max_backup_age_hours: u64,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Print the verdict and reasons as JSON.
    #[arg(long)]
    pub json: bool,
    /// The command line (one argument, or several joined with spaces), after `--`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true, value_name = "COMMAND LINE")]
    pub line: Vec<String>,
}

#[derive(Debug, Args)]
pub struct AgentHookArgs {
    /// Which agent's hook protocol to speak.
    #[arg(long, value_enum)]
    pub agent: crate::agents::Agent,
}

#[derive(Debug, Args, Clone)]
pub struct ScanArgs {
    /// Files or folders to scan (default: the repository root).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: crate::scan::report::Format,
    /// Write the report to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Only files changed since this git revision (committed, staged, unstaged or new).
    #[arg(long, value_name = "REV", conflicts_with_all = ["staged", "pre_push"])]
    pub since: Option<String>,
    /// Only staged files, as staged (the index, not the working tree): the pre-commit hook.
    #[arg(long, conflicts_with = "pre_push")]
    pub staged: bool,
    /// Files changed by the commits being pushed, read from git's pre-push lines on stdin.
    #[arg(long)]
    pub pre_push: bool,
    /// With --pre-push: the remote pushed to (the hook's first argument; the pre-commit
    /// framework's PRE_COMMIT_REMOTE_NAME). A new branch's commits are those its
    /// remote-tracking branches lack; without it, those the remotes' default branches lack.
    #[arg(long, value_name = "NAME", requires = "pre_push")]
    pub remote: Option<String>,
    /// Do not report migrations whose folder name sorts at or before this one.
    #[arg(long, value_name = "MIGRATION")]
    pub start_after: Option<String>,
    /// Rule ids not to report (repeatable), besides `[scan] disable`.
    #[arg(long, value_name = "RULE")]
    pub disable: Vec<String>,
    /// `write`: record today's findings in .prisma-guard-baseline.json (commit it) so that
    /// later scans, hooks and CI report only new ones; `ignore`: report the known ones too.
    #[arg(long, value_enum, value_name = "MODE")]
    pub baseline: Option<BaselineMode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BaselineMode {
    Write,
    Ignore,
}

#[derive(Debug, Args)]
pub struct HooksArgs {
    #[arg(value_enum)]
    pub action: HooksAction,
    /// Install into a core.hooksPath outside the repository anyway.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum HooksAction {
    /// Install pre-commit and pre-push hooks (idempotent); foreign hooks are kept and chained.
    Install,
    /// Show which hooks are installed; exit 1 when one is missing.
    Status,
    /// Remove the hooks and restore the ones they replaced.
    Uninstall,
}

#[derive(Debug, Args)]
pub struct ShimArgs {
    #[arg(value_enum)]
    pub action: ShimAction,
    /// Also cover this project: replace node_modules/.bin/prisma and add a package.json
    /// postinstall entry that re-installs it after every `npm install`.
    #[arg(long)]
    pub project: bool,
    /// The PATH shim folder (default ~/.local/share/prisma-guard/bin).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ShimAction {
    /// Create the shims (idempotent).
    Install,
    /// Show which entry points are covered; exit 1 when one is not.
    Status,
    /// Remove the shims and restore the originals.
    Uninstall,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Skip the backup of a schema change (asks for the typed confirmation instead).
    #[arg(long)]
    pub no_backup: bool,
    /// The prisma arguments, after `--`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "PRISMA ARGS")]
    pub args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// A short label added to the backup id.
    #[arg(long)]
    pub label: Option<String>,
    /// Compression format (default: zstd, or `[backup] compression`).
    #[arg(long, value_enum)]
    pub compression: Option<Compression>,
    /// Print the manifest as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// List the backups on this `[[remote]]` instead of the local folder.
    #[arg(long, value_name = "NAME")]
    pub remote: Option<String>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print the report as JSON (stable field names; see docs/operations.md).
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: StatusFormat,
    /// A location whose newest backup is older than this is stale.
    #[arg(long, value_name = "DURATION", default_value = "25h")]
    pub max_age: String,
    /// Judge the remotes only, not the local backup folder (a CI runner keeps no backups
    /// between jobs).
    #[arg(long)]
    pub remotes_only: bool,
    /// Send the findings to `[[notify]]`.
    #[arg(long)]
    pub notify: bool,
    /// With --notify: when healthy, send the daily "all is well" digest (to notifiers that
    /// take `info`).
    #[arg(long, requires = "notify")]
    pub digest: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("kind").required(true).args(["cron", "systemd", "github_actions", "gitlab"])))]
pub struct ScheduleArgs {
    /// crontab lines (run from this folder, with this binary).
    #[arg(long)]
    pub cron: bool,
    /// systemd service and timer units.
    #[arg(long)]
    pub systemd: bool,
    /// A GitHub Actions workflow.
    #[arg(long)]
    pub github_actions: bool,
    /// A GitLab CI job for a pipeline schedule.
    #[arg(long)]
    pub gitlab: bool,
    /// When the nightly backup runs (local time for cron and systemd, UTC for CI).
    #[arg(long, value_name = "HH:MM", default_value = "03:15")]
    pub at: String,
    /// How old the newest backup may be before `status` alerts.
    #[arg(long, value_name = "DURATION", default_value = "25h")]
    pub max_age: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusFormat {
    Text,
    Json,
    /// Prometheus textfile-collector lines.
    Prometheus,
}

#[derive(Debug, Args)]
pub struct NotifyArgs {
    #[command(subcommand)]
    pub command: NotifyCommand,
}

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Send a test message to every `[[notify]]` and say which ones got it.
    Test,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Only this `[[remote]]` (default: every one).
    #[arg(long, value_name = "NAME")]
    pub remote: Option<String>,
    /// Read every copy back (SHA-256) and replace the damaged ones, not only those never
    /// verified or changed on the store: one download of every backup on every remote.
    #[arg(long)]
    pub read: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Backup id, unique prefix, or `latest` (default).
    pub id: Option<String>,
    /// Verify every backup.
    #[arg(long, conflicts_with = "id")]
    pub all: bool,
    /// Verify the copies on this `[[remote]]`: each is read back (size, SHA-256, and with an
    /// identity, decryption and decompression).
    #[arg(long, value_name = "NAME")]
    pub remote: Option<String>,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Backup id, unique prefix, or `latest`.
    #[arg(default_value = "latest")]
    pub id: String,
    /// Restore into this database instead of the project's.
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,
    /// Take the backup from this `[[remote]]` (it is downloaded and checked into the local
    /// folder first).
    #[arg(long, value_name = "NAME")]
    pub from: Option<String>,
    /// Restore the newest verified backup taken before TIME: `2026-12-01 14:03[:SS]` is this
    /// machine's local time (TZ); `2026-12-01 14:03 UTC` or RFC 3339 (`...T14:03:00+01:00`)
    /// as written.
    #[arg(long, value_name = "TIME", conflicts_with = "from")]
    pub before: Option<String>,
}

#[derive(Debug, Args)]
pub struct RestoreTestArgs {
    /// Backup id, unique prefix, or `latest`.
    #[arg(default_value = "latest")]
    pub id: String,
    /// Test the copy on this `[[remote]]` (downloaded to a temporary folder).
    #[arg(long, value_name = "NAME")]
    pub from: Option<String>,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Delete the backups the table marks for deletion (without it, prune only shows the
    /// table).
    #[arg(long, short = 'y', conflicts_with = "dry_run")]
    pub yes: bool,
    /// Show what would be deleted, delete nothing (the default without --yes).
    #[arg(long)]
    pub dry_run: bool,
    /// Delete backups older than this many days (default 30, or `[retention] max_age_days`).
    /// Fewer days than the project's retention: with --yes, a person confirms on the terminal.
    #[arg(long)]
    pub max_age_days: Option<u64>,
    /// Keep at most this many backups (default 100, or `[retention] keep`). Fewer than the
    /// project's retention: with --yes, a person confirms on the terminal.
    #[arg(long)]
    pub keep: Option<usize>,
    /// Only this `[[remote]]` (default: the local folder and every remote).
    #[arg(long, value_name = "NAME")]
    pub remote: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_whole_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn subcommand_arguments_are_parsed() {
        let cli = Cli::try_parse_from(["prisma-guard", "scan", "--format", "json", "--staged", "a", "b"])
            .expect("a valid scan command line");
        let Command::Scan(args) = cli.command else { panic!("not scan: {:?}", cli.command) };
        assert_eq!(args.paths, [PathBuf::from("a"), PathBuf::from("b")]);
        assert!(args.staged);
        assert_eq!(args.format, crate::scan::report::Format::Json);
        let err = Cli::try_parse_from(["prisma-guard", "scan", "--bogus"]).expect_err("an unknown flag");
        assert_eq!(err.kind(), clap::error::ErrorKind::UnknownArgument);
        let err =
            Cli::try_parse_from(["prisma-guard", "backup", "--format", "json"]).expect_err("scan's flag on backup");
        assert_eq!(err.kind(), clap::error::ErrorKind::UnknownArgument);
    }

    /// The shim's command line, as `Cli::from_env` builds it: everything after `--` is
    /// prisma's, prisma-guard's own flags included.
    #[test]
    fn the_shim_command_line_is_all_prisma_arguments() {
        let cli =
            Cli::try_parse_from(["prisma-guard", "exec", "--", "migrate", "dev", "--url", "x", "-C", "d", "--help"])
                .expect("any prisma command line");
        assert!(cli.global.directory.is_none());
        let Command::Exec(args) = cli.command else { panic!("not exec: {:?}", cli.command) };
        assert_eq!(args.args, ["migrate", "dev", "--url", "x", "-C", "d", "--help"]);
        assert!(!args.no_backup);
    }
}
