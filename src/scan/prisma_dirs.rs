//! Migration folders Prisma configs name: `migrations: { path: "packages/db/migration" }` in a
//! `prisma.config.ts` anywhere in the repository. Folders called `migrations` are found by
//! name already; these are the others, read the way Prisma reads the path (relative to the
//! config file's folder).

use std::path::Path;

use crate::config::lexical_normalize;
use crate::project::prisma_files::parse_config_ts;
use crate::project::CONFIG_NAMES;

/// The configs of the repository (tracked ones from the index, plus any at `root`), and the
/// migration folders they name. `from_index`: read the configs as staged, not as on disk.
/// `near`: paths given on the command line; configs in their folders and above count too
/// (an untracked project's files given by name, as the pre-commit framework passes them).
pub fn config_migration_dirs(
    root: &Path,
    repo: Option<&git2::Repository>,
    from_index: bool,
    near: &[std::path::PathBuf],
) -> Result<Vec<String>, String> {
    let mut configs: Vec<(String, Option<git2::Oid>)> = Vec::new();
    if let Some(index) = repo.and_then(|r| r.index().ok()) {
        for e in index.iter() {
            let rel = String::from_utf8_lossy(&e.path).into_owned();
            if is_config(&rel) {
                configs.push((rel, Some(e.id)));
            }
        }
    }
    // Each folder once: a hook passes hundreds of files of a few folders.
    let mut folders = std::collections::BTreeSet::from([root.to_path_buf()]);
    for p in near {
        folders.extend(p.ancestors().skip(1).take_while(|a| a.starts_with(root)).map(Path::to_path_buf));
    }
    for folder in folders {
        // A migration's own folder holds no Prisma config: hundreds of them, skipped.
        let inside_migrations =
            folder.strip_prefix(root).is_ok_and(|r| r.components().any(|c| c.as_os_str() == "migrations"));
        if inside_migrations {
            continue;
        }
        // One listing per folder (and its `.config/`), not a stat per candidate name.
        let listed = |dir: &Path| -> std::collections::BTreeSet<String> {
            std::fs::read_dir(dir)
                .map(|rd| rd.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
                .unwrap_or_default()
        };
        let here = listed(&folder);
        let mut subdirs: std::collections::BTreeMap<&str, std::collections::BTreeSet<String>> = Default::default();
        for n in CONFIG_NAMES {
            let present = match n.split_once('/') {
                Some((sub, inner)) if here.contains(sub) => {
                    subdirs.entry(sub).or_insert_with(|| listed(&folder.join(sub))).contains(inner)
                }
                Some(_) => false,
                None => here.contains(*n),
            };
            if !present {
                continue;
            }
            let path = folder.join(n);
            let Some(rel) = path.strip_prefix(root).ok().map(|r| r.to_string_lossy().replace('\\', "/")) else {
                continue;
            };
            if path.is_file() && !configs.iter().any(|(r, _)| *r == rel) {
                configs.push((rel, None));
            }
        }
    }
    let texts = configs.into_iter().filter_map(|(rel, oid)| {
        let text = match (from_index, oid, repo) {
            (true, Some(oid), Some(repo)) => {
                repo.find_blob(oid).ok().map(|b| String::from_utf8_lossy(b.content()).into_owned())
            }
            _ => std::fs::read_to_string(root.join(&rel)).ok(),
        };
        text.map(|t| (rel, t))
    });
    dirs_named(texts)
}

/// Whether `rel` is a Prisma config file (outside node_modules).
pub fn is_config(rel: &str) -> bool {
    // Called for every path of a scan: no allocation.
    let named = |n: &str| {
        rel == n || (rel.ends_with(n) && rel.as_bytes().get(rel.len().wrapping_sub(n.len() + 1)) == Some(&b'/'))
    };
    CONFIG_NAMES.iter().any(|n| named(n)) && !rel.split('/').any(|p| p == "node_modules")
}

/// The migration folders named by configs (`(repository-relative path, text)`), other than
/// ones called `migrations`.
/// A config whose `migrations.path` cannot be read without running it is an error: its
/// migrations would go unscanned.
pub fn dirs_named(configs: impl IntoIterator<Item = (String, String)>) -> Result<Vec<String>, String> {
    let mut dirs = Vec::new();
    for (rel, text) in configs {
        let parsed = parse_config_ts(&text);
        if let Some(expr) = parsed.migrations_path_unknown {
            let what = match expr.as_str() {
                "migrations" => "`migrations` is not written as `{ path: \"...\" }`".to_string(),
                _ => format!("`path: {expr}`"),
            };
            return Err(format!(
                "prisma-guard cannot tell which folder {rel} keeps its migrations in ({what}), so they would not be scanned"
            ));
        }
        let Some(path) = parsed.migrations_path else { continue };
        // Relative to the config file's own folder, `.config/` included: @prisma/config
        // resolves `path.resolve(path.dirname(configFile), value)`.
        let base = Path::new(&rel).parent().unwrap_or(Path::new(""));
        let dir = lexical_normalize(&base.join(path.trim_end_matches('/')));
        let dir = dir.to_string_lossy().replace('\\', "/");
        let named = dir.rsplit('/').next() == Some("migrations");
        if !dir.is_empty() && !dir.starts_with("..") && !named && !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    Ok(dirs)
}

#[cfg(test)]
mod is_config_tests {
    #[test]
    fn config_paths() {
        assert!(super::is_config("prisma.config.ts"));
        assert!(super::is_config("packages/db/prisma.config.ts"));
        assert!(super::is_config("packages/db/.config/prisma.ts"));
        assert!(!super::is_config("packages/db/myprisma.config.ts"));
        assert!(!super::is_config("node_modules/x/prisma.config.ts"));
        assert!(!super::is_config("prisma/migrations/1_a/migration.sql"));
    }
}
