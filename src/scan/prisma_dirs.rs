//! Migration folders Prisma configs name: `migrations: { path: "packages/db/migration" }` in a
//! `prisma.config.ts` anywhere in the repository. Folders called `migrations` are found by
//! name already; these are the others, read the way Prisma reads the path (relative to the
//! config file's folder).

use std::path::Path;

use crate::config::lexical_normalize;
use crate::project::prisma_files::parse_config_ts;
use crate::project::CONFIG_NAMES;

use super::Source;

/// The configs of the repository (tracked ones from the index, plus any at `root`), and the
/// migration folders they name. `staged`: the index a commit is made from (the one git
/// names in `GIT_INDEX_FILE`); its configs are read as staged there, not as on disk.
/// `near`: paths given on the command line; configs in their folders and above count too
/// (an untracked project's files given by name, as the pre-commit framework passes them).
pub fn config_migration_dirs(
    root: &Path,
    repo: Option<&git2::Repository>,
    staged: Option<&Source>,
    near: &[std::path::PathBuf],
) -> Result<Vec<String>, String> {
    let mut configs: Vec<(String, Option<String>)> = Vec::new();
    let mut packages: Vec<String> = Vec::new();
    let index = match staged {
        Some(_) => None,
        None => repo.and_then(|r| r.index().ok()),
    };
    if let Some(index) = &index {
        for e in index.iter() {
            let rel = String::from_utf8_lossy(&e.path).into_owned();
            if is_config(&rel) {
                configs.push((rel, None));
            } else if names_configs(&rel) {
                packages.push(rel);
            }
        }
    }
    if let Some(source) = staged {
        configs.extend(configs_in(source).into_iter().map(|(rel, text)| (rel, Some(text))));
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
    let disk = |rel: &str| std::fs::read_to_string(root.join(rel)).ok();
    let read = |rel: &str| match staged {
        Some(source) => source.read(rel),
        None => disk(rel),
    };
    let mut texts: Vec<(String, String)> =
        configs.into_iter().filter_map(|(rel, text)| text.or_else(|| disk(&rel)).map(|t| (rel, t))).collect();
    with_script_configs(&mut texts, packages.iter().filter_map(|p| disk(p).map(|t| (p.clone(), t))), &read);
    dirs_named(texts, &read)
}

/// The migration folders the configs of a commit or an index name (what is pushed or
/// committed, not the working tree).
pub fn source_migration_dirs(source: &Source) -> Result<Vec<String>, String> {
    dirs_named(configs_in(source), &|rel| source.read(rel))
}

/// Add to `dirs` the folders of changed files laid out as Prisma lays out migrations,
/// `<folder>/<migration>/migration.sql`, that no config names: with a `migration_lock.toml`
/// in `<folder>` (in `source`), or a migration named as Prisma names them
/// (`20240101000000_name`). A commit can move the folder, or change `migrations.path`
/// without staging it: what looks like a migration is scanned as one (fail closed).
pub fn looks_like_migrations(source: &Source, paths: &[String], dirs: &mut Vec<String>) {
    for p in paths {
        let Some(dir) = p.strip_suffix("/migration.sql") else { continue };
        let Some((folder, name)) = dir.rsplit_once('/') else { continue };
        if dirs.iter().any(|d| d == folder) || super::extract::kind(p).is_some() {
            continue;
        }
        let digits = name.bytes().take_while(u8::is_ascii_digit).count();
        let prisma_named = digits >= 8 && name.as_bytes().get(digits) == Some(&b'_');
        if prisma_named || source.read(&format!("{folder}/migration_lock.toml")).is_some() {
            dirs.push(folder.to_string());
        }
    }
}

/// Whether `rel` is a package.json (outside node_modules), whose scripts may name a config.
pub fn is_package(rel: &str) -> bool {
    (rel == "package.json" || rel.ends_with("/package.json")) && !rel.split('/').any(|p| p == "node_modules")
}

/// Whether `rel` may name a Prisma config with `--config`: a package.json, or a file whose
/// commands the scanner reads (CI YAML, Makefile, shell script, Dockerfile, ...).
pub fn names_configs(rel: &str) -> bool {
    use super::extract::Kind;
    is_package(rel)
        || matches!(
            super::extract::kind(rel),
            Some(
                Kind::CiYaml
                    | Kind::Makefile
                    | Kind::Shell
                    | Kind::Dockerfile
                    | Kind::Compose
                    | Kind::Procfile
                    | Kind::Justfile
                    | Kind::Jenkinsfile
                    | Kind::DeployToml
                    | Kind::DeployJson
            )
        ) && !rel.split('/').any(|p| p == "node_modules")
}

/// Add the configs that the scripts of `packages` name with `--config`, read by `read`.
pub fn with_script_configs(
    configs: &mut Vec<(String, String)>,
    packages: impl IntoIterator<Item = (String, String)>,
    read: &dyn Fn(&str) -> Option<String>,
) {
    for (pkg, text) in packages {
        for rel in super::config_follow::script_configs(&pkg, &text) {
            if !configs.iter().any(|(r, _)| *r == rel) {
                if let Some(t) = read(&rel) {
                    configs.push((rel, t));
                }
            }
        }
    }
}

/// The Prisma configs an index or a commit holds (and those its package scripts name with
/// `--config`), with their text there.
fn configs_in(source: &Source) -> Vec<(String, String)> {
    let mut rels: Vec<String> = Vec::new();
    match source {
        Source::WorkTree { .. } => {}
        Source::Index { index, .. } => {
            rels.extend(
                index
                    .iter()
                    .map(|e| String::from_utf8_lossy(&e.path).into_owned())
                    .filter(|r| is_config(r) || names_configs(r)),
            );
        }
        Source::Tree { repo, commit } => {
            if let Some(tree) = repo.find_commit(*commit).ok().and_then(|c| c.tree().ok()) {
                let _ = tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
                    let name = entry.name().unwrap_or("");
                    if entry.kind() == Some(git2::ObjectType::Tree) {
                        return if name == "node_modules" {
                            git2::TreeWalkResult::Skip
                        } else {
                            git2::TreeWalkResult::Ok
                        };
                    }
                    let rel = format!("{dir}{name}");
                    if is_config(&rel) || names_configs(&rel) {
                        rels.push(rel);
                    }
                    git2::TreeWalkResult::Ok
                });
            }
        }
    }
    let (packages, configs): (Vec<String>, Vec<String>) = rels.into_iter().partition(|r| !is_config(r));
    let mut out: Vec<(String, String)> =
        configs.into_iter().filter_map(|rel| source.read(&rel).map(|t| (rel, t))).collect();
    let packages = packages.into_iter().filter_map(|rel| source.read(&rel).map(|t| (rel, t)));
    with_script_configs(&mut out, packages, &|rel| source.read(rel));
    out
}

