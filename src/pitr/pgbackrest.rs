//! Self-managed PostgreSQL point-in-time recovery through pgBackRest (Debian package
//! `pgbackrest`): prisma-guard writes the config (0600), prints the `ALTER SYSTEM` lines that
//! turn WAL archiving on, creates the stanza and takes the first full backup once archiving
//! works, reads `pgbackrest info --output=json` and `pg_stat_archiver` for the window, and
//! restores into a new data directory with `pgbackrest restore --type=time`.
//!
//! pgBackRest reads the data directory and the server runs `archive_command` as the
//! server's OS user: run these commands as that user, on the database host.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::Repo;
use crate::backup::db::postgres::Postgres;
use crate::backup::db::Target;
use crate::config::settings::Settings;
use crate::error::fail;
use crate::process::{Redactor, Running, Tool};
use crate::ExitStatus;

pub const CONFIG: &str = "pgbackrest.conf";
pub const STANZA: &str = "prisma-guard";
const INSTALL: &str = "install it: `sudo apt-get install pgbackrest` (Debian/Ubuntu; pgbackrest.org for others)";

pub fn tool() -> Result<Tool> {
    Tool::locate(&["pgbackrest"], None, INSTALL)
}

pub fn config_path(settings: &Settings) -> PathBuf {
    super::dir(settings).join(CONFIG)
}

/// What the server says about itself (one query).
#[derive(Debug, Default)]
pub struct Server {
    pub data_directory: Option<String>,
    pub socket_dir: Option<String>,
    pub port: String,
    pub archive_mode: String,
    pub archive_command: String,
    pub wal_level: String,
    pub archive_timeout: String,
}

fn server(db: &Postgres) -> Result<Server> {
    // data_directory needs a superuser or pg_read_all_settings: asked on its own.
    let row = db.query(
        "SELECT current_setting('port'), current_setting('archive_mode'), current_setting('archive_command'), current_setting('wal_level'), current_setting('archive_timeout'), split_part(current_setting('unix_socket_directories'), ',', 1)",
    )?;
    let cols: Vec<String> = row.first().map(|r| r.split('\x1f').map(str::to_string).collect()).unwrap_or_default();
    let col = |i: usize| cols.get(i).cloned().unwrap_or_default();
    let data_directory = db
        .query("SELECT current_setting('data_directory')")
        .ok()
        .and_then(|r| r.first().cloned())
        .filter(|d| !d.is_empty());
    Ok(Server {
        data_directory,
        socket_dir: Some(col(5).trim().to_string()).filter(|s| !s.is_empty()),
        port: col(0),
        archive_mode: col(1),
        archive_command: col(2),
        wal_level: col(3),
        archive_timeout: col(4),
    })
}

/// The pgBackRest configuration. S3 keys, when the remote's are static keys, are written
/// into it (the server runs `archive-push` without prisma-guard's environment): the file is
/// 0600, readable by the server's OS user only.
pub fn config(repo: &Repo, pg_data: &Path, port: &str, socket_dir: Option<&str>, pitr_dir: &Path) -> String {
    let mut out = String::from(
        "# Written by `prisma-guard pitr setup` (docs/pitr.md). Mode 0600: it may hold S3 keys.\n[global]\n",
    );
    match repo {
        Repo::Local(dir) => out.push_str(&format!("repo1-path={}\n", dir.display())),
        Repo::S3(s3) => {
            out.push_str("repo1-type=s3\n");
            out.push_str(&format!("repo1-path=/{}\n", s3.prefix));
            out.push_str(&format!("repo1-s3-bucket={}\n", s3.bucket));
            out.push_str(&format!("repo1-s3-endpoint={}\n", s3.endpoint_host()));
            out.push_str(&format!("repo1-s3-region={}\n", s3.region));
            if s3.path_style {
                out.push_str("repo1-s3-uri-style=path\n");
            }
            if let Some(k) = &s3.keys {
                out.push_str(&format!("repo1-s3-key={}\nrepo1-s3-key-secret={}\n", k.key_id, k.secret));
                if let Some(t) = &k.token {
                    out.push_str(&format!("repo1-s3-token={t}\n"));
                }
            }
        }
    }
    out.push_str("repo1-retention-full=2\nstart-fast=y\nlog-level-console=warn\nlog-level-file=off\n");
    out.push_str(&format!("lock-path={}\n", pitr_dir.join("lock").display()));
    out.push_str(&format!("\n[{STANZA}]\npg1-path={}\npg1-port={port}\n", pg_data.display()));
    if let Some(sock) = socket_dir {
        out.push_str(&format!("pg1-socket-path={sock}\n"));
    }
    out
}

