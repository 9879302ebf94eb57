//! Prisma's own config loader: the project's installed `@prisma/config` evaluates
//! `prisma.config.ts` exactly as the CLI will (its imports, its dotenv calls, the working
//! directory and the environment), so the database prisma-guard protects is the one Prisma
//! uses. A Node start (~0.1-0.4 s), paid only by commands that change or destroy data.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

use super::watch::Seen;

const SCRIPT: &str = include_str!("load-config.cjs");
const MARK: &str = "@@prisma-guard-config@@";

/// Where the loader runs: `node` and the folder of the `prisma` package the command will run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loader {
    pub node: PathBuf,
    pub package_dir: PathBuf,
}

/// What the loader found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Loaded(Loaded),
    /// Prisma finds no config file from this working directory.
    NoConfig,
    /// The config failed to load: Prisma would fail the same way.
    Failed(String),
    /// No `@prisma/config` (Prisma 5, a broken install) or no Node: read the files instead.
    Unavailable(String),
    /// The `node` that ran is not Node itself (a launcher): what Prisma's run will see is
    /// not certain.
    Doubt(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub config_file: PathBuf,
    pub schema: Option<PathBuf>,
    pub url: Option<String>,
    /// The variables loading the config set (its dotenv calls), as they were then.
    pub env: Vec<(String, String)>,
    /// The files loading the config read, outside `node_modules` (the config, the modules
    /// and JSON it imports, the .env files its dotenv calls read, package.json files that say
    /// how to read it), with what was read (`None`: not known, prisma-guard reads it): what
    /// must not change before Prisma reads them again.
    pub read: Vec<(PathBuf, Option<Seen>)>,
}

#[derive(Deserialize)]
struct ReadFile {
    path: PathBuf,
    #[serde(default)]
    seen: Option<String>,
}

impl ReadFile {
    fn seen(&self) -> Option<Seen> {
        match self.seen.as_deref()? {
            "missing" => Some(Seen::Missing),
            "unstable" => Some(Seen::Unstable),
            hex if hex.len() == 64 => {
                let mut d = [0u8; 32];
                for (i, byte) in d.iter_mut().enumerate() {
                    *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
                }
                Some(Seen::Digest(d))
            }
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct Reply {
    status: String,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default, rename = "configFile")]
    config_file: Option<PathBuf>,
    #[serde(default)]
    schema: Option<PathBuf>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    env: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    read: Vec<ReadFile>,
    #[serde(default, rename = "execPath")]
    exec_path: Option<PathBuf>,
}

impl Loader {
    /// The loader for a project whose prisma is `prisma_file` (the real CLI found for the
    /// command, or `None` to look for `node_modules/prisma` from `cwd` upward).
    pub fn locate(cwd: &Path, prisma_file: Option<&Path>, path_var: Option<std::ffi::OsString>) -> Option<Loader> {
        let package_dir = prisma_file.and_then(package_of).or_else(|| {
            cwd.ancestors().map(|d| d.join("node_modules/prisma")).find(|d| d.join("package.json").is_file())
        })?;
        let node = which::which_in("node", path_var, cwd).ok()?;
        Some(Loader { node, package_dir })
    }

