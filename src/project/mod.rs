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

pub mod dotenv;
pub mod loader;
pub mod prisma_files;
pub mod watch;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::backup::db::url::{DbUrl, Engine, UrlError};
use crate::backup::db::Target;
use crate::config::find_upward;
use crate::error::{fail, Failure};
use prisma_files::{Datasource, UrlExpr};

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
                    return Err(Failure::usage(format!("the schema {} does not exist", p.display())).into());
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

    /// The database, where its URL came from, and how sure that is.
    pub fn resolve(&self, opts: &Options) -> Result<Resolved> {
        if let Some(url) = &opts.url {
            return self.resolved(url, &opts.cwd, "--url", Resolution::Given, self.datasource.as_ref());
        }
        // Code preloaded into every node process (prisma's and the loader's alike) can set
        // any variable in one and not the other: the database is not certain.
        if let Some(why) = node_options_preload() {
            return Err(fail(format!(
                "prisma-guard cannot be sure which database Prisma will use: NODE_OPTIONS {why}"
            ))
            .hint("unset NODE_OPTIONS for prisma commands, or pass the database as Prisma's own --url")
            .into());
        }
        if let Some(loader) = &opts.loader {
            let run_dir = if opts.prisma_in_cwd { opts.cwd.clone() } else { self.root.clone() };
            let config = opts.config.as_deref().map(|c| absolute(&opts.cwd, c));
            match loader.load(&run_dir, config.as_deref(), &opts.prisma_argv, &[]) {
                loader::Outcome::Loaded(loaded) => {
                    // Prisma's own --schema wins over the config's `schema` (the datasource's
                    // `schemas` list, for one, comes from the file Prisma reads).
                    let given = opts.schema.as_ref().map(|s| absolute(&opts.cwd, s));
                    let datasource = match given.as_ref().or(loaded.schema.as_ref()) {
                        Some(s) if s.exists() => find_datasource(s)?,
                        _ => self.datasource.clone(),
                    };
                    // A config whose value depends on how it is run can name one database to
                    // the loader and another to Prisma.
                    let run_dependent = prisma_files::run_dependent_tree(&loaded.config_file).map(|why| {
                        Resolution::Uncertain(format!(
                            "{} {why}, so what it says can differ between prisma-guard's evaluation and Prisma's",
                            loaded.config_file.display()
                        ))
                    });
                    if let Some(url) = &loaded.url {
                        let base = config_base(&loaded.config_file, opts.config.is_some());
                        let source = format!("datasource.url in {} (as Prisma loads it)", loaded.config_file.display());
                        let read = if self.env_unknown.is_none() { self.raw_url(opts).ok() } else { None };
                        let resolution = match (run_dependent.clone(), read) {
                            (Some(uncertain), _) => uncertain,
                            (None, Some((raw, static_base, _))) if raw == *url && static_base == base => {
                                Resolution::PrismaLoader
                            }
                            // Two answers: the config says one thing when Prisma's loader runs it
                            // and another when read; which one Prisma's own run will see is
                            // anyone's guess.
                            (None, Some((raw, _, _))) => Resolution::Uncertain(format!(
                                "Prisma's config loader names {} but the files name {}",
                                crate::backup::db::url::describe_raw(url),
                                crate::backup::db::url::describe_raw(&raw)
                            )),
                            (None, None) => Resolution::LoaderOnly,
                        };
                        let mut watched = self.watched_base(opts, datasource.as_ref());
                        watched.add(&loaded.config_file);
                        watched.add_read(&loaded.read);
                        // The values handed to Prisma must not change what its config says:
                        // evaluated again with them set, as Prisma's run will have them.
                        let resolution = if matches!(resolution, Resolution::Uncertain(_)) || loaded.env.is_empty() {
                            resolution
                        } else {
                            match loader.load(&run_dir, config.as_deref(), &opts.prisma_argv, &loaded.env) {
                                loader::Outcome::Loaded(again)
                                    if again.url.as_deref() == Some(url.as_str())
                                        && again.config_file == loaded.config_file =>
                                {
                                    watched.add_read(&again.read);
                                    resolution
                                }
                                loader::Outcome::Loaded(again) => Resolution::Uncertain(format!(
                                    "{} evaluates to {} by itself, but to {} with the variables its dotenv calls loaded already set, as Prisma gets them (it reads the URL before a later dotenv call with `override`, or reads the environment before its dotenv call)",
                                    loaded.config_file.display(),
                                    crate::backup::db::url::describe_raw(url),
                                    again.url.as_deref().map_or_else(|| "no URL".to_string(), crate::backup::db::url::describe_raw)
                                )),
                                loader::Outcome::Failed(why) | loader::Outcome::Unavailable(why) => Resolution::Uncertain(format!(
                                    "{} evaluates differently with the variables its dotenv calls loaded already set, as Prisma gets them: {why}",
                                    loaded.config_file.display()
                                )),
                                loader::Outcome::NoConfig => Resolution::Uncertain(format!(
                                    "{} is not found again with the variables its dotenv calls loaded set",
                                    loaded.config_file.display()
                                )),
                            }
                        };
                        let mut r = self.resolved(url, &base, &source, resolution, datasource.as_ref())?;
                        r.pins = loaded.env.clone();
                        r.watched = watched;
                        return Ok(r);
                    }
                    // A config without a datasource URL: the schema's, as Prisma 6 reads it.
                    if let Some((file, ds)) = &datasource {
                        if let Some(expr) = &ds.url {
                            let (raw, base, source) = self.eval(expr, file, opts)?;
                            let resolution = run_dependent.unwrap_or(Resolution::PrismaLoader);
                            let mut r = self.resolved(&raw, &base, &source, resolution, datasource.as_ref())?;
                            r.pins = loaded.env.clone();
                            r.watched = self.watched_base(opts, datasource.as_ref());
                            r.watched.add(&loaded.config_file);
                            r.watched.add_read(&loaded.read);
                            return Ok(r);
                        }
                    }
                    return Err(fail(format!(
                        "cannot find the database: {} has no datasource.url",
                        loaded.config_file.display()
                    ))
                    .hint("add `datasource: { url: env(\"DATABASE_URL\") }` to the Prisma config, or pass --url")
                    .into());
                }
                loader::Outcome::Failed(why) => {
                    return Err(fail(format!("Prisma's own config loader could not load the Prisma config: {why}"))
                        .hint("prisma would fail the same way: fix the config (is the variable it reads set?), or pass the database with --url")
                        .into());
                }
                loader::Outcome::NoConfig | loader::Outcome::Unavailable(_) => {}
            }
        }
        let (raw, base, source) = match self.raw_url(opts) {
            Ok(found) => found,
            Err(e) => match (&self.env_unknown, &opts.url_env) {
                (Some(why), None) => {
                    return Err(e.context(fail(format!(
                        "prisma-guard cannot be sure which database Prisma will use: {} {why}, and Node.js or the project's @prisma/config is not there to evaluate it",
                        self.config_file.as_deref().map_or_else(|| "the Prisma config".into(), |p| p.display().to_string())
                    ))))
                }
                _ => return Err(e),
            },
        };
        let resolution = match (&self.env_unknown, &opts.url_env) {
            (Some(why), None) => Resolution::Uncertain(format!(
                "{} {why}, and Node.js or the project's @prisma/config is not there to evaluate it",
                self.config_file.as_deref().map_or_else(|| "the Prisma config".into(), |p| p.display().to_string())
            )),
            _ => Resolution::Static,
        };
        let mut r = self.resolved(&raw, &base, &source, resolution, self.datasource.as_ref())?;
        r.watched = self.watched_base(opts, self.datasource.as_ref());
        // What the reader took from .env files, as prisma's dotenv would load it.
        r.pins = self
            .env
            .iter()
            .filter(|(k, v)| std::env::var(k).ok().as_ref() != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(r)
    }

    fn resolved(
        &self,
        raw: &str,
        base: &Path,
        source: &str,
        resolution: Resolution,
        datasource: Option<&(PathBuf, Datasource)>,
    ) -> Result<Resolved> {
        let url = DbUrl::parse(raw).map_err(|e| url_error(e, source))?;
        let provider = datasource.and_then(|(_, d)| d.provider.as_deref());
        if let Some(provider) = provider {
            let engine = Engine::from_provider(provider)
                .map_err(|e| url_error(e, &format!("the schema's provider \"{provider}\"")))?;
            if engine != url.engine {
                return Err(fail(format!(
                    "the schema's provider is \"{provider}\" but {source} is a {} URL",
                    url.engine
                ))
                .hint("make the datasource provider and the URL agree, or pass the right one with --url")
                .into());
            }
        }
        let sqlite_path = (url.engine == Engine::Sqlite).then(|| {
            let p = url.sqlite_path();
            let joined = if p.is_absolute() { p } else { base.join(p) };
            joined.components().filter(|c| !matches!(c, std::path::Component::CurDir)).collect()
        });
        let schemas = datasource.map(|(_, d)| d.schemas.clone()).unwrap_or_default();
        Ok(Resolved {
            target: Target { url, sqlite_path, schemas },
            resolution,
            pins: Vec::new(),
            watched: watch::Watched::default(),
        })
    }

    /// The files every resolution depends on: the config, the config names Prisma would find
    /// before it (from the working folder up to the project root, none there now), and the
    /// schema file holding the datasource.
    fn watched_base(&self, opts: &Options, datasource: Option<&(PathBuf, Datasource)>) -> watch::Watched {
        let mut w = self.seen.clone();
        if opts.config.is_none() {
            let from = if opts.prisma_in_cwd { opts.cwd.as_path() } else { self.root.as_path() };
            for dir in from.ancestors() {
                w.extend(CONFIG_NAMES.iter().map(|n| dir.join(n)));
                if dir == self.root || !dir.starts_with(&self.root) {
                    break;
                }
            }
        }
        if let Some((file, _)) = datasource {
            w.add(file);
        }
        w
    }

    /// The URL text, the folder relative SQLite paths resolve against, and a description
    /// of where the URL came from (never the URL itself: it holds the password).
    fn raw_url(&self, opts: &Options) -> Result<(String, PathBuf, String)> {
        if let Some(name) = &opts.url_env {
            return self.env_url(name, opts.cwd.clone(), "`[database] url_env`");
        }
        if let (Some(cfg), Some(expr)) = (&self.config_file, &self.config_ts.datasource_url) {
            return self.eval(expr, cfg, opts);
        }
        if let Some((file, ds)) = &self.datasource {
            if let Some(expr) = &ds.url {
                return self.eval(expr, file, opts);
            }
        }
        if let Some(_v) = self.var("DATABASE_URL") {
            return self.env_url("DATABASE_URL", self.root.clone(), "DATABASE_URL (no datasource url was found)");
        }
        let looked = match (&self.config_file, &self.schema) {
            (Some(c), _) => format!("{} has no datasource.url", c.display()),
            (None, Some(s)) => format!("{} has no datasource url", s.display()),
            (None, None) => format!("no prisma.config.ts or schema.prisma was found from {}", opts.cwd.display()),
        };
        Err(fail(format!("cannot find the database: {looked}"))
            .hint("run prisma-guard inside the Prisma project, or pass --url, --schema or --config")
            .into())
    }

    /// Evaluate the URL expression written in `file` (prisma.config.ts or a schema file).
    fn eval(&self, expr: &UrlExpr, file: &Path, _opts: &Options) -> Result<(String, PathBuf, String)> {
        let is_config = self.config_file.as_deref() == Some(file);
        let base = if is_config {
            config_base(file, _opts.config.is_some())
        } else {
            file.parent().map_or_else(|| self.root.clone(), Path::to_path_buf)
        };
        let place = if is_config {
            format!("datasource.url in {}", file.display())
        } else {
            format!("the datasource url in {}", file.display())
        };
        let place = place.as_str();
        match expr {
            UrlExpr::Env(name) => self.env_url(name, base, &format!("{name} (from {place})")),
            UrlExpr::Literal(v) => Ok((v.clone(), base, place.to_string())),
            UrlExpr::Unknown(e) => Err(fail(format!("cannot evaluate `{e}` ({place}) without running it"))
                .hint("pass the URL with --url, or name its environment variable in prisma-guard.toml: [database] url_env = \"DATABASE_URL\"")
                .into()),
        }
    }

    fn env_url(&self, name: &str, base: PathBuf, source: &str) -> Result<(String, PathBuf, String)> {
        match self.var(name) {
            Some(v) => Ok((v, base, source.to_string())),
            None => Err(fail(format!("{name} is not set: looked in the environment and in {}", self.env_files_read()))
                .hint(format!("set {name} (for example in .env), or pass --url"))
                .into()),
        }
    }
}

