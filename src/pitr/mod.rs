//! Point-in-time recovery, driven through the engines made for it: pgBackRest for
//! self-managed PostgreSQL, Litestream for SQLite, the provider's own for managed PostgreSQL;
//! and `restore --before` over the dumps for everything else. prisma-guard writes their
//! configuration, runs them, and says what to do next; it archives nothing itself.

pub mod before;
pub mod litestream;
pub mod managed;
pub mod pgbackrest;
pub mod time;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::config::settings::Settings;
use crate::config::RemoteSection;
use crate::error::Failure;

/// Where the archive goes.
#[derive(Debug, Clone)]
pub enum Repo {
    Local(PathBuf),
    S3(Box<S3>),
}

/// An S3 repository from a `[[remote]]`: bucket, prefix (`pitr/<engine>` under the remote's
/// own), endpoint and the keys (kept out of argv: environment or 0600 files only).
#[derive(Clone)]
pub struct S3 {
    pub remote: String,
    pub bucket: String,
    pub prefix: String,
    pub endpoint: Option<String>,
    pub region: String,
    pub path_style: bool,
    pub keys: Option<crate::backup::remote::creds::Keys>,
    /// The variables that hold the keys, for the instructions printed.
    pub key_vars: (String, String),
}

impl std::fmt::Debug for S3 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "S3(s3://{}/{} via remote `{}`)", self.bucket, self.prefix, self.remote)
    }
}

impl S3 {
    pub fn from_remote(spec: &RemoteSection, sub: &str) -> Result<S3> {
        let rest = spec.url.strip_prefix("s3://").ok_or_else(|| {
            Failure::usage(format!("remote `{}`: url = \"{}\" is not an s3:// URL", spec.name, spec.url))
        })?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let prefix =
            [prefix.trim_matches('/'), sub].iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join("/");
        let env = crate::config::env::var;
        let home = crate::config::env::home();
        // No static keys here is not an error yet: Litestream finds its own (instance roles,
        // profiles); pgBackRest, which needs them in its file, says so (see `pgbackrest::setup`).
        let keys = match crate::backup::remote::creds::resolve(spec, &env, home.as_deref()) {
            Ok(crate::backup::remote::creds::Source::Keys(k)) => Some(k),
            Ok(crate::backup::remote::creds::Source::Provider(_)) | Err(_) => None,
        };
        Ok(S3 {
            remote: spec.name.clone(),
            bucket: bucket.to_string(),
            prefix,
            endpoint: spec.endpoint.clone(),
            region: spec.region.clone().unwrap_or_else(|| "us-east-1".into()),
            path_style: spec.path_style.unwrap_or(false),
            keys,
            key_vars: (
                spec.access_key_id_env.clone().unwrap_or_else(|| "AWS_ACCESS_KEY_ID".into()),
                spec.secret_access_key_env.clone().unwrap_or_else(|| "AWS_SECRET_ACCESS_KEY".into()),
            ),
        })
    }

    /// The endpoint's host (and port) without the scheme, as pgBackRest wants it.
    pub fn endpoint_host(&self) -> String {
        match &self.endpoint {
            Some(ep) => ep.split_once("://").map_or(ep.as_str(), |(_, h)| h).trim_end_matches('/').to_string(),
            None => format!("s3.{}.amazonaws.com", self.region),
        }
    }
}

/// The folder of the PITR configuration (and the default local repository).
pub fn dir(settings: &Settings) -> PathBuf {
    settings.backup_dir.join("pitr")
}

/// `--repo DIR` / `--remote NAME` / the default local folder, for `engine` (`pgbackrest`,
/// `litestream`).
pub fn repo(settings: &Settings, local: Option<&Path>, remote: Option<&str>, engine: &str) -> Result<Repo> {
    if let Some(name) = remote {
        let spec = settings.config.file.remotes.iter().find(|r| r.name == name).ok_or_else(|| {
            let known = settings.config.file.remotes.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ");
            Failure::usage(format!("no [[remote]] named `{name}` in prisma-guard.toml (known: {known})"))
                .hint("add a [[remote]] table (docs/operations.md) or use --repo DIR")
        })?;
        return Ok(Repo::S3(Box::new(S3::from_remote(spec, &format!("pitr/{engine}"))?)));
    }
    Ok(Repo::Local(match local {
        Some(p) if p.is_absolute() => p.to_path_buf(),
        Some(p) => settings.cwd.join(p),
        None => dir(settings).join("repo"),
    }))
}

/// Write `contents` to `path` readable by this user only (0600; its folder 0700 when new).
pub fn write_private(path: &Path, contents: &str) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    if let Some(parent) = path.parent() {
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(parent)?;
    }
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("could not write {}", tmp.display()))?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()?;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
    std::fs::rename(&tmp, path).with_context(|| format!("could not write {}", path.display()))?;
    Ok(())
}

/// A string as a double-quoted YAML (and JSON) scalar.
pub fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// A restore target that is new or an empty folder, as an absolute path.
pub fn fresh_target(settings: &Settings, to: &Path) -> Result<PathBuf> {
    let path = if to.is_absolute() { to.to_path_buf() } else { settings.cwd.join(to) };
    let empty_dir = std::fs::read_dir(&path).is_ok_and(|mut d| d.next().is_none());
    if path.exists() && !empty_dir {
        return Err(Failure::usage(format!(
            "{} exists: a point-in-time restore goes into a new place, never over data",
            path.display()
        ))
        .hint("name a path that does not exist yet")
        .into());
    }
    Ok(path)
}
