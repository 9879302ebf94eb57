//! Finding the Prisma project and its database the way Prisma does.
//!
//! Order: Prisma's own `--url` > prisma.config.ts `datasource.url` (Prisma 7) >
//! schema.prisma datasource `url` (Prisma 6 and earlier). prisma.config.ts is evaluated by
//! the project's own `@prisma/config` when a [`loader::Loader`] is given (exactly what the
//! CLI will see); otherwise it is read without running it, with its dotenv calls followed
//! as dotenv runs them (files relative to the working directory, first file wins, the real
//! environment wins unless `override`). Prisma 6 without a config loads `.env` itself.
//! Anything the reader cannot follow makes the result [`Resolution::Uncertain`]: the guard
//! then refuses rather than protect a database Prisma may not use.
//! Relative SQLite paths resolve against prisma.config.ts's folder when the URL comes
//! from there, and against the schema file's folder when it comes from the schema.

mod discovery;
pub mod dotenv;
mod js_text;
pub mod loader;
pub mod node;
mod prisma_env;
pub mod prisma_files;
mod resolve;
mod run_dependent;
pub mod watch;

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::backup::db::Target;
use crate::config::find_upward;
use crate::error::Failure;
pub use discovery::config_search_start;
use discovery::{absolute, default_schema, find_datasource, root_of};
use prisma_env::{config_env, prisma6_env};
use prisma_files::Datasource;

/// Prisma's config file names, in the order @prisma/config 7 looks for them in a folder
/// (`PRISMA7_CONFIG_FILE_CANDIDATES`, then `LEGACY_CONFIG_FILE_CANDIDATES`): the first that
/// is a file is the project's config.
pub const CONFIG_NAMES: &[&str] = &[
    "prisma7.config.js",
    "prisma7.config.ts",
    "prisma7.config.mjs",
    "prisma7.config.cjs",
    "prisma7.config.mts",
    "prisma7.config.cts",
    ".config/prisma7.js",
    ".config/prisma7.ts",
    ".config/prisma7.mjs",
    ".config/prisma7.cjs",
    ".config/prisma7.mts",
    ".config/prisma7.cts",
    "prisma.config.js",
    "prisma.config.ts",
    "prisma.config.mjs",
    "prisma.config.cjs",
    "prisma.config.mts",
    "prisma.config.cts",
    "prisma.config/index.js",
    "prisma.config/index.ts",
    "prisma.config/index.mjs",
    "prisma.config/index.cjs",
    "prisma.config/index.mts",
    "prisma.config/index.cts",
    ".config/prisma.js",
    ".config/prisma.ts",
    ".config/prisma.mjs",
    ".config/prisma.cjs",
    ".config/prisma.mts",
    ".config/prisma.cts",
    ".config/prisma/index.js",
    ".config/prisma/index.ts",
    ".config/prisma/index.mjs",
    ".config/prisma/index.cjs",
    ".config/prisma/index.mts",
    ".config/prisma/index.cts",
    ".config/prisma.config.js",
    ".config/prisma.config.ts",
    ".config/prisma.config.mjs",
    ".config/prisma.config.cjs",
    ".config/prisma.config.mts",
    ".config/prisma.config.cts",
    ".config/prisma.config/index.js",
    ".config/prisma.config/index.ts",
    ".config/prisma.config/index.mjs",
    ".config/prisma.config/index.cjs",
    ".config/prisma.config/index.mts",
    ".config/prisma.config/index.cts",
];

/// What the user told us on the command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub cwd: PathBuf,
    pub schema: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub url: Option<String>,
    /// `[database] url_env` from prisma-guard.toml.
    pub url_env: Option<String>,
    /// Prisma's own config loader, when the project has one installed.
    pub loader: Option<loader::Loader>,
    /// Prisma runs in `cwd` (the guard in front of a prisma command). Otherwise (`backup`,
    /// `restore` ...) the database is the one prisma would use run from the project root,
    /// as npm scripts run it.
    pub prisma_in_cwd: bool,
    /// The command line prisma will get (its entry file, then its arguments): the config is
    /// loaded with the same `process.argv`, so a config that reads it agrees with Prisma.
    pub prisma_argv: Vec<String>,
    /// The real Node binary Prisma will run with (see [`node::prisma_node`]).
    pub node: Option<PathBuf>,
    /// Why the `node` Prisma will run with is not certain to be Node itself.
    pub node_doubt: Option<String>,
}

/// How every "not sure which database" refusal starts (the audit tells them apart).
pub const UNCERTAIN: &str = "prisma-guard cannot be sure which database Prisma will use";

/// Whether an error is a "not sure which database" refusal.
pub fn is_uncertain(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.to_string().starts_with(UNCERTAIN))
}

