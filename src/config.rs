//! `prisma-guard.toml`: discovered upward from the working directory to the git root.
//! Precedence everywhere: command-line flag > environment variable > this file > default.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::error::Failure;
use crate::store::Compression;

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

/// A loaded configuration file and where it was found.
#[derive(Debug, Default, Clone)]
pub struct Config {
    pub path: Option<PathBuf>,
    pub file: FileConfig,
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
}

/// Load `explicit`, or the first prisma-guard.toml from `start` upward to the git root.
pub fn load(start: &Path, explicit: Option<&Path>) -> Result<Config> {
    let path = match explicit {
        Some(p) => {
            if !p.is_file() {
                return Err(Failure::usage(format!("the config file {} does not exist", p.display())).into());
            }
            Some(p.to_path_buf())
        }
        None => find_upward(start, |dir| {
            let p = dir.join(FILE_NAME);
            p.is_file().then_some(p)
        }),
    };
    let Some(path) = path else {
        return Ok(Config::default());
    };
    let text = std::fs::read_to_string(&path).with_context(|| format!("could not read {}", path.display()))?;
    let file: FileConfig = toml::from_str(&text).map_err(|e| {
        Failure::usage(format!("{} is not valid: {}", path.display(), e.to_string().trim()))
            .hint("see docs/config.md for the keys prisma-guard.toml accepts")
    })?;
    Ok(Config { path: Some(path), file })
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
        assert!(load(&sub, None).unwrap().path.is_none());
        std::fs::write(repo.join(FILE_NAME), "[backup]\ncompression = \"gzip\"\nlevel = 9\n").unwrap();
        let c = load(&sub, None).unwrap();
        assert_eq!(c.path.as_deref(), Some(repo.join(FILE_NAME).as_path()));
        assert_eq!(c.file.backup.compression, Some(Compression::Gzip));
        assert_eq!(c.file.backup.level, Some(9));
    }

    #[test]
    fn the_shipped_template_is_valid() {
        let text = include_str!("../templates/prisma-guard.toml");
        let file: FileConfig = toml::from_str(text).unwrap();
        assert_eq!(file.backup.compression, Some(Compression::Zstd));
        assert_eq!(file.retention.max_age_days, Some(30));
    }

    #[test]
    fn unknown_keys_are_a_usage_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "[backup]\ndirectory = \"x\"\n").unwrap();
        let err = load(dir.path(), None).unwrap_err();
        let f = err.downcast_ref::<Failure>().unwrap();
        assert_eq!(f.status, crate::ExitStatus::Usage);
        assert!(f.message.contains("directory"), "{}", f.message);
    }
}