/// Whether `rel` is a Prisma config file (outside node_modules).
pub fn is_config(rel: &str) -> bool {
    let named = |n: &str| {
        rel == n || (rel.ends_with(n) && rel.as_bytes().get(rel.len().wrapping_sub(n.len() + 1)) == Some(&b'/'))
    };
    CONFIG_NAMES.iter().any(|n| named(n)) && !rel.split('/').any(|p| p == "node_modules")
}

/// The migration folders named by configs (`(repository-relative path, text)`), other than
/// ones called `migrations`.
/// A config whose `migrations.path` cannot be read without running it is an error: its
/// migrations would go unscanned.
/// A base the config spreads in (`{ ...base }`, a project file) is read for it too (`read`
/// reads a repository-relative file).
pub fn dirs_named(
    configs: impl IntoIterator<Item = (String, String)>,
    read: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<String>, String> {
    let mut dirs = Vec::new();
    for (rel, text) in configs {
        let parsed = parse_config_ts(&text);
        let cannot = |what: String| {
            format!(
                "prisma-guard cannot tell which folder {rel} keeps its migrations in ({what}), so they would not be scanned"
            )
        };
        if let Some(expr) = parsed.migrations_path_unknown {
            let what = match expr.as_str() {
                "migrations" => "`migrations` is not written as `{ path: \"...\" }`".to_string(),
                _ => format!("`path: {expr}`"),
            };
            return Err(cannot(what));
        }
        let path = match parsed.migrations_path {
            Some(p) => Some(p),
            None => super::config_follow::spread_migrations(&rel, &text, read).map_err(cannot)?,
        };
        let Some(path) = path else { continue };
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