/// The `archive_command` pgBackRest's push needs, for this config.
pub fn archive_command(cfg: &Path) -> String {
    format!("pgbackrest --config={} --stanza={STANZA} archive-push %p", shell_quote(&cfg.display().to_string()))
}

fn shell_quote(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+=".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The `ALTER SYSTEM` lines still to apply, and whether one of them needs a restart.
pub fn settings_to_apply(s: &Server, cfg: &Path) -> (Vec<String>, bool) {
    let mut lines = Vec::new();
    let mut restart = false;
    let lit = crate::backup::db::postgres::quote_literal;
    if s.wal_level == "minimal" {
        lines.push("ALTER SYSTEM SET wal_level = 'replica';   -- needs a restart".to_string());
        restart = true;
    }
    if s.archive_mode != "on" && s.archive_mode != "always" {
        lines.push("ALTER SYSTEM SET archive_mode = 'on';   -- needs a restart".to_string());
        restart = true;
    }
    let want = archive_command(cfg);
    if s.archive_command != want {
        lines.push(format!("ALTER SYSTEM SET archive_command = {};   -- a reload is enough", lit(&want)));
    }
    // At most a minute of changes lost with the server (RPO), on a quiet database too.
    if s.archive_timeout == "0" || s.archive_timeout.is_empty() {
        lines.push("ALTER SYSTEM SET archive_timeout = '60s';   -- a reload is enough".to_string());
    }
    if !lines.is_empty() {
        lines.push("SELECT pg_reload_conf();".to_string());
    }
    (lines, restart)
}

/// pgBackRest with our config and stanza; nothing secret on its command line.
fn command(tool: &Tool, cfg: &Path, what: &str) -> Command {
    let mut cmd = tool.command();
    cmd.arg(format!("--config={}", cfg.display())).arg(format!("--stanza={STANZA}")).arg(what);
    cmd
}

fn run(tool: &Tool, cmd: Command) -> Result<String> {
    let mut cmd = cmd;
    cmd.stdin(std::process::Stdio::null()).stdout(std::process::Stdio::piped());
    let mut child = Running::spawn(tool, cmd)?;
    let mut out = String::new();
    if let Some(mut o) = child.child.stdout.take() {
        std::io::Read::read_to_string(&mut o, &mut out)?;
    }
    child.finish(&Redactor::default())?;
    Ok(out)
}

pub fn setup(settings: &Settings, target: &Target, repo: &Repo, pg_data: Option<&Path>) -> Result<ExitStatus> {
    let tool = tool()?;
    if let Repo::S3(s3) = repo {
        // Review round 5, finding 7: pgBackRest always speaks TLS to S3.
        if s3.endpoint.as_deref().is_some_and(|e| e.trim().to_ascii_lowercase().starts_with("http://")) {
            return Err(fail(format!(
                "remote `{}` has an http:// endpoint ({}): pgBackRest speaks only https to S3, so archiving into it would fail",
                s3.remote,
                s3.endpoint.as_deref().unwrap_or_default()
            ))
            .hint("use an https endpoint for this [[remote]], or keep the archive on this machine: `prisma-guard pitr setup --repo DIR`")
            .status(ExitStatus::Usage)
            .into());
        }
        if s3.keys.is_none() {
            return Err(fail(format!(
                "remote `{}` has no static keys here ({} / {}): the server's archive_command needs them in pgBackRest's config",
                s3.remote, s3.key_vars.0, s3.key_vars.1
            ))
            .hint("set them in the environment of `prisma-guard pitr setup` (they are written to the 0600 config only), or use --repo DIR")
            .status(ExitStatus::Usage)
            .into());
        }
    }
    let db = Postgres::new(target.clone(), &settings.tools)?;
    let srv = server(&db)?;
    let data = match (pg_data, &srv.data_directory) {
        (Some(d), _) => d.to_path_buf(),
        (None, Some(d)) => PathBuf::from(d),
        (None, None) => {
            return Err(fail(format!(
                "the server did not tell its data directory to {} (that needs a superuser or pg_read_all_settings)",
                target.url.redacted()
            ))
            .hint("give it: `prisma-guard pitr setup --pg-data /var/lib/postgresql/16/main` (psql as a superuser: SHOW data_directory;)")
            .status(ExitStatus::Usage)
            .into());
        }
    };
    if std::fs::read_dir(&data).is_err() {
        return Err(fail(format!("cannot read the data directory {} as this user", data.display()))
            .hint("pgBackRest reads it, and the server runs archive_command as its own OS user: run setup as that user on the database host, e.g. `sudo -u postgres prisma-guard pitr setup`")
            .status(ExitStatus::Usage)
            .into());
    }
    let dir = super::dir(settings);
    let cfg = config_path(settings);
    if let Repo::Local(r) = repo {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().recursive(true).mode(0o750).create(r)?;
    }
    // Review round 5, finding 2: the file may be the one the server's archive_command uses
    // now. A new one is written beside it, and takes its place only once its repository works.
    let staged = Staged::write(&tool, &cfg, &config(repo, &data, &srv.port, srv.socket_dir.as_deref(), &dir))?;
    settings.printer.status(
        "Wrote",
        format!("{} (mode 0600; stanza `{STANZA}`, data directory {})", cfg.display(), data.display()),
    );
    let (lines, restart) = settings_to_apply(&srv, &cfg);
    if !lines.is_empty() {
        settings.printer.line("\nWAL archiving is not on yet. As a superuser (psql), run:\n");
        for l in &lines {
            settings.printer.line(format!("  {l}"));
        }
        if restart {
            settings.printer.line(format!(
                "\nthen RESTART the server (archive_mode and wal_level are read at start only), e.g.\n  sudo systemctl restart postgresql   or   pg_ctl restart -D {}",
                data.display()
            ));
        }
        settings
            .printer
            .line("\nand run `prisma-guard pitr setup` again: it creates the stanza and takes the first full backup.");
        staged.keep();
        return Ok(ExitStatus::Failure);
    }
    settings.printer.status("Archiving", format!("on: {}", srv.archive_command));
    settings.printer.status("Stanza", format!("pgbackrest stanza-create --stanza={STANZA}"));
    run(&tool, command(&tool, &cfg, "stanza-create"))?;
    settings.printer.status("Checking", "pgbackrest check (a WAL segment archived and found in the repository)");
    if let Err(e) = run(&tool, command(&tool, &cfg, "check")) {
        return Err(staged.undo(e));
    }
    staged.keep();
    settings.printer.status("Backup", "pgbackrest backup --type=full (the base every restore starts from)");
    let mut full = command(&tool, &cfg, "backup");
    full.arg("--type=full");
    run(&tool, full)?;
    let w = window(settings, target)?;
    print_window(&settings.printer, &w);
    settings.printer.line(format!(
        "\nPoint-in-time recovery is on. Keep full backups coming (pgBackRest expires old ones: repo1-retention-full=2):\n  \
         weekly:  pgbackrest --config={cfg} --stanza={STANZA} backup --type=full\n  \
         daily:   pgbackrest --config={cfg} --stanza={STANZA} backup --type=diff\n\
         (cron or systemd, as the server's OS user). Restore with `prisma-guard pitr restore --time T --to DIR`.",
        cfg = cfg.display()
    ));
    Ok(ExitStatus::Success)
}

/// A new pgBackRest config that replaced a working one, until `check` has passed with it:
/// the one before is kept beside it to be put back.
struct Staged {
    cfg: PathBuf,
    before: Option<PathBuf>,
}

impl Staged {
    /// Write `text` as the config. When another config is there, the new one is written
    /// beside it and its repository created with `stanza-create` first: on failure nothing
    /// is replaced and the error says archiving goes on as before.
    fn write(tool: &Tool, cfg: &Path, text: &str) -> Result<Staged> {
        let old = std::fs::read_to_string(cfg).ok();
        if old.is_none() || old.as_deref() == Some(text) {
            super::write_private(cfg, text)?;
            return Ok(Staged { cfg: cfg.to_path_buf(), before: None });
        }
        let new = cfg.with_extension("conf.new");
        super::write_private(&new, text)?;
        if let Err(e) = run(tool, command(tool, &new, "stanza-create")) {
            let _ = std::fs::remove_file(&new);
            return Err(e.context(format!(
                "the new repository does not work; {} was NOT replaced: archiving goes on into the repository it names",
                cfg.display()
            )));
        }
        let before = cfg.with_extension("conf.before");
        std::fs::rename(cfg, &before)?;
        if let Err(e) = std::fs::rename(&new, cfg) {
            let _ = std::fs::rename(&before, cfg);
            return Err(e.into());
        }
        Ok(Staged { cfg: cfg.to_path_buf(), before: Some(before) })
    }

    /// `check` failed with the new config: the one before goes back.
    fn undo(self, e: anyhow::Error) -> anyhow::Error {
        match &self.before {
            Some(before) => match std::fs::rename(before, &self.cfg) {
                Ok(()) => e.context(format!(
                    "the new repository failed `pgbackrest check`; the config before was put back in {}: archiving goes on into the repository it names",
                    self.cfg.display()
                )),
                Err(r) => e.context(format!(
                    "the new repository failed `pgbackrest check`, and the config before could not be put back ({r}): move {} to {} by hand, or archiving fails",
                    before.display(),
                    self.cfg.display()
                )),
            },
            None => e,
        }
    }

    /// The new config works: the one before goes (it may hold S3 keys).
    fn keep(self) {
        if let Some(before) = &self.before {
            let _ = std::fs::remove_file(before);
        }
    }
}

#[derive(Debug, Deserialize)]
struct InfoStanza {
    #[serde(default)]
    archive: Vec<InfoArchive>,
    #[serde(default)]
    backup: Vec<InfoBackup>,
    status: InfoStatus,
}

#[derive(Debug, Deserialize)]
struct InfoArchive {
    min: Option<String>,
    max: Option<String>,
}

#[derive(Debug, Deserialize)]
struct InfoBackup {
    label: String,
    #[serde(rename = "type")]
    kind: String,
    timestamp: InfoStamp,
}

#[derive(Debug, Deserialize)]
struct InfoStamp {
    stop: i64,
}

#[derive(Debug, Deserialize)]
struct InfoStatus {
    code: i64,
    message: String,
}

/// The recovery window as pgBackRest and the server see it.
#[derive(Debug, serde::Serialize)]
pub struct Window {
    pub engine: &'static str,
    pub config: String,
    pub stanza: &'static str,
    pub status: String,
    pub backups: Vec<String>,
    /// The earliest point a restore reaches: the end of the oldest backup.
    pub oldest: Option<String>,
    /// The latest: the last archived WAL segment's time (pg_stat_archiver).
    pub newest: Option<String>,
    pub last_archived_wal: Option<String>,
    pub oldest_wal: Option<String>,
    pub last_failed_wal: Option<String>,
    pub last_failed_time: Option<String>,
}

fn stamp(unix: i64) -> String {
    DateTime::from_timestamp(unix, 0).map(|t| super::time::rfc3339(&t)).unwrap_or_default()
}

pub fn window(settings: &Settings, target: &Target) -> Result<Window> {
    let tool = tool()?;
    let cfg = existing_config(settings)?;
    let mut info = command(&tool, &cfg, "info");
    info.arg("--output=json");
    let out = run(&tool, info)?;
    let stanzas: Vec<InfoStanza> = serde_json::from_str(out.trim())
        .map_err(|e| fail(format!("`pgbackrest info --output=json` gave what prisma-guard cannot read: {e}")))?;
    let s = stanzas.first().ok_or_else(|| fail(format!("pgBackRest knows no stanza `{STANZA}`")))?;
    let oldest = s.backup.iter().map(|b| b.timestamp.stop).min().map(stamp);
    let (mut newest, mut last_wal, mut failed_wal, mut failed_time) = (None, None, None, None);
    if let Ok(db) = Postgres::new(target.clone(), &settings.tools) {
        if let Ok(rows) = db.query(
            "SELECT coalesce(last_archived_wal, ''), coalesce(to_char(last_archived_time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), coalesce(last_failed_wal, ''), coalesce(to_char(last_failed_time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '') FROM pg_stat_archiver",
        ) {
            let cols: Vec<String> = rows.first().map(|r| r.split('\x1f').map(str::to_string).collect()).unwrap_or_default();
            let col = |i: usize| cols.get(i).cloned().filter(|c| !c.is_empty());
            last_wal = col(0);
            newest = col(1);
            failed_wal = col(2);
            failed_time = col(3);
        }
    }
    Ok(Window {
        engine: "pgbackrest",
        config: cfg.display().to_string(),
        stanza: STANZA,
        status: format!("{} ({})", s.status.message, s.status.code),
        backups: s
            .backup
            .iter()
            .map(|b| format!("{} {} (ended {})", b.label, b.kind, stamp(b.timestamp.stop)))
            .collect(),
        oldest,
        newest,
        last_archived_wal: last_wal.or_else(|| s.archive.last().and_then(|a| a.max.clone())),
        oldest_wal: s.archive.first().and_then(|a| a.min.clone()),
        last_failed_wal: failed_wal,
        last_failed_time: failed_time,
    })
}

impl Window {
    /// Why the window does not grow, or cannot be restored from, if so: the stanza missing
    /// or in error, no backup, archiving failing since the last success.
    pub fn problem(&self) -> Option<String> {
        if !self.status.ends_with("(0)") {
            return Some(format!("pgBackRest reports the stanza as `{}`", self.status));
        }
        if self.oldest.is_none() {
            return Some("no backup in the repository: no point can be restored".into());
        }
        match (&self.last_failed_wal, &self.last_failed_time) {
            (Some(f), Some(t)) if self.newest.as_ref().is_none_or(|n| t > n) => Some(format!(
                "archiving is FAILING: {f} at {t} (the server log says why); the window ends at the last success"
            )),
            _ => None,
        }
    }
}

pub fn print_window(printer: &crate::ui::Printer, w: &Window) {
    printer.line(format!("engine   pgBackRest ({}, stanza {})", w.config, w.stanza));
    printer.line(format!("status   {}", w.status));
    for b in &w.backups {
        printer.line(format!("backup   {b}"));
    }
    match (&w.oldest, &w.newest) {
        (Some(o), Some(n)) => printer
            .line(format!("window   {o} .. {n} (any second between: `prisma-guard pitr restore --time T --to DIR`)")),
        (Some(o), None) => {
            printer.line(format!("window   from {o} (the server's archiver could not be asked for the newest point)"))
        }
        _ => printer.line("window   none: no backup yet (`prisma-guard pitr setup`)"),
    }
    printer.line(format!(
        "wal      last archived {} (oldest kept {})",
        w.last_archived_wal.as_deref().unwrap_or("none"),
        w.oldest_wal.as_deref().unwrap_or("none")
    ));
    if let Some(p) = w.problem() {
        printer.line(format!("WARNING  {p}"));
    }
}

fn existing_config(settings: &Settings) -> Result<PathBuf> {
    let cfg = config_path(settings);
    if !cfg.is_file() {
        return Err(fail(format!("{} does not exist: point-in-time recovery is not set up", cfg.display()))
            .hint("run `prisma-guard pitr setup` as the server's OS user (docs/pitr.md)")
            .into());
    }
    Ok(cfg)
}

pub fn restore(settings: &Settings, target: &Target, at: &DateTime<Utc>, to: &Path) -> Result<ExitStatus> {
    let tool = tool()?;
    let cfg = existing_config(settings)?;
    let to = super::fresh_target(settings, to)?;
    let when = super::time::postgres(at);
    // Review round 5, finding 8: a time after the last archived WAL cannot be reached; the
    // restored cluster would refuse to start ("recovery ended before configured recovery
    // target was reached").
    let w = window(settings, target)?;
    let newest = w.newest.as_deref().and_then(|n| DateTime::parse_from_rfc3339(n).ok()).map(|n| n.with_timezone(&Utc));
    // (The archiver's time is read to the second.)
    if let Some(n) = newest.filter(|n| *at >= *n + chrono::Duration::seconds(1)) {
        return Err(fail(format!(
            "{when} is after the end of the recovery window ({}, the last archived WAL): the WAL after it is still on the server, and a restore to {when} could not open",
            super::time::rfc3339(&n)
        ))
        .hint("archive the current WAL first: `SELECT pg_switch_wal();` as a superuser (or wait for archive_timeout), check `prisma-guard pitr status`, then restore again")
        .status(ExitStatus::Usage)
        .into());
    }
    settings
        .printer
        .status("Restoring", format!("the cluster as it was at {when} into the new data directory {}", to.display()));
    let mut cmd = command(&tool, &cfg, "restore");
    cmd.args(["--type=time", &format!("--target={when}"), "--target-action=promote", "--archive-mode=off"])
        .arg(format!("--pg1-path={}", to.display()));
    run(&tool, cmd)?;
    settings
        .printer
        .status("Restored", format!("{} (archiving off in it: it will not write into the repository)", to.display()));
    settings.printer.line(format!(
        "The project's database was not touched. Start the restored cluster on a free port; it replays WAL up to {when}, then opens:\n  \
         pg_ctl -D {dir} -o \"-p 5433\" -l {dir}/restore.log start\n\
         (as the server's OS user; on Debian/Ubuntu layouts where postgresql.conf lives in /etc, add -c config_file=... or copy it in)\n\
         Check it (psql -p 5433 -d <database>), then point the app at it: DATABASE_URL with port 5433,\n\
         or copy the data back: pg_dump -p 5433 -d <database> -t <table> | psql <the project's database>.",
        dir = to.display()
    ));
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_to_apply_are_what_is_missing_and_say_what_needs_a_restart() {
        let cfg = Path::new("/srv/app/backups/pitr/pgbackrest.conf");
        let off = Server {
            archive_mode: "off".into(),
            wal_level: "replica".into(),
            archive_timeout: "0".into(),
            ..Server::default()
        };
        let (lines, restart) = settings_to_apply(&off, cfg);
        assert!(restart);
        assert_eq!(lines[0], "ALTER SYSTEM SET archive_mode = 'on';   -- needs a restart");
        assert_eq!(
            lines[1],
            "ALTER SYSTEM SET archive_command = 'pgbackrest --config=/srv/app/backups/pitr/pgbackrest.conf --stanza=prisma-guard archive-push %p';   -- a reload is enough"
        );
        assert!(lines.iter().any(|l| l.contains("archive_timeout = '60s'")));
        let on = Server {
            archive_mode: "on".into(),
            wal_level: "replica".into(),
            archive_timeout: "1min".into(),
            archive_command: archive_command(cfg),
            ..Server::default()
        };
        assert_eq!(settings_to_apply(&on, cfg), (Vec::new(), false));
        let odd = Path::new("/srv/my app/it's/pgbackrest.conf");
        assert!(archive_command(odd).contains("'/srv/my app/it'\\''s/pgbackrest.conf'"));
    }

    #[test]
    fn an_s3_repository_keeps_its_keys_in_the_private_file_only() {
        let s3 = super::super::S3 {
            remote: "offsite".into(),
            bucket: "bkt".into(),
            prefix: "team/pitr/pgbackrest".into(),
            endpoint: Some("https://minio.example:9000/".into()),
            region: "eu".into(),
            path_style: true,
            keys: Some(crate::backup::remote::creds::Keys {
                key_id: "AKID".into(),
                secret: "s3cr3t".into(),
                token: None,
                source: "env".into(),
            }),
            key_vars: ("AWS_ACCESS_KEY_ID".into(), "AWS_SECRET_ACCESS_KEY".into()),
        };
        let text =
            config(&Repo::S3(Box::new(s3)), Path::new("/var/lib/pg"), "5432", Some("/run/postgresql"), Path::new("/p"));
        for want in [
            "repo1-type=s3",
            "repo1-path=/team/pitr/pgbackrest",
            "repo1-s3-endpoint=minio.example:9000",
            "repo1-s3-uri-style=path",
            "repo1-s3-key-secret=s3cr3t",
            "[prisma-guard]",
            "pg1-path=/var/lib/pg",
            "pg1-socket-path=/run/postgresql",
        ] {
            assert!(text.contains(want), "{want} in\n{text}");
        }
    }
}
