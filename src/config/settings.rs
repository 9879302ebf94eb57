//! Plain settings, resolved once: flag > environment > prisma-guard.toml > default.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::backup::db::{self, Database, Target, ToolSettings};
use crate::backup::store::{retention::Policy, Compression};
use crate::config::{self, Config};
use crate::project::{self, Project};
use crate::ui::Printer;

/// The options every command takes (`--url`, `--schema`, `-C` ...), as plain values: clap's
/// `GlobalArgs` is turned into this once, before any command runs.
#[derive(Debug, Clone, Default)]
pub struct GlobalOptions {
    /// A database to use instead of (the guard: to back up as well as) the one Prisma uses.
    pub url: Option<String>,
    /// Prisma's `--schema`.
    pub schema: Option<PathBuf>,
    /// Prisma's `--config`.
    pub config: Option<PathBuf>,
    /// A prisma-guard.toml that may only add protection.
    pub guard_config: Option<PathBuf>,
    pub backup_dir: Option<PathBuf>,
    /// `-C DIR`.
    pub directory: Option<PathBuf>,
    pub quiet: bool,
    /// An age identity file that opens encrypted backups.
    pub identity: Option<PathBuf>,
}

impl GlobalOptions {
    /// The same options, run as if started in `dir`.
    pub fn in_dir(&self, dir: &Path) -> GlobalOptions {
        GlobalOptions { directory: Some(dir.to_path_buf()), ..self.clone() }
    }
}

pub struct Settings {
    pub cwd: PathBuf,
    pub config: Config,
    pub project: Project,
    pub project_opts: project::Options,
    pub project_root: PathBuf,
    pub backup_dir: PathBuf,
    /// Where the audit log goes: the project's own backup folder (prisma-guard.toml or the
    /// default), whatever `--backup-dir`/`PRISMA_GUARD_BACKUP_DIR` say, so that a variable an
    /// agent sets cannot move its entries out of the project's log.
    pub audit_dir: PathBuf,
    pub compression: Compression,
    pub level: i32,
    pub retention: Policy,
    pub tools: ToolSettings,
    pub printer: Printer,
    /// `--identity FILE`: what opens encrypted backups (see [`Settings::opening`]).
    pub identity: Option<PathBuf>,
}

/// The directory prisma-guard acts in: `-C DIR`, else the current directory.
pub fn working_dir(global: &GlobalOptions) -> Result<PathBuf> {
    let here = std::env::current_dir().context("cannot read the current directory")?;
    Ok(match &global.directory {
        Some(d) if d.is_absolute() => d.clone(),
        Some(d) => here.join(d),
        None => here,
    })
}

impl Settings {
    pub fn load(global: &GlobalOptions) -> Result<Settings> {
        let cwd = working_dir(global)?;
        let start = project::config_search_start(&cwd, global.config.as_deref());
        let config = config::load(&start, &cwd, global.guard_config.as_deref())?;
        Settings::with_config(global, cwd, config)
    }

    /// Settings from an already loaded prisma-guard.toml.
    pub fn with_config(global: &GlobalOptions, cwd: PathBuf, config: Config) -> Result<Settings> {
        Settings::build(global, cwd, config, None, Vec::new())
    }

    /// Settings for the guard in front of a prisma command run in `cwd` by `prisma_cli`.
    /// `prisma_args`: the arguments prisma gets (its config is loaded as it will see them).
    pub fn for_prisma(
        global: &GlobalOptions,
        cwd: PathBuf,
        config: Config,
        prisma_cli: Option<&Path>,
        prisma_args: &[String],
    ) -> Result<Settings> {
        let argv = match prisma_cli {
            Some(cli) => std::iter::once(cli.display().to_string()).chain(prisma_args.iter().cloned()).collect(),
            None => Vec::new(),
        };
        Settings::build(global, cwd, config, Some(prisma_cli), argv)
    }

    fn build(
        global: &GlobalOptions,
        cwd: PathBuf,
        config: Config,
        prisma: Option<Option<&Path>>,
        prisma_argv: Vec<String>,
    ) -> Result<Settings> {
        let printer = Printer { quiet: global.quiet };
        config.warn_ignored(&printer);
        let project_opts = project::Options {
            cwd: cwd.clone(),
            schema: global.schema.clone(),
            config: global.config.clone(),
            url: global.url.clone(),
            url_env: config.file.database.url_env.clone(),
            loader: None,
            prisma_in_cwd: prisma.is_some(),
            prisma_argv,
            node: None,
            node_doubt: None,
        };
        let project = Project::discover(&project_opts)?;
        let project_root = project.root.clone();
        // Prisma's own config loader, from the project's node_modules (or `[guard] real_prisma`).
        let real_prisma = match prisma {
            Some(cli) => cli.map(Path::to_path_buf),
            None => config.file.guard.real_prisma.as_ref().map(|p| config.resolve_path(p, &cwd)),
        };
        let mut project_opts = project_opts;
        let from = if prisma.is_some() { &cwd } else { &project_root };
        // The `node` Prisma will run with: checked when prisma-guard hands over to Prisma.
        let path_var = super::env::path();
        match project::node::prisma_node(from, real_prisma.as_deref(), path_var.as_deref()) {
            Ok(node) => project_opts.node = node,
            Err(why) if prisma.is_some() => project_opts.node_doubt = Some(why),
            Err(_) => {}
        }
        project_opts.loader = project::loader::Loader::locate(from, real_prisma.as_deref(), path_var);
        let audit_dir = match &config.file.backup.dir {
            Some(d) => config.resolve_path(d, &project_root),
            None => project_root.join("backups"),
        };
        let backup_dir = match &global.backup_dir {
            Some(d) if d.is_absolute() => d.clone(),
            Some(d) => cwd.join(d),
            None => audit_dir.clone(),
        };
        let compression = config.file.backup.compression.unwrap_or_default();
        let level = config.file.backup.level.unwrap_or_else(|| compression.default_level());
        let retention = policy(&config.file.retention, "[retention]")?;
        let tools = ToolSettings {
            pg_bin_dir: config.file.tools.pg_bin_dir.as_ref().map(|p| config.resolve_path(p, &project_root)),
            mysql_bin_dir: config.file.tools.mysql_bin_dir.as_ref().map(|p| config.resolve_path(p, &project_root)),
        };
        Ok(Settings {
            cwd,
            config,
            project,
            project_opts,
            project_root,
            backup_dir,
            audit_dir,
            compression,
            level,
            retention,
            tools,
            printer,
            identity: global.identity.clone(),
        })
    }

