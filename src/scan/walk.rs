//! The directory walk of `scan` without paths: the scannable files under a folder, the
//! folders of each migrations folder met, and the migration folders Prisma configs name.

use std::collections::BTreeMap;
use std::path::Path;

use super::{extract, prisma_dirs, Options};

/// Directories never walked into.
const SKIP_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "target",
    "dist",
    ".next",
    ".nuxt",
    ".turbo",
    ".vercel",
    ".output",
    "coverage",
    "vendor",
    ".cache",
    ".pnpm-store",
    ".yarn",
    "backups",
];

/// The scannable files under `start` (repository-relative, sorted), and the folders of each
/// Prisma migrations folder met on the way (so the replay need not list them again).
#[derive(Debug, Default)]
pub struct Walked {
    pub paths: Vec<String>,
    pub migration_dirs: BTreeMap<String, Vec<String>>,
    /// Migration folders named by the configs the walk found (see [`prisma_dirs`]).
    pub config_dirs: Vec<String>,
    /// A config whose migrations folder cannot be read without running it.
    pub config_error: Option<String>,
    /// Extensionless scripts (in `scripts/`, `bin/`, `script/`, `tools/` folders) with a
    /// shell or node `#!` line, and their kind.
    pub shebang: Vec<(String, extract::Kind)>,
}

/// Folders where extensionless files are often scripts (their `#!` line is read).
const SCRIPT_DIRS: &[&str] = &["scripts", "script", "bin", "tools", "ci", ".ci"];

/// Whether `rel` is an extensionless file in a folder where such files are often scripts.
pub fn script_dir_file(rel: &str) -> bool {
    let Some((dir, name)) = extract::split_last(rel) else { return false };
    !name.contains('.') && SCRIPT_DIRS.contains(&extract::split_last(dir).map_or(dir, |(_, n)| n))
}

/// The kind a file's `#!` line gives (its first bytes only are read).
pub fn shebang_of(path: &Path) -> Option<extract::Kind> {
    use std::io::Read;
    let mut head = [0u8; 128];
    let n = std::fs::File::open(path).ok()?.read(&mut head).ok()?;
    extract::shebang_kind(&String::from_utf8_lossy(&head[..n]))
}