    /// Load the config as `prisma <cmd> [--config FILE]` run in `cwd` would: with the
    /// `process.argv` prisma will have (`argv`: its entry file and arguments; empty: this
    /// package's) and the environment it will have (the hand-over depth included, and `env`:
    /// the variables prisma-guard hands prisma).
    pub fn load(&self, cwd: &Path, config: Option<&Path>, argv: &[String], env: &[(String, String)]) -> Outcome {
        // A `node` that is a script (a wrapper earlier on PATH) can hand the loader another
        // environment than Prisma's run: neither its answer nor the files can be trusted.
        if is_script(&self.node) {
            return Outcome::Doubt(format!("{} is a script, not Node.js itself", self.node.display()));
        }
        // Run from a file, not `node -e`: the config then sees the `process.execArgv` (none)
        // that the Prisma CLI's process has.
        let script = match tempfile::Builder::new().prefix("prisma-guard-load-config-").suffix(".cjs").tempfile() {
            Ok(mut f) => match std::io::Write::write_all(&mut f, SCRIPT.as_bytes()) {
                Ok(()) => f.into_temp_path(),
                Err(e) => return Outcome::Unavailable(format!("could not write the loader script: {e}")),
            },
            Err(e) => return Outcome::Unavailable(format!("could not write the loader script: {e}")),
        };
        let mut cmd = Command::new(&self.node);
        cmd.arg(&*script).arg(&self.package_dir);
        cmd.arg(config.map(|c| c.as_os_str().to_os_string()).unwrap_or_default());
        match argv.is_empty() {
            true => cmd.arg(self.package_dir.join("build/index.js")),
            false => cmd.args(argv),
        };
        cmd.envs(env.iter().map(|(k, v)| (k, v)));
        cmd.env(crate::guard::forward::DEPTH_VAR, crate::guard::forward::child_depth().to_string());
        cmd.current_dir(cwd).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let out = match cmd.output() {
            Ok(out) => out,
            Err(e) => return Outcome::Unavailable(format!("could not start {}: {e}", self.node.display())),
        };
        let stdout = String::from_utf8_lossy(&out.stdout);
        let Some(line) = stdout.lines().rev().find_map(|l| l.strip_prefix(MARK)) else {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("no output").trim();
            return Outcome::Failed(format!("the config loader stopped ({}): {first}", out.status));
        };
        let reply: Reply = match serde_json::from_str(line) {
            Ok(r) => r,
            Err(e) => return Outcome::Failed(format!("the config loader's answer could not be read: {e}")),
        };
        // A compiled launcher named `node` that starts the real Node with an environment of
        // its own: the Node that ran is not the file started.
        match &reply.exec_path {
            Some(exec) => {
                if let Err(why) = super::node::same_node(&self.node, exec) {
                    return Outcome::Doubt(why);
                }
            }
            None => return Outcome::Doubt(format!("{} did not say which Node ran", self.node.display())),
        }
        match reply.status.as_str() {
            "loaded" => match reply.config_file {
                Some(config_file) => Outcome::Loaded(Loaded {
                    config_file,
                    schema: reply.schema,
                    url: reply.url,
                    env: reply.env.into_iter().collect(),
                    read: reply
                        .read
                        .iter()
                        .filter(|r| r.path.is_absolute())
                        .map(|r| (r.path.clone(), r.seen()))
                        .collect(),
                }),
                None => Outcome::Failed("the config loader named no config file".into()),
            },
            "no-config" => Outcome::NoConfig,
            "unavailable" => Outcome::Unavailable(reply.reason.unwrap_or_default()),
            _ => Outcome::Failed(redact_urls(&reply.message.unwrap_or_else(|| "unknown error".into()))),
        }
    }
}

/// A file that starts with `#!` (through links): a wrapper, not a Node binary.
fn is_script(path: &Path) -> bool {
    let mut head = [0u8; 2];
    match std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)) {
        Ok(()) => &head == b"#!",
        Err(_) => true,
    }
}

/// `.../node_modules/prisma` for the CLI file or a link to it (`.bin/prisma`); pnpm's sh
/// wrappers are not links: then `None`, and the caller looks from the working directory.
fn package_of(file: &Path) -> Option<PathBuf> {
    let real = file.canonicalize().ok()?;
    real.ancestors()
        .skip(1)
        .find(|d| d.join("package.json").is_file() && d.file_name().is_some_and(|n| n == "prisma"))
        .map(Path::to_path_buf)
}

/// A URL's password in an error message (a config may quote a line holding one).
fn redact_urls(text: &str) -> String {
    crate::process::hide_url_passwords(text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_in_messages_are_hidden() {
        assert_eq!(super::redact_urls("bad `postgresql://u:s3cret@h/d` here"), "bad `postgresql://u:****@h/d` here");
    }
}
