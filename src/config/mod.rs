//! `prisma-guard.toml`: discovered upward from the working directory to the git root.
//! Precedence everywhere: command-line flag > environment variable > this file > default.

pub mod env;
pub mod settings;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::backup::store::Compression;
use crate::error::Failure;

pub const FILE_NAME: &str = "prisma-guard.toml";

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    #[serde(default)]
    pub backup: BackupSection,
    #[serde(default)]
    pub retention: RetentionSection,
    #[serde(default)]
    pub tools: ToolsSection,
    #[serde(default)]
    pub database: DatabaseSection,
    #[serde(default)]
    pub guard: GuardSection,
    #[serde(default)]
    pub scan: ScanSection,
    #[serde(default)]
    pub agents: AgentsSection,
    /// Present (even empty) means: encrypt, or fail.
    #[serde(default)]
    pub encryption: Option<EncryptionSection>,
    /// `[[remote]]`: off-site copies.
    #[serde(default, rename = "remote")]
    pub remotes: Vec<RemoteSection>,
    /// `[[notify]]`: alerts.
    #[serde(default)]
    pub notify: Vec<crate::notify::NotifySection>,
    /// `[drill]`: how often a timed restore drill must run.
    #[serde(default)]
    pub drill: DrillSection,
    /// `[signing]`: whose backups restores from a remote trust.
    #[serde(default)]
    pub signing: Option<SigningSection>,
}

/// `[signing]`: the public keys whose signatures make a remote's backup this project's
/// (docs/operations.md). Only the project's own prisma-guard.toml sets it.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningSection {
    /// `ed25519:<hex>` keys, as the first backup that uploads prints them.
    #[serde(default)]
    pub public_keys: Vec<String>,
    /// Restore backups that are unsigned or signed by another key anyway (with a warning).
    pub accept_unsigned: Option<bool>,
}

/// `[drill]`: `status` warns when no `prisma-guard drill` ran within `max_age_days`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrillSection {
    /// Days (default 30). Set, a project that never ran a drill is warned too.
    pub max_age_days: Option<u64>,
}

/// `[[remote]]`: an S3-compatible bucket every backup is uploaded to. Where the backups go
/// is the project's own decision: only its own prisma-guard.toml names remotes (a named
/// file could send the data to anyone's bucket).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteSection {
    /// A short name for the command line (`--remote NAME`, `--from NAME`).
    pub name: String,
    /// `s3://bucket/prefix`.
    pub url: String,
    /// The store's endpoint, for anything but AWS (R2, B2, MinIO, Supabase Storage ...).
    pub endpoint: Option<String>,
    /// Default `us-east-1` (`auto` for R2).
    pub region: Option<String>,
    /// Address the bucket in the path (`endpoint/bucket/key`) instead of the host name.
    pub path_style: Option<bool>,
    /// `STANDARD_IA`, `GLACIER_IR`, ... (AWS names; other stores have their own).
    pub storage_class: Option<String>,
    /// A profile in ~/.aws/credentials (default: AWS_PROFILE, then `default`).
    pub profile: Option<String>,
    /// Names of environment variables holding the keys, when not AWS_ACCESS_KEY_ID/...
    pub access_key_id_env: Option<String>,
    pub secret_access_key_env: Option<String>,
    pub session_token_env: Option<String>,
    /// `instance`: also ask the cloud's metadata service (EC2, ECS, EKS) for credentials.
    pub credentials: Option<String>,
    /// `GOVERNANCE` or `COMPLIANCE`: every uploaded object is locked for `object_lock_days`.
    pub object_lock_mode: Option<String>,
    pub object_lock_days: Option<u32>,
    /// Per-request timeout (default `60s`); a stalled request is retried.
    pub timeout: Option<String>,
    /// Retries of a failed request (5xx, timeout, dropped connection); default 5.
    pub retries: Option<usize>,
    /// Multipart part size in MiB (default 16; at least 5).
    pub part_size_mib: Option<usize>,
    /// How an upload is checked: `read` (default: read back, size and SHA-256 of what the store
    /// holds) or `etag` (the store's multipart ETag must be the MD5 of the parts sent, else it
    /// is read back).
    pub verify_upload: Option<String>,
    /// Retention for this remote instead of `[retention]`.
    pub retention: Option<RetentionSection>,
}