impl Project {
    fn env_files_read(&self) -> String {
        if self.config_file.is_some() {
            "the .env files the Prisma config loads".to_string()
        } else {
            self.root.join(".env").display().to_string()
        }
    }
}

/// What NODE_OPTIONS preloads into every node process, if anything.
fn node_options_preload() -> Option<String> {
    let opts = std::env::var("NODE_OPTIONS").ok()?;
    // Node reads quoted words too (`"--require" x.js`): compare without quotes or escapes.
    let opts: String = opts.chars().filter(|c| !matches!(c, '"' | '\'' | '\\')).collect();
    let words: Vec<&str> = opts.split_whitespace().collect();
    let preloads =
        ["--require", "-r", "--import", "--loader", "--experimental-loader", "--env-file", "--env-file-if-exists"];
    let found: Vec<&str> = words
        .iter()
        .filter(|w| {
            preloads.iter().any(|p| **w == *p || w.starts_with(&format!("{p}=")) || (*p == "-r" && w.starts_with("-r")))
        })
        .copied()
        .collect();
    (!found.is_empty()).then(|| format!("preloads code or variables into node ({})", found.join(" ")))
}

/// The environment a Prisma 7 config gives Prisma: the real one, plus its dotenv loads as
/// dotenv runs them. Also why that may be wrong, when it may.
fn config_env(
    cwd: &Path,
    ts: &prisma_files::ConfigTs,
    seen: &mut watch::Watched,
) -> (HashMap<String, String>, Option<String>) {
    let mut env: HashMap<String, String> = std::env::vars().collect();
    let mut unknown = ts.unknown_env.clone();
    // dotenv 18 reads DOTENV_PATH, earlier ones DOTENV_CONFIG_PATH (both for `dotenv/config`).
    let env_path = env.get("DOTENV_PATH").or_else(|| env.get("DOTENV_CONFIG_PATH")).cloned();
    let env_override = env
        .get("DOTENV_OVERRIDE")
        .or_else(|| env.get("DOTENV_CONFIG_OVERRIDE"))
        .is_some_and(|v| !["false", "0", "no", "off", ""].contains(&v.to_ascii_lowercase().as_str()));
    let mut loads = ts.env_loads.clone();
    loads.sort_by_key(|l| !l.side_effect_import); // imports run before the module body
    for load in &loads {
        let paths: Vec<String> = if !load.paths.is_empty() {
            load.paths.clone()
        } else if let Some(p) = &env_path {
            if !load.side_effect_import {
                // dotenv 18 applies it to config() too, earlier versions do not.
                unknown.get_or_insert_with(|| {
                    "calls config() without a path while DOTENV_CONFIG_PATH is set (dotenv versions differ)".into()
                });
            }
            vec![p.clone()]
        } else {
            vec![".env".to_string()]
        };
        let overrides = load.override_.unwrap_or(env_override);
        let mut parsed_all: Vec<(String, String)> = Vec::new();
        for p in &paths {
            let path = if let Some(rest) = p.strip_prefix('~') {
                std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default().join(rest.trim_start_matches('/'))
            } else {
                cwd.join(p)
            };
            let read = std::fs::read_to_string(&path);
            seen.add_content(&path, read.as_ref().ok().map(String::as_bytes));
            let Ok(text) = read else { continue };
            for (k, v) in dotenv::parse(&text) {
                match parsed_all.iter_mut().find(|(key, _)| *key == k) {
                    Some(slot) if overrides => slot.1 = v,
                    Some(_) => {}
                    None => parsed_all.push((k, v)),
                }
            }
        }
        for (k, v) in parsed_all {
            if overrides || !env.contains_key(&k) {
                env.insert(k, v);
            }
        }
    }
    (env, unknown)
}