/// Every scannable file under the folder `start` (repository-relative to `root`), skipping
/// dependency and build folders, git-ignored folders, and excluded paths.
pub fn walk(root: &Path, start: &Path, repo: Option<&git2::Repository>, opts: &Options) -> Walked {
    let mut out = Walked::default();
    let Some(start_rel) = rel_path(root, start) else { return out };
    let mut stack = vec![(start.to_path_buf(), start_rel)];
    while let Some((dir, dir_rel)) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&dir) else { continue };
        // Each entry named (lossily when not UTF-8) and typed without following a symlink;
        // one whose type cannot be told is left out, as read_dir leaves out unreadable ones.
        let mut entries: Vec<(String, std::fs::FileType)> = read
            .flatten()
            .filter_map(|e| Some((e.file_name().to_string_lossy().into_owned(), e.file_type().ok()?)))
            .collect();
        // Sorted folder by folder: the walk's paths come out sorted.
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        // The folders of a Prisma migrations folder hold one migration.sql each: take it
        // without listing every folder (hundreds of directory reads saved), and without
        // asking git about each one (the migrations folder itself was asked).
        let migrations = extract::split_last(&dir_rel).map_or(dir_rel.as_str(), |(_, n)| n) == "migrations"
            || opts.migration_dirs.contains(&dir_rel);
        let mut listed = Vec::new();
        let mut subdirs = Vec::new();
        for (name, ft) in entries {
            let rel = if dir_rel.is_empty() { name.clone() } else { format!("{dir_rel}/{name}") };
            // A migrations folder that is a symbolic link (to a folder shared by packages),
            // and linked migration folders in one: Prisma follows the link, so does the scan.
            let is_dir = ft.is_dir()
                || (ft.is_symlink()
                    && (migrations || name == "migrations" || opts.migration_dirs.contains(&rel))
                    && std::fs::metadata(dir.join(&name)).is_ok_and(|m| m.is_dir()));
            if is_dir {
                let hidden_ok = matches!(
                    name.as_str(),
                    ".github" | ".husky" | ".circleci" | ".gitlab" | ".gitea" | ".forgejo" | ".buildkite" | ".ci"
                );
                if name == ".config" && !migrations {
                    // Not walked, but Prisma finds its config there (`.config/prisma.ts`),
                    // in every package of a workspace.
                    for n in crate::project::CONFIG_NAMES.iter().filter(|n| n.starts_with(".config/")) {
                        if dir.join(n).is_file() {
                            let found = format!("{}{n}", rel.strip_suffix(".config").unwrap_or(""));
                            if !opts.excluded(&found) {
                                out.paths.push(found);
                            }
                        }
                    }
                    continue;
                }
                if SKIP_DIRS.contains(&name.as_str()) || (name.starts_with('.') && !hidden_ok) {
                    continue;
                }
                if migrations {
                    // Excluded migrations are not reported, but still replayed for history.
                    if !opts.excluded(&rel) {
                        out.paths.push(rel + "/migration.sql");
                    }
                    listed.push(name);
                    continue;
                }
            }
            if opts.excluded(&rel) {
                continue;
            }
            if is_dir {
                if repo.is_some_and(|r| r.is_path_ignored(Path::new(&rel)).unwrap_or(false)) {
                    continue;
                }
                subdirs.push((dir.join(&name), rel));
            } else if ft.is_file() && opts.kind(&rel).is_some() {
                out.paths.push(rel);
            } else if ft.is_file()
                && !name.contains('.')
                && SCRIPT_DIRS.contains(&extract::split_last(&dir_rel).map_or(dir_rel.as_str(), |(_, n)| n))
            {
                if let Some(kind) = shebang_of(&dir.join(&name)) {
                    out.shebang.push((rel.clone(), kind));
                    out.paths.push(rel);
                }
            }
        }
        stack.extend(subdirs.into_iter().rev());
        if migrations {
            out.migration_dirs.insert(dir_rel, listed);
        }
    }
    // Migration folders the walked Prisma configs name (`migrations.path`), wherever they are
    // in the walked folder: their migrations, listed as a `migrations` folder's are.
    let read = |p: &str| std::fs::read_to_string(root.join(p)).ok();
    let mut configs: Vec<(String, String)> =
        out.paths.iter().filter(|p| prisma_dirs::is_config(p)).filter_map(|p| Some((p.clone(), read(p)?))).collect();
    // And those a package script names with `--config`.
    let packages =
        out.paths.iter().filter(|p| prisma_dirs::names_configs(p)).filter_map(|p| Some((p.clone(), read(p)?)));
    prisma_dirs::with_script_configs(&mut configs, packages, &read);
    let start_rel = rel_path(root, start).unwrap_or_default();
    let named = prisma_dirs::dirs_named(configs, &read).unwrap_or_else(|e| {
        out.config_error = Some(e);
        Vec::new()
    });
    for dir in named {
        let inside = start_rel.is_empty() || dir == start_rel || dir.starts_with(&format!("{start_rel}/"));
        if !inside || out.migration_dirs.contains_key(&dir) {
            continue;
        }
        let mut listed = Vec::new();
        if let Ok(entries) = std::fs::read_dir(root.join(&dir)) {
            for e in entries.flatten() {
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let rel = format!("{dir}/{name}");
                    if !opts.excluded(&rel) {
                        out.paths.push(rel + "/migration.sql");
                    }
                    listed.push(name);
                }
            }
        }
        listed.sort();
        out.migration_dirs.insert(dir.clone(), listed);
        out.config_dirs.push(dir);
    }
    out.paths.sort();
    out
}

fn rel_path(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    Some(parts.join("/"))
}