/// `[encryption]`: backups sealed with age. Who can read the backups is the project's own
/// decision: only its own prisma-guard.toml sets it (a named file or an uncommitted change
/// cannot add a recipient, nor switch a passphrase on).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptionSection {
    /// X25519 public keys (`age1...`); every one of them can open the backups.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// A file of public keys, one per line (`#` comments), relative to this file's folder.
    pub recipients_file: Option<PathBuf>,
    /// The environment variable holding a passphrase to seal to, instead of keys.
    pub passphrase_env: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentsSection {
    /// What agent hooks answer for a schema change: "allow" (default: the shim backs up
    /// first) or "ask" (the agent asks its human, where its protocol can).
    pub schema_change: Option<SchemaChangeAnswer>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SchemaChangeAnswer {
    Allow,
    Ask,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanSection {
    /// Rule ids that are never reported.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Paths (relative to the repository root; `*` and `?` wildcards; a folder covers what is
    /// under it) that are never scanned.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Migrations whose folder name sorts at or before this one are not reported (adoption
    /// without cleaning up history). They are still read, to know the schema.
    pub start_after: Option<String>,
    /// More package.json script names that run in production builds or deploys.
    #[serde(default)]
    pub production_scripts: Vec<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuardSection {
    /// `db seed`: "schema-change" (default: backup first) or "safe".
    pub seed: Option<SeedClass>,
    /// The real Prisma CLI, when it cannot be found in node_modules or on PATH.
    pub real_prisma: Option<PathBuf>,
    /// Throwaway databases where destructive commands need no confirmation.
    #[serde(default)]
    pub allow: Vec<crate::guard::allow::AllowEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeedClass {
    SchemaChange,
    Safe,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupSection {
    /// Backup directory; relative paths resolve against the folder of prisma-guard.toml.
    pub dir: Option<PathBuf>,
    pub compression: Option<Compression>,
    pub level: Option<i32>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionSection {
    pub max_age_days: Option<u64>,
    pub keep: Option<usize>,
    /// Grandfather-father-son rules; any of them set replaces `max_age_days`/`keep`.
    pub keep_last: Option<usize>,
    /// A duration (`7d`, `36h`): every backup taken within it.
    pub keep_within: Option<String>,
    pub keep_daily: Option<usize>,
    pub keep_weekly: Option<usize>,
    pub keep_monthly: Option<usize>,
    pub keep_yearly: Option<usize>,
    /// Backups taken before a destructive command or a restore stay this many days (default 30).
    pub protect_destructive_days: Option<u64>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolsSection {
    pub pg_bin_dir: Option<PathBuf>,
    pub mysql_bin_dir: Option<PathBuf>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSection {
    /// Name of the environment variable holding the URL, when it is not the one
    /// prisma.config.ts or schema.prisma names.
    pub url_env: Option<String>,
}

/// A loaded configuration: the project's own prisma-guard.toml (found by walking up from the
/// working directory), tightened by any file named with `--guard-config`/`PRISMA_GUARD_CONFIG`.
#[derive(Debug, Default, Clone)]
pub struct Config {
    /// The project's own file, the only one whose paths and loosening keys count.
    pub path: Option<PathBuf>,
    pub file: FileConfig,
    /// What a named file asked for that only the project's own file may set: ignored, and
    /// said as a warning.
    pub ignored: Vec<String>,
    /// The project's file asks for encryption that does not count (not committed, or not
    /// the project's to trust): why backups are refused rather than written in the clear.
    pub encryption_refused: Option<String>,
}

impl Config {
    /// The folder relative paths in the file resolve against.
    pub fn base_dir(&self) -> Option<&Path> {
        self.path.as_deref().and_then(Path::parent)
    }

    pub fn resolve_path(&self, p: &Path, fallback_base: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base_dir().unwrap_or(fallback_base).join(p)
        }
    }

    /// Merge a file named on the command line or in the environment: it may add protection
    /// (more production scripts, `seed = "schema-change"`, agents asked, longer retention,
    /// backup format), never take it away. Everything else is listed in `ignored`.
    fn tighten_with(&mut self, named: FileConfig, path: &Path) {
        let mut ignored = Vec::new();
        let mut ignore = |key: &str, set: bool| {
            if set {
                ignored.push(key.to_string());
            }
        };
        let FileConfig {
            backup,
            retention,
            tools,
            database,
            guard,
            scan,
            agents,
            encryption,
            remotes,
            notify,
            signing,
            drill,
        } = named;
        // Drills more often: tighter; less often: looser.
        if let Some(days) = drill.max_age_days {
            let own = self.file.drill.max_age_days.unwrap_or(crate::commands::drill::DEFAULT_MAX_AGE_DAYS);
            ignore("drill.max_age_days (longer than the project's)", days > own);
            self.file.drill.max_age_days = Some(days.min(own));
        }
        ignore("remote (where the backups are sent)", !remotes.is_empty());
        ignore("signing (whose backups restores trust)", signing.is_some());
        ignore("notify (who is told about the project)", !notify.is_empty());
        ignore("encryption (who can read the backups)", encryption.is_some());
        // Backups (and the audit log) in a folder of the named file's choosing are backups
        // out of the project's reach, and out of its protection: one `rm -rf` from gone.
        // The default folder (`backups`, which `init` writes out) moves nothing.
        let default_dir = backup.dir.as_deref().is_some_and(|d| {
            !d.components().any(|c| c == std::path::Component::ParentDir)
                && lexical_normalize(d) == Path::new("backups")
        });
        ignore("backup.dir (where the backups and the audit log go)", backup.dir.is_some() && !default_dir);
        if backup.compression.is_some() {
            self.file.backup.compression = backup.compression;
            self.file.backup.level = backup.level;
        } else if backup.level.is_some() {
            self.file.backup.level = backup.level;
        }
        if let Some(days) = retention.max_age_days {
            let own = self.file.retention.max_age_days.unwrap_or(30);
            ignore("retention.max_age_days (shorter than the project's)", days < own);
            self.file.retention.max_age_days = Some(days.max(own));
        }
        if let Some(keep) = retention.keep {
            let own = self.file.retention.keep.unwrap_or(100);
            ignore("retention.keep (fewer than the project's)", keep < own);
            self.file.retention.keep = Some(keep.max(own));
        }
        if let Some(days) = retention.protect_destructive_days {
            let own = self.file.retention.protect_destructive_days.unwrap_or(30);
            self.file.retention.protect_destructive_days = Some(days.max(own));
        }
        let gfs = retention.keep_last.is_some()
            || retention.keep_within.is_some()
            || retention.keep_daily.is_some()
            || retention.keep_weekly.is_some()
            || retention.keep_monthly.is_some()
            || retention.keep_yearly.is_some();
        ignore("retention.keep_last/keep_within/keep_daily/keep_weekly/keep_monthly/keep_yearly", gfs);
        ignore("tools.pg_bin_dir", tools.pg_bin_dir.is_some());
        ignore("tools.mysql_bin_dir", tools.mysql_bin_dir.is_some());
        ignore("database.url_env", database.url_env.is_some());
        match guard.seed {
            Some(SeedClass::SchemaChange) => self.file.guard.seed = Some(SeedClass::SchemaChange),
            Some(SeedClass::Safe) => ignore("guard.seed = \"safe\"", true),
            None => {}
        }
        ignore("guard.real_prisma", guard.real_prisma.is_some());
        ignore("guard.allow", !guard.allow.is_empty());
        ignore("scan.disable", !scan.disable.is_empty());
        ignore("scan.exclude", !scan.exclude.is_empty());
        ignore("scan.start_after", scan.start_after.is_some());
        self.file.scan.production_scripts.extend(scan.production_scripts);
        match agents.schema_change {
            Some(SchemaChangeAnswer::Ask) => self.file.agents.schema_change = Some(SchemaChangeAnswer::Ask),
            Some(SchemaChangeAnswer::Allow) => ignore("agents.schema_change = \"allow\"", true),
            None => {}
        }
        for key in ignored {
            self.ignored.push(format!(
                "{} sets {key}, which only the project's own {FILE_NAME} may set: ignored",
                path.display()
            ));
        }
    }

    /// Say what a named file asked for and did not get.
    pub fn warn_ignored(&self, printer: &crate::ui::Printer) {
        for line in &self.ignored {
            printer.warn(line);
        }
    }
}

/// The project's own prisma-guard.toml (the first one from `start` upward to the git root),
/// tightened by `explicit` when one is named (`--guard-config`, `PRISMA_GUARD_CONFIG`).
///
/// `cwd` is the folder prisma-guard runs in: its repository is the one a loosening file must
/// be committed in.
///
/// A working file that is not to be trusted as it is (changed since the last commit, missing,
/// writable by others ...) never takes protection away: its committed version (the blob at
/// `HEAD`) is the base, all of it (`[encryption]`, `[[remote]]`, `[[notify]]` included), and
/// the working file adds only what tightens. With no committed version to fall back on, a
/// working file outside any git repository (a deploy, a Docker image) that this user (or
/// root) owns and nobody else may write is the project's decision for `[encryption]`,
/// `[[remote]]` and `[[notify]]`; any other such file that asks for encryption makes
/// [`Config::encryption_refused`] say why backups are refused rather than written in the clear.
pub fn load(start: &Path, cwd: &Path, explicit: Option<&Path>) -> Result<Config> {
    // In a git repository, from the project up to the repository's root; outside one, the
    // project's own folder only (a file in a folder above, such as /tmp, is anyone's).
    let in_git = start.ancestors().any(|d| d.join(".git").exists());
    // Opened only when needed: a trusted file present in the working tree needs no more.
    let repo = std::cell::OnceCell::new();
    let repo = || repo.get_or_init(|| git2::Repository::discover(cwd).ok());
    let own = match in_git {
        // A file moved away still counts as committed.
        true => find_upward(start, |dir| {
            let p = dir.join(FILE_NAME);
            (p.is_file() || committed_blob(repo().as_ref(), &p).is_some()).then_some(p)
        }),
        false => Some(start.join(FILE_NAME)).filter(|p| p.is_file()),
    };
    let mut config = match &own {
        Some(path) => own_config(path, cwd, &repo)?,
        None => Config::default(),
    };
    if let Some(p) = explicit {
        // As typed: relative to the folder prisma-guard was started in.
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().map_or_else(|_| start.join(p), |d| d.join(p))
        };
        if !p.is_file() {
            return Err(Failure::usage(format!("the config file {} does not exist", p.display()))
                .hint("--guard-config (or PRISMA_GUARD_CONFIG) names an extra prisma-guard.toml that can only add protection; check the path, or leave it out to use the project's own prisma-guard.toml")
                .into());
        }
        let same = own.as_ref().is_some_and(|o| same_file(o, &p));
        if !same {
            let named = read(&p)?;
            config.tighten_with(named, &p);
        }
    }
    Ok(config)
}

/// The project's own file at `path` (which may be missing from the working tree while
/// committed), as [`load`] explains.
fn own_config<'r>(path: &Path, cwd: &Path, repo: &dyn Fn() -> &'r Option<git2::Repository>) -> Result<Config> {
    let exists = path.is_file();
    let why = if exists { distrust(path, cwd) } else { Some("is missing from the working tree".to_string()) };
    let Some(why) = why else {
        return Ok(Config { path: Some(path.to_path_buf()), file: read(path)?, ..Config::default() });
    };
    let reword = |c: &mut Config, tail: &str| {
        for line in &mut c.ignored {
            *line = line.replace(&format!(", which only the project's own {FILE_NAME} may set"), &format!(", {tail}"));
        }
    };
    if let Some(committed) = committed_blob(repo().as_ref(), path) {
        // The project's decision, as committed; the working file may only tighten it.
        let text = String::from_utf8_lossy(&committed).into_owned();
        let base_table = parse_table(&text, &format!("{} (as committed)", path.display()))?;
        let base = from_table(base_table.clone(), &format!("{} (as committed)", path.display()))?;
        let mut c = Config { path: Some(path.to_path_buf()), file: base, ..Config::default() };
        let tail = format!("but the file {why}: its committed version counts until the change is committed");
        if exists {
            let working_text =
                std::fs::read_to_string(path).with_context(|| format!("could not read {}", path.display()))?;
            let mut working = parse_table(&working_text, &path.display().to_string())?;
            let left_out = strip_same(&mut working, &base_table);
            let working = from_table(working, &path.display().to_string())?;
            let asks = working.encryption.is_some();
            c.tighten_with(working, path);
            reword(&mut c, &tail);
            if asks && c.file.encryption.is_none() {
                c.encryption_refused = Some(format!(
                    "{} asks for [encryption], but the file {why} (its committed version has none): its recipients (or passphrase) do not count yet, and a backup is never written unencrypted instead",
                    path.display()
                ));
            }
            for key in left_out {
                c.ignored.push(format!("{} leaves out {key}, {tail}", path.display()));
            }
        } else {
            c.ignored.push(format!(
                "{} {why}: its committed version counts (`git checkout -- {FILE_NAME}` brings it back)",
                path.display()
            ));
        }
        return Ok(c);
    }
    // Nothing committed to fall back on: only what adds protection counts.
    let working = read(path)?;
    let mut c = Config { path: Some(path.to_path_buf()), ..Config::default() };
    let (encryption, remotes, notify) = (working.encryption.clone(), working.remotes.clone(), working.notify.clone());
    let signing = working.signing.clone();
    c.tighten_with(working, path);
    if repo().is_none() && owned_safely(path) {
        // Outside git there is nothing to commit the file to: the project's own file, that
        // only this user (or root) may write, says where backups go and who reads them.
        c.file.encryption = encryption;
        c.file.remotes = remotes;
        c.file.notify = notify;
        c.file.signing = signing;
        c.ignored.retain(|l| {
            !(l.contains("sets remote (")
                || l.contains("sets notify (")
                || l.contains("sets encryption (")
                || l.contains("sets signing ("))
        });
    } else if encryption.is_some() {
        c.encryption_refused = Some(format!(
            "{} asks for [encryption], but the file {why}: its recipients (or passphrase) do not count yet, and a backup is never written unencrypted instead",
            path.display()
        ));
    }
    reword(&mut c, &format!("but the file {why}, so its loosening keys do not count yet"));
    Ok(c)
}

/// This user (or root) owns the file, nobody else may write it or replace it in its folder.
fn owned_safely(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::symlink_metadata(path) else { return false };
    let me = rustix::process::getuid().as_raw();
    let dir_ok = path
        .parent()
        .and_then(|d| std::fs::metadata(if d.as_os_str().is_empty() { Path::new(".") } else { d }).ok())
        .is_some_and(|d| d.mode() & 0o002 == 0 && (d.uid() == me || d.uid() == 0));
    meta.file_type().is_file() && (meta.uid() == me || meta.uid() == 0) && meta.mode() & 0o022 == 0 && dir_ok
}

/// The content of a file the project's config names for what only the project decides (an
/// `[encryption] recipients_file`: who can read the backups), by the rules prisma-guard.toml
/// follows: in the git repository around `cwd`, the file as committed (an uncommitted change
/// does not count: the second value says it was set aside); outside git, the file itself when
/// only this user may write it. `Err`: why it does not count.
pub fn trusted_content(path: &Path, cwd: &Path) -> std::result::Result<(Vec<u8>, Option<String>), String> {
    let working = std::fs::read(path);
    let repo = git2::Repository::discover(cwd).ok();
    let inside =
        repo.as_ref().and_then(git2::Repository::workdir).and_then(|w| w.canonicalize().ok()).is_some_and(|w| {
            let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
            dir.canonicalize().is_ok_and(|d| d.starts_with(&w))
        });
    if inside {
        return match (committed_blob(repo.as_ref(), path), working) {
            (Some(c), Ok(now)) if c == now => Ok((c, None)),
            (Some(c), _) => Ok((
                c,
                Some(format!(
                    "{} differs from its committed version: the committed one counts (commit the change)",
                    path.display()
                )),
            )),
            (None, Err(e)) => Err(format!("cannot be read: {e}")),
            (None, Ok(_)) => Err(format!(
                "is not committed, and who can read the backups is decided by committed files only (`git add {} && git commit`)",
                path.display()
            )),
        };
    }
    match working {
        Err(e) => Err(format!("cannot be read: {e}")),
        Ok(_) if !owned_safely(path) => Err("may be written by another user (it must be yours, `chmod go-w`)".into()),
        Ok(now) => Ok((now, None)),
    }
}

/// The file at `path` as committed at `HEAD` of `repo` (`path` need not exist).
fn committed_blob(repo: Option<&git2::Repository>, path: &Path) -> Option<Vec<u8>> {
    let repo = repo?;
    let workdir = repo.workdir()?.canonicalize().ok()?;
    let dir = path.parent()?;
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let full = dir.canonicalize().ok()?.join(path.file_name()?);
    let rel = full.strip_prefix(&workdir).ok()?;
    let tree = repo.head().ok()?.peel_to_tree().ok()?;
    let entry = tree.get_path(rel).ok()?;
    let object = entry.to_object(repo).ok()?;
    object.as_blob().map(|b| b.content().to_vec())
}

fn parse_table(text: &str, what: &str) -> Result<toml::Table> {
    toml::from_str(text).map_err(|e| invalid(what, &e.to_string()))
}

fn from_table(table: toml::Table, what: &str) -> Result<FileConfig> {
    toml::Value::Table(table).try_into().map_err(|e: toml::de::Error| invalid(what, &e.to_string()))
}

fn invalid(what: &str, e: &str) -> anyhow::Error {
    Failure::usage(format!("{what} is not valid: {}", e.trim()))
        .hint("see docs/config.md for the keys prisma-guard.toml accepts")
        .into()
}

/// Drop from `working` what is as in `base` (tables key by key, one level down), so that only
/// changes are judged; return what `base` sets and `working` leaves out.
fn strip_same(working: &mut toml::Table, base: &toml::Table) -> Vec<String> {
    let mut left_out = Vec::new();
    for (key, value) in base {
        match (working.get_mut(key), value) {
            (None, _) => left_out.push(section_name(key, value)),
            (Some(w), v) if w == v => {
                working.remove(key);
            }
            (Some(toml::Value::Table(w)), toml::Value::Table(v)) => {
                for (k, x) in v {
                    match w.get(k) {
                        None => left_out.push(format!("{key}.{k}")),
                        Some(y) if y == x => {
                            w.remove(k);
                        }
                        Some(_) => {}
                    }
                }
                // `[encryption]` itself (even empty) means "encrypt": kept when the section
                // stays, so that a changed one is judged.
            }
            (Some(_), _) => {}
        }
    }
    left_out
}

fn section_name(key: &str, value: &toml::Value) -> String {
    match value {
        toml::Value::Array(a) if a.iter().all(toml::Value::is_table) => format!("[[{key}]]"),
        toml::Value::Table(_) => format!("[{key}]"),
        _ => key.to_string(),
    }
}

/// Why a file that loosens the guard (the project's prisma-guard.toml, the scan baseline)
/// may not: anyone but this user (or root) may have written it (another owner, writable by
/// group or others, in a folder anyone may write to); it is not in the git repository of the
/// folder prisma-guard runs in (`cwd`), or not as committed there (untracked, or changed since
/// the last commit: an AI agent may have just written it); or there is no repository, or one
/// git cannot read. `None`: it may.
///
/// The repository is the one around `cwd`, never one found from the file: a file beside a
/// `--config` elsewhere, or under a folder with a `.git` of its own, is not the project's.
pub fn distrust(path: &Path, cwd: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(path) else { return Some("could not be read".into()) };
    let me = rustix::process::getuid().as_raw();
    if meta.uid() != me && meta.uid() != 0 {
        return Some(format!("is owned by another user (uid {})", meta.uid()));
    }
    if meta.mode() & 0o022 != 0 {
        return Some("may be written by others (`chmod go-w` it)".into());
    }
    let dir = path.parent().and_then(|d| std::fs::metadata(d).ok());
    if dir.is_some_and(|d| d.mode() & 0o002 != 0) {
        return Some("is in a folder anyone may write to".into());
    }
    let Ok(repo) = git2::Repository::discover(cwd) else {
        return Some(
            "is not in a git repository (allow-lists and opt-outs count only as committed in the project's repository)"
                .into(),
        );
    };
    let (Some(workdir), Ok(file)) = (repo.workdir().and_then(|w| w.canonicalize().ok()), path.canonicalize()) else {
        return Some("could not be checked in git".into());
    };
    let Ok(rel) = file.strip_prefix(&workdir) else {
        return Some(format!("is outside the repository prisma-guard runs in ({})", workdir.display()));
    };
    let name = rel.display().to_string();
    let committed = repo
        .head()
        .and_then(|h| h.peel_to_tree())
        .and_then(|tree| tree.get_path(rel))
        .and_then(|entry| entry.to_object(&repo))
        .ok()
        .and_then(|o| o.as_blob().map(|b| b.content().to_vec()));
    match (committed, std::fs::read(&file)) {
        (None, _) => Some(format!("is not committed (`git add {name} && git commit`)")),
        (Some(c), Ok(now)) if c == now => None,
        (Some(_), Ok(_)) => Some("differs from its committed version (commit the change)".into()),
        (Some(_), Err(_)) => Some("could not be read".into()),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

fn read(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path).with_context(|| format!("could not read {}", path.display()))?;
    let file: FileConfig = toml::from_str(&text).map_err(|e| {
        Failure::usage(format!("{} is not valid: {}", path.display(), e.to_string().trim()))
            .hint("see docs/config.md for the keys prisma-guard.toml accepts")
    })?;
    Ok(file)
}

/// `a/./b/../c` -> `a/c`, without touching the filesystem.
pub fn lexical_normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Walk from `start` up to the git root (inclusive) or the filesystem root, returning
/// the first hit.
pub fn find_upward<T>(start: &Path, mut probe: impl FnMut(&Path) -> Option<T>) -> Option<T> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        if let Some(hit) = probe(d) {
            return Some(hit);
        }
        if d.join(".git").exists() {
            return None;
        }
        dir = d.parent();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_file_upward_but_not_past_the_git_root() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        let sub = repo.join("apps/web");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::create_dir(repo.join(".git")).unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "[backup]\ncompression = \"gzip\"\n").unwrap();
        assert!(load(&sub, &sub, None).unwrap().path.is_none());
        std::fs::write(repo.join(FILE_NAME), "[backup]\ncompression = \"gzip\"\nlevel = 9\n").unwrap();
        let c = load(&sub, &sub, None).unwrap();
        assert_eq!(c.path.as_deref(), Some(repo.join(FILE_NAME).as_path()));
        assert_eq!(c.file.backup.compression, Some(Compression::Gzip));
        assert_eq!(c.file.backup.level, Some(9));
    }

    #[test]
    fn the_shipped_template_is_valid() {
        let text = include_str!("../../templates/prisma-guard.toml");
        let file: FileConfig = toml::from_str(text).unwrap();
        assert_eq!(file.backup.compression, Some(Compression::Zstd));
        assert_eq!(file.retention.max_age_days, Some(30));
    }

    /// Review of issue 18, round 5, finding 18: the template showed no `[[notify]]` and no
    /// `[signing]`; their commented examples, uncommented, are valid.
    #[test]
    fn the_templates_notify_and_signing_examples_are_valid() {
        let text = include_str!("../../templates/prisma-guard.toml");
        for header in ["# [signing]", "# [[notify]]"] {
            let start =
                text.find(&format!("\n{header}\n")).unwrap_or_else(|| panic!("{header} is not in the template"));
            let block: String = text[start + 1..]
                .lines()
                .take_while(|l| l.starts_with("# "))
                .map(|l| format!("{}\n", &l[2..]))
                .collect();
            let file: FileConfig = toml::from_str(&block).unwrap_or_else(|e| panic!("{block}: {e}"));
            assert!(file.signing.is_some() || !file.notify.is_empty(), "{block}");
        }
    }

    /// Review (issue 22, round 5): the default backup folder, as `init` writes it, is no
    /// loosening; another folder (`..` out of the project, absolute) is.
    #[test]
    fn the_default_backup_dir_is_not_a_loosening_key() {
        let loosens = |dir: &str| {
            let named: FileConfig = toml::from_str(&format!("[backup]\ndir = \"{dir}\"\n")).unwrap();
            let mut c = Config::default();
            c.tighten_with(named, Path::new("/x/prisma-guard.toml"));
            !c.ignored.is_empty()
        };
        for dir in ["backups", "./backups", "backups/"] {
            assert!(!loosens(dir), "{dir}");
        }
        for dir in ["/tmp/elsewhere", "../backups", "var/backups", "backups/../.."] {
            assert!(loosens(dir), "{dir}");
        }
    }

    #[test]
    fn unknown_keys_are_a_usage_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "[backup]\ndirectory = \"x\"\n").unwrap();
        let err = load(dir.path(), dir.path(), None).unwrap_err();
        let f = err.downcast_ref::<Failure>().unwrap();
        assert_eq!(f.status, crate::ExitStatus::Usage);
        assert!(f.message.contains("directory"), "{}", f.message);
    }
}