/// Prisma 6 without a config loads `.env` at the project root, then beside the schema,
/// with dotenv-expand; the real environment wins.
fn prisma6_env(root: &Path, datasource_file: Option<&Path>, seen: &mut watch::Watched) -> HashMap<String, String> {
    let mut env: HashMap<String, String> = std::env::vars().collect();
    let mut files = vec![root.join(".env")];
    if let Some(dir) = datasource_file.and_then(Path::parent) {
        files.push(dir.join(".env"));
    }
    for f in &files {
        let read = std::fs::read_to_string(f);
        seen.add_content(f, read.as_ref().ok().map(String::as_bytes));
        if let Ok(text) = read {
            for (k, v) in dotenv::parse_expanded(&text, &|k| std::env::var(k).ok()) {
                env.entry(k).or_insert(v);
            }
        }
    }
    env
}

fn url_error(e: UrlError, source: &str) -> anyhow::Error {
    let hint = match &e {
        UrlError::Unsupported(_) => "prisma-guard backs up PostgreSQL, MySQL/MariaDB and SQLite; take backups of this database with its own tools",
        UrlError::Empty => "set the variable to the database URL",
        UrlError::Malformed(_) => "a URL looks like postgresql://user:password@host:5432/database (special characters in the password percent-encoded)",
    };
    fail(format!("{e} (in {source})")).hint(hint).into()
}

