//! Which database Prisma will use: `--url`, the config as Prisma's own loader evaluates it
//! (checked against a static reading and a second evaluation with the variables pinned),
//! else the config or schema read statically; and how sure that is.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::discovery::{absolute, config_base, find_datasource};
use super::prisma_files::{self, Datasource, UrlExpr};
use super::{loader, watch, Options, Project, Resolution, Resolved, CONFIG_NAMES};
use crate::backup::db::url::{DbUrl, Engine, UrlError};
use crate::backup::db::Target;
use crate::error::fail;

impl Project {
    /// The database, where its URL came from, and how sure that is.
    pub fn resolve(&self, opts: &Options) -> Result<Resolved> {
        if let Some(url) = &opts.url {
            return self.resolved(url, &opts.cwd, "--url", Resolution::Given, self.datasource.as_ref());
        }
        // Code preloaded into every node process (prisma's and the loader's alike) can set
        // any variable in one and not the other: the database is not certain.
        if let Some(why) = node_options_preload() {
            return Err(fail(format!("{}: NODE_OPTIONS {why}", super::UNCERTAIN))
                .hint("unset NODE_OPTIONS for prisma commands, or pass the database as Prisma's own --url")
                .into());
        }
        // A `node` that is not Node itself can give Prisma's run another environment.
        if let Some(why) = &opts.node_doubt {
            return Err(node_doubt(why));
        }
        if opts.prisma_in_cwd && opts.loader.is_none() {
            if let Some(node) = &opts.node {
                super::node::probe(node).map_err(|why| node_doubt(&why))?;
            }
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
                                loader::Outcome::Doubt(why) => return Err(node_doubt(&why)),
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
                loader::Outcome::Doubt(why) => return Err(node_doubt(&why)),
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
            .filter(|(k, v)| crate::config::env::var(k).as_ref() != Some(*v))
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

    fn env_files_read(&self) -> String {
        if self.config_file.is_some() {
            "the .env files the Prisma config loads".to_string()
        } else {
            self.root.join(".env").display().to_string()
        }
    }
}

/// The refusal for a `node` that is not certainly Node itself.
fn node_doubt(why: &str) -> anyhow::Error {
    fail(format!("{}: the `node` it would run with is not certain: {why}", super::UNCERTAIN))
        .hint("remove the `node` wrapper (a file named node in node_modules/.bin, or earlier on PATH) so the Node.js binary itself is found first; version managers' shims count: put Node's own bin folder first on PATH, e.g. PATH=\"$(dirname \"$(node -p process.execPath)\")\":$PATH")
        .into()
}

/// What NODE_OPTIONS preloads into every node process, if anything.
fn node_options_preload() -> Option<String> {
    let opts = crate::config::env::node_options()?;
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

fn url_error(e: UrlError, source: &str) -> anyhow::Error {
    let hint = match &e {
        UrlError::Unsupported(_) => "prisma-guard backs up PostgreSQL, MySQL/MariaDB and SQLite; take backups of this database with its own tools",
        UrlError::Empty => "set the variable to the database URL",
        UrlError::Malformed(_) => "a URL looks like postgresql://user:password@host:5432/database (special characters in the password percent-encoded)",
    };
    fail(format!("{e} (in {source})")).hint(hint).into()
}
