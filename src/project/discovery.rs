//! Finding the project's files: its root, the Prisma config's folder, the schema, and the
//! schema file that holds the datasource block.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::prisma_files::{self, Datasource};
use super::CONFIG_NAMES;
use crate::config::find_upward;

/// `p` against `cwd`, lexically normal (`sub/../x` is `x`: walks upward from it stay right).
pub(super) fn absolute(cwd: &Path, p: &Path) -> PathBuf {
    crate::config::lexical_normalize(&if p.is_absolute() { p.to_path_buf() } else { cwd.join(p) })
}

/// The project root for a command run in `cwd`: the folder of the Prisma config (given or
/// found upward), else the nearest folder with `prisma/`, `schema.prisma` or `package.json`.
pub(super) fn root_of(cwd: &Path, config_file: Option<&Path>) -> PathBuf {
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
pub(super) fn config_base(cfg: &Path, given: bool) -> PathBuf {
    if given {
        cfg.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    } else {
        config_root(cfg)
    }
}

/// The folder a config is found from: `.config/prisma.ts` and `prisma.config/index.ts` from
/// the folder above theirs.
pub(super) fn config_root(cfg: &Path) -> PathBuf {
    let dir = cfg.parent().unwrap_or(Path::new("."));
    let depth = CONFIG_NAMES
        .iter()
        .filter(|n| cfg.ends_with(n))
        .map(|n| n.matches('/').count())
        .max()
        .unwrap_or(usize::from(dir.ends_with(".config")));
    dir.ancestors().nth(depth).unwrap_or(dir).to_path_buf()
}

pub(super) fn default_schema(root: &Path, config: Option<&Path>, ts: &prisma_files::ConfigTs) -> Option<PathBuf> {
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
pub(super) fn find_datasource(schema: &Path) -> Result<Option<(PathBuf, Datasource)>> {
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

pub(super) fn collect_prisma_files(dir: &Path, out: &mut Vec<PathBuf>) {
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