/// `p` against `cwd`, lexically normal (`sub/../x` is `x`: walks upward from it stay right).
fn absolute(cwd: &Path, p: &Path) -> PathBuf {
    crate::config::lexical_normalize(&if p.is_absolute() { p.to_path_buf() } else { cwd.join(p) })
}

/// The project root for a command run in `cwd`: the folder of the Prisma config (given or
/// found upward), else the nearest folder with `prisma/`, `schema.prisma` or `package.json`.
fn root_of(cwd: &Path, config_file: Option<&Path>) -> PathBuf {
    match config_file {
        Some(cfg) => config_root(cfg),
        None => find_upward(cwd, |dir| {
            let marker = dir.join("prisma").is_dir()
                || dir.join("schema.prisma").is_file()
                || dir.join("package.json").is_file();
            marker.then(|| dir.to_path_buf())
        })
        .unwrap_or_else(|| cwd.to_path_buf()),
    }
}

/// Where the project's own prisma-guard.toml is looked for (from there upward): the project
/// root, so that a file dropped in a subfolder is not taken for the project's.
pub fn config_search_start(cwd: &Path, prisma_config: Option<&Path>) -> PathBuf {
    // Lexically normal: the walk upward must not climb from `sub/..` into `sub`.
    let given = prisma_config.map(|p| absolute(cwd, p)).filter(|p| p.is_file());
    let found =
        given.or_else(|| find_upward(cwd, |dir| CONFIG_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file())));
    root_of(cwd, found.as_deref())
}

