//! Finding the Prisma project and its database the way Prisma does.
//!
//! Order: `--url` > prisma.config.ts `datasource.url` (Prisma 7) > schema.prisma
//! datasource `url` (Prisma 6 and earlier). Variables come from the real environment,
//! then `.env` (Prisma 7 projects load it via `dotenv/config`; Prisma 6 loads it itself).
//! Relative SQLite paths resolve against prisma.config.ts's folder when the URL comes
//! from there, and against the schema file's folder when it comes from the schema.

pub mod dotenv;
pub mod prisma_files;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::config::find_upward;
use crate::db::Target;
use crate::dburl::{DbUrl, Engine, UrlError};
use crate::error::{fail, Failure};
use prisma_files::{Datasource, UrlExpr};

const CONFIG_NAMES: &[&str] = &[
    "prisma.config.ts",
    "prisma.config.mts",
    "prisma.config.cts",
    "prisma.config.js",
    "prisma.config.mjs",
    "prisma.config.cjs",
    ".config/prisma.ts",
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
    env: HashMap<String, String>,
}

impl Project {
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
        let root = match &config_file {
            Some(cfg) => config_root(cfg),
            None => find_upward(cwd, |dir| {
                let marker = dir.join("prisma").is_dir()
                    || dir.join("schema.prisma").is_file()
                    || dir.join("package.json").is_file();
                marker.then(|| dir.to_path_buf())
            })
            .unwrap_or_else(|| cwd.clone()),
        };
        let config_ts = match &config_file {
            Some(p) => prisma_files::parse_config_ts(
                &std::fs::read_to_string(p).with_context(|| format!("could not read {}", p.display()))?,
            ),
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
        // .env at the project root, then (Prisma 6) beside the schema; real env wins.
        let mut env = HashMap::new();
        let mut env_files = vec![root.join(".env")];
        if let Some((file, _)) = &datasource {
            if let Some(dir) = file.parent() {
                env_files.push(dir.join(".env"));
            }
        }
        for f in env_files {
            if let Ok(text) = std::fs::read_to_string(&f) {
                for (k, v) in dotenv::parse(&text, &|k| std::env::var(k).ok()) {
                    env.entry(k).or_insert(v);
                }
            }
        }
        Ok(Project { root, config_file, schema, datasource, config_ts, env })
    }

    /// A variable from the real environment, else from `.env`.
    pub fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty()).or_else(|| self.env.get(name).cloned())
    }

    /// The Prisma provider named in the schema.
    pub fn provider(&self) -> Option<&str> {
        self.datasource.as_ref().and_then(|(_, d)| d.provider.as_deref())
    }

    /// Resolve the database this project's Prisma commands would touch.
    pub fn target(&self, opts: &Options) -> Result<Target> {
        let (raw, base, source) = self.raw_url(opts)?;
        let url = DbUrl::parse(&raw).map_err(|e| url_error(e, &source))?;
        if let Some(provider) = self.provider() {
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
        Ok(Target { url, sqlite_path })
    }

    /// The URL text, the folder relative SQLite paths resolve against, and a description
    /// of where the URL came from (never the URL itself: it holds the password).
    fn raw_url(&self, opts: &Options) -> Result<(String, PathBuf, String)> {
        if let Some(url) = &opts.url {
            return Ok((url.clone(), opts.cwd.clone(), "--url".into()));
        }
        if let Some(name) = &opts.url_env {
            return self.env_url(name, opts.cwd.clone(), "`[database] url_env`");
        }
        if let (Some(cfg), Some(expr)) = (&self.config_file, &self.config_ts.datasource_url) {
            let base = cfg.parent().map_or_else(|| self.root.clone(), Path::to_path_buf);
            let place = format!("datasource.url in {}", cfg.display());
            return self.eval(expr, base, &place);
        }
        if let Some((file, ds)) = &self.datasource {
            if let Some(expr) = &ds.url {
                let base = file.parent().map_or_else(|| self.root.clone(), Path::to_path_buf);
                let place = format!("the datasource url in {}", file.display());
                return self.eval(expr, base, &place);
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

    fn eval(&self, expr: &UrlExpr, base: PathBuf, place: &str) -> Result<(String, PathBuf, String)> {
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
            None => Err(fail(format!(
                "{name} is not set: looked in the environment and in {}",
                self.root.join(".env").display()
            ))
            .hint(format!("set {name} (for example in .env), or pass --url"))
            .into()),
        }
    }
}

fn url_error(e: UrlError, source: &str) -> anyhow::Error {
    let hint = match &e {
        UrlError::Unsupported(_) => "prisma-guard backs up PostgreSQL, MySQL/MariaDB and SQLite; take backups of this database with its own tools",
        UrlError::Empty => "set the variable to the database URL",
        UrlError::Malformed(_) => "a URL looks like postgresql://user:password@host:5432/database (special characters in the password percent-encoded)",
    };
    fail(format!("{e} (in {source})")).hint(hint).into()
}

fn absolute(cwd: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    }
}

fn config_root(cfg: &Path) -> PathBuf {
    let dir = cfg.parent().unwrap_or(Path::new("."));
    if dir.ends_with(".config") {
        dir.parent().unwrap_or(dir).to_path_buf()
    } else {
        dir.to_path_buf()
    }
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