/// How sure prisma-guard is that the URL is the one Prisma will use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Named on the command line (`--url`).
    Given,
    /// Evaluated by Prisma's own config loader, as the CLI will, and the reader, which runs
    /// nothing, finds the same URL.
    PrismaLoader,
    /// Evaluated by Prisma's own config loader, but the reader cannot follow the config (an
    /// import of the project's own module, say): the guard backs up what the loader names,
    /// and a database it does not find is not taken as "nothing to lose".
    LoaderOnly,
    /// Read without running anything, from a layout prisma-guard follows exactly.
    Static,
    /// Read without running anything, but the project does something the reader cannot
    /// follow (the reason).
    Uncertain(String),
}

/// The database a command will touch, where its URL came from, and how sure that is.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub target: Target,
    pub resolution: Resolution,
    /// Variables handed to prisma as they were when the database was resolved (what the
    /// config's dotenv calls loaded): prisma's own dotenv does not override them, so a .env
    /// changed between the check and the run cannot point prisma at another database.
    pub pins: Vec<(String, String)>,
    /// The files that decided it, as they were: checked again just before Prisma starts.
    pub watched: watch::Watched,
}

/// A discovered Prisma project.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub config_file: Option<PathBuf>,
    /// The schema file or folder.
    pub schema: Option<PathBuf>,
    /// The file holding the `datasource` block, and what it says.
    pub datasource: Option<(PathBuf, Datasource)>,
    config_ts: prisma_files::ConfigTs,
    /// The variables Prisma will see: the real environment plus what the `.env` files add.
    env: HashMap<String, String>,
    /// Why the variables above may not be the ones Prisma will see.
    env_unknown: Option<String>,
    /// The files read to find all this (the config, the .env files, the schema), as they
    /// were read.
    seen: watch::Watched,
}

impl Project {
    /// The migrations folder Prisma uses: the config's `migrations.path` (relative to the
    /// config file's folder), else `migrations` beside the schema.
    /// The environment variable the datasource URL is read from (`env("DATABASE_URL")` in
    /// prisma.config.ts, else in schema.prisma), when it is one.
    pub fn datasource_env(&self) -> Option<String> {
        let expr = match (&self.config_file, &self.config_ts.datasource_url) {
            (Some(_), Some(e)) => Some(e),
            _ => self.datasource.as_ref().and_then(|(_, ds)| ds.url.as_ref()),
        };
        match expr? {
            prisma_files::UrlExpr::Env(name) => Some(name.clone()),
            _ => None,
        }
    }

    pub fn migrations_dir(&self) -> Option<PathBuf> {
        if let (Some(cfg), Some(p)) = (&self.config_file, &self.config_ts.migrations_path) {
            return Some(cfg.parent().unwrap_or(&self.root).join(p));
        }
        let schema = self.schema.as_ref()?;
        let dir = if schema.is_dir() { schema.clone() } else { schema.parent()?.to_path_buf() };
        Some(dir.join("migrations"))
    }

    pub fn discover(opts: &Options) -> Result<Project> {
        let cwd = &opts.cwd;
        let config_file = match &opts.config {
            Some(p) => {
                let p = absolute(cwd, p);
                if !p.is_file() {
                    return Err(Failure::usage(format!("the Prisma config file {} does not exist", p.display())).into());
                }
                Some(p)
            }
            None => find_upward(cwd, |dir| CONFIG_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file())),
        };
        let root = root_of(cwd, config_file.as_deref());
        let mut seen = watch::Watched::default();
        let config_ts = match &config_file {
            Some(p) => {
                let text = std::fs::read_to_string(p).with_context(|| format!("could not read {}", p.display()))?;
                seen.add_content(p, Some(text.as_bytes()));
                prisma_files::parse_config_ts(&text)
            }
            None => prisma_files::ConfigTs::default(),
        };
        let schema = match &opts.schema {
            Some(p) => {
                let p = absolute(cwd, p);
                if !p.exists() {
                    return Err(Failure::usage(format!("the schema {} does not exist", p.display()))
                        .hint("--schema takes the schema file or folder as Prisma's --schema does, relative to the folder prisma-guard runs in; leave it out to use the one prisma.config.ts or package.json names")
                        .into());
                }
                Some(p)
            }
            None => default_schema(&root, config_file.as_deref(), &config_ts),
        };
        let datasource = match &schema {
            Some(s) => find_datasource(s)?,
            None => None,
        };
        let run_dir = if opts.prisma_in_cwd { opts.cwd.clone() } else { root.clone() };
        if let Some((file, _)) = &datasource {
            seen.add(file);
        }
        let (env, env_unknown) = match &config_file {
            Some(_) => config_env(&run_dir, &config_ts, &mut seen),
            None => (prisma6_env(&root, datasource.as_ref().map(|(f, _)| f.as_path()), &mut seen), None),
        };
        Ok(Project { root, config_file, schema, datasource, config_ts, env, env_unknown, seen })
    }

    /// A variable as Prisma will see it (empty counts as unset, as `env()` does).
    pub fn var(&self, name: &str) -> Option<String> {
        self.env.get(name).filter(|v| !v.is_empty()).cloned()
    }

    /// Resolve the database this project's Prisma commands would touch.
    pub fn target(&self, opts: &Options) -> Result<Target> {
        Ok(self.resolve(opts)?.target)
    }
}