/// The folder Prisma's engine runs in, which relative SQLite paths of the config resolve
/// against: the config's folder when it was given with --config, else the folder it was found
/// from (`.config/prisma.ts` is found from the project root).
fn config_base(cfg: &Path, given: bool) -> PathBuf {
    if given {
        cfg.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    } else {
        config_root(cfg)
    }
}

/// The folder a config is found from: `.config/prisma.ts` and `prisma.config/index.ts` from
/// the folder above theirs.
fn config_root(cfg: &Path) -> PathBuf {
    let dir = cfg.parent().unwrap_or(Path::new("."));
    let depth = CONFIG_NAMES
        .iter()
        .filter(|n| cfg.ends_with(n))
        .map(|n| n.matches('/').count())
        .max()
        .unwrap_or(usize::from(dir.ends_with(".config")));
    dir.ancestors().nth(depth).unwrap_or(dir).to_path_buf()
}

fn default_schema(root: &Path, config: Option<&Path>, ts: &prisma_files::ConfigTs) -> Option<PathBuf> {
    if let (Some(cfg), Some(s)) = (config, &ts.schema) {
        let base = cfg.parent().unwrap_or(root);
        return Some(base.join(s));
    }
    if let Ok(pkg) = std::fs::read_to_string(root.join("package.json")) {
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(&pkg) {
            if let Some(s) = json.pointer("/prisma/schema").and_then(|v| v.as_str()) {
                return Some(root.join(s));
            }
        }
    }
    ["prisma/schema.prisma", "schema.prisma", "prisma/schema"].iter().map(|p| root.join(p)).find(|p| p.exists())
}

/// The file holding the datasource block: the schema itself, or one file of a folder.
fn find_datasource(schema: &Path) -> Result<Option<(PathBuf, Datasource)>> {
    let files = if schema.is_dir() {
        let mut files = Vec::new();
        collect_prisma_files(schema, &mut files);
        files.sort();
        files
    } else {
        vec![schema.to_path_buf()]
    };
    for f in files {
        let text = std::fs::read_to_string(&f).with_context(|| format!("could not read {}", f.display()))?;
        if let Some(ds) = prisma_files::parse_datasource(&text) {
            return Ok(Some((f, ds)));
        }
    }
    Ok(None)
}

fn collect_prisma_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "migrations") {
                collect_prisma_files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "prisma") {
            out.push(p);
        }
    }
}