    /// How new backups are sealed (`[encryption]`), checked before anything is written.
    pub fn sealing(&self) -> Result<Option<crate::backup::store::crypt::Sealing>> {
        let base = self.config.path.as_deref().and_then(Path::parent).unwrap_or(&self.project_root);
        let Some(section) = &self.config.file.encryption else {
            return match &self.config.encryption_refused {
                // Asked for, not to be applied: never a backup in the clear instead.
                Some(why) => Err(crate::error::Failure::usage(format!("{why}: nothing was written"))
                    .hint(format!(
                        "commit it (`git add {0} && git commit`), or make it yours alone (`chmod go-w {0}`)",
                        config::FILE_NAME
                    ))
                    .into()),
                None => Ok(None),
            };
        };
        // The recipients file counts as the project's own prisma-guard.toml does: as committed
        // (outside git: when only this user may write it).
        let mut section = section.clone();
        if let Some(file) = section.recipients_file.take() {
            let path = if file.is_absolute() { file } else { base.join(file) };
            let (bytes, note) = config::trusted_content(&path, &self.cwd).map_err(|why| {
                crate::error::Failure::usage(format!(
                    "[encryption] recipients_file {} {why}: nothing was written",
                    path.display()
                ))
                .hint("commit it (or list the keys in `recipients`)")
            })?;
            if let Some(note) = note {
                self.printer.warn(note);
            }
            section.recipients.extend(
                String::from_utf8_lossy(&bytes)
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_string),
            );
        }
        crate::backup::store::crypt::Sealing::from_config(&section, base, &super::env::var)
    }

    /// What opens encrypted backups, if anything was given.
    /// `--identity`, `PRISMA_GUARD_AGE_IDENTITY`, `PRISMA_GUARD_AGE_PASSPHRASE(_FILE)`, else the
    /// variable the project's `[encryption] passphrase_env` names (the one backups are sealed with).
    pub fn opening(&self) -> Result<Option<crate::backup::store::crypt::Opening>> {
        use crate::backup::store::crypt::Opening;
        let env = super::env::var;
        if let Some(o) = Opening::from_env(self.identity.as_deref(), &env)? {
            return Ok(Some(o));
        }
        let var = self.config.file.encryption.as_ref().and_then(|e| e.passphrase_env.as_deref());
        Ok(var.and_then(|v| env(v).filter(|p| !p.is_empty()).map(|p| Opening::passphrase(p.into(), v))))
    }

    /// The age identity file a restore here would use (`--identity`, else
    /// `PRISMA_GUARD_AGE_IDENTITY`), made absolute: what a scheduled job must be given.
    pub fn identity_file(&self) -> Option<std::path::PathBuf> {
        let named = self.identity.clone().or_else(|| {
            super::env::var(crate::backup::store::crypt::IDENTITY_VAR)
                .filter(|v| !v.is_empty())
                .map(std::path::PathBuf::from)
        })?;
        Some(if named.is_absolute() { named } else { self.cwd.join(named) })
    }

    /// The project's database target.
    pub fn target(&self) -> Result<Target> {
        self.project.target(&self.project_opts)
    }

    /// The project's database, where its URL came from and how sure that is.
    pub fn resolve(&self) -> Result<project::Resolved> {
        self.project.resolve(&self.project_opts)
    }

    /// Open the project's database.
    pub fn database(&self) -> Result<Box<dyn Database>> {
        db::open(self.target()?, &self.tools)
    }

    /// Use another compression format than the configured one.
    pub fn with_compression(&mut self, c: Compression) {
        if c != self.compression {
            self.compression = c;
            self.level = c.default_level();
        }
    }
}

/// A retention policy from a `[retention]` table (or a remote's own).
pub fn policy(r: &config::RetentionSection, table: &str) -> Result<Policy> {
    let keep_within = match &r.keep_within {
        None => None,
        Some(text) => Some(
            humantime::parse_duration(text)
                .map_err(|e| {
                    crate::error::Failure::usage(format!("{table} keep_within = \"{text}\" is not a duration: {e}"))
                        .hint("write it like \"7d\", \"36h\" or \"2weeks\"")
                })?
                .as_secs(),
        ),
    };
    Ok(Policy {
        max_age_days: r.max_age_days.unwrap_or(30),
        keep: r.keep.unwrap_or(100),
        gfs: crate::backup::store::retention::Gfs {
            keep_last: r.keep_last,
            keep_within,
            keep_daily: r.keep_daily,
            keep_weekly: r.keep_weekly,
            keep_monthly: r.keep_monthly,
            keep_yearly: r.keep_yearly,
        },
        protect_days: r.protect_destructive_days.unwrap_or(30),
    })
}
